"""Launch plans: who runs them, the default checklist, and the success metrics' actuals from deals and asks."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tandem.asks.models import Ask
from tandem.asks.tests.factories import AskFactory
from tandem.audit.models import AuditEntry
from tandem.competition.models import Competitor
from tandem.core.api import StaleVersion, token_digest, token_generate
from tandem.launches.metrics import metric_actuals
from tandem.launches.models import ChecklistItem
from tandem.launches.services import (
    checklist_item_update,
    launch_plan_create,
    success_metric_create,
    success_metric_update,
)
from tandem.launches.tests.factories import LaunchPlanFactory
from tandem.people.models import ApiToken
from tandem.people.tests.factories import ProductManagerFactory
from tandem.product.models import Release
from tandem.product.tests.factories import FeatureFactory, ProductFactory, ReleaseFactory
from tandem.product.tests.queries import assert_same_queries, queries_of
from tandem.sales.models import Opportunity
from tandem.sales.tests.factories import OpportunityFactory, StageFactory


@pytest.fixture
def release(product_manager):
    return ReleaseFactory(product=ProductFactory(manager=product_manager), name="2027.2")


def test_the_products_manager_starts_a_plan_with_the_go_to_market_checklist(product_manager, release):
    plan = launch_plan_create(actor=product_manager, release=release)
    areas = set(plan.items.values_list("area", flat=True))
    assert areas == {"positioning", "pricing", "channels", "enablement", "training"}
    assert all(item.due_date < release.target_date for item in plan.items.all())


def test_another_products_manager_a_rep_and_an_executive_may_not(rep, executive, release):
    for person in (ProductManagerFactory(), rep, executive):
        with pytest.raises(PermissionDenied):
            launch_plan_create(actor=person, release=release)


def test_a_tasks_owner_ticks_it_off_once_and_a_stale_tick_is_refused(product_manager, sales_manager, release):
    plan = launch_plan_create(actor=product_manager, release=release)
    task = plan.items.get(area="enablement")
    ChecklistItem.objects.filter(pk=task.pk).update(owner=sales_manager)
    task.refresh_from_db()
    ticked = checklist_item_update(actor=sales_manager, item=task, expected_version=1, done=True)
    assert ticked.done_at is not None
    with pytest.raises(StaleVersion):
        checklist_item_update(actor=sales_manager, item=task, expected_version=1, done=False)
    other = plan.items.get(area="pricing")
    with pytest.raises(PermissionDenied):
        checklist_item_update(actor=sales_manager, item=other, expected_version=1, done=True)


def _closed(deal, when):
    Opportunity.objects.filter(pk=deal.pk).update(created_at=when - datetime.timedelta(days=90), closed_at=when)


def test_actuals_at_30_and_90_days_come_from_deals_and_asks(product_manager, rep, release):
    won = StageFactory(name="Closed won", is_won=True, default_probability=100, forecast_category="closed")
    lost = StageFactory(name="Closed lost", is_lost=True, default_probability=0, forecast_category="omitted")
    rival = Competitor.objects.create(name="Globex CRM")
    feature = FeatureFactory(product=release.product, release=release)
    shipped_at = timezone.now() - datetime.timedelta(days=60)
    Release.objects.filter(pk=release.pk).update(status="shipped", shipped_at=shipped_at)
    release.refresh_from_db()
    plan = launch_plan_create(actor=product_manager, release=release)
    # Won 10 days after ship, asked for the feature: influenced within 30 days.
    early = OpportunityFactory(owner=rep, stage=won, amount=Decimal("40000"), competitor=rival)
    _closed(early, shipped_at + datetime.timedelta(days=10))
    AskFactory(opportunity=early, feature=feature, outcome=Ask.Outcome.SHIPPED, created_at=shipped_at)
    # Won 45 days after: only in the 90-day window. Lost to the rival at 20 days.
    later = OpportunityFactory(owner=rep, stage=won, amount=Decimal("10000"))
    _closed(later, shipped_at + datetime.timedelta(days=45))
    AskFactory(opportunity=later, feature=feature, created_at=shipped_at)
    lost_deal = OpportunityFactory(owner=rep, stage=lost, competitor=rival)
    _closed(lost_deal, shipped_at + datetime.timedelta(days=20))
    revenue = success_metric_create(
        actor=product_manager, plan=plan, kind="revenue_influenced", target=Decimal("100000")
    )
    win_rate = success_metric_create(
        actor=product_manager, plan=plan, kind="win_rate", target=60, competitor_id=rival.pk
    )
    asks = success_metric_create(actor=product_manager, plan=plan, kind="asks_closed", target=5)
    adoption = success_metric_create(actor=product_manager, plan=plan, kind="adoption", target=30)
    adoption = success_metric_update(
        actor=product_manager, metric=adoption, expected_version=1, target=30, actual_30=12
    )

    actuals = metric_actuals(plan=plan, metrics=[revenue, win_rate, asks, adoption], now=timezone.now())

    assert [a.value for a in actuals[revenue.pk]] == [Decimal("40000.00"), Decimal("50000.00")]
    assert actuals[revenue.pk][0].final
    assert not actuals[revenue.pk][1].final
    assert [a.value for a in actuals[win_rate.pk]] == [Decimal("50.0"), Decimal("50.0")]
    assert [a.value for a in actuals[asks.pk]] == [Decimal(1), Decimal(1)]
    assert [a.value for a in actuals[adoption.pk]] == [Decimal(12), None]
    assert not actuals[adoption.pk][0].computed


def test_before_the_release_ships_computed_actuals_are_empty(product_manager, release):
    plan = launch_plan_create(actor=product_manager, release=release)
    metric = success_metric_create(actor=product_manager, plan=plan, kind="asks_closed", target=5)
    assert [a.value for a in metric_actuals(plan=plan, metrics=[metric], now=timezone.now())[metric.pk]] == [None, None]


def test_every_change_to_a_launch_is_in_the_audit_trail_and_on_its_page(client, product_manager, sales_manager, rep):
    release = ReleaseFactory(product=ProductFactory(manager=product_manager), name="2027.3")
    plan = launch_plan_create(actor=product_manager, release=release)
    task = plan.items.get(area="enablement")
    task = checklist_item_update(
        actor=product_manager, item=task, expected_version=1, done=False, title=task.title, owner=sales_manager
    )
    checklist_item_update(actor=sales_manager, item=task, expected_version=2, done=True)
    metric = success_metric_create(actor=product_manager, plan=plan, kind="adoption", target=Decimal(40))
    success_metric_update(
        actor=product_manager, metric=metric, expected_version=1, target=Decimal(50), actual_30=Decimal(12)
    )

    entries = AuditEntry.objects.filter(record_type__startswith="launches.")
    assert entries.filter(record_type="launches.launchplan", action="created").count() == 1
    assert entries.filter(record_type="launches.checklistitem", action="created").count() == 5
    ticked = entries.filter(record_type="launches.checklistitem", action="changed").latest("pk")
    assert (ticked.actor, set(ticked.changes)) == (sales_manager, {"done_at"})
    changed = entries.filter(record_type="launches.successmetric", action="changed").get()
    assert [Decimal(value) for value in changed.changes["target"]] == [40, 50]
    assert Decimal(str(changed.changes["actual_30"][1])) == 12

    # Everyone who sees the launch reads who changed what, and when, on its page.
    client.force_login(rep)
    page = client.get(reverse("launches:launch_detail", args=[plan.pk])).content.decode()
    assert 'data-testid="launch-changes"' in page
    assert f"Changed by {sales_manager}" in page
    assert "At 30 days" in page
    assert f"Created by {product_manager}" in page


def _launches_of(product, count: int) -> None:
    for n in range(count):
        release = ReleaseFactory(product=product, target_date=datetime.date(2027, 1, 4) + datetime.timedelta(weeks=n))
        FeatureFactory(product=product, release=release, status="planned", visibility="sales", confidence="committed")
        LaunchPlanFactory(release=release)
        ReleaseFactory(product=product, target_date=datetime.date(2027, 6, 7) + datetime.timedelta(weeks=n))


def test_the_launches_and_releases_lists_take_as_many_queries_for_1_as_for_10(product_manager, rep):
    """Each reads how finely its reader may know the releases' days once for the whole list."""
    product = ProductFactory(manager=product_manager)
    for user in (product_manager, rep):
        client = Client()
        client.force_login(user)
        key = token_generate()
        ApiToken.objects.create(user=user, name="t", prefix=key[:8], digest=token_digest(key))
        headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        client.get("/api/releases", **headers)  # the token's first use is noted once, not per call

        def lists(client=client, headers=headers):
            return [
                queries_of(lambda: client.get(reverse("launches:launch_list"))),
                queries_of(lambda: client.get("/api/launches", **headers)),
                queries_of(lambda: client.get("/api/releases", **headers)),
                queries_of(lambda: client.get(reverse("product:roadmap"))),
            ]

        _launches_of(product, 1)
        one = lists()
        _launches_of(product, 9)
        ten = lists()
        for before, after in zip(one, ten, strict=True):
            assert_same_queries(before, after)
        Release.objects.filter(product=product).delete()
