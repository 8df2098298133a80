"""The scorecards of a quarter: each figure from the records behind it, as the reader sees them."""

import datetime
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from tandem.asks.models import Ask
from tandem.asks.tests.factories import AskFactory
from tandem.calls.tests.factories import CallAttendeeFactory, CustomerCallFactory
from tandem.commitments.tests.factories import CommitmentFactory
from tandem.core.fiscal import fiscal_quarter_of
from tandem.core.money import workspace_get
from tandem.decisions.services import decision_record
from tandem.launches.models import SuccessMetric
from tandem.launches.tests.factories import LaunchPlanFactory, SuccessMetricFactory
from tandem.product.models import Feature, Release
from tandem.product.tests.factories import FeatureFactory, ProductFactory, ReleaseFactory
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory, StageFactory
from tandem.scorecards.selectors import SCORECARDS_FRESH_SECONDS, scorecards
from tandem.scorecards.views import scope_of

pytestmark = pytest.mark.django_db


def _metrics(card: list) -> dict:
    return {m.key: m for m in card}


def test_the_joint_card_counts_revenue_blocked_and_asks_answered(rep, sales_manager, product_manager, executive):
    today = timezone.localdate()
    start_month = workspace_get().fiscal_year_start_month
    _, last = fiscal_quarter_of(today, start_month).bounds(start_month)
    feature = FeatureFactory(product=ProductFactory(manager=product_manager))
    blocked = OpportunityFactory(account=AccountFactory(owner=rep), owner=rep, amount=Decimal("70000"), close_date=last)
    AskFactory(opportunity=blocked, feature=feature, status=Ask.Status.LINKED, importance=Ask.Importance.BLOCKER)
    AskFactory(opportunity=blocked, need="A nice-to-have", importance=Ask.Importance.NICE_TO_HAVE)
    decision_record(actor=product_manager, feature=feature, outcome="later", rationale="After the platform work.")

    scope = scope_of(executive, year=None, quarter=None, pm=None, manager=None)
    cards = scorecards(scope)
    joint = _metrics(cards["joint"])
    assert joint["revenue_blocked"].value == Decimal("70000")
    assert [b.label for b in joint["revenue_blocked"].bars] == [feature.title]
    assert joint["asks_answered"].text == "50% (1 of 2)"
    pm = _metrics(cards["pm"])
    assert pm["ask_to_decision"].value is not None
    assert scope.pm == product_manager
    assert scope.manager == sales_manager
    assert {m.key for m in cards["sales"]} == {"attainment", "forecast_accuracy", "win_rate", "coverage"}


def test_revenue_unlocked_counts_deals_won_after_their_feature_shipped(rep, executive):
    won = StageFactory(name="Closed won", order=9, default_probability=100, is_won=True, forecast_category="closed")
    release = ReleaseFactory(status=Release.Status.SHIPPED, shipped_at=timezone.now() - datetime.timedelta(days=10))
    feature = FeatureFactory(product=release.product, status=Feature.Status.SHIPPED, release=release)
    deal = OpportunityFactory(
        account=AccountFactory(owner=rep),
        owner=rep,
        stage=won,
        amount=Decimal("30000"),
        close_date=timezone.localdate(),
        closed_at=timezone.now() + datetime.timedelta(seconds=5),
    )
    AskFactory(opportunity=deal, feature=feature, status=Ask.Status.LINKED)
    scope = scope_of(executive, year=None, quarter=None, pm=None, manager=None)
    unlocked = _metrics(scorecards(scope)["joint"])["revenue_unlocked"]
    assert unlocked.value == Decimal("30000")
    assert [b.label for b in unlocked.bars] == [feature.title]


def test_the_page_answers_each_card_in_a_bounded_number_of_queries(client, executive, django_assert_max_num_queries):
    client.force_login(executive)
    with django_assert_max_num_queries(40):
        response = client.get("/scorecards/")
    assert response.status_code == 200
    assert b"card-joint" in response.content


