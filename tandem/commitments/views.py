"""Pages of commitments: the list (the product-sales review's at-risk list is one of its filters),
one commitment with product's answer, asking from a deal and withdrawing."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.commitments import services
from tandem.commitments.forms import CommitmentAnswerForm, CommitmentAskForm, CommitmentWithdrawForm
from tandem.commitments.models import DEAL_LOST, Commitment
from tandem.commitments.permissions import CommitmentsPermission
from tandem.commitments.selectors import (
    commitment_changeable,
    commitment_for_decision,
    commitment_for_withdrawal,
    commitment_get,
    commitment_rows,
    commitment_withdrawable,
)
from tandem.commitments.tasks import commitment_warnings_enqueue_if_due
from tandem.commitments.tracking import OPEN_STATES, STATE_BADGES, STATE_LABELS, State, commitment_state, facts_of
from tandem.core.api import StaleVersion
from tandem.core.http import PageRequest
from tandem.core.listing import Column, list_page
from tandem.core.money import workspace_get
from tandem.core.permissions import require
from tandem.core.roles import SALES_ROLES
from tandem.product.models import Feature
from tandem.product.selectors import feature_visible
from tandem.sales.selectors import opportunity_for_change

COLUMNS = [
    Column("due", "Promised by", order=["due_date"]),
    Column("feature", "Feature", order=["feature__title"]),
    Column("account", "Account", order=["account__name"]),
    Column("deal", "Deal"),
    Column("state", "State"),
    Column("requested", "Asked", order=["requested_at"]),
]
FILTERS = {state.value: STATE_LABELS[state] for state in State}


def with_states(rows: list[Any], today: Any, *, user: Any) -> list[Any]:
    """Each row gets its state, label and badge for `today` (read from what the row fetched), and
    where its feature's release stands as this user may read it (sales: as on the sales roadmap)."""
    precise = user.role not in SALES_ROLES
    start_month = workspace_get().fiscal_year_start_month
    for row in rows:
        row.state = commitment_state(facts_of(row), today=today)
        row.state_label, row.state_badge = STATE_LABELS[row.state], STATE_BADGES[row.state]
        row.release_said = services.release_said(row.feature, precise=precise, start_month=start_month)
    return rows


@require_GET
def commitment_list(request: PageRequest) -> HttpResponse:
    """Every commitment the user sees, by state; `?state=at_risk` is the product-sales review's list."""
    require(request.user, CommitmentsPermission.VIEW_COMMITMENTS)
    commitment_warnings_enqueue_if_due()
    today = timezone.localdate()
    chosen = request.GET.get("state", "")
    state = State(chosen) if chosen in FILTERS else None
    rows = commitment_rows(user=request.user, today=today, state=state)
    page = list_page(request, rows, columns=COLUMNS, default_sort="due")
    with_states(page.rows, today, user=request.user)
    context = {"page": page, "columns": COLUMNS, "state": state.value if state else "", "filters": FILTERS}
    template = "commitments/partials/_commitment_list.html" if request.htmx else "commitments/commitment_list.html"
    return render(request, template, context)


def _detail(
    request: PageRequest,
    commitment: Commitment,
    *,
    form: CommitmentAnswerForm | None = None,
    withdraw_form: CommitmentWithdrawForm | None = None,
) -> dict[str, Any]:
    """The commitment page's context: its state today, product's answer form for whoever may give
    it, and the withdrawal form for whoever may withdraw it while it is open."""
    state = commitment_state(facts_of(commitment), today=timezone.localdate())
    with_states([commitment], timezone.localdate(), user=request.user)
    can_answer = (
        commitment.status == Commitment.Status.REQUESTED
        and commitment_changeable(user=request.user).filter(pk=commitment.pk).exists()
    )
    if form is None and can_answer:
        form = CommitmentAnswerForm(initial={"version": commitment.version})
    can_withdraw = state in OPEN_STATES and commitment_withdrawable(user=request.user).filter(pk=commitment.pk).exists()
    if withdraw_form is None and can_withdraw:
        # A lost deal's open commitments are offered for withdrawal with that reason written in.
        lost = commitment.opportunity.stage.is_lost
        withdraw_form = CommitmentWithdrawForm(
            initial={"version": commitment.version, "withdrawal_reason": DEAL_LOST if lost else ""}
        )
    return {
        "commitment": commitment,
        "form": form,
        "can_answer": can_answer,
        "withdraw_form": withdraw_form if can_withdraw else None,
        "deal_lost": commitment.opportunity.stage.is_lost,
    }


