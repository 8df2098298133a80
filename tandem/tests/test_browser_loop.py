"""The whole core loop in Chromium, as four people each in their own browser (issue 4, "Done means").

A rep logs an ask on a deal; the product manager links it to a suggested feature (an earlier
duplicate ask is suggested too) and defers it; the rep's sales manager escalates; an executive
rules it planned for a release; the product manager ships the release; the rep is told, in the
app and by email through a real SMTP server, with the deal to re-engage.
"""

import datetime
import re
from email.header import decode_header, make_header

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tandem.asks.models import Ask
from tandem.asks.tests.factories import AskFactory
from tandem.core.fiscal import business_days_after
from tandem.product.models import Feature, Release
from tandem.product.tests.factories import FeatureFactory, ProductFactory, ReleaseFactory
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

NEED = "Export the audit log to Splunk so their security team can review every sign-in"
# Logged by another rep three days earlier, worded nearly the same: the duplicate the PM should be shown.
EARLIER = "Export the audit log to Splunk so the security team can review all sign-ins"
DEFERRED = "Not before the audit log rework next quarter: today's events have no stable schema to export."
RULING = "Northwind's renewal hangs on it and the export can reuse the new event schema. Plan it."


@pytest.mark.browser
def test_an_ask_goes_round_the_whole_loop(
    live_server, signed_in, smtp, rep, other_rep, outsider_rep, sales_manager, product_manager, executive
):
    product = ProductFactory(name="Tandem Cloud", manager=product_manager)
    release = ReleaseFactory(product=product, name="2027.2")
    feature = FeatureFactory(
        product=product,
        title="Audit log export to Splunk",
        description="Stream sign-ins and permission changes from the audit log to Splunk or another SIEM.",
        visibility=Feature.Visibility.SALES,
    )
    AskFactory(  # wording the PM linked before: evidence for the feature
        opportunity=OpportunityFactory(account=AccountFactory(owner=outsider_rep, name="Initech")),
        need="Send our audit trail of admin changes to Splunk",
        feature=feature,
        status=Ask.Status.LINKED,
    )
    earlier = AskFactory(
        opportunity=OpportunityFactory(account=AccountFactory(owner=other_rep, name="Globex")),
        need=EARLIER,
        created_at=timezone.now() - datetime.timedelta(days=3),
    )
    deal = OpportunityFactory(name="Northwind renewal", account=AccountFactory(owner=rep, name="Northwind"))

    # 1. The rep logs the ask on their deal, without a page reload.
    rep_page = signed_in(rep)
    rep_page.goto(f"/pipeline/opportunities/{deal.pk}/")
    rep_page.evaluate("window.notReloaded = true")
    form = rep_page.get_by_test_id("ask-form")
    form.get_by_label("What the customer needs").fill(NEED)
    form.get_by_label("Importance").select_option("blocker")
    form.get_by_role("button", name="Log ask").click()
    expect(rep_page.get_by_test_id("ask-logged")).to_be_visible()
    expect(rep_page.get_by_test_id("logged-asks")).to_contain_text(NEED)
    assert rep_page.evaluate("window.notReloaded") is True
    ask = Ask.objects.get(opportunity=deal)

    # 2. The PM finds it first in the inbox, with the feature and the earlier duplicate suggested, and links it.
    pm_page = signed_in(product_manager)
    pm_page.goto("/asks/inbox/")
    panel = pm_page.get_by_test_id("triage-panel")
    expect(panel.get_by_test_id("panel-need")).to_have_text(NEED)
    suggestions = panel.get_by_test_id("suggestions")
    suggested_feature = suggestions.locator("li").filter(has=pm_page.get_by_test_id("link-suggested"))
    expect(suggested_feature.filter(has_text=feature.title)).to_have_count(1)
    expect(suggestions.locator("li").filter(has_text=EARLIER).get_by_test_id("merge-suggested")).to_be_visible()
    suggested_feature.filter(has_text=feature.title).get_by_role("button", name="Link").click()
    expect(pm_page.get_by_test_id("triage-message")).to_contain_text(f"Linked to “{feature.title}”")
    expect(pm_page.get_by_test_id("panel-need")).to_have_text(EARLIER)  # on to the next ask

    # ... and defers it, with the rationale the rep will read.
    pm_page.goto(f"/asks/{ask.pk}/")
    decide(pm_page, outcome="Later", rationale=DEFERRED)
    expect(pm_page.get_by_test_id("latest-decision")).to_contain_text("Later")

    # 3. The rep's sales manager hears of it and escalates it.
    manager_page = signed_in(sales_manager)
    manager_page.goto("/notifications/")
    manager_page.get_by_role("link", name=re.compile(r"^Later: Export the audit log")).click()
    expect(manager_page).to_have_url(re.compile(rf"/asks/{ask.pk}/$"))
    escalation = manager_page.get_by_test_id("escalation-form")
    escalation.get_by_label("Reason").fill("Northwind renews in March and their CISO made this a condition.")
    escalation.get_by_role("button", name="Escalate").click()
    expect(manager_page.get_by_test_id("escalation")).to_contain_text("Escalated by")

    # 4. The executive finds it under Escalations, with its due date, and rules it planned for 2027.2.
    exec_page = signed_in(executive)
    exec_page.goto("/")
    exec_page.get_by_role("navigation", name="Main").get_by_role("link", name="Escalations").click()
    due = business_days_after(timezone.localdate(), 5)
    row = exec_page.get_by_test_id("escalation-table").locator("tr").filter(has_text="Northwind")
    expect(row).to_contain_text(f"{due:%Y-%m-%d}")
    row.get_by_role("link", name=re.compile("Export the audit log")).click()
    decide(exec_page, outcome="Planned", rationale=RULING, release=release, submit="Record the ruling")
    expect(exec_page.get_by_test_id("latest-decision")).to_contain_text("Planned for Tandem Cloud 2027.2")

    # 5. The PM ships the release from the roadmap.
    pm_page.goto("/product/roadmap/")
    pm_page.get_by_test_id("release").filter(has_text="Tandem Cloud 2027.2").get_by_test_id("mark-shipped").click()
    pm_page.get_by_test_id("confirm-ship").click()
    expect(pm_page.get_by_role("alert")).to_contain_text("Tandem Cloud 2027.2 is shipped")
    release.refresh_from_db()
    assert release.status == Release.Status.SHIPPED

    # 6. The rep sees three unread notifications: the deferral, the ruling and the ship, with the deal to re-engage.
    rep_page.goto("/")
    expect(rep_page.get_by_test_id("unread-count")).to_have_text("3")
    rep_page.get_by_test_id("notification-bell").click()
    notices = rep_page.get_by_test_id("notification")
    expect(notices).to_have_count(3)
    expect(notices.nth(1)).to_contain_text(RULING)
    shipped = notices.filter(has_text="Shipped: Tandem Cloud 2027.2")
    expect(shipped).to_contain_text("Re-engage your 1 open deal that asked")
    shipped.get_by_test_id("notification-links").get_by_role("link", name="Northwind renewal").click()
    expect(rep_page).to_have_url(re.compile(rf"/pipeline/opportunities/{deal.pk}/$"))
    expect(rep_page.get_by_role("heading", name="Northwind renewal")).to_be_visible()

    # The same reached the rep's mailbox through the SMTP server, rationales included.
    mails = {
        str(make_header(decode_header(m["Subject"]))): m.get_payload(decode=True).decode()
        for m in smtp.messages
        if m["To"] == rep.email
    }
    assert len(mails) == 3
    ruling_mail = next(body for subject, body in mails.items() if subject.startswith("Tandem: Planned for"))
    assert RULING in ruling_mail
    deferral_mail = next(body for subject, body in mails.items() if subject.startswith("Tandem: Later:"))
    assert DEFERRED in deferral_mail
    assert (
        f"https://tandem.example.com/pipeline/opportunities/{deal.pk}/" in mails["Tandem: Shipped: Tandem Cloud 2027.2"]
    )
    earlier.refresh_from_db()
    assert earlier.status == Ask.Status.NEW  # only suggested: it waits in the inbox for its own triage


def decide(page: Page, *, outcome: str, rationale: str, release: Release | None = None, submit: str = "") -> None:
    """Fill and send the decision form of the ask page (htmx redraws the section in place)."""
    form = page.get_by_test_id("decision-form")
    form.get_by_label("Outcome").select_option(label=outcome)
    if release is not None:
        form.get_by_label("Release").select_option(str(release.pk))
    form.get_by_label("Rationale").fill(rationale)
    form.get_by_role("button", name=submit or "Record decision").click()
