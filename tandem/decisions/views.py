"""Pages of decisions: deciding on a feature or an ask, escalating, the escalations list, the decision rights."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from tandem.asks.models import Ask, Decision
from tandem.asks.selectors import ask_rows
from tandem.core import formats
from tandem.core.exports import ExportField, export_list, person, wants_export
from tandem.core.http import PageRequest
from tandem.core.listing import Column, list_page
from tandem.core.permissions import has_permission, require
from tandem.decisions import services
from tandem.decisions.forms import DecisionForm, DecisionRightForm, EscalationForm
from tandem.decisions.models import DecisionRight, DecisionType
from tandem.decisions.permissions import DecisionsPermission
from tandem.decisions.rights import decision_rights_all
from tandem.decisions.sections import ask_decision_section, feature_decision_section
from tandem.decisions.selectors import ESCALATION_FILTERS, escalation_filtered, escalation_visible
from tandem.product.permissions import ProductPermission
from tandem.product.selectors import feature_get

ESCALATION_COLUMNS = [
    Column("due", "Due", order=["due_date"]),
    Column("ask", "Ask"),
    Column("escalated_by", "Escalated by"),
    Column("executive", "To"),
    Column("status", "Status"),
    Column("escalated", "Escalated", order=["escalated_at"]),
]

ESCALATION_EXPORT = [
    ExportField("Escalation id", lambda escalation: escalation.pk),
    ExportField("Due", lambda escalation: escalation.due_date),
    ExportField("Ask id", lambda escalation: escalation.ask_id),
    ExportField("Ask", lambda escalation: escalation.ask.need),
    ExportField("Account", lambda escalation: escalation.ask.account.name),
    ExportField("Escalated by", lambda escalation: person(escalation.escalated_by)),
    ExportField("To", lambda escalation: person(escalation.executive) or "Any executive"),
    ExportField("Reason", lambda escalation: escalation.reason),
    ExportField("Status", lambda escalation: escalation.get_status_display()),
    ExportField("Ruling", lambda escalation: escalation.ruling.get_outcome_display() if escalation.ruling else ""),
    ExportField("Escalated", lambda escalation: escalation.escalated_at),
]


def _refusal(form: Any, exc: Exception) -> int:
    """Put a service's refusal on the form; the status the page answers with (htmx swaps only 200s)."""
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc))
        return 403
    assert isinstance(exc, ValidationError)
    for field, messages in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
    return 422


def _section(request: PageRequest, template: str, context: dict[str, Any], status: int, back: str) -> HttpResponse:
    """htmx redraws the section in place (always 200: htmx swaps nothing else); a plain post goes back to
    the page when it worked, or shows the section with its errors and the refusal's status."""
    if request.htmx:
        return render(request, f"decisions/partials/{template}", context)
    if status == 200:
        return redirect(back)
    return render(request, "decisions/decision_page.html", {**context, "section": template}, status=status)


def _decided_message(decision: Decision, told: int) -> str:
    planned_for = f" for {decision.release.name}" if decision.release is not None else ""
    people = f"{told} {'person was' if told == 1 else 'people were'} told" if told else "Nobody else to tell"
    return f"Recorded: {decision.get_outcome_display()}{planned_for}. {people}, with your rationale."


@require_POST
def feature_decide(request: PageRequest, pk: int) -> HttpResponse:
    """Decide on a feature. htmx redraws the decisions and, out of band, the feature's header and
    facts (its status and release move with the decision), and says who was told."""
    feature = feature_get(user=request.user, pk=pk)
    form: DecisionForm | None = DecisionForm(request.POST, product=feature.product)
    assert form is not None
    status, message = 200, ""
    if form.is_valid():
        try:
            decision = services.decision_record(actor=request.user, feature=feature, **form.cleaned_data)
        except (PermissionDenied, ValidationError) as exc:
            status = _refusal(form, exc)
        else:
            feature = feature_get(user=request.user, pk=pk)
            form, message = None, _decided_message(decision, decision.told)
    else:
        status = 422
    context = {
        **feature_decision_section(user=request.user, feature=feature, form=form),
        "message": message,
        "changed": bool(message),
        # What the header and facts redrawn out of band show besides the feature.
        "goals": list(feature.goals.all()) if message else [],
        "can_edit": has_permission(request.user, ProductPermission.EDIT_FEATURE),
        "can_estimate": has_permission(request.user, ProductPermission.ESTIMATE_EFFORT),
    }
    return _section(
        request,
        "_feature_decisions.html",
        context,
        status,
        reverse("product:feature_detail", kwargs={"pk": feature.pk}),
    )


def _ask(request: PageRequest, pk: int) -> Ask:
    """The ask, if visible, with what its page shows of it (as the ask page reads it)."""
    return get_object_or_404(ask_rows(user=request.user).select_related("feature__product"), pk=pk)


