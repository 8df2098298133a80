"""Each ask's outcome (`Ask.outcome`, `Ask.outcome_decision`): where the loop stands for it.

The rule, for an ask triage has placed (linked, or merged into another ask) or one decided on:

1. Its feature has shipped: *shipped*.
2. Else the newest decision concerning it wins: one on the ask itself (or on the ask it is merged
   into) when that is newer than the last one on its feature.
3. Else its feature says: planned or in progress → *planned*; declined → *declined*; back in the
   backlog after a "later" or "needs more information" → that; otherwise none (just linked).

An ask still waiting for triage has no outcome from its feature: a feature a rep proposed is not
product's answer yet. The outcome is stored, not worked out per page, so lists filter on it ("declined
or deferred on my team's deals") with an index. The services that decide, link, merge, edit a
feature's status, ship or delete call `ask_outcomes_refresh` in their transaction: a few set-based
UPDATEs over the asks concerned, in the rule's order, the later overriding the earlier.
"""

from collections.abc import Iterable

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from tandem.asks.models import Ask, Decision
from tandem.product.models import Feature

_NEWEST = ("-decided_at", "-id")


def _feature_decision(*, outcomes: Iterable[str] | None = None) -> QuerySet[Decision]:
    """The newest decision on the ask's feature (of these outcomes), as a subquery over the ask."""
    decisions = Decision.objects.filter(feature_id=OuterRef("feature_id"))
    if outcomes is not None:
        decisions = decisions.filter(outcome__in=list(outcomes))
    return decisions.order_by(*_NEWEST)


def _ask_decision() -> QuerySet[Decision]:
    """The newest decision on the ask itself or on the ask it is merged into."""
    return Decision.objects.filter(Q(ask_id=OuterRef("pk")) | Q(ask_id=OuterRef("duplicate_of_id"))).order_by(*_NEWEST)


def ask_outcomes_refresh(*, asks: QuerySet[Ask]) -> None:
    """Set the outcome of these asks from their feature and decisions, by the rule above."""
    placed = asks.exclude(status=Ask.Status.NEW)
    asks.update(outcome=Ask.Outcome.NONE, outcome_decision=None)

    # 3. What the feature says.
    for outcome, statuses, decided in (
        (Ask.Outcome.PLANNED, [Feature.Status.PLANNED, Feature.Status.IN_PROGRESS], [Decision.Outcome.PLANNED]),
        (Ask.Outcome.DECLINED, [Feature.Status.DECLINED], [Decision.Outcome.DECLINED]),
    ):
        placed.filter(feature__status__in=statuses).update(
            outcome=outcome, outcome_decision=Subquery(_feature_decision(outcomes=decided).values("pk")[:1])
        )
    deferred = [Decision.Outcome.LATER, Decision.Outcome.NEEDS_INFO]
    newest = _feature_decision()
    placed.filter(feature__status=Feature.Status.BACKLOG).annotate(
        newest_outcome=Subquery(newest.values("outcome")[:1])
    ).filter(newest_outcome__in=deferred).update(
        outcome=Subquery(newest.values("outcome")[:1]), outcome_decision=Subquery(newest.values("pk")[:1])
    )

    # 2. A decision on the ask newer than the last one on its feature.
    on_ask = _ask_decision()
    asks.annotate(
        ask_decided=Subquery(on_ask.values("decided_at")[:1]),
        feature_decided=Subquery(newest.values("decided_at")[:1]),
    ).filter(ask_decided__isnull=False).filter(
        Q(feature_decided__isnull=True) | Q(ask_decided__gt=F("feature_decided"))
    ).update(outcome=Subquery(on_ask.values("outcome")[:1]), outcome_decision=Subquery(on_ask.values("pk")[:1]))

    # 1. Shipped, whatever was decided before.
    placed.filter(feature__status=Feature.Status.SHIPPED).update(
        outcome=Ask.Outcome.SHIPPED,
        outcome_decision=Subquery(_feature_decision(outcomes=[Decision.Outcome.PLANNED]).values("pk")[:1]),
    )


def ask_outcomes_follow_features(*, feature_ids: Iterable[int]) -> None:
    """These features were decided on, moved, shipped or re-linked: their asks follow."""
    ask_outcomes_refresh(asks=Ask.objects.filter(feature_id__in=list(feature_ids)))


def ask_outcomes_follow_asks(*, ask_ids: Iterable[int]) -> None:
    """These asks (and the asks merged into them) were decided on, linked, merged or undone."""
    ids = list(ask_ids)
    ask_outcomes_refresh(asks=Ask.objects.filter(Q(pk__in=ids) | Q(duplicate_of_id__in=ids)))
