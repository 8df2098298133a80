"""The coaching pages: the reps a person coaches or reads, each rep's coaching page (notes and
reviews), and a review with the rep's figures for its period. Writes post to their own URLs and
come back to the page, or show it again with the form's errors (409 for a stale version)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from tandem.coaching import services
from tandem.coaching.forms import AcknowledgeForm, NoteForm, ReviewCreateForm, ReviewForm, VersionForm
from tandem.coaching.models import Review
from tandem.coaching.permissions import CoachingPermission
from tandem.coaching.selectors import (
    coached_reps,
    coaches,
    coaching_note_get,
    coaching_notes_of,
    coaching_rep_get,
    review_figures,
    review_get,
    reviewable_periods,
    reviews_of,
)
from tandem.core.api import StaleVersion
from tandem.core.http import PageRequest
from tandem.core.listing import Column, list_page
from tandem.core.money import workspace_get
from tandem.core.permissions import require
from tandem.core.roles import Role
from tandem.people.models import User

P = CoachingPermission
NOTE_COLUMNS = [Column("noted_on", "Day", ("noted_on", "id")), Column("author", "By", None)]
NOTES_PER_PAGE = 20


def _write(form: Form, action: Any) -> int | None:
    """Run a service for a valid form: None when it wrote, else the status to show the form with."""
    try:
        action()
    except StaleVersion as exc:
        form.add_error(None, str(exc))
        return 409
    except ValidationError as error:
        form.add_service_error(error)  # type: ignore[attr-defined]
        return 200
    return None


def coaching_overview(request: PageRequest) -> HttpResponse:
    """Whom this person coaches (or reads the coaching of); a rep goes to their own page."""
    require(request.user, P.VIEW_COACHING)
    if request.user.role == Role.REP:
        return redirect("coaching:rep_coaching", rep_id=request.user.pk)
    return render(request, "coaching/overview.html", {"reps": coached_reps(user=request.user)})


def _rep_context(request: PageRequest, rep: User, **forms: Any) -> dict[str, Any]:
    user = request.user
    coaching = coaches(user=user, rep=rep) and user.role != Role.REP
    start_month = workspace_get().fiscal_year_start_month
    periods = reviewable_periods(timezone.localdate(), start_month)
    notes = list_page(
        request,
        coaching_notes_of(user=user, rep=rep),
        columns=NOTE_COLUMNS,
        default_sort="-noted_on",
        per_page=NOTES_PER_PAGE,
    )
    return {
        "rep": rep,
        "coaching": coaching,
        "notes": notes,
        "reviews": list(reviews_of(user=user, rep=rep)),
        "note_form": forms.get("note_form") or (NoteForm() if coaching else None),
        "review_form": forms.get("review_form") or (ReviewCreateForm(periods=periods) if coaching else None),
    }


@require_http_methods(["GET"])
def rep_coaching(request: PageRequest, rep_id: int) -> HttpResponse:
    """One rep's coaching: the dated notes, newest first, and the reviews."""
    require(request.user, P.VIEW_COACHING)
    rep = coaching_rep_get(user=request.user, pk=rep_id)
    template = "coaching/partials/_notes.html" if request.htmx else "coaching/rep_coaching.html"
    return render(request, template, _rep_context(request, rep))


@require_POST
def note_add(request: PageRequest, rep_id: int) -> HttpResponse:
    require(request.user, P.COACH)
    rep = services.coaching_rep_for_change(user=request.user, pk=rep_id)
    form = NoteForm(request.POST)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        failed = _write(
            form,
            lambda: services.coaching_note_add(
                actor=request.user, rep=rep, noted_on=data["noted_on"], text=data["text"]
            ),
        )
        if failed is None:
            messages.success(request, "Your note is saved.")
            return redirect("coaching:rep_coaching", rep_id=rep.pk)
        status = failed
    return render(request, "coaching/rep_coaching.html", _rep_context(request, rep, note_form=form), status=status)


@require_http_methods(["GET", "POST"])
def note_change(request: PageRequest, pk: int) -> HttpResponse:
    """A note's edit form, and its save."""
    require(request.user, P.COACH)
    note = coaching_note_get(user=request.user, pk=pk)
    if not coaches(user=request.user, rep=note.rep):
        raise PermissionDenied(services.NOT_COACH)
    status = 200
    if request.method == "POST":
        form = NoteForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            failed = _write(
                form,
                lambda: services.coaching_note_change(
                    actor=request.user,
                    note=note,
                    noted_on=data["noted_on"],
                    text=data["text"],
                    expected_version=data["version"] or 0,
                ),
            )
            if failed is None:
                messages.success(request, "The note is changed.")
                return redirect("coaching:rep_coaching", rep_id=note.rep_id)
            status = failed
    else:
        form = NoteForm(initial={"version": note.version, "noted_on": note.noted_on, "text": note.text})
    return render(request, "coaching/note_form.html", {"note": note, "form": form}, status=status)


