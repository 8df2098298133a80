"""A rep calls, their manager overrides with a note, and the weekly history shows both (issue 18)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tandem.core.money import workspace_get
from tandem.forecasting.services import forecast_snapshot_take
from tandem.sales.models import Stage
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory, StageFactory

NOTE = "Northwind's legal review slips to next quarter"


@pytest.mark.browser
@pytest.mark.parametrize("width", [1440, 390], ids=["desktop", "phone"])
def test_a_rep_calls_the_manager_overrides_and_the_weekly_history_shows_both(
    width, live_server, signed_in, rep, sales_manager
):
    # The fiscal year starts this month, so next week is still in this quarter.
    workspace = workspace_get()
    workspace.fiscal_year_start_month = timezone.localdate().month
    workspace.save()
    commit = StageFactory(
        name="Negotiation", order=5, default_probability=80, forecast_category=Stage.ForecastCategory.COMMIT
    )
    OpportunityFactory(
        name="Northwind renewal",
        account=AccountFactory(owner=rep, name="Northwind"),
        stage=commit,
        amount=Decimal("120000"),
        close_date=timezone.localdate() + datetime.timedelta(days=20),
    )

    page = signed_in(rep, width=width)
    page.goto("/forecast/")
    expect(page.get_by_role("heading", name="Your forecast")).to_be_visible()
    expect(page.get_by_test_id("figure-weighted")).to_contain_text("96K USD")
    page.get_by_label("Commit").fill("90000")
    page.get_by_label("Best case").fill("140000")
    page.get_by_label("Note").fill("Northwind signs before the quarter ends")
    page.get_by_role("button", name="Make my call").click()
    expect(page.get_by_role("alert").filter(has_text="is saved")).to_be_visible()
    expect(page.get_by_test_id("history-now")).to_contain_text("90,000 USD")
    expect(page.get_by_test_id("override")).to_have_count(0)  # a rep never reads the override

    boss = signed_in(sales_manager, width=width)
    boss.goto("/forecast/")
    row = boss.get_by_test_id("rep-row").filter(has_text=str(rep))
    expect(row).to_contain_text("90,000 USD")
    row.get_by_role("link", name=str(rep)).click()
    expect(boss.get_by_test_id("rep-call")).to_contain_text("Northwind signs before the quarter ends")
    boss.get_by_label("Commit").fill("70000")
    boss.get_by_label("Why").fill(NOTE)
    boss.get_by_role("button", name="Override the call").click()
    expect(boss.get_by_role("alert").filter(has_text="override")).to_be_visible()
    expect(boss.get_by_test_id("override")).to_contain_text("Overridden by")
    now_row = boss.get_by_test_id("history-now")
    expect(now_row).to_contain_text("90,000 USD")
    expect(now_row).to_contain_text("70,000 USD")

    # Next Monday the weekly snapshot keeps both, beside what the deals said.
    forecast_snapshot_take(now=timezone.now() + datetime.timedelta(days=7))
    boss.reload()
    week = boss.get_by_test_id("history-week").first
    expect(week).to_contain_text("90,000 USD")
    expect(week).to_contain_text("70,000 USD")
    expect(week).to_contain_text(re.compile(r"week \d+"))
    # The team's roll-up counts the override instead of the call.
    boss.goto("/forecast/")
    expect(boss.get_by_test_id("team-total")).to_contain_text("70,000 USD")
    # A point of the trend opens the deals behind it: the chart is drawn with its links.
    expect(boss.locator("#chart-forecast-trend canvas")).to_have_count(1)
