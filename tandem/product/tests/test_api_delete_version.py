"""Deleting a feature through the API names the version it read (issue 15, finding 6)."""

import pytest

from tandem.product.models import Feature
from tandem.product.tests.api_client import ApiClient
from tandem.product.tests.factories import FeatureFactory

pytestmark = pytest.mark.django_db


def test_deleting_a_feature_without_its_version_is_422_and_deletes_nothing(client, product_manager):
    """Without a version the stale check was skipped: a feature changed since it was read went anyway."""
    feature = FeatureFactory()
    api = ApiClient(client, product_manager)

    response = api.send("DELETE", f"/api/features/{feature.pk}")

    assert response.status_code == 422
    assert "version" in response.json()["errors"]
    assert Feature.objects.filter(pk=feature.pk).exists()
