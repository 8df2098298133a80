"""Each role signs in through the login form, lands on its own home page, and signs out."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tandem.conftest import PASSWORD
from tandem.core.roles import Role

RESULTS = Path("test-results")

HEADINGS = {
    Role.REP: "My open deals closing this quarter",
    Role.SALES_MANAGER: "Team forecast this quarter",
    Role.PRODUCT_MANAGER: "Asks waiting for triage",
    Role.ENGINEERING_LEAD: "Planned work without an effort estimate",
    Role.EXECUTIVE: "Recent decisions",
    Role.ADMIN: "Teams without a manager",
}


@pytest.fixture
def screenshot_on_failure(page: Page, request):
    """Keep a picture of the page when the test fails, to look at afterwards."""
    yield
    # pytest-playwright records each phase's report on the test item.
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS / f"{request.node.name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_sees_its_own_home_and_signs_out(
    live_server, page: Page, user_with_role, screenshot_on_failure, role
):
    user = user_with_role(role)
    # A long name, so the navbar's fit below does not depend on the one the factory drew.
    user.first_name = "Bartholomew-Maximilian"
    user.save(update_fields=["first_name"])
    page.set_viewport_size({"width": 1440, "height": 900})

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/auth/login/?next=/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id(f"home-{role}")).to_be_visible()
    expect(page.get_by_role("heading", name=HEADINGS[role])).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_contain_text(user.get_role_display())
    # Bootstrap and our stylesheet are served and applied: the navbar has the brand colour.
    navbar = page.locator("nav.navbar")
    expect(navbar).to_have_css("background-color", "rgb(31, 58, 95)")
    expect(page.locator("nav.navbar .nav-link.active")).to_have_text("Home")
    # Every role's navbar fits the narrower laptop screen without a sideways scroll.
    for width in (1440, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") == width

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("sign-out").click()

    expect(page).to_have_url(f"{live_server.url}/auth/login/")
    expect(page.get_by_role("heading", name="Sign in to Tandem")).to_be_visible()
