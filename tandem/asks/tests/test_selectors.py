import pytest

from tandem.asks.selectors import ask_visible
from tandem.asks.tests.factories import AskFactory
from tandem.core.roles import Role
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory


@pytest.fixture
def asks(rep, other_rep, outsider_rep):
    def on_deal_of(owner):
        return AskFactory(opportunity=OpportunityFactory(owner=owner, account=AccountFactory(owner=owner)))

    return {"rep": on_deal_of(rep), "other_rep": on_deal_of(other_rep), "outsider": on_deal_of(outsider_rep)}


def test_rep_sees_only_the_asks_of_their_own_deals(rep, asks):
    assert list(ask_visible(user=rep)) == [asks["rep"]]


def test_rep_sees_an_ask_a_product_manager_logged_on_their_deal(rep, product_manager):
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep))
    ask = AskFactory(opportunity=deal, requested_by=product_manager)
    assert list(ask_visible(user=rep)) == [ask]


def test_sales_manager_sees_the_asks_of_their_team(sales_manager, asks):
    assert set(ask_visible(user=sales_manager)) == {asks["rep"], asks["other_rep"]}


@pytest.mark.parametrize("role", [Role.PRODUCT_MANAGER, Role.ENGINEERING_LEAD, Role.EXECUTIVE, Role.ADMIN])
def test_product_engineering_and_leadership_see_every_ask(user_with_role, asks, role):
    assert set(ask_visible(user=user_with_role(role))) == set(asks.values())
