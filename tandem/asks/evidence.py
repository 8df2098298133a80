"""The evidence behind each feature: one row per feature kept current by the services that change
asks, deals, accounts and features, with the feature's score computed from it.

Every ask whose `feature` is F counts for F, merged duplicates included (merging sets the
duplicate's feature to its original's), and every deal and account counts once per feature, so a
duplicate from the same deal adds no money twice while one from another account adds its account.
"""

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, DecimalField, F, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value

from tandem.asks.models import Ask, FeatureEvidence
from tandem.core.money import CENT
from tandem.product.models import Feature, Goal
from tandem.product.scoring import ScoreInputs, ScoringWeights, score_breakdown
from tandem.product.selectors import scoring_settings_get
from tandem.sales.models import Account, Opportunity

# Features refreshed per aggregate query: keeps the IN list and the upsert small.
REFRESH_BATCH = 500
_TOTAL = DecimalField(max_digits=24, decimal_places=4)
FIGURES = [
    "asks_count",
    "important_asks_count",
    "blocker_asks_count",
    "accounts_count",
    "open_pipeline",
    "weighted_pipeline",
    "blocker_pipeline",
    "largest_deal",
    "customer_revenue",
    "lost_revenue",
    "won_after_ship",
    "strategic_fit",
]
SCORES = ["score", "rice_score"]


def _whole(queryset: QuerySet[Any], aggregate: Any) -> Subquery:
    """A scalar subquery aggregating every row of `queryset` (grouping by a constant adds no GROUP BY)."""
    return Subquery(
        queryset.order_by().annotate(whole=Value(1)).values("whole").annotate(total=aggregate).values("total")[:1],
        output_field=aggregate.output_field,
    )


def _strategic_fit(feature: str) -> Subquery:
    """Sum of the weights of the active goals the outer row's feature serves."""
    goals = Goal.objects.filter(features=OuterRef(feature), is_active=True)
    return _whole(goals, Sum("weight", output_field=_TOTAL))


def _evidence_figures(feature_ids: list[int]) -> list[Mapping[str, Any]]:
    """One aggregate query for the evidence of these features.

    The deals behind a feature are picked by a subquery over its asks and then summed, so a deal
    with three asks for one feature counts once; accounts likewise.
    """
    linked = Ask.objects.filter(feature=OuterRef(OuterRef("pk")))
    asks = Ask.objects.filter(feature=OuterRef("pk"))
    deals = Opportunity.objects.filter(pk__in=linked.values("opportunity_id"))
    open_deals = deals.filter(stage__is_won=False, stage__is_lost=False)
    blocker_deals = linked.filter(importance=Ask.Importance.BLOCKER).values("opportunity_id")
    lost_deals = deals.filter(stage__is_lost=True, loss_reason=Opportunity.LossReason.MISSING_FEATURE)
    # Won after the feature's release shipped (a release without `shipped_at` matches nothing).
    won_deals = deals.filter(stage__is_won=True, closed_at__gt=OuterRef("release__shipped_at"))
    customers = Account.objects.filter(pk__in=linked.values("account_id"), status=Account.Status.CUSTOMER)
    return list(
        Feature.objects.filter(pk__in=feature_ids)
        .order_by()
        .annotate(
            asks_count=_whole(asks, Count("pk")),
            important_asks_count=_whole(asks.filter(importance=Ask.Importance.IMPORTANT), Count("pk")),
            blocker_asks_count=_whole(asks.filter(importance=Ask.Importance.BLOCKER), Count("pk")),
            accounts_count=_whole(asks, Count("account_id", distinct=True)),
            open_pipeline=_whole(open_deals, Sum("amount_home", output_field=_TOTAL)),
            # Summed as amount * probability and divided by 100 in Python, exact to the cent.
            weighted_basis=_whole(open_deals, Sum(F("amount_home") * F("probability"), output_field=_TOTAL)),
            blocker_pipeline=_whole(
                open_deals, Sum("amount_home", filter=Q(pk__in=blocker_deals), output_field=_TOTAL)
            ),
            largest_deal=_whole(open_deals, Max("amount_home", output_field=_TOTAL)),
            customer_revenue=_whole(customers, Sum("annual_revenue", output_field=_TOTAL)),
            lost_revenue=_whole(lost_deals, Sum("amount_home", output_field=_TOTAL)),
            won_after_ship=_whole(won_deals, Sum("amount_home", output_field=_TOTAL)),
            strategic_fit=_strategic_fit("pk"),
        )
        .values(
            "pk",
            "effort",
            "confidence",
            "asks_count",
            "important_asks_count",
            "blocker_asks_count",
            "accounts_count",
            "open_pipeline",
            "weighted_basis",
            "blocker_pipeline",
            "largest_deal",
            "customer_revenue",
            "lost_revenue",
            "won_after_ship",
            "strategic_fit",
        )
    )


def _cents(value: Decimal | None) -> Decimal:
    return (value or Decimal("0")).quantize(CENT, rounding=ROUND_HALF_UP)


