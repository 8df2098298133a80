import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from tandem.asks.tests.factories import AskFactory
from tandem.competition.models import Competitor
from tandem.core.api import StaleVersion
from tandem.core.models import ExchangeRate
from tandem.core.money import workspace_get
from tandem.core.roles import Role
from tandem.sales import services
from tandem.sales.models import Account, Contact, Opportunity, Quota, StageChange
from tandem.sales.tests.factories import AccountFactory, ContactFactory, OpportunityFactory, QuotaFactory

CLOSE = datetime.date(2027, 3, 31)


def _create(actor, account, stage, **extra):
    return services.opportunity_create(
        actor=actor,
        account=account,
        name=extra.pop("name", "Platform deal"),
        amount=extra.pop("amount", Decimal("100000.00")),
        stage=stage,
        close_date=extra.pop("close_date", CLOSE),
        **extra,
    )


# Creating deals


def test_rep_creates_a_deal_they_own_with_its_first_stage_change(rep, stages):
    account = AccountFactory.create(owner=rep)
    deal = _create(rep, account, stages.discovery)
    assert deal.owner == rep
    assert deal.amount_home == Decimal("100000.00")
    assert deal.currency == workspace_get().home_currency
    assert (deal.probability, deal.forecast_category) == (20, "pipeline")
    assert deal.version == 1
    assert deal.closed_at is None
    change = StageChange.objects.get(opportunity=deal)
    assert change.from_stage is None
    assert change.to_stage == stages.discovery
    assert change.amount_home == Decimal("100000.00")
    assert change.changed_by == rep


def test_given_probability_and_forecast_category_override_the_stages(rep, stages):
    deal = _create(
        rep, AccountFactory.create(owner=rep), stages.discovery, probability=35, forecast_category="best_case"
    )
    assert (deal.probability, deal.forecast_category) == (35, "best_case")


def test_rep_cannot_create_a_deal_owned_by_another_rep(rep, other_rep, stages):
    with pytest.raises(ValidationError) as error:
        _create(rep, AccountFactory.create(owner=rep), stages.discovery, owner=other_rep)
    assert "owner" in error.value.message_dict
    assert not Opportunity.objects.exists()


def test_sales_manager_assigns_a_deal_to_a_team_member(sales_manager, rep, stages):
    deal = _create(sales_manager, AccountFactory.create(owner=rep), stages.discovery, owner=rep)
    assert deal.owner == rep


def test_sales_manager_cannot_assign_a_deal_outside_their_teams(sales_manager, rep, outsider_rep, stages):
    with pytest.raises(ValidationError) as error:
        _create(sales_manager, AccountFactory.create(owner=rep), stages.discovery, owner=outsider_rep)
    assert "owner" in error.value.message_dict


def test_admin_assigns_a_deal_to_anyone(admin_user, outsider_rep, stages):
    deal = _create(admin_user, AccountFactory.create(owner=outsider_rep), stages.discovery, owner=outsider_rep)
    assert deal.owner == outsider_rep


@pytest.mark.parametrize("role", [Role.PRODUCT_MANAGER, Role.EXECUTIVE, Role.ENGINEERING_LEAD])
def test_roles_outside_sales_cannot_create_deals(user_with_role, rep, stages, role):
    with pytest.raises(PermissionDenied):
        _create(user_with_role(role), AccountFactory.create(owner=rep), stages.discovery, owner=rep)


def test_rep_cannot_open_a_deal_on_an_account_they_cannot_see(rep, outsider_rep, stages):
    with pytest.raises(ValidationError) as error:
        _create(rep, AccountFactory.create(owner=outsider_rep), stages.discovery)
    assert "account" in error.value.message_dict


def test_amount_is_converted_with_the_rate_valid_on_the_close_date(rep, stages):
    ExchangeRate.objects.create(currency="EUR", valid_from=datetime.date(2026, 1, 1), rate_to_home=Decimal("1.10"))
    ExchangeRate.objects.create(currency="EUR", valid_from=datetime.date(2027, 1, 1), rate_to_home=Decimal("1.2345"))
    ExchangeRate.objects.create(currency="EUR", valid_from=datetime.date(2027, 6, 1), rate_to_home=Decimal("2"))
    deal = _create(rep, AccountFactory.create(owner=rep), stages.discovery, amount=Decimal("1000.01"), currency="eur")
    assert deal.currency == "EUR"
    assert deal.amount_home == Decimal("1234.51")  # 1000.01 * 1.2345 = 1234.512345, to the cent


