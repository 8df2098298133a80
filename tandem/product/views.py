"""Pages of the product domain: features with their evidence, the roadmap and products."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.messages import info as flash_info
from django.contrib.messages import success as flash_success
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tandem.asks.evidence import score_inputs
from tandem.asks.models import Ask, FeatureEvidence
from tandem.asks.selectors import ask_rows, decision_visible
from tandem.core import formats
from tandem.core.api import StaleVersion
from tandem.core.exports import ExportField, export_list, person, wants_export
from tandem.core.http import PageRequest
from tandem.core.listing import Column, active_filters, list_page, list_totals, wants_totals
from tandem.core.permissions import has_permission, require
from tandem.core.roles import SALES_ROLES
from tandem.decisions.models import DecisionType
from tandem.decisions.rights import decision_right_for, may_manage_releases, release_products, releases_check
from tandem.people.models import User
from tandem.product import services
from tandem.product.filters import FeatureFilter
from tandem.product.forms import EffortForm, FeatureDeleteForm, FeatureForm, GoalForm, ReleaseForm, ScoringSettingsForm
from tandem.product.models import Feature, Release, ScoringSettings
from tandem.product.permissions import ProductPermission
from tandem.product.scoring import score_breakdown
from tandem.product.selectors import (
    SHAREABLE,
    feature_ask_trend,
    feature_get,
    feature_seen_in_full,
    feature_visible,
    feature_visible_in_full,
    feature_with_evidence,
    goal_visible,
    product_visible,
    release_dates_shared,
    release_visible,
    scoring_settings_get,
    with_recent_asks,
)
from tandem.roadmap.selectors import audience_for, talking_points_for
from tandem.sales.selectors import opportunity_seen_by


def feature_columns(formula: str) -> list[Column]:
    """The feature table; "score" sorts by the formula the executive chose (default or RICE)."""
    score = "evidence__rice_score" if formula == ScoringSettings.Formula.RICE else "evidence__score"
    return [
        Column("title", "Feature", order=["title"]),
        Column("product", "Product"),
        Column("status", "Status"),
        Column("confidence", "Confidence"),
        Column("effort", "Effort", order=["effort"], numeric=True),
        Column("score", "RICE" if formula == ScoringSettings.Formula.RICE else "Score", order=[score], numeric=True),
        Column("open_pipeline", "Revenue at stake", order=["evidence__open_pipeline"], numeric=True),
        Column("weighted_pipeline", "Weighted", order=["evidence__weighted_pipeline"], numeric=True),
        Column("accounts", "Accounts", order=["evidence__accounts_count"], numeric=True),
        Column("asks", "Asks", order=["evidence__asks_count"], numeric=True),
        Column("recent_asks", "Asks, 90 days", numeric=True),
        Column("created", "Created", order=["created_at"]),
    ]


def feature_export(formula: str) -> list[ExportField]:
    """The feature list's columns in an export: the figures the table shows, with the score the
    executive's formula gives (default or RICE)."""
    rice = formula == ScoringSettings.Formula.RICE
    return [
        ExportField("Feature id", lambda feature: feature.pk),
        ExportField("Feature", lambda feature: feature.title),
        ExportField("Product", lambda feature: feature.product.name),
        ExportField("Release", lambda feature: feature.release.name if feature.release else ""),
        ExportField("Status", lambda feature: feature.get_status_display()),
        ExportField("Confidence", lambda feature: feature.get_confidence_display()),
        ExportField("Effort (weeks)", lambda feature: feature.effort),
        ExportField(
            "RICE" if rice else "Score",
            lambda feature: feature.evidence.rice_score if rice else feature.evidence.score,
        ),
        ExportField("Revenue at stake (home currency)", lambda feature: feature.evidence.open_pipeline),
        ExportField("Weighted (home currency)", lambda feature: feature.evidence.weighted_pipeline),
        ExportField("Accounts", lambda feature: feature.evidence.accounts_count),
        ExportField("Asks", lambda feature: feature.evidence.asks_count),
        ExportField("Asks, 90 days", lambda feature: feature.recent_asks),
        ExportField("Created", lambda feature: feature.created_at),
    ]


PRODUCT_EXPORT = [
    ExportField("Product id", lambda product: product.pk),
    ExportField("Product", lambda product: product.name),
    ExportField("Lifecycle stage", lambda product: product.get_lifecycle_stage_display()),
    ExportField("Product manager", lambda product: person(product.manager)),
    ExportField("Features", lambda product: product.features_count),
    ExportField("On the roadmap", lambda product: product.roadmap_count),
]

