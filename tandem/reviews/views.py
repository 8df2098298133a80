"""Pages of reviews: the reviews, a review's meetings, a meeting with its agenda, decisions, action
items and minutes."""

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.core.api import StaleVersion
from tandem.core.http import PageRequest
from tandem.core.permissions import has_permission, require
from tandem.decisions.forms import DecisionForm
from tandem.product.models import Release
from tandem.product.selectors import feature_visible, release_dates_shared, release_target_for, release_visible
from tandem.reviews import services
from tandem.reviews.agenda import Period, agenda_build
from tandem.reviews.forms import ActionItemForm, DoneForm, MeetingForm, MinutesForm, ReviewForm, people_to_assign
from tandem.reviews.models import ReviewMeeting
from tandem.reviews.permissions import ReviewsPermission
from tandem.reviews.selectors import (
    action_item_changeable,
    action_item_visible,
    may_record,
    meeting_action_items,
    meeting_decisions,
    review_changeable,
    review_get,
    review_meeting_get,
    review_runnable,
    review_visible,
)

AGENDA_KEY = re.compile(r"^(ask|feature|escalation|[a-z_]+):\d+$")


@require_GET
def review_list(request: PageRequest) -> HttpResponse:
    reviews = list(review_visible(user=request.user).select_related("organiser").order_by("name", "id")[:100])
    latest = {
        m.review_id: m
        for m in ReviewMeeting.objects.filter(review__in=[r.pk for r in reviews]).order_by(
            "review_id", "-held_on", "-id"
        )
    }
    rows = [{"review": r, "latest": latest.get(r.pk)} for r in reviews]
    return render(
        request,
        "reviews/review_list.html",
        {"rows": rows, "may_create": has_permission(request.user, ReviewsPermission.RUN_REVIEWS)},
    )


@require_http_methods(["GET", "POST"])
def review_create(request: PageRequest) -> HttpResponse:
    require(request.user, ReviewsPermission.RUN_REVIEWS)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                cadence=form.cleaned_data["cadence"],
                attendees=list(form.cleaned_data["attendees"]),
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{review} set up. Open its first meeting when it meets.")
            return redirect("reviews:review_detail", pk=review.pk)
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "reviews/review_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def review_detail(request: PageRequest, pk: int) -> HttpResponse:
    """A review: its attendees, its meetings, and (organiser, admins) its settings."""
    review = review_get(user=request.user, pk=pk)
    may_change = review_changeable(user=request.user).filter(pk=review.pk).exists()
    attendees = list(review.attendees.order_by("first_name", "last_name"))
    form = ReviewForm(
        request.POST or None,
        initial={"name": review.name, "cadence": review.cadence, "attendees": attendees, "version": review.version},
    )
    status = 200
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied("Only the review's organiser and admins change it.")
        if form.is_valid():
            try:
                services.review_update(
                    actor=request.user,
                    review=review,
                    expected_version=form.cleaned_data["version"] or 0,
                    name=form.cleaned_data["name"],
                    cadence=form.cleaned_data["cadence"],
                    attendees=list(form.cleaned_data["attendees"]),
                )
            except ValidationError as error:
                form.add_service_error(error)
            except StaleVersion as stale:
                form.add_error(None, str(stale))
            else:
                messages.success(request, "Review saved.")
                return redirect("reviews:review_detail", pk=review.pk)
        status = 409 if form.non_field_errors() else 422
    meetings = list(review.meetings.order_by("-held_on", "-id")[:50])
    return render(
        request,
        "reviews/review_detail.html",
        {
            "review": review,
            "attendees": attendees,
            "meetings": meetings,
            "form": form,
            "may_change": may_change,
            "may_run": review_runnable(user=request.user).filter(pk=review.pk).exists(),
            "meeting_form": MeetingForm(initial={"held_on": timezone.localdate()}),
        },
        status=status,
    )


