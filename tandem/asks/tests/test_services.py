from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.asks.evidence import feature_evidence_refresh
from tandem.asks.models import Ask, FeatureEvidence
from tandem.asks.services import ask_create, ask_link
from tandem.asks.tests.factories import AskFactory
from tandem.core.roles import Role
from tandem.product.models import Feature
from tandem.product.tests.factories import FeatureFactory
from tandem.sales.models import Stage
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory, StageFactory


@pytest.fixture
def stages(db) -> dict[str, Stage]:
    return {
        "open": StageFactory(name="Proposal", order=3, default_probability=40),
        "won": StageFactory(name="Closed won", order=8, default_probability=100, is_won=True),
        "lost": StageFactory(name="Closed lost", order=9, default_probability=0, is_lost=True),
    }


def evidence_of(feature: Feature) -> FeatureEvidence:
    return FeatureEvidence.objects.get(feature=feature)


# --- ask_create ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.REP, Role.SALES_MANAGER, Role.PRODUCT_MANAGER, Role.ADMIN])
def test_roles_that_log_asks_can_log_one_on_the_reps_deal(user_with_role, rep, role):
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep))

    ask = ask_create(actor=user_with_role(role), account=deal.account, opportunity=deal, need="Okta SSO")

    assert ask.requested_by == user_with_role(role)
    assert ask.status == Ask.Status.NEW


@pytest.mark.parametrize("role", [Role.ENGINEERING_LEAD, Role.EXECUTIVE])
def test_engineering_and_executives_do_not_log_asks(user_with_role, rep, role):
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep))

    with pytest.raises(PermissionDenied):
        ask_create(actor=user_with_role(role), account=deal.account, opportunity=deal, need="Okta SSO")


def test_rep_cannot_log_an_ask_on_another_reps_deal(rep, outsider_rep):
    deal = OpportunityFactory(owner=outsider_rep, account=AccountFactory(owner=outsider_rep))

    with pytest.raises(ValidationError) as error:
        ask_create(actor=rep, account=deal.account, opportunity=deal, need="Okta SSO")

    assert set(error.value.message_dict) == {"account", "opportunity"}
    assert not Ask.objects.exists()


def test_the_deal_must_belong_to_the_account(rep):
    account = AccountFactory(owner=rep)
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep))

    with pytest.raises(ValidationError) as error:
        ask_create(actor=rep, account=account, opportunity=deal, need="Okta SSO")

    assert "opportunity" in error.value.message_dict


def test_rep_cannot_link_a_new_ask_to_an_internal_feature(rep):
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep))
    internal = FeatureFactory(visibility=Feature.Visibility.INTERNAL)

    with pytest.raises(ValidationError) as error:
        ask_create(actor=rep, account=deal.account, opportunity=deal, need="Okta SSO", feature=internal)

    assert "feature" in error.value.message_dict


def test_an_empty_need_is_refused_on_its_field(rep):
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep))

    with pytest.raises(ValidationError) as error:
        ask_create(actor=rep, account=deal.account, opportunity=deal, need="   ")

    assert "need" in error.value.message_dict


def test_an_ask_logged_on_a_feature_counts_in_its_evidence_at_once(rep, stages):
    deal = OpportunityFactory(
        owner=rep, account=AccountFactory(owner=rep), amount=Decimal("80000"), stage=stages["open"], probability=50
    )
    feature = FeatureFactory()

    ask = ask_create(
        actor=rep, account=deal.account, opportunity=deal, need="Okta SSO", feature=feature, importance="blocker"
    )

    assert ask.status == Ask.Status.LINKED
    evidence = evidence_of(feature)
    assert (evidence.asks_count, evidence.open_pipeline, evidence.weighted_pipeline, evidence.blocker_pipeline) == (
        1,
        Decimal("80000.00"),
        Decimal("40000.00"),
        Decimal("80000.00"),
    )


# --- ask_link -----------------------------------------------------------------------------------


def test_linking_an_ask_moves_its_evidence_from_the_old_feature_to_the_new(product_manager, stages):
    old, new = FeatureFactory(), FeatureFactory()
    ask = AskFactory(feature=old, status=Ask.Status.LINKED)
    feature_evidence_refresh(feature_ids=[old.pk])

    ask_link(actor=product_manager, ask=ask, feature=new)

    ask.refresh_from_db()
    assert (ask.feature, ask.status) == (new, Ask.Status.LINKED)
    assert evidence_of(old).asks_count == 0
    assert evidence_of(new).asks_count == 1


@pytest.mark.parametrize("role", [Role.REP, Role.SALES_MANAGER, Role.ENGINEERING_LEAD, Role.EXECUTIVE])
def test_only_triagers_link_asks(user_with_role, role):
    ask = AskFactory()

    with pytest.raises(PermissionDenied):
        ask_link(actor=user_with_role(role), ask=ask, feature=FeatureFactory())
