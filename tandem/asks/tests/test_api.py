from typing import get_args

import pytest

from tandem.asks.api import AskImportance, AskSource, AskStatus
from tandem.asks.models import Ask, FeatureEvidence
from tandem.asks.tests.factories import AskFactory
from tandem.product.tests.api_client import ApiClient
from tandem.product.tests.factories import FeatureFactory
from tandem.product.tests.queries import assert_same_queries, queries_of
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


def test_rep_does_not_learn_the_internal_feature_of_an_ask(rep_api, rep):
    ask = ask_of(rep, feature=FeatureFactory(visibility="internal"), status="linked")
    assert rep_api.get(f"/api/asks/{ask.pk}").json()["feature_id"] is None


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
