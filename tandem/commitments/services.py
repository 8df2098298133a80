"""Writes of commitments: asking to promise a feature, product's answer, the rep's withdrawal, the
warnings before a date and the notices when one breaks."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tandem.audit.services import Action, audit_record, audit_snapshot
from tandem.commitments.models import WITHDRAWAL_REASON_MISSING, Commitment
from tandem.commitments.permissions import CommitmentsPermission
from tandem.commitments.selectors import commitment_for_decision, commitment_for_withdrawal
from tandem.commitments.tracking import WARNING_DAYS, State, commitment_state, facts_of, state_condition
from tandem.core import formats
from tandem.core.api import StaleVersion
from tandem.core.fiscal import fiscal_quarter_of
from tandem.core.money import workspace_get
from tandem.core.permissions import require
from tandem.notifications.models import Notification
from tandem.notifications.services import Notice, notices_send
from tandem.people.models import User
from tandem.product.models import Feature, Release
from tandem.product.selectors import SHAREABLE, date_shared_with_sales, feature_visible
from tandem.sales.models import Opportunity
from tandem.sales.selectors import opportunity_for_change
from tandem.webhooks import payloads
from tandem.webhooks import services as webhooks
from tandem.webhooks.events import Event

KIND = Notification.Kind.COMMITMENT


def release_said(feature: Feature, *, precise: bool, start_month: int) -> str:
    """Where the feature's release stands, as sales may read it: its name and target date only when
    the sales roadmap commits the feature (committed and shareable), else the fiscal quarter, as on
    the sales roadmap. `precise` (product, executives, admins) reads the release as it is."""
    release = feature.release
    if release is None:
        return "On no release yet"
    if release.status == Release.Status.SHIPPED:
        return f"Shipped in {release.name}"
    if precise or date_shared_with_sales(confidence=feature.confidence, visibility=feature.visibility):
        return f"Release {release.name}, targeting {formats.date_short(release.target_date)}"
    quarter = fiscal_quarter_of(release.target_date, start_month)
    return f"Planned for {quarter} ({feature.get_confidence_display().lower()}: the date may move)"


def _stale() -> StaleVersion:
    return StaleVersion("Someone else answered this commitment since you opened it. Reload it to see the answer.")


def approved_at_once(*, feature: Feature, due_date: datetime.date | None) -> bool:
    """A promise needs no approval when the sales roadmap already commits the feature: committed,
    shown to sales, on a planned release, and the date (if any) not before the release's target."""
    release = feature.release
    return (
        feature.confidence == Feature.Confidence.COMMITTED
        and feature.visibility in SHAREABLE
        and feature.status not in (Feature.Status.SHIPPED, Feature.Status.DECLINED)
        and release is not None
        and release.status == Release.Status.PLANNED
        and (due_date is None or due_date >= release.target_date)
    )


def _deciders(feature: Feature) -> list[User]:
    """Who hears of a commitment to approve: the product's manager, else the active executives."""
    manager = feature.product.manager
    if manager is not None and manager.is_active:
        return [manager]
    return list(User.objects.filter(role="executive", is_active=True))


def _url(commitment: Commitment) -> str:
    return reverse("commitments:commitment_detail", kwargs={"pk": commitment.pk})


def _when(commitment: Commitment) -> str:
    return f" by {formats.date_short(commitment.due_date)}" if commitment.due_date else ""


