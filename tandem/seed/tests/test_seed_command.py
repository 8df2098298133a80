"""The seed command: deterministic, refuses to overwrite data, and the demo logins it prints."""

import datetime
import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from tandem.asks.models import Ask, Decision, FeatureEvidence
from tandem.decisions.models import Escalation
from tandem.notifications.models import Notification
from tandem.people.models import User
from tandem.product.models import Feature
from tandem.sales.models import Account, Opportunity, Quota, StageChange
from tandem.seed.load import seed_workspace
from tandem.seed.scales import DEMO_LOGINS, DEMO_PASSWORD, SCALES
from tandem.seed.together import MODELS as TOGETHER_MODELS
from tandem.triage.models import AskVector

TODAY = datetime.date(2026, 11, 23)


def _seeded_digest(seed: int) -> str:
    """Seed, fingerprint the rows that matter most in id order, and roll the seed back."""
    digest = hashlib.sha256()
    with transaction.atomic():
        seed_workspace(scale=SCALES["demo"], seed=seed, today=TODAY)
        models = (User, Account, Opportunity, StageChange, Feature, Ask, Decision, Quota, FeatureEvidence, Escalation)
        for model in (*models, Notification, *TOGETHER_MODELS):
            fields = [field.attname for field in model._meta.concrete_fields if field.attname != "refreshed_at"]
            for row in model._default_manager.order_by("pk").values_list(*fields):
                digest.update(repr(row).encode())
        transaction.set_rollback(True)
    return digest.hexdigest()


def test_same_seed_gives_the_same_workspace_and_another_seed_another(db):
    first = _seeded_digest(3)
    assert _seeded_digest(3) == first
    assert _seeded_digest(4) != first


def test_seed_command_seeds_once_then_refuses_or_skips(db):
    out = StringIO()
    call_command("seed", "--scale=demo", "--seed=1", "--today=2026-11-23", stdout=out, verbosity=0)
    assert Opportunity.objects.count() == 600
    assert "tandem-demo" in out.getvalue()
    assert AskVector.objects.count() == Ask.objects.count()  # suggestions work on the demo at once

    with pytest.raises(CommandError, match="already holds workspace data"):
        call_command("seed", "--scale=demo", "--seed=2", verbosity=0)
    out = StringIO()
    call_command("seed", "--scale=demo", "--seed=2", "--if-empty", stdout=out, verbosity=0)
    assert "not seeding" in out.getvalue()
    assert Opportunity.objects.count() == 600


def test_demo_logins_lists_every_login_with_the_password(db):
    seed_workspace(scale=SCALES["demo"], seed=1, today=TODAY)
    out = StringIO()
    call_command("demo_logins", stdout=out)
    for login in DEMO_LOGINS:
        assert login.username in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue()


def test_demo_logins_says_when_there_are_none(db):
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "seed --scale demo" in out.getvalue()


def test_a_scale_beyond_the_demo_gets_field_intel_in_proportion_and_no_demo_scenes(db):
    """The large scale's path (no loop scenes), at the demo's size: the seed takes it without a fault."""
    from dataclasses import replace

    from tandem.competition.models import FieldIntel
    from tandem.planning.models import FeatureBuild
    from tandem.seed.together import DEALS_PER_INTEL
    from tandem.seed.words import COMPETITORS

    scale = replace(SCALES["demo"], name="bench")
    seed_workspace(scale=scale, seed=1, today=TODAY)
    per_competitor = scale.opportunities // DEALS_PER_INTEL // len(COMPETITORS)
    assert FieldIntel.objects.count() == per_competitor * len(COMPETITORS)
    assert not FieldIntel.objects.filter(opportunity__stage__is_won=True).exists()
    assert not FeatureBuild.objects.exists()
    assert Ask.objects.count() == scale.asks  # no scene's asks
