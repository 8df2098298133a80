"""Issue 15's requests that answered 500, each answered as a user can read it.

Each test names the finding; the fuzzers (test_api_fuzz.py, test_page_fuzz.py) keep the kinds of
failure from coming back, these keep the exact ones from coming back and say what is answered.
"""

import base64
import json
from typing import Any

import pytest
from django.test import Client

from tandem.api import api
from tandem.core.api import CURSOR_INVALID, token_generate
from tandem.core.text import ID_MAX, NUL_MESSAGE, id_range_message
from tandem.people.tests.factories import ApiTokenFactory
from tandem.sales.models import Account
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory
from tandem.tests.world import World, build_world
from tandem.webhooks.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


def _operations() -> dict[str, tuple[str, str, dict[str, Any]]]:
    document = api.get_openapi_schema(path_prefix="/api")
    return {
        operation["operationId"]: (method.upper(), path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }


OPERATIONS = _operations()
LISTS = sorted(
    (path, operation_id)
    for operation_id, (method, path, operation) in OPERATIONS.items()
    if method == "GET" and any(p["name"] == "cursor" for p in operation.get("parameters", []))
)
INTEGER_FILTERS = sorted(
    (path, p["name"])
    for method, path, operation in OPERATIONS.values()
    if method == "GET"
    for p in operation.get("parameters", [])
    if p["in"] == "query" and "integer" in json.dumps(p["schema"]) and p["name"] != "limit"
)


@pytest.fixture
def world(rep, other_rep, outsider_rep, product_manager) -> World:
    return build_world(rep=rep, outsider_rep=outsider_rep, product_manager=product_manager, teammate=other_rep)


@pytest.fixture
def as_rep(client: Client, rep) -> dict[str, str]:
    key = token_generate()
    ApiTokenFactory(user=rep, key=key)
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def as_reader(request, rep, admin_user) -> dict[str, str]:
    """A rep's token, or an admin's for the lists a rep may not read (the audit trail, webhooks, planning,
    scorecards)."""
    path = request.node.callspec.params["path"]
    key = token_generate()
    admins_only = path.startswith(("/api/audit", "/api/webhooks", "/api/planning", "/api/scorecards"))
    ApiTokenFactory(user=admin_user if admins_only else rep, key=key)
    return {"Authorization": f"Bearer {key}"}


def _b64(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


TAMPERED = {
    "not base64": "not-a-cursor",
    "wrong shape": _b64({"after": 1}),
    "wrong types": _b64(["x", "y"]),
    "nulls": _b64([None, None]),
    "nested lists": _b64([[1], {"a": 1}]),
    "deep nesting": _b64([json.loads("[" * 500 + "]" * 500), 1]),
    "huge numbers": _b64([2**70, 2**70]),
    "huge float": _b64([1e308, 1]),
    "booleans": _b64([True, False]),
    "huge cursor": "A" * 100_000,
    "NUL": _b64(["\x00", 1]),
}


def test_every_list_endpoint_is_checked():
    assert len(LISTS) >= 7, LISTS


@pytest.mark.parametrize(("path", "operation_id"), LISTS, ids=[op for _, op in LISTS])
@pytest.mark.parametrize("cursor", TAMPERED.values(), ids=TAMPERED.keys())
def test_a_tampered_cursor_is_a_422_on_every_list(client, world, rep, as_reader, path, operation_id, cursor):
    # A list under a record (a deal's activities, a webhook's deliveries, a rep's coaching) is read
    # under one the reader sees.
    under = {"opportunity_id": world.opportunity.pk, "rep_id": rep.pk}
    if "{subscription_id}" in path:
        under["subscription_id"] = SubscriptionFactory().pk
    response = client.get(path.format(**under), {"cursor": cursor}, headers=as_reader)
    assert response.status_code == 422, response.content
    assert response.json()["errors"] == {"cursor": [CURSOR_INVALID]}


def test_a_cursor_is_refused_on_another_sort_order_and_works_on_its_own(client, rep, as_rep):
    for i in range(3):
        AccountFactory(owner=rep, name=f"Account {i}", annual_revenue=i)
    first = client.get("/api/accounts", {"sort": "name", "limit": 1}, headers=as_rep).json()
    cursor = first["next_cursor"]
    # Same shape (a text and an id), another sort order: a 500 before (a name compared as revenue).
    refused = client.get("/api/accounts", {"sort": "annual_revenue", "cursor": cursor}, headers=as_rep)
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"cursor": [CURSOR_INVALID]}
    following = client.get("/api/accounts", {"sort": "name", "limit": 1, "cursor": cursor}, headers=as_rep)
    assert following.json()["items"][0]["name"] == "Account 1"


@pytest.mark.parametrize(("path", "name"), INTEGER_FILTERS, ids=[f"{p} {n}" for p, n in INTEGER_FILTERS])
@pytest.mark.parametrize("value", [2**63, 2**64, -(2**63) - 1], ids=["2^63", "2^64", "-2^63-1"])
def test_an_integer_filter_beyond_64_bits_is_a_422_on_it(client, world, as_reader, path, name, value):
    response = client.get(path, {name: value}, headers=as_reader)
    assert response.status_code == 422, response.content
    assert list(response.json()["errors"]) == [name]
    if value > 0:
        assert response.json()["errors"] == {name: [id_range_message()]}


@pytest.mark.parametrize(("path", "name"), INTEGER_FILTERS, ids=[f"{p} {n}" for p, n in INTEGER_FILTERS])
def test_a_negative_or_largest_id_filter_finds_nothing(client, world, as_reader, path, name):
    for value in (-1, ID_MAX):
        response = client.get(path, {name: value}, headers=as_reader)
        if response.status_code == 422:  # a filter offering choices: not one of them
            assert list(response.json()["errors"]) == [name]
            continue
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body if isinstance(body, list) else body["items"]) == []


