"""Reads of leads. Every read starts from `lead_visible`.

Who sees which lead: a rep their own; a sales manager their teams'; executives and admins all.
Product managers and engineering leads none: a lead is a person's name, email and phone before
there is any business with their company, and nothing product decides rests on one (the asks and
the revenue behind them start at the deal).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, Q, QuerySet, Sum, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tandem.core.roles import Role
from tandem.core.selectors import record_for_change
from tandem.leads.models import Lead, LeadDayFigures, LeadRepDayFigures
from tandem.people.models import User, user_name
from tandem.people.selectors import team_member_ids
from tandem.sales.models import Account, Contact
from tandem.sales.selectors import account_visible


def _sees_every_lead(user: User) -> bool:
    return user.role in (Role.EXECUTIVE, Role.ADMIN)


def lead_visible(*, user: User) -> QuerySet[Lead]:
    if _sees_every_lead(user):
        return Lead.objects.all()
    if user.role == Role.SALES_MANAGER:
        return Lead.objects.filter(owner__in=team_member_ids(manager=user))
    if user.role == Role.REP:
        return Lead.objects.filter(owner=user)
    return Lead.objects.none()


def lead_day_figures_visible(*, user: User) -> QuerySet[LeadDayFigures]:
    """The funnel's days count every lead of the workspace: seen by whoever sees every lead."""
    return LeadDayFigures.objects.all() if _sees_every_lead(user) else LeadDayFigures.objects.none()


def lead_day_figures_changeable(*, user: User) -> QuerySet[LeadDayFigures]:
    """Written by the database's triggers on leads and deals alone (tandem/leads/funnel_figures.py)."""
    return LeadDayFigures.objects.none()


def lead_rep_day_figures_visible(*, user: User) -> QuerySet[LeadRepDayFigures]:
    """A rep's day of the funnel is seen by whoever sees that rep's leads: it counts them."""
    if _sees_every_lead(user):
        return LeadRepDayFigures.objects.all()
    if user.role == Role.SALES_MANAGER:
        return LeadRepDayFigures.objects.filter(owner__in=team_member_ids(manager=user))
    if user.role == Role.REP:
        return LeadRepDayFigures.objects.filter(owner=user)
    return LeadRepDayFigures.objects.none()


def lead_rep_day_figures_changeable(*, user: User) -> QuerySet[LeadRepDayFigures]:
    """Written by the database's triggers on leads and deals alone (tandem/leads/funnel_figures.py)."""
    return LeadRepDayFigures.objects.none()


OPEN_STATUSES = (Lead.Status.NEW, Lead.Status.WORKING, Lead.Status.QUALIFIED)


def lead_next_owner(*, assigner: User, territory_id: int | None) -> User | None:
    """Who gets a lead created without an owner: among the active reps the assigner may assign to
    (a manager's teams, or everyone for an admin), those in a team covering the lead's territory
    when any does, the one with the fewest open leads; ties go to the longest-serving (lowest id),
    so equal reps take turns. None when there is no such rep."""
    reps = User.objects.filter(role=Role.REP, is_active=True)
    if assigner.role == Role.SALES_MANAGER:
        reps = reps.filter(pk__in=team_member_ids(manager=assigner))
    elif assigner.role != Role.ADMIN:
        return None
    # 0 for a rep whose team covers the lead's territory: they come first (a lead without one: nobody).
    covers = (
        Value(1)
        if territory_id is None
        else Case(When(team__territory_id=territory_id, then=Value(0)), default=Value(1))
    )
    open_leads = Count("leads", filter=Q(leads__status__in=OPEN_STATUSES))
    return reps.annotate(covers=covers, open_leads=open_leads).order_by("covers", "open_leads", "pk").first()


def lead_changeable(*, user: User) -> QuerySet[Lead]:
    """The lead's owner, their sales manager and admins change it; executives read."""
    if user.role == Role.ADMIN:
        return Lead.objects.all()
    if user.role == Role.SALES_MANAGER:
        return Lead.objects.filter(owner__in=team_member_ids(manager=user))
    if user.role == Role.REP:
        return Lead.objects.filter(owner=user)
    return Lead.objects.none()


LEAD_RELATED = ("owner", "territory", "converted_account", "converted_contact", "converted_opportunity")


