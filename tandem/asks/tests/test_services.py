from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.asks.evidence import feature_evidence_refresh
from tandem.asks.models import Ask, FeatureEvidence
from tandem.asks.services import AskAlreadyTriaged, ask_create, ask_link, ask_merge, feature_create_from_ask
from tandem.asks.tests.factories import AskFactory
from tandem.core.roles import Role
from tandem.product.models import Feature
from tandem.product.tests.factories import FeatureFactory, ProductFactory
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory


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

    assert ask.status == Ask.Status.NEW  # a rep's pick waits for a product manager's confirmation
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


def test_an_ask_a_product_manager_logs_on_a_feature_arrives_linked(product_manager):
    deal = OpportunityFactory()
    feature = FeatureFactory()

    ask = ask_create(actor=product_manager, account=deal.account, opportunity=deal, need="Okta SSO", feature=feature)

    assert ask.status == Ask.Status.LINKED


def test_an_ask_without_a_feature_waits_in_the_inbox(rep):
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep))

    ask = ask_create(actor=rep, account=deal.account, opportunity=deal, need="Okta SSO")

    assert (ask.status, ask.feature) == (Ask.Status.NEW, None)


def test_linking_an_original_moves_its_merged_duplicates_along(product_manager, stages):
    old, new = FeatureFactory(), FeatureFactory()
    original = AskFactory(feature=old, status=Ask.Status.LINKED, opportunity=OpportunityFactory(stage=stages["open"]))
    duplicate = AskFactory(
        feature=old,
        status=Ask.Status.MERGED,
        duplicate_of=original,
        opportunity=OpportunityFactory(stage=stages["open"], amount=Decimal("30000.00")),
    )
    feature_evidence_refresh(feature_ids=[old.pk])

    ask_link(actor=product_manager, ask=original, feature=new)

    duplicate.refresh_from_db()
    assert (duplicate.feature, duplicate.status, duplicate.duplicate_of) == (new, Ask.Status.MERGED, original)
    assert evidence_of(old).asks_count == 0
    assert evidence_of(new).open_pipeline >= Decimal("50000.00")


def test_a_merged_ask_is_linked_through_its_original(product_manager):
    original = AskFactory()
    duplicate = AskFactory(status=Ask.Status.MERGED, duplicate_of=original)

    with pytest.raises(ValidationError) as error:
        ask_link(actor=product_manager, ask=duplicate, feature=FeatureFactory())

    assert f"ask #{original.pk}" in error.value.message_dict["feature"][0]


# --- ask_merge ----------------------------------------------------------------------------------


def test_a_merged_duplicate_takes_the_originals_feature(product_manager, stages):
    feature, proposed = FeatureFactory(), FeatureFactory()
    original = AskFactory(feature=feature, status=Ask.Status.LINKED)
    duplicate = AskFactory(feature=proposed)  # new, with the rep's pick
    feature_evidence_refresh(feature_ids=[feature.pk, proposed.pk])

    ask_merge(actor=product_manager, duplicate=duplicate, original=original, expected_status=Ask.Status.NEW)

    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.duplicate_of, duplicate.feature) == (Ask.Status.MERGED, original, feature)
    assert evidence_of(proposed).asks_count == 0


def test_a_duplicate_from_the_same_deal_adds_no_money_twice(product_manager, stages):
    feature = FeatureFactory()
    deal = OpportunityFactory(amount=Decimal("80000.00"), stage=stages["open"], probability=50)
    original = AskFactory(opportunity=deal, feature=feature, status=Ask.Status.LINKED)
    duplicate = AskFactory(opportunity=deal, blocker=True)

    ask_merge(actor=product_manager, duplicate=duplicate, original=original)

    evidence = evidence_of(feature)
    assert (evidence.accounts_count, evidence.open_pipeline, evidence.weighted_pipeline) == (
        1,
        Decimal("80000.00"),
        Decimal("40000.00"),
    )


def test_a_duplicate_from_another_account_adds_its_account_and_deal(product_manager, stages):
    feature = FeatureFactory()
    original = AskFactory(
        feature=feature, status=Ask.Status.LINKED, opportunity=OpportunityFactory(stage=stages["open"])
    )
    duplicate = AskFactory(opportunity=OpportunityFactory(stage=stages["open"], amount=Decimal("20000.00")))

    ask_merge(actor=product_manager, duplicate=duplicate, original=original)

    evidence = evidence_of(feature)
    assert (evidence.accounts_count, evidence.open_pipeline) == (2, Decimal("70000.00"))


