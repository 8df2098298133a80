"""The competition pages through real HTTP: what each role sees and does, and lists whose queries do
not grow with their rows."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.competition.models import FieldIntel
from tandem.competition.tests.factories import (
    BattlecardFactory,
    CompetitorFactory,
    FieldIntelFactory,
    LossFeatureFactory,
    closed_deal,
)
from tandem.product.tests.factories import FeatureFactory
from tandem.sales.tests.factories import OpportunityFactory


def test_a_rep_logs_intel_from_the_deal_page_in_one_post(client, rep, rival):
    deal = OpportunityFactory(owner=rep, account__owner=rep, competitor=rival)
    client.force_login(rep)
    page = client.get(reverse("sales:opportunity_detail", args=[deal.pk])).content.decode()
    assert 'data-testid="intel-form"' in page
    assert 'data-testid="deal-battlecard"' in page  # the deal names the competitor: its battlecard shows
    response = client.post(
        reverse("competition:intel_log", args=[deal.pk]),
        {"competitor": rival.pk, "offered": "Three years for two", "price_home": "9000", "claims": "SOC 2"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Intel logged." in response.content.decode()
    assert "Three years for two" in response.content.decode()
    intel = FieldIntel.objects.get()
    assert (intel.opportunity, intel.account, intel.author) == (deal, deal.account, rep)


def test_a_rep_logs_intel_heard_at_an_account(client, rep, rival):
    account = OpportunityFactory(owner=rep, account__owner=rep).account
    client.force_login(rep)
    assert (
        'data-testid="account-competition"'
        in client.get(reverse("sales:account_detail", args=[account.pk])).content.decode()
    )
    response = client.post(
        reverse("competition:intel_log_account", args=[account.pk]),
        {"competitor": rival.pk, "offered": "A free pilot"},
        headers={"HX-Request": "true"},
    )
    assert "A free pilot" in response.content.decode()
    intel = FieldIntel.objects.get()
    assert (intel.account, intel.opportunity) == (account, None)


def test_the_deal_shows_the_battlecard_of_every_competitor_present(client, rep, rival):
    other = BattlecardFactory(competitor__name="Initech", landmines="Ask Initech about uptime").competitor
    rival.battlecard.landmines = "Ask Globex about SAML"
    rival.battlecard.save()
    deal = OpportunityFactory(owner=rep, account__owner=rep, competitor=rival)
    FieldIntelFactory(opportunity=deal, competitor=other)
    client.force_login(rep)
    html = client.get(reverse("sales:opportunity_detail", args=[deal.pk])).content.decode()
    assert "Ask Globex about SAML" in html
    assert "Ask Initech about uptime" in html


def test_intel_without_what_was_offered_is_refused_under_the_field(client, rep, rival):
    deal = OpportunityFactory(owner=rep, account__owner=rep)
    client.force_login(rep)
    response = client.post(
        reverse("competition:intel_log", args=[deal.pk]), {"competitor": rival.pk}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert "Say what they offered: a line is enough." in response.content.decode()
    assert not FieldIntel.objects.exists()


def test_a_product_manager_writes_the_battlecard_and_the_page_shows_who_changed_it(client, product_manager, rival):
    client.force_login(product_manager)
    response = client.post(
        reverse("competition:battlecard_update", args=[rival.pk]),
        {"version": 1, "strengths": "Cheap", "weaknesses": "No SSO", "landmines": "Ask about SAML", "objections": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ask about SAML" in html
    assert f"{product_manager} changed <strong>landmines</strong>" in html


def test_a_rep_edits_only_objections_on_the_page(client, rep, rival):
    client.force_login(rep)
    page = client.get(reverse("competition:competitor_detail", args=[rival.pk])).content.decode()
    assert 'name="objections"' in page
    assert 'name="strengths"' not in page
    client.post(
        reverse("competition:battlecard_update", args=[rival.pk]),
        {"version": 1, "objections": "Too dear — show the TCO", "strengths": "Ours now"},
    )
    rival.battlecard.refresh_from_db()
    assert (rival.battlecard.objections, rival.battlecard.strengths) == ("Too dear — show the TCO", "")


def test_a_stale_battlecard_form_is_refused_with_a_409(client, rep, product_manager, rival):
    client.force_login(product_manager)
    client.post(reverse("competition:battlecard_update", args=[rival.pk]), {"version": 1, "strengths": "A"})
    client.force_login(rep)
    response = client.post(
        reverse("competition:battlecard_update", args=[rival.pk]),
        {"version": 1, "objections": "late"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert "Someone else changed this battlecard" in response.content.decode()


def test_the_competitor_page_shows_win_loss_with_features_cited(client, product_manager, rival):
    lost = closed_deal(won=False, competitor=rival, name="Lost to Globex", close_date=timezone.localdate())
    LossFeatureFactory(opportunity=lost, feature=FeatureFactory(title="SAML single sign-on"))
    closed_deal(won=True, competitor=rival, name="Won from Globex", close_date=timezone.localdate())
    client.force_login(product_manager)
    html = client.get(reverse("competition:competitor_detail", args=[rival.pk])).content.decode()
    assert "Lost to Globex" in html
    assert "Won from Globex" in html
    assert "SAML single sign-on" in html
    assert 'id="chart-competitor-win-rate"' in html


def test_an_engineering_lead_reads_the_battlecard_but_no_deals_or_intel(client, engineering_lead, rival):
    FieldIntelFactory(competitor=rival, offered="Secret discount")
    client.force_login(engineering_lead)
    html = client.get(reverse("competition:competitor_detail", args=[rival.pk])).content.decode()
    assert 'data-testid="battlecard"' in html
    assert "Secret discount" not in html
    assert 'data-testid="win-loss"' not in html


def test_the_intel_feed_filters_by_competitor(client, product_manager, rival):
    FieldIntelFactory(competitor=rival, offered="Free onboarding")
    FieldIntelFactory(competitor=CompetitorFactory(name="Initech"), offered="Half price")
    client.force_login(product_manager)
    html = client.get(reverse("competition:intel_list"), {"competitor": rival.pk}).content.decode()
    assert "Free onboarding" in html
    assert "Half price" not in html


def test_the_empty_competition_page_says_what_to_do(client, product_manager):
    client.force_login(product_manager)
    html = client.get(reverse("competition:competitor_list")).content.decode()
    assert "No competitors yet" in html
    assert reverse("competition:competitor_create") in html


@pytest.mark.parametrize("rows", [1, 10])
def test_the_intel_feed_queries_do_not_grow_with_its_rows(client, product_manager, rows, django_assert_max_num_queries):
    for _ in range(rows):
        FieldIntelFactory()
    client.force_login(product_manager)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("competition:intel_list"))
    assert response.content.decode().count("Offered:") == rows


@pytest.mark.parametrize("rows", [1, 10])
def test_the_competitor_page_queries_do_not_grow_with_its_deals(
    client, product_manager, rival, rows, django_assert_max_num_queries
):
    for i in range(rows):
        deal = closed_deal(won=i % 2 == 0, competitor=rival, close_date=timezone.localdate())
        LossFeatureFactory(opportunity=deal)
        FieldIntelFactory(competitor=rival)
    client.force_login(product_manager)
    with django_assert_max_num_queries(17):
        response = client.get(reverse("competition:competitor_detail", args=[rival.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 10])
def test_the_competitor_list_queries_do_not_grow_with_its_rows(client, executive, rows, django_assert_max_num_queries):
    for _ in range(rows):
        closed_deal(won=True, competitor=CompetitorFactory(), close_date=timezone.localdate())
    client.force_login(executive)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("competition:competitor_list"))
    assert response.status_code == 200
