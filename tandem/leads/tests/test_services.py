import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tandem.core.api import StaleVersion
from tandem.leads import services
from tandem.leads.models import Lead
from tandem.leads.services import LeadAlreadyConverted
from tandem.leads.tests.factories import LeadFactory
from tandem.sales.models import Account, Contact, Opportunity
from tandem.sales.tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db

CLOSE = datetime.date(2027, 6, 30)


def _convert(actor, lead, stages, **changes):
    options = {
        "actor": actor,
        "lead": lead,
        "expected_version": lead.version,
        "account": None,
        "deal_name": f"{lead.company} platform",
        "stage": stages.discovery,
        "close_date": CLOSE,
        "amount": Decimal("42000.00"),
        **changes,
    }
    return services.lead_convert(**options)


def test_a_rep_creates_a_lead_they_own(rep):
    lead = services.lead_create(actor=rep, last_name="Lovelace", company="Initech", source="event")
    assert lead.owner == rep
    assert lead.status == Lead.Status.NEW
    assert lead.version == 1


def test_a_rep_cannot_give_a_lead_to_a_colleague(rep, other_rep):
    with pytest.raises(ValidationError) as refused:
        services.lead_create(actor=rep, owner=other_rep, last_name="Lovelace", company="Initech", source="event")
    assert refused.value.message_dict == {"owner": ["A rep may only assign leads to themselves."]}


def test_a_sales_manager_assigns_a_lead_to_their_rep(sales_manager, rep):
    lead = services.lead_create(
        actor=sales_manager, owner=rep, last_name="Lovelace", company="Initech", source="partner"
    )
    assert lead.owner == rep


@pytest.mark.parametrize("role_fixture", ["product_manager", "engineering_lead", "executive"])
def test_product_roles_and_executives_add_no_leads(request, role_fixture):
    with pytest.raises(PermissionDenied):
        services.lead_create(actor=request.getfixturevalue(role_fixture), last_name="X", company="Y", source="event")


def test_disqualifying_needs_a_reason(rep):
    lead = LeadFactory(owner=rep)
    with pytest.raises(ValidationError) as refused:
        services.lead_update(actor=rep, lead=lead, expected_version=1, data={"status": "disqualified"})
    assert refused.value.message_dict == {"disqualified_reason": ["Say why this lead is disqualified."]}
    lead = services.lead_update(
        actor=rep, lead=lead, expected_version=1, data={"status": "disqualified", "disqualified_reason": "Student"}
    )
    assert lead.disqualified_reason == "Student"
    lead = services.lead_update(actor=rep, lead=lead, expected_version=2, data={"status": "working"})
    assert lead.disqualified_reason == ""


def test_qualifying_records_when(rep):
    lead = services.lead_update(
        actor=rep, lead=LeadFactory(owner=rep), expected_version=1, data={"status": "qualified"}
    )
    assert lead.qualified_at is not None
    first = lead.qualified_at
    lead = services.lead_update(actor=rep, lead=lead, expected_version=2, data={"status": "working"})
    lead = services.lead_update(actor=rep, lead=lead, expected_version=3, data={"status": "qualified"})
    assert lead.qualified_at == first


def test_a_lead_is_not_marked_converted_by_hand(rep):
    with pytest.raises(ValidationError) as refused:
        services.lead_update(actor=rep, lead=LeadFactory(owner=rep), expected_version=1, data={"status": "converted"})
    assert refused.value.message_dict == {"status": [services.NOT_BY_HAND]}


def test_a_stale_edit_is_refused_and_changes_nothing(rep):
    lead = LeadFactory(owner=rep, company="Initech")
    services.lead_update(actor=rep, lead=lead, expected_version=1, data={"company": "Initech Ltd"})
    with pytest.raises(StaleVersion):
        services.lead_update(actor=rep, lead=lead, expected_version=1, data={"company": "Initrode"})
    assert Lead.objects.get(pk=lead.pk).company == "Initech Ltd"


def test_a_rep_cannot_change_a_team_mates_lead_and_their_manager_can(rep, other_rep, sales_manager):
    lead = LeadFactory(owner=other_rep)
    with pytest.raises(Http404):
        services.lead_update(actor=rep, lead=lead, expected_version=1, data={"status": "working"})
    assert (
        services.lead_update(actor=sales_manager, lead=lead, expected_version=1, data={"status": "working"}).version
        == 2
    )


def test_an_executive_reads_but_does_not_change_leads(executive, rep):
    lead = LeadFactory(owner=rep)
    with pytest.raises(PermissionDenied):
        services.lead_update(actor=executive, lead=lead, expected_version=1, data={"status": "working"})


# Conversion


