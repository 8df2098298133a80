import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.asks.models import Ask, FeatureEvidence
from tandem.asks.tests.factories import AskFactory, DecisionFactory
from tandem.core.api import StaleVersion
from tandem.core.roles import Role
from tandem.product.models import Feature, Goal, Release
from tandem.product.services import (
    feature_change,
    feature_create,
    feature_delete,
    feature_estimate,
    feature_update,
    goal_create,
    goal_update,
    release_create,
    release_ship,
    release_update,
)
from tandem.product.tests.factories import FeatureFactory, GoalFactory, ProductFactory, ReleaseFactory

NOT_EDITORS = [Role.REP, Role.SALES_MANAGER, Role.ENGINEERING_LEAD, Role.EXECUTIVE]


# --- feature_create -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PRODUCT_MANAGER, Role.ADMIN])
def test_product_managers_and_admins_create_features_with_an_empty_evidence_row(user_with_role, role):
    goal = GoalFactory()

    feature = feature_create(actor=user_with_role(role), product=ProductFactory(), title=" Audit log ", goals=[goal])

    assert feature.title == "Audit log"
    assert feature.visibility == Feature.Visibility.INTERNAL
    assert feature.owner == user_with_role(role)
    assert list(feature.goals.all()) == [goal]
    assert FeatureEvidence.objects.get(feature=feature).asks_count == 0


@pytest.mark.parametrize("role", NOT_EDITORS)
def test_other_roles_cannot_create_features(user_with_role, role):
    with pytest.raises(PermissionDenied):
        feature_create(actor=user_with_role(role), product=ProductFactory(), title="Audit log")
    assert not Feature.objects.exists()


def test_a_feature_cannot_go_in_another_products_release(product_manager):
    with pytest.raises(ValidationError) as error:
        feature_create(actor=product_manager, product=ProductFactory(), title="Audit log", release=ReleaseFactory())
    assert "release" in error.value.message_dict
    assert not Feature.objects.exists()


def test_an_empty_title_or_a_zero_effort_is_refused_on_its_field(product_manager):
    with pytest.raises(ValidationError) as error:
        feature_create(actor=product_manager, product=ProductFactory(), title="", effort=Decimal("0"))
    assert {"title", "effort"} <= set(error.value.message_dict)


# --- feature_update / feature_estimate ----------------------------------------------------------


def test_updating_a_feature_bumps_its_version(product_manager):
    feature = FeatureFactory()

    updated = feature_update(
        actor=product_manager, feature=feature, expected_version=1, title="SCIM", confidence="committed"
    )

    feature.refresh_from_db()
    assert (feature.title, feature.confidence, feature.version) == ("SCIM", "committed", 2)
    assert updated.version == 2


def test_a_stale_version_is_refused_and_nothing_is_written(product_manager):
    feature = FeatureFactory(title="Before")
    feature_update(actor=product_manager, feature=feature, expected_version=1, title="Someone else's change")

    with pytest.raises(StaleVersion):
        feature_update(actor=product_manager, feature=feature, expected_version=1, title="Mine")

    feature.refresh_from_db()
    assert (feature.title, feature.version) == ("Someone else's change", 2)


def test_updating_goals_replaces_them(product_manager):
    first, second = GoalFactory(), GoalFactory()
    feature = FeatureFactory()
    feature.goals.set([first])

    feature_update(actor=product_manager, feature=feature, expected_version=1, goals=[second])

    assert list(feature.goals.all()) == [second]


@pytest.mark.parametrize("role", NOT_EDITORS)
def test_other_roles_cannot_update_features(user_with_role, role):
    feature = FeatureFactory()
    with pytest.raises(PermissionDenied):
        feature_update(actor=user_with_role(role), feature=feature, expected_version=1, title="Nope")


def test_engineering_lead_estimates_effort(engineering_lead):
    feature = FeatureFactory()

    feature_estimate(actor=engineering_lead, feature=feature, expected_version=1, effort=Decimal("4.5"))

    feature.refresh_from_db()
    assert (feature.effort, feature.version) == (Decimal("4.5"), 2)


@pytest.mark.parametrize("role", [Role.REP, Role.SALES_MANAGER, Role.EXECUTIVE])
def test_sales_and_executives_cannot_estimate_effort(user_with_role, role):
    with pytest.raises(PermissionDenied):
        feature_estimate(actor=user_with_role(role), feature=FeatureFactory(), expected_version=1, effort=Decimal("1"))


def test_an_estimate_on_a_stale_version_is_refused(engineering_lead):
    feature = FeatureFactory()
    with pytest.raises(StaleVersion):
        feature_estimate(actor=engineering_lead, feature=feature, expected_version=7, effort=Decimal("1"))


def test_engineering_lead_may_change_only_effort(engineering_lead):
    feature = FeatureFactory(title="Before")

    with pytest.raises(PermissionDenied):
        feature_change(
            actor=engineering_lead, feature=feature, expected_version=1, effort=Decimal("2"), title="Renamed"
        )
    feature_change(actor=engineering_lead, feature=feature, expected_version=1, effort=Decimal("2"))

    feature.refresh_from_db()
    assert (feature.title, feature.effort) == ("Before", Decimal("2.0"))


def test_an_effort_only_change_without_effort_keeps_the_estimate(engineering_lead):
    feature = FeatureFactory(effort=Decimal("3"))

    feature_change(actor=engineering_lead, feature=feature, expected_version=1)

    feature.refresh_from_db()
    assert feature.effort == Decimal("3.0")


# --- feature_delete -----------------------------------------------------------------------------


