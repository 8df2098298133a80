"""Every page and every API operation, for every role, against one table of expected answers.

The tables live beside each app (`tandem/<app>/tests/access.py`); a route missing from them fails
`test_every_route_is_in_the_access_table`, so no page or endpoint ships without its access rule.
A record of another team must answer 404 to sales roles, the same as a record that does not exist;
a team-mate's record that a rep reaches through one of their deals answers as its entry's
`through_deal_expected` says (reads yes, writes no).
"""

import functools
import importlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tandem.core.api import token_digest, token_generate
from tandem.core.roles import SALES_ROLES, Role
from tandem.people.models import ApiToken
from tandem.tests.access import Access
from tandem.tests.world import World, build_world

# Routes that are not ours to table: Django's admin (checked below as a whole) and the URL
# patterns ninja generates for API operations (checked by operation_id instead).
UNTABLED_NAMESPACES = ("admin", "api")
API_DOCS = {"api:openapi-json", "api:openapi-view"}


def _collect(table: str) -> dict[str, Access]:
    merged: dict[str, Access] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("tandem."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.access")
        except ModuleNotFoundError:
            continue
        entries: dict[str, Access] = getattr(module, table, {})
        overlap = merged.keys() & entries.keys()
        assert not overlap, f"{config.name} tables routes already tabled elsewhere: {sorted(overlap)}"
        merged.update(entries)
    return merged


PAGES = _collect("PAGES")
API = _collect("API")


def _url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


@functools.cache
def _api_operations() -> dict[str, tuple[str, str]]:
    """operation_id → (HTTP method, path template) from the OpenAPI document (built once: it takes
    half a second, and every API check reads it)."""
    from tandem.api import api

    schema = api.get_openapi_schema(path_prefix="/api")
    operations = {}
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            operations[operation["operationId"]] = (method.upper(), path)
    return operations


@pytest.fixture
def world(rep, outsider_rep, product_manager, other_rep) -> World:
    return build_world(rep=rep, outsider_rep=outsider_rep, product_manager=product_manager, teammate=other_rep)


def test_every_route_is_in_the_access_table():
    names = {
        name
        for name in _url_names(get_resolver())
        if not name.startswith(tuple(f"{ns}:" for ns in UNTABLED_NAMESPACES))
    }
    missing_pages = sorted(names - PAGES.keys())
    assert not missing_pages, f"Add these URL names to an app's tests/access.py PAGES: {missing_pages}"
    assert not sorted(PAGES.keys() - names), "PAGES lists URL names that no longer exist"

    operations = set(_api_operations())
    assert not sorted(operations - API.keys()), f"Add these operations to API: {sorted(operations - API.keys())}"
    assert not sorted(API.keys() - operations), "API lists operations that no longer exist"


def test_every_table_entry_names_every_role():
    for name, access in {**PAGES, **API}.items():
        assert set(access.expected) == set(Role), f"{name} does not say what every role gets"
        if access.through_deal:
            assert set(access.through_deal_expected or {}) == set(Role), f"{name}: through_deal_expected"


def _route_kwargs(access: Access, record: str) -> Any:
    """How to name the record: the rep's team's own, another team's, or a team-mate's seen through a deal."""
    build = {"own": access.kwargs, "other_team": access.other_team, "through_deal": access.through_deal}[record]
    assert build is not None
    return build


def _page_request(client: Client, name: str, access: Access, world: World, *, record: str = "own") -> Any:
    build = _route_kwargs(access, record)
    url = reverse(name, kwargs=build(world))
    data = access.data(world) if access.data else {}
    if access.method == "GET":
        return client.get(url, data)
    return client.generic(access.method, url, data=_form_encode(data), content_type="application/x-www-form-urlencoded")


def _form_encode(data: dict[str, Any]) -> str:
    from urllib.parse import urlencode

    return urlencode(data, doseq=True)


def _api_request(client: Client, operation_id: str, access: Access, world: World, key: str, *, record: str = "own"):
    method, template = _api_operations()[operation_id]
    build = _route_kwargs(access, record)
    path = template.format(**build(world))
    if access.query:
        path += "?" + _form_encode(access.query(world))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    if method == "GET":
        return client.get(path, access.data(world) if access.data else {}, **headers)
    body = json.dumps(access.data(world) if access.data else {})
    return client.generic(method, path, data=body, content_type="application/json", **headers)


@contextmanager
def _as_each_role_alone(subtests: Any, role: Role) -> Iterator[None]:
    """One role's request, reported on its own and rolled back: every role meets the same world
    (a write by one cannot change what the next sees), built once per route instead of per role."""
    with subtests.test(role=str(role)), transaction.atomic():
        yield
        transaction.set_rollback(True)


def _api_key(user: Any) -> str:
    key = token_generate()
    ApiToken.objects.create(user=user, name="test", prefix=key[:8], digest=token_digest(key))
    return key


def _status_matches(expected: int, response: Any) -> bool:
    """302 in a table means 'redirects somewhere other than the login page' (a successful form post)."""
    if expected == 302:
        return response.status_code == 302 and "/auth/login/" not in response.get("Location", "")
    return response.status_code == expected


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_answers_each_role_as_the_table_says(client, world, user_with_role, subtests, name):
    access = PAGES[name]
    for role in Role:
        with _as_each_role_alone(subtests, role):
            client.force_login(user_with_role(role))
            response = _page_request(client, name, access, world)
            assert _status_matches(access.expected[role], response), (
                f"{name} as {role}: expected {access.expected[role]}, got {response.status_code}"
            )


@pytest.mark.parametrize("name", [n for n in sorted(PAGES) if PAGES[n].other_team])
def test_page_of_another_teams_record_is_not_found_for_sales(client, world, user_with_role, subtests, name):
    access = PAGES[name]
    for role in Role:
        with _as_each_role_alone(subtests, role):
            client.force_login(user_with_role(role))
            response = _page_request(client, name, access, world, record="other_team")
            expected = (access.other_team_expected or {}).get(role)
            if expected is None:
                expected = 404 if role in SALES_ROLES else access.expected[role]
            assert _status_matches(expected, response), (
                f"{name} as {role}: expected {expected}, got {response.status_code}"
            )


@pytest.mark.parametrize("name", [n for n in sorted(PAGES) if PAGES[n].through_deal])
def test_page_of_a_teammates_record_seen_through_a_deal(client, world, user_with_role, subtests, name):
    access = PAGES[name]
    for role in Role:
        with _as_each_role_alone(subtests, role):
            client.force_login(user_with_role(role))
            response = _page_request(client, name, access, world, record="through_deal")
            expected = (access.through_deal_expected or {})[role]
            assert _status_matches(expected, response), (
                f"{name} as {role}: expected {expected}, got {response.status_code}"
            )


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_sends_anonymous_visitors_to_login_unless_public(client, world, name):
    access = PAGES[name]
    response = _page_request(client, name, access, world)
    if access.public:
        assert response.status_code in (200, 302), f"{name} is public but answered {response.status_code}"
    else:
        assert response.status_code == 302, f"{name} answered {response.status_code} to an anonymous visitor"
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("operation_id", sorted(API))
def test_api_answers_each_role_as_the_table_says(client, world, user_with_role, subtests, operation_id):
    access = API[operation_id]
    for role in Role:
        with _as_each_role_alone(subtests, role):
            response = _api_request(client, operation_id, access, world, _api_key(user_with_role(role)))
            assert response.status_code == access.expected[role], (
                f"{operation_id} as {role}: expected {access.expected[role]}, got {response.status_code}: "
                f"{response.content[:300]!r}"
            )


@pytest.mark.parametrize("operation_id", [o for o in sorted(API) if API[o].other_team])
def test_api_record_of_another_team_is_not_found_for_sales(client, world, user_with_role, subtests, operation_id):
    access = API[operation_id]
    for role in Role:
        with _as_each_role_alone(subtests, role):
            key = _api_key(user_with_role(role))
            response = _api_request(client, operation_id, access, world, key, record="other_team")
            expected = (access.other_team_expected or {}).get(role)
            if expected is None:
                expected = 404 if role in SALES_ROLES else access.expected[role]
            assert response.status_code == expected, (
                f"{operation_id} as {role}: expected {expected}, got {response.status_code}"
            )


@pytest.mark.parametrize("operation_id", [o for o in sorted(API) if API[o].through_deal])
def test_api_record_of_a_teammate_seen_through_a_deal(client, world, user_with_role, subtests, operation_id):
    access = API[operation_id]
    for role in Role:
        with _as_each_role_alone(subtests, role):
            key = _api_key(user_with_role(role))
            response = _api_request(client, operation_id, access, world, key, record="through_deal")
            expected = (access.through_deal_expected or {})[role]
            assert response.status_code == expected, (
                f"{operation_id} as {role}: expected {expected}, got {response.status_code}: {response.content[:300]!r}"
            )


@pytest.mark.parametrize("operation_id", sorted(API))
def test_api_refuses_anonymous_callers(client, world, operation_id):
    response = _api_request(client, operation_id, API[operation_id], world, key="")
    assert response.status_code == 401


def test_api_refuses_a_revoked_token(client, rep):
    from django.utils import timezone

    key = token_generate()
    ApiToken.objects.create(user=rep, name="old", prefix=key[:8], digest=token_digest(key), revoked_at=timezone.now())
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


@pytest.mark.parametrize("role", list(Role))
def test_django_admin_is_for_admins_only(client, user_with_role, role):
    client.force_login(user_with_role(role))
    response = client.get(reverse("admin:index"))
    if role == Role.ADMIN:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


def test_api_docs_are_served(client, rep):
    client.force_login(rep)
    assert client.get("/api/docs").status_code == 200
    schema = client.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "Tandem API"