@require_POST
def note_delete(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.COACH)
    note = coaching_note_get(user=request.user, pk=pk)
    form = VersionForm(request.POST)
    if form.is_valid():
        failed = _write(
            form,
            lambda: services.coaching_note_delete(
                actor=request.user, note=note, expected_version=form.cleaned_data["version"]
            ),
        )
        if failed is None:
            messages.success(request, "The note is deleted.")
            return redirect("coaching:rep_coaching", rep_id=note.rep_id)
        if failed == 409:
            messages.error(request, services.STALE_NOTE)
            return redirect("coaching:rep_coaching", rep_id=note.rep_id)
    # Without a version (a hand-made post): the note's page says what to do.
    services.coaching_note_for_change(user=request.user, pk=note.pk)
    messages.error(request, "Reload the page and delete the note again.")
    return redirect("coaching:rep_coaching", rep_id=note.rep_id)


@require_POST
def review_create(request: PageRequest, rep_id: int) -> HttpResponse:
    require(request.user, P.COACH)
    rep = services.coaching_rep_for_change(user=request.user, pk=rep_id)
    periods = reviewable_periods(timezone.localdate(), workspace_get().fiscal_year_start_month)
    form = ReviewCreateForm(request.POST, periods=periods)
    if form.is_valid():
        created: list[Review] = []
        failed = _write(
            form,
            lambda: created.append(
                services.review_create(actor=request.user, rep=rep, period=form.cleaned_data["period"])
            ),
        )
        if failed is None:
            return redirect("coaching:review_detail", pk=created[0].pk)
    return render(request, "coaching/rep_coaching.html", _rep_context(request, rep, review_form=form))


def _review_context(request: PageRequest, review: Review, **forms: Any) -> dict[str, Any]:
    user = request.user
    editable = review.status == Review.Status.DRAFT and coaches(user=user, rep=review.rep) and user.role != Role.REP
    acknowledging = user.role == Role.REP and review.rep_id == user.pk
    return {
        "review": review,
        "figures": review_figures(review=review, start_month=workspace_get().fiscal_year_start_month),
        "deals_url": _deals_url(review),
        "form": forms.get("form")
        or (
            ReviewForm(initial={"version": review.version, "summary": review.summary, "goals": review.goals})
            if editable
            else None
        ),
        "acknowledge_form": forms.get("acknowledge_form")
        or (
            AcknowledgeForm(initial={"version": review.version, "rep_comment": review.rep_comment})
            if acknowledging
            else None
        ),
    }


def _deals_url(review: Review) -> str:
    from urllib.parse import urlencode

    from django.urls import reverse

    query = {
        "owner": review.rep_id,
        "close_date_from": review.period_start.isoformat(),
        "close_date_to": review.period_end.isoformat(),
    }
    return f"{reverse('sales:opportunity_list')}?{urlencode(query)}"


@require_http_methods(["GET", "POST"])
def review_detail(request: PageRequest, pk: int) -> HttpResponse:
    """A review with the rep's figures for its period; its manager writes it here while a draft."""
    require(request.user, P.VIEW_COACHING)
    review = review_get(user=request.user, pk=pk)
    status = 200
    form = None
    if request.method == "POST":
        require(request.user, P.COACH)
        form = ReviewForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            failed = _write(
                form,
                lambda: services.review_change(
                    actor=request.user,
                    review=review,
                    summary=data["summary"],
                    goals=data["goals"],
                    expected_version=data["version"],
                ),
            )
            if failed is None:
                messages.success(request, "The review is saved. Share it when it is ready for the rep.")
                return redirect("coaching:review_detail", pk=review.pk)
            status = failed
    return render(request, "coaching/review_detail.html", _review_context(request, review, form=form), status=status)


@require_POST
def review_share(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.COACH)
    review = review_get(user=request.user, pk=pk)
    form = VersionForm(request.POST)
    if form.is_valid():
        failed = _write(
            form,
            lambda: services.review_share(
                actor=request.user, review=review, expected_version=form.cleaned_data["version"]
            ),
        )
        if failed is None:
            messages.success(request, f"The review is shared with {review.rep}.")
            return redirect("coaching:review_detail", pk=review.pk)
    else:
        services.review_for_change(user=request.user, pk=review.pk)
    for error in [e for errors in form.errors.values() for e in errors]:
        messages.error(request, error)
    return redirect("coaching:review_detail", pk=review.pk)


@require_POST
def review_acknowledge(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.ACKNOWLEDGE_REVIEW)
    review = review_get(user=request.user, pk=pk)
    form = AcknowledgeForm(request.POST)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        failed = _write(
            form,
            lambda: services.review_acknowledge(
                actor=request.user, review=review, comment=data["rep_comment"], expected_version=data["version"]
            ),
        )
        if failed is None:
            messages.success(request, "You acknowledged the review.")
            return redirect("coaching:review_detail", pk=review.pk)
        status = failed
    context = _review_context(request, review, acknowledge_form=form)
    return render(request, "coaching/review_detail.html", context, status=status)
