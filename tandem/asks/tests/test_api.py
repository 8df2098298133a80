from decimal import Decimal
from typing import get_args

import pytest

from tandem.asks.api import AskImportance, AskSource, AskStatus
from tandem.asks.models import Ask, FeatureEvidence
from tandem.asks.tests.factories import AskFactory
from tandem.product.models import Feature
from tandem.product.tests.api_client import ApiClient
from tandem.product.tests.factories import FeatureFactory, ProductFactory
from tandem.product.tests.queries import assert_same_queries, queries_of
from tandem.sales.services import opportunity_update
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory


def ask_of(owner, **fields) -> Ask:
    return AskFactory(opportunity=OpportunityFactory(owner=owner, account=AccountFactory(owner=owner)), **fields)


@pytest.fixture
def rep_api(client, rep) -> ApiClient:
    return ApiClient(client, rep)


def test_api_choices_match_the_model():
    assert set(get_args(AskImportance)) == set(Ask.Importance.values)
    assert set(get_args(AskSource)) == set(Ask.Source.values)
    assert set(get_args(AskStatus)) == set(Ask.Status.values)


def test_rep_lists_only_the_asks_of_their_own_deals(rep_api, rep, outsider_rep):
    mine = ask_of(rep)
    ask_of(outsider_rep)

    body = rep_api.get("/api/asks").json()

    assert [item["id"] for item in body["items"]] == [mine.pk]


def test_ask_list_filters_by_importance(rep_api, rep):
    blocker = ask_of(rep, importance="blocker")
    ask_of(rep, importance="nice_to_have")

    body = rep_api.get("/api/asks", {"importance": "blocker"}).json()

    assert [item["id"] for item in body["items"]] == [blocker.pk]


def test_rep_follows_the_internal_feature_their_customer_asked_for_without_its_evidence(rep_api, rep, outsider_rep):
    feature = FeatureFactory(visibility="internal")
    ask = ask_of(rep, feature=feature, status="linked")
    unasked = FeatureFactory(visibility="internal")
    ask_of(outsider_rep, feature=unasked, status="linked")

    assert rep_api.get(f"/api/asks/{ask.pk}").json()["feature_id"] == feature.pk
    seen = rep_api.get(f"/api/features/{feature.pk}").json()
    assert (seen["title"], seen["view"], seen["evidence"], seen["score"]) == (feature.title, "sales", None, None)
    assert rep_api.get(f"/api/features/{unasked.pk}").status_code == 404
    listed = [f["id"] for f in rep_api.get("/api/features").json()["items"]]
    assert feature.pk not in listed  # the list weighs features by evidence: only those sales sees in full


def test_rep_gets_404_for_another_teams_ask(rep_api, outsider_rep):
    assert rep_api.get(f"/api/asks/{ask_of(outsider_rep).pk}").status_code == 404


def test_ask_list_endpoint_runs_the_same_queries_for_1_and_10_asks(rep_api, rep):
    ask_of(rep, feature=FeatureFactory())
    rep_api.get("/api/asks")  # the token records its first use with a write; later calls do not
    one = queries_of(lambda: rep_api.get("/api/asks"))
    for _ in range(9):
        ask_of(rep, feature=FeatureFactory())
    ten = queries_of(lambda: rep_api.get("/api/asks"))
    assert_same_queries(one, ten)


def test_rep_logs_an_ask_on_their_deal_and_the_feature_evidence_follows(rep_api, rep):
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep))
    feature = FeatureFactory()

    response = rep_api.send(
        "POST",
        "/api/asks",
        {
            "account_id": deal.account_id,
            "opportunity_id": deal.pk,
            "need": "Okta SSO",
            "importance": "blocker",
            "feature_id": feature.pk,
        },
    )

    assert response.status_code == 201
    # The rep's pick counts at once, and waits in the inbox for a product manager to confirm it.
    assert (response.json()["status"], response.json()["feature_id"]) == ("new", feature.pk)
    assert FeatureEvidence.objects.get(feature=feature).blocker_pipeline == deal.amount_home