@transaction.atomic
def commitment_ask(
    *,
    actor: User,
    opportunity: Opportunity,
    feature_id: int,
    due_date: datetime.date | None = None,
    note: str = "",
    today: datetime.date | None = None,
) -> Commitment:
    """Ask to promise a feature to a deal's account, optionally by a date.

    Whoever may change the deal may ask (its rep, their sales manager, admins), for a feature they
    see that is neither shipped nor declined, once per deal and feature while the first is open.
    When the sales roadmap already commits the feature by that date it is approved at once;
    otherwise the product's manager is asked to approve it.
    """
    require(actor, CommitmentsPermission.ASK_COMMITMENT)
    deal = opportunity_for_change(user=actor, pk=opportunity.pk)
    today = today or timezone.localdate()
    feature = feature_visible(user=actor).select_related("product__manager", "release").filter(pk=feature_id).first()
    if feature is None:
        raise ValidationError({"feature": ["Choose a feature from the roadmap."]})
    if feature.status == Feature.Status.SHIPPED:
        raise ValidationError({"feature": ["This feature has shipped: the customer can have it now."]})
    if feature.status == Feature.Status.DECLINED:
        raise ValidationError({"feature": ["This feature was declined: it cannot be promised."]})
    if due_date is not None and due_date < today:
        raise ValidationError({"due_date": ["Choose a date from today on."]})
    if Commitment.objects.filter(opportunity=deal, feature=feature, status__in=["requested", "approved"]).exists():
        raise ValidationError({"feature": ["This deal already has a commitment of this feature."]})
    now = timezone.now()
    at_once = approved_at_once(feature=feature, due_date=due_date)
    commitment = Commitment(
        opportunity=deal,
        account_id=deal.account_id,
        feature=feature,
        due_date=due_date,
        note=note.strip(),
        status=Commitment.Status.APPROVED if at_once else Commitment.Status.REQUESTED,
        requested_by=actor,
        requested_at=now,
        decided_at=now if at_once else None,
    )
    commitment.full_clean()
    commitment.save()
    audit_record(actor=actor, record=commitment, action=Action.CREATED)
    if not at_once:
        notices_send(
            notices=[
                Notice(
                    recipient=person,
                    kind=KIND,
                    title=f"Approve a commitment: {feature.title} for {deal.account}{_when(commitment)}",
                    body=f"{actor} asks to promise {feature.title} to {deal.account}{_when(commitment)}."
                    + (f"\n\n{commitment.note}" if commitment.note else ""),
                    url=_url(commitment),
                )
                for person in _deciders(feature)
            ]
        )
    return commitment


def _answer(*, actor: User, pk: int, expected_version: int, status: str, reason: str) -> Commitment:
    commitment = commitment_for_decision(user=actor, pk=pk)
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if locked.version != expected_version:
        raise _stale()
    if locked.status != Commitment.Status.REQUESTED:
        raise ValidationError({"status": ["This commitment was already answered."]})
    before = audit_snapshot(locked)
    locked.status, locked.reason = status, reason.strip()
    locked.decided_by, locked.decided_at = actor, timezone.now()
    locked.version += 1
    locked.full_clean()
    locked.save(update_fields=["status", "reason", "decided_by", "decided_at", "version"])
    audit_record(actor=actor, record=locked, action=Action.DECIDED, before=before)
    verb = "approved" if status == Commitment.Status.APPROVED else "refused"
    feature, account = commitment.feature, commitment.account
    notices_send(
        notices=[
            Notice(
                recipient=person,
                kind=KIND,
                title=f"Commitment {verb}: {feature.title} for {account}{_when(locked)}",
                body=f"{actor} {verb} the promise of {feature.title} to {account}{_when(locked)}."
                + (f"\n\n{locked.reason}" if locked.reason else ""),
                url=_url(locked),
            )
            for person in (commitment.requested_by, commitment.opportunity.owner)
        ]
    )
    locked.opportunity, locked.account, locked.feature = commitment.opportunity, account, feature
    return locked


