"""What the audit trail records: each record type, the fields whose changes it keeps, how its
money reads, which fields are secret, how the record is named and where it can be opened.

A service that writes one of these records calls `tandem.audit.services.audit_record` in its
transaction; the Django admin does so through `tandem.audit.admin.AuditedAdmin`. A record type
missing here cannot be recorded (audit_record refuses it), so the trail never holds a change it
cannot show.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.urls import NoReverseMatch, reverse

# What a secret field's before and after read as: the trail says it changed, never its value.
HIDDEN = "hidden"
REPLACED = "replaced"


def _home_currency(record: Model) -> str:
    from tandem.core.money import workspace_get

    return workspace_get().home_currency


def _excerpt(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _decision_label(decision: Any) -> str:
    on = decision.feature.title if decision.feature_id else f"ask “{_excerpt(decision.ask.need)}”"
    return f"{decision.get_outcome_display()}: {on}"


def _escalation_label(escalation: Any) -> str:
    return f"Escalation of ask “{_excerpt(escalation.ask.need)}” ({escalation.ask.account.name})"


def _page(name: str) -> Callable[[Any], str]:
    return lambda record: reverse(name)


def _detail(name: str, attribute: str = "pk") -> Callable[[Any], str | None]:
    def link(record: Any) -> str | None:
        pk = getattr(record, attribute)
        return reverse(name, kwargs={"pk": pk}) if pk is not None else None

    return link


def _decision_link(decision: Any) -> str:
    if decision.feature_id is not None:
        return reverse("product:feature_detail", kwargs={"pk": decision.feature_id})
    return reverse("asks:ask_detail", kwargs={"pk": decision.ask_id})


@dataclass(frozen=True)
class RecordType:
    """One kind of record the trail follows."""

    noun: str
    fields: tuple[str, ...]
    # Money fields: the currency the amount was in, read from the record when the entry is written.
    money: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)
    secret: frozenset[str] = frozenset()
    # Labels of fields that are not model fields (two-factor sign-in) or whose name reads badly.
    labels: Mapping[str, str] = field(default_factory=dict)
    percent: frozenset[str] = frozenset()
    label: Callable[[Any], str] = str
    # Where the record is opened in Tandem, from the live record; None: only in the admin (admins).
    link: Callable[[Any], str | None] | None = None
    # The related rows `label` and `link` read, fetched with the page's records in one query.
    related: tuple[str, ...] = ()


RECORD_TYPES: dict[str, RecordType] = {
    "sales.opportunity": RecordType(
        noun="deal",
        fields=(
            "owner",
            "amount",
            "currency",
            "stage",
            "probability",
            "forecast_category",
            "close_date",
            "loss_reason",
        ),
        money={"amount": lambda deal: deal.currency},
        percent=frozenset({"probability"}),
        labels={"forecast_category": "Forecast category"},
        link=_detail("sales:opportunity_detail"),
    ),
    "sales.quota": RecordType(
        noun="quota",
        fields=("user", "team", "fiscal_year", "fiscal_quarter", "amount"),
        money={"amount": _home_currency},
        labels={"user": "Rep"},
        link=_page("sales:quota_list"),
        related=("user", "team"),
    ),
    "forecasting.forecastcall": RecordType(
        noun="forecast call",
        fields=("rep", "fiscal_year", "fiscal_quarter", "commit", "best_case", "note"),
        money={"commit": _home_currency, "best_case": _home_currency},
        labels={"rep": "Rep", "best_case": "Best case"},
        label=lambda call: f"Call of {call.rep} for FY{call.fiscal_year} Q{call.fiscal_quarter}",
        link=_page("forecasting:forecast"),
        related=("rep",),
    ),
    "coaching.coachingnote": RecordType(
        noun="coaching note",
        fields=("rep", "noted_on", "text"),
        labels={"rep": "Rep", "noted_on": "Noted on"},
        label=lambda note: f"Coaching note on {note.rep} of {note.noted_on.isoformat()}",
        link=lambda note: reverse("coaching:rep_coaching", kwargs={"rep_id": note.rep_id}),
        related=("rep",),
    ),
    "coaching.review": RecordType(
        noun="review",
        fields=("rep", "period_label", "summary", "goals", "status", "rep_comment"),
        labels={"rep": "Rep", "period_label": "Period", "rep_comment": "Rep's comment"},
        label=lambda review: f"Review of {review.rep} for {review.period_label}",
        link=_detail("coaching:review_detail"),
        related=("rep",),
    ),
    "forecasting.forecastoverride": RecordType(
        noun="forecast override",
        fields=("rep", "fiscal_year", "fiscal_quarter", "commit", "best_case", "note", "set_by"),
        money={"commit": _home_currency, "best_case": _home_currency},
        labels={"rep": "Rep", "best_case": "Best case", "set_by": "Set by"},
        label=lambda override: (
            f"Override of {override.rep}'s call for FY{override.fiscal_year} Q{override.fiscal_quarter}"
        ),
        link=_page("forecasting:forecast"),
        related=("rep",),
    ),
    "sales.stage": RecordType(
        noun="stage",
        fields=("name", "order", "default_probability", "forecast_category", "is_won", "is_lost"),
        percent=frozenset({"default_probability"}),
    ),
    "core.exchangerate": RecordType(
        noun="exchange rate",
        fields=("currency", "valid_from", "rate_to_home"),
        label=lambda rate: f"{rate.currency} from {rate.valid_from.isoformat()}",
    ),
    "core.workspace": RecordType(
        noun="workspace settings",
        fields=("name", "home_currency", "fiscal_year_start_month", "stale_after_days"),
        label=lambda workspace: "Workspace settings",
    ),
    "asks.decision": RecordType(
        noun="decision",
        fields=("feature", "ask", "outcome", "release", "rationale"),
        label=_decision_label,
        link=_decision_link,
        related=("feature", "ask"),
    ),
    "decisions.escalation": RecordType(
        noun="escalation",
        fields=("ask", "reason", "due_date", "executive", "status", "ruling"),
        label=_escalation_label,
        link=_detail("asks:ask_detail", "ask_id"),
        related=("ask__account",),
    ),
    "decisions.decisionright": RecordType(
        noun="decision right",
        fields=("deciding_roles", "consulted_roles", "informed_roles", "managers_own_products_only"),
        label=lambda right: f"Who decides: {right}",
        link=_page("decisions:decision_rights"),
    ),
    "commitments.commitment": RecordType(
        noun="commitment",
        fields=("opportunity", "feature", "due_date", "status", "reason", "withdrawal_reason"),
        labels={"opportunity": "Deal", "due_date": "Promised by", "withdrawal_reason": "Why withdrawn"},
        label=lambda commitment: f"Commitment of {commitment.feature.title} to {commitment.account.name}",
        link=_detail("commitments:commitment_detail"),
        related=("feature", "account"),
    ),
    # A launch's plan, tasks and metrics, shown on the launch's page (`launch_history`).
    "launches.launchplan": RecordType(
        noun="launch plan",
        fields=("release", "positioning"),
        label=lambda plan: f"Launch of {plan.release}",
        link=_detail("launches:launch_detail"),
        related=("release__product",),
    ),
    "launches.checklistitem": RecordType(
        noun="launch task",
        fields=("area", "title", "owner", "due_date", "done_at"),
        labels={"due_date": "Due", "done_at": "Done"},
        label=lambda item: f"{item.title} (launch of {item.plan.release})",
        link=_detail("launches:launch_detail", "plan_id"),
        related=("plan__release__product",),
    ),
    "launches.successmetric": RecordType(
        noun="success metric",
        fields=("kind", "competitor", "target", "actual_30", "actual_90"),
        labels={"kind": "Metric", "actual_30": "At 30 days", "actual_90": "At 90 days"},
        label=lambda metric: f"{metric.get_kind_display()} (launch of {metric.plan.release})",
        link=_detail("launches:launch_detail", "plan_id"),
        related=("plan__release__product",),
    ),
    "launches.digestsettings": RecordType(
        noun="digest settings",
        fields=("period",),
        label=lambda settings: "Product digest settings",
        link=_page("launches:digest"),
    ),
    "product.goal": RecordType(
        noun="goal",
        fields=("name", "weight", "is_active"),
        link=_detail("product:goal_update"),
    ),
    "product.scoringsettings": RecordType(
        noun="scoring weights",
        fields=(
            "formula",
            "weight_revenue",
            "weight_reach",
            "weight_fit",
            "weight_urgency",
            "default_effort",
            "single_deal_share",
        ),
        label=lambda settings: "Scoring weights",
        link=_page("product:scoring_settings"),
    ),
    "product.product": RecordType(
        noun="product",
        fields=("name", "lifecycle_stage", "manager", "team"),
        labels={"lifecycle_stage": "Lifecycle stage"},
        link=_detail("product:product_detail"),
    ),
    "roadmap.marketresearch": RecordType(
        noun="market research",
        fields=("target_segment", "market_size", "revenue_potential", "competitors", "notes"),
        money={"market_size": _home_currency, "revenue_potential": _home_currency},
        link=_detail("product:feature_detail", "feature_id"),
        related=("feature",),
    ),
    "roadmap.roadmapsettings": RecordType(
        noun="roadmap settings",
        fields=("public_roadmap_enabled",),
        label=lambda settings: "Roadmap settings",
        link=_page("roadmap:settings"),
    ),
    "people.user": RecordType(
        noun="person",
        fields=(
            "username",
            "email",
            "first_name",
            "last_name",
            "role",
            "team",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
            "password",
        ),
        secret=frozenset({"password"}),
        labels={"is_active": "Active", "is_staff": "Staff (admin site)", "is_superuser": "Superuser"},
        label=lambda user: f"{user} ({user.username})",
    ),
    "people.team": RecordType(noun="team", fields=("name", "kind", "manager", "territory")),
    "people.territory": RecordType(
        noun="territory",
        fields=("name", "region", "potential", "rule_region", "rule_segment", "rule_industry"),
        money={"potential": _home_currency},
        link=_detail("targets:territory_detail"),
    ),
    "targets.salestarget": RecordType(
        noun="sales target",
        fields=("fiscal_year", "amount", "method"),
        money={"amount": _home_currency},
        link=lambda target: reverse("targets:target_detail") + f"?year={target.fiscal_year}",
    ),
    # Who is told what, and where: the secret never enters the trail.
    "webhooks.subscription": RecordType(
        noun="webhook",
        fields=("name", "url", "events", "slack_format", "is_active"),
        link=_detail("webhooks:subscription_detail"),
    ),
    "planning.teamcapacity": RecordType(
        noun="team capacity",
        fields=("team", "fiscal_year", "fiscal_quarter", "person_weeks"),
        labels={"person_weeks": "Person-weeks"},
        link=_page("planning:planning"),
        related=("team",),
    ),
    "planning.quarterplan": RecordType(
        noun="quarter plan",
        fields=("fiscal_year", "fiscal_quarter", "blend", "revenue", "strategic", "note"),
        money={"revenue": _home_currency},
        labels={"blend": "Blend (λ)", "strategic": "Strategic value"},
        link=_page("planning:planning"),
    ),
    "competition.competitor": RecordType(
        noun="competitor",
        fields=("name", "website", "positioning", "pricing"),
        link=_detail("competition:competitor_detail"),
    ),
    "people.apitoken": RecordType(
        noun="API token",
        fields=("user", "name", "prefix", "scope", "expires_at", "revoked_at"),
        label=lambda token: f"{token.name} ({token.prefix}…) of {token.user}",
        related=("user",),
    ),
}

# Fields that are no model field: what the services record about them.
EXTRA_LABELS = {"two_factor": "Two-factor sign-in", "failed_sign_ins": "Records of failed sign-ins"}


def record_type_of(record: Model) -> tuple[str, RecordType]:
    label = record._meta.label_lower
    try:
        return label, RECORD_TYPES[label]
    except KeyError:
        raise LookupError(f"{label} is not followed by the audit trail: add it to RECORD_TYPES") from None


def noun_heading(noun: str) -> str:
    """ "API token", "Deal": the first letter up, the rest as written."""
    return noun[:1].upper() + noun[1:]


def record_type_choices() -> list[tuple[str, str]]:
    return sorted(((label, noun_heading(kind.noun)) for label, kind in RECORD_TYPES.items()), key=lambda c: c[1])


def admin_link(record_type: str, pk: int) -> str | None:
    """The record's change page in the Django admin, when the admin has one."""
    app_label, model_name = record_type.split(".")
    try:
        return reverse(f"admin:{app_label}_{model_name}_change", args=[pk])
    except NoReverseMatch:
        return None


def admin_has(model: type[Model]) -> bool:
    return admin.site.is_registered(model)
