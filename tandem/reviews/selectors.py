"""Reads of reviews: the reviews, meetings, decisions and action items a person may see.

A review is seen by its organiser and attendees, and by executives and admins. Its organiser and
admins change it (name, cadence, attendees, start its next meeting). In a meeting, the organiser,
attendees who run reviews (sales managers, PMs, executives) and admins record decisions and action
items and send the minutes. An action item is also seen by its owner; its owner marks it done, as
may whoever runs the meeting. Decisions themselves follow the decision rights (decisions app).
"""

import datetime

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from tandem.core.permissions import has_permission
from tandem.core.roles import Role
from tandem.people.models import User
from tandem.reviews.models import ActionItem, MeetingDecision, Review, ReviewMeeting
from tandem.reviews.permissions import ReviewsPermission

SEES_EVERY_REVIEW = (Role.EXECUTIVE, Role.ADMIN)


def _attending(user: User) -> Q:
    return Q(organiser=user) | Q(attendees=user)


def review_visible(*, user: User) -> QuerySet[Review]:
    if user.role in SEES_EVERY_REVIEW:
        return Review.objects.all()
    # A subquery, so the attendees join cannot repeat a review.
    return Review.objects.filter(pk__in=Review.objects.filter(_attending(user)).values("pk"))


def review_changeable(*, user: User) -> QuerySet[Review]:
    if user.role == Role.ADMIN:
        return Review.objects.all()
    return Review.objects.filter(organiser=user)


def review_meeting_visible(*, user: User) -> QuerySet[ReviewMeeting]:
    if user.role in SEES_EVERY_REVIEW:
        return ReviewMeeting.objects.all()
    return ReviewMeeting.objects.filter(review__in=review_visible(user=user))


def review_runnable(*, user: User) -> QuerySet[Review]:
    """The reviews whose meetings this person runs: organiser or attendee who runs reviews; admins all."""
    if user.role == Role.ADMIN:
        return Review.objects.all()
    if not has_permission(user, ReviewsPermission.RUN_REVIEWS):
        return Review.objects.none()
    return Review.objects.filter(pk__in=Review.objects.filter(_attending(user)).values("pk"))


def review_meeting_changeable(*, user: User) -> QuerySet[ReviewMeeting]:
    """Who records in a meeting: its organiser and attendees who run reviews, and admins."""
    if user.role == Role.ADMIN:
        return ReviewMeeting.objects.all()
    return ReviewMeeting.objects.filter(review__in=review_runnable(user=user))


def meeting_decision_visible(*, user: User) -> QuerySet[MeetingDecision]:
    return MeetingDecision.objects.filter(meeting__in=review_meeting_visible(user=user))


def meeting_decision_changeable(*, user: User) -> QuerySet[MeetingDecision]:
    return MeetingDecision.objects.none()  # a decision is changed by a new one, under the decision rights


def action_item_visible(*, user: User) -> QuerySet[ActionItem]:
    if user.role in SEES_EVERY_REVIEW:
        return ActionItem.objects.all()
    return ActionItem.objects.filter(Q(owner=user) | Q(meeting__in=review_meeting_visible(user=user)))


def action_item_changeable(*, user: User) -> QuerySet[ActionItem]:
    if user.role == Role.ADMIN:
        return ActionItem.objects.all()
    return ActionItem.objects.filter(Q(owner=user) | Q(meeting__in=review_meeting_changeable(user=user)))


def review_get(*, user: User, pk: int) -> Review:
    return get_object_or_404(review_visible(user=user).select_related("organiser"), pk=pk)


def review_meeting_get(*, user: User, pk: int) -> ReviewMeeting:
    return get_object_or_404(review_meeting_visible(user=user).select_related("review__organiser"), pk=pk)


def may_record(*, user: User, meeting: ReviewMeeting) -> bool:
    return review_meeting_changeable(user=user).filter(pk=meeting.pk).exists()


def action_items_open_for(*, user: User, limit: int = 10) -> list[ActionItem]:
    """A person's open action items, soonest due first, for their home page (one query)."""
    return list(
        ActionItem.objects.filter(owner=user, done_at__isnull=True)
        .select_related("meeting__review")
        .order_by("due_on", "id")[: limit + 1]
    )


def meeting_action_items(*, user: User, meeting: ReviewMeeting) -> list[ActionItem]:
    return list(
        action_item_visible(user=user)
        .filter(meeting=meeting)
        .select_related("owner")
        .order_by("done_at", "due_on", "id")
    )


def meeting_decisions(*, user: User, meeting: ReviewMeeting) -> list[MeetingDecision]:
    return list(
        meeting_decision_visible(user=user)
        .filter(meeting=meeting)
        .select_related("decision__feature", "decision__decided_by", "decision__release")
        .order_by("id")
    )


def next_period_start(*, review: Review, held_on: datetime.date) -> datetime.date:
    """What the next meeting's agenda covers from: the previous meeting's day, or one cadence back."""
    previous = (
        ReviewMeeting.objects.filter(review=review, held_on__lt=held_on)
        .order_by("-held_on")
        .values_list("held_on", flat=True)
        .first()
    )
    if previous is not None:
        return previous
    days = {"weekly": 7, "fortnightly": 14, "monthly": 30, "quarterly": 91}[review.cadence]
    return held_on - datetime.timedelta(days=days)