@pytest.mark.parametrize(
    ("method", "path"),
    [(m, p) for m, p, _ in OPERATIONS.values() if "{" in p and "decision_type" not in p],
    ids=[f"{m} {p}" for m, p, _ in OPERATIONS.values() if "{" in p and "decision_type" not in p],
)
def test_an_id_beyond_64_bits_in_the_path_is_not_found(client, world, as_rep, method, path):
    """404 (or 403 for a role that may not act at all, or 422 on a missing body field): never a 500."""
    url = path.split("{")[0] + str(2**64) + path.split("}")[1]
    response = client.generic(method, url + "?version=1", data="{}", content_type="application/json", headers=as_rep)
    assert response.status_code in (403, 404, 422), response.content
    if response.status_code == 422:
        assert not any(name.endswith("_id") and name in path for name in response.json()["errors"])


def test_an_id_beyond_64_bits_in_a_body_is_a_422_on_it(client, rep, as_rep):
    body = {"name": "Deal", "account_id": 2**64, "amount": "10", "stage_id": 1, "close_date": "2027-01-01"}
    response = client.post("/api/opportunities", json.dumps(body), content_type="application/json", headers=as_rep)
    assert response.status_code == 422
    assert response.json()["errors"] == {"account_id": [id_range_message()]}


def test_nul_in_api_text_is_a_422_on_its_field(client, rep, as_rep):
    response = client.post(
        "/api/accounts", json.dumps({"name": "Acme\x00", "industry": "Ro\x00bots"}), content_type="application/json",
        headers=as_rep,
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"] == {"name": [NUL_MESSAGE], "industry": [NUL_MESSAGE]}
    assert not Account.objects.exists()

    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep))
    patch = {"version": deal.version, "loss_note": "\x00"}
    response = client.patch(
        f"/api/opportunities/{deal.pk}", json.dumps(patch), content_type="application/json", headers=as_rep
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"loss_note": [NUL_MESSAGE]}

    response = client.get("/api/accounts", {"q": "Acme\x00"}, headers=as_rep)
    assert response.status_code == 422
    assert response.json()["errors"] == {"q": [NUL_MESSAGE]}


def test_a_body_that_is_not_json_is_a_400_in_the_error_shape(client, rep, as_rep):
    response = client.post("/api/accounts", b"\x80{not json", content_type="application/json", headers=as_rep)
    assert response.status_code == 400
    assert response.json() == {"detail": "The body is not valid JSON."}


# Pages


LIST_PAGES = [
    "/pipeline/opportunities/",
    "/pipeline/accounts/",
    "/pipeline/quotas/",
    "/asks/",
    "/asks/inbox/",
    "/product/features/",
    "/product/products/",
    "/decisions/escalations/",
    "/notifications/",
]


