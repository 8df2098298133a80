"""Reads of the audit trail. Admins and executives read all of it; whoever sees a deal reads its
history (`deal_history`), whoever sees a launch its plan's, tasks' and metrics' (`launch_history`);
nobody may change an entry."""

from django.db.models import Q, QuerySet

from tandem.audit.models import AuditEntry
from tandem.core.roles import Role
from tandem.launches.models import ChecklistItem, LaunchPlan, SuccessMetric
from tandem.launches.selectors import launch_plan_visible
from tandem.people.models import User
from tandem.sales.models import Opportunity
from tandem.sales.selectors import opportunity_visible

TRAIL_READERS = frozenset({Role.ADMIN, Role.EXECUTIVE})
DEAL = "sales.opportunity"
LAUNCH_PLAN, LAUNCH_TASK, LAUNCH_METRIC = "launches.launchplan", "launches.checklistitem", "launches.successmetric"


def _launch_entries(plans: QuerySet[LaunchPlan]) -> Q:
    """The entries of these launch plans, their checklist tasks and their success metrics."""
    return (
        Q(record_type=LAUNCH_PLAN, record_id__in=plans.values("pk"))
        | Q(record_type=LAUNCH_TASK, record_id__in=ChecklistItem.objects.filter(plan__in=plans).values("pk"))
        | Q(record_type=LAUNCH_METRIC, record_id__in=SuccessMetric.objects.filter(plan__in=plans).values("pk"))
    )


def audit_entry_visible(*, user: User) -> QuerySet[AuditEntry]:
    """Admins and executives see every entry; everyone else the entries of the deals they see (a
    deal's history on its page) and of the launches they see (a launch's history on its page), and
    nothing else: not who changed a role, a token, a quota."""
    if user.role in TRAIL_READERS:
        return AuditEntry.objects.all()
    deals = Q(record_type=DEAL, record_id__in=opportunity_visible(user=user).values("pk"))
    return AuditEntry.objects.filter(deals | _launch_entries(launch_plan_visible(user=user)))


def audit_entry_changeable(*, user: User) -> QuerySet[AuditEntry]:
    """Entries are append-only: nobody changes or deletes one, admins included."""
    return AuditEntry.objects.none()


def deal_history(*, user: User, deal: Opportunity, limit: int = 50) -> list[AuditEntry]:
    """The recorded changes of a deal the user sees, newest first (stage, amount, owner, close
    date, forecast), with who made them."""
    entries = audit_entry_visible(user=user).filter(record_type=DEAL, record_id=deal.pk)
    return list(entries.order_by("-at", "-id")[:limit])


def launch_history(*, user: User, plan: LaunchPlan, limit: int = 50) -> list[AuditEntry]:
    """The recorded changes of a launch the user sees, newest first: its plan, its checklist tasks
    (added, reassigned, ticked off) and its success metrics (targets, actuals entered), with who made them."""
    plans = LaunchPlan.objects.filter(pk=plan.pk)
    entries = audit_entry_visible(user=user).filter(_launch_entries(plans))
    return list(entries.order_by("-at", "-id")[:limit])
