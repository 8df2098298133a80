"""The roadmap's write rules: placing features, lifecycle moves, market research, capacity."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given
from hypothesis import strategies as st

from tandem.asks.models import Ask
from tandem.asks.tests.factories import AskFactory
from tandem.competition.models import Competitor
from tandem.core.api import StaleVersion
from tandem.core.fiscal import FiscalQuarter, fiscal_quarter_of
from tandem.people.models import Team
from tandem.people.tests.factories import ProductManagerFactory
from tandem.planning.services import team_capacity_set
from tandem.product.models import Feature, Product
from tandem.product.tests.factories import FeatureFactory, ProductFactory, ReleaseFactory
from tandem.roadmap import services
from tandem.roadmap.models import LifecycleMove, MarketResearch
from tandem.roadmap.selectors import (
    Audience,
    dependents_of,
    horizon_of,
    roadmap_item,
    roadmap_items,
    roadmap_items_shown,
    timeline_lanes,
)
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory


@pytest.fixture
def product(product_manager) -> Product:
    return ProductFactory(name="Tandem Cloud", manager=product_manager)


def test_the_pm_moves_a_feature_onto_another_release_and_a_backlog_feature_becomes_planned(product, product_manager):
    first, second = ReleaseFactory(product=product), ReleaseFactory(product=product)
    feature = FeatureFactory(product=product, status=Feature.Status.BACKLOG)
    moved = services.roadmap_feature_place(actor=product_manager, feature=feature, expected_version=1, release=second)
    assert (moved.release, moved.status, moved.version) == (second, Feature.Status.PLANNED, 2)
    services.roadmap_feature_place(actor=product_manager, feature=feature, expected_version=2, release=first)
    feature.refresh_from_db()
    assert feature.release == first


def test_a_stale_move_is_refused_and_moves_nothing(product, product_manager):
    release, other = ReleaseFactory(product=product), ReleaseFactory(product=product)
    feature = FeatureFactory(product=product, release=release, status=Feature.Status.PLANNED)
    services.roadmap_feature_place(actor=product_manager, feature=feature, expected_version=1, horizon="now")
    with pytest.raises(StaleVersion):
        services.roadmap_feature_place(actor=product_manager, feature=feature, expected_version=1, release=other)
    feature.refresh_from_db()
    assert (feature.release, feature.horizon) == (release, "now")


def test_another_products_pm_may_not_place_its_features(product):
    feature = FeatureFactory(product=product, status=Feature.Status.PLANNED)
    with pytest.raises(PermissionDenied, match="product manager of Tandem Cloud"):
        services.roadmap_feature_place(
            actor=ProductManagerFactory(), feature=feature, expected_version=1, horizon="now"
        )


def test_a_feature_goes_only_on_a_planned_release_of_its_own_product(product, product_manager):
    feature = FeatureFactory(product=product, status=Feature.Status.PLANNED)
    with pytest.raises(ValidationError, match="own product"):
        services.roadmap_feature_place(
            actor=product_manager, feature=feature, expected_version=1, release=ReleaseFactory()
        )


@given(offset=st.integers(min_value=-400, max_value=800))
def test_a_feature_not_placed_by_hand_sits_by_its_release_quarter(offset):
    today = datetime.date(2026, 12, 7)
    release = ReleaseFactory.build(target_date=today + datetime.timedelta(days=offset))
    feature = FeatureFactory.build(release=release, horizon="")
    this = fiscal_quarter_of(today, 1)
    quarter = fiscal_quarter_of(release.target_date, 1)
    expected = "now" if quarter <= this else "next" if quarter == this.next() else "later"
    assert horizon_of(feature, today=today, start_month=1) == expected


@given(
    confidence=st.sampled_from(Feature.Confidence.values),
    audience=st.sampled_from(list(Audience)),
    offset=st.integers(min_value=0, max_value=700),
)
def test_no_audience_but_product_reads_a_day_below_committed(confidence, audience, offset):
    day = datetime.date(2027, 1, 1) + datetime.timedelta(days=offset)
    feature = FeatureFactory.build(release=ReleaseFactory.build(target_date=day), confidence=confidence)
    item = roadmap_item(feature, audience=audience, today=datetime.date(2026, 12, 7), start_month=1)
    shows_day = day.isoformat() in item.when
    assert shows_day == (audience is Audience.INTERNAL or (audience is Audience.SALES and confidence == "committed"))
    assert (item.say, item.dont_say) == (
        ("", "") if audience is Audience.PUBLIC else (feature.sales_say, feature.sales_dont_say)
    )


def test_a_release_adds_its_features_effort_up_against_its_teams_quarter(product, product_manager, engineering_lead):
    team = Team.objects.create(name="Platform", kind=Team.Kind.ENGINEERING)
    Product.objects.filter(pk=product.pk).update(team=team)
    release = ReleaseFactory(product=product, target_date=datetime.date(2027, 5, 17))
    for effort in ("6", "5"):
        FeatureFactory(product=product, release=release, status=Feature.Status.PLANNED, effort=Decimal(effort))
    team_capacity_set(actor=engineering_lead, team=team, quarter=FiscalQuarter(2027, 2), person_weeks=Decimal("10"))
    items = roadmap_items(audience=Audience.INTERNAL, user=product_manager)
    (lane,) = [
        lane for lane in timeline_lanes(user=product_manager, items=items, audience=Audience.INTERNAL) if lane.release
    ]
    assert (lane.effort, lane.capacity, lane.over_capacity, lane.manageable) == (
        Decimal("11"),
        Decimal("10"),
        True,
        True,
    )


def test_each_lifecycle_move_is_recorded_with_its_reason(product, product_manager, executive):
    services.product_lifecycle_move(
        actor=product_manager, product=product, to_stage="maturity", reason="Growth flattened."
    )
    services.product_lifecycle_move(actor=executive, product=product, to_stage="retirement", reason="Replaced by v2.")
    product.refresh_from_db()
    assert product.lifecycle_stage == "retirement"
    moves = list(LifecycleMove.objects.filter(product=product).order_by("moved_at", "pk"))
    assert [(m.from_stage, m.to_stage, m.reason, m.moved_by) for m in moves] == [
        ("growth", "maturity", "Growth flattened.", product_manager),
        ("maturity", "retirement", "Replaced by v2.", executive),
    ]


def test_a_lifecycle_move_needs_a_reason_a_new_stage_and_the_right(product, product_manager, rep):
    with pytest.raises(ValidationError) as refused:
        services.product_lifecycle_move(actor=product_manager, product=product, to_stage="growth", reason=" ")
    assert set(refused.value.message_dict) == {"to_stage", "reason"}
    with pytest.raises(PermissionDenied):
        services.product_lifecycle_move(actor=ProductManagerFactory(), product=product, to_stage="maturity", reason="x")
    with pytest.raises(PermissionDenied):
        services.product_lifecycle_move(actor=rep, product=product, to_stage="maturity", reason="x")
    assert not LifecycleMove.objects.exists()


def test_a_retired_product_comes_back_only_through_ideation_or_development(product, product_manager):
    Product.objects.filter(pk=product.pk).update(lifecycle_stage="retirement")
    with pytest.raises(ValidationError, match="ideation or development"):
        services.product_lifecycle_move(actor=product_manager, product=product, to_stage="growth", reason="Back.")
    services.product_lifecycle_move(actor=product_manager, product=product, to_stage="development", reason="Back.")


def test_market_research_is_versioned(product, product_manager):
    feature = FeatureFactory(product=product)
    rival = Competitor.objects.create(name="Globex Software")
    research = services.market_research_set(
        actor=product_manager,
        feature=feature,
        expected_version=1,
        target_segment="Mid-market banks",
        market_size=Decimal("5000000"),
        revenue_potential=Decimal("400000"),
        competitors=[rival],
    )
    assert list(research.competitors.all()) == [rival]
    with pytest.raises(StaleVersion):
        services.market_research_set(
            actor=product_manager,
            feature=feature,
            expected_version=1,
            target_segment="Banks",
            market_size=None,
            revenue_potential=None,
            competitors=[],
        )
    assert MarketResearch.objects.get(feature=feature).target_segment == "Mid-market banks"


def test_dependents_list_the_accounts_and_open_deals_that_asked(product, product_manager, rep, outsider_rep):
    feature = FeatureFactory(product=product)
    mine = OpportunityFactory(account=AccountFactory(name="Acme", owner=rep), owner=rep)
    theirs = OpportunityFactory(account=AccountFactory(name="Globex", owner=outsider_rep), owner=outsider_rep)
    for deal in (mine, theirs):
        AskFactory(opportunity=deal, feature=feature, status=Ask.Status.LINKED)
    everyone = dependents_of(user=product_manager, product=product)
    assert {a.name for a in everyone.accounts} == {"Acme", "Globex"}
    assert set(everyone.open_deals) == {mine, theirs}
    # A rep sees their own, and that there are more.
    seen_by_rep = dependents_of(user=rep, feature=feature)
    assert [a.name for a in seen_by_rep.accounts] == ["Acme"]
    assert seen_by_rep.open_deals == [mine]
    assert (seen_by_rep.hidden_accounts, seen_by_rep.hidden_deals) == (1, 1)


def test_the_first_items_are_the_first_of_the_whole_roadmap_whatever_the_limit(product_manager):
    """The roadmap reads only the releases that hold its first items: across releases, two on one
    day (their features interleave by product and title), features on no release (last) and items
    hidden from sales, the first `limit` and the total are those of the whole roadmap."""
    alpha, beta = ProductFactory(name="Alpha"), ProductFactory(name="Beta")
    early = ReleaseFactory(product=beta, target_date=datetime.date(2027, 3, 1))
    same_day = [ReleaseFactory(product=p, target_date=datetime.date(2027, 6, 1)) for p in (beta, alpha)]
    late = ReleaseFactory(product=alpha, target_date=datetime.date(2027, 9, 1))
    for n, release in enumerate([early, *same_day, late, None] * 3):
        FeatureFactory(
            product=release.product if release else alpha,
            release=release,
            title=f"Feature {(n * 7) % 10}",
            status=Feature.Status.PLANNED,
            visibility=("internal", "sales")[n % 2],
        )
    for audience, user in ((Audience.INTERNAL, product_manager), (Audience.SALES, None)):
        whole = roadmap_items_shown(audience=audience, user=user, limit=None)[0]
        assert [item.feature.release for item in whole][-1] is None
        for limit in range(1, len(whole) + 2):
            first, total = roadmap_items_shown(audience=audience, user=user, limit=limit)
            assert [item.feature.pk for item in first] == [item.feature.pk for item in whole[:limit]]
            assert total == len(whole)
