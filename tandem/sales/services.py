"""Writes of the sales domain: accounts, contacts, opportunities (deals), their stage history and quotas.

Every service checks `SalesPermission` first, then fetches the record through the visibility
selector (locked), so a record the actor may not see is a 404 and one they may see but not change
is a 403. Field problems are `ValidationError`s keyed by model field; nothing is written half-way.
"""

import datetime
from bisect import bisect_right
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from tandem.asks.evidence import (
    REFRESH_BATCH,
    account_evidence_refresh,
    feature_evidence_refresh,
    opportunity_evidence_refresh,
)
from tandem.asks.models import Ask, FeatureEvidence
from tandem.asks.values import ask_values_follow_accounts, ask_values_follow_deals
from tandem.audit.services import Action, audit_record, audit_snapshot
from tandem.competition.models import Competitor
from tandem.core.api import StaleVersion
from tandem.core.models import ExchangeRate
from tandem.core.money import converted, to_home_currency, workspace_get
from tandem.core.permissions import require
from tandem.core.roles import Role
from tandem.people.models import Team, User
from tandem.people.selectors import team_member_ids
from tandem.sales.models import Account, Contact, DealContact, Opportunity, Quota, Stage, StageChange
from tandem.sales.permissions import SalesPermission
from tandem.sales.selectors import (
    account_for_change,
    account_visible,
    contact_for_change,
    contact_visible,
    deal_contact_for_change,
    opportunity_for_change,
)
from tandem.webhooks import payloads
from tandem.webhooks import services as webhooks
from tandem.webhooks.events import Event

# A change to any of these moves the evidence (pipeline at stake, lost revenue) of the features the deal asked for.
EVIDENCE_FIELDS = frozenset({"amount", "currency", "close_date", "probability", "stage", "loss_reason"})
# A change to any of these moves the customer revenue of the features the account asked for.
ACCOUNT_EVIDENCE_FIELDS = frozenset({"status", "annual_revenue"})

STALE_DEAL = "Someone else changed this deal since you opened it — reload to see their changes."
STALE_ACCOUNT = "Someone else changed this account since you opened it — reload to see their changes."

ACCOUNT_FIELDS = frozenset(
    {"name", "industry", "segment", "status", "employees", "region", "territory", "annual_revenue", "owner"}
)
CONTACT_FIELDS = frozenset({"first_name", "last_name", "email", "phone", "title"})
OPPORTUNITY_FIELDS = frozenset(
    {
        "name",
        "owner",
        "amount",
        "currency",
        "stage",
        "probability",
        "forecast_category",
        "type",
        "lead_source",
        "close_date",
        "competitor",
        "loss_reason",
        "loss_note",
        "next_step",
        "next_step_date",
    }
)


def may_assign_to(*, actor: User, owner: User) -> bool:
    """A rep owns what they create; a sales manager may assign to their teams' members; an admin to anyone."""
    if actor.role == Role.ADMIN:
        return True
    if actor.role == Role.SALES_MANAGER:
        return owner.pk in team_member_ids(manager=actor)
    return owner.pk == actor.pk


def _check_owner(*, actor: User, owner: User) -> None:
    if not may_assign_to(actor=actor, owner=owner):
        if actor.role == Role.REP:
            raise ValidationError({"owner": "A rep may only assign records to themselves."})
        raise ValidationError({"owner": "You may only assign records to members of the teams you manage."})


def _check_fields(data: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"Not changeable here: {', '.join(sorted(unknown))}")


# Accounts


