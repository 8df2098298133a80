"""Reads of the competition. Every read starts from a `*_visible` selector.

Competitors, their products and battlecards (with their history) are shared knowledge: everyone
signed in reads them. Product managers and admins keep competitor profiles and the battlecard's
strengths, weaknesses and landmines; sales roles add objections and answers to the battlecard.

Field intel: product managers, executives and admins read all of it; a sales manager what their
teams logged; a rep what reps of their own team logged (a competitor met by a team-mate is met
again); engineering leads none. Only its author (or an admin) changes or deletes an entry.

Features cited in a loss follow the deal: whoever sees the lost deal sees them; whoever may change
the deal, and product managers (who study the losses), cite them.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404

from tandem.competition.models import (
    Battlecard,
    BattlecardRevision,
    Competitor,
    CompetitorProduct,
    FieldIntel,
    LossFeature,
)
from tandem.core.fiscal import FiscalQuarter, day_start, fiscal_quarter_of
from tandem.core.roles import Role
from tandem.core.selectors import record_for_change
from tandem.people.models import User
from tandem.people.selectors import team_member_ids
from tandem.product.selectors import feature_visible
from tandem.sales.models import Opportunity
from tandem.sales.selectors import opportunity_changeable, opportunity_visible

KEEPERS = (Role.PRODUCT_MANAGER, Role.ADMIN)
S = BattlecardRevision.Section
PM_SECTIONS = frozenset({S.STRENGTHS, S.WEAKNESSES, S.LANDMINES})


def competitor_visible(*, user: User) -> QuerySet[Competitor]:
    """Competitors are shared knowledge: everyone signed in sees them all."""
    return Competitor.objects.all()


def competitor_changeable(*, user: User) -> QuerySet[Competitor]:
    """Product managers and admins keep the competitor profiles."""
    return Competitor.objects.all() if user.role in KEEPERS else Competitor.objects.none()


def competitor_get(*, user: User, pk: int) -> Competitor:
    return get_object_or_404(competitor_visible(user=user), pk=pk)


def competitor_for_change(*, user: User, pk: int) -> Competitor:
    return record_for_change(
        visible=competitor_visible(user=user),
        changeable=competitor_changeable(user=user),
        pk=pk,
        refusal="Only product managers and admins keep competitor profiles.",
    )


def competitor_product_visible(*, user: User) -> QuerySet[CompetitorProduct]:
    return CompetitorProduct.objects.filter(competitor__in=competitor_visible(user=user))


def competitor_product_changeable(*, user: User) -> QuerySet[CompetitorProduct]:
    return CompetitorProduct.objects.filter(competitor__in=competitor_changeable(user=user))


def competitor_product_for_change(*, user: User, pk: int) -> CompetitorProduct:
    return record_for_change(
        visible=competitor_product_visible(user=user),
        changeable=competitor_product_changeable(user=user),
        pk=pk,
        refusal="Only product managers and admins keep competitor profiles.",
    )


# Battlecards


def battlecard_visible(*, user: User) -> QuerySet[Battlecard]:
    """Battlecards are read by everyone: they are how the whole company wins against a competitor."""
    return Battlecard.objects.all()


def battlecard_changeable(*, user: User) -> QuerySet[Battlecard]:
    """Who may change some section: product managers and admins every section, sales the objections
    (`battlecard_sections_changeable` says which)."""
    return Battlecard.objects.all() if battlecard_sections_changeable(user=user) else Battlecard.objects.none()


def battlecard_sections_changeable(*, user: User) -> frozenset[str]:
    if user.role in KEEPERS:
        return frozenset(S.values)
    if user.role in (Role.REP, Role.SALES_MANAGER):
        return frozenset({S.OBJECTIONS})
    return frozenset()


def battlecard_revision_visible(*, user: User) -> QuerySet[BattlecardRevision]:
    """A battlecard's history is read by whoever reads the battlecard."""
    return BattlecardRevision.objects.filter(battlecard__in=battlecard_visible(user=user))