def test_logging_on_another_teams_deal_is_422_and_writes_nothing(rep_api, outsider_rep):
    deal = OpportunityFactory(owner=outsider_rep, account=AccountFactory(owner=outsider_rep))

    response = rep_api.send(
        "POST", "/api/asks", {"account_id": deal.account_id, "opportunity_id": deal.pk, "need": "Okta SSO"}
    )

    assert response.status_code == 422
    assert {"account_id", "opportunity_id"} <= set(response.json()["errors"])
    assert not Ask.objects.exists()


def test_an_empty_need_is_422(rep_api, rep):
    account = AccountFactory(owner=rep)
    response = rep_api.send("POST", "/api/asks", {"account_id": account.pk, "need": ""})
    assert response.status_code == 422
    assert "need" in response.json()["errors"]


def test_engineering_lead_may_not_log_asks(client, engineering_lead, rep):
    account = AccountFactory(owner=rep)
    response = ApiClient(client, engineering_lead).send("POST", "/api/asks", {"account_id": account.pk, "need": "x"})
    assert response.status_code == 403


# --- the inbox through the API, and triage -------------------------------------------------------


@pytest.fixture
def pm_api(client, product_manager) -> ApiClient:
    return ApiClient(client, product_manager)


def test_inbox_lists_new_asks_most_valuable_first_page_by_page(pm_api):
    small = AskFactory(opportunity=OpportunityFactory(amount=Decimal("1000.00")))
    big = AskFactory(opportunity=OpportunityFactory(amount=Decimal("900000.00")))
    account = AccountFactory(annual_revenue=Decimal("50000.00"))
    middle = AskFactory(opportunity=None, account=account, requested_by=account.owner)
    AskFactory(feature=FeatureFactory(), status="linked", opportunity=OpportunityFactory(amount=Decimal("9999999.00")))

    first = pm_api.get("/api/asks", {"status": "new", "order": "value", "limit": 2}).json()
    second = pm_api.get("/api/asks", {"status": "new", "order": "value", "limit": 2, "cursor": first["next_cursor"]})

    assert [item["id"] for item in first["items"]] == [big.pk, middle.pk]
    assert first["items"][1]["value"] == "50000.00"
    assert [item["id"] for item in second.json()["items"]] == [small.pk]


def test_inbox_by_value_pages_through_equal_values_newest_id_first_and_follows_an_amount_change(pm_api, rep):
    deals = [OpportunityFactory(owner=rep, amount=Decimal("50000.00")) for _ in range(3)]
    tied = [AskFactory(opportunity=deal) for deal in deals]

    first = pm_api.get("/api/asks", {"status": "new", "order": "value", "limit": 2}).json()
    second = pm_api.get("/api/asks", {"status": "new", "order": "value", "limit": 2, "cursor": first["next_cursor"]})
    assert [item["id"] for item in first["items"] + second.json()["items"]] == [ask.pk for ask in reversed(tied)]

    deal = deals[0]
    opportunity_update(actor=rep, opportunity=deal, expected_version=deal.version, data={"amount": Decimal("60000")})
    body = pm_api.get("/api/asks", {"status": "new", "order": "value", "limit": 1}).json()
    assert [(item["id"], item["value"]) for item in body["items"]] == [(tied[0].pk, "60000.00")]


def test_ask_list_filters_by_segment_and_rep(pm_api, rep, other_rep):
    enterprise = AccountFactory(owner=rep, segment="enterprise")
    wanted = AskFactory(opportunity=OpportunityFactory(owner=rep, account=enterprise))
    AskFactory(opportunity=OpportunityFactory(owner=other_rep, account=enterprise))
    AskFactory(opportunity=OpportunityFactory(owner=rep, account=AccountFactory(owner=rep, segment="smb")))

    body = pm_api.get("/api/asks", {"segment": "enterprise", "rep": rep.pk}).json()

    assert [item["id"] for item in body["items"]] == [wanted.pk]


