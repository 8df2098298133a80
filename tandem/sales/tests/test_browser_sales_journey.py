"""Issue 18's journey in Chromium: a rep converts a lead into an account, a contact and a deal, drags
the deal on the board to a later stage, and the forecast's weighted figure and its trend chart follow;
the rep calls the quarter, their manager overrides the call, and the weekly history shows both."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tandem.core.money import workspace_get
from tandem.forecasting.services import forecast_snapshot_take
from tandem.leads.models import Lead
from tandem.leads.tests.factories import LeadFactory
from tandem.sales.models import Contact, Opportunity
from tandem.sales.tests.test_browser_board import _column, _drag

pytestmark = pytest.mark.browser


def _weighted_on_the_chart(page: Page) -> float:
    """The live ("Now") point of the trend chart's weighted series, as ECharts draws it."""
    return page.evaluate(
        """() => {
          const option = echarts.getInstanceByDom(document.getElementById("chart-forecast-trend")).getOption();
          const weighted = option.series.find((s) => s.name === "Weighted pipeline").data;
          return weighted[weighted.length - 1];
        }"""
    )


def test_a_lead_becomes_a_deal_moves_on_the_board_and_its_forecast_is_called_and_overridden(
    live_server, signed_in, rep, sales_manager, stages
):
    # The fiscal year starts this month, so the deal and next week's snapshot are in this quarter.
    workspace = workspace_get()
    workspace.fiscal_year_start_month = timezone.localdate().month
    workspace.save()
    lead = LeadFactory(owner=rep, first_name="Nora", last_name="Lind", company="Northwind Traders")

    page = signed_in(rep)
    page.goto(f"/leads/{lead.pk}/")
    form = page.get_by_test_id("convert-form")
    form.get_by_label("A new account: Northwind Traders").check()
    form.get_by_label("Deal name").fill("Northwind platform")
    form.get_by_label("Amount").fill("100000")
    form.get_by_label("Close date").fill((timezone.localdate() + datetime.timedelta(days=20)).isoformat())
    form.get_by_role("button", name="Convert").click()
    expect(page.get_by_role("heading", name="Northwind platform")).to_be_visible()
    deal = Opportunity.objects.get(name="Northwind platform")
    assert (deal.account.name, deal.owner, deal.stage, deal.lead_source) == (
        "Northwind Traders",
        rep,
        stages.discovery,
        lead.source,
    )
    assert Contact.objects.filter(account=deal.account, last_name="Lind").exists()
    assert Lead.objects.get(pk=lead.pk).converted_opportunity == deal

    page.goto("/forecast/")
    expect(page.get_by_test_id("figure-weighted")).to_contain_text("20K USD")  # 100,000 at Discovery's 20%
    assert _weighted_on_the_chart(page) == 20000

    page.goto("/pipeline/board/")
    _drag(page, _column(page, "Discovery").get_by_test_id("board-card"), _column(page, "Proposal"))
    expect(page.get_by_test_id("board-notice")).to_have_text("Moved “Northwind platform” to Proposal.")

    page.goto("/forecast/")
    expect(page.get_by_test_id("figure-weighted")).to_contain_text("60K USD")  # now at Proposal's 60%
    assert _weighted_on_the_chart(page) == 60000

    page.get_by_label("Commit").fill("50000")
    page.get_by_label("Best case").fill("100000")
    page.get_by_label("Note").fill("Northwind's board meets next week")
    page.get_by_role("button", name="Make my call").click()
    expect(page.get_by_test_id("history-now")).to_contain_text("50,000 USD")

    boss = signed_in(sales_manager)
    boss.goto(f"/forecast/?rep={rep.pk}")
    expect(boss.get_by_test_id("rep-call")).to_contain_text("Northwind's board meets next week")
    boss.get_by_label("Commit").fill("30000")
    boss.get_by_label("Why").fill("Their budget is frozen until the new year")
    boss.get_by_role("button", name="Override the call").click()
    expect(boss.get_by_test_id("override")).to_contain_text("Overridden by")

    # The weekly snapshot keeps the call and the override side by side.
    forecast_snapshot_take(now=timezone.now() + datetime.timedelta(days=7))
    boss.reload()
    week = boss.get_by_test_id("history-week").first
    expect(week).to_contain_text("50,000 USD")
    expect(week).to_contain_text("30,000 USD")
    expect(week).to_contain_text(re.compile(r"week \d+"))
