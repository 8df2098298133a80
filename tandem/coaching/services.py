"""Writes of coaching: notes on a rep, reviews of a period, sharing a review, the rep's acknowledgement.

Notes and reviews are versioned: the form or API body sends the version it read, and a write
based on an older one is refused with `StaleVersion` (409). Every write is on the audit trail.
"""

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.audit.models import AuditEntry
from tandem.audit.services import audit_record, audit_snapshot
from tandem.coaching.models import CoachingNote, Review
from tandem.coaching.permissions import CoachingPermission
from tandem.coaching.selectors import (
    coaches,
    coaching_note_changeable,
    coaching_note_visible,
    coaching_rep_get,
    month_period,
    quarter_period,
    review_acknowledgeable,
    review_changeable,
    review_figures_compute,
    review_visible,
)
from tandem.core.api import StaleVersion
from tandem.core.fiscal import FiscalQuarter
from tandem.core.money import workspace_get
from tandem.core.permissions import require
from tandem.core.selectors import record_for_change
from tandem.people.models import User

P = CoachingPermission
Action = AuditEntry.Action

NOT_COACH = "Only the rep's sales manager or an admin coaches this rep."
STALE_NOTE = "This note changed since you opened it — reload to see it."
STALE_REVIEW = "This review changed since you opened it — reload to see it."
SHARED_IS_FIXED = "This review is shared: the rep has it as it is, so it no longer changes."
ALREADY_REVIEWED = "This rep already has a review for this period: open it instead."
PERIOD = re.compile(r"^(\d{4})-(?:Q([1-4])|(\d{2}))$")
BAD_PERIOD = "Choose a fiscal quarter (2027-Q1) or a month (2026-11)."
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def period_parse(key: str, start_month: int) -> tuple[str, datetime.date, datetime.date, str]:
    """'2027-Q1' → the fiscal quarter; '2026-11' → the month: (kind, first day, last day, label)."""
    match = PERIOD.match(key.strip())
    if match is None or not EARLIEST_YEAR <= int(match[1]) <= LATEST_YEAR:
        raise ValidationError({"period": BAD_PERIOD})
    if match[2]:
        return (Review.PeriodKind.QUARTER, *quarter_period(FiscalQuarter(int(match[1]), int(match[2])), start_month))
    month = int(match[3])
    if not 1 <= month <= 12:
        raise ValidationError({"period": BAD_PERIOD})
    return (Review.PeriodKind.MONTH, *month_period(int(match[1]), month))


def coaching_rep_for_change(*, user: User, pk: int) -> User:
    """The rep to write coaching for: 404 for one the user does not read, 403 for one they read but
    do not coach (an executive, the rep themselves)."""
    rep = coaching_rep_get(user=user, pk=pk)
    require(user, P.COACH)
    if not coaches(user=user, rep=rep):
        raise PermissionDenied(NOT_COACH)
    return rep


def coaching_note_for_change(*, user: User, pk: int, lock: bool = False) -> CoachingNote:
    """A note to change: 404 unseen, 403 seen but not coached by the user (the rep, an executive).
    `lock` (inside the service's transaction) holds the row until the write commits."""
    note = record_for_change(
        visible=coaching_note_visible(user=user),
        changeable=coaching_note_changeable(user=user),
        pk=pk,
        refusal=NOT_COACH,
    )
    return CoachingNote.objects.select_for_update().select_related("rep").get(pk=note.pk) if lock else note


def review_for_change(*, user: User, pk: int, lock: bool = False) -> Review:
    review = record_for_change(
        visible=review_visible(user=user), changeable=review_changeable(user=user), pk=pk, refusal=NOT_COACH
    )
    return Review.objects.select_for_update().select_related("rep").get(pk=review.pk) if lock else review


def _check_version(found: int, expected: int, message: str) -> None:
    if found != expected:
        raise StaleVersion(message)


@transaction.atomic
def coaching_note_add(*, actor: User, rep: User, noted_on: datetime.date, text: str) -> CoachingNote:
    """The rep's sales manager (or an admin) notes a coaching conversation or observation, dated."""
    require(actor, P.COACH)
    rep = coaching_rep_for_change(user=actor, pk=rep.pk)
    now = timezone.now()
    note = CoachingNote(rep=rep, author=actor, noted_on=noted_on, text=text.strip(), created_at=now, updated_at=now)
    note.full_clean()
    note.save()
    audit_record(actor=actor, record=note, action=Action.CREATED)
    return note


