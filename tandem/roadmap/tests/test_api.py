"""The roadmap API: placing with versions, talking points, market research and lifecycle moves."""

import pytest

from tandem.core.api import token_digest, token_generate
from tandem.people.models import ApiToken, User
from tandem.product.models import Feature, Product
from tandem.product.tests.factories import FeatureFactory, ProductFactory, ReleaseFactory


@pytest.fixture
def product(product_manager) -> Product:
    return ProductFactory(name="Tandem Cloud", manager=product_manager)


def _headers(user: User) -> dict[str, str]:
    key = token_generate()
    ApiToken.objects.create(user=user, name="test", prefix=key[:8], digest=token_digest(key))
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_placing_through_the_api_refuses_a_stale_version_with_409(client, product, product_manager):
    release, other = ReleaseFactory(product=product), ReleaseFactory(product=product)
    feature = FeatureFactory(product=product, release=release, status=Feature.Status.PLANNED)
    headers = _headers(product_manager)
    url = f"/api/roadmap/items/{feature.pk}/place"
    moved = client.post(url, {"version": 1, "release_id": other.pk}, content_type="application/json", **headers)
    assert moved.status_code == 200
    assert moved.json()["release_id"] == other.pk
    assert moved.json()["version"] == 2
    stale = client.post(url, {"version": 1, "horizon": "now"}, content_type="application/json", **headers)
    assert stale.status_code == 409


def test_a_release_of_another_product_is_refused_on_its_field(client, product, product_manager):
    feature = FeatureFactory(product=product, status=Feature.Status.PLANNED)
    response = client.post(
        f"/api/roadmap/items/{feature.pk}/place",
        {"version": 1, "release_id": ReleaseFactory().pk},
        content_type="application/json",
        **_headers(product_manager),
    )
    assert response.status_code == 422
    assert "release_id" in response.content.decode()


def test_a_pm_makes_a_feature_sales_visible_with_talking_points_and_sales_reads_them(
    client, product, product_manager, rep
):
    feature = FeatureFactory(product=product, visibility="internal", status=Feature.Status.PLANNED)
    assert client.get(f"/api/features/{feature.pk}/talking-points", **_headers(rep)).status_code == 404
    written = client.put(
        f"/api/features/{feature.pk}/talking-points",
        {"version": 1, "say": "Works with any SAML provider.", "dont_say": "No dates.", "visibility": "sales"},
        content_type="application/json",
        **_headers(product_manager),
    )
    assert written.status_code == 200
    read = client.get(f"/api/features/{feature.pk}/talking-points", **_headers(rep)).json()
    assert (read["say"], read["dont_say"], read["visibility"]) == (
        "Works with any SAML provider.",
        "No dates.",
        "sales",
    )
    titles = [item["title"] for item in client.get("/api/roadmap/items", **_headers(rep)).json()]
    assert feature.title in titles


def test_lifecycle_moves_through_the_api_are_listed_newest_first(client, product, product_manager, executive):
    for user, stage in ((product_manager, "maturity"), (executive, "retirement")):
        response = client.post(
            f"/api/products/{product.pk}/lifecycle-moves",
            {"to_stage": stage, "reason": f"Now {stage}."},
            content_type="application/json",
            **_headers(user),
        )
        assert response.status_code == 201
    moves = client.get(f"/api/products/{product.pk}/lifecycle-moves", **_headers(product_manager)).json()
    assert [(m["from_stage"], m["to_stage"]) for m in moves] == [("maturity", "retirement"), ("growth", "maturity")]
