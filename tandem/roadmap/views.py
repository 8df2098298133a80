"""Pages of the roadmap: the timeline and the now / next / later board, the sales roadmap with its
customer-ready export, the public roadmap, team capacity, market research and product lifecycle."""

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages import success as flash_success
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.core.api import StaleVersion
from tandem.core.http import PageRequest
from tandem.core.money import workspace_get
from tandem.core.permissions import has_permission, require
from tandem.decisions.models import DecisionType
from tandem.decisions.rights import decision_right_for, releases_check
from tandem.product.permissions import ProductPermission
from tandem.product.selectors import feature_get, feature_seen_in_full
from tandem.roadmap import services
from tandem.roadmap.forms import (
    FeaturePlaceForm,
    LifecycleMoveForm,
    MarketResearchForm,
    RoadmapFilterForm,
    RoadmapSettingsForm,
    release_choice,
)
from tandem.roadmap.pdf import sales_roadmap_pdf
from tandem.roadmap.permissions import RoadmapPermission
from tandem.roadmap.selectors import (
    EXPORT_SHOWN,
    ROADMAP_SHOWN,
    Audience,
    RoadmapFilters,
    audience_for,
    board_columns,
    dependents_of,
    feature_for_roadmap,
    lifecycle_history,
    lifecycle_movable,
    market_competitor_evidence,
    market_research_for,
    product_get,
    roadmap_filter_choices,
    roadmap_items_shown,
    roadmap_releases_manageable,
    roadmap_settings_get,
    timeline_lanes,
)


def _filters(request: PageRequest) -> tuple[RoadmapFilterForm, RoadmapFilters]:
    form = RoadmapFilterForm(request.GET or None, choices=roadmap_filter_choices(user=request.user))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, RoadmapFilters(product=data["product"], goal=data["goal"], team=data["team"])
    return form, RoadmapFilters()


def _roadmap_context(request: PageRequest, view: str, **extra: Any) -> dict[str, Any]:
    audience = audience_for(request.user)
    form, filters = _filters(request)
    items, total = roadmap_items_shown(audience=audience, user=request.user, filters=filters)
    context: dict[str, Any] = {
        "filter_form": form,
        "audience": audience,
        "view": view,
        "query": request.GET.urlencode(),
        "count": len(items),
        "total": total,
        "can_plan": audience is Audience.INTERNAL and has_permission(request.user, ProductPermission.MANAGE_RELEASES),
        **extra,
    }
    # The features whose product's releases this person manages: those they may drag.
    products = {r.product_id for r in roadmap_releases_manageable(user=request.user)} if context["can_plan"] else set()
    context["movable_ids"] = {item.feature.pk for item in items if item.feature.product_id in products}
    if view == "timeline":
        context["lanes"] = timeline_lanes(user=request.user, items=items, audience=audience, filters=filters)
    else:
        context["columns"] = board_columns(items)
    return context


def _roadmap_render(request: PageRequest, view: str, status: int = 200, **extra: Any) -> HttpResponse:
    context = _roadmap_context(request, view, **extra)
    partial = request.htmx or request.method == "POST"
    template = f"roadmap/partials/_{view}.html" if partial else f"roadmap/{view}.html"
    return render(request, template, context, status=status)


@require_GET
def timeline(request: PageRequest) -> HttpResponse:
    """The roadmap by release, each release's effort against its team's capacity; sales reads it as
    the sales roadmap tells it (shareable items, quarters below committed)."""
    return _roadmap_render(request, "timeline")


@require_GET
def board(request: PageRequest) -> HttpResponse:
    """The roadmap as now / next / later."""
    return _roadmap_render(request, "board")


@require_POST
def feature_place(request: PageRequest, pk: int) -> HttpResponse:
    """A drop on the timeline (onto a release) or the board (into a column): who may manage the
    feature's releases places it; a stale version answers 409 with the roadmap as it now is."""
    feature = feature_for_roadmap(user=request.user, pk=pk)
    require(request.user, ProductPermission.MANAGE_RELEASES)
    releases_check(user=request.user, product=feature.product, planning_right=decision_right_for(DecisionType.PLANNED))
    view = "board" if request.GET.get("view") == "board" else "timeline"
    form = FeaturePlaceForm(request.POST)
    errors: list[Any] = []
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        changes: dict[str, Any] = {}
        try:
            if data["release"]:
                changes["release"] = release_choice(data["release"], feature)
            if "horizon" in request.POST:
                changes["horizon"] = data["horizon"]
            services.roadmap_feature_place(
                actor=request.user, feature=feature, expected_version=data["version"], **changes
            )
        except StaleVersion as exc:
            errors, status = [str(exc)], 409
        except ValidationError as exc:
            errors, status = exc.messages, 422
    else:
        errors, status = [m for messages in form.errors.values() for m in messages], 422
    return _roadmap_render(request, view, status=status, errors=errors)


def _sales_context(request: PageRequest, limit: int = ROADMAP_SHOWN) -> dict[str, Any]:
    form, filters = _filters(request)
    items, total = roadmap_items_shown(audience=Audience.SALES, filters=filters, limit=limit)
    return {
        "filter_form": form,
        "items": items,
        "total": total,
        "query": request.GET.urlencode(),
        "workspace": workspace_get(),
        "today": timezone.localdate(),
    }


@require_GET
def sales_roadmap(request: PageRequest) -> HttpResponse:
    """What sales may say: sales-shareable and public items only, each with the PM's talking points,
    dated by fiscal quarter unless committed. Product roles read it to check what sales reads."""
    context = _sales_context(request)
    template = "roadmap/partials/_sales_items.html" if request.htmx else "roadmap/sales_roadmap.html"
    return render(request, template, context)


