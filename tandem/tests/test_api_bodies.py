"""A null sent for a field that cannot be empty is a 422 on that field, never a 500.

Issue 15 found `PATCH` answering 500 to `null` for an owner, a stage, a region, an industry, a loss
note and a feature's description: the schemas accepted null, and the database refused the write.
The PATCH schemas now declare those fields without null (`core.api.omittable`), so the OpenAPI
document says so and the schema refuses them; the generic test below holds every write operation
to it, from the document itself.
"""

import json
from typing import Any

import pytest
from django.test import Client

from tandem.api import api
from tandem.core.api import EMPTY, token_digest, token_generate
from tandem.people.models import ApiToken, User
from tandem.product.models import Feature
from tandem.product.tests.factories import FeatureFactory, ProductFactory, ReleaseFactory
from tandem.sales.models import Account, Opportunity
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def _call(client: Client, user: User, method: str, path: str, body: dict[str, Any]) -> Any:
    key = token_generate()
    ApiToken.objects.create(user=user, name="test", prefix=key[:8], digest=token_digest(key))
    return client.generic(
        method, path, data=json.dumps(body), content_type="application/json", headers={"Authorization": f"Bearer {key}"}
    )


def _document() -> dict[str, Any]:
    return api.get_openapi_schema()


def _body_fields(operation: dict[str, Any], schemas: dict[str, Any]) -> dict[str, dict[str, Any]]:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return {}
    ref = content["schema"]["$ref"].rsplit("/", 1)[-1]
    return schemas[ref]["properties"]


def _nullable(prop: dict[str, Any]) -> bool:
    return prop.get("type") == "null" or any(option.get("type") == "null" for option in prop.get("anyOf", []))


def _non_null_fields() -> list[tuple[str, str, str]]:
    document = _document()
    schemas = document["components"]["schemas"]
    found = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if method not in ("post", "patch", "put"):
                continue
            for name, prop in _body_fields(operation, schemas).items():
                if not _nullable(prop):
                    found.append((method.upper(), path.replace("{", "").replace("}", ""), name))
    return found


NON_NULL = _non_null_fields()


@pytest.mark.parametrize(("method", "path", "name"), NON_NULL, ids=[f"{m} {p} {n}" for m, p, n in NON_NULL])
def test_null_for_a_field_that_cannot_be_empty_is_a_422_on_it(client, admin_user, method, path, name):
    # The body is checked before any record is looked up: the ids in the path need not exist.
    concrete = "/".join("1" if part.endswith("_id") else part for part in path.split("/"))
    if "decision-rights/decision_type" in concrete:
        concrete = concrete.replace("decision_type", "planned")
    response = _call(client, admin_user, method, concrete, {name: None})
    assert response.status_code == 422, response.content
    assert response.json()["errors"][name] == [EMPTY]


@pytest.mark.parametrize(
    "name", ["name", "owner_id", "industry", "segment", "status", "region", "annual_revenue"], ids=str
)
def test_an_account_keeps_its_values_when_a_patch_sends_null(client, rep, name):
    account = AccountFactory(owner=rep, industry="Robotics", region="EMEA")
    response = _call(client, rep, "PATCH", f"/api/accounts/{account.pk}", {"version": account.version, name: None})
    assert response.status_code == 422
    assert response.json()["errors"] == {name: [EMPTY]}
    assert Account.objects.get(pk=account.pk).version == account.version


@pytest.mark.parametrize(
    "name",
    [
        "name",
        "owner_id",
        "amount",
        "currency",
        "stage_id",
        "close_date",
        "probability",
        "forecast_category",
        "type",
        "loss_note",
    ],
    ids=str,
)
def test_a_deal_keeps_its_values_when_a_patch_sends_null(client, rep, name):
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep))
    response = _call(client, rep, "PATCH", f"/api/opportunities/{deal.pk}", {"version": deal.version, name: None})
    assert response.status_code == 422
    assert response.json()["errors"] == {name: [EMPTY]}
    assert Opportunity.objects.get(pk=deal.pk).version == deal.version


def test_null_still_clears_what_may_be_empty(client, rep, product_manager):
    account = AccountFactory(owner=rep, employees=250)
    response = _call(
        client, rep, "PATCH", f"/api/accounts/{account.pk}", {"version": account.version, "employees": None}
    )
    assert response.status_code == 200
    assert response.json()["employees"] is None

    release = ReleaseFactory(product=ProductFactory(manager=product_manager))
    feature = FeatureFactory(product=release.product, release=release, effort=3)
    response = _call(
        client,
        product_manager,
        "PATCH",
        f"/api/features/{feature.pk}",
        {"version": feature.version, "release_id": None, "effort": None},
    )
    assert response.status_code == 200
    assert (response.json()["release_id"], response.json()["effort"]) == (None, None)


@pytest.mark.parametrize("release_id", [0, False], ids=["zero", "false"])
def test_a_release_id_naming_no_release_is_a_422(client, product_manager, release_id):
    feature = FeatureFactory(product=ProductFactory(manager=product_manager))
    response = _call(
        client,
        product_manager,
        "PATCH",
        f"/api/features/{feature.pk}",
        {"version": feature.version, "release_id": release_id},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"release_id": ["There is no release 0."]}
    assert Feature.objects.get(pk=feature.pk).version == feature.version


@pytest.mark.parametrize("name", ["description", "sales_say", "title", "status"], ids=str)
def test_a_feature_keeps_its_values_when_a_patch_sends_null(client, product_manager, name):
    feature = FeatureFactory(product=ProductFactory(manager=product_manager), description="SSO with Okta")
    response = _call(
        client, product_manager, "PATCH", f"/api/features/{feature.pk}", {"version": feature.version, name: None}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {name: [EMPTY]}
    assert Feature.objects.get(pk=feature.pk).description == "SSO with Okta"
