"""Who sees which account, contact, deal and quota."""

import pytest

from tandem.core.roles import Role
from tandem.sales.selectors import account_visible, contact_visible, opportunity_visible, quota_visible
from tandem.sales.tests.factories import AccountFactory, ContactFactory, OpportunityFactory, QuotaFactory


@pytest.fixture
def deals(rep, other_rep, outsider_rep):
    """One deal for each rep: two in the sales manager's team, one in another team."""
    return {
        "rep": OpportunityFactory.create(account=AccountFactory.create(owner=rep)),
        "other_rep": OpportunityFactory.create(account=AccountFactory.create(owner=other_rep)),
        "outsider": OpportunityFactory.create(account=AccountFactory.create(owner=outsider_rep)),
    }


def _names(queryset, deals):
    by_pk = {deal.pk: key for key, deal in deals.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


def test_rep_sees_only_their_own_deals(rep, deals):
    assert _names(opportunity_visible(user=rep), deals) == {"rep"}


def test_sales_manager_sees_their_teams_deals_only(sales_manager, deals):
    assert _names(opportunity_visible(user=sales_manager), deals) == {"rep", "other_rep"}


def test_rep_of_another_team_sees_none_of_this_teams_deals(outsider_rep, deals):
    assert _names(opportunity_visible(user=outsider_rep), deals) == {"outsider"}


@pytest.mark.parametrize("role", [Role.PRODUCT_MANAGER, Role.EXECUTIVE, Role.ADMIN])
def test_product_leadership_and_admins_see_every_deal(user_with_role, deals, role):
    assert _names(opportunity_visible(user=user_with_role(role)), deals) == {"rep", "other_rep", "outsider"}


def test_engineering_lead_sees_no_deals(engineering_lead, deals):
    assert not opportunity_visible(user=engineering_lead).exists()


def test_rep_sees_the_account_of_their_deal_owned_by_someone_else(rep, other_rep):
    account = AccountFactory.create(owner=other_rep)
    assert not account_visible(user=rep).filter(pk=account.pk).exists()
    OpportunityFactory.create(account=account, owner=rep)
    assert account_visible(user=rep).filter(pk=account.pk).exists()


def test_contacts_follow_their_account(rep, outsider_rep, sales_manager, engineering_lead):
    mine = ContactFactory.create(account=AccountFactory.create(owner=rep))
    theirs = ContactFactory.create(account=AccountFactory.create(owner=outsider_rep))
    assert list(contact_visible(user=rep)) == [mine]
    assert list(contact_visible(user=sales_manager)) == [mine]
    assert not contact_visible(user=engineering_lead).exists()
    assert set(contact_visible(user=outsider_rep)) == {theirs}


def test_quotas_by_role(rep, other_rep, outsider_rep, sales_manager, sales_team, product_manager, executive):
    own = QuotaFactory.create(user=rep)
    colleague = QuotaFactory.create(user=other_rep)
    team = QuotaFactory.create(user=None, team=sales_team)
    outsider = QuotaFactory.create(user=outsider_rep)
    assert set(quota_visible(user=rep)) == {own}
    assert set(quota_visible(user=sales_manager)) == {own, colleague, team}
    assert set(quota_visible(user=executive)) == {own, colleague, team, outsider}
    assert not quota_visible(user=product_manager).exists()
