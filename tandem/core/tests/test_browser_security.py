"""The Content-Security-Policy in Chromium: the pages that run scripts (htmx, charts, the API's
docs, the admin) work under it, and the browser reports no violation.
Two-factor sign-in, end to end, through the real forms."""

import re
from collections.abc import Callable, Iterator

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import BrowserContext, Page, expect

from tandem.asks.tests.factories import AskFactory
from tandem.conftest import PASSWORD
from tandem.product.models import Feature
from tandem.product.tests.factories import FeatureFactory, ProductFactory
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory, StageFactory

pytestmark = pytest.mark.browser

# Chromium reports each violation as a `securitypolicyviolation` event; the init script runs in the
# page before any of its own scripts, through the DevTools protocol, so the policy does not block it.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def watched(signed_in) -> Iterator[Callable[..., Page]]:
    """`watched(user)`: a signed-in page whose CSP violations and script errors the test checks at its end."""
    pages: list[Page] = []
    errors: list[str] = []

    def open_page(user) -> Page:
        page = signed_in(user)
        page.context.add_init_script(RECORD_VIOLATIONS)
        page.on("pageerror", lambda error: errors.append(str(error)))
        pages.append(page)
        return page

    yield open_page
    for page in pages:
        violations = page.evaluate("window.cspViolations || []")
        assert violations == [], f"{page.url}: {violations}"
    assert errors == []


def _wrong_code(key: bytes) -> str:
    """A 6-digit code that is none of the three the server accepts now (this step and its neighbours)."""
    accepted = {f"{totp(key, t0=shift):06d}" for shift in (-60, -30, 0, 30, 60)}
    return next(code for code in ("000000", "111111", "222222", "333333", "444444", "555555") if code not in accepted)


def _canvas_drawn(page: Page, selector: str) -> None:
    expect(page.locator(f"{selector} canvas")).to_have_count(1)
    assert page.locator(f"{selector} canvas").bounding_box()["height"] > 50


def test_charts_draw_under_the_policy(live_server, watched, sales_manager, rep, product_manager):
    stage = StageFactory(name="Discovery", order=1, default_probability=20)
    account = AccountFactory(owner=rep, name="Acme")
    deal = OpportunityFactory(account=account, owner=rep, stage=stage)
    feature = FeatureFactory(product=ProductFactory(manager=product_manager), visibility=Feature.Visibility.SALES)
    AskFactory(opportunity=deal, feature=feature)

    manager_page = watched(sales_manager)
    manager_page.goto("/dashboards/")
    _canvas_drawn(manager_page, "#chart-stages")
    _canvas_drawn(manager_page, "#chart-quarters")
    # Hovering a bar opens echarts' tooltip, which it styles from script.
    box = manager_page.locator("#chart-stages canvas").bounding_box()
    manager_page.mouse.move(box["x"] + box["width"] / 3, box["y"] + box["height"] / 2)

    pm_page = watched(product_manager)
    pm_page.goto(f"/product/features/{feature.pk}/")
    _canvas_drawn(pm_page, "#chart-ask-trend")


def test_a_stage_name_is_shown_as_text_in_the_charts_tooltip(live_server, watched, sales_manager, rep):
    """Stage names are an admin's free text; the chart's tooltip is HTML."""
    name = '<img src="x" onerror="window.injected = 1">Discovery'
    stage = StageFactory(name=name, order=1, default_probability=20)
    OpportunityFactory(account=AccountFactory(owner=rep), owner=rep, stage=stage)

    page = watched(sales_manager)
    page.goto("/dashboards/")
    _canvas_drawn(page, "#chart-stages")
    box = page.locator("#chart-stages canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] / 2)

    expect(page.get_by_text(name, exact=False)).to_be_visible()
    assert page.evaluate("window.injected") is None


def test_htmx_filters_and_searches_work_under_the_policy(live_server, watched, rep, product_manager):
    product = ProductFactory(manager=product_manager)
    FeatureFactory(product=product, title="SAML single sign-on", visibility=Feature.Visibility.SALES)
    FeatureFactory(product=product, title="Audit log export", visibility=Feature.Visibility.SALES)

    page = watched(product_manager)
    page.goto("/product/features/")
    page.evaluate("window.notReloaded = true")
    page.locator("input[name='q']").press_sequentially("SAML")
    # htmx swaps the list in place (a keyup trigger with a `from:` selector, evaluated without eval).
    expect(page.get_by_role("link", name="Audit log export")).to_have_count(0)
    expect(page.get_by_role("link", name="SAML single sign-on")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True

    rep_page = watched(rep)
    deal = OpportunityFactory(account=AccountFactory(owner=rep, name="Northwind"), owner=rep)
    rep_page.goto(f"/pipeline/opportunities/{deal.pk}/")
    form = rep_page.get_by_test_id("ask-form")
    form.get_by_label("Existing feature").fill("SAML single sign-on")
    # The first search loads the suggestion engine's model: allow it time on a busy machine.
    expect(form.get_by_role("radio", name=re.compile("^SAML single sign-on"))).to_be_visible(timeout=30_000)


def test_api_docs_and_admin_work_under_the_policy(live_server, watched, admin_user):
    page = watched(admin_user)
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Tandem API")
    page.goto("/admin/people/user/")
    expect(page.locator("#result_list")).to_be_visible()
    page.locator("#result_list tbody input.action-select").first.check()
    expect(page.locator(".action-counter")).to_contain_text("1 of")


def test_two_factor_set_up_and_sign_in_through_the_forms(live_server, new_context, rep):
    context: BrowserContext = new_context(base_url=live_server.url)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()

    def sign_in_with_password() -> None:
        page.goto("/auth/login/")
        page.get_by_label("Username").fill(rep.username)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()

    sign_in_with_password()
    expect(page).to_have_url(f"{live_server.url}/")
    page.goto("/me/")
    page.get_by_test_id("two-factor-card").get_by_role("link", name="Set up").click()
    page.get_by_test_id("two-factor-start").click()
    expect(page.locator(".qr svg")).to_be_visible()
    device = TOTPDevice.objects.get(user=rep)
    assert page.get_by_test_id("two-factor-secret").inner_text().replace(" ", "") != ""
    page.get_by_test_id("two-factor-confirm-code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    assert page.evaluate("window.cspViolations") == []

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("sign-out").click()
    sign_in_with_password()
    expect(page).to_have_url(f"{live_server.url}/auth/two-factor/")
    page.get_by_test_id("two-factor-code").fill(_wrong_code(device.bin_key))
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("This code is not right")
    page.wait_for_timeout(1100)  # after one wrong code, django-otp makes the next try wait a second
    # A later time step than the one that confirmed the set-up: django-otp takes each step once.
    page.get_by_test_id("two-factor-code").fill(f"{totp(device.bin_key, t0=-30):06d}")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("current-user")).to_be_visible()
    assert page.evaluate("window.cspViolations") == []