@transaction.atomic
def coaching_note_change(
    *, actor: User, note: CoachingNote, noted_on: datetime.date, text: str, expected_version: int
) -> CoachingNote:
    """Rewrite a note's day or text; a stale version is refused."""
    require(actor, P.COACH)
    note = coaching_note_for_change(user=actor, pk=note.pk, lock=True)
    _check_version(note.version, expected_version, STALE_NOTE)
    before = audit_snapshot(note)
    note.noted_on, note.text = noted_on, text.strip()
    note.updated_at = timezone.now()
    note.version += 1
    note.full_clean()
    note.save()
    audit_record(actor=actor, record=note, action=Action.CHANGED, before=before)
    return note


@transaction.atomic
def coaching_note_delete(*, actor: User, note: CoachingNote, expected_version: int) -> None:
    require(actor, P.COACH)
    note = coaching_note_for_change(user=actor, pk=note.pk, lock=True)
    _check_version(note.version, expected_version, STALE_NOTE)
    audit_record(actor=actor, record=note, action=Action.DELETED)
    note.delete()


@transaction.atomic
def review_create(*, actor: User, rep: User, period: str) -> Review:
    """Start a draft review of the rep for a fiscal quarter or a month: one per rep and period.
    Its figures are read live until it is shared."""
    require(actor, P.COACH)
    rep = coaching_rep_for_change(user=actor, pk=rep.pk)
    kind, first, last, label = period_parse(period, workspace_get().fiscal_year_start_month)
    if Review.objects.filter(rep=rep, period_kind=kind, period_start=first).exists():
        raise ValidationError({"period": ALREADY_REVIEWED})
    now = timezone.now()
    review = Review(
        rep=rep,
        author=actor,
        period_kind=kind,
        period_start=first,
        period_end=last,
        period_label=label,
        created_at=now,
        updated_at=now,
    )
    review.full_clean()
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError as exc:  # the same review started at the same moment elsewhere
        raise ValidationError({"period": ALREADY_REVIEWED}) from exc
    audit_record(actor=actor, record=review, action=Action.CREATED)
    return review


@transaction.atomic
def review_change(*, actor: User, review: Review, summary: str, goals: str, expected_version: int) -> Review:
    """Write a draft's summary and goals. A shared review no longer changes."""
    require(actor, P.COACH)
    review = review_for_change(user=actor, pk=review.pk, lock=True)
    _check_version(review.version, expected_version, STALE_REVIEW)
    if review.status == Review.Status.SHARED:
        raise ValidationError(SHARED_IS_FIXED)
    before = audit_snapshot(review)
    review.summary, review.goals = summary.strip(), goals.strip()
    review.updated_at = timezone.now()
    review.version += 1
    review.full_clean()
    review.save()
    audit_record(actor=actor, record=review, action=Action.CHANGED, before=before)
    return review


@transaction.atomic
def review_share(*, actor: User, review: Review, expected_version: int, today: datetime.date | None = None) -> Review:
    """Share a draft with its rep: its figures are frozen as they stand, so what the rep reads and
    acknowledges keeps saying the same. A review needs its summary before it is shared."""
    require(actor, P.COACH)
    review = review_for_change(user=actor, pk=review.pk, lock=True)
    _check_version(review.version, expected_version, STALE_REVIEW)
    if review.status == Review.Status.SHARED:
        raise ValidationError(SHARED_IS_FIXED)
    if not review.summary:
        raise ValidationError({"summary": "Write how the period went before sharing the review."})
    before = audit_snapshot(review)
    figures = review_figures_compute(
        rep=review.rep,
        first=review.period_start,
        last=review.period_end,
        start_month=workspace_get().fiscal_year_start_month,
        today=today,
    )
    now = timezone.now()
    review.figures = figures.to_json()
    review.status, review.shared_at, review.updated_at = Review.Status.SHARED, now, now
    review.version += 1
    review.full_clean()
    review.save()
    audit_record(actor=actor, record=review, action=Action.CHANGED, before=before)
    return review


@transaction.atomic
def review_acknowledge(*, actor: User, review: Review, comment: str, expected_version: int) -> Review:
    """The rep acknowledges a shared review of theirs, with a comment if they wish (again, to
    change the comment)."""
    require(actor, P.ACKNOWLEDGE_REVIEW)
    review = record_for_change(
        visible=review_visible(user=actor),
        changeable=review_acknowledgeable(user=actor),
        pk=review.pk,
        refusal="Only the rep acknowledges their review.",
    )
    review = Review.objects.select_for_update().get(pk=review.pk)
    _check_version(review.version, expected_version, STALE_REVIEW)
    before = audit_snapshot(review)
    now = timezone.now()
    review.rep_comment, review.acknowledged_at, review.updated_at = comment.strip(), now, now
    review.version += 1
    review.full_clean()
    review.save()
    audit_record(actor=actor, record=review, action=Action.CHANGED, before=before)
    return review
