"""Issue 21's "Done means", in Chromium: a manager opens the product-sales review and sees an agenda
built from the workspace's data, records a decision (planning the feature on a release) and an
action item, and the action item shows on its owner's home; the executive moves along the frontier
and saves a plan."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tandem.asks.models import Ask
from tandem.asks.tests.factories import AskFactory
from tandem.core import formats
from tandem.core.fiscal import fiscal_quarter_of
from tandem.core.money import workspace_get
from tandem.planning.models import QuarterPlan
from tandem.planning.tests.factories import EngineeringTeamFactory, FeatureBuildFactory, TeamCapacityFactory
from tandem.product.models import Feature
from tandem.product.tests.factories import FeatureFactory, GoalFactory, ProductFactory, ReleaseFactory
from tandem.reviews.services import review_create
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory


@pytest.mark.browser
def test_the_review_records_a_decision_and_an_action_item_that_shows_on_its_owners_home(
    live_server, signed_in, rep, product_manager
):
    today = timezone.localdate()
    product = ProductFactory(name="Tandem Cloud", manager=product_manager)
    release = ReleaseFactory(product=product, name="2027.2", target_date=today + datetime.timedelta(days=40))
    feature = FeatureFactory(product=product, title="Audit log export")
    deal = OpportunityFactory(name="Bluewater renewal", account=AccountFactory(owner=rep, name="Bluewater"), owner=rep)
    AskFactory(opportunity=deal, feature=feature, status=Ask.Status.LINKED, need="Audit log to Splunk for the SOC")
    review_create(actor=product_manager, name="Product-sales review", cadence="weekly", attendees=[rep])

    page = signed_in(product_manager)
    page.goto("/reviews/")
    page.get_by_role("link", name="Product-sales review").click()
    page.get_by_test_id("meeting-create").click()

    # The agenda is built from the workspace's facts: the week's new ask, on its feature.
    item = page.get_by_test_id("agenda-new_asks").get_by_test_id("agenda-item").filter(has_text="Audit log to Splunk")
    expect(item).to_be_visible()
    item.locator("summary").click()
    decide = item.get_by_test_id("decide-form")
    decide.get_by_label("Outcome").select_option("planned")
    due = formats.date_short(release.target_date)
    decide.get_by_label("Release, when planned").select_option(label=f"2027.2 (due {due})")
    decide.get_by_label("Rationale").fill("Three accounts wait for it; it fits the quarter.")
    decide.get_by_role("button", name="Record decision").click()
    expect(page.get_by_test_id("meeting-decisions")).to_contain_text("Audit log export")
    feature.refresh_from_db()
    assert (feature.status, feature.release) == (Feature.Status.PLANNED, release)

    item = page.get_by_test_id("agenda-new_asks").get_by_test_id("agenda-item").filter(has_text="Audit log to Splunk")
    item.locator("summary").click()
    action = item.get_by_test_id("action-form")
    action.get_by_label("Action").fill("Tell Bluewater the release date")
    action.get_by_label("Owner").select_option(label=rep.get_full_name())
    action.get_by_label("Due").fill((today + datetime.timedelta(days=7)).isoformat())
    action.get_by_role("button", name="Add action item").click()
    expect(item.locator(".badge", has_text="action")).to_be_visible()

    owner = signed_in(rep)
    owner.goto("/")
    expect(owner.get_by_test_id("home-action-items")).to_contain_text("Tell Bluewater the release date")


@pytest.mark.browser
def test_the_executive_moves_along_the_frontier_and_saves_a_plan(live_server, signed_in, rep, executive):
    start_month = workspace_get().fiscal_year_start_month
    quarter = fiscal_quarter_of(timezone.localdate(), start_month).next()
    last = quarter.bounds(start_month)[1]
    team = EngineeringTeamFactory(name="Identity squad")
    TeamCapacityFactory(team=team, fiscal_year=quarter.year, fiscal_quarter=quarter.quarter, person_weeks=Decimal(5))
    # Capacity for one feature: the one deals wait for, or the one the strategy wants.
    money = FeatureFactory(title="SAML single sign-on", effort=Decimal(5))
    strategy = FeatureFactory(title="Usage analytics", effort=Decimal(5))
    strategy.goals.add(GoalFactory(weight=Decimal(3)))
    for feature in (money, strategy):
        FeatureBuildFactory(feature=feature, team=team)
    deal = OpportunityFactory(account=AccountFactory(owner=rep), owner=rep, close_date=last, amount=Decimal(90000))
    AskFactory(opportunity=deal, feature=money, status=Ask.Status.LINKED)

    page = signed_in(executive)
    page.goto("/planning/")
    expect(page.get_by_role("heading", name=f"Quarterly planning · {quarter}")).to_be_visible()
    slider = page.get_by_test_id("blend-slider")

    def move(blend: str) -> None:
        slider.evaluate("(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }", blend)

    move("0")
    expect(page.locator("#plan-features-body")).to_contain_text("Usage analytics")
    move("1")
    expect(page.locator("#plan-features-body")).to_contain_text("SAML single sign-on")
    expect(page.get_by_test_id("plan-save-form").locator("[name=blend]")).to_have_value("1")
    page.get_by_label("Why this plan").fill("The deals first this quarter.")
    page.get_by_test_id("plan-save").click()
    expect(page.get_by_role("alert")).to_contain_text("Plan saved")
    expect(page.get_by_test_id("plan-history")).to_contain_text("The deals first this quarter.")
    plan = QuarterPlan.objects.get()
    assert (plan.blend, list(plan.features.all()), plan.chosen_by) == (Decimal("1.000"), [money], executive)
