"""The whole core loop in Chromium as people meet it, on a desktop screen and on a phone (issue 14).

A rep logs an ask on a deal; the product manager links it to the feature Tandem suggests and
declines it; the rep's sales manager finds it from a notification that names it, and escalates; the
executive rules it planned for a release; the product manager ships the release; the rep opens the
notification, sees the shipped feature's sales view with the deal to re-engage, and the
notification reads as read. After each write, the page it was made on shows the new state without a
reload. Emails go through a real SMTP server.
"""

import datetime
import re
from email.header import decode_header, make_header

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tandem.asks.models import Ask
from tandem.asks.tests.factories import AskFactory
from tandem.core import formats
from tandem.core.fiscal import business_days_after
from tandem.product.models import Feature, Release
from tandem.product.tests.factories import FeatureFactory, ProductFactory, ReleaseFactory
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

NEED = "Export the audit log to Splunk so their security team can review every sign-in"
# Logged by another rep three days earlier, worded nearly the same: the duplicate the PM should be shown.
EARLIER = "Export the audit log to Splunk so the security team can review all sign-ins"
DECLINED = "Not before the audit log rework: today's events have no stable schema to export."
RULING = "Northwind's renewal hangs on it and the export can reuse the new event schema. Plan it."


@pytest.mark.browser
@pytest.mark.parametrize("width", [1440, 390], ids=["desktop", "phone"])
def test_an_ask_goes_round_the_whole_loop(
    width, live_server, signed_in, smtp, rep, other_rep, outsider_rep, sales_manager, product_manager, executive
):
    product = ProductFactory(name="Tandem Cloud", manager=product_manager)
    release = ReleaseFactory(product=product, name="2027.2")
    feature = FeatureFactory(  # internal: the rep follows it only through their customer's ask
        product=product,
        title="Audit log export to Splunk",
        description="Stream sign-ins and permission changes from the audit log to Splunk or another SIEM.",
        visibility=Feature.Visibility.INTERNAL,
        sales_say="It ships with the audit log rework: show the export in the demo once it does.",
    )
    AskFactory(  # wording the PM linked before: evidence for the feature
        opportunity=OpportunityFactory(account=AccountFactory(owner=outsider_rep, name="Initech")),
        need="Send our audit trail of admin changes to Splunk",
        feature=feature,
        status=Ask.Status.LINKED,
    )
    AskFactory(
        opportunity=OpportunityFactory(account=AccountFactory(owner=other_rep, name="Globex")),
        need=EARLIER,
        created_at=timezone.now() - datetime.timedelta(days=3),
    )
    deal = OpportunityFactory(name="Northwind renewal", account=AccountFactory(owner=rep, name="Northwind"))

    # 1. The rep logs the ask on their deal, without a page reload.
    rep_page = signed_in(rep, width)
    rep_page.goto(f"/pipeline/opportunities/{deal.pk}/")
    rep_page.evaluate("window.notReloaded = true")
    form = rep_page.get_by_test_id("ask-form")
    form.get_by_label("What the customer needs").fill(NEED)
    form.get_by_label("Importance").select_option("blocker")
    form.get_by_role("button", name="Log ask").click()
    expect(rep_page.get_by_test_id("ask-logged")).to_be_visible()
    logged = rep_page.get_by_test_id("logged-asks").locator("li").filter(has_text=NEED)
    expect(logged.locator("[data-status=new]")).to_be_visible()
    assert rep_page.evaluate("window.notReloaded") is True
    ask = Ask.objects.get(opportunity=deal)

    # 2. The PM finds it first in the inbox, with the feature and the earlier duplicate suggested, and links it;
    # focus goes to what was done, not to the next ask's buttons, and the row leaves the list.
    pm_page = signed_in(product_manager, width)
    pm_page.goto("/asks/inbox/")
    panel = pm_page.get_by_test_id("triage-panel")
    expect(panel.get_by_test_id("panel-need")).to_have_text(NEED)
    suggestions = panel.get_by_test_id("suggestions")
    suggested = suggestions.locator("li").filter(has=pm_page.get_by_test_id("link-suggested"))
    expect(suggested.filter(has_text=feature.title)).to_have_count(1)
    expect(suggestions.locator("li").filter(has_text=EARLIER).get_by_test_id("merge-suggested")).to_be_visible()
    suggested.filter(has_text=feature.title).get_by_role("button", name="Link").click()
    message = pm_page.get_by_test_id("triage-message")
    expect(message).to_contain_text(f"Linked to “{feature.title}”")
    expect(message).to_be_focused()
    expect(message.get_by_test_id("undo")).to_be_visible()
    expect(pm_page.get_by_test_id("panel-need")).to_have_text(EARLIER)  # on to the next ask
    expect(pm_page.locator(f"#inbox-ask-{ask.pk}")).to_have_count(0)

    # ... and declines it with the rationale the rep reads: the ask's status changes where it was decided.
    pm_page.goto(f"/asks/{ask.pk}/")
    expect(pm_page.get_by_test_id("ask-state").locator("[data-status]")).to_have_attribute("data-status", "linked")
    decide(pm_page, outcome="Declined", rationale=DECLINED)
    expect(pm_page.get_by_test_id("decided")).to_contain_text("Recorded: Declined")
    expect(pm_page.get_by_test_id("ask-state").locator("[data-status]")).to_have_attribute("data-status", "declined")
    expect(pm_page.get_by_test_id("ask-state")).to_contain_text(DECLINED)
    expect(pm_page.get_by_test_id("decision-form").get_by_label("Outcome")).to_have_value("")

    # 3. The rep's sales manager is told which ask, customer and deal, opens it from the notification, escalates.
    manager_page = signed_in(sales_manager, width)
    manager_page.goto("/notifications/")
    notice = manager_page.get_by_test_id("notification").filter(has_text="Declined for Northwind")
    expect(notice).to_contain_text("Export the audit log to Splunk")
    expect(notice).to_contain_text("deal Northwind renewal")
    notice.get_by_test_id("notification-open").click()
    expect(manager_page).to_have_url(re.compile(rf"/asks/{ask.pk}/$"))
    escalation = manager_page.get_by_test_id("escalation-form")
    escalation.get_by_label("Reason").fill("Northwind renews in March and their CISO made this a condition.")
    escalation.get_by_role("button", name="Escalate").click()
    expect(manager_page.get_by_test_id("escalation")).to_contain_text("Escalated by")
    expect(manager_page.get_by_test_id("decided")).to_contain_text("Escalated to every executive")
    manager_page.goto("/notifications/")
    expect(manager_page.get_by_test_id("notification").filter(has_text="Declined for Northwind")).not_to_have_attribute(
        "data-unread", "true"
    )  # opening it was reading it

    # 4. The executive finds it among the escalations, with its due date, and rules it planned for 2027.2.
    exec_page = signed_in(executive, width)
    exec_page.goto("/decisions/escalations/")
    due = business_days_after(timezone.localdate(), 5)
    row = exec_page.get_by_test_id("escalation-table").locator("tr").filter(has_text="Northwind")
    expect(row).to_contain_text(formats.date_short(due))
    row.get_by_role("link", name=re.compile("Export the audit log")).click()
    decide(exec_page, outcome="Planned", rationale=RULING, release=release, submit="Record the ruling")
    expect(exec_page.get_by_test_id("latest-decision")).to_contain_text("Planned for Tandem Cloud 2027.2")
    expect(exec_page.get_by_test_id("ask-state").locator("[data-status]")).to_have_attribute("data-status", "planned")

    # 5. The PM ships the release from the roadmap.
    pm_page.goto("/product/roadmap/")
    pm_page.get_by_test_id("release").filter(has_text="Tandem Cloud 2027.2").get_by_test_id("mark-shipped").click()
    pm_page.get_by_test_id("confirm-ship").click()
    expect(pm_page.get_by_role("alert")).to_contain_text("Tandem Cloud 2027.2 is shipped")
    release.refresh_from_db()
    assert release.status == Release.Status.SHIPPED

    # 6. The rep has three unread notifications; the ship's opens the feature's sales view with the deal
    # to re-engage, and then reads as read.
    rep_page.goto("/")
    expect(rep_page.get_by_test_id("unread-count")).to_have_text("3")
    rep_page.goto("/notifications/")
    notices = rep_page.get_by_test_id("notification")
    expect(notices).to_have_count(3)
    shipped = notices.filter(has_text="Shipped in Tandem Cloud 2027.2")
    expect(shipped).to_contain_text("Re-engage your 1 open deal that asked")
    shipped.get_by_test_id("notification-open").click()
    expect(rep_page).to_have_url(re.compile(rf"/product/features/{feature.pk}/$"))
    sales_view = rep_page.get_by_test_id("feature-sales-view")
    expect(sales_view).to_contain_text(feature.title)
    expect(rep_page.get_by_test_id("shipped")).to_contain_text("Shipped in 2027.2")
    # Its talking points stay product's while it is internal: the rep reads the general advice.
    expect(rep_page.get_by_test_id("talking-points")).to_contain_text("That it is available now.")
    expect(rep_page.get_by_test_id("talking-points")).not_to_contain_text(feature.sales_say)
    expect(rep_page.get_by_test_id("reengage").get_by_role("link", name="Northwind renewal")).to_be_visible()
    rep_page.goto("/notifications/")
    expect(rep_page.get_by_test_id("unread-count")).to_have_text("2")
    expect(rep_page.get_by_test_id("notification").filter(has_text="Shipped in")).not_to_have_attribute(
        "data-unread", "true"
    )
    # The deal shows the ask as shipped too.
    rep_page.goto(f"/pipeline/opportunities/{deal.pk}/")
    expect(rep_page.get_by_test_id("logged-asks").locator("[data-status=shipped]")).to_contain_text("2027.2")

    # The same reached the rep's mailbox through the SMTP server, rationales included.
    mails = {
        str(make_header(decode_header(m["Subject"]))): m.get_payload(decode=True).decode()
        for m in smtp.messages
        if m["To"] == rep.email
    }
    assert len(mails) == 3
    assert DECLINED in next(body for subject, body in mails.items() if subject.startswith("Tandem: Declined for"))
    assert RULING in next(body for subject, body in mails.items() if subject.startswith("Tandem: Planned for"))
    assert "Northwind renewal: https://tandem.example.com/notifications/" in next(
        body for subject, body in mails.items() if subject.startswith("Tandem: Shipped in")
    )


def decide(page: Page, *, outcome: str, rationale: str, release: Release | None = None, submit: str = "") -> None:
    """Fill and send the decision form of the ask page (htmx redraws the section in place)."""
    form = page.get_by_test_id("decision-form")
    form.get_by_label("Outcome").select_option(label=outcome)
    if release is not None:
        form.get_by_label("Release").select_option(str(release.pk))
    form.get_by_label("Rationale").fill(rationale)
    form.get_by_role("button", name=submit or "Record decision").click()
