"""Reads of asks, decisions and evidence. Every read starts from a `*_visible` selector."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import BooleanField, Case, ExpressionWrapper, F, Q, QuerySet, Value, When
from django.utils import timezone

from tandem.asks.models import Ask, Decision, FeatureEvidence, TriageAction
from tandem.asks.permissions import AsksPermission
from tandem.core import formats
from tandem.core.permissions import has_permission
from tandem.core.roles import Role
from tandem.people.models import User
from tandem.people.selectors import UserIds, team_member_ids
from tandem.product.selectors import feature_visible, feature_visible_in_full
from tandem.sales.selectors import opportunity_seen

if TYPE_CHECKING:
    from tandem.triage.suggestions import Suggestion, Triage


def ask_visible(*, user: User) -> QuerySet[Ask]:
    """Product, engineering and leadership see every ask; sales sees the asks of its own deals and accounts."""
    qs = Ask.objects.all()
    if user.role in (Role.PRODUCT_MANAGER, Role.ENGINEERING_LEAD, Role.EXECUTIVE, Role.ADMIN):
        return qs
    people: UserIds = team_member_ids(manager=user) if user.role == Role.SALES_MANAGER else [user.pk]
    return qs.filter(Q(requested_by__in=people) | Q(opportunity__owner__in=people) | Q(account__owner__in=people))


def triage_action_visible(*, user: User) -> QuerySet[TriageAction]:
    """A triage action is its taker's: the record that lets them undo it, and nobody else."""
    return TriageAction.objects.filter(taken_by=user)


def triage_action_undoable(*, user: User, ask: Ask) -> TriageAction | None:
    """The user's last triage action on this ask, while they may still undo it (`triage_undo`
    checks again, under lock, when they do)."""
    from tandem.asks.services import UNDO_WINDOW

    return (
        triage_action_visible(user=user)
        .filter(ask=ask, undone_at__isnull=True, taken_at__gte=timezone.now() - UNDO_WINDOW)
        .order_by("-taken_at", "-id")
        .first()
    )


def decision_visible(*, user: User) -> QuerySet[Decision]:
    return Decision.objects.filter(Q(feature__in=feature_visible(user=user)) | Q(ask__in=ask_visible(user=user)))


def feature_evidence_visible(*, user: User) -> QuerySet[FeatureEvidence]:
    """The evidence of the features the user sees in full (`feature_seen_in_full`): not of the
    internal features sales reaches only through its customers' asks."""
    return FeatureEvidence.objects.filter(feature__in=feature_visible_in_full(user=user))


def ask_rows(*, user: User) -> QuerySet[Ask]:
    """Visible asks ready for a list (page or API): their account, deal, feature and its release,
    in one query. Whoever sees an ask sees its feature (`feature_visible`), at least its sales view.

    `deal_seen` says whether the user sees the ask's deal: a rep sees an ask on their own account that
    a colleague logged on their deal, but of that deal only that there is one — not its name, and
    not its amount, which is the ask's value (`opportunity_seen`).
    """
    seen = opportunity_seen(user=user)
    deal_seen = Value(True) if seen is None else Case(When(seen, then=Value(True)), default=Value(False))
    return (
        ask_visible(user=user)
        .annotate(deal_seen=ExpressionWrapper(deal_seen, output_field=BooleanField()))
        .select_related("account", "opportunity", "feature__release", "requested_by", "outcome_decision__decided_by")
    )


def ask_value_seen(*, user: User) -> Any:
    """An ask's value where the user may see it (not the amount of a colleague's deal), 0 elsewhere:
    what a list's total adds up."""
    seen = opportunity_seen(user=user)
    if seen is None:
        return F("value_home")
    return Case(When(Q(opportunity__isnull=True) | seen, then=F("value_home")), default=Value(Decimal("0")))


def ask_inbox(*, user: User) -> QuerySet[Ask]:
    """The triage inbox: visible asks no product manager has triaged yet.

    Newest first walks the `ask_status_created` index; most valuable first walks
    `ask_status_value`, over the value each ask stores (`asks/values.py`), not through a join.
    """
    return ask_rows(user=user).filter(status=Ask.Status.NEW)


