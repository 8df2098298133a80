"""The engine as people meet it: the triage inbox says when an ask is probably a new need, and the
rep's "attach to an existing feature" search (the ask form) shows nothing rather than unrelated
features."""

import pytest
from django.urls import reverse

from tandem.asks.tests.factories import AskFactory
from tandem.product.tests.factories import FeatureFactory
from tandem.triage.suggestions import feature_indexed

HTMX = {"HX-Request": "true"}


@pytest.fixture
def catalogue(db):
    """Features of several products, as a workspace has them; only one is about signing in."""
    titles = {
        "sso": ("SAML single sign-on", "Employees sign in through the company's identity provider."),
        "fiscal": ("Fiscal calendar in reports", "Quarters and years that follow the customer's fiscal calendar."),
        "crm": ("Salesforce two-way sync", "Accounts, contacts and deals kept in step with Salesforce."),
        "hubspot": ("HubSpot integration", "Contacts and deals synced with HubSpot CRM."),
        "export": ("Export pipeline to Excel", "Download the pipeline as an XLSX spreadsheet."),
        "dashboards": ("Custom dashboards", "Charts of pipeline and revenue arranged by each team."),
        "audit": ("Audit log", "A record of who changed what and when, for auditors."),
        "forecast": ("Forecast roll-up by region", "Each region's forecast summed up to the company's."),
    }
    features = {}
    for key, (title, description) in titles.items():
        features[key] = FeatureFactory(title=title, description=description, visibility="sales")
        feature_indexed(feature=features[key])
    return features


def _search(client, text):
    response = client.get(reverse("asks:feature_search"), {"q": text}, headers=HTMX)
    assert response.status_code == 200
    return [feature for feature, _ in response.context["results"]]


def test_typing_sso_lists_single_sign_on_and_no_unrelated_feature(client, rep, catalogue):
    """Issue 14: typing "SSO" listed fiscal calendars and CRM sync below single sign-on."""
    client.force_login(rep)

    found = _search(client, "SSO")

    assert found == [catalogue["sso"]]


def test_a_search_that_matches_nothing_shows_nothing(client, rep, catalogue):
    client.force_login(rep)

    for text in ("quarterly pizza party", "dark mode for the night shift"):
        response = client.get(reverse("asks:feature_search"), {"q": text}, headers=HTMX)
        assert response.context["results"] == [], text
        assert "No feature matches" in response.content.decode()


def test_the_search_finds_a_feature_in_the_customers_words(client, rep, catalogue):
    client.force_login(rep)

    assert _search(client, "they want to exprot the deals to excell")[:1] == [catalogue["export"]]
    assert _search(client, "sync our deals with salesforce")[:1] == [catalogue["crm"]]


def test_the_inbox_says_probably_new_only_when_no_feature_is_likely(client, product_manager, catalogue):
    client.force_login(product_manager)
    new_need = AskFactory(need="Dark mode please, the night shift finds the white screen blinding", why="")
    covered = AskFactory(need="SSO with Okta for all their staff", why="")

    def panel(ask):
        response = client.get(reverse("asks:ask_detail", args=[ask.pk]), {"inbox": ""}, headers=HTMX)
        assert response.status_code == 200
        return response.content.decode()

    assert 'data-testid="probably-new"' in panel(new_need)
    assert "Probably new" in panel(new_need)
    assert 'data-testid="probably-new"' not in panel(covered)
