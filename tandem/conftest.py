"""Fixtures shared by every app's tests: one named user per role, and a team around them.

`rep` and `other_rep` sit in `sales_manager`'s team; `outsider_rep` is in another team, so tests
can show that records of another team stay invisible.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from tandem.core.roles import Role
from tandem.people.models import Team, User, admin_site_access
from tandem.people.tests.factories import TeamFactory, UserFactory
from tandem.tests.smtp import Inbox, smtp_server

if TYPE_CHECKING:
    from playwright.sync_api import Page

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Each test starts with an empty cache: figures one test's pages kept must not answer another's
    (ids repeat between tests)."""
    cache.clear()


@pytest.fixture
def sales_manager(db) -> User:
    return UserFactory(username="sam.manager", role=Role.SALES_MANAGER)


@pytest.fixture
def sales_team(sales_manager) -> Team:
    team = TeamFactory(name="Enterprise East", manager=sales_manager)
    sales_manager.team = team
    sales_manager.save(update_fields=["team"])
    return team


@pytest.fixture
def rep(sales_team) -> User:
    return UserFactory(username="rita.rep", role=Role.REP, team=sales_team)


@pytest.fixture
def other_rep(sales_team) -> User:
    return UserFactory(username="rob.rep", role=Role.REP, team=sales_team)


@pytest.fixture
def outsider_rep(db) -> User:
    other_manager = UserFactory(username="olga.manager", role=Role.SALES_MANAGER)
    return UserFactory(username="otto.rep", role=Role.REP, team=TeamFactory(name="SMB West", manager=other_manager))


@pytest.fixture
def product_manager(db) -> User:
    return UserFactory(username="pia.pm", role=Role.PRODUCT_MANAGER)


@pytest.fixture
def engineering_lead(db) -> User:
    return UserFactory(username="eli.eng", role=Role.ENGINEERING_LEAD)


@pytest.fixture
def executive(db) -> User:
    return UserFactory(username="eve.exec", role=Role.EXECUTIVE)


@pytest.fixture
def admin_user(db) -> User:
    return UserFactory(username="ada.admin", role=Role.ADMIN, **admin_site_access(Role.ADMIN))


@pytest.fixture
def user_with_role(rep, sales_manager, product_manager, engineering_lead, executive, admin_user):
    """Look up the fixed user of a role: `user_with_role(Role.REP)`."""
    users = {
        Role.REP: rep,
        Role.SALES_MANAGER: sales_manager,
        Role.PRODUCT_MANAGER: product_manager,
        Role.ENGINEERING_LEAD: engineering_lead,
        Role.EXECUTIVE: executive,
        Role.ADMIN: admin_user,
    }
    return users.__getitem__


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    """A real SMTP server that Django's mail goes to; `smtp.messages` holds what it received."""
    with smtp_server() as inbox:
        yield inbox


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium; never `playwright install`.
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    }


@pytest.fixture
def signed_in(new_context, live_server, request) -> Iterator[Callable[..., "Page"]]:
    """`signed_in(user, width=1440)` → a page in a browser context of its own, signed in as that user,
    as wide as a desktop screen or (width=390) a phone.

    The session cookie is made as the login page makes it (the login page itself is tested in
    test_browser_home.py), so a test can play several people at once, each in their own browser.
    When the test fails, each person's page is saved under test-results/ to look at.
    """
    pages: list[tuple[str, Page]] = []

    def open_page(user: User, width: int = 1440) -> "Page":
        client = Client()
        client.force_login(user)
        context = new_context(
            base_url=live_server.url, viewport={"width": width, "height": 900 if width > 600 else 844}
        )
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        page = context.new_page()
        pages.append((user.username, page))
        return page

    yield open_page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        Path("test-results").mkdir(exist_ok=True)
        for username, page in pages:
            page.screenshot(path=f"test-results/{request.node.name}-{username}.png", full_page=True)