@transaction.atomic
def commitment_withdraw(
    *, actor: User, commitment: Commitment, expected_version: int, reason: str, today: datetime.date | None = None
) -> Commitment:
    """Take back an open commitment (awaiting approval or approved, not delivered), saying why: the
    customer no longer needs it, the deal was lost. Who may: whoever may change the deal (its rep,
    their sales manager, admins). It leaves the open lists and its warnings stop; the history keeps
    it as withdrawn. The product's manager (who answers or plans it) and the rep, when someone else
    withdrew it, are told."""
    found = commitment_for_withdrawal(user=actor, pk=commitment.pk)
    locked = Commitment.objects.select_for_update().get(pk=found.pk)
    if locked.version != expected_version:
        raise StaleVersion("Someone else changed this commitment since you opened it. Reload it to see what it is now.")
    today = today or timezone.localdate()
    state = commitment_state(facts_of(found), today=today)
    if state == State.DELIVERED:
        raise ValidationError({"status": ["This commitment was delivered: there is nothing to withdraw."]})
    if locked.status not in (Commitment.Status.REQUESTED, Commitment.Status.APPROVED):
        raise ValidationError({"status": [f"This commitment is {locked.get_status_display().lower()} already."]})
    if not reason.strip():
        raise ValidationError({"withdrawal_reason": [WITHDRAWAL_REASON_MISSING]})
    before = audit_snapshot(locked)
    locked.status, locked.withdrawal_reason = Commitment.Status.WITHDRAWN, reason.strip()
    locked.withdrawn_by, locked.withdrawn_at = actor, timezone.now()
    locked.version += 1
    locked.full_clean()
    locked.save(update_fields=["status", "withdrawal_reason", "withdrawn_by", "withdrawn_at", "version"])
    audit_record(actor=actor, record=locked, action=Action.CHANGED, before=before)
    feature, account = found.feature, found.account
    people = {person.pk: person for person in [*_deciders(feature), found.requested_by, found.opportunity.owner]}
    people.pop(actor.pk, None)
    notices_send(
        notices=[
            Notice(
                recipient=person,
                kind=KIND,
                title=f"Commitment withdrawn: {feature.title} for {account}",
                body=f"{actor} withdrew the promise of {feature.title} to {account}{_when(locked)}.\n\n"
                f"{locked.withdrawal_reason}",
                url=_url(locked),
            )
            for person in people.values()
        ]
    )
    locked.opportunity, locked.account, locked.feature = found.opportunity, account, feature
    locked.requested_by, locked.decided_by = found.requested_by, found.decided_by
    return locked


@transaction.atomic
def commitment_approve(*, actor: User, commitment: Commitment, expected_version: int, reason: str = "") -> Commitment:
    """Approve a commitment awaiting approval. Who may: whoever holds the right to plan its feature
    (decision rights: by default the product's manager and executives). The rep and the deal's owner
    are told."""
    return _answer(
        actor=actor,
        pk=commitment.pk,
        expected_version=expected_version,
        status=Commitment.Status.APPROVED,
        reason=reason,
    )


@transaction.atomic
def commitment_refuse(*, actor: User, commitment: Commitment, expected_version: int, reason: str) -> Commitment:
    """Refuse a commitment awaiting approval, saying why (the rep tells the customer). Who may: as
    `commitment_approve`."""
    if not reason.strip():
        raise ValidationError({"reason": ["Say why you refuse: the rep tells the customer."]})
    return _answer(
        actor=actor,
        pk=commitment.pk,
        expected_version=expected_version,
        status=Commitment.Status.REFUSED,
        reason=reason,
    )


def _told(commitment: Commitment) -> list[User]:
    """Who hears how a commitment fares: the rep who asked, the deal's owner, their sales manager
    and the product's manager, each once."""
    deal, feature = commitment.opportunity, commitment.feature
    people = [commitment.requested_by, deal.owner]
    if deal.owner.team is not None and deal.owner.team.manager is not None:
        people.append(deal.owner.team.manager)
    if feature.product.manager is not None:
        people.append(feature.product.manager)
    return list({person.pk: person for person in people if person.is_active}.values())