@transaction.atomic
def account_create(
    *,
    actor: User,
    name: str,
    owner: User | None = None,
    industry: str = "",
    segment: str = Account.Segment.MID_MARKET,
    status: str = Account.Status.PROSPECT,
    employees: int | None = None,
    region: str = "",
    territory_id: int | None = None,
    annual_revenue: Decimal = Decimal("0"),
    external_id: str | None = None,
) -> Account:
    """Create an account. Needs EDIT_PIPELINE; the owner defaults to the actor and must be someone the
    actor may assign to (a rep themselves, a manager their teams, an admin anyone)."""
    require(actor, SalesPermission.EDIT_PIPELINE)
    owner = owner or actor
    _check_owner(actor=actor, owner=owner)
    account = Account(
        name=name,
        owner=owner,
        industry=industry,
        segment=segment,
        status=status,
        employees=employees,
        region=region,
        territory_id=territory_id,
        annual_revenue=annual_revenue,
        external_id=external_id,
    )
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def account_update(*, actor: User, account: Account, expected_version: int, data: Mapping[str, Any]) -> Account:
    """Change an account the actor may change (its owner, their sales manager, an admin; seeing it
    through a deal on it is not enough), based on the version they loaded (a stale one raises
    StaleVersion and writes nothing). Needs EDIT_PIPELINE; a new owner follows the assignment rule. A new
    status or annual revenue moves the customer revenue of the features the account asked for; a new
    annual revenue is also the value of the account's asks that are on no deal."""
    require(actor, SalesPermission.EDIT_PIPELINE)
    _check_fields(data, ACCOUNT_FIELDS)
    account = account_for_change(user=actor, pk=account.pk, lock=True)
    if account.version != expected_version:
        raise StaleVersion(STALE_ACCOUNT)
    if "owner" in data and data["owner"].pk != account.owner_id:
        _check_owner(actor=actor, owner=data["owner"])
    revenue = account.annual_revenue
    for field, value in data.items():
        setattr(account, field, value)
    account.version += 1
    account.full_clean()
    account.save()
    if account.annual_revenue != revenue:
        ask_values_follow_accounts(account_ids=[account.pk])
    if data.keys() & ACCOUNT_EVIDENCE_FIELDS:
        account_evidence_refresh(account_ids=[account.pk])
    return account


@transaction.atomic
def account_delete(*, actor: User, account: Account) -> None:
    """Delete an account the actor may change, with its contacts. Refused while deals or asks point at
    it, so no revenue history disappears with it."""
    require(actor, SalesPermission.EDIT_PIPELINE)
    account = account_for_change(user=actor, pk=account.pk, lock=True)
    if Opportunity.objects.filter(account=account).exists():
        raise ValidationError("This account still has deals. Delete them or move them to another account first.")
    try:
        account.delete()
    except ProtectedError as exc:
        raise ValidationError("Customer asks were logged on this account; it cannot be deleted.") from exc


# Contacts


@transaction.atomic
def contact_create(
    *,
    actor: User,
    account: Account,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    title: str = "",
) -> Contact:
    """Add a person to an account the actor may change (its owner, their manager, an admin)."""
    require(actor, SalesPermission.EDIT_PIPELINE)
    account = account_for_change(user=actor, pk=account.pk)
    contact = Contact(
        account=account, first_name=first_name, last_name=last_name, email=email, phone=phone, title=title
    )
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, actor: User, contact: Contact, data: Mapping[str, Any]) -> Contact:
    """Change a contact of an account the actor may change."""
    require(actor, SalesPermission.EDIT_PIPELINE)
    _check_fields(data, CONTACT_FIELDS)
    contact = contact_for_change(user=actor, pk=contact.pk, lock=True)
    for field, value in data.items():
        setattr(contact, field, value)
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_delete(*, actor: User, contact: Contact) -> None:
    """Remove a contact of an account the actor may change."""
    require(actor, SalesPermission.EDIT_PIPELINE)
    contact_for_change(user=actor, pk=contact.pk, lock=True).delete()


# Opportunities


def _close_or_reopen(opportunity: Opportunity, now: datetime.datetime) -> None:
    """A deal in a won or lost stage is closed (since the first time it got there); any other is open."""
    if not opportunity.stage.is_closed:
        opportunity.closed_at = None
    elif opportunity.closed_at is None:
        opportunity.closed_at = now


LOSS_REASON_NEEDED = "Say why the deal was lost."
COMPETITOR_NEEDED = "Name the competitor the deal was lost to."


def _check_loss(opportunity: Opportunity, *, entered: bool) -> None:
    """A loss reason only on a lost deal; on entering a lost stage that asks for one (the stage's
    `loss_reason_required`), the reason, and the competitor when the reason is a competitor."""
    stage = opportunity.stage
    if opportunity.loss_reason and not stage.is_lost:
        raise ValidationError({"loss_reason": "Only a lost deal carries a loss reason."})
    if not (entered and stage.is_lost and stage.loss_reason_required):
        return
    if not opportunity.loss_reason:
        raise ValidationError({"loss_reason": LOSS_REASON_NEEDED})
    if opportunity.loss_reason == Opportunity.LossReason.COMPETITOR and opportunity.competitor_id is None:
        raise ValidationError({"competitor": COMPETITOR_NEEDED})