@require_GET
def commitment_detail(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, CommitmentsPermission.VIEW_COMMITMENTS)
    commitment = commitment_get(user=request.user, pk=pk)
    return render(request, "commitments/commitment_detail.html", _detail(request, commitment))


@require_POST
def commitment_withdraw(request: PageRequest, pk: int) -> HttpResponse:
    """The rep (or their manager) takes back an open commitment, saying why; with htmx the page's
    commitment card is redrawn in place, with the refusal under the field when there is one."""
    require(request.user, CommitmentsPermission.ASK_COMMITMENT)
    commitment = commitment_for_withdrawal(user=request.user, pk=pk)
    form = CommitmentWithdrawForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.commitment_withdraw(
                actor=request.user,
                commitment=commitment,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["withdrawal_reason"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        except StaleVersion as stale:
            form.add_error(None, str(stale))
            status = 409
        else:
            if not request.htmx:
                messages.success(request, "Withdrawn: it leaves the open lists and its warnings stop.")
                return redirect("commitments:commitment_detail", pk=pk)
            context = _detail(request, commitment_get(user=request.user, pk=pk))
            return render(request, "commitments/partials/_commitment.html", context)
    context = _detail(request, commitment, withdraw_form=form)
    template = "commitments/partials/_commitment.html" if request.htmx else "commitments/commitment_detail.html"
    return render(request, template, context, status=status)


def _askable(request: PageRequest) -> Any:
    """The features a rep may ask to promise: those they see, not shipped nor declined, by title."""
    return (
        feature_visible(user=request.user)
        .exclude(status__in=[Feature.Status.SHIPPED, Feature.Status.DECLINED])
        .select_related("product")
        .order_by("title", "pk")
    )


@require_http_methods(["GET", "POST"])
def commitment_ask(request: PageRequest, opportunity: int) -> HttpResponse:
    """Ask to promise a feature to this deal's account: approved at once when the sales roadmap
    commits it by that date, else sent to product for approval."""
    require(request.user, CommitmentsPermission.ASK_COMMITMENT)
    deal = opportunity_for_change(user=request.user, pk=opportunity)
    form = CommitmentAskForm(request.POST or None, features=_askable(request))
    if request.method == "POST" and form.is_valid():
        try:
            commitment = services.commitment_ask(
                actor=request.user,
                opportunity=deal,
                feature_id=form.cleaned_data["feature"].pk,
                due_date=form.cleaned_data["due_date"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if commitment.status == commitment.Status.APPROVED:
                messages.success(request, "Approved at once: the sales roadmap commits this feature by that date.")
            else:
                messages.success(request, "Sent to product for approval; you will be told the answer.")
            return redirect("sales:opportunity_detail", pk=deal.pk)
    return render(request, "commitments/commitment_ask.html", {"deal": deal, "form": form})


def _answer(request: PageRequest, pk: int, approve: bool) -> HttpResponse:
    require(request.user, CommitmentsPermission.VIEW_COMMITMENTS)
    commitment = commitment_for_decision(user=request.user, pk=pk)
    form = CommitmentAnswerForm(request.POST)
    if form.is_valid():
        try:
            answer = services.commitment_approve if approve else services.commitment_refuse
            answer(
                actor=request.user,
                commitment=commitment,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        except StaleVersion as stale:
            form.add_error(None, str(stale))
        else:
            messages.success(request, "Approved: the rep is told." if approve else "Refused: the rep is told why.")
            return redirect("commitments:commitment_detail", pk=pk)
    return render(request, "commitments/commitment_detail.html", _detail(request, commitment, form=form), status=422)


@require_POST
def commitment_approve(request: PageRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, approve=True)


@require_POST
def commitment_refuse(request: PageRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, approve=False)


def section(*, user: Any, rows: list[Any], ask_url: str | None = None) -> dict[str, Any]:
    """The context of the commitments card of a deal, account or feature page."""
    return {
        "commitments": with_states(rows, timezone.localdate(), user=user),
        "ask_url": ask_url,
        "list_url": reverse("commitments:commitment_list"),
        "open_states": OPEN_STATES,
    }
