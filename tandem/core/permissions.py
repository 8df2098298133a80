"""Which role may do what: the one place that maps roles to the actions each domain guards.

Record visibility (what a user may *see*) lives in each app's selectors; this module says what a
user may *do*. A record you may see but not change gives 403.
"""

from django.core.exceptions import PermissionDenied

from tandem.activities.permissions import ActivitiesPermission
from tandem.asks.permissions import AsksPermission
from tandem.audit.permissions import AuditPermission
from tandem.coaching.permissions import CoachingPermission
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
    | CoachingPermission
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
    AsksPermission.LOG_ASK: frozenset({R.REP, R.SALES_MANAGER, R.PRODUCT_MANAGER, R.ADMIN}),
    AsksPermission.TRIAGE: frozenset({R.PRODUCT_MANAGER, R.ADMIN}),
    DecisionsPermission.EDIT_RIGHTS: frozenset({R.EXECUTIVE, R.ADMIN}),
    DecisionsPermission.ESCALATE: frozenset({R.SALES_MANAGER}),
    AuditPermission.VIEW_TRAIL: frozenset({R.EXECUTIVE, R.ADMIN}),
}


def has_permission(user: User, permission: Permission) -> bool:
    return user.is_authenticated and user.is_active and user.role in GRANTS[permission]


def require(user: User, permission: Permission) -> None:
    """Raise PermissionDenied, naming the roles that may, unless the user holds the permission."""
    if not has_permission(user, permission):
        holders = ", ".join(str(Role(r).label) for r in sorted(GRANTS[permission]))
        raise PermissionDenied(f"Only these roles may do this: {holders}.")
