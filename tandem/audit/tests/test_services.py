"""What the services write to the audit trail: one entry per change that matters, in the change's
own transaction, with who, when, which record, each field before and after, and the channel."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from tandem.audit.models import AuditEntry
from tandem.audit.services import audit_channel, audit_record
from tandem.core.api import StaleVersion
from tandem.decisions.services import decision_record, decision_right_update, escalation_create
from tandem.people.services import (
    api_token_create,
    api_token_revoke,
    recovery_codes_replace,
    sign_in_unlock,
    two_factor_disable,
    two_factor_setup_confirm,
    two_factor_setup_start,
)
from tandem.product.services import goal_create, goal_update, scoring_settings_update
from tandem.sales.services import (
    exchange_rate_delete,
    exchange_rate_set,
    opportunity_create,
    opportunity_delete,
    opportunity_move_stage,
    opportunity_update,
    quota_set,
)
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

pytestmark = pytest.mark.django_db
A = AuditEntry.Action


def entries(record_type: str | None = None) -> list[AuditEntry]:
    found = AuditEntry.objects.order_by("id")
    return list(found.filter(record_type=record_type) if record_type else found)


def only(record_type: str) -> AuditEntry:
    [entry] = entries(record_type)
    return entry


# Deals


def test_moving_a_deal_records_who_when_and_the_stage_probability_and_forecast_before_and_after(rep, stages):
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep), stage=stages.discovery, probability=20)
    before = timezone.now()

    opportunity_move_stage(actor=rep, opportunity=deal, expected_version=deal.version, stage=stages.proposal)

    entry = only("sales.opportunity")
    assert (entry.actor, entry.actor_name, entry.action) == (rep, str(rep), A.CHANGED)
    assert (entry.record_id, entry.record_label) == (deal.pk, deal.name)
    assert entry.at >= before
    assert entry.changes == {
        "stage": [{"id": stages.discovery.pk, "label": "Discovery"}, {"id": stages.proposal.pk, "label": "Proposal"}],
        "probability": [20, 60],
        "forecast_category": ["pipeline", "best_case"],
    }
    assert entry.channel == AuditEntry.Channel.TASK  # no request: called from code


def test_a_new_amount_is_recorded_with_its_currency(sales_manager, rep, stages):
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep), stage=stages.discovery)

    opportunity_update(
        actor=sales_manager,
        opportunity=deal,
        expected_version=deal.version,
        data={"amount": Decimal("80000"), "close_date": datetime.date(2027, 3, 31)},
    )

    changes = only("sales.opportunity").changes
    assert changes["amount"] == [{"amount": "50000.00", "currency": "USD"}, {"amount": "80000", "currency": "USD"}]
    assert changes["close_date"][1] == "2027-03-31"
    assert set(changes) == {"amount", "close_date"}


def test_a_change_to_no_followed_field_writes_no_entry(rep, stages):
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep), stage=stages.discovery)

    opportunity_update(actor=rep, opportunity=deal, expected_version=deal.version, data={"name": "Renamed"})

    assert entries() == []


def test_a_refused_change_leaves_no_entry(rep, stages):
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep), stage=stages.discovery)

    with pytest.raises(StaleVersion):
        opportunity_move_stage(actor=rep, opportunity=deal, expected_version=deal.version - 1, stage=stages.proposal)
    with pytest.raises(ValidationError):
        opportunity_update(actor=rep, opportunity=deal, expected_version=deal.version, data={"amount": Decimal("-1")})

    assert entries() == []


def test_a_change_rolled_back_takes_its_entry_with_it(rep, stages):
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep), stage=stages.discovery)

    def move_then_fail() -> None:
        with transaction.atomic():
            opportunity_move_stage(actor=rep, opportunity=deal, expected_version=deal.version, stage=stages.proposal)
            assert len(entries()) == 1
            raise RuntimeError("the caller's transaction fails after the service returned")

    with pytest.raises(RuntimeError):
        move_then_fail()

    assert entries() == []
    deal.refresh_from_db()
    assert deal.stage == stages.discovery


def test_a_deal_created_then_deleted_keeps_its_history_and_name(rep, stages):
    deal = opportunity_create(
        actor=rep,
        account=AccountFactory(owner=rep),
        name="Acme renewal",
        amount=Decimal("12000"),
        stage=stages.discovery,
        close_date=datetime.date(2027, 6, 30),
    )
    pk = deal.pk

    opportunity_delete(actor=rep, opportunity=deal)

    created, deleted = entries("sales.opportunity")
    assert (created.action, deleted.action) == (A.CREATED, A.DELETED)
    assert created.changes["amount"] == [None, {"amount": "12000", "currency": "USD"}]
    assert created.changes["owner"] == [None, {"id": rep.pk, "label": str(rep)}]
    assert deleted.changes["stage"] == [{"id": stages.discovery.pk, "label": "Discovery"}, None]
    assert (deleted.record_id, deleted.record_label) == (pk, "Acme renewal")


# Quotas and exchange rates


def test_setting_and_changing_a_quota_records_the_amount_in_the_home_currency(executive, rep):
    quota_set(actor=executive, fiscal_year=2027, fiscal_quarter=1, amount=Decimal("250000"), user=rep)
    quota_set(actor=executive, fiscal_year=2027, fiscal_quarter=1, amount=Decimal("300000"), user=rep)

    created, changed = entries("sales.quota")
    assert created.action == A.CREATED
    assert created.changes["user"] == [None, {"id": rep.pk, "label": str(rep)}]
    assert changed.changes == {
        "amount": [{"amount": "250000.00", "currency": "USD"}, {"amount": "300000", "currency": "USD"}]
    }
    assert changed.record_label == f"{rep} FY2027 Q1"


def test_exchange_rates_set_changed_and_removed_are_recorded(admin_user):
    rate = exchange_rate_set(
        actor=admin_user, rate=None, currency="EUR", valid_from=datetime.date(2026, 1, 1), rate_to_home=Decimal("1.1")
    )
    exchange_rate_set(
        actor=admin_user, rate=rate, currency="EUR", valid_from=datetime.date(2026, 1, 1), rate_to_home=Decimal("1.2")
    )
    exchange_rate_delete(actor=admin_user, rate=rate)

    created, changed, deleted = entries("core.exchangerate")
    assert [created.action, changed.action, deleted.action] == [A.CREATED, A.CHANGED, A.DELETED]
    assert changed.changes == {"rate_to_home": ["1.10000000", "1.2"]}
    assert deleted.record_label == "EUR from 2026-01-01"


# Decisions, escalations, rulings, decision rights


def test_a_decision_an_escalation_and_its_ruling_are_each_recorded(product_manager, sales_manager, executive, loop):
    decision = decision_record(actor=product_manager, ask=loop.ask, outcome="declined", rationale="Off strategy.")
    escalation = escalation_create(actor=sales_manager, ask=loop.ask, reason="Acme's expansion depends on it.")
    ruling = decision_record(
        actor=executive, ask=loop.ask, outcome="planned", rationale="Acme matters.", release=loop.release
    )

    declined, planned = entries("asks.decision")
    assert (declined.actor, declined.action, declined.record_id) == (product_manager, A.DECIDED, decision.pk)
    assert declined.changes["outcome"] == [None, "declined"]
    assert declined.changes["rationale"] == [None, "Off strategy."]
    assert declined.record_label.startswith("Declined: ask “")
    assert planned.changes["release"] == [None, {"id": loop.release.pk, "label": str(loop.release)}]
    escalated, ruled = entries("decisions.escalation")
    assert (escalated.actor, escalated.action, escalated.record_id) == (sales_manager, A.ESCALATED, escalation.pk)
    assert escalated.changes["reason"] == [None, "Acme's expansion depends on it."]
    assert (ruled.actor, ruled.action) == (executive, A.RULED)
    assert ruled.changes == {"status": ["open", "ruled"], "ruling": [None, {"id": ruling.pk, "label": str(ruling)}]}


def test_changing_who_decides_records_the_roles_before_and_after(executive):
    decision_right_update(actor=executive, decision_type="later", deciding_roles=["executive"])

    entry = only("decisions.decisionright")
    assert entry.changes["deciding_roles"] == [["product_manager", "executive"], ["executive"]]
    assert entry.record_label == "Who decides: Defer to later"


# Goals and scoring weights


def test_goal_weights_and_scoring_weights_are_recorded(executive):
    goal = goal_create(actor=executive, name="Win enterprise security reviews", weight=Decimal("2"))
    goal_update(actor=executive, goal=goal, expected_version=goal.version, name=goal.name, weight=Decimal("3"))
    scoring_settings_update(actor=executive, weight_revenue=Decimal("0.5"), formula="rice")

    created, changed = entries("product.goal")
    assert created.changes["weight"] == [None, "2"]
    assert changed.changes == {"weight": ["2.00", "3"]}
    weights = only("product.scoringsettings")
    assert weights.changes == {"formula": ["default", "rice"], "weight_revenue": ["0.40", "0.5"]}


# Rights: tokens, two-factor sign-in, lockouts


def test_api_tokens_created_and_revoked_are_recorded_without_their_key(rep):
    token, key = api_token_create(actor=rep, name="CI")
    api_token_revoke(actor=rep, token=token)
    api_token_revoke(actor=rep, token=token)  # twice changes nothing

    created, revoked = entries("people.apitoken")
    assert created.changes == {
        "user": [None, {"id": rep.pk, "label": str(rep)}],
        "name": [None, "CI"],
        "prefix": [None, token.prefix],
        "scope": [None, "write"],  # what the token may do is part of the right it grants
    }
    assert revoked.action == A.REVOKED
    assert revoked.changes["revoked_at"][0] is None
    assert key not in str(created.changes)
    assert token.digest not in str(created.changes)


def test_two_factor_turned_on_new_codes_and_turned_off_by_an_admin_are_recorded(rep, admin_user):
    device = two_factor_setup_start(actor=rep)
    from django_otp.oath import totp

    code = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    assert two_factor_setup_confirm(actor=rep, code=code)
    recovery_codes_replace(actor=rep)
    two_factor_disable(actor=admin_user, user=rep)
    sign_in_unlock(actor=admin_user, user=rep)

    on, codes, off, unlocked = entries("people.user")
    assert (on.actor, on.action, on.record_id) == (rep, A.TWO_FACTOR_ON, rep.pk)
    assert on.changes == {"two_factor": [False, True]}
    assert codes.action == A.RECOVERY_CODES
    assert (off.actor, off.action, off.changes) == (admin_user, A.TWO_FACTOR_OFF, {"two_factor": [True, False]})
    assert unlocked.action == A.UNLOCKED


# The trail itself


def test_an_import_says_so_and_the_request_id_is_kept(rep, stages):
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep), stage=stages.discovery)

    with audit_channel(AuditEntry.Channel.IMPORT, request_id="import-42"):
        opportunity_move_stage(actor=rep, opportunity=deal, expected_version=deal.version, stage=stages.proposal)

    entry = only("sales.opportunity")
    assert (entry.channel, entry.request_id) == (AuditEntry.Channel.IMPORT, "import-42")


def test_a_record_type_the_trail_does_not_follow_is_refused(rep):
    with pytest.raises(LookupError, match="not followed by the audit trail"):
        audit_record(actor=rep, record=AccountFactory(owner=rep), action=A.CHANGED, changes={"name": ["a", "b"]})


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only")
def test_the_database_refuses_to_change_or_delete_an_entry(rep, stages):
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep), stage=stages.discovery)
    opportunity_move_stage(actor=rep, opportunity=deal, expected_version=deal.version, stage=stages.proposal)

    for tamper in (
        lambda: AuditEntry.objects.update(actor_name="Someone else"),
        lambda: AuditEntry.objects.all().delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            tamper()

    assert only("sales.opportunity").actor_name == str(rep)