def _stage_change_record(
    *, opportunity: Opportunity, from_stage: Stage | None, actor: User, now: datetime.datetime
) -> None:
    change = StageChange(
        opportunity=opportunity,
        from_stage=from_stage,
        to_stage=opportunity.stage,
        amount_home=opportunity.amount_home,
        changed_at=now,
        changed_by=actor,
    )
    change.full_clean()
    change.save()


@transaction.atomic
def opportunity_create(
    *,
    actor: User,
    account: Account,
    name: str,
    amount: Decimal,
    stage: Stage,
    close_date: datetime.date,
    owner: User | None = None,
    currency: str | None = None,
    probability: int | None = None,
    forecast_category: str | None = None,
    type: str = Opportunity.Type.NEW,
    lead_source: str = "",
    competitor: Competitor | None = None,
    loss_reason: str = "",
    loss_note: str = "",
    external_id: str | None = None,
) -> Opportunity:
    """Open a deal on an account the actor can see. Needs EDIT_PIPELINE; the owner defaults to the actor
    and follows the assignment rule. The amount is converted to the home currency at the rate valid on
    the close date; probability and forecast category default to the stage's; the first stage-history
    row (from no stage) is written with it."""
    require(actor, SalesPermission.EDIT_PIPELINE)
    if not account_visible(user=actor).filter(pk=account.pk).exists():
        raise ValidationError({"account": "Choose an account you can see."})
    owner = owner or actor
    _check_owner(actor=actor, owner=owner)
    currency = (currency or workspace_get().home_currency).upper()
    now = timezone.now()
    opportunity = Opportunity(
        account=account,
        owner=owner,
        name=name,
        amount=amount,
        currency=currency,
        amount_home=_amount_home(amount=amount, currency=currency, close_date=close_date),
        stage=stage,
        probability=stage.default_probability if probability is None else probability,
        forecast_category=forecast_category or stage.forecast_category,
        type=type,
        lead_source=lead_source,
        close_date=close_date,
        competitor=competitor,
        loss_reason=loss_reason,
        loss_note=loss_note,
        external_id=external_id,
        created_at=now,
        last_activity_at=now,
    )
    _check_loss(opportunity, entered=True)
    _close_or_reopen(opportunity, now)
    opportunity.full_clean()
    opportunity.save()
    _stage_change_record(opportunity=opportunity, from_stage=None, actor=actor, now=now)
    audit_record(actor=actor, record=opportunity, action=Action.CREATED)
    return opportunity


def _amount_home(*, amount: Decimal | None, currency: str, close_date: datetime.date | None) -> Decimal:
    if amount is None or amount < 0 or close_date is None or len(currency) != 3:
        # full_clean reports the missing field, the negative amount or the currency that is no code
        # (their constraints, under the field); there is nothing to convert yet.
        return Decimal("0")
    return to_home_currency(amount=amount, currency=currency, on=close_date)


@transaction.atomic
def opportunity_update(
    *, actor: User, opportunity: Opportunity, expected_version: int, data: Mapping[str, Any]
) -> Opportunity:
    """Change a deal the actor may change (its owner, their sales manager, an admin), based on the
    version they loaded (a stale one raises StaleVersion
    and writes nothing). Needs EDIT_PIPELINE; a new owner follows the assignment rule. A new stage
    writes a stage-history row and resets probability and forecast category to the stage's unless the
    change gives them; entering won/lost sets `closed_at`, leaving clears it. A new amount, currency or
    close date recomputes the home-currency amount, which is also the value of the deal's asks."""
    require(actor, SalesPermission.EDIT_PIPELINE)
    _check_fields(data, OPPORTUNITY_FIELDS)
    opportunity = opportunity_for_change(user=actor, pk=opportunity.pk, lock=True)
    if opportunity.version != expected_version:
        raise StaleVersion(STALE_DEAL)
    if "owner" in data and data["owner"].pk != opportunity.owner_id:
        _check_owner(actor=actor, owner=data["owner"])
    before = audit_snapshot(opportunity)
    now = timezone.now()
    from_stage = opportunity.stage
    stage = data.get("stage", from_stage)
    for field, value in data.items():
        setattr(opportunity, field, value)
    if "currency" in data:
        opportunity.currency = (opportunity.currency or "").upper()
    moved = stage.pk != from_stage.pk
    if moved:
        opportunity.last_activity_at = now
        if "probability" not in data:
            opportunity.probability = stage.default_probability
        if "forecast_category" not in data:
            opportunity.forecast_category = stage.forecast_category
        if not stage.is_lost:
            # Reopening a lost deal: the reason it was lost no longer applies.
            opportunity.loss_reason = data.get("loss_reason", "")
            opportunity.loss_note = data.get("loss_note", "")
    _close_or_reopen(opportunity, now)
    _check_loss(opportunity, entered=moved)
    amount_home = opportunity.amount_home
    if data.keys() & {"amount", "currency", "close_date"}:
        opportunity.amount_home = _amount_home(
            amount=opportunity.amount, currency=opportunity.currency, close_date=opportunity.close_date
        )
    opportunity.version += 1
    opportunity.full_clean()
    opportunity.save()
    if opportunity.amount_home != amount_home:
        ask_values_follow_deals(opportunity_ids=[opportunity.pk])
    if moved:
        _stage_change_record(opportunity=opportunity, from_stage=from_stage, actor=actor, now=now)
        webhooks.emit(
            Event.DEAL_STAGE_CHANGED, payloads.deal_stage_changed(deal=opportunity, from_stage=from_stage, actor=actor)
        )
    audit_record(actor=actor, record=opportunity, action=Action.CHANGED, before=before)
    if moved or data.keys() & EVIDENCE_FIELDS:
        opportunity_evidence_refresh(opportunity_ids=[opportunity.pk])
    return opportunity


