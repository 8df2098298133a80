"""Notifications in the app: mine only, newest first, the bell's unread count, marking read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.core.api import token_digest, token_generate
from tandem.notifications.models import Notification
from tandem.notifications.selectors import notification_visible
from tandem.notifications.services import notify
from tandem.notifications.tests.factories import NotificationFactory
from tandem.people.models import ApiToken
from tandem.people.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_notify_writes_one_row_per_active_person_and_skips_repeats(rep, other_rep):
    gone = UserFactory(is_active=False)

    notify(recipients=[rep, other_rep, rep, gone], kind="decision", title="Declined: SSO", body="Why", url="/x/")

    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == sorted(
        [rep.username, other_rep.username]
    )


def test_each_person_sees_only_their_own_notifications(rep, other_rep):
    mine = NotificationFactory(recipient=rep)
    NotificationFactory(recipient=other_rep)

    assert list(notification_visible(user=rep)) == [mine]


def test_the_bell_shows_my_unread_count(client, rep):
    NotificationFactory.create_batch(3, recipient=rep)
    NotificationFactory(recipient=rep, read_at="2027-01-01T00:00:00Z")
    client.force_login(rep)

    page = client.get(reverse("dashboards:home")).content.decode()

    assert 'data-testid="unread-count">3</span>' in page


def test_the_list_is_newest_first_with_unread_highlighted(client, rep):
    old = NotificationFactory(recipient=rep, title="Old news", read_at="2027-01-01T00:00:00Z")
    new = NotificationFactory(recipient=rep, title="Fresh news")
    client.force_login(rep)

    page = client.get(reverse("notifications:notification_list")).content.decode()

    assert page.index("Fresh news") < page.index("Old news")
    assert f'id="notification-{new.pk}" data-testid="notification" data-unread="true"' in page.replace(
        'class="list-group-item list-group-item-primary" ', ""
    )
    assert old.pk


def test_marking_one_read_with_htmx_updates_it_and_the_bell(client, rep):
    first, second = NotificationFactory.create_batch(2, recipient=rep)
    client.force_login(rep)

    response = client.post(reverse("notifications:notification_read", args=[first.pk]), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert 'hx-swap-oob="true"' in html
    assert 'data-testid="unread-count">1</span>' in html
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None


def test_mark_all_read(client, rep, other_rep):
    NotificationFactory.create_batch(2, recipient=rep)
    theirs = NotificationFactory(recipient=other_rep)
    client.force_login(rep)

    client.post(reverse("notifications:notification_read_all"))

    assert not Notification.objects.filter(recipient=rep, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def queries(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **headers).status_code == 200
    return len(captured)


def test_the_page_and_the_api_cost_the_same_queries_for_1_or_10(client, rep):
    key = token_generate()
    ApiToken.objects.create(user=rep, name="t", prefix=key[:8], digest=token_digest(key))
    client.force_login(rep)
    client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}")  # the token's first use records itself
    NotificationFactory(recipient=rep, links=[["Acme", "/pipeline/opportunities/1/"]])
    page_one = queries(client, reverse("notifications:notification_list"))
    api_one = queries(client, "/api/notifications", HTTP_AUTHORIZATION=f"Bearer {key}")
    NotificationFactory.create_batch(9, recipient=rep, links=[["Acme", "/pipeline/opportunities/1/"]])
    assert queries(client, reverse("notifications:notification_list")) == page_one
    assert queries(client, "/api/notifications", HTTP_AUTHORIZATION=f"Bearer {key}") == api_one


def test_the_api_lists_only_unread_when_asked(client, rep):
    key = token_generate()
    ApiToken.objects.create(user=rep, name="t", prefix=key[:8], digest=token_digest(key))
    NotificationFactory(recipient=rep, title="Unread one")
    NotificationFactory(recipient=rep, title="Read one", read_at="2027-01-01T00:00:00Z")

    items = client.get("/api/notifications", {"unread": "true"}, HTTP_AUTHORIZATION=f"Bearer {key}").json()["items"]

    assert [item["title"] for item in items] == ["Unread one"]


def test_opening_a_notification_follows_its_link_and_marks_it_read(client, rep):
    notification = NotificationFactory(
        recipient=rep, url="/asks/7/", links=[["Acme renewal", "/pipeline/opportunities/3/"]]
    )
    client.force_login(rep)

    opened = client.get(reverse("notifications:notification_open", args=[notification.pk]))
    listed = client.get(reverse("notifications:notification_open", args=[notification.pk]), {"link": "0"})

    assert opened["Location"] == "/asks/7/"
    assert listed["Location"] == "/pipeline/opportunities/3/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert 'data-testid="unread-count"' not in client.get(reverse("notifications:notification_list")).content.decode()


def test_a_notification_never_sends_its_reader_off_site(client, rep):
    notification = NotificationFactory(recipient=rep, url="https://evil.example/", links=[["x", "//evil.example/"]])
    client.force_login(rep)

    for params in ({}, {"link": "0"}, {"link": "9"}, {"link": "x"}):
        response = client.get(reverse("notifications:notification_open", args=[notification.pk]), params)
        assert response["Location"] == reverse("notifications:notification_list")


def test_the_page_reads_the_unread_count_once_for_its_summary_and_the_bell(client, rep):
    NotificationFactory.create_batch(3, recipient=rep)
    client.force_login(rep)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("notifications:notification_list")).content.decode()
    assert "3 unread" in page
    assert 'data-testid="unread-count"' in page
    unread_counts = [q["sql"] for q in captured if "COUNT" in q["sql"].upper() and "notification" in q["sql"]]
    assert len(unread_counts) == 1, unread_counts