def test_an_unknown_segment_is_a_field_error(pm_api):
    response = pm_api.get("/api/asks", {"segment": "galactic"})
    assert response.status_code == 422
    assert "segment" in response.json()["errors"]


def test_inbox_endpoint_runs_the_same_queries_for_1_and_10_asks(pm_api):
    AskFactory(feature=FeatureFactory())
    pm_api.get("/api/asks")  # the token records its first use with a write; later calls do not
    one = queries_of(lambda: pm_api.get("/api/asks", {"status": "new", "order": "value"}))
    for _ in range(9):
        AskFactory(feature=FeatureFactory())
    ten = queries_of(lambda: pm_api.get("/api/asks", {"status": "new", "order": "value"}))
    assert_same_queries(one, ten)


def test_suggestions_name_the_kind_score_and_reason(pm_api):
    feature = FeatureFactory(title="Okta single sign-on")
    ask = AskFactory(need="Single sign-on with Okta")

    body = pm_api.get(f"/api/asks/{ask.pk}/suggestions").json()

    assert body[0]["kind"] == "feature"
    assert (body[0]["feature_id"], body[0]["feature_title"]) == (feature.pk, "Okta single sign-on")
    assert 0 < body[0]["score"] <= 1
    assert body[0]["reason"]


def test_rep_may_not_see_suggestions_for_their_own_ask(rep_api, rep):
    assert rep_api.get(f"/api/asks/{ask_of(rep).pk}/suggestions").status_code == 403


def test_pm_links_an_ask_and_a_second_link_of_the_new_ask_is_409(pm_api, product_manager):
    ask = AskFactory()
    chosen, other = FeatureFactory(title="Okta SSO"), FeatureFactory()

    linked = pm_api.send("POST", f"/api/asks/{ask.pk}/link", {"feature_id": chosen.pk})
    again = pm_api.send("POST", f"/api/asks/{ask.pk}/link", {"feature_id": other.pk})
    moved = pm_api.send("POST", f"/api/asks/{ask.pk}/link", {"feature_id": other.pk, "expected_status": None})

    assert (linked.status_code, linked.json()["status"], linked.json()["feature_id"]) == (200, "linked", chosen.pk)
    assert again.status_code == 409
    assert "already triaged" in again.json()["detail"]
    assert "Okta SSO" in again.json()["detail"]
    assert (moved.status_code, moved.json()["feature_id"]) == (200, other.pk)


def test_linking_to_an_unknown_feature_is_a_field_error(pm_api):
    response = pm_api.send("POST", f"/api/asks/{AskFactory().pk}/link", {"feature_id": 999999})
    assert response.status_code == 422
    assert "feature_id" in response.json()["errors"]


def test_pm_merges_a_duplicate_which_takes_the_originals_feature(pm_api):
    original = AskFactory(feature=FeatureFactory(), status="linked")
    duplicate = AskFactory()

    body = pm_api.send("POST", f"/api/asks/{duplicate.pk}/merge", {"original_id": original.pk}).json()

    assert (body["status"], body["duplicate_of_id"], body["feature_id"]) == ("merged", original.pk, original.feature_id)


def test_merging_into_itself_is_a_field_error(pm_api):
    ask = AskFactory()
    response = pm_api.send("POST", f"/api/asks/{ask.pk}/merge", {"original_id": ask.pk})
    assert response.status_code == 422
    assert "original_id" in response.json()["errors"]


def test_pm_creates_a_feature_from_an_ask(pm_api):
    product = ProductFactory()
    ask = AskFactory(need="SCIM provisioning")

    response = pm_api.send(
        "POST", f"/api/asks/{ask.pk}/feature", {"product_id": product.pk, "title": "SCIM provisioning"}
    )

    assert response.status_code == 201
    feature = Feature.objects.get(pk=response.json()["feature_id"])
    assert (feature.title, feature.product, response.json()["status"]) == ("SCIM provisioning", product, "linked")