def opportunity_move_stage(
    *,
    actor: User,
    opportunity: Opportunity,
    expected_version: int,
    stage: Stage,
    loss_reason: str = "",
    competitor: Competitor | None = None,
) -> Opportunity:
    """Move a deal to another stage with the stage's probability and forecast category; a lost deal may
    name why and to whom. The rules are `opportunity_update`'s."""
    data: dict[str, Any] = {"stage": stage}
    if loss_reason:
        data["loss_reason"] = loss_reason
    if competitor is not None:
        data["competitor"] = competitor
    return opportunity_update(actor=actor, opportunity=opportunity, expected_version=expected_version, data=data)


@transaction.atomic
def opportunity_delete(*, actor: User, opportunity: Opportunity) -> None:
    """Delete a deal the actor may change, with its stage history; asks logged on it stay on the
    account, which they are now worth: their value falls back to its annual revenue."""
    require(actor, SalesPermission.EDIT_PIPELINE)
    opportunity = opportunity_for_change(user=actor, pk=opportunity.pk, lock=True)
    feature_ids = list(opportunity.asks.filter(feature__isnull=False).values_list("feature_id", flat=True))
    audit_record(actor=actor, record=opportunity, action=Action.DELETED)
    opportunity.delete()
    ask_values_follow_accounts(account_ids=[opportunity.account_id])
    feature_evidence_refresh(feature_ids=feature_ids)


# The people on a deal and their buying roles


@transaction.atomic
def deal_contact_add(*, actor: User, opportunity: Opportunity, contact: Contact, role: str) -> DealContact:
    """Name one of the account's people on a deal the actor may change, with the part they play."""
    require(actor, SalesPermission.EDIT_PIPELINE)
    deal = opportunity_for_change(user=actor, pk=opportunity.pk)
    if not contact_visible(user=actor).filter(pk=contact.pk, account_id=deal.account_id).exists():
        raise ValidationError({"contact": "Choose a person of the deal's account."})
    deal_contact = DealContact(opportunity=deal, contact=contact, role=role)
    deal_contact.full_clean()
    deal_contact.save()
    return deal_contact


@transaction.atomic
def deal_contact_update(*, actor: User, deal_contact: DealContact, role: str) -> DealContact:
    """Change the part a person plays on a deal the actor may change."""
    require(actor, SalesPermission.EDIT_PIPELINE)
    deal_contact = deal_contact_for_change(user=actor, pk=deal_contact.pk, lock=True)
    deal_contact.role = role
    deal_contact.full_clean()
    deal_contact.save()
    return deal_contact


@transaction.atomic
def deal_contact_remove(*, actor: User, deal_contact: DealContact) -> None:
    """Take a person off a deal the actor may change (the contact stays on the account)."""
    require(actor, SalesPermission.EDIT_PIPELINE)
    deal_contact_for_change(user=actor, pk=deal_contact.pk, lock=True).delete()


# Quotas