def battlecard_revision_changeable(*, user: User) -> QuerySet[BattlecardRevision]:
    """History is never rewritten."""
    return BattlecardRevision.objects.none()


def battlecard_of(*, user: User, competitor: Competitor) -> Battlecard | None:
    return battlecard_visible(user=user).filter(competitor=competitor).first()


def battlecard_history(*, user: User, competitor: Competitor) -> QuerySet[BattlecardRevision]:
    return (
        battlecard_revision_visible(user=user)
        .filter(battlecard__competitor=competitor)
        .select_related("changed_by")
        .order_by("-changed_at", "-id")
    )


# Field intel


def field_intel_visible(*, user: User) -> QuerySet[FieldIntel]:
    """The intel this person reads (see the module's docstring). The product-sales review's agenda
    and the scorecards read intel through this selector."""
    qs = FieldIntel.objects.all()
    if user.role in (Role.PRODUCT_MANAGER, Role.EXECUTIVE, Role.ADMIN):
        return qs
    if user.role == Role.SALES_MANAGER:
        return qs.filter(author__in=team_member_ids(manager=user))
    if user.role == Role.REP:
        if user.team_id is None:
            return qs.filter(author=user)
        return qs.filter(Q(author=user) | Q(author__team_id=user.team_id))
    return qs.none()


def field_intel_changeable(*, user: User) -> QuerySet[FieldIntel]:
    """An entry is its author's word: only they (or an admin) change or delete it."""
    if user.role == Role.ADMIN:
        return FieldIntel.objects.all()
    return FieldIntel.objects.filter(author=user)


def field_intel_for_change(*, user: User, pk: int) -> FieldIntel:
    return record_for_change(
        visible=field_intel_visible(user=user),
        changeable=field_intel_changeable(user=user),
        pk=pk,
        refusal="Only the rep who logged this intel, or an admin, may change it.",
    )