@pytest.mark.parametrize("url", LIST_PAGES)
def test_a_page_number_beyond_the_list_shows_its_last_page(client, world, admin_user, url):
    client.force_login(admin_user)
    for page in (2**64, 2**63, 99):
        response = client.get(url, {"page": page})
        assert response.status_code == 200
        assert response.context["page"].number == 1  # the world's lists fit on one page
    for page in (-(2**70), -1, 0, "x", "9" * 5000):
        response = client.get(url, {"page": page})
        assert response.status_code == 200
        assert response.context["page"].number == 1


def test_the_last_page_is_the_one_shown_past_the_end(client, rep):
    for i in range(51):
        AccountFactory(owner=rep, name=f"Account {i:02}")
    client.force_login(rep)
    response = client.get("/pipeline/accounts/", {"page": 2**64})
    assert response.context["page"].number == 2
    assert [a.name for a in response.context["page"].rows] == ["Account 50"]


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/pipeline/opportunities/", "owner"),
        ("/pipeline/opportunities/", "account"),
        ("/pipeline/opportunities/", "stage"),
        ("/pipeline/accounts/", "owner"),
        ("/asks/", "rep"),
        ("/asks/", "product"),
        ("/product/features/", "product"),
    ],
)
@pytest.mark.parametrize("role_user", ["rep", "sales_manager", "admin_user"])
def test_a_filter_beyond_64_bits_is_refused_under_the_filter(client, world, request, url, name, role_user):
    client.force_login(request.getfixturevalue(role_user))
    response = client.get(url, {name: 2**64})
    assert response.status_code == 200
    assert response.context["filter"].form.errors.get(name)


@pytest.mark.parametrize("value", ["0.", "1.5", "1e3", "²", " 7x"])
def test_a_filter_that_is_a_number_but_no_id_is_refused_under_the_filter(client, world, rep, value):
    # The page fuzzer found "0.": within range, so the searched filter's widget looked it up as an id.
    client.force_login(rep)
    response = client.get("/asks/", {"rep": value})
    assert response.status_code == 200
    assert response.context["filter"].form.errors.get("rep")


def test_the_inbox_refuses_a_product_beyond_64_bits_under_the_filter(client, world, product_manager):
    client.force_login(product_manager)
    response = client.get("/asks/inbox/", {"product": 2**64})
    assert response.status_code == 200
    assert response.context["filter"].form.errors["product"] == [id_range_message()]


def test_nul_in_a_page_form_is_refused_under_the_field(client, rep):
    client.force_login(rep)
    response = client.post("/pipeline/accounts/new/", {"name": "Acme\x00", "segment": "smb", "status": "prospect"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [NUL_MESSAGE]
    assert not Account.objects.exists()


@pytest.mark.parametrize("url", ["/pipeline/accounts/", "/pipeline/accounts/options/", "/asks/features/"])
def test_nul_in_a_page_query_is_a_400_naming_the_parameter(client, rep, url):
    client.force_login(rep)
    response = client.get(url, {"q": "Acme\x00"})
    assert response.status_code == 400
    assert "“q”" in response.content.decode()


def test_every_filterset_refuses_what_the_database_would_not_read():
    import django_filters

    from tandem.core.filters import FilterSet

    def subclasses(cls: type) -> set[type]:
        return {sub for direct in cls.__subclasses__() for sub in {direct, *subclasses(direct)}}

    ours = {cls for cls in subclasses(django_filters.FilterSet) if cls.__module__.startswith("tandem.")}
    assert ours, "no FilterSet found"
    assert {cls.__name__ for cls in ours if not issubclass(cls, FilterSet)} == set()


def test_a_record_beyond_64_bits_in_a_page_form_is_refused_under_the_field(client, world, sales_manager):
    client.force_login(sales_manager)
    response = client.post(
        "/pipeline/opportunities/new/",
        {"name": "Deal", "account": 2**64, "owner": 2**64, "amount": "10", "stage": world.stage.pk},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["account"] == [id_range_message()]
    assert errors["owner"] == [id_range_message()]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (None, "This field is required."),
        (b"id,name\n1,Acme\n", "This is not a readable zip file."),
        (b"PK\x03\x04 not really a zip", "This is not a readable zip file."),
    ],
)
def test_a_workspace_import_that_is_not_one_is_refused_under_the_file(client, admin_user, upload, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_user)
    data = {"file": SimpleUploadedFile("workspace.zip", upload)} if upload is not None else {}
    response = client.post("/workspace/import/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [message]
