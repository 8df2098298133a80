"""In the browser: a rep logs an ask on a deal without a reload, and a PM triages it in the inbox."""

import pytest
from playwright.sync_api import Page, expect

from tandem.asks.models import Ask
from tandem.asks.tests.factories import AskFactory
from tandem.conftest import PASSWORD
from tandem.product.models import Feature
from tandem.product.tests.factories import FeatureFactory
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory


def sign_in(page: Page, url: str, user) -> None:
    page.goto(f"{url}/auth/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.browser
def test_rep_logs_an_ask_and_pm_links_it_then_sees_the_next(live_server, page: Page, rep, product_manager):
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep), name="Acme expansion")
    feature = FeatureFactory(title="Okta single sign-on", visibility=Feature.Visibility.SALES)
    waiting = AskFactory(need="Export the pipeline to Excel")
    page.set_viewport_size({"width": 1440, "height": 900})

    sign_in(page, live_server.url, rep)
    page.goto(f"{live_server.url}/pipeline/opportunities/{deal.pk}/")
    page.evaluate("window.notReloaded = true")
    form = page.get_by_test_id("ask-form")
    form.get_by_label("What the customer needs").fill("Single sign-on with Okta for every employee")
    form.get_by_label("Importance").select_option("blocker")
    form.get_by_placeholder("Type a few words to find a feature").fill("okta sign-on")
    page.get_by_label("Okta single sign-on").check()
    form.get_by_role("button", name="Log ask").click()
    expect(page.get_by_test_id("ask-logged")).to_be_visible()
    expect(page.get_by_test_id("logged-asks")).to_contain_text("Single sign-on with Okta")
    expect(page.get_by_label("What the customer needs")).to_have_value("")
    assert page.evaluate("window.notReloaded") is True
    ask = Ask.objects.get(opportunity=deal)
    assert (ask.feature, ask.status) == (feature, Ask.Status.NEW)

    page.context.clear_cookies()
    sign_in(page, live_server.url, product_manager)
    page.goto(f"{live_server.url}/asks/inbox/")
    panel = page.get_by_test_id("triage-panel")
    expect(panel).to_contain_text("Single sign-on with Okta")  # newest first, loaded into the panel
    panel.get_by_test_id("rep-pick").get_by_role("button", name="Confirm").click()
    expect(page.get_by_test_id("triage-message")).to_contain_text("Linked to “Okta single sign-on”")
    expect(page.get_by_test_id("triage-panel")).to_contain_text(waiting.need)
    expect(page.locator(f"#inbox-ask-{ask.pk}")).to_have_count(0)
    expect(page.get_by_test_id("inbox-count")).to_have_text("1")
    ask.refresh_from_db()
    assert ask.status == Ask.Status.LINKED
