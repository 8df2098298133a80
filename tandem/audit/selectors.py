"""Reads of the audit trail. Admins and executives read all of it; whoever sees a deal reads its
history (`deal_history`); nobody may change an entry."""

from django.db.models import QuerySet

from tandem.audit.models import AuditEntry
from tandem.core.roles import Role
from tandem.people.models import User
from tandem.sales.models import Opportunity
from tandem.sales.selectors import opportunity_visible

TRAIL_READERS = frozenset({Role.ADMIN, Role.EXECUTIVE})
DEAL = "sales.opportunity"


def audit_entry_visible(*, user: User) -> QuerySet[AuditEntry]:
    """Admins and executives see every entry; everyone else the entries of the deals they see (a
    deal's history on its page), and nothing else: not who changed a role, a token, a quota."""
    if user.role in TRAIL_READERS:
        return AuditEntry.objects.all()
    return AuditEntry.objects.filter(record_type=DEAL, record_id__in=opportunity_visible(user=user).values("pk"))


def audit_entry_changeable(*, user: User) -> QuerySet[AuditEntry]:
    """Entries are append-only: nobody changes or deletes one, admins included."""
    return AuditEntry.objects.none()


def deal_history(*, user: User, deal: Opportunity, limit: int = 50) -> list[AuditEntry]:
    """The recorded changes of a deal the user sees, newest first (stage, amount, owner, close
    date, forecast), with who made them."""
    entries = audit_entry_visible(user=user).filter(record_type=DEAL, record_id=deal.pk)
    return list(entries.order_by("-at", "-id")[:limit])
