import datetime
import time

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.core.context_processors import AREAS, navigation
from tandem.core.roles import Role
from tandem.decisions.tests.factories import EscalationFactory
from tandem.notifications.services import notification_mark_read, notify
from tandem.notifications.tests.factories import NotificationFactory
from tandem.people.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def labels_for(user, path="/"):
    request = RequestFactory().get(path)
    request.user = user
    return [item for group in navigation(request)["nav_groups"] for item in group.items]


def test_every_area_of_the_navigation_resolves():
    for area in AREAS:
        reverse(area.url_name)


def groups_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return {group.label: [item.label for item in group.items] for group in navigation(request)["nav_groups"]}


SALES_TEAM = ["Leads", "Pipeline", "Accounts", "Forecast"]
LEADERSHIP = [*SALES_TEAM, "Annual target", "Attainment", "Territories", "Coaching", "Dashboards"]
PRODUCT = ["Features", "Roadmap", "Sales roadmap", "Releases", "Launches", "Products"]
PRODUCT_PLANNING = ["Features", "Roadmap", "Sales roadmap", "Releases", "Launches", "Planning", "Products"]
SHARED = ["Commitments", "Customer calls", "Competition", "Reviews"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            Role.REP,
            {
                "Home": ["Home"],
                "Sales": [*SALES_TEAM, "Quotas", "Attainment", "Territories", "Coaching", "Dashboards"],
                "Product": PRODUCT,
                "Together": ["Asks", "Escalations", *SHARED, "Product digest"],
            },
        ),
        (
            Role.EXECUTIVE,
            {
                "Home": ["Home"],
                "Sales": LEADERSHIP,
                "Product": PRODUCT_PLANNING,
                "Together": ["Asks", "Escalations", *SHARED, "Scorecards", "Product digest"],
                "Audit": ["Audit"],
            },
        ),
        (
            Role.ENGINEERING_LEAD,
            {"Home": ["Home"], "Product": PRODUCT_PLANNING, "Together": ["Asks", "Competition", "Reviews"]},
        ),
        (
            Role.ADMIN,
            {
                "Home": ["Home"],
                "Sales": LEADERSHIP,
                "Product": PRODUCT_PLANNING,
                "Together": ["Asks", "Inbox", *SHARED, "Scorecards", "Product digest"],
                "Audit": ["Audit"],
            },
        ),
    ],
)
def test_navigation_groups_the_areas_the_role_may_open(user_with_role, role, expected):
    assert groups_for(user_with_role(role)) == expected


def test_the_longest_matching_area_is_the_active_one(rep):
    items = labels_for(rep, reverse("sales:account_list"))

    assert [item.label for item in items if item.active] == ["Accounts"]


def test_home_is_active_only_on_the_home_page(rep):
    assert [i.label for i in labels_for(rep, "/") if i.active] == ["Home"]
    assert [i.label for i in labels_for(rep, "/me/") if i.active] == []


def test_signed_out_visitors_get_no_navigation(client):
    assert "nav_groups" not in (client.get(reverse("login")).context or {})


def test_the_escalations_link_counts_the_overdue_ones_concerning_me(client, executive, admin_user):
    overdue = timezone.localdate() - datetime.timedelta(days=2)
    EscalationFactory.create_batch(2, due_date=overdue)
    EscalationFactory(due_date=overdue, executive=UserFactory(role=Role.EXECUTIVE))  # went to someone else
    EscalationFactory()  # not due yet

    client.force_login(executive)
    page = client.get(reverse("dashboards:home")).content.decode()
    assert 'data-testid="nav-overdue" title="2 overdue"' in page

    client.force_login(admin_user)  # admins are not concerned: no link, no count
    page = client.get(reverse("dashboards:home")).content.decode()
    assert "nav-overdue" not in page
    assert reverse("decisions:escalation_list") not in page


def test_htmx_partials_do_not_pay_for_the_overdue_count(client, executive):
    EscalationFactory(due_date=timezone.localdate() - datetime.timedelta(days=2))
    client.force_login(executive)
    url = reverse("decisions:escalation_list")
    client.get(url)

    with CaptureQueriesContext(connection) as queries:
        client.get(url, headers={"HX-Request": "true"})

    assert not [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    return page, [q["sql"] for q in queries.captured_queries if "notifications_notification" in q["sql"]]


@pytest.fixture
def kept_counts(settings):
    settings.NAVIGATION_COUNTS_FRESH_SECONDS = 20


def test_the_bell_is_counted_once_then_kept_until_a_notice_or_a_read_changes_it(client, rep, kept_counts):
    """Pages within a few seconds reuse the counts; a new notice or marking read shows at once."""
    client.force_login(rep)
    home = reverse("dashboards:home")
    page, counted = _count_queries(client, home)
    assert counted
    assert 'data-testid="unread-count"' not in page

    page, counted = _count_queries(client, home)
    assert not counted, "the second page read the counts again"

    (notice,) = notify(recipients=[rep], kind="decision", title="A decision on your ask", body="")
    page, counted = _count_queries(client, home)
    assert counted
    assert 'data-testid="unread-count">1</span>' in page

    notification_mark_read(actor=rep, notification=notice)
    page, _ = _count_queries(client, home)
    assert 'data-testid="unread-count"' not in page


def test_the_kept_counts_are_forgotten_after_a_few_seconds(client, rep, monkeypatch, settings, kept_counts):
    client.force_login(rep)
    client.get(reverse("dashboards:home"))
    NotificationFactory(recipient=rep)  # written behind the services' back, as an import would
    later = time.time() + settings.NAVIGATION_COUNTS_FRESH_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert 'data-testid="unread-count">1</span>' in client.get(reverse("dashboards:home")).content.decode()


def test_the_notifications_page_counts_afresh(client, rep, kept_counts):
    client.force_login(rep)
    client.get(reverse("dashboards:home"))
    NotificationFactory(recipient=rep)
    page = client.get(reverse("notifications:notification_list")).content.decode()
    assert "1 unread" in page
    assert 'data-testid="unread-count">1</span>' in page