def lead_get(*, user: User, pk: int) -> Lead:
    return get_object_or_404(lead_visible(user=user).select_related(*LEAD_RELATED), pk=pk)


def lead_rows(*, user: User) -> QuerySet[Lead]:
    """Visible leads ready for a list: the owner read in the same query."""
    return lead_visible(user=user).select_related("owner")


def lead_for_change(*, user: User, pk: int, lock: bool = False) -> Lead:
    """A lead to change or convert: 404 unseen, 403 seen but not the user's to change."""
    lead = record_for_change(
        visible=lead_visible(user=user).select_related("owner"),
        changeable=lead_changeable(user=user),
        pk=pk,
        refusal="Only the lead's owner, their sales manager or an admin may change it.",
    )
    return Lead.objects.select_for_update().select_related("owner").get(pk=lead.pk) if lock else lead


# Mail providers: a lead writing from one of these says nothing about which company they are at.
FREE_MAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
    }
)
MATCHES_SHOWN = 5


def email_domain(email: str) -> str:
    """The company part of an address (`jane@acme.com` → `acme.com`), empty for free mail."""
    domain = email.rpartition("@")[2].strip().lower()
    return "" if not domain or domain in FREE_MAIL else domain


def lead_account_matches(*, user: User, lead: Lead) -> list[Account]:
    """Accounts the user sees that look like the lead's company: the same name (any case), or a
    contact writing from the lead's email domain. The conversion form offers them beside a new one."""
    match = Q(name__iexact=lead.company.strip())
    domain = email_domain(lead.email)
    if domain:
        match |= Q(pk__in=Contact.objects.filter(email__iendswith=f"@{domain}").values("account_id"))
    return list(account_visible(user=user).filter(match).select_related("owner").order_by("name", "id")[:MATCHES_SHOWN])


# The funnel: of the leads created in a period, how many reached each step, by source, campaign or rep.

FUNNEL_GROUPS = {"source": "Source", "campaign": "Campaign", "owner": "Rep"}


@dataclass(frozen=True)
class FunnelRow:
    key: str
    label: str
    leads: int
    by_status: dict[str, int]
    qualified: int  # reached qualified (converting qualifies a lead that was not yet)
    converted: int
    won: int  # converted into a deal that is now won

    @staticmethod
    def _rate(part: int, whole: int) -> Decimal | None:
        return None if not whole else Decimal(part) / Decimal(whole)

    @property
    def qualified_rate(self) -> Decimal | None:
        return self._rate(self.qualified, self.leads)

    @property
    def converted_rate(self) -> Decimal | None:
        """Of the qualified leads, the share converted."""
        return self._rate(self.converted, self.qualified)

    @property
    def lead_to_deal_rate(self) -> Decimal | None:
        return self._rate(self.converted, self.leads)

    @property
    def won_rate(self) -> Decimal | None:
        """Of the converted leads, the share whose deal is won."""
        return self._rate(self.won, self.converted)


def _funnel_counts() -> dict[str, Count]:
    counts = {
        "leads": Count("pk"),
        "qualified": Count("pk", filter=Q(qualified_at__isnull=False)),
        "converted": Count("pk", filter=Q(converted_at__isnull=False)),
        "won": Count("pk", filter=Q(converted_opportunity__stage__is_won=True)),
    }
    counts.update({f"status_{value}": Count("pk", filter=Q(status=value)) for value in Lead.Status.values})
    return counts


def _funnel_row(key: str, label: str, figures: dict[str, int]) -> FunnelRow:
    return FunnelRow(
        key=key,
        label=label,
        leads=figures["leads"],
        by_status={value: figures[f"status_{value}"] for value in Lead.Status.values},
        qualified=figures["qualified"],
        converted=figures["converted"],
        won=figures["won"],
    )


def _funnel_query(leads: QuerySet[Lead], columns: list[str]) -> QuerySet[Lead, dict[str, Any]]:
    """The leads' funnel counts, one dict per group of `columns`."""
    return leads.order_by().values(*columns).annotate(**_funnel_counts())


