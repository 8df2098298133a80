"""Issue 21, items 1 and 2, in Chromium: a rep logs what a competitor offered from the deal's page
without leaving it, and the product manager reads it in the intel feed; the rep opens a customer
call to product managers, and a PM signs up from the calls list."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tandem.calls.models import CallAttendee
from tandem.competition.models import FieldIntel
from tandem.competition.tests.factories import CompetitorFactory
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

OFFERED = "A 25% first-year discount if they sign this quarter"


@pytest.mark.browser
def test_a_rep_logs_intel_and_opens_a_call_and_a_pm_reads_the_intel_and_joins(
    live_server, signed_in, rep, product_manager
):
    CompetitorFactory(name="Pipewise")
    deal = OpportunityFactory(name="Bluewater renewal", account=AccountFactory(owner=rep, name="Bluewater"), owner=rep)
    deal_url = f"/pipeline/opportunities/{deal.pk}/"

    # 1. Intel from the deal's page: four fields and one click, the page stays where it is.
    page = signed_in(rep)
    page.goto(deal_url)
    form = page.get_by_test_id("intel-form")
    form.get_by_label("Competitor").select_option(label="Pipewise")
    form.get_by_label("Price a year").fill("42000")
    form.get_by_label("What they offered").fill(OFFERED)
    form.get_by_label("What they claimed").fill("Says our pricing doubles at renewal.")
    form.get_by_role("button", name="Log intel").click()
    expect(page.get_by_test_id("intel-logged")).to_be_visible()
    expect(page.get_by_test_id("deal-intel")).to_contain_text(OFFERED)
    assert page.url.endswith(deal_url)
    assert FieldIntel.objects.get().opportunity == deal

    # 2. A call on the deal, opened to product managers.
    when = (timezone.localtime() + datetime.timedelta(days=3)).replace(hour=15, minute=0)
    calls = page.get_by_test_id("call-form")
    calls.get_by_label("When").fill(when.strftime("%Y-%m-%dT%H:%M"))
    calls.get_by_label("Agenda").fill("Their admins want to see provisioning at 2,000 users")
    calls.get_by_role("button", name="Open to product managers").click()
    expect(page.get_by_test_id("deal-calls")).to_contain_text("0 of 2 PM seats taken")

    # 3. The PM reads the intel in the feed and signs up to the call from the calls list.
    pm = signed_in(product_manager)
    pm.goto("/competition/intel/")
    expect(pm.get_by_text(OFFERED)).to_be_visible()
    pm.goto("/calls/")
    upcoming = pm.get_by_test_id("upcoming-calls")
    expect(upcoming).to_contain_text("Bluewater renewal")
    upcoming.get_by_role("link").first.click()
    pm.get_by_test_id("join").click()
    expect(pm.get_by_test_id("attendees")).to_contain_text(product_manager.get_full_name())
    assert CallAttendee.objects.filter(product_manager=product_manager, call__opportunity=deal).exists()

    page.goto(deal_url)
    expect(page.get_by_test_id("deal-calls")).to_contain_text("1 of 2 PM seats taken")