def intel_feed(
    *,
    user: User,
    competitor: Competitor | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[FieldIntel]:
    """Visible intel ready for a feed, newest first: competitor, author, account and deal in one query.
    `since` and `until` bound the day it was logged (both included)."""
    qs = field_intel_visible(user=user).select_related("competitor", "author", "account", "opportunity")
    if competitor is not None:
        qs = qs.filter(competitor=competitor)
    if since is not None:
        qs = qs.filter(created_at__gte=day_start(since))
    if until is not None:
        qs = qs.filter(created_at__lt=day_start(until + datetime.timedelta(days=1)))
    return qs.order_by("-created_at", "-id")


# Win/loss


def loss_feature_visible(*, user: User) -> QuerySet[LossFeature]:
    """A citation is seen by whoever sees both the lost deal and the feature."""
    return LossFeature.objects.filter(
        opportunity__in=opportunity_visible(user=user), feature__in=feature_visible(user=user)
    )


def loss_feature_changeable(*, user: User) -> QuerySet[LossFeature]:
    if user.role == Role.PRODUCT_MANAGER:
        return loss_feature_visible(user=user)
    return LossFeature.objects.filter(opportunity__in=opportunity_changeable(user=user))


def loss_feature_for_change(*, user: User, pk: int) -> LossFeature:
    return record_for_change(
        visible=loss_feature_visible(user=user),
        changeable=loss_feature_changeable(user=user),
        pk=pk,
        refusal="Only the deal's owner, their sales manager, a product manager or an admin may change its loss.",
    )


def lost_deal_citable(*, user: User, pk: int) -> Opportunity:
    """A lost deal the user may cite features on: 404 unseen, 403 seen but not theirs to cite on."""
    from django.core.exceptions import PermissionDenied, ValidationError

    deal = get_object_or_404(opportunity_visible(user=user).select_related("stage"), pk=pk)
    if user.role != Role.PRODUCT_MANAGER and not opportunity_changeable(user=user).filter(pk=deal.pk).exists():
        raise PermissionDenied("Only the deal's owner, their sales manager, a product manager or an admin may do this.")
    if not deal.stage.is_lost:
        raise ValidationError({"feature": "Features are cited on lost deals only."})
    return deal


WON = Q(stage__is_won=True)
LOST = Q(stage__is_lost=True)


@dataclass
class QuarterRate:
    quarter: FiscalQuarter
    won: int = 0
    lost: int = 0

    @property
    def rate(self) -> Decimal | None:
        closed = self.won + self.lost
        return Decimal(self.won) / closed if closed else None


@dataclass
class CompetitorRates:
    competitor_id: int
    name: str
    quarters: list[QuarterRate] = field(default_factory=list)

    @property
    def won(self) -> int:
        return sum(q.won for q in self.quarters)

    @property
    def lost(self) -> int:
        return sum(q.lost for q in self.quarters)


def win_rate_by_quarter(
    *, user: User, first: FiscalQuarter, last: FiscalQuarter, start_month: int, competitor_id: int | None = None
) -> list[CompetitorRates]:
    """Win rate against each competitor, per fiscal quarter from `first` to `last`, over the closed
    deals (won or lost, by close date) this person sees that name the competitor: won over won plus
    lost, by count, as the attainment page counts. One query, grouped by competitor and month."""
    quarters = [first]
    while quarters[-1] < last:
        quarters.append(quarters[-1].next())
    start, end = first.bounds(start_month)[0], last.bounds(start_month)[1]
    qs = opportunity_visible(user=user).filter(
        WON | LOST, competitor__isnull=False, close_date__gte=start, close_date__lte=end
    )
    if competitor_id is not None:
        qs = qs.filter(competitor_id=competitor_id)
    rows = (
        qs.order_by()
        .annotate(month=TruncMonth("close_date"))
        .values("competitor_id", "competitor__name", "month")
        .annotate(won=Count("id", filter=WON), lost=Count("id", filter=LOST))
    )
    counts: dict[tuple[int, FiscalQuarter], list[int]] = defaultdict(lambda: [0, 0])
    names: dict[int, str] = {}
    for row in rows:
        month = row["month"]
        day = month.date() if isinstance(month, datetime.datetime) else month
        key = (row["competitor_id"], fiscal_quarter_of(day, start_month))
        counts[key][0] += row["won"]
        counts[key][1] += row["lost"]
        names[row["competitor_id"]] = row["competitor__name"]
    result = [
        CompetitorRates(
            competitor_id=pk,
            name=name,
            quarters=[QuarterRate(q, *counts.get((pk, q), [0, 0])) for q in quarters],
        )
        for pk, name in names.items()
    ]
    return sorted(result, key=lambda r: (-(r.won + r.lost), r.name))


@dataclass(frozen=True)
class CitedFeature:
    feature_id: int
    title: str
    lost_deals: int
    lost_amount: Decimal


def features_cited_in_losses(*, user: User, competitor: Competitor | None = None) -> list[CitedFeature]:
    """The features cited in the lost deals this person sees (to one competitor, when given), the
    most cited first, with the amount of the deals lost."""
    qs = loss_feature_visible(user=user)
    if competitor is not None:
        qs = qs.filter(opportunity__competitor=competitor)
    rows = (
        qs.order_by()
        .values("feature_id", "feature__title")
        .annotate(lost_deals=Count("opportunity_id", distinct=True), lost_amount=Sum("opportunity__amount_home"))
        .order_by("-lost_deals", "feature__title")
    )
    return [
        CitedFeature(r["feature_id"], r["feature__title"], r["lost_deals"], r["lost_amount"] or Decimal(0))
        for r in rows[:50]
    ]


def closed_deals_against(*, user: User, competitor: Competitor) -> QuerySet[Opportunity]:
    """The closed deals this person sees that name the competitor, newest first, with the features
    cited in the losses (two queries whatever the rows)."""
    from django.db.models import Prefetch

    return (
        opportunity_visible(user=user)
        .filter(WON | LOST, competitor=competitor)
        .select_related("account", "owner", "stage")
        .prefetch_related(
            Prefetch("loss_features", queryset=LossFeature.objects.select_related("feature").order_by("feature__title"))
        )
        .order_by("-close_date", "-id")
    )
