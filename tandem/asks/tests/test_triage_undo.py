"""Triage that forgives: a product manager undoes their own link, merge or new feature for a few minutes."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.asks.models import Ask, FeatureEvidence, TriageAction
from tandem.asks.services import UndoRefused, ask_link, ask_merge, feature_create_from_ask, triage_undo
from tandem.asks.tests.factories import AskFactory
from tandem.decisions.services import decision_record
from tandem.people.tests.factories import ProductManagerFactory
from tandem.product.models import Feature
from tandem.product.tests.factories import FeatureFactory, ProductFactory

pytestmark = pytest.mark.django_db


def last_action(ask: Ask) -> TriageAction:
    return TriageAction.objects.filter(ask=ask).order_by("-taken_at", "-id").first()


def test_undoing_a_link_puts_the_ask_back_in_the_inbox_and_its_evidence_back(product_manager):
    feature = FeatureFactory()
    ask = AskFactory()
    ask_link(actor=product_manager, ask=ask, feature=feature, expected_status="new")
    assert FeatureEvidence.objects.get(feature=feature).asks_count == 1

    triage_undo(actor=product_manager, action=last_action(ask))

    ask.refresh_from_db()
    assert (ask.status, ask.feature, ask.outcome) == (Ask.Status.NEW, None, "")
    assert FeatureEvidence.objects.get(feature=feature).asks_count == 0


def test_undoing_a_merge_unmerges_the_ask_and_the_asks_merged_into_it(product_manager):
    original, duplicate, follower = AskFactory(), AskFactory(), AskFactory()
    ask_merge(actor=product_manager, duplicate=follower, original=duplicate)
    ask_merge(actor=product_manager, duplicate=duplicate, original=original)
    follower.refresh_from_db()
    assert follower.duplicate_of == original  # followed its original

    triage_undo(actor=product_manager, action=last_action(duplicate))

    duplicate.refresh_from_db()
    follower.refresh_from_db()
    assert (duplicate.status, duplicate.duplicate_of) == (Ask.Status.NEW, None)
    assert follower.duplicate_of == duplicate


def test_undoing_a_new_feature_removes_the_feature_too(product_manager):
    ask = AskFactory()
    product = ProductFactory()
    feature = feature_create_from_ask(actor=product_manager, ask=ask, product=product, title="Okta provisioning")

    triage_undo(actor=product_manager, action=last_action(ask))

    assert not Feature.objects.filter(pk=feature.pk).exists()
    ask.refresh_from_db()
    assert ask.status == Ask.Status.NEW


def test_only_the_product_manager_who_triaged_may_undo_and_only_for_a_while(product_manager):
    ask = AskFactory()
    ask_link(actor=product_manager, ask=ask, feature=FeatureFactory())
    action = last_action(ask)

    with pytest.raises(UndoRefused, match="who triaged"):
        triage_undo(actor=ProductManagerFactory(), action=action)
    TriageAction.objects.filter(pk=action.pk).update(taken_at=timezone.now() - datetime.timedelta(minutes=11))
    with pytest.raises(UndoRefused, match="Too late"):
        triage_undo(actor=product_manager, action=action)
    ask.refresh_from_db()
    assert ask.status == Ask.Status.LINKED


def test_an_undo_never_overwrites_what_happened_to_the_ask_since(product_manager, executive):
    first, second = FeatureFactory(), FeatureFactory()
    moved, decided = AskFactory(), AskFactory()
    ask_link(actor=product_manager, ask=moved, feature=first)
    stale = last_action(moved)
    ask_link(actor=ProductManagerFactory(), ask=moved, feature=second)  # another PM moved it on
    ask_link(actor=product_manager, ask=decided, feature=first)
    decision_record(actor=executive, ask=decided, outcome="declined", rationale="Not for them.")

    for action in (stale, last_action(decided)):
        with pytest.raises(UndoRefused, match="since"):
            triage_undo(actor=product_manager, action=action)
    moved.refresh_from_db()
    assert moved.feature == second


def test_in_the_inbox_the_next_ask_comes_with_an_undo_and_focus_on_the_message(client, product_manager):
    feature = FeatureFactory()
    first = AskFactory(need="Okta single sign-on", created_at=timezone.now())
    AskFactory(need="Dark mode", created_at=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(product_manager)
    htmx = {"HX-Request": "true"}

    linked = client.post(
        reverse("asks:ask_link", args=[first.pk]),
        {"feature": feature.pk, "expected_status": "new", "inbox": ""},
        headers=htmx,
    ).content.decode()

    assert "Dark mode" in linked  # the next ask's panel
    assert 'autofocus data-testid="triage-message"' in linked  # not on the next ask's Link buttons
    action = last_action(first)
    assert reverse("asks:triage_undo", args=[action.pk]) in linked

    undone = client.post(reverse("asks:triage_undo", args=[action.pk]), {"inbox": ""}, headers=htmx)

    assert undone["HX-Trigger"] == "inbox-changed"  # the list reloads with the ask back in it
    assert "back in the inbox" in undone.content.decode()
    assert f'data-ask="{first.pk}"' in undone.content.decode()