PRODUCT_COLUMNS = [
    Column("name", "Product", order=["name"]),
    Column("lifecycle", "Lifecycle stage", order=["lifecycle_stage"]),
    Column("features", "Features", order=["features_count"], numeric=True),
    Column("roadmap", "On the roadmap", order=["roadmap_count"], numeric=True),
]

# How far back the roadmap shows shipped releases.
SHIPPED_WINDOW = datetime.timedelta(days=180)
SHIPPED_SHOWN = 10
LINKED_ASKS_SHOWN = 50


@require_GET
def feature_list(request: PageRequest) -> HttpResponseBase:
    """Features by score; sorted on the evidence row's indexed columns, never by aggregating asks.

    The page's rows get their 90-day ask count in the same query (`with_recent_asks`).
    """
    scoring = scoring_settings_get()
    columns = feature_columns(scoring.formula)
    features = with_recent_asks(feature_with_evidence(user=request.user).select_related("release"))
    filters = request.GET.copy()
    # People open the list to choose what to build next: open features, unless they pick a status
    # ("Any status" sends it empty).
    filters.setdefault("status", "open")
    filterset = FeatureFilter(filters, queryset=features, request=request)
    if wants_totals(request):
        totals = list_totals(filterset.qs, noun="feature", sums={})
        return render(request, "core/partials/_list_totals.html", {"totals": totals})
    if wants_export(request):
        return export_list(
            request,
            filterset.qs,
            name="features",
            fields=feature_export(scoring.formula),
            columns=columns,
            default_sort="-score",
        )
    page = list_page(request, filterset.qs, columns=columns, default_sort="-score")
    rows = [
        FeatureRow(
            feature=feature,
            score=feature.evidence.rice_score
            if scoring.formula == ScoringSettings.Formula.RICE
            else feature.evidence.score,
            recent_asks=feature.recent_asks,
            single_deal=feature.evidence.is_single_deal(scoring.single_deal_share),
        )
        for feature in page.rows
    ]
    context = {
        "page": page,
        "rows": rows,
        "columns": columns,
        "scoring": scoring,
        "filter": filterset,
        "filtered": any(key != "status" or "status" in request.GET for key in active_filters(filterset)),
        "can_create": has_permission(request.user, ProductPermission.EDIT_FEATURE),
    }
    template = "product/partials/_feature_list.jinja" if request.htmx else "product/feature_list.html"
    return render(request, template, context)


@dataclass(frozen=True)
class FeatureRow:
    feature: Feature
    score: Decimal
    recent_asks: int
    single_deal: bool


@require_GET
def feature_detail(request: PageRequest, pk: int) -> HttpResponse:
    """A feature with its evidence and score: everyone who sees the feature in full sees the totals,
    the trend and the breakdown, but only the asks they may see. Sales reaching an internal feature
    through its customers' asks gets its sales view instead (`feature_seen_in_full`)."""
    feature = feature_get(user=request.user, pk=pk)
    asks = list(ask_rows(user=request.user).filter(feature=feature).order_by("-created_at", "-id")[:LINKED_ASKS_SHOWN])
    if not feature_seen_in_full(user=request.user, feature=feature):
        return render(request, "product/feature_sales.html", feature_sales_context(request.user, feature, asks))
    # Every feature has its evidence row from creation; an unsaved empty one stands in if not.
    evidence = getattr(feature, "evidence", None) or FeatureEvidence(feature=feature)
    scoring = scoring_settings_get()
    trend = feature_ask_trend(feature=feature)
    context = {
        "feature": feature,
        "evidence": evidence,
        "scoring": scoring,
        "breakdown": score_breakdown(
            score_inputs(evidence, effort=feature.effort, confidence=feature.confidence), scoring.weights
        ),
        "single_deal": evidence.is_single_deal(scoring.single_deal_share),
        "trend": {"weeks": [week.starts.isoformat() for week in trend], "asks": [week.asks for week in trend]},
        "trend_total": sum(week.asks for week in trend),
        "goals": list(feature.goals.all()),
        "asks": asks,
        "reengage": deals_to_reengage(request.user, feature, asks),
        "hidden_asks": max(0, evidence.asks_count - len(asks)),
        "can_edit": has_permission(request.user, ProductPermission.EDIT_FEATURE),
        "can_estimate": has_permission(request.user, ProductPermission.ESTIMATE_EFFORT),
        **_talking_points(request.user, feature),
    }
    return render(request, "product/feature_detail.html", context)


