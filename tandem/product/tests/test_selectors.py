import pytest

from tandem.core.roles import Role
from tandem.product.models import Feature
from tandem.product.selectors import feature_visible
from tandem.product.tests.factories import FeatureFactory


@pytest.fixture
def features(db) -> dict[str, Feature]:
    return {v: FeatureFactory(visibility=v) for v in Feature.Visibility.values}


@pytest.mark.parametrize("role", [Role.REP, Role.SALES_MANAGER])
def test_sales_roles_do_not_see_internal_features(user_with_role, features, role):
    visible = set(feature_visible(user=user_with_role(role)))
    assert visible == {features["sales"], features["public"]}


@pytest.mark.parametrize("role", [Role.PRODUCT_MANAGER, Role.ENGINEERING_LEAD, Role.EXECUTIVE, Role.ADMIN])
def test_product_engineering_and_leadership_see_every_feature(user_with_role, features, role):
    assert set(feature_visible(user=user_with_role(role))) == set(features.values())
