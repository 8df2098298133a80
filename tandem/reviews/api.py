"""The JSON API of the product-sales review: reviews, meetings with their agenda, decisions, action
items and minutes, with the pages' rules."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from tandem.asks.models import Decision
from tandem.core.api import ERRORS, WRITE_ERRORS, Id
from tandem.core.constraints import text_limit
from tandem.core.http import ApiRequest
from tandem.core.permissions import require
from tandem.people.models import User
from tandem.product.models import Release
from tandem.product.selectors import feature_visible
from tandem.reviews import services
from tandem.reviews.agenda import Period, agenda_build
from tandem.reviews.models import ActionItem, Review, ReviewMeeting
from tandem.reviews.permissions import ReviewsPermission
from tandem.reviews.selectors import (
    action_item_changeable,
    action_item_visible,
    meeting_action_items,
    meeting_decisions,
    review_get,
    review_meeting_get,
    review_runnable,
    review_visible,
)

router = Router(tags=["reviews"])
AGENDA_KEY = r"^[a-z_]+:\d+$"


class ReviewOut(Schema):
    id: int
    name: str
    cadence: str
    organiser_id: int
    attendee_ids: list[int]
    version: int


class ReviewIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    cadence: Review.Cadence = Review.Cadence.FORTNIGHTLY
    attendee_ids: list[Id] = Field(default_factory=list, max_length=200)


class ReviewMeetingIn(Schema):
    held_on: datetime.date


class AgendaItemOut(Schema):
    key: str = Field(..., description="What decisions and action items are recorded against, e.g. feature:12.")
    title: str
    detail: str
    url: str
    value: Decimal | None
    feature_id: int | None


class AgendaSectionOut(Schema):
    key: str
    title: str
    items: list[AgendaItemOut]


class MeetingDecisionOut(Schema):
    decision_id: int
    agenda_item: str
    feature_id: int | None
    outcome: str
    rationale: str
    decided_by_id: int


class ActionItemOut(Schema):
    id: int
    meeting_id: int
    agenda_item: str
    title: str
    owner_id: int
    due_on: datetime.date
    done: bool
    version: int


class ReviewMeetingOut(Schema):
    id: int
    review_id: int
    held_on: datetime.date
    period_start: datetime.date
    notes: str
    minutes_sent_at: datetime.datetime | None
    version: int
    agenda: list[AgendaSectionOut]
    decisions: list[MeetingDecisionOut]
    action_items: list[ActionItemOut]


class MeetingDecisionIn(Schema):
    agenda_item: str = Field(..., pattern=AGENDA_KEY, max_length=60)
    feature_id: Id
    outcome: Decision.Outcome
    rationale: str = Field(..., min_length=1, max_length=text_limit(Decision, "rationale"))
    release_id: Id | None = None


class ActionItemIn(Schema):
    agenda_item: str = Field("", pattern=r"^([a-z_]+:\d+)?$", max_length=60)
    title: str = Field(..., min_length=1, max_length=text_limit(ActionItem, "title"))
    owner_id: Id
    due_on: datetime.date


class ActionItemPatchIn(Schema):
    done: bool
    version: int


class MinutesIn(Schema):
    notes: str = Field("", max_length=text_limit(ReviewMeeting, "notes"))
    version: int


class ActionItemFilterIn(Schema):
    done: bool | None = Field(False, description="false (default): open items; true: done; omit for both.")


def _review_out(review: Review) -> dict[str, Any]:
    return {
        "id": review.pk,
        "name": review.name,
        "cadence": review.cadence,
        "organiser_id": review.organiser_id,
        "attendee_ids": sorted(u.pk for u in review.attendees.all()),
        "version": review.version,
    }


def _item_out(item: ActionItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "meeting_id": item.meeting_id,
        "agenda_item": item.agenda_item,
        "title": item.title,
        "owner_id": item.owner_id,
        "due_on": item.due_on,
        "done": item.done_at is not None,
        "version": item.version,
    }


def _meeting_out(request: ApiRequest, meeting: ReviewMeeting) -> dict[str, Any]:
    sections = agenda_build(user=request.user, period=Period(start=meeting.period_start, end=meeting.held_on))
    return {
        "id": meeting.pk,
        "review_id": meeting.review_id,
        "held_on": meeting.held_on,
        "period_start": meeting.period_start,
        "notes": meeting.notes,
        "minutes_sent_at": meeting.minutes_sent_at,
        "version": meeting.version,
        "agenda": [{"key": s.key, "title": s.title, "items": [vars(i) for i in s.items]} for s in sections],
        "decisions": [
            {
                "decision_id": d.decision_id,
                "agenda_item": d.agenda_item,
                "feature_id": d.decision.feature_id,
                "outcome": d.decision.outcome,
                "rationale": d.decision.rationale,
                "decided_by_id": d.decision.decided_by_id,
            }
            for d in meeting_decisions(user=request.user, meeting=meeting)
        ],
        "action_items": [_item_out(i) for i in meeting_action_items(user=request.user, meeting=meeting)],
    }


def _people(ids: list[int]) -> list[User]:
    people = list(User.objects.filter(pk__in=ids, is_active=True))
    if len(people) != len(set(ids)):
        raise ValidationError({"attendee_ids": "Choose people who work here."})
    return people


@router.get(
    "/reviews",
    response={200: list[ReviewOut], **ERRORS},
    operation_id="reviews_review_list",
    summary="The product-sales reviews you attend (executives and admins: all)",
)
def review_list(request: ApiRequest) -> list[dict[str, Any]]:
    reviews = review_visible(user=request.user).prefetch_related("attendees").order_by("name", "id")[:200]
    return [_review_out(r) for r in reviews]


@router.post(
    "/reviews",
    response={201: ReviewOut, **WRITE_ERRORS},
    operation_id="reviews_review_create",
    summary="Set up a recurring product-sales review",
    description="Sales managers, product managers, executives and admins; the caller organises it.",
)
def review_create(request: ApiRequest, payload: ReviewIn) -> Status[dict[str, Any]]:
    require(request.user, ReviewsPermission.RUN_REVIEWS)
    review = services.review_create(
        actor=request.user, name=payload.name, cadence=payload.cadence, attendees=_people(payload.attendee_ids)
    )
    return Status(201, _review_out(review))


@router.get(
    "/reviews/{review_id}",
    response={200: ReviewOut, **ERRORS},
    operation_id="reviews_review_get",
    summary="A review",
)
def review_detail(request: ApiRequest, review_id: int) -> dict[str, Any]:
    return _review_out(review_get(user=request.user, pk=review_id))


@router.post(
    "/reviews/{review_id}/meetings",
    response={201: ReviewMeetingOut, **WRITE_ERRORS},
    operation_id="reviews_meeting_create",
    summary="Open a meeting of a review; its agenda covers the facts since the previous meeting",
    description="The organiser and attendees who run reviews, and admins.",
)
def meeting_create(request: ApiRequest, review_id: int, payload: ReviewMeetingIn) -> Status[dict[str, Any]]:
    review = review_get(user=request.user, pk=review_id)
    if not review_runnable(user=request.user).filter(pk=review.pk).exists():
        raise PermissionDenied(services.NOT_IN_MEETING)
    meeting = services.review_meeting_create(actor=request.user, review=review, held_on=payload.held_on)
    return Status(201, _meeting_out(request, meeting))


@router.get(
    "/review-meetings/{meeting_id}",
    response={200: ReviewMeetingOut, **ERRORS},
    operation_id="reviews_meeting_get",
    summary="A meeting: its agenda as you see it, its decisions and action items",
)
def meeting_detail(request: ApiRequest, meeting_id: int) -> dict[str, Any]:
    return _meeting_out(request, review_meeting_get(user=request.user, pk=meeting_id))


@router.post(
    "/review-meetings/{meeting_id}/decisions",
    response={201: MeetingDecisionOut, **WRITE_ERRORS},
    operation_id="reviews_meeting_decide",
    summary="Record a decision on an agenda item's feature, under the decision rights",
    description="Whoever runs the meeting, and only if the decision rights let them take this decision (403 "
    "naming who may).",
)
def meeting_decide(request: ApiRequest, meeting_id: int, payload: MeetingDecisionIn) -> Status[dict[str, Any]]:
    meeting = review_meeting_get(user=request.user, pk=meeting_id)
    feature = get_object_or_404(feature_visible(user=request.user), pk=payload.feature_id)
    release = get_object_or_404(Release.objects.all(), pk=payload.release_id) if payload.release_id else None
    decision = services.meeting_decision_record(
        actor=request.user,
        meeting=meeting,
        agenda_item=payload.agenda_item,
        feature=feature,
        outcome=payload.outcome,
        rationale=payload.rationale,
        release=release,
    )
    return Status(
        201,
        {
            "decision_id": decision.pk,
            "agenda_item": payload.agenda_item,
            "feature_id": decision.feature_id,
            "outcome": decision.outcome,
            "rationale": decision.rationale,
            "decided_by_id": decision.decided_by_id,
        },
    )


@router.post(
    "/review-meetings/{meeting_id}/action-items",
    response={201: ActionItemOut, **WRITE_ERRORS},
    operation_id="reviews_action_item_create",
    summary="Agree an action item in a meeting: its owner, due date and the agenda item it answers",
)
def action_item_create(request: ApiRequest, meeting_id: int, payload: ActionItemIn) -> Status[dict[str, Any]]:
    meeting = review_meeting_get(user=request.user, pk=meeting_id)
    owner = get_object_or_404(User.objects.all(), pk=payload.owner_id)
    item = services.action_item_create(
        actor=request.user,
        meeting=meeting,
        agenda_item=payload.agenda_item,
        title=payload.title,
        owner=owner,
        due_on=payload.due_on,
    )
    return Status(201, _item_out(item))


@router.post(
    "/review-meetings/{meeting_id}/minutes",
    response={200: ReviewMeetingOut, **WRITE_ERRORS},
    operation_id="reviews_minutes_send",
    summary="Save the meeting's notes and send the minutes to its organiser and attendees",
)
def minutes_send(request: ApiRequest, meeting_id: int, payload: MinutesIn) -> dict[str, Any]:
    meeting = review_meeting_get(user=request.user, pk=meeting_id)
    meeting = services.minutes_send(
        actor=request.user, meeting=meeting, notes=payload.notes, expected_version=payload.version
    )
    return _meeting_out(request, meeting)


@router.get(
    "/action-items",
    response={200: list[ActionItemOut], **ERRORS},
    operation_id="reviews_action_item_list",
    summary="Your action items, soonest due first",
)
def action_item_list(request: ApiRequest, filters: Query[ActionItemFilterIn]) -> list[dict[str, Any]]:
    items = ActionItem.objects.filter(owner=request.user)
    if filters.done is not None:
        items = items.filter(done_at__isnull=not filters.done)
    return [_item_out(i) for i in items.order_by("due_on", "id")[:500]]


@router.patch(
    "/action-items/{item_id}",
    response={200: ActionItemOut, **WRITE_ERRORS},
    operation_id="reviews_action_item_update",
    summary="Mark an action item done, or open again",
    description="Its owner and whoever runs its meeting. Send the `version` you read (stale: 409).",
)
def action_item_update(request: ApiRequest, item_id: int, payload: ActionItemPatchIn) -> dict[str, Any]:
    item = get_object_or_404(action_item_visible(user=request.user), pk=item_id)
    if not action_item_changeable(user=request.user).filter(pk=item.pk).exists():
        raise PermissionDenied("Only the item's owner and whoever runs the meeting mark it done.")
    return _item_out(
        services.action_item_done(actor=request.user, item=item, done=payload.done, expected_version=payload.version)
    )
