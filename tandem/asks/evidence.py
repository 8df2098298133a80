"""The evidence behind each feature: one row per feature kept current by the services that change asks and deals."""

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value

from tandem.asks.models import Ask, FeatureEvidence
from tandem.core.money import CENT
from tandem.product.models import Feature
from tandem.sales.models import Opportunity

# Features refreshed per aggregate query: keeps the IN list and the upsert small.
REFRESH_BATCH = 500
_TOTAL = DecimalField(max_digits=24, decimal_places=4)


def _whole(queryset: QuerySet[Any], aggregate: Any) -> Subquery:
    """A scalar subquery aggregating every row of `queryset` (grouping by a constant adds no GROUP BY)."""
    return Subquery(
        queryset.order_by().annotate(whole=Value(1)).values("whole").annotate(total=aggregate).values("total")[:1],
        output_field=aggregate.output_field,
    )


def _evidence_figures(feature_ids: list[int]) -> list[Mapping[str, Any]]:
    """One aggregate query for the evidence of these features.

    A feature's evidence is its linked asks (merged duplicates do not count twice). Money comes
    from the distinct open deals behind those asks, so a deal with three asks for one feature counts
    once: the deals are picked by a subquery over the asks, then summed.
    """
    linked = Ask.objects.filter(feature=OuterRef(OuterRef("pk"))).exclude(status=Ask.Status.MERGED)
    asks = Ask.objects.filter(feature=OuterRef("pk")).exclude(status=Ask.Status.MERGED)
    open_deals = Opportunity.objects.filter(
        pk__in=linked.values("opportunity_id"), stage__is_won=False, stage__is_lost=False
    )
    blocker_deals = linked.filter(importance=Ask.Importance.BLOCKER).values("opportunity_id")
    return list(
        Feature.objects.filter(pk__in=feature_ids)
        .order_by()
        .annotate(
            asks_count=_whole(asks, Count("pk")),
            accounts_count=_whole(asks, Count("account_id", distinct=True)),
            open_pipeline=_whole(open_deals, Sum("amount_home", output_field=_TOTAL)),
            # Summed as amount * probability and divided by 100 in Python, exact to the cent.
            weighted_basis=_whole(open_deals, Sum(F("amount_home") * F("probability"), output_field=_TOTAL)),
            blocker_pipeline=_whole(
                open_deals, Sum("amount_home", filter=Q(pk__in=blocker_deals), output_field=_TOTAL)
            ),
        )
        .values("pk", "asks_count", "accounts_count", "open_pipeline", "weighted_basis", "blocker_pipeline")
    )


def _cents(value: Decimal | None) -> Decimal:
    return (value or Decimal("0")).quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def feature_evidence_refresh(*, feature_ids: Iterable[int]) -> None:
    """Recompute the evidence rows of just these features from their asks and open deals.

    Open deals are those in a stage neither won nor lost. Each open deal counts once per feature:
    `open_pipeline` sums their home amounts, `weighted_pipeline` their amount * probability (to the
    cent), `blocker_pipeline` those with at least one blocker ask. Call it in the transaction that
    changed an ask, a link or a deal, so the figures never lag the facts.
    """
    ids = sorted(set(feature_ids))
    for start in range(0, len(ids), REFRESH_BATCH):
        batch = ids[start : start + REFRESH_BATCH]
        # Lock the rows first (in id order, against deadlocks): two asks added to one feature at
        # once then refresh one after the other, and the second sees the first's ask.
        list(FeatureEvidence.objects.select_for_update().filter(feature_id__in=batch).order_by("feature_id"))
        rows = [
            FeatureEvidence(
                feature_id=row["pk"],
                asks_count=row["asks_count"] or 0,
                accounts_count=row["accounts_count"] or 0,
                open_pipeline=_cents(row["open_pipeline"]),
                weighted_pipeline=_cents((row["weighted_basis"] or Decimal("0")) / 100),
                blocker_pipeline=_cents(row["blocker_pipeline"]),
            )
            for row in _evidence_figures(batch)
        ]
        FeatureEvidence.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["feature"],
            update_fields=[
                "asks_count",
                "accounts_count",
                "open_pipeline",
                "weighted_pipeline",
                "blocker_pipeline",
                "refreshed_at",
            ],
        )


def opportunity_evidence_refresh(*, opportunity_ids: Iterable[int]) -> None:
    """A deal's stage, amount, probability or account changed: refresh every feature its asks name."""
    feature_ids = (
        Ask.objects.filter(opportunity_id__in=list(opportunity_ids), feature__isnull=False)
        .values_list("feature_id", flat=True)
        .distinct()
    )
    feature_evidence_refresh(feature_ids=list(feature_ids))