@require_GET
def sales_roadmap_print(request: PageRequest) -> HttpResponse:
    """The customer-ready page: the sales roadmap without *don't say* and without the app around it."""
    return render(request, "roadmap/sales_roadmap_print.html", _sales_context(request, limit=EXPORT_SHOWN))


@require_GET
def sales_roadmap_export(request: PageRequest) -> HttpResponse:
    """The customer-ready PDF: what the printable page shows."""
    context = _sales_context(request, limit=EXPORT_SHOWN)
    body = sales_roadmap_pdf(items=context["items"], company=context["workspace"].name, today=context["today"])
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="roadmap-{context["today"].isoformat()}.pdf"'
    return response


@login_not_required
@require_GET
def public_roadmap(request: PageRequest) -> HttpResponse:
    """The public roadmap, without login: public items only, by quarter, while the admin has it on."""
    if not roadmap_settings_get().public_roadmap_enabled:
        # Off, it is not public: a visitor is asked to sign in, as on any page, and finds nothing there.
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404("The public roadmap is off.")
    items, total = roadmap_items_shown(audience=Audience.PUBLIC)
    return render(
        request,
        "roadmap/public_roadmap.html",
        {"columns": board_columns(items), "workspace": workspace_get(), "count": len(items), "total": total},
    )


@require_http_methods(["GET", "POST"])
def roadmap_settings(request: PageRequest) -> HttpResponse:
    """Admins switch the public roadmap page on or off."""
    require(request.user, RoadmapPermission.SET_PUBLIC_ROADMAP)
    current = roadmap_settings_get()
    # An unticked box posts nothing: bound on POST all the same, or switching it off would be ignored.
    form = RoadmapSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"public_roadmap_enabled": current.public_roadmap_enabled},
    )
    if request.method == "POST" and form.is_valid():
        services.roadmap_settings_update(actor=request.user, **form.cleaned_data)
        flash_success(request, "Roadmap settings saved.")
        return redirect("roadmap:settings")
    return render(request, "roadmap/settings.html", {"form": form, "settings": current})


@require_http_methods(["GET", "POST"])
def market_research(request: PageRequest, pk: int) -> HttpResponse:
    """An idea's market research beside its score (loaded into the feature page), edited by PMs."""
    feature = feature_get(user=request.user, pk=pk)
    if not feature_seen_in_full(user=request.user, feature=feature):
        raise Http404("No market research to show.")
    research = market_research_for(feature=feature)
    can_edit = has_permission(request.user, RoadmapPermission.EDIT_MARKET_RESEARCH)
    editing = request.method == "POST" or request.GET.get("edit") == "1"
    if editing:
        require(request.user, RoadmapPermission.EDIT_MARKET_RESEARCH)
    initial = {
        "target_segment": research.target_segment,
        "market_size": research.market_size,
        "revenue_potential": research.revenue_potential,
        "competitors": list(research.competitors.all()) if research.pk else [],
        "notes": research.notes,
        "version": research.version,
    }
    form = MarketResearchForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            research = services.market_research_set(
                actor=request.user, feature=feature, expected_version=version, **data
            )
        except StaleVersion as exc:
            form.add_error(None, str(exc))
            status = 409
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    form.add_error(name if name in form.fields else None, message)
            status = 422
        else:
            if not request.htmx:
                return redirect("product:feature_detail", pk=feature.pk)
            editing = False
    context = {
        "feature": feature,
        "research": research,
        "competitor_evidence": market_competitor_evidence(feature=feature),
        "evidence": getattr(feature, "evidence", None),
        "can_edit": can_edit,
        "editing": editing,
        "form": form,
    }
    template = "roadmap/partials/_market_research.html" if request.htmx else "roadmap/market_research.html"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def product_lifecycle(request: PageRequest, pk: int) -> HttpResponse:
    """A product's lifecycle: its history of moves with their reasons (loaded into the product page),
    and, for who may move it, the move with what depends on the product listed first."""
    product = product_get(user=request.user, pk=pk)
    movable = lifecycle_movable(user=request.user, product=product)
    if request.method == "POST":
        require(request.user, RoadmapPermission.MOVE_LIFECYCLE)
    form = LifecycleMoveForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            move = services.product_lifecycle_move(actor=request.user, product=product, **form.cleaned_data)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    form.add_error(name if name in form.fields else None, message)
            status = 422
        else:
            flash_success(request, f"{product.name} moved to {move.get_to_stage_display().lower()}.")
            return redirect("product:product_detail", pk=product.pk)
    context = {
        "product": product,
        "history": lifecycle_history(user=request.user, product=product),
        "movable": movable,
        "form": form,
        "dependents": dependents_of(user=request.user, product=product) if movable and not request.htmx else None,
    }
    template = "roadmap/partials/_lifecycle.html" if request.htmx else "roadmap/product_lifecycle.html"
    return render(request, template, context, status=status)


@require_GET
def feature_dependents(request: PageRequest, pk: int) -> HttpResponse:
    """Before declining a feature: the accounts and open deals that depend on it through their asks."""
    feature = feature_get(user=request.user, pk=pk)
    context = {"feature": feature, "dependents": dependents_of(user=request.user, feature=feature)}
    template = "roadmap/partials/_dependents.html" if request.htmx else "roadmap/feature_dependents.html"
    return render(request, template, context)