def _talking_points(user: User, feature: Feature) -> dict[str, str]:
    say, dont_say = talking_points_for(feature, audience=audience_for(user))
    return {"say": say, "dont_say": dont_say}


def feature_sales_context(user: User, feature: Feature, asks: list[Ask]) -> dict[str, Any]:
    """The sales view of a feature: where it stands, what sales may say, product's last word on it,
    and the customers' asks the reader follows (with the open deals to re-engage once shipped)."""
    decisions = decision_visible(user=user).filter(feature=feature).select_related("decided_by", "release")
    return {
        "feature": feature,
        "latest": decisions.order_by("-decided_at", "-id").first(),
        "asks": asks,
        "reengage": deals_to_reengage(user, feature, asks),
        **_talking_points(user, feature),
    }


def deals_to_reengage(user: User, feature: Feature, asks: list[Ask]) -> list[Ask]:
    """Once the feature shipped: the open deals among these asks that the reader sees, to go back to."""
    if feature.status != Feature.Status.SHIPPED:
        return []
    seen: dict[int, Ask] = {}
    for ask in asks:
        deal = ask.opportunity
        if deal is not None and deal.closed_at is None and opportunity_seen_by(user=user, owner_id=deal.owner_id):
            seen.setdefault(deal.pk, ask)
    return list(seen.values())


@require_http_methods(["GET", "POST"])
def feature_create(request: PageRequest) -> HttpResponse:
    require(request.user, ProductPermission.EDIT_FEATURE)
    form = FeatureForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        feature, _ = _written(form, lambda: services.feature_create(actor=request.user, **data))
        if feature:
            return redirect("product:feature_detail", pk=feature.pk)
    return render(request, "product/feature_form.html", {"form": form, "feature": None})


