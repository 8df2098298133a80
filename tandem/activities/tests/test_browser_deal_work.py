"""The rep's workspace in Chromium: a call logged on the deal page shows in its timeline; a close
date edited in the deal table saves in place, and a row someone changed meanwhile says so."""

import datetime

import pytest
from playwright.sync_api import expect

from tandem.activities.models import Activity
from tandem.sales.models import Opportunity
from tandem.sales.tests.factories import AccountFactory, ContactFactory, OpportunityFactory

pytestmark = pytest.mark.browser


def test_a_rep_logs_a_call_and_edits_close_dates_in_the_table(live_server, signed_in, rep, stages):
    account = AccountFactory.create(owner=rep, name="Acme Robotics")
    deal = OpportunityFactory.create(account=account, stage=stages.discovery, name="Acme expansion")
    other = OpportunityFactory.create(
        account=account, stage=stages.discovery, name="Acme renewal", close_date=datetime.date(2027, 5, 31)
    )
    ContactFactory.create(account=account, first_name="Grace", last_name="Hopper")

    page = signed_in(rep)
    page.goto(f"/pipeline/opportunities/{deal.pk}/")
    form = page.get_by_test_id("activity-form")
    form.get_by_text("Call", exact=True).click()
    form.get_by_label("Grace Hopper").check()
    form.get_by_placeholder("What was said, agreed or learnt").fill("Budget approved; pilot starts in January.")
    form.get_by_role("button", name="Log it").click()

    expect(page.get_by_test_id("activity-logged")).to_be_visible()
    first = page.get_by_test_id("timeline-item").first
    expect(first).to_contain_text("Call with Grace Hopper")
    expect(first).to_contain_text("Budget approved; pilot starts in January.")
    assert Activity.objects.get().contacts.get().last_name == "Hopper"

    # The table: change a close date in place.
    page.goto("/pipeline/opportunities/")
    row = page.locator(f"#deal-row-{deal.pk}")
    row.get_by_title("Change the close date").click()
    row.get_by_label("Close date").fill("2027-04-30")
    row.get_by_role("button", name="Save").click()
    expect(page.locator(f"#deal-row-{deal.pk}").get_by_test_id("close-date-cell")).to_contain_text("30 Apr 2027")
    assert Opportunity.objects.get(pk=deal.pk).close_date == datetime.date(2027, 4, 30)

    # Someone else moves the other deal's date while the table is open: the save is refused, the row
    # shows the deal as it now is and says what happened.
    other_row = page.locator(f"#deal-row-{other.pk}")
    other_row.get_by_title("Change the close date").click()
    expect(other_row.get_by_label("Close date")).to_be_visible()  # the form carries the version it read
    Opportunity.objects.filter(pk=other.pk).update(close_date=datetime.date(2027, 6, 30), version=other.version + 1)
    other_row.get_by_label("Close date").fill("2027-05-15")
    other_row.get_by_role("button", name="Save").click()
    conflict = page.locator(f"#deal-row-{other.pk}").get_by_test_id("row-conflict")
    expect(conflict).to_contain_text("Someone changed this deal since the list was loaded: it now reads 30 Jun 2027")
    expect(page.locator(f"#deal-row-{other.pk}").get_by_test_id("close-date-cell")).to_contain_text("30 Jun 2027")
    assert Opportunity.objects.get(pk=other.pk).close_date == datetime.date(2027, 6, 30)
