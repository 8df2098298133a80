"""The score formula (pure) and the executive's scoring settings."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given
from hypothesis import strategies as st

from tandem.asks.models import FeatureEvidence
from tandem.asks.tests.factories import AskFactory
from tandem.core.roles import Role
from tandem.product.models import ScoringSettings
from tandem.product.scoring import ScoreInputs, ScoringWeights, score_breakdown
from tandem.product.selectors import scoring_settings_get
from tandem.product.services import goal_update, scoring_settings_update
from tandem.product.tests.factories import FeatureFactory, GoalFactory

money = st.decimals(min_value=0, max_value=Decimal("100000000"), places=2)
weight = st.decimals(min_value=0, max_value=10, places=2)
efforts = st.none() | st.decimals(min_value=Decimal("0.1"), max_value=1000, places=1)


@st.composite
def inputs(draw) -> ScoreInputs:
    open_pipeline = draw(money)
    asks = draw(st.integers(0, 500))
    important = draw(st.integers(0, asks))
    return ScoreInputs(
        open_pipeline=open_pipeline,
        weighted_pipeline=draw(st.decimals(min_value=0, max_value=open_pipeline, places=2)),
        blocker_pipeline=draw(st.decimals(min_value=0, max_value=open_pipeline, places=2)),
        accounts=draw(st.integers(0, asks)),
        strategic_fit=draw(st.decimals(min_value=0, max_value=50, places=2)),
        asks=asks,
        important_asks=important,
        blocker_asks=draw(st.integers(0, asks - important)),
        effort=draw(efforts),
        confidence=draw(st.sampled_from(["committed", "likely", "exploring"])),
    )


weights = st.builds(
    ScoringWeights,
    revenue=weight,
    reach=weight,
    fit=weight,
    urgency=weight,
    default_effort=st.decimals(min_value=Decimal("0.1"), max_value=100, places=1),
)


@given(inputs(), weights, st.decimals(min_value=1, max_value=1000, places=2))
def test_more_revenue_at_stake_never_lowers_the_score(base, w, factor):
    # The same mix of deals, scaled up: the blocker share and mean probability (urgency) stay put.
    richer = replace(
        base,
        open_pipeline=base.open_pipeline * factor,
        weighted_pipeline=base.weighted_pipeline * factor,
        blocker_pipeline=base.blocker_pipeline * factor,
    )
    assert score_breakdown(richer, w).score >= score_breakdown(base, w).score


@given(inputs(), weights, st.integers(1, 1000))
def test_more_accounts_never_lower_the_score(base, w, extra):
    assert score_breakdown(replace(base, accounts=base.accounts + extra), w).score >= score_breakdown(base, w).score


@given(inputs(), weights, st.decimals(min_value=Decimal("0.01"), max_value=20, places=2))
def test_more_strategic_fit_never_lowers_the_score(base, w, extra):
    fitter = replace(base, strategic_fit=base.strategic_fit + extra)
    assert score_breakdown(fitter, w).score >= score_breakdown(base, w).score


@given(inputs(), weights)
def test_more_blocker_pipeline_never_lowers_the_score(base, w):
    urgent = replace(base, blocker_pipeline=base.open_pipeline)
    assert score_breakdown(urgent, w).score >= score_breakdown(base, w).score


@given(inputs(), weights, st.decimals(min_value=Decimal("0.1"), max_value=100, places=1))
def test_more_effort_never_raises_either_score(base, w, extra):
    effort = base.effort if base.effort is not None else w.default_effort
    harder = replace(base, effort=effort + extra)
    assert score_breakdown(harder, w).score <= score_breakdown(base, w).score
    assert score_breakdown(harder, w).rice_score <= score_breakdown(base, w).rice_score


@given(inputs(), weights)
def test_an_unestimated_feature_is_scored_at_the_default_effort(base, w):
    unknown = score_breakdown(replace(base, effort=None), w)
    default = score_breakdown(replace(base, effort=w.default_effort), w)
    assert not unknown.effort_estimated
    assert (unknown.effort, unknown.score, unknown.rice_score) == (default.effort, default.score, default.rice_score)


@given(inputs(), weights)
def test_the_breakdown_adds_up_to_the_score(base, w):
    breakdown = score_breakdown(base, w)
    blend = sum(term.value * term.weight for term in breakdown.terms)
    expected = 100 * blend * breakdown.confidence / breakdown.effort
    assert abs(float(breakdown.score) - expected) <= 0.00005 + 1e-9 * expected
    assert [term.key for term in breakdown.terms] == ["revenue", "reach", "fit", "urgency"]


def test_rice_is_reach_times_impact_times_confidence_over_effort():
    breakdown = score_breakdown(
        ScoreInputs(
            open_pipeline=Decimal("0"),
            weighted_pipeline=Decimal("0"),
            blocker_pipeline=Decimal("0"),
            accounts=10,
            strategic_fit=Decimal("0"),
            asks=4,
            important_asks=2,
            blocker_asks=1,
            effort=Decimal("2"),
            confidence="likely",
        ),
        scoring_defaults(),
    )
    # impact = (0.5 + 2 * 1 + 3) / 4 = 1.375; RICE = 10 * 1.375 * 0.8 / 2
    assert breakdown.rice_impact == 1.375
    assert breakdown.rice_score == Decimal("5.5000")


def scoring_defaults() -> ScoringWeights:
    return ScoringSettings().weights


# --- the executive's settings -------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.ADMIN])
def test_executives_set_the_weights_and_every_feature_is_rescored(
    user_with_role, role, django_capture_on_commit_callbacks
):
    feature = FeatureFactory(effort=Decimal("2"))
    AskFactory(feature=feature)
    FeatureEvidence.objects.filter(feature=feature).update(open_pipeline=Decimal("50000"), accounts_count=3)
    before = FeatureEvidence.objects.get(feature=feature).score

    with django_capture_on_commit_callbacks(execute=True):
        scoring = scoring_settings_update(actor=user_with_role(role), weight_revenue=Decimal("2"))

    assert scoring.weight_revenue == Decimal("2")
    after = FeatureEvidence.objects.get(feature=feature).score
    assert after > before
    scoring = scoring_settings_get()
    assert scoring.recompute_requested_at is not None
    assert scoring.recomputed_at is not None
    assert not scoring.recompute_running


@pytest.mark.parametrize("role", [Role.REP, Role.SALES_MANAGER, Role.PRODUCT_MANAGER, Role.ENGINEERING_LEAD])
def test_only_executives_and_admins_set_the_weights(user_with_role, role):
    with pytest.raises(PermissionDenied):
        scoring_settings_update(actor=user_with_role(role), weight_revenue=Decimal("2"))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weight_reach": Decimal("-1")}, "weight_reach"),
        (
            {
                "weight_revenue": Decimal("0"),
                "weight_reach": Decimal("0"),
                "weight_fit": Decimal("0"),
                "weight_urgency": Decimal("0"),
            },
            "weight_revenue",
        ),
        ({"default_effort": Decimal("0")}, "default_effort"),
        ({"single_deal_share": Decimal("1.5")}, "single_deal_share"),
        ({"single_deal_share": Decimal("0")}, "single_deal_share"),
    ],
)
def test_bad_weights_are_refused_on_their_field(executive, changes, field):
    with pytest.raises(ValidationError) as error:
        scoring_settings_update(actor=executive, **changes)

    assert field in error.value.message_dict
    assert scoring_settings_get().weight_revenue == Decimal("0.40")


def test_changing_the_formula_or_the_share_rescores_nothing(executive, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        scoring = scoring_settings_update(actor=executive, formula="rice", single_deal_share=Decimal("0.7"))

    assert (scoring.formula, scoring.single_deal_share) == ("rice", Decimal("0.7"))
    assert callbacks == []
    assert not scoring.recompute_running


def test_a_goals_new_weight_rescores_the_features_serving_it(executive, django_capture_on_commit_callbacks):
    goal = GoalFactory(weight=Decimal("1"))
    feature = FeatureFactory()
    feature.goals.add(goal)
    FeatureEvidence.objects.filter(feature=feature).update(open_pipeline=Decimal("1000"))

    with django_capture_on_commit_callbacks(execute=True):
        goal_update(actor=executive, goal=goal, expected_version=goal.version, name=goal.name, weight=Decimal("5"))

    evidence = FeatureEvidence.objects.get(feature=feature)
    assert evidence.strategic_fit == Decimal("5.00")
    assert evidence.score > 0
