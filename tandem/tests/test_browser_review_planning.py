"""Issue 21 in Chromium: the product-sales review and the quarter's plan, as people meet them.

A product manager opens the review's meeting and sees an agenda built from the workspace's data (a
new ask, the feature with the most revenue at stake); records a decision on that feature and an
action item for the sales manager; the sales manager's home shows the action item until it is
marked done. The executive opens planning, moves along the frontier with the slider and chooses a
plan, whose features land on the quarter's release.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tandem.asks.evidence import feature_evidence_refresh
from tandem.asks.models import Ask, Decision
from tandem.asks.tests.factories import AskFactory
from tandem.core.fiscal import fiscal_quarter_of
from tandem.core.money import workspace_get
from tandem.planning.models import QuarterPlan
from tandem.planning.tests.factories import EngineeringTeamFactory, FeatureBuildFactory, TeamCapacityFactory
from tandem.product.models import Feature
from tandem.product.tests.factories import FeatureFactory, GoalFactory, ProductFactory
from tandem.reviews.models import ActionItem
from tandem.reviews.tests.factories import ReviewFactory, ReviewMeetingFactory
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

NEED = "Okta single sign-on before the security review in March"


@pytest.mark.browser
def test_a_review_meeting_records_a_decision_and_an_action_item_that_shows_on_its_owners_home(
    live_server, signed_in, rep, sales_manager, product_manager
):
    product = ProductFactory(name="Tandem Cloud", manager=product_manager)
    feature = FeatureFactory(product=product, title="SAML single sign-on", visibility=Feature.Visibility.SALES)
    deal = OpportunityFactory(
        name="Northwind expansion",
        account=AccountFactory(owner=rep, name="Northwind"),
        owner=rep,
        amount=Decimal("240000"),
    )
    AskFactory(opportunity=deal, need=NEED, feature=feature, status=Ask.Status.LINKED)
    feature_evidence_refresh(feature_ids=[feature.pk])
    review = ReviewFactory(name="Product-sales review", organiser=sales_manager, attendees=[product_manager, rep])
    meeting = ReviewMeetingFactory(review=review, held_on=timezone.localdate())

    pm_page = signed_in(product_manager)
    pm_page.goto(f"/reviews/meetings/{meeting.pk}/")
    expect(pm_page.get_by_test_id("agenda-new_asks")).to_contain_text(NEED)
    at_stake = pm_page.get_by_test_id("agenda-revenue_at_stake").get_by_test_id("agenda-item").first
    expect(at_stake).to_contain_text("SAML single sign-on")
    expect(at_stake).to_contain_text("240K")

    at_stake.locator("summary").click()
    decide = at_stake.get_by_test_id("decide-form")
    decide.get_by_label("Outcome").select_option("later")
    decide.get_by_label("Rationale").fill("After the identity platform ships in Q3.")
    decide.get_by_role("button", name="Record decision").click()
    expect(pm_page.get_by_test_id("meeting-decisions")).to_contain_text("Deferred")
    assert Decision.objects.filter(feature=feature, outcome="later", decided_by=product_manager).exists()

    at_stake = pm_page.get_by_test_id("agenda-revenue_at_stake").get_by_test_id("agenda-item").first
    at_stake.locator("summary").click()
    action = at_stake.get_by_test_id("action-form")
    action.get_by_label("Action").fill("Tell Northwind the Q3 date")
    action.get_by_label("Owner").select_option(str(sales_manager.pk))
    action.get_by_label("Due").fill((timezone.localdate() + datetime.timedelta(days=5)).isoformat())
    action.get_by_role("button", name="Add action item").click()
    expect(pm_page.get_by_test_id("meeting-action-items")).to_contain_text("Tell Northwind the Q3 date")

    manager_page = signed_in(sales_manager)
    manager_page.goto("/")
    items = manager_page.get_by_test_id("home-action-items")
    expect(items).to_contain_text("Tell Northwind the Q3 date")
    items.get_by_role("button", name="Done").click()
    expect(manager_page.get_by_test_id("home-heading")).to_be_visible()
    expect(manager_page.get_by_test_id("home-action-items")).to_have_count(0)
    assert ActionItem.objects.get().done_at is not None


@pytest.mark.browser
def test_the_executive_moves_along_the_frontier_and_chooses_a_plan(live_server, signed_in, rep, executive):
    start_month = workspace_get().fiscal_year_start_month
    quarter = fiscal_quarter_of(timezone.localdate(), start_month).next()
    first, last = quarter.bounds(start_month)
    team = EngineeringTeamFactory(name="Identity squad")
    TeamCapacityFactory(team=team, fiscal_year=quarter.year, fiscal_quarter=quarter.quarter, person_weeks=Decimal("10"))
    product = ProductFactory(name="Tandem Cloud")
    goal = GoalFactory(name="Win the enterprise", weight=Decimal("5"))
    revenue_feature = FeatureFactory(product=product, title="Salesforce sync", effort=Decimal("8"))
    strategic_feature = FeatureFactory(product=product, title="Audit log", effort=Decimal("8"))
    strategic_feature.goals.add(goal)
    for feature in (revenue_feature, strategic_feature):
        FeatureBuildFactory(feature=feature, team=team)
    deal = OpportunityFactory(
        account=AccountFactory(owner=rep), owner=rep, amount=Decimal("500000"), close_date=last + datetime.timedelta(30)
    )
    AskFactory(opportunity=deal, feature=revenue_feature, status=Ask.Status.LINKED)

    page = signed_in(executive)
    page.goto(f"/planning/?year={quarter.year}&quarter={quarter.quarter}")
    plan = page.get_by_test_id("plan-features")
    expect(page.locator("#chart-frontier canvas")).to_have_count(1)
    page.get_by_test_id("blend-slider").fill("1")
    expect(plan).to_contain_text("Salesforce sync")
    expect(plan).not_to_contain_text("Audit log")
    page.get_by_test_id("blend-slider").fill("0")
    expect(plan).to_contain_text("Audit log")
    expect(plan).not_to_contain_text("Salesforce sync")
    expect(page.locator("input[name=blend]")).to_have_value("0")
    page.get_by_label("Why this plan").fill("The enterprise goal first this quarter.")
    page.get_by_test_id("plan-save").click()
    expect(page.get_by_test_id("plan-history")).to_contain_text("The enterprise goal first this quarter.")

    saved = QuarterPlan.objects.get()
    assert saved.chosen_by == executive
    assert list(saved.features.all()) == [strategic_feature]
    strategic_feature.refresh_from_db()
    assert strategic_feature.status == Feature.Status.PLANNED
    assert first <= strategic_feature.release.target_date <= last
