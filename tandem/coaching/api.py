"""The JSON API of coaching, with the pages' rules: a rep's notes and reviews, writing them (the
rep's sales manager, admins), sharing a review and the rep's acknowledgement."""

import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator

from tandem.coaching import services
from tandem.coaching.models import NOTE_LIMIT, CoachingNote, Review
from tandem.coaching.permissions import CoachingPermission
from tandem.coaching.selectors import (
    ReviewFigures,
    coaching_note_get,
    coaching_notes_of,
    coaching_rep_get,
    review_figures,
    review_get,
    reviews_of,
)
from tandem.core.api import ERRORS, WRITE_ERRORS, cursor_paginate, omittable
from tandem.core.constraints import text_limit
from tandem.core.http import ApiRequest
from tandem.core.money import workspace_get
from tandem.core.permissions import require

router = Router(tags=["coaching"])
P = CoachingPermission
VERSION = Field(..., ge=0, le=2**31, description="The version you read; a stale one gives 409 and changes nothing.")


def _day(value: datetime.date) -> datetime.date:
    if not 2000 <= value.year <= 2100:
        raise ValueError("Give a day between 2000 and 2100.")
    return value


Day = Annotated[datetime.date, AfterValidator(_day)]


class CoachingNoteOut(Schema):
    id: int
    rep_id: int
    author: str
    noted_on: datetime.date
    text: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int = Field(..., description="Send it back with a change; a stale one gives 409.")

    @staticmethod
    def resolve_author(note: CoachingNote) -> str:
        return str(note.author)


class CoachingNoteIn(Schema):
    noted_on: Day | None = Field(None, description="The day of the conversation; today when left out.")
    text: str = Field(..., min_length=1, max_length=NOTE_LIMIT)


class CoachingNotePatch(Schema):
    version: int = VERSION
    noted_on: Day = omittable()
    text: str = omittable(min_length=1, max_length=NOTE_LIMIT)


class CoachingListIn(Schema):
    cursor: str | None = Field(None, description="The next_cursor of the previous page.")
    limit: int = Field(50, ge=1, le=200)


class CoachingNotePage(Schema):
    items: list[CoachingNoteOut]
    next_cursor: str | None


class CoachingVersionIn(Schema):
    version: int = VERSION


class CoachingReviewOut(Schema):
    id: int
    rep_id: int
    author: str
    period_kind: Review.PeriodKind
    period_start: datetime.date
    period_end: datetime.date
    period_label: str
    status: Review.Status
    summary: str
    goals: str
    shared_at: datetime.datetime | None
    acknowledged_at: datetime.datetime | None
    rep_comment: str
    version: int = Field(..., description="Send it back with a change; a stale one gives 409.")

    @staticmethod
    def resolve_author(review: Review) -> str:
        return str(review.author)


class CoachingReviewAccuracyOut(Schema):
    quarter: str
    call: Decimal | None = Field(..., description="The commit called at the quarter's fourth week; null: no call.")
    won: Decimal
    ratio: Decimal | None = Field(..., description="1 - |won - call| / call, never below 0.")


class CoachingReviewFiguresOut(Schema):
    quota: Decimal
    won_amount: Decimal
    won_count: int
    lost_count: int
    open_amount: Decimal
    attainment: Decimal | None = Field(..., description="Won over quota (1 = 100%); null without a quota.")
    win_rate: Decimal | None = Field(..., description="Deals won over deals closed, by count.")
    average_deal: Decimal | None
    cycle_days: Decimal | None
    activities: dict[str, int] = Field(..., description="Activities the rep logged in the period, by kind.")
    accuracy: list[CoachingReviewAccuracyOut]
    frozen: bool = Field(..., description="True once shared: the figures as they stood then.")


class CoachingReviewDetailOut(CoachingReviewOut):
    figures: CoachingReviewFiguresOut = Field(..., description="The rep's figures for the period.")

    @staticmethod
    def resolve_figures(review: Review) -> dict[str, Any]:
        figures: ReviewFigures = review_figures(review=review, start_month=workspace_get().fiscal_year_start_month)
        return {**figures.to_json(), "frozen": review.figures is not None}


class CoachingReviewPage(Schema):
    items: list[CoachingReviewOut]
    next_cursor: str | None


class CoachingReviewCreateIn(Schema):
    period: str = Field(..., max_length=10, description="A fiscal quarter as 2027-Q1, or a month as 2026-11.")


class CoachingReviewPatch(Schema):
    version: int = VERSION
    summary: str = omittable(max_length=text_limit(Review, "summary"))
    goals: str = omittable(max_length=text_limit(Review, "goals"))


class CoachingReviewAcknowledgeIn(Schema):
    version: int = VERSION
    rep_comment: str = Field("", max_length=text_limit(Review, "rep_comment"))


@router.get(
    "/coaching/reps/{rep_id}/notes",
    response={200: CoachingNotePage, **ERRORS},
    operation_id="coaching_note_list",
    summary="A rep's coaching notes, newest first",
)
def note_list(request: ApiRequest, rep_id: int, params: Query[CoachingListIn]) -> dict[str, Any]:
    require(request.user, P.VIEW_COACHING)
    rep = coaching_rep_get(user=request.user, pk=rep_id)
    rows = coaching_notes_of(user=request.user, rep=rep)
    items, next_cursor = cursor_paginate(rows, order=["-noted_on", "-id"], cursor=params.cursor, limit=params.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "/coaching/reps/{rep_id}/notes",
    response={201: CoachingNoteOut, **WRITE_ERRORS},
    operation_id="coaching_note_create",
    summary="Note a coaching conversation with a rep you coach",
)
def note_create(request: ApiRequest, rep_id: int, payload: CoachingNoteIn) -> Status[CoachingNote]:
    require(request.user, P.COACH)
    rep = services.coaching_rep_for_change(user=request.user, pk=rep_id)
    noted_on = payload.noted_on or timezone.localdate()
    note = services.coaching_note_add(actor=request.user, rep=rep, noted_on=noted_on, text=payload.text)
    return Status(201, coaching_note_get(user=request.user, pk=note.pk))


