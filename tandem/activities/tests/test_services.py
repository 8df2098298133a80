"""Logging notes, calls and meetings: who may, on which deals, with whom, and the deal's last activity."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tandem.activities import services
from tandem.activities.models import Activity
from tandem.activities.selectors import activity_visible, deal_is_quiet
from tandem.activities.tests.factories import ActivityFactory
from tandem.core.api import StaleVersion
from tandem.sales.models import Opportunity, StageChange
from tandem.sales.selectors import quiet_deals
from tandem.sales.tests.factories import AccountFactory, ContactFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(rep, stages):
    return OpportunityFactory.create(account=AccountFactory.create(owner=rep), stage=stages.discovery)


def test_rep_logs_a_call_with_the_accounts_people_and_the_deal_is_active_again(rep, deal):
    person = ContactFactory.create(account=deal.account, first_name="Grace")
    Opportunity.objects.filter(pk=deal.pk).update(last_activity_at=timezone.now() - datetime.timedelta(days=40))
    call = services.activity_create(
        actor=rep, opportunity=deal, kind="call", body="Budget approved.", contacts=[person]
    )
    assert list(call.contacts.all()) == [person]
    assert call.author == rep
    deal.refresh_from_db()
    assert deal.last_activity_at == call.occurred_at
    assert not deal_is_quiet(deal=deal, stale_after_days=14, now=timezone.now())


def test_a_person_of_another_account_is_refused_under_the_people(rep, deal):
    stranger = ContactFactory.create(account=AccountFactory.create(owner=rep))
    with pytest.raises(ValidationError) as refused:
        services.activity_create(actor=rep, opportunity=deal, kind="call", body="Hello", contacts=[stranger])
    assert refused.value.message_dict == {"contacts": ["Choose people of the deal's account."]}
    assert not Activity.objects.exists()


def test_empty_text_and_unknown_kind_are_refused_under_their_fields(rep, deal):
    with pytest.raises(ValidationError) as refused:
        services.activity_create(actor=rep, opportunity=deal, kind="fax", body="")
    assert set(refused.value.message_dict) == {"kind", "body"}


def test_who_may_log_follows_who_may_change_the_deal(
    rep, other_rep, outsider_rep, sales_manager, product_manager, deal
):
    services.activity_create(actor=sales_manager, opportunity=deal, kind="note", body="Coach: ask for the budget.")
    with pytest.raises(PermissionDenied):
        services.activity_create(actor=product_manager, opportunity=deal, kind="note", body="A PM's note")
    for stranger in (other_rep, outsider_rep):
        with pytest.raises(Http404):
            services.activity_create(actor=stranger, opportunity=deal, kind="note", body="Not mine")
    # Reads follow the deal: the product manager reads the manager's note, the team-mate does not.
    assert activity_visible(user=product_manager).count() == 1
    assert activity_visible(user=other_rep).count() == 0


def test_a_stale_edit_is_refused_and_changes_nothing(rep, deal):
    note = services.activity_create(actor=rep, opportunity=deal, kind="note", body="First take")
    services.activity_update(actor=rep, activity=note, expected_version=1, data={"body": "Second take"})
    with pytest.raises(StaleVersion):
        services.activity_update(actor=rep, activity=note, expected_version=1, data={"body": "Lost update"})
    note.refresh_from_db()
    assert (note.body, note.version) == ("Second take", 2)


def test_a_planned_meeting_does_not_make_a_deal_active_and_deleting_falls_back(rep, deal):
    moved = timezone.now() - datetime.timedelta(days=30)
    StageChange.objects.create(
        opportunity=deal, to_stage=deal.stage, amount_home=deal.amount_home, changed_at=moved, changed_by=rep
    )
    planned = timezone.now() + datetime.timedelta(days=3)
    services.activity_create(actor=rep, opportunity=deal, kind="meeting", body="Demo", occurred_at=planned)
    deal.refresh_from_db()
    assert deal.last_activity_at == moved
    call = services.activity_create(actor=rep, opportunity=deal, kind="call", body="Confirmed the demo")
    deal.refresh_from_db()
    assert deal.last_activity_at == call.occurred_at
    services.activity_delete(actor=rep, activity=call)
    deal.refresh_from_db()
    assert deal.last_activity_at == moved


def test_quiet_deals_are_open_deals_without_activity_for_the_workspaces_days(rep, stages):
    now = timezone.now()
    account = AccountFactory.create(owner=rep)
    quiet = OpportunityFactory.create(
        account=account, stage=stages.discovery, last_activity_at=now - datetime.timedelta(days=15)
    )
    OpportunityFactory.create(
        account=account, stage=stages.discovery, last_activity_at=now - datetime.timedelta(days=13)
    )
    OpportunityFactory.create(
        account=account,
        stage=stages.won,
        last_activity_at=now - datetime.timedelta(days=90),
        created_at=now - datetime.timedelta(days=100),
        closed_at=now,
    )
    assert list(Opportunity.objects.filter(quiet_deals(stale_after_days=14, now=now))) == [quiet]
    assert Opportunity.objects.filter(quiet_deals(stale_after_days=10, now=now)).count() == 2


def test_moving_a_deal_makes_it_active(rep, deal, stages):
    from tandem.sales.services import opportunity_move_stage

    Opportunity.objects.filter(pk=deal.pk).update(last_activity_at=timezone.now() - datetime.timedelta(days=40))
    deal.refresh_from_db()
    moved = opportunity_move_stage(actor=rep, opportunity=deal, expected_version=deal.version, stage=stages.proposal)
    assert moved.last_activity_at is not None
    assert moved.last_activity_at > timezone.now() - datetime.timedelta(minutes=1)


def test_factory_entries_are_visible_to_the_deals_owner(rep, deal):
    ActivityFactory.create(opportunity=deal)
    assert activity_visible(user=rep).count() == 1
