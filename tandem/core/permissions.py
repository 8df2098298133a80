"""Which role may do what: the one place that maps roles to the actions each domain guards.

Record visibility (what a user may *see*) lives in each app's selectors; this module says what a
user may *do*. A record you may see but not change gives 403.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied

from tandem.activities.permissions import ActivitiesPermission
from tandem.asks.permissions import AsksPermission
from tandem.audit.permissions import AuditPermission
from tandem.calls.permissions import CallsPermission
from tandem.coaching.permissions import CoachingPermission
from tandem.commitments.permissions import CommitmentsPermission
from tandem.competition.permissions import CompetitionPermission
from tandem.core.roles import Role
from tandem.decisions.permissions import DecisionsPermission
from tandem.forecasting.permissions import ForecastingPermission
from tandem.imports.permissions import ImportsPermission
from tandem.launches.permissions import LaunchesPermission
from tandem.leads.permissions import LeadsPermission
from tandem.people.models import User
from tandem.people.permissions import PeoplePermission
from tandem.planning.permissions import PlanningPermission
from tandem.product.permissions import ProductPermission
from tandem.reviews.permissions import ReviewsPermission
from tandem.roadmap.permissions import RoadmapPermission
from tandem.sales.permissions import SalesPermission
from tandem.scorecards.permissions import ScorecardsPermission
from tandem.targets.permissions import TargetsPermission
from tandem.webhooks.permissions import WebhooksPermission


class CorePermission(StrEnum):
    EXPORT_WORKSPACE = "core.export_workspace"
    IMPORT_WORKSPACE = "core.import_workspace"


Permission = (
    CorePermission
    | ActivitiesPermission
    | AsksPermission
    | AuditPermission
    | CommitmentsPermission
    | CallsPermission
    | CompetitionPermission
    | CoachingPermission
    | DecisionsPermission
    | ForecastingPermission
    | ImportsPermission
    | LaunchesPermission
    | LeadsPermission
    | PeoplePermission
    | PlanningPermission
    | ProductPermission
    | RoadmapPermission
    | ReviewsPermission
    | SalesPermission
    | ScorecardsPermission
    | TargetsPermission
    | WebhooksPermission
)

R = Role
EVERYONE = frozenset(Role)

GRANTS: dict[Permission, frozenset[Role]] = {
    PeoplePermission.MANAGE_USERS: frozenset({R.ADMIN}),
    PeoplePermission.MANAGE_OWN_TOKENS: EVERYONE,
    SalesPermission.VIEW_PIPELINE: frozenset({R.REP, R.SALES_MANAGER, R.PRODUCT_MANAGER, R.EXECUTIVE, R.ADMIN}),
    SalesPermission.EDIT_PIPELINE: frozenset({R.REP, R.SALES_MANAGER, R.ADMIN}),
    SalesPermission.VIEW_QUOTAS: frozenset({R.REP, R.SALES_MANAGER, R.EXECUTIVE, R.ADMIN}),
    SalesPermission.SET_QUOTA: frozenset({R.SALES_MANAGER, R.EXECUTIVE, R.ADMIN}),
    SalesPermission.SET_EXCHANGE_RATES: frozenset({R.ADMIN}),
    # The company's target and its breakdown by team: managers (their teams' rep quotas), executives
    # and admins; a rep reads their own quotas and attainment.
    TargetsPermission.VIEW_TARGETS: frozenset({R.SALES_MANAGER, R.EXECUTIVE, R.ADMIN}),
    TargetsPermission.SET_TARGET: frozenset({R.EXECUTIVE, R.ADMIN}),
    TargetsPermission.VIEW_ATTAINMENT: frozenset({R.REP, R.SALES_MANAGER, R.EXECUTIVE, R.ADMIN}),
    TargetsPermission.VIEW_TERRITORIES: frozenset({R.REP, R.SALES_MANAGER, R.EXECUTIVE, R.ADMIN}),
    # Admins manage every territory; a sales manager their own teams' (`territory_changeable`).
    TargetsPermission.MANAGE_TERRITORIES: frozenset({R.SALES_MANAGER, R.ADMIN}),
    # Leads are the sales team's and its executive's: product roles have no reason to read a prospect's
    # name, email and phone (tandem/leads/selectors.py).
    LeadsPermission.VIEW_LEADS: frozenset({R.REP, R.SALES_MANAGER, R.EXECUTIVE, R.ADMIN}),
    LeadsPermission.EDIT_LEADS: frozenset({R.REP, R.SALES_MANAGER, R.ADMIN}),
    # Forecasts are the sales team's and its executive's; a call is the rep's word, an override their
    # manager's (tandem/forecasting/selectors.py).
    ForecastingPermission.VIEW_FORECAST: frozenset({R.REP, R.SALES_MANAGER, R.EXECUTIVE, R.ADMIN}),
    ForecastingPermission.CALL_FORECAST: frozenset({R.REP}),
    ForecastingPermission.OVERRIDE_FORECAST: frozenset({R.SALES_MANAGER, R.ADMIN}),
    # Coaching is private to the rep and those who coach them (tandem/coaching/selectors.py): the
    # rep's manager writes notes and reviews, the rep acknowledges a shared review.
    CoachingPermission.VIEW_COACHING: frozenset({R.REP, R.SALES_MANAGER, R.EXECUTIVE, R.ADMIN}),
    CoachingPermission.COACH: frozenset({R.SALES_MANAGER, R.ADMIN}),
    CoachingPermission.ACKNOWLEDGE_REVIEW: frozenset({R.REP}),
    # Reads follow the deal's visibility (activities/selectors.py); writes the deal's write rule.
    ActivitiesPermission.VIEW_ACTIVITIES: frozenset({R.REP, R.SALES_MANAGER, R.PRODUCT_MANAGER, R.EXECUTIVE, R.ADMIN}),
    ActivitiesPermission.LOG_ACTIVITY: frozenset({R.REP, R.SALES_MANAGER, R.ADMIN}),
    ProductPermission.EDIT_FEATURE: frozenset({R.PRODUCT_MANAGER, R.ADMIN}),
    ProductPermission.ESTIMATE_EFFORT: frozenset({R.ENGINEERING_LEAD, R.PRODUCT_MANAGER, R.ADMIN}),
    ProductPermission.MANAGE_PRODUCTS: frozenset({R.PRODUCT_MANAGER, R.ADMIN}),
    ProductPermission.MANAGE_RELEASES: frozenset({R.PRODUCT_MANAGER, R.ADMIN}),
    ProductPermission.SET_GOALS: frozenset({R.EXECUTIVE, R.ADMIN}),
    ProductPermission.SET_SCORING: frozenset({R.EXECUTIVE, R.ADMIN}),
    # The product's manager among product managers (roadmap/selectors.py lifecycle_movable).
    RoadmapPermission.MOVE_LIFECYCLE: frozenset({R.PRODUCT_MANAGER, R.EXECUTIVE, R.ADMIN}),
    RoadmapPermission.EDIT_MARKET_RESEARCH: frozenset({R.PRODUCT_MANAGER, R.ADMIN}),
    RoadmapPermission.SET_PUBLIC_ROADMAP: frozenset({R.ADMIN}),
    AsksPermission.LOG_ASK: frozenset({R.REP, R.SALES_MANAGER, R.PRODUCT_MANAGER, R.ADMIN}),
    AsksPermission.TRIAGE: frozenset({R.PRODUCT_MANAGER, R.ADMIN}),
    DecisionsPermission.EDIT_RIGHTS: frozenset({R.EXECUTIVE, R.ADMIN}),
    DecisionsPermission.ESCALATE: frozenset({R.SALES_MANAGER}),
    AuditPermission.VIEW_TRAIL: frozenset({R.EXECUTIVE, R.ADMIN}),
    # Imports write many records at once: admins any owner's, sales managers their teams' (row by
    # row the sales rules decide which owners and records). Reps type their deals in. Which other
    # kinds each role imports follows the apps' own write rules (`imports.services.kinds_for`).
    ImportsPermission.IMPORT_PIPELINE: frozenset({R.SALES_MANAGER, R.ADMIN}),
    ImportsPermission.IMPORT: frozenset({R.SALES_MANAGER, R.PRODUCT_MANAGER, R.EXECUTIVE, R.ADMIN}),
    # Commitments are read with their deals; asking is the deal's owners' (the rep, their manager, admins);
    # approving is the decision rights' right to plan the feature (commitments/selectors.py).
    CommitmentsPermission.VIEW_COMMITMENTS: frozenset(
        {R.REP, R.SALES_MANAGER, R.PRODUCT_MANAGER, R.EXECUTIVE, R.ADMIN}
    ),
    CommitmentsPermission.ASK_COMMITMENT: frozenset({R.REP, R.SALES_MANAGER, R.ADMIN}),
    # The digest is written for sales; product and executives read it to see what sales is told.
    LaunchesPermission.READ_DIGEST: frozenset({R.REP, R.SALES_MANAGER, R.PRODUCT_MANAGER, R.EXECUTIVE, R.ADMIN}),
    LaunchesPermission.SET_DIGEST: frozenset({R.ADMIN}),
    # Every record of every person, unfiltered: the admin's, as the Django admin is.
    CorePermission.EXPORT_WORKSPACE: frozenset({R.ADMIN}),
    # Loading a whole workspace into an empty Tandem: the admin's, who sets the Tandem up.
    CorePermission.IMPORT_WORKSPACE: frozenset({R.ADMIN}),
    # Where the workspace's events go, signed with secrets: the admin's, as integrations are.
    WebhooksPermission.MANAGE_WEBHOOKS: frozenset({R.ADMIN}),
    # Planning names internal features, so it is the product side's and the executive's: engineering
    # leads set their capacity, PMs and leads say who builds what, the executive chooses the plan.
    PlanningPermission.VIEW_PLANNING: frozenset({R.PRODUCT_MANAGER, R.ENGINEERING_LEAD, R.EXECUTIVE, R.ADMIN}),
    PlanningPermission.SET_CAPACITY: frozenset({R.ENGINEERING_LEAD, R.ADMIN}),
    PlanningPermission.PLAN_BUILD: frozenset({R.PRODUCT_MANAGER, R.ENGINEERING_LEAD, R.ADMIN}),
    PlanningPermission.SAVE_PLAN: frozenset({R.EXECUTIVE, R.ADMIN}),
    # The product-sales review: sales managers, PMs and executives run it (admins too); everyone may
    # attend and own action items (reviews/selectors.py).
    ReviewsPermission.RUN_REVIEWS: frozenset({R.SALES_MANAGER, R.PRODUCT_MANAGER, R.EXECUTIVE, R.ADMIN}),
    # Scorecards read figures of both sides; reps and engineering leads have their own pages.
    ScorecardsPermission.VIEW_SCORECARDS: frozenset({R.SALES_MANAGER, R.PRODUCT_MANAGER, R.EXECUTIVE, R.ADMIN}),
    # Competitors and battlecards are everyone's to read; product managers keep the competitor
    # profiles and the battlecard's own sections, sales adds objections (competition/selectors.py).
    CompetitionPermission.VIEW_COMPETITION: EVERYONE,
    CompetitionPermission.EDIT_COMPETITORS: frozenset({R.PRODUCT_MANAGER, R.ADMIN}),
    CompetitionPermission.EDIT_BATTLECARD: frozenset({R.REP, R.SALES_MANAGER, R.PRODUCT_MANAGER, R.ADMIN}),
    # Field intel is logged by sales from their deals and read by product, sales and executives.
    CompetitionPermission.VIEW_INTEL: frozenset({R.REP, R.SALES_MANAGER, R.PRODUCT_MANAGER, R.EXECUTIVE, R.ADMIN}),
    CompetitionPermission.LOG_INTEL: frozenset({R.REP, R.SALES_MANAGER, R.ADMIN}),
    CompetitionPermission.CITE_LOSS_FEATURES: frozenset({R.REP, R.SALES_MANAGER, R.PRODUCT_MANAGER, R.ADMIN}),
    # Customer calls follow the deal: its owner (or manager) opens one, product managers join it.
    CallsPermission.VIEW_CALLS: frozenset({R.REP, R.SALES_MANAGER, R.PRODUCT_MANAGER, R.EXECUTIVE, R.ADMIN}),
    CallsPermission.OPEN_CALL: frozenset({R.REP, R.SALES_MANAGER, R.ADMIN}),
    CallsPermission.JOIN_CALL: frozenset({R.PRODUCT_MANAGER}),
    CallsPermission.DEBRIEF_CALL: frozenset({R.REP, R.SALES_MANAGER, R.PRODUCT_MANAGER, R.ADMIN}),
}


def has_permission(user: User, permission: Permission) -> bool:
    return user.is_authenticated and user.is_active and user.role in GRANTS[permission]


def require(user: User, permission: Permission) -> None:
    """Raise PermissionDenied, naming the roles that may, unless the user holds the permission."""
    if not has_permission(user, permission):
        holders = ", ".join(str(Role(r).label) for r in sorted(GRANTS[permission]))
        raise PermissionDenied(f"Only these roles may do this: {holders}.")