def test_asks_merged_into_a_duplicate_follow_it_to_the_original(product_manager):
    feature = FeatureFactory()
    original = AskFactory(feature=feature, status=Ask.Status.LINKED)
    duplicate = AskFactory()
    earlier = AskFactory(status=Ask.Status.MERGED, duplicate_of=duplicate)

    ask_merge(actor=product_manager, duplicate=duplicate, original=original)

    earlier.refresh_from_db()
    assert (earlier.duplicate_of, earlier.feature) == (original, feature)


def test_an_ask_cannot_be_merged_into_itself(product_manager):
    ask = AskFactory()

    with pytest.raises(ValidationError) as error:
        ask_merge(actor=product_manager, duplicate=ask, original=ask)

    assert "itself" in error.value.message_dict["original"][0]


def test_merging_into_a_merged_ask_points_to_its_original(product_manager):
    first = AskFactory()
    merged = AskFactory(status=Ask.Status.MERGED, duplicate_of=first)
    ask = AskFactory()

    with pytest.raises(ValidationError) as error:
        ask_merge(actor=product_manager, duplicate=ask, original=merged)

    assert f"ask #{first.pk}" in error.value.message_dict["original"][0]
    ask.refresh_from_db()
    assert ask.status == Ask.Status.NEW


def test_asks_of_different_accounts_may_be_merged(product_manager):
    original, duplicate = AskFactory(), AskFactory()
    assert original.account != duplicate.account

    ask_merge(actor=product_manager, duplicate=duplicate, original=original)

    duplicate.refresh_from_db()
    assert duplicate.duplicate_of == original


@pytest.mark.parametrize("role", [Role.REP, Role.SALES_MANAGER, Role.ENGINEERING_LEAD, Role.EXECUTIVE])
def test_only_triagers_merge_asks(user_with_role, role):
    with pytest.raises(PermissionDenied):
        ask_merge(actor=user_with_role(role), duplicate=AskFactory(), original=AskFactory())


# --- two product managers triaging the same ask --------------------------------------------------


def test_the_second_pm_to_triage_an_ask_is_refused_and_nothing_is_overwritten(product_manager, admin_user):
    ask = AskFactory()
    first_choice, second_choice = FeatureFactory(title="Okta SSO"), FeatureFactory()
    # Both loaded the ask while it was new; the first one links it.
    ask_link(actor=product_manager, ask=ask, feature=first_choice, expected_status=Ask.Status.NEW)

    with pytest.raises(AskAlreadyTriaged) as error:
        ask_link(actor=admin_user, ask=ask, feature=second_choice, expected_status=Ask.Status.NEW)
    with pytest.raises(AskAlreadyTriaged):
        ask_merge(actor=admin_user, duplicate=ask, original=AskFactory(), expected_status=Ask.Status.NEW)
    with pytest.raises(AskAlreadyTriaged):
        feature_create_from_ask(
            actor=admin_user, ask=ask, product=ProductFactory(), title="Dup", expected_status=Ask.Status.NEW
        )

    assert "already triaged" in str(error.value)
    assert "Okta SSO" in str(error.value)
    ask.refresh_from_db()
    assert (ask.feature, ask.status) == (first_choice, Ask.Status.LINKED)
    assert Feature.objects.filter(title="Dup").count() == 0


# --- feature_create_from_ask ---------------------------------------------------------------------


def test_a_feature_created_from_an_ask_carries_it_and_its_duplicates(product_manager, stages):
    product = ProductFactory()
    ask = AskFactory(opportunity=OpportunityFactory(stage=stages["open"], amount=Decimal("12000.00")))
    AskFactory(status=Ask.Status.MERGED, duplicate_of=ask, opportunity=ask.opportunity)

    feature = feature_create_from_ask(
        actor=product_manager, ask=ask, product=product, title="SCIM provisioning", expected_status="new"
    )

    ask.refresh_from_db()
    assert (feature.product, feature.title) == (product, "SCIM provisioning")
    assert (ask.feature, ask.status) == (feature, Ask.Status.LINKED)
    assert set(feature.asks.values_list("pk", flat=True)) == {ask.pk, *ask.duplicates.values_list("pk", flat=True)}
    assert evidence_of(feature).open_pipeline == Decimal("12000.00")


def test_a_feature_from_an_ask_needs_a_title(product_manager):
    ask = AskFactory()

    with pytest.raises(ValidationError) as error:
        feature_create_from_ask(actor=product_manager, ask=ask, product=ProductFactory(), title="  ")

    assert "title" in error.value.message_dict
    ask.refresh_from_db()
    assert ask.status == Ask.Status.NEW
