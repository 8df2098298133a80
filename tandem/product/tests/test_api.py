from decimal import Decimal
from typing import get_args

import pytest

from tandem.asks.models import FeatureEvidence
from tandem.asks.tests.factories import AskFactory
from tandem.product.api import FeatureConfidence, FeatureHorizon, FeatureStatus, FeatureVisibility
from tandem.product.models import Feature, Release, ScoringSettings
from tandem.product.tests.api_client import ApiClient
from tandem.product.tests.factories import FeatureFactory, GoalFactory, ProductFactory, ReleaseFactory
from tandem.product.tests.queries import assert_same_queries, queries_of


@pytest.fixture
def pm_api(client, product_manager) -> ApiClient:
    return ApiClient(client, product_manager)


def with_evidence(feature: Feature, pipeline: str, accounts: int = 1) -> Feature:
    FeatureEvidence.objects.filter(feature=feature).update(
        open_pipeline=Decimal(pipeline), weighted_pipeline=Decimal(pipeline) / 2, accounts_count=accounts
    )
    return feature


def test_api_choices_match_the_model():
    assert set(get_args(FeatureStatus)) == set(Feature.Status.values)
    assert set(get_args(FeatureConfidence)) == set(Feature.Confidence.values)
    assert set(get_args(FeatureVisibility)) == set(Feature.Visibility.values)
    assert set(get_args(FeatureHorizon)) == {"", *Feature.Horizon.values}


def test_a_features_horizon_is_set_and_cleared_with_the_rest_of_it(pm_api):
    created = pm_api.send(
        "POST", "/api/features", {"product_id": ProductFactory().pk, "title": "SCIM", "horizon": "next"}
    )
    assert (created.status_code, created.json()["horizon"]) == (201, "next")
    url = f"/api/features/{created.json()['id']}"
    placed = pm_api.send("PATCH", url, {"version": 1, "horizon": "now"})
    assert (placed.json()["horizon"], placed.json()["version"]) == ("now", 2)
    assert pm_api.send("PATCH", url, {"version": 2, "horizon": "soon"}).status_code == 422
    cleared = pm_api.send("PATCH", url, {"version": 2, "horizon": ""})
    assert cleared.json()["horizon"] == ""  # back to its release's date
    assert pm_api.send("PATCH", url, {"version": 2, "horizon": "later"}).status_code == 409


def test_feature_list_sorts_by_revenue_at_stake_with_evidence(pm_api):
    big = with_evidence(FeatureFactory(), "90000.50")
    small = with_evidence(FeatureFactory(), "10.00")

    body = pm_api.get("/api/features", {"sort": "-open_pipeline"}).json()

    assert [item["id"] for item in body["items"]] == [big.pk, small.pk]
    assert body["items"][0]["evidence"]["open_pipeline"] == "90000.50"
    assert body["next_cursor"] is None


def test_feature_list_pages_with_a_cursor_through_ties(pm_api):
    features = [with_evidence(FeatureFactory(), "500") for _ in range(5)]

    first = pm_api.get("/api/features", {"limit": 2}).json()
    second = pm_api.get("/api/features", {"limit": 2, "cursor": first["next_cursor"]}).json()
    third = pm_api.get("/api/features", {"limit": 2, "cursor": second["next_cursor"]}).json()

    seen = [item["id"] for page in (first, second, third) for item in page["items"]]
    assert seen == sorted((f.pk for f in features), reverse=True)
    assert third["next_cursor"] is None


@pytest.mark.parametrize(
    ("sort", "expected"), [("title", ["A", "B"]), ("-accounts", ["B", "A"]), ("-weighted_pipeline", ["A", "B"])]
)
def test_feature_list_sorts(pm_api, sort, expected):
    with_evidence(FeatureFactory(title="A"), "300", accounts=1)
    with_evidence(FeatureFactory(title="B"), "200", accounts=5)

    body = pm_api.get("/api/features", {"sort": sort}).json()

    assert [item["title"] for item in body["items"]] == expected


def test_feature_list_filters_like_the_page(pm_api):
    product = ProductFactory()
    wanted = FeatureFactory(product=product, title="SAML SSO", visibility="public")
    FeatureFactory(product=product, title="SAML SSO", visibility="internal")

    body = pm_api.get("/api/features", {"product": product.pk, "visibility": "public", "q": "saml"}).json()

    assert [item["id"] for item in body["items"]] == [wanted.pk]


def test_unknown_filter_values_are_422_on_their_field(pm_api):
    response = pm_api.get("/api/features", {"product": 999999})
    assert response.status_code == 422
    assert "product" in response.json()["errors"]


