import pytest
from django.test import RequestFactory
from django.urls import reverse

from tandem.core.context_processors import AREAS, navigation
from tandem.core.roles import Role

pytestmark = pytest.mark.django_db


def labels_for(user, path="/"):
    request = RequestFactory().get(path)
    request.user = user
    return navigation(request)["nav_items"]


def test_every_area_of_the_navigation_resolves():
    for _label, url_name, _icon, _permission in AREAS:
        reverse(url_name)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.REP, ["Home", "Pipeline", "Accounts", "Asks", "Features", "Roadmap", "Dashboards"]),
        (Role.ENGINEERING_LEAD, ["Home", "Asks", "Features", "Roadmap"]),
        (Role.ADMIN, ["Home", "Pipeline", "Accounts", "Asks", "Inbox", "Features", "Roadmap", "Dashboards", "Admin"]),
    ],
)
def test_navigation_shows_the_areas_the_role_may_open(user_with_role, role, expected):
    assert [item.label for item in labels_for(user_with_role(role))] == expected


def test_the_longest_matching_area_is_the_active_one(rep):
    items = labels_for(rep, reverse("sales:account_list"))

    assert [item.label for item in items if item.active] == ["Accounts"]


def test_home_is_active_only_on_the_home_page(rep):
    assert [i.label for i in labels_for(rep, "/") if i.active] == ["Home"]
    assert [i.label for i in labels_for(rep, "/me/") if i.active] == []


def test_signed_out_visitors_get_no_navigation(client):
    assert "nav_items" not in (client.get(reverse("login")).context or {})
