"""Customer calls through real HTTP: a rep opens one from the deal page, a PM joins and logs what
they heard, and the list's queries do not grow with its rows."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.asks.models import Ask
from tandem.calls.models import CustomerCall
from tandem.calls.tests.factories import CallAttendeeFactory, CustomerCallFactory
from tandem.sales.tests.factories import OpportunityFactory


def test_the_journey_open_join_and_debrief(client, rep, product_manager):
    deal = OpportunityFactory(owner=rep, account__owner=rep, name="Acme expansion")
    client.force_login(rep)
    assert 'data-testid="call-form"' in client.get(reverse("sales:opportunity_detail", args=[deal.pk])).content.decode()
    when = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("calls:call_open", args=[deal.pk]), {"scheduled_at": when, "agenda": "SSO roadmap", "seats": 2}
    )
    assert response.status_code == 302
    call = CustomerCall.objects.get()

    client.force_login(product_manager)
    assert "SSO roadmap" in client.get(reverse("calls:call_list")).content.decode()
    client.post(reverse("calls:call_join", args=[call.pk]))
    assert list(call.attendees.values_list("product_manager", flat=True)) == [product_manager.pk]

    # The call takes place.
    CustomerCall.objects.filter(pk=call.pk).update(scheduled_at=timezone.now() - datetime.timedelta(hours=1))
    response = client.post(
        reverse("calls:call_debrief", args=[call.pk]),
        {"note": "They run Okta.", "needs": "Sign in with Okta\nExport the audit log"},
        follow=True,
    )
    html = response.content.decode()
    assert "Logged: 2 asks on the deal." in html
    assert "They run Okta." in html
    assert set(Ask.objects.filter(opportunity=deal).values_list("need", flat=True)) == {
        "Sign in with Okta",
        "Export the audit log",
    }


def test_a_debrief_with_nothing_heard_is_refused_on_the_page(client, rep):
    call = CustomerCallFactory(opportunity__owner=rep, opportunity__account__owner=rep, past=True)
    client.force_login(rep)
    response = client.post(reverse("calls:call_debrief", args=[call.pk]), {"note": "", "needs": ""})
    assert response.status_code == 422
    assert "Say what you heard: a note, an ask, or both." in response.content.decode()


def test_a_pm_sees_join_on_an_upcoming_call_and_withdraw_once_joined(client, product_manager):
    call = CustomerCallFactory()
    client.force_login(product_manager)
    assert 'data-testid="join"' in client.get(reverse("calls:call_detail", args=[call.pk])).content.decode()
    CallAttendeeFactory(call=call, product_manager=product_manager)
    assert 'data-testid="withdraw"' in client.get(reverse("calls:call_detail", args=[call.pk])).content.decode()


def test_no_upcoming_call_says_where_they_come_from(client, product_manager):
    client.force_login(product_manager)
    assert "Reps open one from a deal" in client.get(reverse("calls:call_list")).content.decode()


@pytest.mark.parametrize("rows", [1, 10])
def test_the_call_list_queries_do_not_grow_with_its_rows(client, product_manager, rows, django_assert_max_num_queries):
    for _ in range(rows):
        CallAttendeeFactory(call=CustomerCallFactory(), product_manager=product_manager)
        CustomerCallFactory(past=True)
    client.force_login(product_manager)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("calls:call_list"))
    assert response.content.decode().count(str(product_manager)) >= rows