def test_rep_lists_no_internal_features(client, rep):
    FeatureFactory(visibility="internal")
    shared = FeatureFactory(visibility="sales")

    body = ApiClient(client, rep).get("/api/features").json()

    assert [item["id"] for item in body["items"]] == [shared.pk]


def test_feature_list_endpoint_runs_the_same_queries_for_1_and_10_features(pm_api):
    FeatureFactory().goals.add(GoalFactory())
    pm_api.get("/api/features")  # the token records its first use with a write; later calls do not
    one = queries_of(lambda: pm_api.get("/api/features"))
    for _ in range(9):
        FeatureFactory().goals.add(GoalFactory())
    ten = queries_of(lambda: pm_api.get("/api/features"))
    assert_same_queries(one, ten)


def test_product_manager_creates_a_feature(pm_api):
    product, goal = ProductFactory(), GoalFactory()

    response = pm_api.send("POST", "/api/features", {"product_id": product.pk, "title": "SCIM", "goal_ids": [goal.pk]})

    assert response.status_code == 201
    body = response.json()
    assert (body["title"], body["goal_ids"], body["version"]) == ("SCIM", [goal.pk], 1)
    assert body["evidence"]["asks_count"] == 0


def test_creating_with_bad_values_is_422_with_field_errors(pm_api):
    response = pm_api.send("POST", "/api/features", {"product_id": 999999, "title": "SCIM", "status": "someday"})

    assert response.status_code == 422
    assert "status" in response.json()["errors"]
    assert not Feature.objects.exists()


def test_creating_with_an_unknown_product_is_422_on_product_id(pm_api):
    response = pm_api.send("POST", "/api/features", {"product_id": 999999, "title": "SCIM"})
    assert response.status_code == 422
    assert "product_id" in response.json()["errors"]


def test_patch_changes_only_the_fields_sent_and_bumps_the_version(pm_api):
    feature = FeatureFactory(title="Before", description="Kept")

    response = pm_api.send("PATCH", f"/api/features/{feature.pk}", {"version": 1, "title": "After"})

    assert response.status_code == 200
    assert (response.json()["title"], response.json()["description"], response.json()["version"]) == (
        "After",
        "Kept",
        2,
    )


def test_a_stale_patch_is_409_and_writes_nothing(pm_api):
    feature = FeatureFactory(title="Before")
    Feature.objects.filter(pk=feature.pk).update(version=3)

    response = pm_api.send("PATCH", f"/api/features/{feature.pk}", {"version": 2, "title": "After"})

    assert response.status_code == 409
    feature.refresh_from_db()
    assert feature.title == "Before"


def test_engineering_lead_may_patch_effort_but_not_title(client, engineering_lead):
    feature = FeatureFactory()
    api = ApiClient(client, engineering_lead)

    assert api.send("PATCH", f"/api/features/{feature.pk}", {"version": 1, "title": "No"}).status_code == 403
    response = api.send("PATCH", f"/api/features/{feature.pk}", {"version": 1, "effort": "2.5"})

    assert response.status_code == 200
    assert response.json()["effort"] == "2.5"


def test_get_shows_the_evidence_of_a_feature(pm_api):
    feature = FeatureFactory()
    AskFactory(feature=feature)
    with_evidence(feature, "1234.56")

    body = pm_api.get(f"/api/features/{feature.pk}").json()

    assert body["evidence"]["open_pipeline"] == "1234.56"


def test_rep_gets_404_for_an_internal_feature(client, rep):
    feature = FeatureFactory(visibility="internal")
    assert ApiClient(client, rep).get(f"/api/features/{feature.pk}").status_code == 404


def test_delete_with_a_stale_version_is_409(pm_api):
    feature = FeatureFactory()
    assert pm_api.send("DELETE", f"/api/features/{feature.pk}?version=5").status_code == 409
    assert pm_api.send("DELETE", f"/api/features/{feature.pk}?version=1").status_code == 204
    assert not Feature.objects.exists()


def test_a_release_of_another_product_is_422_on_release_id(pm_api):
    response = pm_api.send(
        "POST", "/api/features", {"product_id": ProductFactory().pk, "title": "SCIM", "release_id": ReleaseFactory().pk}
    )

    assert response.status_code == 422
    assert "release_id" in response.json()["errors"]


