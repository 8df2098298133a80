"""Saved views: a list's filters and sort under a name, private to the person who saved them."""

import pytest
from django.http import Http404
from django.urls import reverse

from tandem.core import services
from tandem.core.models import SavedView
from tandem.core.selectors import saved_view_visible, saved_views_of

pytestmark = pytest.mark.django_db
LIST = "sales:opportunity_list"


def test_saving_keeps_filters_and_sort_without_the_page(rep):
    view = services.saved_view_save(
        actor=rep, list_name=LIST, name="  My   quiet deals ", query="activity=quiet&sort=-amount&page=3&totals=1&q="
    )
    assert (view.name, view.query) == ("My quiet deals", "activity=quiet&sort=-amount")


def test_saving_again_under_the_same_name_replaces_the_filters(rep):
    services.saved_view_save(actor=rep, list_name=LIST, name="Mine", query="status=open")
    services.saved_view_save(actor=rep, list_name=LIST, name="Mine", query="status=won")
    assert list(SavedView.objects.values_list("name", "query")) == [("Mine", "status=won")]


def test_a_view_is_its_owners_alone(rep, other_rep, sales_manager, admin_user):
    view = services.saved_view_save(actor=rep, list_name=LIST, name="Mine", query="status=open")
    for someone in (other_rep, sales_manager, admin_user):
        assert not saved_view_visible(user=someone).exists()
        with pytest.raises(Http404):
            services.saved_view_delete(actor=someone, pk=view.pk)
    services.saved_view_delete(actor=rep, pk=view.pk)
    assert not SavedView.objects.exists()


def test_the_deal_list_offers_the_users_views_and_saves_one(client, rep, other_rep):
    services.saved_view_save(actor=other_rep, list_name=LIST, name="Rob's view", query="status=won")
    client.force_login(rep)
    page = client.get(reverse(LIST)).text
    assert "No saved views yet." in page
    assert "Rob&#x27;s view" not in page
    saved = client.post(
        reverse("core:saved_view_save"),
        {"list_name": LIST, "name": "Closing soon", "query": "close_date_to=2027-01-31"},
    )
    assert saved.status_code == 302
    assert saved["Location"] == reverse(LIST) + "?close_date_to=2027-01-31"
    page = client.get(reverse(LIST)).text
    assert 'href="/pipeline/opportunities/?close_date_to=2027-01-31" data-testid="saved-view">Closing soon</a>' in page
    nameless = client.post(reverse("core:saved_view_save"), {"list_name": LIST, "name": "", "query": ""})
    assert nameless.status_code == 302
    assert SavedView.objects.filter(owner=rep).count() == 1


def test_views_of_another_list_stay_there(rep):
    SavedView.objects.create(owner=rep, list_name="asks:list", name="Other", query="")
    assert not saved_views_of(user=rep, list_name=LIST).exists()


def test_an_unknown_list_is_not_found(client, rep):
    client.force_login(rep)
    assert client.post(reverse("core:saved_view_save"), {"list_name": "nope", "name": "x"}).status_code == 404