@router.patch(
    "/coaching/notes/{note_id}",
    response={200: CoachingNoteOut, **WRITE_ERRORS},
    operation_id="coaching_note_update",
    summary="Change a coaching note's day or text",
)
def note_update(request: ApiRequest, note_id: int, payload: CoachingNotePatch) -> CoachingNote:
    require(request.user, P.COACH)
    note = services.coaching_note_for_change(user=request.user, pk=note_id)
    data = payload.dict(exclude_unset=True)
    services.coaching_note_change(
        actor=request.user,
        note=note,
        noted_on=data.get("noted_on", note.noted_on),
        text=data.get("text", note.text),
        expected_version=payload.version,
    )
    return coaching_note_get(user=request.user, pk=note.pk)


@router.delete(
    "/coaching/notes/{note_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="coaching_note_delete",
    summary="Delete a coaching note",
)
def note_delete(request: ApiRequest, note_id: int, params: Query[CoachingVersionIn]) -> Status[None]:
    require(request.user, P.COACH)
    note = services.coaching_note_for_change(user=request.user, pk=note_id)
    services.coaching_note_delete(actor=request.user, note=note, expected_version=params.version)
    return Status(204, None)


@router.get(
    "/coaching/reps/{rep_id}/reviews",
    response={200: CoachingReviewPage, **ERRORS},
    operation_id="coaching_review_list",
    summary="A rep's reviews, the newest period first (a rep sees the shared ones)",
)
def review_list(request: ApiRequest, rep_id: int, params: Query[CoachingListIn]) -> dict[str, Any]:
    require(request.user, P.VIEW_COACHING)
    rep = coaching_rep_get(user=request.user, pk=rep_id)
    rows = reviews_of(user=request.user, rep=rep)
    items, next_cursor = cursor_paginate(rows, order=["-period_start", "-id"], cursor=params.cursor, limit=params.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "/coaching/reps/{rep_id}/reviews",
    response={201: CoachingReviewDetailOut, **WRITE_ERRORS},
    operation_id="coaching_review_create",
    summary="Start a draft review of a rep for a fiscal quarter or a month",
)
def review_create(request: ApiRequest, rep_id: int, payload: CoachingReviewCreateIn) -> Status[Review]:
    require(request.user, P.COACH)
    rep = services.coaching_rep_for_change(user=request.user, pk=rep_id)
    review = services.review_create(actor=request.user, rep=rep, period=payload.period)
    return Status(201, review_get(user=request.user, pk=review.pk))


@router.get(
    "/coaching/reviews/{review_id}",
    response={200: CoachingReviewDetailOut, **ERRORS},
    operation_id="coaching_review_get",
    summary="A review with the rep's figures for its period",
)
def review_detail(request: ApiRequest, review_id: int) -> Review:
    require(request.user, P.VIEW_COACHING)
    return review_get(user=request.user, pk=review_id)


@router.patch(
    "/coaching/reviews/{review_id}",
    response={200: CoachingReviewDetailOut, **WRITE_ERRORS},
    operation_id="coaching_review_update",
    summary="Write a draft review's summary and goals",
)
def review_update(request: ApiRequest, review_id: int, payload: CoachingReviewPatch) -> Review:
    require(request.user, P.COACH)
    review = services.review_for_change(user=request.user, pk=review_id)
    data = payload.dict(exclude_unset=True)
    services.review_change(
        actor=request.user,
        review=review,
        summary=data.get("summary", review.summary),
        goals=data.get("goals", review.goals),
        expected_version=payload.version,
    )
    return review_get(user=request.user, pk=review.pk)


@router.post(
    "/coaching/reviews/{review_id}/share",
    response={200: CoachingReviewDetailOut, **WRITE_ERRORS},
    operation_id="coaching_review_share",
    summary="Share a draft review with its rep, freezing its figures",
)
def review_share(request: ApiRequest, review_id: int, payload: CoachingVersionIn) -> Review:
    require(request.user, P.COACH)
    review = services.review_for_change(user=request.user, pk=review_id)
    services.review_share(actor=request.user, review=review, expected_version=payload.version)
    return review_get(user=request.user, pk=review.pk)


@router.post(
    "/coaching/reviews/{review_id}/acknowledge",
    response={200: CoachingReviewDetailOut, **WRITE_ERRORS},
    operation_id="coaching_review_acknowledge",
    summary="The rep acknowledges a shared review of theirs, with a comment",
)
def review_acknowledge(request: ApiRequest, review_id: int, payload: CoachingReviewAcknowledgeIn) -> Review:
    require(request.user, P.ACKNOWLEDGE_REVIEW)
    review = review_get(user=request.user, pk=review_id)
    services.review_acknowledge(
        actor=request.user, review=review, comment=payload.rep_comment, expected_version=payload.version
    )
    return review_get(user=request.user, pk=review.pk)
