from django.urls import reverse

from tandem.asks.models import Ask
from tandem.asks.tests.factories import AskFactory
from tandem.product.tests.factories import FeatureFactory
from tandem.product.tests.queries import assert_same_queries, queries_of
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

LIST = reverse("asks:ask_list")


def ask_of(owner, **fields) -> Ask:
    return AskFactory(opportunity=OpportunityFactory(owner=owner, account=AccountFactory(owner=owner)), **fields)


def test_rep_sees_only_asks_of_their_own_deals_newest_first(client, rep, outsider_rep):
    older = ask_of(rep, need="Older")
    newer = ask_of(rep, need="Newer")
    ask_of(outsider_rep, need="Someone else's")
    client.force_login(rep)

    response = client.get(LIST)

    assert list(response.context["page"].rows) == [newer, older]
    assert "Someone else" not in response.content.decode()


def test_ask_list_filters_by_importance_product_and_need(client, product_manager):
    feature = FeatureFactory()
    wanted = AskFactory(feature=feature, importance="blocker", need="Okta SSO", status="linked")
    AskFactory(feature=feature, importance="important", need="Okta SSO", status="linked")
    AskFactory(importance="blocker", need="Okta SSO")
    client.force_login(product_manager)

    response = client.get(LIST, {"importance": "blocker", "product": feature.product_id, "q": "okta"})

    assert list(response.context["page"].rows) == [wanted]


def test_rep_sees_that_an_ask_is_linked_but_not_the_internal_features_title(client, rep):
    ask = ask_of(rep, feature=FeatureFactory(title="Secret rewrite", visibility="internal"), status="linked")
    client.force_login(rep)

    list_body = client.get(LIST).content.decode()
    detail_body = client.get(reverse("asks:ask_detail", args=[ask.pk])).content.decode()

    assert "Secret rewrite" not in list_body + detail_body
    assert "Linked to an internal feature" in detail_body


def test_rep_gets_404_for_another_teams_ask(client, rep, outsider_rep):
    ask = ask_of(outsider_rep)
    client.force_login(rep)
    assert client.get(reverse("asks:ask_detail", args=[ask.pk])).status_code == 404


def test_sales_manager_opens_an_ask_of_their_team(client, sales_manager, rep):
    ask = ask_of(rep, need="Okta SSO for everyone")
    client.force_login(sales_manager)
    assert "Okta SSO for everyone" in client.get(reverse("asks:ask_detail", args=[ask.pk])).content.decode()


def test_htmx_request_gets_only_the_list_region(client, product_manager):
    AskFactory(need="Okta SSO")
    client.force_login(product_manager)
    body = client.get(LIST, headers={"HX-Request": "true"}).content.decode()
    assert "Okta SSO" in body
    assert "<html" not in body


def test_ask_list_runs_the_same_queries_for_1_and_10_asks(client, rep):
    client.force_login(rep)
    ask_of(rep, feature=FeatureFactory())
    one = queries_of(lambda: client.get(LIST))
    for _ in range(9):
        ask_of(rep, feature=FeatureFactory())
    ten = queries_of(lambda: client.get(LIST))
    assert_same_queries(one, ten)