@require_http_methods(["GET", "POST"])
def feature_update(request: PageRequest, pk: int) -> HttpResponse:
    """Product managers edit the whole feature; engineering leads get the effort field alone."""
    feature = feature_get(user=request.user, pk=pk)
    full = has_permission(request.user, ProductPermission.EDIT_FEATURE)
    if not full:
        require(request.user, ProductPermission.ESTIMATE_EFFORT)
    form: FeatureForm | EffortForm
    if full:
        initial = FeatureForm.initial_for(feature)
        form = FeatureForm(request.POST or None, user=request.user, editing=True, initial=initial)
    else:
        form = EffortForm(request.POST or None, initial={"effort": feature.effort, "version": feature.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        version = changes.pop("version")
        changed, status = _written(
            form,
            lambda: services.feature_change(actor=request.user, feature=feature, expected_version=version, **changes),
        )
        if changed:
            return redirect("product:feature_detail", pk=feature.pk)
    return render(request, "product/feature_form.html", {"form": form, "feature": feature}, status=status)


@require_http_methods(["GET", "POST"])
def feature_delete(request: PageRequest, pk: int) -> HttpResponse:
    feature = feature_get(user=request.user, pk=pk)
    require(request.user, ProductPermission.EDIT_FEATURE)
    form = FeatureDeleteForm(request.POST or None, initial={"version": feature.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.feature_delete(actor=request.user, feature=feature, expected_version=form.cleaned_data["version"])
        except StaleVersion as exc:
            form.add_error(None, str(exc))
            status = 409
        else:
            return redirect("product:feature_list")
    return render(request, "product/feature_confirm_delete.html", {"form": form, "feature": feature}, status=status)


@require_GET
def roadmap(request: PageRequest) -> HttpResponse:
    """Planned releases by target date, then recently shipped ones, each with the features this user may see."""
    listed = feature_visible(user=request.user)
    if request.user.role in SALES_ROLES:
        # A release names its date: sales reads under it only what the sales roadmap commits to it
        # (committed and shareable) and what shipped; the rest it reads by quarter on the sales roadmap.
        listed = listed.filter(
            Q(release__status=Release.Status.SHIPPED)
            | Q(confidence=Feature.Confidence.COMMITTED, visibility__in=SHAREABLE)
        )
    features = Prefetch(
        "features", queryset=listed.select_related("evidence").order_by("title", "pk"), to_attr="roadmap_features"
    )
    releases = release_visible(user=request.user).select_related("product").prefetch_related(features)
    planned = list(releases.filter(status=Release.Status.PLANNED).order_by("target_date", "name", "pk"))
    shipped = list(
        releases.filter(status=Release.Status.SHIPPED, shipped_at__gte=timezone.now() - SHIPPED_WINDOW).order_by(
            "-shipped_at", "pk"
        )[:SHIPPED_SHOWN]
    )
    # Edit and ship show only to who may manage that release: the services refuse everyone else.
    manageable: set[int] = set()
    can_plan = has_permission(request.user, ProductPermission.MANAGE_RELEASES)
    if can_plan:
        planning = decision_right_for(DecisionType.PLANNED)
        manageable = {release.pk for release in planned if may_manage_releases(request.user, release.product, planning)}
    context = {
        "planned": planned,
        "shipped": shipped,
        "manageable": manageable,
        "can_plan": can_plan,
        "shared": release_dates_shared(user=request.user, releases=planned),
    }
    return render(request, "product/roadmap.html", context)


def _managed_release(request: PageRequest, pk: int) -> Release:
    """A release this person may manage (plan, change, ship): 404 if they cannot see it, 403 naming
    who may if they may not manage it."""
    require(request.user, ProductPermission.MANAGE_RELEASES)
    release = get_object_or_404(release_visible(user=request.user).select_related("product__manager"), pk=pk)
    releases_check(user=request.user, product=release.product, planning_right=decision_right_for(DecisionType.PLANNED))
    return release


@require_http_methods(["GET", "POST"])
def release_create(request: PageRequest) -> HttpResponse:
    """Plan a release: of the products whose releases this person manages."""
    require(request.user, ProductPermission.MANAGE_RELEASES)
    products = release_products(
        request.user, product_visible(user=request.user), decision_right_for(DecisionType.PLANNED)
    )
    form = ReleaseForm(request.POST or None, products=products)
    if request.method == "POST" and form.is_valid():
        release, _ = _written(form, lambda: services.release_create(actor=request.user, **form.cleaned_data))
        if release:
            flash_success(request, f"{release} is planned for {formats.date_short(release.target_date)}.")
            return redirect("product:roadmap")
    return render(request, "product/release_form.html", {"form": form, "release": None})


@require_http_methods(["GET", "POST"])
def release_update(request: PageRequest, pk: int) -> HttpResponse:
    """Rename or re-date a planned release, as of the version the editor opened."""
    release = _managed_release(request, pk)
    if release.status == Release.Status.SHIPPED:
        flash_info(request, f"{release} shipped on {formats.date_short(release.shipped_at)}; it stays as it shipped.")
        return redirect("product:roadmap")
    initial = {"name": release.name, "target_date": release.target_date, "version": release.version}
    form = ReleaseForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved, status = _written(
            form,
            lambda: services.release_update(
                actor=request.user,
                release=release,
                expected_version=data["version"] or 0,
                name=data["name"],
                target_date=data["target_date"],
            ),
        )
        if saved:
            flash_success(request, f"{saved} saved.")
            return redirect("product:roadmap")
    return render(request, "product/release_form.html", {"form": form, "release": release}, status=status)


@require_GET
def product_list(request: PageRequest) -> HttpResponseBase:
    """Products with their lifecycle stage and how many of their features this user sees (counted in the query)."""
    visible = Q(features__in=feature_visible(user=request.user))
    roadmap_statuses = [Feature.Status.PLANNED, Feature.Status.IN_PROGRESS]
    products = product_visible(user=request.user).annotate(
        features_count=Count("features", filter=visible),
        roadmap_count=Count("features", filter=visible & Q(features__status__in=roadmap_statuses)),
    )
    if wants_export(request):
        return export_list(
            request,
            products.select_related("manager"),
            name="products",
            fields=PRODUCT_EXPORT,
            columns=PRODUCT_COLUMNS,
            default_sort="name",
        )
    page = list_page(request, products, columns=PRODUCT_COLUMNS, default_sort="name")
    context = {"page": page, "columns": PRODUCT_COLUMNS}
    template = "product/partials/_product_list.html" if request.htmx else "product/product_list.html"
    return render(request, template, context)


@require_GET
def product_detail(request: PageRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(product_visible(user=request.user).select_related("manager"), pk=pk)
    # Ranked by revenue at stake, so only those the reader weighs by their evidence (`feature_visible_in_full`).
    features = (
        feature_visible_in_full(user=request.user)
        .filter(product=product)
        .select_related("release", "evidence")
        .order_by("-evidence__open_pipeline", "-pk")[:LINKED_ASKS_SHOWN]
    )
    releases = list(release_visible(user=request.user).filter(product=product).order_by("-target_date", "-pk"))
    context = {
        "product": product,
        "features": list(features),
        "releases": releases,
        "shared": release_dates_shared(user=request.user, releases=releases),
    }
    return render(request, "product/product_detail.html", context)


@require_http_methods(["GET", "POST"])
def scoring_settings(request: PageRequest) -> HttpResponse:
    """The scoring weights: everyone may read them (every score shows its breakdown); executives and
    admins change them, which rescores every feature in the background."""
    scoring = scoring_settings_get()
    if request.htmx and "status" in request.GET:
        return scores_status(request, scoring)
    editable = has_permission(request.user, ProductPermission.SET_SCORING)
    if request.method == "POST":
        require(request.user, ProductPermission.SET_SCORING)
    form = ScoringSettingsForm(
        request.POST or None, initial=ScoringSettingsForm.initial_for(scoring), editable=editable
    )
    if request.method == "POST" and form.is_valid():
        saved, _ = _written(form, lambda: services.scoring_settings_update(actor=request.user, **form.cleaned_data))
        if saved:
            return redirect("product:scoring_settings")
    context = {
        "form": form,
        "scoring": scoring,
        "editable": editable,
        "goals": list(goal_visible(user=request.user).order_by("-is_active", "-weight", "name")),
        "can_set_goals": has_permission(request.user, ProductPermission.SET_GOALS),
    }
    return render(request, "product/scoring_settings.html", context)


def scores_status(request: PageRequest, scoring: ScoringSettings) -> HttpResponse:
    """Whether the scores are current, polled by the feature list and this page while a rescore runs
    (`?status`): once it is done, the list reloads itself with the new order. A rescore whose task
    was lost is queued again (`feature_scores_recompute_resume`)."""
    was_running = request.GET.get("status") == "running"
    if scoring.recompute_running:
        services.feature_scores_recompute_resume()
    response = render(request, "product/partials/_scores_status.html", {"scoring": scoring, "was_running": was_running})
    if was_running and not scoring.recompute_running:
        response["HX-Trigger"] = "scores-changed"
    return response


@require_http_methods(["GET", "POST"])
def goal_create(request: PageRequest) -> HttpResponse:
    require(request.user, ProductPermission.SET_GOALS)
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != "version"}
        goal, _ = _written(form, lambda: services.goal_create(actor=request.user, **data))
        if goal:
            flash_success(request, f"Goal “{goal}” set.")
            return redirect("product:scoring_settings")
    return render(request, "product/goal_form.html", {"form": form, "goal": None})


@require_http_methods(["GET", "POST"])
def goal_update(request: PageRequest, pk: int) -> HttpResponse:
    """Change a goal as of the version the editor opened; a new weight or activity rescores its features."""
    require(request.user, ProductPermission.SET_GOALS)
    goal = get_object_or_404(goal_visible(user=request.user), pk=pk)
    initial = {name: getattr(goal, name) for name in ("name", "description", "weight", "is_active", "version")}
    form = GoalForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version") or 0
        saved, status = _written(
            form, lambda: services.goal_update(actor=request.user, goal=goal, expected_version=version, **data)
        )
        if saved:
            flash_success(request, f"Goal “{saved}” saved.")
            return redirect("product:scoring_settings")
    return render(request, "product/goal_form.html", {"form": form, "goal": goal}, status=status)


T = TypeVar("T")


def _written(form: Any, write: Callable[[], T]) -> tuple[T | None, int]:
    """Run a service's write for a valid form: what it wrote and 200, or None when it refused, with its
    reasons on the form and 409 for a stale version."""
    try:
        return write(), 200
    except StaleVersion as exc:
        form.add_error(None, str(exc))
        return None, 409
    except ValidationError as exc:
        _add_errors(form, exc)
        return None, 200


def _add_errors(form: Any, exc: ValidationError) -> None:
    """Show a service's refusal on the form: on its field when the form has one, else above the form."""
    for field, messages in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


@require_http_methods(["GET", "POST"])
def release_ship(request: PageRequest, pk: int) -> HttpResponse:
    """Confirm, then mark a release shipped: its features ship and the reps whose customers asked are told."""
    release = _managed_release(request, pk)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.release_ship(actor=request.user, release=release)
        except ValidationError as exc:
            errors = exc.messages
        else:
            flash_success(request, f"{release} is shipped. The reps whose customers asked have been told.")
            return redirect("product:roadmap")
    features = list(feature_visible(user=request.user).filter(release=release).order_by("title", "pk"))
    context = {"release": release, "features": features, "errors": errors}
    return render(request, "product/release_ship.html", context, status=422 if errors else 200)