@require_POST
def meeting_create(request: PageRequest, pk: int) -> HttpResponse:
    review = review_get(user=request.user, pk=pk)
    if not review_runnable(user=request.user).filter(pk=review.pk).exists():
        raise PermissionDenied(services.NOT_IN_MEETING)
    form = MeetingForm(request.POST)
    if form.is_valid():
        try:
            meeting = services.review_meeting_create(
                actor=request.user, review=review, held_on=form.cleaned_data["held_on"]
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return redirect("reviews:meeting_detail", pk=meeting.pk)
    messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("reviews:review_detail", pk=review.pk)


def _releases_of(user: Any, feature_id: int) -> list[tuple[int, str]]:
    """The releases a decision to plan this feature may name: its product's that have not shipped,
    soonest first, each dated as finely as the reader may know it (a sales manager recording in the
    meeting reads the quarter of a release the sales roadmap does not date)."""
    product_id = feature_visible(user=user).filter(pk=feature_id).values_list("product_id", flat=True).first()
    if product_id is None:
        return []
    releases = list(
        release_visible(user=user)
        .filter(product_id=product_id, status=Release.Status.PLANNED)
        .order_by("target_date", "pk")
        .only("pk", "name", "target_date", "status")
    )
    shared = release_dates_shared(user=user, releases=releases)
    return [(release.pk, f"{release.name} (due {release_target_for(release, shared)})") for release in releases]


def _item_forms(user: Any, meeting: ReviewMeeting, key: str, feature_id: int | None) -> dict[str, Any]:
    """What one agenda item's decision and action-item forms need. They are drawn when the item is
    opened, not for every item on the page: each offers every active person as an owner, and a
    large workspace's fifty items drew four megabytes of them."""
    return {
        "item": {"key": key, "feature_id": feature_id},
        "releases": _releases_of(user, feature_id) if feature_id else [],
        "owners": list(people_to_assign().values_list("pk", "first_name", "last_name", "username")),
        "due_default": meeting.held_on.isoformat(),  # a date input's value, not a figure people read
    }


def _meeting_page(request: PageRequest, meeting: ReviewMeeting, status: int = 200, **forms: Any) -> HttpResponse:
    period = Period(start=meeting.period_start, end=meeting.held_on)
    recording = may_record(user=request.user, meeting=meeting)
    sections = agenda_build(user=request.user, period=period)
    decisions = meeting_decisions(user=request.user, meeting=meeting)
    items = meeting_action_items(user=request.user, meeting=meeting)
    changeable_items = set(
        action_item_changeable(user=request.user).filter(meeting=meeting).values_list("pk", flat=True)
    )
    failed_item = forms.get("failed_item", "")
    failed = next((item for section in sections for item in section.items if item.key == failed_item), None)
    context = {
        "meeting": meeting,
        "review": meeting.review,
        "sections": sections,
        "recording": recording,
        "decisions": decisions,
        "decided_keys": {d.agenda_item for d in decisions},
        "action_items": [{"item": i, "may_change": i.pk in changeable_items} for i in items],
        "action_keys": {i.agenda_item for i in items},
        "decision_form": forms.get("decision_form") or DecisionForm(),
        "failed_item": failed_item,
        "action_form": forms.get("action_form") or ActionItemForm(initial={"due_on": meeting.held_on}),
        # The one item whose forms came back with errors is drawn open, with them.
        "failed_forms": _item_forms(request.user, meeting, failed.key, failed.feature_id)
        if recording and failed
        else None,
        "minutes_form": forms.get("minutes_form")
        or MinutesForm(initial={"notes": meeting.notes, "version": meeting.version}),
    }
    return render(request, "reviews/meeting_detail.html", context, status=status)


@require_GET
def meeting_detail(request: PageRequest, pk: int) -> HttpResponse:
    """The meeting: its agenda built from the period's facts as the reader sees them, with the
    decisions and action items recorded against its items, and the minutes."""
    return _meeting_page(request, review_meeting_get(user=request.user, pk=pk))


@require_GET
def meeting_item_forms(request: PageRequest, pk: int) -> HttpResponse:
    """The partial of one agenda item's decision and action-item forms, fetched when it is opened."""
    meeting = review_meeting_get(user=request.user, pk=pk)
    if not may_record(user=request.user, meeting=meeting):
        raise PermissionDenied(services.NOT_IN_MEETING)
    key = request.GET.get("item", "")
    if not AGENDA_KEY.match(key):
        raise Http404("No such agenda item.")
    feature_id = request.GET.get("feature", "")
    feature = (
        get_object_or_404(feature_visible(user=request.user), pk=int(feature_id))
        if feature_id.isdigit() and len(feature_id) < 18
        else None
    )
    context = _item_forms(request.user, meeting, key, feature.pk if feature else None)
    return render(
        request,
        "reviews/partials/_agenda_item_forms.html",
        {
            **context,
            "meeting": meeting,
            "decision_form": DecisionForm(),
            "action_form": ActionItemForm(initial={"due_on": meeting.held_on}),
        },
    )


@require_POST
def meeting_decide(request: PageRequest, pk: int) -> HttpResponse:
    meeting = review_meeting_get(user=request.user, pk=pk)
    if not may_record(user=request.user, meeting=meeting):
        raise PermissionDenied(services.NOT_IN_MEETING)
    key = request.POST.get("agenda_item", "")
    feature_id = request.POST.get("feature", "")
    feature = (
        get_object_or_404(feature_visible(user=request.user), pk=int(feature_id))
        if feature_id.isdigit() and len(feature_id) < 18
        else None
    )
    form = DecisionForm(request.POST, product=feature.product if feature else None)
    if feature is None or not AGENDA_KEY.match(key):
        form.add_error(None, "Choose an agenda item with a feature to decide on.")
    elif form.is_valid():
        try:
            services.meeting_decision_record(
                actor=request.user,
                meeting=meeting,
                agenda_item=key,
                feature=feature,
                outcome=form.cleaned_data["outcome"],
                rationale=form.cleaned_data["rationale"],
                release=form.cleaned_data.get("release"),
            )
        except PermissionDenied as refusal:
            form.add_error(None, str(refusal))
            return _meeting_page(request, meeting, 403, decision_form=form, failed_item=key)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, f"Decision on {feature} recorded.")
            return redirect("reviews:meeting_detail", pk=meeting.pk)
    return _meeting_page(request, meeting, 422, decision_form=form, failed_item=key)


