"""Which role may do what: the one place that maps roles to the actions each domain guards.

Record visibility (what a user may *see*) lives in each app's selectors; this module says what a
user may *do*. A record you may see but not change gives 403.
"""

from django.core.exceptions import PermissionDenied

from tandem.activities.permissions import ActivitiesPermission
from tandem.asks.permissions import AsksPermission
from tandem.audit.permissions import AuditPermission
from tandem.calls.permissions import CallsPermission
from tandem.competition.permissions import CompetitionPermission
from tandem.core.roles import Role
from tandem.decisions.permissions import DecisionsPermission
from tandem.forecasting.permissions import ForecastingPermission
from tandem.leads.permissions import LeadsPermission
from tandem.people.models import User
from tandem.people.permissions import PeoplePermission
from tandem.product.permissions import ProductPermission
from tandem.sales.permissions import SalesPermission
from tandem.targets.permissions import TargetsPermission

Permission = (
    ActivitiesPermission
    | AsksPermission
    | AuditPermission
    | CallsPermission
    | CompetitionPermission
    | DecisionsPermission
    | ForecastingPermission
    | LeadsPermission
    | PeoplePermission
    | ProductPermission
    | SalesPermission
    | TargetsPermission
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
    # Reads follow the deal's visibility (activities/selectors.py); writes the deal's write rule.
    ActivitiesPermission.VIEW_ACTIVITIES: frozenset({R.REP, R.SALES_MANAGER, R.PRODUCT_MANAGER, R.EXECUTIVE, R.ADMIN}),
    ActivitiesPermission.LOG_ACTIVITY: frozenset({R.REP, R.SALES_MANAGER, R.ADMIN}),
    ProductPermission.EDIT_FEATURE: frozenset({R.PRODUCT_MANAGER, R.ADMIN}),
    ProductPermission.ESTIMATE_EFFORT: frozenset({R.ENGINEERING_LEAD, R.PRODUCT_MANAGER, R.ADMIN}),
    ProductPermission.MANAGE_PRODUCTS: frozenset({R.PRODUCT_MANAGER, R.ADMIN}),
    ProductPermission.MANAGE_RELEASES: frozenset({R.PRODUCT_MANAGER, R.ADMIN}),
    ProductPermission.SET_GOALS: frozenset({R.EXECUTIVE, R.ADMIN}),
    ProductPermission.SET_SCORING: frozenset({R.EXECUTIVE, R.ADMIN}),
    AsksPermission.LOG_ASK: frozenset({R.REP, R.SALES_MANAGER, R.PRODUCT_MANAGER, R.ADMIN}),
    AsksPermission.TRIAGE: frozenset({R.PRODUCT_MANAGER, R.ADMIN}),
    DecisionsPermission.EDIT_RIGHTS: frozenset({R.EXECUTIVE, R.ADMIN}),
    DecisionsPermission.ESCALATE: frozenset({R.SALES_MANAGER}),
    AuditPermission.VIEW_TRAIL: frozenset({R.EXECUTIVE, R.ADMIN}),
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