def test_a_currency_without_a_rate_is_a_field_error_and_writes_nothing(rep, stages):
    with pytest.raises(ValidationError) as error:
        _create(rep, AccountFactory.create(owner=rep), stages.discovery, currency="JPY")
    assert "currency" in error.value.message_dict
    assert not Opportunity.objects.exists()
    assert not StageChange.objects.exists()


def test_a_deal_created_won_is_closed(rep, stages):
    deal = _create(rep, AccountFactory.create(owner=rep), stages.won)
    assert deal.closed_at is not None


def test_a_loss_reason_on_an_open_deal_is_refused(rep, stages):
    with pytest.raises(ValidationError) as error:
        _create(rep, AccountFactory.create(owner=rep), stages.discovery, loss_reason="price")
    assert "loss_reason" in error.value.message_dict


def test_negative_amount_is_a_field_error(rep, stages):
    with pytest.raises(ValidationError) as error:
        _create(rep, AccountFactory.create(owner=rep), stages.discovery, amount=Decimal("-1"))
    assert "amount" in error.value.message_dict


def test_database_refuses_a_negative_amount(rep, stages):
    deal = OpportunityFactory.create(owner=rep, account=AccountFactory.create(owner=rep), stage=stages.discovery)
    with pytest.raises(IntegrityError), transaction.atomic():
        Opportunity.objects.filter(pk=deal.pk).update(amount=Decimal("-5"))


def test_database_refuses_a_probability_over_100(rep, stages):
    deal = OpportunityFactory.create(owner=rep, account=AccountFactory.create(owner=rep), stage=stages.discovery)
    with pytest.raises(IntegrityError), transaction.atomic():
        Opportunity.objects.filter(pk=deal.pk).update(probability=101)


# Changing deals


@pytest.fixture
def deal(rep, stages):
    return _create(rep, AccountFactory.create(owner=rep), stages.discovery)


def test_moving_stage_records_history_and_takes_the_stages_defaults(rep, deal, stages):
    moved = services.opportunity_update(
        actor=rep, opportunity=deal, expected_version=1, data={"stage": stages.proposal}
    )
    assert (moved.probability, moved.forecast_category) == (60, "best_case")
    assert moved.version == 2
    change = StageChange.objects.filter(opportunity=deal).latest("id")
    assert (change.from_stage, change.to_stage, change.changed_by) == (stages.discovery, stages.proposal, rep)
    assert StageChange.objects.filter(opportunity=deal).count() == 2


def test_moving_stage_keeps_a_probability_given_with_it(rep, deal, stages):
    moved = services.opportunity_update(
        actor=rep, opportunity=deal, expected_version=1, data={"stage": stages.proposal, "probability": 45}
    )
    assert (moved.probability, moved.forecast_category) == (45, "best_case")


def test_a_change_without_a_stage_move_writes_no_history(rep, deal):
    services.opportunity_update(actor=rep, opportunity=deal, expected_version=1, data={"name": "Renamed"})
    assert StageChange.objects.filter(opportunity=deal).count() == 1


def test_winning_closes_the_deal_and_reopening_clears_closed_at(rep, deal, stages):
    won = services.opportunity_move_stage(actor=rep, opportunity=deal, expected_version=1, stage=stages.won)
    assert won.closed_at is not None
    assert won.forecast_category == "closed"
    reopened = services.opportunity_update(
        actor=rep, opportunity=won, expected_version=2, data={"stage": stages.proposal}
    )
    assert reopened.closed_at is None


def test_a_lost_deal_names_its_reason_and_competitor(rep, deal, stages):
    rival = Competitor.objects.create(name="Globex CRM")
    lost = services.opportunity_move_stage(
        actor=rep, opportunity=deal, expected_version=1, stage=stages.lost, loss_reason="competitor", competitor=rival
    )
    assert (lost.loss_reason, lost.competitor, lost.probability) == ("competitor", rival, 0)
    assert lost.closed_at is not None
    reopened = services.opportunity_update(
        actor=rep, opportunity=lost, expected_version=2, data={"stage": stages.discovery}
    )
    assert reopened.loss_reason == ""
    assert reopened.competitor == rival  # the competitor fought stays known


def test_a_stale_version_is_refused_and_changes_nothing(rep, deal, stages):
    services.opportunity_update(actor=rep, opportunity=deal, expected_version=1, data={"name": "First"})
    with pytest.raises(StaleVersion):
        services.opportunity_update(
            actor=rep, opportunity=deal, expected_version=1, data={"name": "Second", "stage": stages.won}
        )
    deal.refresh_from_db()
    assert (deal.name, deal.stage, deal.version) == ("First", stages.discovery, 2)
    assert StageChange.objects.filter(opportunity=deal).count() == 1


