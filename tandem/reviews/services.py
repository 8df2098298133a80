"""Writes of reviews: reviews, their meetings, decisions and action items taken there, the minutes."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tandem.asks.models import Decision
from tandem.core import formats
from tandem.core.api import StaleVersion
from tandem.core.permissions import require
from tandem.decisions.services import decision_record
from tandem.notifications.services import Notice, notices_send
from tandem.people.models import User
from tandem.product.models import Feature, Release
from tandem.reviews.models import ActionItem, MeetingDecision, Review, ReviewMeeting
from tandem.reviews.permissions import ReviewsPermission
from tandem.reviews.selectors import (
    action_item_changeable,
    next_period_start,
    review_changeable,
    review_meeting_changeable,
    review_runnable,
)

STALE = "Someone else changed this since you opened it. Reload and apply your change again."
NOT_IN_MEETING = "Only the review's organiser and the attendees who run reviews record in its meetings."


def _meeting_check(actor: User, meeting: ReviewMeeting) -> None:
    if not review_meeting_changeable(user=actor).filter(pk=meeting.pk).exists():
        raise PermissionDenied(NOT_IN_MEETING)


@transaction.atomic
def review_create(*, actor: User, name: str, cadence: str, attendees: list[User]) -> Review:
    """Set up a recurring review; its organiser is the person who sets it up."""
    require(actor, ReviewsPermission.RUN_REVIEWS)
    review = Review(name=name.strip(), cadence=cadence, organiser=actor)
    review.full_clean()
    review.save()
    review.attendees.set(attendees)
    return review


@transaction.atomic
def review_update(
    *, actor: User, review: Review, expected_version: int, name: str, cadence: str, attendees: list[User]
) -> Review:
    if not review_changeable(user=actor).filter(pk=review.pk).exists():
        raise PermissionDenied("Only the review's organiser and admins change it.")
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.version != expected_version:
        raise StaleVersion(STALE)
    review.name, review.cadence = name.strip(), cadence
    review.version += 1
    review.full_clean()
    review.save()
    review.attendees.set(attendees)
    return review


@transaction.atomic
def review_meeting_create(*, actor: User, review: Review, held_on: datetime.date) -> ReviewMeeting:
    """Open a meeting of the review; its agenda covers the facts since the previous meeting."""
    if not review_runnable(user=actor).filter(pk=review.pk).exists():
        raise PermissionDenied(NOT_IN_MEETING)
    meeting = ReviewMeeting(
        review=review, held_on=held_on, period_start=next_period_start(review=review, held_on=held_on)
    )
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def meeting_decision_record(
    *,
    actor: User,
    meeting: ReviewMeeting,
    agenda_item: str,
    feature: Feature,
    outcome: str,
    rationale: str,
    release: Release | None = None,
) -> Decision:
    """Record a decision on an agenda item's feature, under the workspace's decision rights (the
    decisions app refuses whoever lacks the right, and tells the requesting reps)."""
    _meeting_check(actor, meeting)
    decision = decision_record(actor=actor, feature=feature, outcome=outcome, rationale=rationale, release=release)
    link = MeetingDecision(meeting=meeting, decision=decision, agenda_item=agenda_item)
    link.full_clean()
    link.save()
    return decision


@transaction.atomic
def action_item_create(
    *, actor: User, meeting: ReviewMeeting, agenda_item: str, title: str, owner: User, due_on: datetime.date
) -> ActionItem:
    _meeting_check(actor, meeting)
    errors = {}
    if not owner.is_active:
        errors["owner"] = "Choose someone who still works here."
    if due_on < meeting.held_on:
        errors["due_on"] = "An action item is due on or after the meeting."
    if errors:
        raise ValidationError(errors)
    item = ActionItem(
        meeting=meeting, agenda_item=agenda_item, title=title.strip(), owner=owner, due_on=due_on, created_by=actor
    )
    item.full_clean()
    item.save()
    if owner.pk != actor.pk:
        notices_send(
            notices=[
                Notice(
                    recipient=owner,
                    kind="review",
                    title=f"Action item for you from {meeting.review}: {item.title}",
                    body=f"Due {formats.date_short(due_on)}. Agreed by {actor} in the meeting of "
                    f"{formats.date_short(meeting.held_on)}.",
                    url=reverse("reviews:meeting_detail", args=[meeting.pk]),
                )
            ]
        )
    return item


@transaction.atomic
def action_item_done(*, actor: User, item: ActionItem, done: bool, expected_version: int) -> ActionItem:
    """Mark an action item done (or open again); it leaves its owner's home once done."""
    if not action_item_changeable(user=actor).filter(pk=item.pk).exists():
        raise PermissionDenied("Only the item's owner and whoever runs the meeting mark it done.")
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    if item.version != expected_version:
        raise StaleVersion(STALE)
    item.done_at = timezone.now() if done else None
    item.version += 1
    item.full_clean()
    item.save(update_fields=["done_at", "version"])
    return item


@transaction.atomic
def minutes_send(*, actor: User, meeting: ReviewMeeting, notes: str, expected_version: int) -> ReviewMeeting:
    """Save the meeting's notes and send the minutes (notes, decisions, action items) to the organiser
    and attendees, in the app and by email through the worker."""
    _meeting_check(actor, meeting)
    meeting = ReviewMeeting.objects.select_for_update().select_related("review__organiser").get(pk=meeting.pk)
    if meeting.version != expected_version:
        raise StaleVersion(STALE)
    meeting.notes = notes.strip()
    meeting.minutes_sent_at = timezone.now()
    meeting.version += 1
    meeting.full_clean()
    meeting.save(update_fields=["notes", "minutes_sent_at", "version"])
    body = minutes_text(meeting)
    people = [meeting.review.organiser, *meeting.review.attendees.all()]
    notices_send(
        notices=[
            Notice(
                recipient=person,
                kind="review",
                title=f"Minutes of {meeting.review}, {formats.date_short(meeting.held_on)}",
                body=body,
                url=reverse("reviews:meeting_detail", args=[meeting.pk]),
            )
            for person in people
        ]
    )
    return meeting


def minutes_text(meeting: ReviewMeeting) -> str:
    """The minutes as plain text: notes, then decisions, then action items (three queries)."""
    lines = [meeting.notes] if meeting.notes else []
    decisions = MeetingDecision.objects.filter(meeting=meeting).select_related(
        "decision__feature", "decision__decided_by"
    )
    if decisions:
        lines.append("Decisions:")
        lines += [
            f"- {d.decision.feature}: {d.decision.get_outcome_display()} by {d.decision.decided_by}: "
            f"{d.decision.rationale}"
            for d in decisions
        ]
    items = ActionItem.objects.filter(meeting=meeting).select_related("owner")
    if items:
        lines.append("Action items:")
        lines += [f"- {i.title} — {i.owner}, due {formats.date_short(i.due_on)}" for i in items]
    return "\n".join(lines) or "No notes, decisions or action items were recorded."