def score_inputs(
    evidence: FeatureEvidence | Mapping[str, Any], *, effort: Decimal | None, confidence: str
) -> ScoreInputs:
    """What the score reads: the evidence row (or its figures by column name, as the API's list
    reads them without building a model a row) and the feature's effort and confidence."""
    figures = vars(evidence) if isinstance(evidence, FeatureEvidence) else evidence
    return ScoreInputs(
        open_pipeline=figures["open_pipeline"],
        weighted_pipeline=figures["weighted_pipeline"],
        blocker_pipeline=figures["blocker_pipeline"],
        accounts=figures["accounts_count"],
        strategic_fit=figures["strategic_fit"],
        asks=figures["asks_count"],
        important_asks=figures["important_asks_count"],
        blocker_asks=figures["blocker_asks_count"],
        effort=effort,
        confidence=confidence,
    )


def _scored(evidence: FeatureEvidence, *, effort: Decimal | None, confidence: str, weights: ScoringWeights) -> None:
    breakdown = score_breakdown(score_inputs(evidence, effort=effort, confidence=confidence), weights)
    evidence.score, evidence.rice_score = breakdown.score, breakdown.rice_score


@transaction.atomic
def feature_evidence_refresh(*, feature_ids: Iterable[int]) -> None:
    """Recompute the evidence rows and scores of just these features from their asks and deals.

    Open deals are those in a stage neither won nor lost; each counts once per feature:
    `open_pipeline` sums their home amounts, `weighted_pipeline` their amount * probability (to the
    cent), `blocker_pipeline` those with at least one blocker ask, `largest_deal` is the biggest.
    `customer_revenue` sums the annual revenue of requesting accounts whose status is customer;
    `lost_revenue` the deals lost for a missing feature; `won_after_ship` the deals won after the
    feature's release shipped. Call it in the transaction that changed an ask, a link, a deal, an
    account or the feature, so the figures never lag the facts.
    """
    ids = sorted(set(feature_ids))
    if not ids:
        return
    weights = scoring_settings_get().weights
    for start in range(0, len(ids), REFRESH_BATCH):
        batch = ids[start : start + REFRESH_BATCH]
        # Lock the rows first (in id order, against deadlocks): two asks added to one feature at
        # once then refresh one after the other, and the second sees the first's ask.
        list(FeatureEvidence.objects.select_for_update().filter(feature_id__in=batch).order_by("feature_id"))
        rows = []
        for row in _evidence_figures(batch):
            evidence = FeatureEvidence(
                feature_id=row["pk"],
                asks_count=row["asks_count"] or 0,
                important_asks_count=row["important_asks_count"] or 0,
                blocker_asks_count=row["blocker_asks_count"] or 0,
                accounts_count=row["accounts_count"] or 0,
                open_pipeline=_cents(row["open_pipeline"]),
                weighted_pipeline=_cents((row["weighted_basis"] or Decimal("0")) / 100),
                blocker_pipeline=_cents(row["blocker_pipeline"]),
                largest_deal=_cents(row["largest_deal"]),
                customer_revenue=_cents(row["customer_revenue"]),
                lost_revenue=_cents(row["lost_revenue"]),
                won_after_ship=_cents(row["won_after_ship"]),
                strategic_fit=_cents(row["strategic_fit"]),
            )
            _scored(evidence, effort=row["effort"], confidence=row["confidence"], weights=weights)
            rows.append(evidence)
        FeatureEvidence.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["feature"],
            update_fields=[*FIGURES, *SCORES, "refreshed_at"],
        )


def opportunity_evidence_refresh(*, opportunity_ids: Iterable[int]) -> None:
    """A deal's stage, amount, probability, loss reason or account changed: refresh every feature its asks name."""
    feature_ids = (
        Ask.objects.filter(opportunity_id__in=list(opportunity_ids), feature__isnull=False)
        .values_list("feature_id", flat=True)
        .distinct()
    )
    feature_evidence_refresh(feature_ids=list(feature_ids))


def account_evidence_refresh(*, account_ids: Iterable[int]) -> None:
    """An account became or stopped being a customer, or its annual revenue changed: refresh the
    features its asks name."""
    feature_ids = (
        Ask.objects.filter(account_id__in=list(account_ids), feature__isnull=False)
        .values_list("feature_id", flat=True)
        .distinct()
    )
    feature_evidence_refresh(feature_ids=list(feature_ids))


def feature_scores_recompute(*, batch_size: int = REFRESH_BATCH) -> int:
    """Recompute every feature's strategic fit and score from its stored evidence, in batches.

    For a change that touches many features at once (the executive's scoring weights, a goal's
    weight): the asks and deals are not aggregated again, only the goals and the formula. Each batch
    is its own transaction with its rows locked, so a concurrent refresh is never overwritten with
    older figures. Returns the number of features scored.
    """
    weights = scoring_settings_get().weights
    done, last = 0, 0
    while True:
        with transaction.atomic():
            rows = list(
                FeatureEvidence.objects.select_for_update(of=("self",))
                .filter(feature_id__gt=last)
                .order_by("feature_id")
                .annotate(
                    fit=_strategic_fit("feature_id"),
                    effort=F("feature__effort"),
                    confidence=F("feature__confidence"),
                )[:batch_size]
            )
            if not rows:
                return done
            for evidence in rows:
                evidence.strategic_fit = _cents(evidence.fit)
                _scored(
                    evidence,
                    effort=evidence.effort,
                    confidence=evidence.confidence,
                    weights=weights,
                )
            FeatureEvidence.objects.bulk_update(rows, ["strategic_fit", *SCORES])
        done += len(rows)
        last = rows[-1].feature_id
        if len(rows) < batch_size:
            return done