def test_feature_list_is_by_score_with_its_breakdown(pm_api):
    low, high = FeatureFactory(), FeatureFactory()
    FeatureEvidence.objects.filter(feature=low).update(score=Decimal("1.5"))
    FeatureEvidence.objects.filter(feature=high).update(score=Decimal("8"), open_pipeline=Decimal("5000"))
    AskFactory(feature=high)

    body = pm_api.get("/api/features").json()

    assert [item["id"] for item in body["items"]] == [high.pk, low.pk]
    score = body["items"][0]["score"]
    assert score["formula"] == "default"
    assert [term["key"] for term in score["terms"]] == ["revenue", "reach", "fit", "urgency"]
    assert (score["effort_estimated"], score["effort"]) == (False, 4.0)
    assert set(score["rice"]) == {"reach", "impact", "score"}
    assert body["items"][0]["evidence"]["asks_last_90_days"] == 1


def test_score_sort_pages_with_a_cursor_and_follows_the_chosen_formula(pm_api):
    features = [FeatureFactory() for _ in range(5)]
    for rank, feature in enumerate(features):
        FeatureEvidence.objects.filter(feature=feature).update(score=rank, rice_score=10 - rank)

    first = pm_api.get("/api/features", {"limit": 2}).json()
    rest = pm_api.get("/api/features", {"limit": 5, "cursor": first["next_cursor"]}).json()
    assert [item["id"] for item in first["items"] + rest["items"]] == [f.pk for f in reversed(features)]

    ScoringSettings.objects.update_or_create(id=1, defaults={"formula": "rice"})
    body = pm_api.get("/api/features").json()
    assert [item["id"] for item in body["items"]] == [f.pk for f in features]
    assert body["items"][0]["score"]["formula"] == "rice"


def test_get_shows_every_evidence_figure_and_the_single_deal_flag(pm_api):
    feature = FeatureFactory(effort=Decimal("3"))
    FeatureEvidence.objects.filter(feature=feature).update(
        open_pipeline=Decimal("1000.00"),
        largest_deal=Decimal("800.00"),
        customer_revenue=Decimal("55.00"),
        lost_revenue=Decimal("66.00"),
        won_after_ship=Decimal("77.00"),
    )

    evidence = pm_api.get(f"/api/features/{feature.pk}").json()["evidence"]

    assert evidence["largest_deal"] == "800.00"
    assert evidence["largest_deal_share"] == "0.8000"
    assert evidence["single_deal_ask"] is True
    assert (evidence["customer_revenue"], evidence["lost_revenue"], evidence["won_after_ship"]) == (
        "55.00",
        "66.00",
        "77.00",
    )


# --- releases -----------------------------------------------------------------------------------


def test_product_manager_plans_a_release_of_their_product(pm_api, product_manager):
    product = ProductFactory(manager=product_manager)
    body = {"product_id": product.pk, "name": "2027.4", "target_date": "2027-06-30"}

    response = pm_api.send("POST", "/api/releases", body)

    assert response.status_code == 201
    assert {key: response.json()[key] for key in ("name", "target_date", "status", "version")} == {
        "name": "2027.4",
        "target_date": "2027-06-30",
        "status": "planned",
        "version": 1,
    }


def test_planning_a_release_of_another_managers_product_is_403_and_names_who_may(pm_api):
    product = ProductFactory(name="Payroll")
    body = {"product_id": product.pk, "name": "2027.4", "target_date": "2027-06-30"}

    response = pm_api.send("POST", "/api/releases", body)

    assert response.status_code == 403
    assert f"Only the product manager of Payroll ({product.manager})" in response.json()["detail"]
    assert not Release.objects.exists()


def test_a_taken_release_name_is_422_on_name(pm_api, product_manager):
    release = ReleaseFactory(product=ProductFactory(manager=product_manager))

    response = pm_api.send(
        "POST", "/api/releases", {"product_id": release.product_id, "name": release.name, "target_date": "2027-06-30"}
    )

    assert response.status_code == 422
    assert "name" in response.json()["errors"]


def test_patching_a_release_moves_only_what_is_sent_and_a_stale_patch_is_409(pm_api, product_manager):
    release = ReleaseFactory(product=ProductFactory(manager=product_manager), name="2027.4")

    moved = pm_api.send("PATCH", f"/api/releases/{release.pk}", {"version": 1, "target_date": "2027-09-30"})
    stale = pm_api.send("PATCH", f"/api/releases/{release.pk}", {"version": 1, "name": "2027.5"})

    assert moved.status_code == 200
    assert (moved.json()["name"], moved.json()["target_date"], moved.json()["version"]) == ("2027.4", "2027-09-30", 2)
    assert stale.status_code == 409
    release.refresh_from_db()
    assert release.name == "2027.4"