def test_deleting_a_feature_sends_its_asks_back_to_triage(product_manager):
    feature = FeatureFactory()
    ask = AskFactory(feature=feature, status=Ask.Status.LINKED)
    DecisionFactory(feature=feature, decided_by=product_manager)

    feature_delete(actor=product_manager, feature=feature, expected_version=1)

    ask.refresh_from_db()
    assert (ask.feature, ask.status) == (None, Ask.Status.NEW)
    assert not Feature.objects.exists()


@pytest.mark.parametrize("role", NOT_EDITORS)
def test_other_roles_cannot_delete_features(user_with_role, role):
    feature = FeatureFactory()
    with pytest.raises(PermissionDenied):
        feature_delete(actor=user_with_role(role), feature=feature)
    assert Feature.objects.filter(pk=feature.pk).exists()


def test_deleting_a_stale_version_is_refused(product_manager):
    feature = FeatureFactory()
    with pytest.raises(StaleVersion):
        feature_delete(actor=product_manager, feature=feature, expected_version=0)
    assert Feature.objects.filter(pk=feature.pk).exists()


# --- releases and goals -------------------------------------------------------------------------

TARGET = datetime.date(2027, 3, 31)


def test_product_manager_plans_and_redates_a_release(product_manager):
    product = ProductFactory(manager=product_manager)
    release = release_create(actor=product_manager, product=product, name="2027.1", target_date=TARGET)
    release_update(
        actor=product_manager, release=release, expected_version=1, name="2027.1", target_date=TARGET.replace(day=30)
    )

    release.refresh_from_db()
    assert (release.status, release.target_date, release.version) == (
        Release.Status.PLANNED,
        datetime.date(2027, 3, 30),
        2,
    )


def test_release_names_are_unique_per_product(product_manager):
    product = ProductFactory(name="Platform", manager=product_manager)
    release_create(actor=product_manager, product=product, name="2027.1", target_date=TARGET)
    with pytest.raises(ValidationError) as refused:
        release_create(actor=product_manager, product=product, name="2027.1", target_date=TARGET)
    assert refused.value.message_dict["name"] == ["Platform already has a release named 2027.1."]


def test_a_release_edit_over_someone_elses_is_refused(product_manager):
    release = ReleaseFactory(product=ProductFactory(manager=product_manager), name="2027.1")
    release_update(actor=product_manager, release=release, expected_version=1, name="2027.2", target_date=TARGET)

    with pytest.raises(StaleVersion):
        release_update(actor=product_manager, release=release, expected_version=1, name="Q1", target_date=TARGET)
    release.refresh_from_db()
    assert release.name == "2027.2"


def test_a_shipped_release_stays_as_it_shipped(product_manager):
    release = ReleaseFactory(product=ProductFactory(manager=product_manager), name="2027.1")
    release_ship(actor=product_manager, release=release)
    release.refresh_from_db()

    with pytest.raises(ValidationError, match="shipped on"):
        release_update(
            actor=product_manager, release=release, expected_version=release.version, name="x", target_date=TARGET
        )


def test_a_product_manager_plans_only_their_own_products_releases_while_the_rights_say_so(product_manager):
    """The right to plan keeps product managers to their own products by default (decision rights)."""
    others = ProductFactory(name="Analytics")
    with pytest.raises(PermissionDenied, match="Only the product manager of Analytics"):
        release_create(actor=product_manager, product=others, name="2027.1", target_date=TARGET)
    with pytest.raises(PermissionDenied):
        release_update(
            actor=product_manager,
            release=ReleaseFactory(product=others),
            expected_version=1,
            name="x",
            target_date=TARGET,
        )


@pytest.mark.parametrize("role", NOT_EDITORS)
def test_only_product_manages_releases(user_with_role, role):
    with pytest.raises(PermissionDenied):
        release_create(actor=user_with_role(role), product=ProductFactory(), name="2027.1", target_date=TARGET)
    with pytest.raises(PermissionDenied):
        release_update(
            actor=user_with_role(role), release=ReleaseFactory(), expected_version=1, name="x", target_date=TARGET
        )


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.ADMIN])
def test_executives_set_goals_and_their_weights(user_with_role, role):
    goal = goal_create(actor=user_with_role(role), name="Win enterprise", weight=Decimal("5"))
    goal_update(
        actor=user_with_role(role),
        goal=goal,
        expected_version=1,
        name="Win enterprise",
        weight=Decimal("2"),
        is_active=False,
    )

    goal.refresh_from_db()
    assert (goal.weight, goal.is_active, goal.version) == (Decimal("2.00"), False, 2)
    with pytest.raises(StaleVersion):
        goal_update(actor=user_with_role(role), goal=goal, expected_version=1, name="Win SMB", weight=Decimal("9"))
    goal.refresh_from_db()
    assert (goal.name, goal.weight) == ("Win enterprise", Decimal("2.00"))


@pytest.mark.parametrize("role", [Role.REP, Role.SALES_MANAGER, Role.PRODUCT_MANAGER, Role.ENGINEERING_LEAD])
def test_other_roles_do_not_set_goals(user_with_role, role):
    with pytest.raises(PermissionDenied):
        goal_create(actor=user_with_role(role), name="Win enterprise", weight=Decimal("5"))
    assert not Goal.objects.exists()


def test_a_negative_goal_weight_is_refused(executive):
    with pytest.raises(ValidationError) as error:
        goal_create(actor=executive, name="Win enterprise", weight=Decimal("-1"))
    assert "weight" in error.value.message_dict
