"""Subscriptions' rules, and each event emitted by the service that makes it happen."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tandem.asks.services import ask_create
from tandem.audit.models import AuditEntry
from tandem.commitments.services import commitment_warnings_send
from tandem.commitments.tests.factories import CommitmentFactory
from tandem.core.api import StaleVersion
from tandem.core.roles import Role
from tandem.decisions.services import decision_record, escalation_create
from tandem.product.services import release_ship
from tandem.product.tests.factories import FeatureFactory, ReleaseFactory
from tandem.sales.services import opportunity_move_stage
from tandem.sales.tests.factories import OpportunityFactory, StageFactory
from tandem.webhooks import services
from tandem.webhooks.events import Event
from tandem.webhooks.models import Delivery, Subscription
from tandem.webhooks.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_an_admin_subscribes_with_a_new_secret_and_the_trail_records_it_without_the_secret(admin_user):
    subscription = services.subscription_create(
        actor=admin_user, name="Decisions", url="https://hooks.example.com/t", events=["decision.taken"]
    )
    other = services.subscription_create(
        actor=admin_user, name="Asks", url="https://hooks.example.com/a", events=["ask.logged"]
    )
    assert len(subscription.secret) == 64
    assert subscription.secret != other.secret
    entry = AuditEntry.objects.get(record_type="webhooks.subscription", record_id=subscription.pk)
    assert entry.changes["url"] == [None, "https://hooks.example.com/t"]
    assert subscription.secret not in str(entry.changes)


@pytest.mark.parametrize("role", [role for role in Role if role != Role.ADMIN])
def test_only_admins_manage_webhooks(user_with_role, role):
    with pytest.raises(PermissionDenied):
        services.subscription_create(
            actor=user_with_role(role), name="x", url="https://hooks.example.com/", events=["ask.logged"]
        )


def test_a_webhook_needs_known_events_and_an_address(admin_user):
    with pytest.raises(ValidationError) as refused:
        services.subscription_create(actor=admin_user, name="x", url="not an address", events=[])
    assert set(refused.value.message_dict) == {"events"}
    with pytest.raises(ValidationError) as refused:
        services.subscription_create(actor=admin_user, name="x", url="ftp://files.example.com/", events=["ask.logged"])
    assert set(refused.value.message_dict) == {"url"}
    with pytest.raises(ValidationError) as refused:
        services.subscription_create(actor=admin_user, name="x", url="https://a.example.com/", events=["deal.won"])
    assert "Unknown events: deal.won." in refused.value.message_dict["events"]


def test_a_stale_change_is_refused(admin_user):
    subscription = SubscriptionFactory()
    services.subscription_update(actor=admin_user, subscription=subscription, expected_version=1, data={"name": "A"})
    with pytest.raises(StaleVersion):
        services.subscription_update(
            actor=admin_user, subscription=subscription, expected_version=1, data={"name": "B"}
        )
    assert Subscription.objects.get().name == "A"


def _subscribed(event: Event) -> Subscription:
    return SubscriptionFactory(events=[event.value])


def test_logging_an_ask_emits_ask_logged(rep):
    subscription = _subscribed(Event.ASK_LOGGED)
    deal = OpportunityFactory(owner=rep, account__owner=rep)
    ask = ask_create(actor=rep, account=deal.account, opportunity=deal, need="SAML single sign-on")
    [delivery] = Delivery.objects.filter(subscription=subscription)
    assert delivery.event == "ask.logged"
    assert delivery.payload["ask"]["id"] == ask.pk
    assert delivery.payload["summary"].endswith("SAML single sign-on")
    assert delivery.payload["url"].endswith(f"/asks/{ask.pk}/")


def test_a_decision_emits_decision_taken(product_manager):
    subscription = _subscribed(Event.DECISION_TAKEN)
    feature = FeatureFactory(product__manager=product_manager)
    decision_record(actor=product_manager, feature=feature, outcome="declined", rationale="Not our market.")
    [delivery] = Delivery.objects.filter(subscription=subscription)
    assert delivery.payload["decision"]["outcome"] == "declined"
    assert delivery.payload["feature_id"] == feature.pk


def test_an_escalation_raised_and_ruled_emit_their_events(rep, sales_manager, product_manager, executive):
    raised, ruled = _subscribed(Event.ESCALATION_RAISED), _subscribed(Event.ESCALATION_RULED)
    deal = OpportunityFactory(owner=rep, account__owner=rep)
    feature = FeatureFactory(product__manager=product_manager)
    ask = ask_create(actor=rep, account=deal.account, opportunity=deal, need="EU data residency", feature=feature)
    decision_record(actor=product_manager, feature=feature, outcome="declined", rationale="Not this year.")
    escalation = escalation_create(actor=sales_manager, ask=ask, reason="Our largest renewal depends on it.")
    [delivery] = Delivery.objects.filter(subscription=raised)
    assert delivery.payload["escalation"]["id"] == escalation.pk
    assert delivery.payload["escalation"]["status"] == "open"
    assert not Delivery.objects.filter(subscription=ruled).exists()

    decision_record(actor=executive, ask=ask, outcome="declined", rationale="Upheld: not this year.")
    [delivery] = Delivery.objects.filter(subscription=ruled)
    assert delivery.payload["escalation"]["status"] == "ruled"
    assert delivery.payload["escalation"]["ruling_outcome"] == "declined"


def test_shipping_a_release_emits_release_shipped(product_manager):
    subscription = _subscribed(Event.RELEASE_SHIPPED)
    release = ReleaseFactory(product__manager=product_manager)
    feature = FeatureFactory(product=release.product, release=release, status="planned")
    release_ship(actor=product_manager, release=release)
    [delivery] = Delivery.objects.filter(subscription=subscription)
    assert delivery.payload["feature_ids"] == [feature.pk]
    assert delivery.payload["release"]["id"] == release.pk


def test_moving_a_deal_emits_deal_stage_changed_and_an_unmoved_change_does_not(rep):
    subscription = _subscribed(Event.DEAL_STAGE_CHANGED)
    first, second = StageFactory(name="Discovery", order=1), StageFactory(name="Proposal", order=2)
    deal = OpportunityFactory(owner=rep, account__owner=rep, stage=first)
    opportunity_move_stage(actor=rep, opportunity=deal, expected_version=deal.version, stage=second)
    [delivery] = Delivery.objects.filter(subscription=subscription)
    assert (delivery.payload["from_stage"]["name"], delivery.payload["to_stage"]["name"]) == ("Discovery", "Proposal")
    opportunity_move_stage(actor=rep, opportunity=deal, expected_version=deal.version + 1, stage=second)
    assert Delivery.objects.filter(subscription=subscription).count() == 1


def test_emitting_an_unknown_event_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown webhook event"):
        services.emit("deal.won", {})


def test_a_commitment_at_risk_emits_commitment_at_risk_once(rep):
    subscription = _subscribed(Event.COMMITMENT_AT_RISK)
    today = timezone.localdate()
    deal = OpportunityFactory(owner=rep, account__owner=rep)
    commitment = CommitmentFactory(opportunity=deal, feature=FeatureFactory(title="Audit log"), due_date=today)
    assert commitment_warnings_send(today=today) == 1
    assert commitment_warnings_send(today=today) == 0
    [delivery] = Delivery.objects.filter(subscription=subscription)
    assert delivery.payload["commitment"] == {"id": commitment.pk, "due_date": today.isoformat(), "status": "approved"}
    assert delivery.payload["summary"].startswith("Commitment at risk: Audit log for ")
