"""Pages of leads: the list, a lead with its edit and conversion forms, a new lead, the funnel.

Each view checks the permission, fetches through the lead rules, calls one service and renders.
The list returns only its `#list` region to htmx requests, from the same view.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.core import formats
from tandem.core.api import StaleVersion
from tandem.core.exports import ExportField, export_list, person, wants_export
from tandem.core.forms import bootstrap
from tandem.core.http import PageRequest
from tandem.core.listing import Column, active_filters, list_page, list_totals, wants_totals
from tandem.core.permissions import has_permission, require
from tandem.leads import services
from tandem.leads.filters import LeadFilter
from tandem.leads.forms import FunnelForm, LeadConvertForm, LeadForm
from tandem.leads.models import Lead
from tandem.leads.permissions import LeadsPermission
from tandem.leads.selectors import (
    FUNNEL_GROUPS,
    lead_account_matches,
    lead_changeable,
    lead_for_change,
    lead_get,
    lead_rows,
)
from tandem.leads.selectors import lead_funnel as lead_funnel_figures
from tandem.people.models import User
from tandem.sales.permissions import SalesPermission

P = LeadsPermission

LEAD_COLUMNS = [
    Column("name", "Lead", order=["last_name", "first_name"]),
    Column("company", "Company", order=["company"]),
    Column("source", "Source", order=["source"]),
    Column("status", "Status", order=["status"]),
    Column("owner", "Owner"),
    Column("created_at", "Created", order=["created_at"]),
]

LEAD_EXPORT = [
    ExportField("Lead id", lambda lead: lead.pk),
    ExportField("First name", lambda lead: lead.first_name),
    ExportField("Last name", lambda lead: lead.last_name),
    ExportField("Email", lambda lead: lead.email),
    ExportField("Phone", lambda lead: lead.phone),
    ExportField("Title", lambda lead: lead.title),
    ExportField("Company", lambda lead: lead.company),
    ExportField("Country", lambda lead: lead.country),
    ExportField("Region", lambda lead: lead.region),
    ExportField("Source", lambda lead: lead.get_source_display()),
    ExportField("Campaign", lambda lead: lead.campaign),
    ExportField("Status", lambda lead: lead.get_status_display()),
    ExportField("Owner", lambda lead: person(lead.owner)),
    ExportField("Need", lambda lead: lead.need),
    ExportField("Created", lambda lead: lead.created_at),
    ExportField("Qualified", lambda lead: lead.qualified_at),
    ExportField("Converted", lambda lead: lead.converted_at),
]


@require_GET
def lead_list(request: PageRequest) -> HttpResponseBase:
    require(request.user, P.VIEW_LEADS)
    filterset = LeadFilter(request.GET, queryset=lead_rows(user=request.user), request=request)
    bootstrap(filterset.form)
    if wants_totals(request):
        totals = list_totals(filterset.qs, noun="lead", sums={})
        return render(request, "core/partials/_list_totals.html", {"totals": totals})
    if wants_export(request):
        return export_list(
            request, filterset.qs, name="leads", fields=LEAD_EXPORT, columns=LEAD_COLUMNS, default_sort="-created_at"
        )
    page = list_page(request, filterset.qs, columns=LEAD_COLUMNS, default_sort="-created_at")
    context = {
        "page": page,
        "columns": LEAD_COLUMNS,
        "filter": filterset,
        "filtered": bool(active_filters(filterset)),
        "can_edit": has_permission(request.user, P.EDIT_LEADS),
    }
    template = "leads/partials/_lead_list.jinja" if request.htmx else "leads/lead_list.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def lead_create(request: PageRequest) -> HttpResponse:
    require(request.user, P.EDIT_LEADS)
    form = LeadForm(request.POST if request.method == "POST" else None, user=request.user)
    if form.is_valid():
        try:
            lead = services.lead_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            assigned = "" if lead.owner_id == request.user.pk else f" and assigned to {lead.owner}"
            messages.success(request, f"Lead “{lead.name}” of {lead.company} created{assigned}.")
            return redirect("leads:lead_detail", pk=lead.pk)
    return render(request, "leads/lead_form.html", {"form": form})


def _may_convert(user: User, lead: Lead, can_edit: bool) -> bool:
    return (
        can_edit
        and not lead.is_converted
        and lead.status != Lead.Status.DISQUALIFIED
        and has_permission(user, SalesPermission.EDIT_PIPELINE)
    )


def _detail(
    request: PageRequest, lead: Lead, convert_form: LeadConvertForm | None = None, status: int = 200
) -> HttpResponse:
    can_edit = lead_changeable(user=request.user).filter(pk=lead.pk).exists()
    may_convert = _may_convert(request.user, lead, can_edit)
    if may_convert and convert_form is None:
        matches = lead_account_matches(user=request.user, lead=lead)
        convert_form = LeadConvertForm(user=request.user, lead=lead, matches=matches)
    context = {
        "lead": lead,
        "can_edit": can_edit and not lead.is_converted,
        "convert_form": convert_form if may_convert else None,
    }
    return render(request, "leads/lead_detail.html", context, status=status)


@require_GET
def lead_detail(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.VIEW_LEADS)
    return _detail(request, lead_get(user=request.user, pk=pk))


@require_http_methods(["GET", "POST"])
def lead_update(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.EDIT_LEADS)
    lead = lead_for_change(user=request.user, pk=pk)
    if lead.is_converted:
        messages.info(request, services.CONVERTED_IS_HISTORY)
        return redirect("leads:lead_detail", pk=lead.pk)
    form = LeadForm(request.POST if request.method == "POST" else None, instance=lead, user=request.user)
    status = 200
    if form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data if name != "version"}
        try:
            lead = services.lead_update(
                actor=request.user, lead=lead, expected_version=form.cleaned_data["version"] or 0, data=data
            )
        except StaleVersion:
            form.add_error(None, services.STALE_LEAD)
            status = 409
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Lead “{lead.name}” saved.")
            return redirect("leads:lead_detail", pk=lead.pk)
    return render(request, "leads/lead_form.html", {"form": form, "lead": lead}, status=status)


@require_POST
def lead_convert(request: PageRequest, pk: int) -> HttpResponse:
    """Convert from the lead's page: on success to the new deal; otherwise the page again with the
    conversion form's errors (409 for a stale or already converted lead)."""
    require(request.user, P.EDIT_LEADS)
    require(request.user, SalesPermission.EDIT_PIPELINE)
    lead = lead_for_change(user=request.user, pk=pk)
    if lead.is_converted:
        messages.error(request, services.ALREADY_CONVERTED)
        return _detail(request, lead_get(user=request.user, pk=pk), status=409)
    matches = lead_account_matches(user=request.user, lead=lead)
    form = LeadConvertForm(request.POST, user=request.user, lead=lead, matches=matches)
    if form.is_valid():
        try:
            conversion = services.lead_convert(
                actor=request.user,
                lead=lead,
                expected_version=form.cleaned_data["version"],
                account=form.chosen_account(),
                deal_name=form.cleaned_data["deal_name"],
                stage=form.cleaned_data["stage"],
                amount=form.cleaned_data["amount"],
                close_date=form.cleaned_data["close_date"],
            )
        except StaleVersion as exc:
            messages.error(request, str(exc))
            return _detail(request, lead_get(user=request.user, pk=pk), status=409)
        except ValidationError as error:
            form.add_service_error(error, names={"name": "deal_name"})
        else:
            deal = conversion.opportunity
            messages.success(
                request,
                f"{lead.name} converted: deal “{deal.name}” on {conversion.account.name}, "
                f"with {lead.name} as its contact.",
            )
            return redirect("sales:opportunity_detail", pk=deal.pk)
    return _detail(request, lead, convert_form=form)


@require_GET
def lead_funnel(request: PageRequest) -> HttpResponse:
    """The funnel of the leads created in a period: counts per status and the rates from lead to
    qualified, to converted and to won, by source, campaign or rep, in a table and a chart."""
    require(request.user, P.VIEW_LEADS)
    form = FunnelForm(request.GET)
    period = form.period()
    rows, total = lead_funnel_figures(user=request.user, start=period["start"], end=period["end"], by=period["by"])
    chart = {
        "groups": [
            {
                "label": row.label,
                "leads": row.leads,
                "qualified": row.qualified,
                "converted": row.converted,
                "won": row.won,
                # Rates written by formats.percent, as the table writes them.
                "qualified_rate": formats.percent(row.qualified_rate),
                "converted_rate": formats.percent(row.converted_rate),
                "won_rate": formats.percent(row.won_rate),
            }
            for row in rows
        ],
    }
    context = {
        "form": form,
        "rows": rows,
        "total": total,
        "statuses": Lead.Status.choices,
        "by_label": FUNNEL_GROUPS[period["by"]],
        "chart": chart,
    }
    return render(request, "leads/lead_funnel.html", context)