@require_POST
def ask_decide(request: PageRequest, pk: int) -> HttpResponse:
    """Decide (or rule) on an ask. htmx redraws the decision section and, out of band, the ask's
    status at the top of its page, and says who was told."""
    ask = _ask(request, pk)
    product = ask.feature.product if ask.feature is not None else None
    form: DecisionForm | None = DecisionForm(request.POST, product=product)
    status, message = 200, ""
    assert form is not None
    if form.is_valid():
        try:
            decision = services.decision_record(actor=request.user, ask=ask, **form.cleaned_data)
        except (PermissionDenied, ValidationError) as exc:
            status = _refusal(form, exc)
        else:
            ask, form, message = _ask(request, pk), None, _decided_message(decision, decision.told)
    else:
        status = 422
    context = {
        **ask_decision_section(user=request.user, ask=ask, form=form),
        "message": message,
        "changed": bool(message),
    }
    return _section(request, "_ask_decisions.html", context, status, reverse("asks:ask_detail", kwargs={"pk": ask.pk}))


@require_POST
def ask_escalate(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, DecisionsPermission.ESCALATE)
    ask = _ask(request, pk)
    form: EscalationForm | None = EscalationForm(request.POST)
    assert form is not None
    status = 200
    message = ""
    if form.is_valid():
        try:
            escalation = services.escalation_create(actor=request.user, ask=ask, **form.cleaned_data)
        except (PermissionDenied, ValidationError) as exc:
            status = _refusal(form, exc)
        else:
            form = None
            to, due = escalation.executive or "every executive", formats.date_short(escalation.due_date)
            message = f"Escalated to {to}, due {due}. They and the product's manager were told."
    else:
        status = 422
    context = {**ask_decision_section(user=request.user, ask=ask, escalation_form=form), "message": message}
    return _section(request, "_ask_decisions.html", context, status, reverse("asks:ask_detail", kwargs={"pk": ask.pk}))


@require_GET
def escalation_list(request: PageRequest) -> HttpResponseBase:
    """Escalations this user may see, soonest due first; filter open, overdue or ruled."""
    today = timezone.localdate()
    chosen = request.GET.get("status", "open")
    if chosen not in ESCALATION_FILTERS:
        chosen = ""
    escalations = escalation_filtered(
        escalation_visible(user=request.user).select_related("ask__account", "escalated_by", "executive", "ruling"),
        status=chosen or None,
        today=today,
    )
    if wants_export(request):
        return export_list(
            request,
            escalations,
            name="escalations",
            fields=ESCALATION_EXPORT,
            columns=ESCALATION_COLUMNS,
            default_sort="due",
        )
    page = list_page(request, escalations, columns=ESCALATION_COLUMNS, default_sort="due")
    context = {"page": page, "columns": ESCALATION_COLUMNS, "status": chosen, "today": today}
    template = "decisions/partials/_escalation_list.html" if request.htmx else "decisions/escalation_list.html"
    return render(request, template, context)


@require_GET
def decision_rights(request: PageRequest) -> HttpResponse:
    """Who decides what, for everyone to read; admins and executives change it here."""
    rights = decision_rights_all()
    can_edit = has_permission(request.user, DecisionsPermission.EDIT_RIGHTS)
    rows = [
        _right_row(kind, rights[kind], _right_form(rights[kind], kind.value) if can_edit else None)
        for kind in DecisionType
    ]
    return render(request, "decisions/decision_rights.html", {"rows": rows, "can_edit": can_edit})


def _right_row(kind: DecisionType, right: DecisionRight, form: DecisionRightForm | None) -> dict[str, Any]:
    return {
        "type": kind,
        "right": right,
        "deciding": right.roles("deciding_roles"),
        "consulted": right.roles("consulted_roles"),
        "informed": right.roles("informed_roles"),
        "form": form,
    }


def _right_form(right: DecisionRight, prefix: str, data: Any = None) -> DecisionRightForm:
    initial = {
        "deciding_roles": right.deciding_roles,
        "consulted_roles": right.consulted_roles,
        "informed_roles": right.informed_roles,
        "managers_own_products_only": right.managers_own_products_only,
    }
    return DecisionRightForm(data, initial=initial, prefix=prefix)


@require_POST
def decision_right_update(request: PageRequest, decision_type: str) -> HttpResponse:
    require(request.user, DecisionsPermission.EDIT_RIGHTS)
    if decision_type not in DecisionType.values:
        raise Http404
    rights = decision_rights_all()
    form = _right_form(rights[decision_type], prefix=decision_type, data=request.POST)
    status = 422
    if form.is_valid():
        try:
            services.decision_right_update(actor=request.user, decision_type=decision_type, **form.cleaned_data)
        except ValidationError as exc:
            _refusal(form, exc)
        else:
            return redirect("decisions:decision_rights")
    rows = [
        _right_row(kind, rights[kind], form if kind == decision_type else _right_form(rights[kind], kind.value))
        for kind in DecisionType
    ]
    return render(request, "decisions/decision_rights.html", {"rows": rows, "can_edit": True}, status=status)