def test_the_pms_card_counts_commitments_kept_and_customer_calls_joined(rep, product_manager, executive):
    today = timezone.localdate()
    product = ProductFactory(manager=product_manager)
    shipped = ReleaseFactory(product=product, status=Release.Status.SHIPPED, shipped_at=timezone.now())
    deal = OpportunityFactory(account=AccountFactory(owner=rep), owner=rep)
    CommitmentFactory(opportunity=deal, feature=FeatureFactory(product=product, release=shipped), due_date=today)
    declined = FeatureFactory(product=product, status=Feature.Status.DECLINED)
    CommitmentFactory(opportunity=deal, feature=declined, due_date=today)
    CommitmentFactory(opportunity=deal, feature=FeatureFactory(), due_date=today)  # another PM's product
    held = CustomerCallFactory(opportunity=deal, scheduled_at=timezone.now() - datetime.timedelta(minutes=5))
    CallAttendeeFactory(call=held, product_manager=product_manager)
    CallAttendeeFactory(call=CustomerCallFactory(opportunity=deal), product_manager=product_manager)  # still to come

    pm = _metrics(scorecards(scope_of(executive, year=None, quarter=None, pm=product_manager.pk, manager=None))["pm"])

    assert pm["commitments_kept"].text == "50% (1 of 2)"
    assert pm["calls_joined"].value == 1


def test_a_product_manager_reads_what_was_won_without_a_quota_they_may_not_see(rep, product_manager, executive):
    OpportunityFactory(account=AccountFactory(owner=rep), owner=rep)
    as_pm = _metrics(scorecards(scope_of(product_manager, year=None, quarter=None, pm=None, manager=None))["sales"])
    as_exec = _metrics(scorecards(scope_of(executive, year=None, quarter=None, pm=None, manager=None))["sales"])

    assert as_pm["attainment"].hint.endswith("quotas are shown to sales and executives only.")
    assert "of a quota of" in as_exec["attainment"].hint


def test_the_pms_card_counts_their_launches_metrics_that_reached_their_target(client, product_manager, executive):
    product = ProductFactory(manager=product_manager, name="Halcyon Platform")
    shipped = ReleaseFactory(product=product, name="Winter", status=Release.Status.SHIPPED, shipped_at=timezone.now())
    plan = LaunchPlanFactory(release=shipped)
    SuccessMetricFactory(plan=plan, target=50, actual_30=Decimal(60))  # adoption, entered: on target
    SuccessMetricFactory(plan=plan, target=50)  # adoption not entered yet: not measured
    SuccessMetricFactory(plan=plan, kind=SuccessMetric.Kind.ASKS_CLOSED, target=3)  # none closed so far: short
    SuccessMetricFactory(plan=LaunchPlanFactory(release=ReleaseFactory(product=product)), actual_30=Decimal(90))
    other = ReleaseFactory(status=Release.Status.SHIPPED, shipped_at=timezone.now())  # another PM's product
    SuccessMetricFactory(plan=LaunchPlanFactory(release=other), actual_30=Decimal(90))

    pm = _metrics(scorecards(scope_of(executive, year=None, quarter=None, pm=product_manager.pk, manager=None))["pm"])

    launches = pm["launches_on_target"]
    assert launches.text == "50% (1 of 2 metrics)"
    ((bar),) = launches.bars
    assert (bar.label, bar.text, bar.url) == ("Halcyon Platform Winter", "1 of 2 measured metrics on target",
                                              f"/launches/{plan.pk}/")  # fmt: skip
    client.force_login(executive)
    api = client.get("/api/scorecards", {"pm_id": product_manager.pk}).json()
    assert {m["key"]: m["text"] for m in api["pm"]}["launches_on_target"] == "50% (1 of 2 metrics)"


def test_the_page_keeps_a_readers_figures_a_few_minutes_and_never_answers_another_from_them(
    client, rep, product_manager, executive, monkeypatch
):
    start_month = workspace_get().fiscal_year_start_month
    _, last = fiscal_quarter_of(timezone.localdate(), start_month).bounds(start_month)
    feature = FeatureFactory()
    deal = OpportunityFactory(account=AccountFactory(owner=rep), owner=rep, amount=Decimal("70000"), close_date=last)
    client.force_login(executive)
    first = client.get("/scorecards/").content.decode()
    AskFactory(opportunity=deal, feature=feature, status=Ask.Status.LINKED, importance=Ask.Importance.BLOCKER)

    kept = client.get("/scorecards/").content.decode()
    client.force_login(product_manager)
    as_pm = client.get("/scorecards/").content.decode()
    client.force_login(executive)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + SCORECARDS_FRESH_SECONDS + 1)
    later = client.get("/scorecards/").content.decode()

    assert "Figures as of" in first
    assert "of a quota of" in first
    assert feature.title not in kept  # the figures of a minute ago, said to be so
    assert "quotas are shown to sales and executives only" in as_pm  # not the executive's kept cards
    assert feature.title in as_pm
    assert feature.title in later
