"""A promise to a customer from roadmap to delivery, in Chromium (issue 19, items 3 and 7).

The PM makes a feature sales-shareable with talking points on its edit page; the rep reads it on the
sales roadmap (the quarter, not the date, of a likely item) and promises it to their deal's account by
a date; the PM approves; the release ships; the deal shows the commitment
delivered, and the product digest tells the rep, on its page and by email through the SMTP server.
"""

import datetime
from email.header import decode_header, make_header

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tandem.commitments.models import Commitment
from tandem.commitments.tests.factories import CommitmentFactory
from tandem.core import formats
from tandem.product.models import Feature
from tandem.product.tests.factories import FeatureFactory, ProductFactory, ReleaseFactory
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory, StageFactory

SAY = "Okta and Azure AD work on day one."
DONT_SAY = "Do not promise SCIM provisioning."


@pytest.mark.browser
def test_a_promise_goes_from_the_roadmap_to_delivery(live_server, signed_in, smtp, rep, sales_manager, product_manager):
    product = ProductFactory(name="Tandem Cloud", manager=product_manager)
    release = ReleaseFactory(
        product=product, name="2027.2", target_date=timezone.localdate() + datetime.timedelta(days=40)
    )
    feature = FeatureFactory(product=product, title="SAML single sign-on", visibility=Feature.Visibility.INTERNAL)
    deal = OpportunityFactory(name="Acme expansion", account=AccountFactory(owner=rep, name="Acme Robotics"))

    # 1. The PM makes it sales-shareable, likely, on the release, with talking points.
    pm_page = signed_in(product_manager)
    pm_page.goto(f"/product/features/{feature.pk}/edit/")
    pm_page.get_by_label("Visibility").select_option("sales")
    pm_page.get_by_label("Confidence").select_option("likely")
    pm_page.get_by_label("Release").select_option(label="Tandem Cloud 2027.2")
    pm_page.get_by_label("Status").select_option("planned")
    pm_page.get_by_label("Sales may say").fill(SAY)
    pm_page.get_by_label("Sales must not say").fill(DONT_SAY)
    pm_page.get_by_role("button", name="Save").click()
    expect(pm_page.get_by_role("heading", name="SAML single sign-on")).to_be_visible()
    feature.refresh_from_db()
    assert feature.visibility == "sales"
    assert feature.sales_say == SAY

    # 2. The rep reads it on the sales roadmap with the PM's words, dated by quarter only (likely)…
    rep_page = signed_in(rep)
    rep_page.goto("/roadmap/sales/")
    item = rep_page.get_by_test_id("sales-item").filter(has_text="SAML single sign-on")
    expect(item).to_contain_text(SAY)
    expect(item).to_contain_text(DONT_SAY)
    expect(item.get_by_test_id("when")).not_to_contain_text(formats.date_short(release.target_date))

    # … and promises it to Acme by a date from the deal page: it waits for the PM.
    rep_page.goto(f"/pipeline/opportunities/{deal.pk}/")
    rep_page.get_by_test_id("commitment-ask-link").click()
    due = timezone.localdate() + datetime.timedelta(days=60)
    form = rep_page.get_by_test_id("commitment-form")
    form.get_by_label("Feature").select_option(label="SAML single sign-on")
    form.get_by_label("Promised by").fill(due.isoformat())
    form.get_by_label("What was promised").fill("SSO for their 400 employees before the renewal.")
    form.get_by_role("button", name="Ask to promise").click()
    card = rep_page.get_by_test_id("commitments-card")
    expect(card.get_by_test_id("commitment-state")).to_have_text("Awaiting approval")
    expect(card).to_contain_text(f"Promised by {formats.date_short(due)}")
    commitment = Commitment.objects.get()

    # 3. The PM approves it from the commitments list; on a feature the roadmap says only "likely", the
    # promise reads at risk (the product-sales review's list) until it ships.
    pm_page.goto("/commitments/?state=requested")
    pm_page.get_by_role("link", name="SAML single sign-on").click()
    pm_page.get_by_test_id("commitment-approve").click()
    expect(pm_page.get_by_test_id("commitment-state")).to_have_text("At risk")

    # 4. The PM ships the release from the roadmap.
    pm_page.goto("/product/roadmap/")
    pm_page.get_by_test_id("release").filter(has_text="Tandem Cloud 2027.2").get_by_test_id("mark-shipped").click()
    pm_page.get_by_test_id("confirm-ship").click()
    expect(pm_page.get_by_role("alert")).to_contain_text("Tandem Cloud 2027.2 is shipped")

    # 5. The deal shows the commitment delivered.
    rep_page.goto(f"/pipeline/opportunities/{deal.pk}/")
    expect(rep_page.get_by_test_id("commitments-card").get_by_test_id("commitment-state")).to_have_text("Delivered")
    commitment.refresh_from_db()
    assert commitment.status == "approved"

    # 6. The digest tells the rep: shipped, for their deal, with what to say and not say.
    rep_page.goto("/launches/digest/")
    shipped = rep_page.get_by_test_id("digest-shipped")
    expect(shipped).to_contain_text("SAML single sign-on")
    expect(shipped).to_contain_text("Acme expansion")
    expect(shipped).to_contain_text(SAY)
    expect(shipped).to_contain_text(DONT_SAY)
    digests = [
        m.get_payload(decode=True).decode()
        for m in smtp.messages
        if m["To"] == rep.email and str(make_header(decode_header(m["Subject"]))).startswith("Tandem: Product digest")
    ]
    assert len(digests) == 1
    assert "SAML single sign-on" in digests[0]
    assert "Acme expansion" in digests[0]


@pytest.mark.browser
def test_a_rep_withdraws_a_lost_deals_commitment_in_place(live_server, signed_in, rep, product_manager):
    product = ProductFactory(name="Tandem Cloud", manager=product_manager)
    feature = FeatureFactory(product=product, title="Audit log export", visibility="sales", confidence="likely")
    deal = OpportunityFactory(
        name="Globex renewal",
        owner=rep,
        account=AccountFactory(owner=rep, name="Globex"),
        stage=StageFactory(name="Closed lost", is_lost=True),
    )
    CommitmentFactory(opportunity=deal, feature=feature)

    page = signed_in(rep)
    page.goto(f"/pipeline/opportunities/{deal.pk}/")
    page.get_by_test_id("commitment-offer-withdraw").click()
    form = page.get_by_test_id("commitment-withdraw-form")
    expect(form.get_by_label("Why")).to_have_value("The deal was lost.")
    form.get_by_label("Why").fill("")
    form.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_test_id("commitment-withdraw-form")).to_contain_text("Say why it is withdrawn")
    page.get_by_test_id("commitment-withdraw-form").get_by_label("Why").fill("Lost to Initech; they will not need it.")
    page.get_by_test_id("commitment-withdraw").click()
    expect(page.get_by_test_id("commitment-state")).to_have_text("Withdrawn")
    expect(page.get_by_test_id("commitment-withdrawal")).to_contain_text("Lost to Initech")
    assert Commitment.objects.get().status == "withdrawn"