def test_converting_creates_account_contact_and_deal_keeping_the_source(rep, stages):
    lead = LeadFactory(
        owner=rep,
        first_name="Ada",
        last_name="Lovelace",
        company="Initech",
        source="campaign",
        email="ada@initech.example",
        title="CTO",
        region="EMEA",
    )
    conversion = _convert(rep, lead, stages)
    account, contact, deal = conversion.account, conversion.contact, conversion.opportunity
    assert (account.name, account.owner, account.region) == ("Initech", rep, "EMEA")
    assert (contact.account, contact.first_name, contact.email, contact.title) == (
        account,
        "Ada",
        "ada@initech.example",
        "CTO",
    )
    assert (deal.account, deal.owner, deal.lead_source, deal.amount) == (account, rep, "campaign", Decimal("42000.00"))
    assert deal.get_lead_source_display() == "Marketing campaign"
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONVERTED
    assert (lead.converted_account, lead.converted_contact, lead.converted_opportunity) == (account, contact, deal)
    assert lead.converted_at is not None
    assert lead.qualified_at is not None
    assert lead.version == 2


def test_converting_into_a_matching_account_adds_no_account(rep, stages):
    account = AccountFactory(owner=rep, name="Initech")
    lead = LeadFactory(owner=rep, company="INITECH")
    conversion = _convert(rep, lead, stages, account=account)
    assert conversion.account == account
    assert Account.objects.count() == 1
    assert conversion.contact.account == account


def test_converting_into_an_account_the_actor_may_not_change_is_refused_whole(rep, other_rep, stages):
    # The rep sees the team-mate's account through a deal of their own on it, but may not add contacts.
    account = AccountFactory(owner=other_rep, name="Umbrella")
    from tandem.sales.tests.factories import OpportunityFactory

    OpportunityFactory(account=account, owner=rep, stage=stages.discovery)
    lead = LeadFactory(owner=rep, company="Umbrella")
    with pytest.raises(ValidationError) as refused:
        _convert(rep, lead, stages, account=account)
    assert "account" in refused.value.message_dict
    assert Contact.objects.count() == 0
    assert Lead.objects.get(pk=lead.pk).status == Lead.Status.NEW


def test_a_refused_deal_leaves_no_account_or_contact(rep, stages):
    lead = LeadFactory(owner=rep, company="Initech")
    with pytest.raises(ValidationError) as refused:
        _convert(rep, lead, stages, amount=Decimal("-1"))
    assert refused.value.message_dict == {"amount": ["The amount cannot be negative."]}
    assert not Account.objects.exists()
    assert not Contact.objects.exists()
    assert not Opportunity.objects.exists()
    assert Lead.objects.get(pk=lead.pk).converted_at is None


def test_a_lead_is_converted_once(rep, stages):
    lead = LeadFactory(owner=rep)
    _convert(rep, lead, stages)
    lead.refresh_from_db()
    with pytest.raises(LeadAlreadyConverted):
        _convert(rep, lead, stages)
    assert Opportunity.objects.count() == 1


def test_a_stale_conversion_is_refused(rep, stages):
    lead = LeadFactory(owner=rep)
    services.lead_update(actor=rep, lead=lead, expected_version=1, data={"status": "working"})
    with pytest.raises(StaleVersion):
        _convert(rep, lead, stages, expected_version=1)
    assert not Opportunity.objects.exists()


def test_a_disqualified_lead_is_not_converted(rep, stages):
    lead = LeadFactory(owner=rep, status="disqualified", disqualified_reason="No budget")
    with pytest.raises(ValidationError):
        _convert(rep, lead, stages)


def test_a_converted_lead_is_kept_as_converted(rep, stages):
    lead = LeadFactory(owner=rep)
    _convert(rep, lead, stages)
    with pytest.raises(ValidationError):
        services.lead_update(actor=rep, lead=lead, expected_version=2, data={"company": "Other"})


def test_a_manager_converts_a_reps_lead_into_a_deal_the_rep_owns(sales_manager, rep, stages):
    lead = LeadFactory(owner=rep)
    conversion = _convert(sales_manager, lead, stages)
    assert conversion.opportunity.owner == rep
    assert conversion.account.owner == rep


def test_account_matches_by_name_and_email_domain(rep):
    from tandem.leads.selectors import lead_account_matches

    by_name = AccountFactory(owner=rep, name="Initech")
    by_domain = AccountFactory(owner=rep, name="Initech Holdings")
    ContactFactory(account=by_domain, email="bob@initech.com")
    AccountFactory(owner=rep, name="Hooli")
    gmail = AccountFactory(owner=rep, name="Someone")
    ContactFactory(account=gmail, email="x@gmail.com")
    lead = LeadFactory(owner=rep, company=" initech ", email="ada@Initech.com")
    assert lead_account_matches(user=rep, lead=lead) == [by_name, by_domain]
    lead = LeadFactory(owner=rep, company="Nobody", email="ada@gmail.com")
    assert lead_account_matches(user=rep, lead=lead) == []


def test_account_matches_only_among_accounts_the_user_sees(rep, outsider_rep):
    from tandem.leads.selectors import lead_account_matches

    AccountFactory(owner=outsider_rep, name="Initech")
    assert lead_account_matches(user=rep, lead=LeadFactory(owner=rep, company="Initech")) == []