@require_POST
def action_item_create(request: PageRequest, pk: int) -> HttpResponse:
    meeting = review_meeting_get(user=request.user, pk=pk)
    if not may_record(user=request.user, meeting=meeting):
        raise PermissionDenied(services.NOT_IN_MEETING)
    form = ActionItemForm(request.POST)
    if form.is_valid():
        try:
            item = services.action_item_create(
                actor=request.user,
                meeting=meeting,
                agenda_item=form.cleaned_data["agenda_item"]
                if AGENDA_KEY.match(form.cleaned_data["agenda_item"])
                else "",
                title=form.cleaned_data["title"],
                owner=form.cleaned_data["owner"],
                due_on=form.cleaned_data["due_on"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Action item for {item.owner}: {item.title}")
            return redirect("reviews:meeting_detail", pk=meeting.pk)
    return _meeting_page(
        request, meeting, 422, action_form=form, failed_item=request.POST.get("agenda_item", "") or "meeting"
    )


@require_POST
def minutes_send(request: PageRequest, pk: int) -> HttpResponse:
    meeting = review_meeting_get(user=request.user, pk=pk)
    if not may_record(user=request.user, meeting=meeting):
        raise PermissionDenied(services.NOT_IN_MEETING)
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            services.minutes_send(
                actor=request.user,
                meeting=meeting,
                notes=form.cleaned_data["notes"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        except StaleVersion:
            form.add_error(None, StaleVersion.message)
            return _meeting_page(request, meeting, 409, minutes_form=form)
        else:
            messages.success(request, "Minutes sent to the attendees.")
            return redirect("reviews:meeting_detail", pk=meeting.pk)
    return _meeting_page(request, meeting, 422, minutes_form=form)


@require_POST
def action_item_done(request: PageRequest, pk: int) -> HttpResponse:
    """Mark an action item done or open again; back to where it was marked (home or the meeting)."""
    item = get_object_or_404(action_item_visible(user=request.user), pk=pk)
    if not action_item_changeable(user=request.user).filter(pk=item.pk).exists():
        raise PermissionDenied("Only the item's owner and whoever runs the meeting mark it done.")
    form = DoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Reload the page and mark it again.")
        return redirect("reviews:meeting_detail", pk=item.meeting_id)
    try:
        services.action_item_done(
            actor=request.user, item=item, done=form.cleaned_data["done"], expected_version=form.cleaned_data["version"]
        )
    except StaleVersion:
        messages.error(request, StaleVersion.message)
    next_url = request.POST.get("next", "")
    if next_url == "home":
        return redirect("dashboards:home")
    return redirect(reverse("reviews:meeting_detail", args=[item.meeting_id]))
