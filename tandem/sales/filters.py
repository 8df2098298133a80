"""The filters of the account and deal lists, shared by the pages and the API."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse_lazy
from django.utils import timezone

from tandem.core.filters import FilterSet, RemoteChoiceFilter, SmallTableChoiceFilter
from tandem.core.forms import RemoteSelect
from tandem.core.money import workspace_get
from tandem.core.roles import SALES_ROLES, Role
from tandem.people.models import User
from tandem.people.selectors import team_member_ids, user_visible
from tandem.sales.models import Account, Opportunity, Stage
from tandem.sales.selectors import quiet_deals


def owner_choices(request: HttpRequest | None) -> QuerySet[User]:
    """The people worth filtering by: a rep themselves, a manager their team, everyone else the sales people."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return User.objects.none()
    people = user_visible(user=user)
    if user.role == Role.REP:
        return people.filter(pk=user.pk)
    if user.role == Role.SALES_MANAGER:
        return people.filter(pk__in=team_member_ids(manager=user))
    return people.filter(role__in=SALES_ROLES)


def stage_choices(request: HttpRequest | None) -> QuerySet[Stage]:
    return Stage.objects.all()


# Where a deal stands: still being worked, or closed one way or the other. An open deal has no
# `closed_at` (the services set it on entering a won or lost stage): the partial index on it keeps
# "open deals by close date" an index scan when a list sees every deal.
DEAL_STATUSES = {
    "open": Q(closed_at__isnull=True, stage__is_won=False, stage__is_lost=False),
    "won": Q(stage__is_won=True),
    "lost": Q(stage__is_lost=True),
    "closed": Q(stage__is_won=True) | Q(stage__is_lost=True),
}


class OpportunityFilter(FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search")
    status = django_filters.ChoiceFilter(
        choices=[("open", "Open"), ("won", "Won"), ("lost", "Lost"), ("closed", "Won or lost")],
        empty_label="Any status",
        label="Status",
        method="filter_status",
    )
    owner = RemoteChoiceFilter(
        queryset=owner_choices, empty_label="Any owner", widget=RemoteSelect(reverse_lazy("sales:owner_options"))
    )
    stage = SmallTableChoiceFilter(queryset=stage_choices, empty_label="Any stage")
    forecast_category = django_filters.ChoiceFilter(
        choices=Stage.ForecastCategory.choices, empty_label="Any category", label="Forecast"
    )
    account = django_filters.NumberFilter(field_name="account_id")
    # The deals of one sales manager's teams (the forecast's roll-up links here).
    team_manager = django_filters.NumberFilter(field_name="owner__team__manager_id")
    # The win-rate charts of the attainment page open the deals behind a bar with these ("none": without one).
    competitor = django_filters.CharFilter(method="filter_competitor", widget=forms.HiddenInput)
    segment = django_filters.ChoiceFilter(
        field_name="account__segment", choices=Account.Segment.choices, empty_label="Any segment", label="Segment"
    )
    lead_source = django_filters.ChoiceFilter(
        choices=[*Opportunity.LeadSource.choices, ("none", "No lead source")],
        empty_label="Any lead source",
        method="filter_lead_source",
    )
    close_date_from = django_filters.DateFilter(
        field_name="close_date", lookup_expr="gte", label="Closing from", widget=forms.DateInput(attrs={"type": "date"})
    )
    close_date_to = django_filters.DateFilter(
        field_name="close_date", lookup_expr="lte", label="Closing by", widget=forms.DateInput(attrs={"type": "date"})
    )
    activity = django_filters.ChoiceFilter(
        choices=[("quiet", "Quiet")], empty_label="Any", label="Activity", method="filter_activity"
    )

    class Meta:
        model = Opportunity
        fields: list[str] = []

    def filter_status(self, queryset: QuerySet[Opportunity], name: str, value: str) -> QuerySet[Opportunity]:
        return queryset.filter(DEAL_STATUSES[value]) if value in DEAL_STATUSES else queryset

    def filter_competitor(self, queryset: QuerySet[Opportunity], name: str, value: str) -> QuerySet[Opportunity]:
        if value == "none":
            return queryset.filter(competitor__isnull=True)
        return queryset.filter(competitor_id=int(value)) if value.isdigit() and len(value) < 12 else queryset.none()

    def filter_lead_source(self, queryset: QuerySet[Opportunity], name: str, value: str) -> QuerySet[Opportunity]:
        return queryset.filter(lead_source="") if value == "none" else queryset.filter(lead_source=value)

    def filter_activity(self, queryset: QuerySet[Opportunity], name: str, value: str) -> QuerySet[Opportunity]:
        """Quiet: open deals without a stage move, note, call or meeting for the workspace's number of days."""
        if value != "quiet":
            return queryset
        days = workspace_get().stale_after_days
        return queryset.filter(quiet_deals(stale_after_days=days, now=timezone.now()))


class AccountFilter(FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search")
    segment = django_filters.ChoiceFilter(choices=Account.Segment.choices, empty_label="Any segment")
    status = django_filters.ChoiceFilter(choices=Account.Status.choices, empty_label="Any status")
    owner = RemoteChoiceFilter(
        queryset=owner_choices, empty_label="Any owner", widget=RemoteSelect(reverse_lazy("sales:owner_options"))
    )
    region = django_filters.CharFilter(field_name="region", lookup_expr="iexact")

    class Meta:
        model = Account
        fields: list[str] = []
