"""Upgrading to int8 vectors: the old half-precision ones are dropped, and every process reloads."""

import importlib

from django.apps import apps

from tandem.asks.tests.factories import AskFactory
from tandem.product.tests.factories import FeatureFactory
from tandem.triage.models import AskVector, FeatureVector, IndexChange

vectors_recompute = importlib.import_module("tandem.triage.migrations.0003_vectors_recompute")


def test_upgrading_drops_the_old_vectors_and_makes_every_process_reload(db):
    AskFactory(need="okta sso for staff", feature=FeatureFactory(title="SAML single sign-on"))
    assert AskVector.objects.exists()
    assert FeatureVector.objects.exists()
    vectors_recompute.drop_vectors(apps, None)
    assert not AskVector.objects.exists()
    assert not FeatureVector.objects.exists()
    assert list(IndexChange.objects.values_list("ask_id", "feature_id")) == [(None, None)]