def _warned(commitment: Commitment, today: datetime.date) -> list[Notice]:
    deal, feature = commitment.opportunity, commitment.feature
    due = commitment.due_date
    assert due is not None
    days = (due - today).days
    title = f"Commitment at risk: {feature.title} for {commitment.account} is due {formats.date_short(due)}"
    body = (
        f"{feature.title} was promised to {commitment.account} (deal {deal.name}) by {formats.date_short(due)}, "
        f"in {days} day{'s' if days != 1 else ''}, and has not shipped. "
        # The rep reads it too: the release's date only where the sales roadmap would show it.
        f"{release_said(feature, precise=False, start_month=workspace_get().fiscal_year_start_month)}."
    )
    return [
        Notice(recipient=person, kind=KIND, title=title, body=body, url=_url(commitment))
        for person in _told(commitment)
    ]


# What a warning or a break notice reads of a commitment: who is told, and what it is about.
TOLD_WITH = (
    "opportunity__owner__team__manager",
    "account",
    "feature__product__manager",
    "feature__release",
    "requested_by",
)


@transaction.atomic
def commitment_warnings_send(*, today: datetime.date | None = None) -> int:
    """Warn the rep, their sales manager and the product manager of every approved commitment whose
    date is at most `WARNING_DAYS` away (or passed today) and that has not been delivered — once per
    commitment: it is marked warned in the same transaction, so a second run sends nothing.
    Returns how many commitments were warned about."""
    today = today or timezone.localdate()
    due = (
        Commitment.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(warned_at__isnull=True, due_date__isnull=False, due_date__lte=today + datetime.timedelta(WARNING_DAYS))
        .filter(due_date__gte=today)
        .filter(state_condition(State.AT_RISK, today=today))
        .select_related(*TOLD_WITH)
        .order_by("pk")
    )
    commitments = list(due)
    if not commitments:
        return 0
    for commitment in commitments:
        # One notices_send per commitment: a person told of two commitments gets both.
        notices_send(notices=_warned(commitment, today))
        webhooks.emit(Event.COMMITMENT_AT_RISK, payloads.commitment_at_risk(commitment=commitment))
    Commitment.objects.filter(pk__in=[c.pk for c in commitments]).update(warned_at=timezone.now())
    return len(commitments)


def _why_broken(commitment: Commitment, today: datetime.date) -> str:
    feature, due = commitment.feature, commitment.due_date
    if feature.status == Feature.Status.DECLINED:
        return f"{feature.title} was declined."
    if due is not None and due < today:
        return f"Its date, {formats.date_short(due)}, passed before it shipped."
    assert due is not None
    # The rep reads it too: the release's date only where the sales roadmap would show it.
    where = release_said(feature, precise=False, start_month=workspace_get().fiscal_year_start_month)
    return f"It moved after the date promised, {formats.date_short(due)}: {where[:1].lower()}{where[1:]}."


@transaction.atomic
def commitment_breaks_send(*, today: datetime.date | None = None) -> int:
    """Tell the rep, their sales manager and the product manager of every approved commitment that
    broke (its date passed, its feature declined or moved to a release after the date) — once per
    commitment, marked in the same transaction as the warnings are. Returns how many broke."""
    today = today or timezone.localdate()
    broken = list(
        Commitment.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(broken_notice_at__isnull=True)
        .filter(state_condition(State.BROKEN, today=today))
        .select_related(*TOLD_WITH)
        .order_by("pk")
    )
    for commitment in broken:
        feature = commitment.feature
        notices_send(
            notices=[
                Notice(
                    recipient=person,
                    kind=KIND,
                    title=f"Commitment broken: {feature.title} for {commitment.account}",
                    body=f"{feature.title} was promised to {commitment.account} (deal {commitment.opportunity.name})"
                    f"{_when(commitment)}. {_why_broken(commitment, today)} Tell the customer where it stands, "
                    "or withdraw the commitment if they no longer need it.",
                    url=_url(commitment),
                )
                for person in _told(commitment)
            ]
        )
    Commitment.objects.filter(pk__in=[c.pk for c in broken]).update(broken_notice_at=timezone.now())
    return len(broken)
