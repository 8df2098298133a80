"""Planning's pages as people use them: saying which team builds a feature, and the refusals beside the field."""

import pytest
from django.urls import reverse

from tandem.planning.models import FeatureBuild
from tandem.planning.tests.factories import EngineeringTeamFactory
from tandem.product.tests.factories import FeatureFactory

pytestmark = pytest.mark.django_db


def test_a_product_manager_says_which_team_builds_a_feature_and_what_it_needs(client, product_manager):
    team = EngineeringTeamFactory(name="Identity squad")
    feature, needed = FeatureFactory(title="SCIM provisioning"), FeatureFactory(title="SAML single sign-on")
    client.force_login(product_manager)
    url = reverse("planning:feature_build", args=[feature.pk])
    assert "Identity squad" in client.get(url).content.decode()
    response = client.post(url, {"team": team.pk, "needs": [needed.pk], "must_have": "on"})
    assert response.status_code == 302
    build = FeatureBuild.objects.get(feature=feature)
    assert (build.team, build.must_have, list(build.needs.all())) == (team, True, [needed])


def test_a_circle_of_needs_is_refused_under_the_field(client, product_manager):
    team = EngineeringTeamFactory()
    first, second = FeatureFactory(), FeatureFactory()
    client.force_login(product_manager)
    client.post(reverse("planning:feature_build", args=[first.pk]), {"team": team.pk, "needs": [second.pk]})
    response = client.post(reverse("planning:feature_build", args=[second.pk]), {"team": team.pk, "needs": [first.pk]})
    assert response.status_code == 422
    assert "circle" in response.content.decode()


def test_the_executive_reads_the_planning_page_but_changes_no_build(client, executive):
    feature = FeatureFactory()
    client.force_login(executive)
    url = reverse("planning:feature_build", args=[feature.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"team": EngineeringTeamFactory().pk}).status_code == 403
