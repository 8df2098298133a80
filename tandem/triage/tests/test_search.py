"""The rep's "attach to an existing feature" search (the ask form) as a rep meets it: the same engine
as the inbox, and nothing rather than unrelated features."""

import pytest
from django.urls import reverse

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