INBOX_COUNT_CAP = 1000


@dataclass(frozen=True)
class AskCount:
    """A count that stops at a cap: "1,000+" new asks says enough and costs a bounded walk of the index."""

    shown: int
    more: bool

    @property
    def label(self) -> str:
        return f"{formats.number(self.shown)}+" if self.more else formats.number(self.shown)


def ask_inbox_count(*, user: User) -> AskCount:
    """How many asks wait for triage, counted up to INBOX_COUNT_CAP."""
    # Unordered: counting the first rows in the model's order sorted them first (4.6 ms against
    # 0.4 ms on the large workspace, an index-only scan).
    shown = ask_visible(user=user).filter(status=Ask.Status.NEW).order_by()[: INBOX_COUNT_CAP + 1].count()
    return AskCount(shown=min(shown, INBOX_COUNT_CAP), more=shown > INBOX_COUNT_CAP)


def ask_after(asks: QuerySet[Ask], *, ordering: Sequence[str], ask: Ask) -> Ask | None:
    """The ask that follows `ask` in `asks` sorted by `ordering` (fields of Ask, ending with pk).

    `ask` need not be in `asks` any more (it was just triaged): its values place it.
    """
    fields = [name.lstrip("-") for name in ordering]
    values = asks.model.objects.filter(pk=ask.pk).values(*fields).first()
    if values is None:
        return None
    after = Q()
    for i, name in enumerate(ordering):
        step = Q(**{f"{fields[i]}__{'lt' if name.startswith('-') else 'gt'}": values[fields[i]]})
        for previous in fields[:i]:
            step &= Q(**{previous: values[previous]})
        after |= step
    return asks.filter(after).order_by(*ordering).first()


def ask_suggestions(*, user: User, ask: Ask, limit: int = 5) -> list["Suggestion"]:
    """The features and asks most likely to be the same need, best first, for the triage panel."""
    return ask_triage(user=user, ask=ask, limit=limit).suggestions


def ask_triage(*, user: User, ask: Ask, limit: int = 5) -> "Triage":
    """The suggestions for the triage panel, and whether the ask is probably a new need.

    Suggested asks are reloaded in one query with what the panel shows of them (account, feature),
    so the panel costs the same whatever the engine returns.
    """
    # Imported here: the engine reads asks through this module's selectors.
    from tandem.triage.suggestions import ask_triage as engine_triage

    triage = engine_triage(user=user, ask=ask, limit=limit)
    ids = [s.ask.pk for s in triage.suggestions if s.ask is not None]
    asks = ask_rows(user=user).in_bulk(ids) if ids else {}
    suggestions = [
        replace(s, ask=asks[s.ask.pk]) if s.ask is not None and s.ask.pk in asks else s
        for s in triage.suggestions
        if s.ask is None or s.ask.pk in asks
    ]
    return replace(triage, suggestions=suggestions)


# Write rules: what each user may change.


def ask_changeable(*, user: User) -> QuerySet[Ask]:
    """Asks are changed by triage (link, merge, a feature made from them): product managers and admins.
    The rep who logged an ask follows it; what they asked stays as they logged it."""
    return Ask.objects.all() if has_permission(user, AsksPermission.TRIAGE) else Ask.objects.none()


def decision_changeable(*, user: User) -> QuerySet[Decision]:
    """A decision is a record of who decided what and why: a new decision supersedes it, none rewrites it."""
    return Decision.objects.none()


def feature_evidence_changeable(*, user: User) -> QuerySet[FeatureEvidence]:
    """Evidence is kept by the services that change asks, deals, accounts and features, never by hand."""
    return FeatureEvidence.objects.none()


def triage_action_changeable(*, user: User) -> QuerySet[TriageAction]:
    """Its taker undoes it; nobody else touches it."""
    return triage_action_visible(user=user)