def test_a_new_amount_or_close_date_recomputes_the_home_amount(rep, deal):
    ExchangeRate.objects.create(currency="GBP", valid_from=datetime.date(2026, 1, 1), rate_to_home=Decimal("1.25"))
    ExchangeRate.objects.create(currency="GBP", valid_from=datetime.date(2027, 6, 1), rate_to_home=Decimal("1.50"))
    changed = services.opportunity_update(
        actor=rep, opportunity=deal, expected_version=1, data={"amount": Decimal("200"), "currency": "GBP"}
    )
    assert changed.amount_home == Decimal("250.00")
    later = services.opportunity_update(
        actor=rep, opportunity=changed, expected_version=2, data={"close_date": datetime.date(2027, 7, 1)}
    )
    assert later.amount_home == Decimal("300.00")


def test_rep_cannot_change_another_reps_deal(other_rep, deal):
    with pytest.raises(Http404):
        services.opportunity_update(actor=other_rep, opportunity=deal, expected_version=1, data={"name": "Mine"})


def test_sales_manager_changes_a_team_members_deal(sales_manager, deal):
    changed = services.opportunity_update(
        actor=sales_manager, opportunity=deal, expected_version=1, data={"name": "Coached"}
    )
    assert changed.name == "Coached"


def test_product_manager_sees_but_cannot_change_a_deal(product_manager, deal):
    with pytest.raises(PermissionDenied):
        services.opportunity_update(actor=product_manager, opportunity=deal, expected_version=1, data={"name": "x"})


def test_rep_cannot_hand_a_deal_to_another_rep(rep, other_rep, deal):
    with pytest.raises(ValidationError) as error:
        services.opportunity_update(actor=rep, opportunity=deal, expected_version=1, data={"owner": other_rep})
    assert "owner" in error.value.message_dict


def test_deleting_a_deal_removes_its_history_and_keeps_its_asks_on_the_account(rep, deal):
    ask = AskFactory.create(opportunity=deal)
    services.opportunity_delete(actor=rep, opportunity=deal)
    assert not Opportunity.objects.filter(pk=deal.pk).exists()
    assert not StageChange.objects.filter(opportunity_id=deal.pk).exists()
    ask.refresh_from_db()
    assert ask.opportunity is None
    assert ask.account_id == deal.account_id


def test_rep_cannot_delete_another_reps_deal(outsider_rep, deal):
    with pytest.raises(Http404):
        services.opportunity_delete(actor=outsider_rep, opportunity=deal)


# Accounts and contacts


def test_rep_creates_an_account_they_own(rep):
    account = services.account_create(actor=rep, name="Initech", segment="enterprise")
    assert (account.owner, account.segment) == (rep, "enterprise")


def test_rep_cannot_create_an_account_for_someone_else(rep, other_rep):
    with pytest.raises(ValidationError):
        services.account_create(actor=rep, name="Initech", owner=other_rep)


def test_account_with_an_unknown_segment_is_a_field_error(rep):
    with pytest.raises(ValidationError) as error:
        services.account_create(actor=rep, name="Initech", segment="galactic")
    assert "segment" in error.value.message_dict


def test_executive_cannot_create_an_account(executive):
    with pytest.raises(PermissionDenied):
        services.account_create(actor=executive, name="Initech")


def test_sales_manager_reassigns_an_account_within_the_team(sales_manager, rep, other_rep):
    account = AccountFactory.create(owner=rep)
    services.account_update(
        actor=sales_manager, account=account, expected_version=1, data={"owner": other_rep, "status": "customer"}
    )
    account.refresh_from_db()
    assert (account.owner, account.status) == (other_rep, "customer")


def test_rep_cannot_change_an_account_they_cannot_see(rep, outsider_rep):
    with pytest.raises(Http404):
        services.account_update(
            actor=rep, account=AccountFactory.create(owner=outsider_rep), expected_version=1, data={"name": "Mine"}
        )


def test_every_account_change_bumps_its_version(rep):
    account = AccountFactory.create(owner=rep)
    assert account.version == 1
    changed = services.account_update(actor=rep, account=account, expected_version=1, data={"name": "Renamed"})
    assert changed.version == 2
    services.account_update(actor=rep, account=changed, expected_version=2, data={"status": "customer"})
    account.refresh_from_db()
    assert (account.name, account.status, account.version) == ("Renamed", "customer", 3)


def test_a_stale_account_version_is_refused_and_changes_nothing(rep):
    account = AccountFactory.create(owner=rep, name="Acme", status="prospect")
    services.account_update(actor=rep, account=account, expected_version=1, data={"name": "First"})
    with pytest.raises(StaleVersion, match="Someone else changed this account"):
        services.account_update(
            actor=rep, account=account, expected_version=1, data={"name": "Second", "status": "customer"}
        )
    account.refresh_from_db()
    assert (account.name, account.status, account.version) == ("First", "prospect", 2)