def _whole_utc_days(since: datetime.datetime, until: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    """The UTC days from `since` to `until` that the period covers whole, as [first, end): the funnel's
    days (`LeadDayFigures`) are UTC days, a reader's days are those of their time zone."""
    first = since.astimezone(datetime.UTC)
    first_day = first.date() + datetime.timedelta(days=1) if first.time() != datetime.time.min else first.date()
    return first_day, max(until.astimezone(datetime.UTC).date(), first_day)


def _utc_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


def _funnel_from_days(
    *,
    days: QuerySet[Any],
    leads: QuerySet[Lead],
    since: datetime.datetime,
    until: datetime.datetime,
    columns: list[str],
) -> list[dict[str, Any]]:
    """The funnel's days (`days`, grouped by `columns`) the period covers whole, added up: a few
    thousand rows instead of a million leads and their deals; and the `leads` of the hours before
    and after them, counted (none when the reader's days are UTC days)."""
    first, end = _whole_utc_days(since, until)
    sums = {name: Sum(name) for name in _funnel_counts()}
    grouped = list(days.filter(day__gte=first, day__lt=end, leads__gt=0).order_by().values(*columns).annotate(**sums))
    # Each edge counted in a grouped query of its own over its one range: given both as an OR, the
    # planner took them for a tenth of the leads and hashed every deal to join them (0.6 s for 1,750).
    edges = [
        _funnel_query(leads.filter(created_at__gte=low, created_at__lt=high), columns)
        for low, high in ((since, min(_utc_midnight(first), until)), (max(_utc_midnight(end), since), until))
        if low < high
    ]
    if not edges:
        return grouped
    by_key = {tuple(figures[column] for column in columns): figures for figures in grouped}
    for figures in edges[0].union(*edges[1:], all=True):
        key = tuple(figures[column] for column in columns)
        row = by_key.setdefault(key, dict.fromkeys(_funnel_counts(), 0) | dict(zip(columns, key, strict=True)))
        for name in _funnel_counts():
            row[name] += figures[name]
    return list(by_key.values())


def lead_funnel(*, user: User, start: datetime.date, end: datetime.date, by: str) -> tuple[list[FunnelRow], FunnelRow]:
    """The funnel of the leads the user sees created from `start` to `end` (days in the user's time
    zone, both included), one row per source, campaign or rep (`by`), largest first, and the total.

    The counts come from the funnel's days (`LeadDayFigures`, `LeadRepDayFigures`, kept by the
    database), not from grouping the leads on each request (issue 18: a million leads within a
    second): by rep, the reps' days the user sees; by source or campaign, the days of every lead for
    a reader who sees them all. A rep's or a team's funnel by source or campaign groups their own
    leads (a few thousand, through the owner index). The total is the sum of the groups: each lead
    is in exactly one."""
    if by not in FUNNEL_GROUPS:
        raise ValueError(by)
    zone = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    # By rep, the groups are the owners' ids and their names a query of their own: grouped with the
    # names joined, the 668,000 reps' days were sorted by owner (0.9 s) instead of hashed (0.15 s).
    columns = ["owner_id" if by == "owner" else by]
    leads = lead_visible(user=user)
    if by == "owner":
        days: QuerySet[Any] | None = lead_rep_day_figures_visible(user=user)
    else:
        days = lead_day_figures_visible(user=user) if _sees_every_lead(user) else None
    if days is None:
        grouped = list(_funnel_query(leads.filter(created_at__gte=since, created_at__lt=until), columns))
    else:
        grouped = _funnel_from_days(days=days, leads=leads, since=since, until=until, columns=columns)
    grouped.sort(key=lambda figures: (-figures["leads"], *(figures[column] for column in columns)))
    counts = _funnel_counts()
    sums = {name: sum(figures[name] for figures in grouped) for name in counts}
    total = _funnel_row("", "All leads", sums)
    sources = dict(Lead.Source.choices)
    names = (
        {
            pk: user_name(first, last, username)
            for pk, first, last, username in User.objects.filter(pk__in=[figures["owner_id"] for figures in grouped])
            .order_by()
            .values_list("pk", "first_name", "last_name", "username")
        }
        if by == "owner" and grouped
        else {}
    )
    rows = []
    for figures in grouped:
        if by == "owner":
            key, label = str(figures["owner_id"]), names[figures["owner_id"]]
        elif by == "source":
            key, label = figures["source"], str(sources.get(figures["source"], figures["source"]))
        else:
            key, label = figures["campaign"], figures["campaign"] or "No campaign"
        rows.append(_funnel_row(key, label, figures))
    return rows, total
