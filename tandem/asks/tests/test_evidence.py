"""Every evidence figure of a feature, and its score, kept by `asks/evidence.py`: examples first, then
a property test against an independent computation in Python over generated asks, deals and
accounts, through merges, moves between features, stage moves, closes and account changes."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.asks.evidence import feature_evidence_refresh, score_inputs
from tandem.asks.models import Ask, FeatureEvidence
from tandem.asks.services import ask_create, ask_link
from tandem.asks.tests.factories import AskFactory
from tandem.product.models import Feature, Release
from tandem.product.scoring import ScoreInputs, score_breakdown
from tandem.product.selectors import scoring_settings_get
from tandem.product.services import feature_estimate
from tandem.product.tests.factories import FeatureFactory, GoalFactory, ReleaseFactory
from tandem.sales.models import Account, Opportunity
from tandem.sales.services import account_update, opportunity_move_stage, opportunity_update
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

CENT = Decimal("0.01")
MISSING = Opportunity.LossReason.MISSING_FEATURE


def evidence_of(feature: Feature) -> FeatureEvidence:
    return FeatureEvidence.objects.get(feature=feature)


def refreshed(feature: Feature) -> FeatureEvidence:
    feature_evidence_refresh(feature_ids=[feature.pk])
    return evidence_of(feature)


# --- deals and asks -----------------------------------------------------------------------------


def test_a_deal_with_several_asks_for_one_feature_counts_once(stages):
    feature = FeatureFactory()
    deal = OpportunityFactory(amount=Decimal("100000.00"), stage=stages["open"], probability=40)
    AskFactory(opportunity=deal, feature=feature)
    AskFactory(opportunity=deal, feature=feature, blocker=True)
    AskFactory(opportunity=deal, feature=feature, blocker=True)

    evidence = refreshed(feature)

    assert (evidence.asks_count, evidence.blocker_asks_count, evidence.important_asks_count) == (3, 2, 1)
    assert evidence.accounts_count == 1
    assert evidence.open_pipeline == Decimal("100000.00")
    assert evidence.weighted_pipeline == Decimal("40000.00")
    assert evidence.blocker_pipeline == Decimal("100000.00")
    assert evidence.largest_deal == Decimal("100000.00")


def test_won_and_lost_deals_are_not_open_pipeline_but_their_asks_count(stages):
    feature = FeatureFactory()
    AskFactory(opportunity=OpportunityFactory(stage=stages["won"], probability=100), feature=feature, blocker=True)
    AskFactory(opportunity=OpportunityFactory(stage=stages["lost"], probability=0), feature=feature)
    AskFactory(opportunity=OpportunityFactory(amount=Decimal("10.00"), stage=stages["open"]), feature=feature)

    evidence = refreshed(feature)

    assert (evidence.asks_count, evidence.accounts_count) == (3, 3)
    assert evidence.open_pipeline == Decimal("10.00")
    assert evidence.blocker_pipeline == Decimal("0.00")


def test_weighted_pipeline_is_rounded_to_the_cent_once_for_the_total(stages):
    feature = FeatureFactory()
    for amount in ("0.05", "0.05", "0.05"):
        deal = OpportunityFactory(amount=Decimal(amount), stage=stages["open"], probability=10)
        AskFactory(opportunity=deal, feature=feature)

    # 3 * 0.005 = 0.015 → 0.02; rounding each deal first would give 0.03.
    assert refreshed(feature).weighted_pipeline == Decimal("0.02")


def test_a_merged_duplicate_counts_but_adds_no_money_twice_from_the_same_deal(stages):
    feature = FeatureFactory()
    deal = OpportunityFactory(amount=Decimal("1000.00"), stage=stages["open"])
    original = AskFactory(opportunity=deal, feature=feature, status=Ask.Status.LINKED)
    AskFactory(opportunity=deal, feature=feature, status=Ask.Status.MERGED, duplicate_of=original)

    evidence = refreshed(feature)

    assert (evidence.asks_count, evidence.accounts_count, evidence.open_pipeline) == (2, 1, Decimal("1000.00"))


def test_a_merged_duplicate_from_another_account_adds_its_account_and_deal(stages):
    feature = FeatureFactory()
    original = AskFactory(
        opportunity=OpportunityFactory(amount=Decimal("1000.00"), stage=stages["open"]), feature=feature
    )
    AskFactory(
        opportunity=OpportunityFactory(amount=Decimal("500.00"), stage=stages["open"]),
        feature=feature,
        status=Ask.Status.MERGED,
        duplicate_of=original,
    )

    evidence = refreshed(feature)

    assert (evidence.asks_count, evidence.accounts_count, evidence.open_pipeline) == (2, 2, Decimal("1500.00"))


def test_an_ask_without_a_deal_counts_its_account_but_no_pipeline(stages):
    feature = FeatureFactory()
    account = AccountFactory()
    AskFactory(opportunity=None, account=account, requested_by=account.owner, feature=feature)

    evidence = refreshed(feature)

    assert (evidence.asks_count, evidence.accounts_count, evidence.open_pipeline) == (1, 1, Decimal("0"))


# --- revenue of customers, lost and won ---------------------------------------------------------


def test_customer_revenue_sums_each_requesting_customer_once(stages):
    feature = FeatureFactory()
    customer = AccountFactory(status=Account.Status.CUSTOMER, annual_revenue=Decimal("120000.00"))
    prospect = AccountFactory(status=Account.Status.PROSPECT, annual_revenue=Decimal("999.00"))
    churned = AccountFactory(status=Account.Status.CHURNED, annual_revenue=Decimal("5000.00"))
    for account in (customer, customer, prospect, churned):
        AskFactory(opportunity=OpportunityFactory(account=account, stage=stages["open"]), feature=feature)

    assert refreshed(feature).customer_revenue == Decimal("120000.00")


def test_lost_revenue_counts_only_deals_lost_for_a_missing_feature(stages):
    feature = FeatureFactory()
    cited = OpportunityFactory(amount=Decimal("70000.00"), stage=stages["lost"], loss_reason=MISSING)
    on_price = OpportunityFactory(amount=Decimal("9000.00"), stage=stages["lost"], loss_reason="price")
    AskFactory(opportunity=cited, feature=feature)
    AskFactory(opportunity=cited, feature=feature)
    AskFactory(opportunity=on_price, feature=feature)

    assert refreshed(feature).lost_revenue == Decimal("70000.00")


def test_won_revenue_is_attributed_when_the_deal_closed_after_the_release_shipped(stages):
    shipped_at = timezone.now() - datetime.timedelta(days=10)
    feature = FeatureFactory()
    feature.release = ReleaseFactory(product=feature.product, status=Release.Status.SHIPPED, shipped_at=shipped_at)
    feature.save()
    created_at = shipped_at - datetime.timedelta(days=30)
    before = OpportunityFactory(
        amount=Decimal("40000.00"),
        stage=stages["won"],
        created_at=created_at,
        closed_at=shipped_at - datetime.timedelta(days=1),
    )
    after = OpportunityFactory(
        amount=Decimal("25000.00"),
        stage=stages["won"],
        created_at=created_at,
        closed_at=shipped_at + datetime.timedelta(days=1),
    )
    AskFactory(opportunity=before, feature=feature)
    AskFactory(opportunity=after, feature=feature)

    assert refreshed(feature).won_after_ship == Decimal("25000.00")


def test_nothing_is_won_after_ship_before_the_release_ships(stages):
    feature = FeatureFactory()
    feature.release = ReleaseFactory(product=feature.product)
    feature.save()
    won = OpportunityFactory(
        stage=stages["won"], created_at=timezone.now() - datetime.timedelta(days=5), closed_at=timezone.now()
    )
    AskFactory(opportunity=won, feature=feature)

    assert refreshed(feature).won_after_ship == Decimal("0.00")


# --- the largest deal and the single-deal flag --------------------------------------------------


def test_one_deal_holding_most_of_the_pipeline_makes_a_single_deal_ask(stages):
    feature = FeatureFactory()
    AskFactory(opportunity=OpportunityFactory(amount=Decimal("900.00"), stage=stages["open"]), feature=feature)
    AskFactory(opportunity=OpportunityFactory(amount=Decimal("100.00"), stage=stages["open"]), feature=feature)
    AskFactory(opportunity=OpportunityFactory(amount=Decimal("5000.00"), stage=stages["won"]), feature=feature)

    evidence = refreshed(feature)

    assert evidence.largest_deal == Decimal("900.00")
    assert evidence.largest_deal_share == Decimal("0.9000")
    assert evidence.is_single_deal(Decimal("0.50"))
    assert not evidence.is_single_deal(Decimal("0.95"))


def test_a_feature_without_open_pipeline_is_no_single_deal_ask(stages):
    evidence = refreshed(FeatureFactory())
    assert (evidence.largest_deal_share, evidence.is_single_deal(Decimal("0.5"))) == (Decimal("0"), False)


# --- strategic fit and the score ----------------------------------------------------------------


def test_strategic_fit_sums_the_active_goals_and_the_stored_score_is_the_formulas(stages):
    feature = FeatureFactory(effort=Decimal("2.0"), confidence=Feature.Confidence.LIKELY)
    feature.goals.add(GoalFactory(weight=Decimal("3")), GoalFactory(weight=Decimal("1.5")))
    feature.goals.add(GoalFactory(weight=Decimal("9"), is_active=False))
    AskFactory(opportunity=OpportunityFactory(amount=Decimal("250000.00"), stage=stages["open"]), feature=feature)

    evidence = refreshed(feature)

    assert evidence.strategic_fit == Decimal("4.50")
    expected = score_breakdown(
        score_inputs(evidence, effort=Decimal("2.0"), confidence="likely"), scoring_settings_get().weights
    )
    assert (evidence.score, evidence.rice_score) == (expected.score, expected.rice_score)
    assert evidence.score > 0


def test_an_effort_estimate_rescores_the_feature_at_once(engineering_lead, stages):
    feature = FeatureFactory(effort=Decimal("1.0"))
    AskFactory(opportunity=OpportunityFactory(stage=stages["open"]), feature=feature)
    quick = refreshed(feature).score

    feature_estimate(actor=engineering_lead, feature=feature, expected_version=feature.version, effort=Decimal("8"))

    assert abs(evidence_of(feature).score - quick / 8) <= Decimal("0.0001")  # 8 times the effort: an 8th


# --- kept current by the services, one feature at a time ----------------------------------------


def test_logging_an_ask_refreshes_its_feature_without_recomputing_the_others(rep, stages):
    asked, other = FeatureFactory(), FeatureFactory()
    FeatureEvidence.objects.filter(feature=other).update(asks_count=99)  # a stale figure, left alone
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep), stage=stages["open"])

    ask_create(actor=rep, account=deal.account, opportunity=deal, need="Okta SSO", feature=asked)

    assert evidence_of(asked).asks_count == 1
    assert evidence_of(other).asks_count == 99


def test_refresh_touches_only_the_features_named(stages):
    named, other = FeatureFactory(), FeatureFactory()
    AskFactory(feature=named)
    AskFactory(feature=other)

    feature_evidence_refresh(feature_ids=[named.pk])

    assert evidence_of(named).asks_count == 1
    assert evidence_of(other).asks_count == 0


def test_refresh_creates_a_missing_evidence_row(stages):
    feature = FeatureFactory()
    FeatureEvidence.objects.filter(feature=feature).delete()
    AskFactory(feature=feature)

    assert refreshed(feature).asks_count == 1


def test_refresh_runs_one_aggregate_query_for_many_features(stages, django_assert_max_num_queries):
    features = [FeatureFactory() for _ in range(5)]
    for feature in features:
        AskFactory.create_batch(2, feature=feature)
    scoring_settings_get()

    # savepoint, scoring weights, lock, aggregate, upsert, release
    with django_assert_max_num_queries(6):
        feature_evidence_refresh(feature_ids=[f.pk for f in features])


def test_a_customer_turning_churned_leaves_the_customer_revenue(rep, stages):
    feature = FeatureFactory()
    account = AccountFactory(owner=rep, status=Account.Status.CUSTOMER, annual_revenue=Decimal("80000.00"))
    AskFactory(opportunity=OpportunityFactory(account=account, owner=rep, stage=stages["open"]), feature=feature)
    assert refreshed(feature).customer_revenue == Decimal("80000.00")

    account_update(actor=rep, account=account, expected_version=account.version, data={"status": "churned"})

    assert evidence_of(feature).customer_revenue == Decimal("0.00")


def test_a_loss_reason_given_after_the_loss_moves_the_lost_revenue(rep, stages):
    feature = FeatureFactory()
    deal = OpportunityFactory(
        account=AccountFactory(owner=rep), owner=rep, amount=Decimal("30000.00"), stage=stages["open"]
    )
    AskFactory(opportunity=deal, feature=feature)
    deal = opportunity_move_stage(
        actor=rep, opportunity=deal, expected_version=deal.version, stage=stages["lost"], loss_reason="price"
    )
    assert evidence_of(feature).lost_revenue == Decimal("0.00")

    # The rep learns the real reason later.
    opportunity_update(actor=rep, opportunity=deal, expected_version=deal.version, data={"loss_reason": MISSING})

    assert evidence_of(feature).lost_revenue == Decimal("30000.00")


# --- property test: every figure agrees with an independent computation in Python ---------------


@dataclass
class AccountSpec:
    status: str
    revenue: Decimal


@dataclass
class DealSpec:
    account: int
    amount: Decimal
    probability: int
    stage: str
    loss_reason: str = ""
    closed: str = ""  # "", "before" or "after" the shipped release; "now" once closed by a move


@dataclass
class AskSpec:
    deal: int | None
    account: int
    feature: int
    importance: str
    duplicate_of: int | None = None


@dataclass
class WorldSpec:
    accounts: list[AccountSpec]
    deals: list[DealSpec]
    asks: list[AskSpec]
    shipped: list[bool]  # per feature: its release shipped ten days ago
    steps: list[tuple] = field(default_factory=list)


ACCOUNTS = 3
FEATURES = 2
money = st.decimals(min_value=0, max_value=Decimal("5000000"), places=2, allow_nan=False, allow_infinity=False)
account_specs = st.builds(AccountSpec, status=st.sampled_from(["prospect", "customer", "churned"]), revenue=money)
importances = st.sampled_from(["nice_to_have", "important", "blocker"])


@st.composite
def deal_specs(draw):
    stage = draw(st.sampled_from(["open", "open", "won", "lost"]))
    return DealSpec(
        account=draw(st.integers(0, ACCOUNTS - 1)),
        amount=draw(money),
        probability=draw(st.integers(0, 100)),
        stage=stage,
        loss_reason=draw(st.sampled_from([MISSING, "price"])) if stage == "lost" else "",
        closed=draw(st.sampled_from(["before", "after"])) if stage != "open" else "",
    )


@st.composite
def worlds(draw) -> WorldSpec:
    deals = draw(st.lists(deal_specs(), min_size=1, max_size=5))
    asks = []
    for _ in range(draw(st.integers(1, 10))):
        deal = draw(st.none() | st.integers(0, len(deals) - 1))
        account = deals[deal].account if deal is not None else draw(st.integers(0, ACCOUNTS - 1))
        asks.append(AskSpec(deal, account, draw(st.integers(0, FEATURES - 1)), draw(importances)))
    step = st.one_of(
        st.tuples(
            st.just("move"),
            st.integers(0, len(deals) - 1),
            st.sampled_from(["open", "won", "lost"]),
            st.sampled_from(["", MISSING, "price"]),
        ),
        st.tuples(st.just("merge"), st.integers(0, len(asks) - 1), st.integers(0, len(asks) - 1)),
        st.tuples(st.just("link"), st.integers(0, len(asks) - 1), st.integers(0, FEATURES - 1)),
        st.tuples(st.just("account"), st.integers(0, ACCOUNTS - 1), account_specs),
    )
    return WorldSpec(
        accounts=draw(st.lists(account_specs, min_size=ACCOUNTS, max_size=ACCOUNTS)),
        deals=deals,
        asks=asks,
        shipped=draw(st.lists(st.booleans(), min_size=FEATURES, max_size=FEATURES)),
        steps=draw(st.lists(step, max_size=6)),
    )


def _total(amounts) -> Decimal:
    return sum(amounts, Decimal("0"))


def expected_evidence(world: WorldSpec, feature: int) -> dict[str, object]:
    """The figures, computed from the specification alone."""
    asks = [a for a in world.asks if a.feature == feature]
    named = {a.deal for a in asks if a.deal is not None}
    deals = world.deals
    open_deals = {d for d in named if deals[d].stage == "open"}
    blocker = {a.deal for a in asks if a.importance == "blocker"} & open_deals
    customers = {a.account for a in asks if world.accounts[a.account].status == "customer"}
    weighted = _total(deals[d].amount * deals[d].probability / 100 for d in open_deals)
    return {
        "asks_count": len(asks),
        "important_asks_count": sum(a.importance == "important" for a in asks),
        "blocker_asks_count": sum(a.importance == "blocker" for a in asks),
        "accounts_count": len({a.account for a in asks}),
        "open_pipeline": _total(deals[d].amount for d in open_deals),
        "weighted_pipeline": weighted.quantize(CENT, rounding=ROUND_HALF_UP),
        "blocker_pipeline": _total(deals[d].amount for d in blocker),
        "largest_deal": max((deals[d].amount for d in open_deals), default=Decimal("0")),
        "customer_revenue": _total(world.accounts[a].revenue for a in customers),
        "lost_revenue": _total(
            deals[d].amount for d in named if deals[d].stage == "lost" and deals[d].loss_reason == MISSING
        ),
        "won_after_ship": _total(
            deals[d].amount
            for d in named
            if world.shipped[feature] and deals[d].stage == "won" and deals[d].closed in ("after", "now")
        ),
    }


def expected_scores(figures: dict, feature: Feature) -> tuple[Decimal, Decimal]:
    inputs = ScoreInputs(
        open_pipeline=figures["open_pipeline"],
        weighted_pipeline=figures["weighted_pipeline"],
        blocker_pipeline=figures["blocker_pipeline"],
        accounts=figures["accounts_count"],
        strategic_fit=Decimal("0"),
        asks=figures["asks_count"],
        important_asks=figures["important_asks_count"],
        blocker_asks=figures["blocker_asks_count"],
        effort=feature.effort,
        confidence=feature.confidence,
    )
    breakdown = score_breakdown(inputs, scoring_settings_get().weights)
    return breakdown.score, breakdown.rice_score


@pytest.fixture
def property_world(stages, rep, product_manager):
    shipped_at = timezone.now() - datetime.timedelta(days=10)
    features = [FeatureFactory(effort=Decimal("3.0")), FeatureFactory(effort=None)]
    return {
        "stages": stages,
        "rep": rep,
        "pm": product_manager,
        "shipped_at": shipped_at,
        "accounts": [AccountFactory(owner=rep) for _ in range(ACCOUNTS)],
        "features": features,
        "shipped": [
            ReleaseFactory(product=f.product, status=Release.Status.SHIPPED, shipped_at=shipped_at) for f in features
        ],
        "planned": [ReleaseFactory(product=f.product) for f in features],
    }


def _apply_step(step: tuple, world: WorldSpec, env: dict, deals: list, asks: list) -> None:
    """Change the database through the services (or as `ask_merge` does), and the specification alike."""
    kind = step[0]
    if kind == "move":
        _, index, stage, reason = step
        spec, deal = world.deals[index], Opportunity.objects.get(pk=deals[index].pk)
        reason = reason if stage == "lost" else ""
        if stage == "lost" and not reason and spec.stage != "lost":
            # Losing a deal says why (the lost stage asks): refused, and nothing moves.
            with pytest.raises(ValidationError, match="Say why the deal was lost"):
                opportunity_move_stage(
                    actor=env["rep"], opportunity=deal, expected_version=deal.version, stage=env["stages"][stage]
                )
            return
        opportunity_move_stage(
            actor=env["rep"],
            opportunity=deal,
            expected_version=deal.version,
            stage=env["stages"][stage],
            loss_reason=reason,
        )
        # As the deal services do: a new stage brings its probability; a close keeps its first
        # date, a reopen clears it; the loss reason stays while lost unless a new one is given.
        if stage != spec.stage:
            spec.probability = env["stages"][stage].default_probability
        if stage == "open":
            spec.closed, spec.loss_reason = "", ""
        else:
            spec.closed = spec.closed or "now"
            spec.loss_reason = (reason or spec.loss_reason) if stage == "lost" else ""
        spec.stage = stage
    elif kind == "merge":
        # What the inbox's `ask_merge` does: the duplicate takes its original's feature.
        _, duplicate, original = step
        specs = world.asks
        if (
            duplicate == original
            or specs[duplicate].duplicate_of is not None
            or specs[original].duplicate_of is not None
            or any(a.duplicate_of == duplicate for a in specs)
        ):
            return
        old = specs[duplicate].feature
        specs[duplicate].duplicate_of, specs[duplicate].feature = original, specs[original].feature
        Ask.objects.filter(pk=asks[duplicate].pk).update(
            status=Ask.Status.MERGED, duplicate_of=asks[original].pk, feature=env["features"][specs[original].feature]
        )
        feature_evidence_refresh(feature_ids=[env["features"][old].pk, env["features"][specs[original].feature].pk])
    elif kind == "link":
        _, index, feature = step
        spec = world.asks[index]
        if spec.duplicate_of is not None or any(a.duplicate_of == index for a in world.asks):
            return  # moving an original moves its duplicates: the inbox's rule, not exercised here
        ask_link(actor=env["pm"], ask=asks[index], feature=env["features"][feature])
        spec.feature = feature
    else:
        _, index, account_spec = step
        account = Account.objects.get(pk=env["accounts"][index].pk)
        account_update(
            actor=env["rep"],
            account=account,
            expected_version=account.version,
            data={"status": account_spec.status, "annual_revenue": account_spec.revenue},
        )
        world.accounts[index] = account_spec


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds())
def test_every_figure_agrees_with_an_independent_computation(property_world, world):
    env = property_world
    stages, accounts, features = env["stages"], env["accounts"], env["features"]
    shipped_at = env["shipped_at"]
    with transaction.atomic():
        for index, feature in enumerate(features):
            release = env["shipped"][index] if world.shipped[index] else env["planned"][index]
            Feature.objects.filter(pk=feature.pk).update(release=release)
        for account, spec in zip(accounts, world.accounts, strict=True):
            Account.objects.filter(pk=account.pk).update(status=spec.status, annual_revenue=spec.revenue)
        offsets = {"before": -datetime.timedelta(days=1), "after": datetime.timedelta(days=1)}
        deals = [
            OpportunityFactory(
                account=accounts[d.account],
                owner=env["rep"],
                amount=d.amount,
                probability=d.probability,
                stage=stages[d.stage],
                loss_reason=d.loss_reason,
                created_at=shipped_at - datetime.timedelta(days=30),
                closed_at=shipped_at + offsets[d.closed] if d.closed else None,
            )
            for d in world.deals
        ]
        asks = [
            AskFactory(
                opportunity=deals[spec.deal] if spec.deal is not None else None,
                account=accounts[spec.account],
                requested_by=env["rep"],
                feature=features[spec.feature],
                importance=spec.importance,
                status=Ask.Status.LINKED,
            )
            for spec in world.asks
        ]
        feature_evidence_refresh(feature_ids=[f.pk for f in features])

        def check() -> None:
            for index, feature in enumerate(features):
                figures = expected_evidence(world, index)
                got = FeatureEvidence.objects.values(*figures, "score", "rice_score").get(feature=feature)
                assert {name: got[name] for name in figures} == figures
                assert (got["score"], got["rice_score"]) == expected_scores(figures, feature)

        check()
        # Each change refreshes the evidence itself, in its own transaction, with no full recomputation.
        for step in world.steps:
            _apply_step(step, world, env, deals, asks)
            check()
        transaction.set_rollback(True)