@transaction.atomic
def quota_set(
    *,
    actor: User,
    fiscal_year: int,
    fiscal_quarter: int,
    amount: Decimal,
    user: User | None = None,
    team: Team | None = None,
) -> Quota:
    """Set the quota of one rep or one team for a fiscal quarter, replacing the previous amount. Needs
    SET_QUOTA; a sales manager only for the teams they manage and their members, executives and admins
    for anyone."""
    require(actor, SalesPermission.SET_QUOTA)
    if (user is None) == (team is None):
        raise ValidationError({"user": "A quota is for exactly one rep or one team."})
    if actor.role == Role.SALES_MANAGER:
        if user is not None:
            allowed = user.pk != actor.pk and user.pk in team_member_ids(manager=actor)
        else:
            allowed = team is not None and team.manager_id == actor.pk
        if not allowed:
            raise PermissionDenied("A sales manager sets quotas only for the teams they manage and their members.")
    quota = (
        Quota.objects.select_for_update()
        .filter(user=user, team=team, fiscal_year=fiscal_year, fiscal_quarter=fiscal_quarter)
        .first()
    ) or Quota(user=user, team=team, fiscal_year=fiscal_year, fiscal_quarter=fiscal_quarter)
    before = audit_snapshot(quota) if quota.pk is not None else None
    quota.amount = amount
    quota.full_clean()
    quota.save()
    audit_record(actor=actor, record=quota, action=Action.CREATED if before is None else Action.CHANGED, before=before)
    return quota


def stage_check(*, stage: Stage, is_won: bool, is_lost: bool) -> None:
    """A stage that holds deals keeps whether it is won or lost: its deals' closing dates and the
    open pipeline of every feature they asked for were written by that flag. Move them first."""
    if stage.pk is None:
        return
    before = Stage.objects.filter(pk=stage.pk).values_list("is_won", "is_lost").first()
    if before is None or before == (is_won, is_lost):
        return
    deals = Opportunity.objects.filter(stage_id=stage.pk).count()
    if deals:
        raise ValidationError(
            f"{deals} deals are in {stage.name}: move them to another stage before it becomes "
            f"{'won' if is_won else 'lost' if is_lost else 'open'}."
        )


# Exchange rates. A deal's home amount is its amount at the latest rate valid on its close date, so a
# new or corrected rate moves the home amounts of the deals closing from its date on, the values of
# their asks and the evidence of the features they asked for: `home_amounts_follow_rates` redoes
# that in the background (it can be tens of thousands of deals).


@transaction.atomic
def exchange_rate_set(
    *, actor: User, rate: ExchangeRate | None, currency: str, valid_from: datetime.date, rate_to_home: Decimal
) -> ExchangeRate:
    """Add a rate (`rate` None) or correct one; only admins may. The deals it converts, before and
    after the change, take their new home amounts in the background."""
    require(actor, SalesPermission.SET_EXCHANGE_RATES)
    current = ExchangeRate() if rate is None else ExchangeRate.objects.select_for_update().get(pk=rate.pk)
    before = None if current.pk is None else (current.currency, current.valid_from)
    stored = None if current.pk is None else audit_snapshot(current)
    currency = (currency or "").upper()
    exchange_rate_check(rate=rate, currency=currency, valid_from=valid_from)
    current.currency, current.valid_from, current.rate_to_home = currency, valid_from, rate_to_home
    current.full_clean()
    current.save()
    action = Action.CREATED if stored is None else Action.CHANGED
    audit_record(actor=actor, record=current, action=action, before=stored)
    moved = [(currency, valid_from), *([before] if before else [])]
    for moved_currency in {c for c, _ in moved}:
        since = min(day for c, day in moved if c == moved_currency)
        _home_amounts_follow_enqueue(currency=moved_currency, since=since)
    return current


@transaction.atomic
def exchange_rate_delete(*, actor: User, rate: ExchangeRate) -> None:
    """Remove a rate; only admins may, and not the first of a currency while deals close before the next."""
    require(actor, SalesPermission.SET_EXCHANGE_RATES)
    rate = ExchangeRate.objects.select_for_update().get(pk=rate.pk)
    _rates_cover_deals(currency=rate.currency, rate=rate, valid_from=None)
    audit_record(actor=actor, record=rate, action=Action.DELETED)
    rate.delete()
    _home_amounts_follow_enqueue(currency=rate.currency, since=rate.valid_from)


def exchange_rate_deletable(rate: ExchangeRate) -> bool:
    try:
        _rates_cover_deals(currency=rate.currency, rate=rate, valid_from=None)
    except ValidationError:
        return False
    return True


