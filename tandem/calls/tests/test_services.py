"""Customer calls: a rep opens one on their deal, product managers sign up and withdraw, what was
heard becomes asks and notes on the deal, and a PM's calls joined are counted per quarter."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tandem.asks.models import Ask
from tandem.calls import services
from tandem.calls.models import CallAttendee
from tandem.calls.selectors import calls_joined, calls_joined_by_pm, customer_call_visible
from tandem.calls.tests.factories import CallAttendeeFactory, CustomerCallFactory
from tandem.core.fiscal import fiscal_quarter_of
from tandem.core.roles import Role
from tandem.people.tests.factories import UserFactory
from tandem.sales.tests.factories import OpportunityFactory


def _soon() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=2)


@pytest.fixture
def deal(rep):
    return OpportunityFactory(owner=rep, account__owner=rep)


def test_a_rep_opens_a_call_on_their_deal(rep, deal):
    call = services.customer_call_open(actor=rep, opportunity=deal, scheduled_at=_soon(), agenda="SSO", seats=2)
    assert (call.opened_by, call.opportunity, call.seats) == (rep, deal, 2)


def test_a_call_in_the_past_is_not_opened(rep, deal):
    with pytest.raises(ValidationError) as refused:
        services.customer_call_open(
            actor=rep, opportunity=deal, scheduled_at=timezone.now() - datetime.timedelta(hours=1), agenda="x"
        )
    assert "scheduled_at" in refused.value.message_dict


def test_seats_out_of_range_are_refused_on_the_seats(rep, deal):
    with pytest.raises(ValidationError) as refused:
        services.customer_call_open(actor=rep, opportunity=deal, scheduled_at=_soon(), agenda="x", seats=11)
    assert refused.value.message_dict["seats"] == ["Open between 1 and 10 seats."]


def test_a_team_mate_opens_no_call_on_a_deal_not_theirs(other_rep, deal):
    from django.http import Http404

    with pytest.raises(Http404):
        services.customer_call_open(actor=other_rep, opportunity=deal, scheduled_at=_soon(), agenda="x")


@pytest.mark.parametrize("role", [Role.PRODUCT_MANAGER, Role.ENGINEERING_LEAD, Role.EXECUTIVE])
def test_roles_outside_sales_open_no_call(user_with_role, deal, role):
    with pytest.raises(PermissionDenied):
        services.customer_call_open(actor=user_with_role(role), opportunity=deal, scheduled_at=_soon(), agenda="x")


def test_product_managers_join_while_seats_are_left_and_withdraw(product_manager, deal):
    call = CustomerCallFactory(opportunity=deal, seats=1)
    services.customer_call_join(actor=product_manager, call=call)
    services.customer_call_join(actor=product_manager, call=call)  # joining twice is once
    assert call.attendees.count() == 1
    second = UserFactory(role=Role.PRODUCT_MANAGER)
    with pytest.raises(ValidationError, match="Every seat"):
        services.customer_call_join(actor=second, call=call)
    services.customer_call_withdraw(actor=product_manager, call=call)
    services.customer_call_join(actor=second, call=call)
    assert [a.product_manager for a in call.attendees.all()] == [second]


@pytest.mark.parametrize("role", [Role.REP, Role.SALES_MANAGER, Role.ENGINEERING_LEAD, Role.EXECUTIVE, Role.ADMIN])
def test_only_product_managers_join(user_with_role, deal, role):
    with pytest.raises(PermissionDenied):
        services.customer_call_join(actor=user_with_role(role), call=CustomerCallFactory(opportunity=deal))


def test_a_call_that_started_or_was_cancelled_takes_no_sign_up(rep, product_manager, deal):
    past = CustomerCallFactory(opportunity=deal, past=True)
    with pytest.raises(ValidationError, match="already started"):
        services.customer_call_join(actor=product_manager, call=past)
    call = CustomerCallFactory(opportunity=deal)
    services.customer_call_cancel(actor=rep, call=call)
    with pytest.raises(ValidationError, match="cancelled"):
        services.customer_call_join(actor=product_manager, call=call)


def test_a_stale_reschedule_is_refused(rep, deal):
    from tandem.core.api import StaleVersion

    call = CustomerCallFactory(opportunity=deal)
    services.customer_call_update(actor=rep, call=call, expected_version=1, data={"agenda": "Pricing"})
    with pytest.raises(StaleVersion):
        services.customer_call_update(actor=rep, call=call, expected_version=1, data={"agenda": "Security"})


def test_what_a_pm_heard_becomes_asks_and_a_note_on_the_deal(product_manager, deal):
    call = CustomerCallFactory(opportunity=deal, past=True)
    CallAttendeeFactory(call=call, product_manager=product_manager)
    note, asks = services.customer_call_debrief(
        actor=product_manager, call=call, note="They use Okta.", needs=["Sign in with Okta", "  ", "Audit log export"]
    )
    assert note is not None
    assert note.body == "They use Okta."
    assert [(a.need, a.opportunity, a.source, a.requested_by) for a in asks] == [
        ("Sign in with Okta", deal, Ask.Source.CALL, product_manager),
        ("Audit log export", deal, Ask.Source.CALL, product_manager),
    ]
    assert set(call.asks.all()) == set(asks)


def test_a_pm_who_did_not_join_logs_nothing(product_manager, deal):
    call = CustomerCallFactory(opportunity=deal, past=True)
    with pytest.raises(PermissionDenied):
        services.customer_call_debrief(actor=product_manager, call=call, note="Heard nothing")


def test_nothing_is_logged_before_the_call_or_empty(rep, deal):
    call = CustomerCallFactory(opportunity=deal)
    with pytest.raises(ValidationError, match="once the call has taken place"):
        services.customer_call_debrief(actor=rep, call=call, note="Too early")
    past = CustomerCallFactory(opportunity=deal, past=True)
    with pytest.raises(ValidationError) as refused:
        services.customer_call_debrief(actor=rep, call=past, note=" ", needs=[""])
    assert "note" in refused.value.message_dict


# Who sees which call: the deal's rule.
SEES = {
    Role.REP: {"own"},
    Role.SALES_MANAGER: {"own", "teammate"},
    Role.PRODUCT_MANAGER: {"own", "teammate", "outsider"},
    Role.ENGINEERING_LEAD: set(),
    Role.EXECUTIVE: {"own", "teammate", "outsider"},
    Role.ADMIN: {"own", "teammate", "outsider"},
}


@pytest.mark.parametrize("role", list(Role))
def test_a_call_is_seen_by_whoever_sees_its_deal(user_with_role, rep, other_rep, outsider_rep, role):
    calls = {
        name: CustomerCallFactory(opportunity__owner=owner, opportunity__account__owner=owner)
        for name, owner in {"own": rep, "teammate": other_rep, "outsider": outsider_rep}.items()
    }
    seen = set(customer_call_visible(user=user_with_role(role)))
    assert {name for name, call in calls.items() if call in seen} == SEES[role]


# calls_joined: the PM scorecard's figure.


def test_calls_joined_counts_calls_held_in_the_quarter(product_manager, deal):
    now = timezone.now()
    quarter = fiscal_quarter_of(timezone.localdate(), 1)
    first, _ = quarter.bounds(1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time(9)))
    held = CustomerCallFactory(opportunity=deal, scheduled_at=max(start, now - datetime.timedelta(hours=2)))
    upcoming = CustomerCallFactory(opportunity=deal, scheduled_at=now + datetime.timedelta(hours=2))
    cancelled = CustomerCallFactory(
        opportunity=deal, scheduled_at=now - datetime.timedelta(hours=1), cancelled_at=now - datetime.timedelta(days=1)
    )
    earlier = CustomerCallFactory(opportunity=deal, scheduled_at=start - datetime.timedelta(days=1))
    for call in (held, upcoming, cancelled, earlier):
        CallAttendee.objects.create(call=call, product_manager=product_manager, joined_at=now)
    other_pm = UserFactory(role=Role.PRODUCT_MANAGER)
    CallAttendee.objects.create(call=held, product_manager=other_pm, joined_at=now)

    assert calls_joined(product_manager, quarter) == 1
    assert calls_joined(product_manager, quarter.previous()) == 1
    assert calls_joined_by_pm(quarter) == {product_manager.pk: 1, other_pm.pk: 1}