def test_deleting_an_account_with_deals_is_refused(rep, deal):
    with pytest.raises(ValidationError, match="still has deals"):
        services.account_delete(actor=rep, account=deal.account)
    assert Account.objects.filter(pk=deal.account_id).exists()


def test_deleting_an_account_removes_its_contacts(rep):
    contact = ContactFactory.create(account=AccountFactory.create(owner=rep))
    services.account_delete(actor=rep, account=contact.account)
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_contacts_are_added_changed_and_removed_on_visible_accounts(rep):
    account = AccountFactory.create(owner=rep)
    contact = services.contact_create(actor=rep, account=account, first_name="Grace", last_name="Hopper")
    services.contact_update(actor=rep, contact=contact, data={"title": "CTO"})
    contact.refresh_from_db()
    assert contact.title == "CTO"
    services.contact_delete(actor=rep, contact=contact)
    assert not Contact.objects.exists()


def test_rep_cannot_add_a_contact_to_another_teams_account(rep, outsider_rep):
    with pytest.raises(Http404):
        services.contact_create(
            actor=rep, account=AccountFactory.create(owner=outsider_rep), first_name="Grace", last_name="Hopper"
        )


def test_a_bad_contact_email_is_a_field_error(rep):
    with pytest.raises(ValidationError) as error:
        services.contact_create(
            actor=rep, account=AccountFactory.create(owner=rep), first_name="G", last_name="H", email="not-an-email"
        )
    assert "email" in error.value.message_dict


# Quotas


def test_sales_manager_sets_a_team_members_quota_and_replaces_it(sales_manager, rep):
    services.quota_set(actor=sales_manager, user=rep, fiscal_year=2027, fiscal_quarter=2, amount=Decimal("100"))
    quota = services.quota_set(actor=sales_manager, user=rep, fiscal_year=2027, fiscal_quarter=2, amount=Decimal("150"))
    assert quota.amount == Decimal("150")
    assert Quota.objects.count() == 1


def test_sales_manager_sets_the_quota_of_a_team_they_manage(sales_manager, sales_team):
    quota = services.quota_set(
        actor=sales_manager, team=sales_team, fiscal_year=2027, fiscal_quarter=1, amount=Decimal("1000000")
    )
    assert quota.team == sales_team


def test_sales_manager_cannot_set_quotas_outside_their_teams(sales_manager, outsider_rep):
    with pytest.raises(PermissionDenied):
        services.quota_set(
            actor=sales_manager, user=outsider_rep, fiscal_year=2027, fiscal_quarter=1, amount=Decimal("1")
        )
    with pytest.raises(PermissionDenied):
        services.quota_set(
            actor=sales_manager, team=outsider_rep.team, fiscal_year=2027, fiscal_quarter=1, amount=Decimal("1")
        )


def test_sales_manager_cannot_set_their_own_quota(sales_manager):
    with pytest.raises(PermissionDenied):
        services.quota_set(
            actor=sales_manager, user=sales_manager, fiscal_year=2027, fiscal_quarter=1, amount=Decimal("1")
        )


def test_rep_cannot_set_a_quota(rep):
    with pytest.raises(PermissionDenied):
        services.quota_set(actor=rep, user=rep, fiscal_year=2027, fiscal_quarter=1, amount=Decimal("1"))


def test_executive_sets_anyones_quota(executive, outsider_rep):
    quota = services.quota_set(
        actor=executive, user=outsider_rep, fiscal_year=2027, fiscal_quarter=4, amount=Decimal("5")
    )
    assert quota.user == outsider_rep


def test_a_quota_is_for_one_person_or_one_team(executive, rep, sales_team):
    with pytest.raises(ValidationError):
        services.quota_set(
            actor=executive, user=rep, team=sales_team, fiscal_year=2027, fiscal_quarter=1, amount=Decimal("1")
        )


def test_a_quota_quarter_outside_1_to_4_is_a_field_error(executive, rep):
    with pytest.raises(ValidationError) as error:
        services.quota_set(actor=executive, user=rep, fiscal_year=2027, fiscal_quarter=5, amount=Decimal("1"))
    assert "fiscal_quarter" in error.value.message_dict


def test_database_refuses_two_quotas_for_one_rep_and_quarter(rep):
    QuotaFactory.create(user=rep, fiscal_year=2027, fiscal_quarter=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaFactory.create(user=rep, fiscal_year=2027, fiscal_quarter=1)