def exchange_rate_check(*, rate: ExchangeRate | None, currency: str, valid_from: datetime.date) -> None:
    """The rules a rate change must keep, for the form to show before anything is written: a rate
    is for a foreign currency, and every deal keeps a rate on or before its close date."""
    currency = currency.upper()
    if currency == workspace_get().home_currency:
        raise ValidationError({"currency": f"{currency} is the home currency: it needs no rate."})
    _rates_cover_deals(currency=currency, rate=rate, valid_from=valid_from)
    if rate is not None and rate.pk is not None:
        old_currency = ExchangeRate.objects.filter(pk=rate.pk).values_list("currency", flat=True).first()
        if old_currency is not None and old_currency != currency:
            _rates_cover_deals(currency=old_currency, rate=rate, valid_from=None)


def _rates_cover_deals(*, currency: str, rate: ExchangeRate | None, valid_from: datetime.date | None) -> None:
    """Every deal in `currency` needs a rate on or before its close date. `rate` is the one being
    changed or removed (None: a new one), `valid_from` its date in this currency afterwards (None:
    it leaves this currency)."""
    others = ExchangeRate.objects.filter(currency=currency).order_by("valid_from")
    if rate is not None and rate.pk is not None:
        others = others.exclude(pk=rate.pk)
    days = [day for day in (others.values_list("valid_from", flat=True).first(), valid_from) if day is not None]
    deals = Opportunity.objects.filter(currency=currency)
    if days:
        deals = deals.filter(close_date__lt=min(days))
    uncovered = deals.count()
    if uncovered:
        earliest = f"before {min(days)}" if days else "with no other rate"
        message = (
            f"{uncovered} deals in {currency} close {earliest}: they would have no rate. Add an earlier rate first."
        )
        raise ValidationError({"valid_from" if valid_from else NON_FIELD_ERRORS: message})


def _home_amounts_follow_enqueue(*, currency: str, since: datetime.date) -> None:
    from tandem.sales.tasks import home_amounts_follow_rates_task  # the task module imports this one

    transaction.on_commit(lambda: home_amounts_follow_rates_task.enqueue(currency=currency, since=since.isoformat()))


VACUUM_AFTER = 10_000  # deals rewritten


def home_amounts_follow_rates(*, currency: str, since: datetime.date, batch_size: int = 2000) -> int:
    """Recompute the home amount of every deal in `currency` closing on or after `since` from the
    rates as they are now, then their asks' values and their features' evidence. Returns how many
    deals changed.

    Each batch of deals is locked, recomputed and written in its own transaction, with the rates
    read afresh, so a deal edited meanwhile is never written back with an amount from before; the
    features are refreshed at the end, a batch a transaction, each once however many deals moved.
    """
    changed_deals, last = 0, 0
    features: set[int] = set()
    while True:
        with transaction.atomic():
            rates = list(
                ExchangeRate.objects.filter(currency=currency)
                .order_by("valid_from")
                .values_list("valid_from", "rate_to_home")
            )
            days = [day for day, _ in rates]
            deals = list(
                Opportunity.objects.select_for_update()
                .filter(currency=currency, close_date__gte=since, pk__gt=last)
                .order_by("pk")
                .values_list("pk", "amount", "close_date", "amount_home")[:batch_size]
            )
            if not deals:
                break
            moved = []
            for pk, amount, close_date, amount_home in deals:
                at = bisect_right(days, close_date)
                if at and amount is not None:  # no rate on or before: `_rates_cover_deals` prevents it
                    home = converted(amount, rates[at - 1][1])
                    if home != amount_home:
                        moved.append(Opportunity(pk=pk, amount_home=home))
            Opportunity.objects.bulk_update(moved, ["amount_home"])
            moved_ids = [deal.pk for deal in moved]
            ask_values_follow_deals(opportunity_ids=moved_ids)
            features.update(
                Ask.objects.filter(opportunity_id__in=moved_ids, feature__isnull=False)
                .values_list("feature_id", flat=True)
                .distinct()
            )
            changed_deals += len(moved)
            last = deals[-1][0]
    ordered = sorted(features)
    for start in range(0, len(ordered), REFRESH_BATCH):
        feature_evidence_refresh(feature_ids=ordered[start : start + REFRESH_BATCH])
    if changed_deals >= VACUUM_AFTER and connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Tens of thousands of rewritten rows stay below autovacuum's threshold (a fifth of the
        # table) and slowed the list pages' index scans fourfold until vacuumed (docs/benchmarks.md).
        tables = ", ".join(model._meta.db_table for model in (Opportunity, Ask, FeatureEvidence))
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {tables}")
    return changed_deals
