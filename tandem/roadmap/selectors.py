"""Reads of the roadmap: which roadmap items each audience sees, and how finely it sees their dates.

One rule decides what reaches an audience (`roadmap_features`): the internal roadmap shows every
planned feature the reader may see; the sales roadmap only sales-shareable and public ones (never
the internal features a rep sees through their customers' asks); the public page only public ones.
Below *committed*, the sales and public audiences see the fiscal quarter, never the release's date.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from itertools import groupby

from django.db.models import Count, F, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tandem.asks.models import Ask
from tandem.core.fiscal import FiscalQuarter, fiscal_quarter_of
from tandem.core.money import workspace_get
from tandem.core.permissions import has_permission
from tandem.core.roles import SALES_ROLES, Role
from tandem.decisions.models import DecisionType
from tandem.decisions.rights import decision_right_for, may_manage_releases
from tandem.people.models import User
from tandem.planning.models import TeamCapacity
from tandem.product.models import Feature, Goal, Product, Release
from tandem.product.selectors import ON_ROADMAP, SHAREABLE, date_shared_with_sales, feature_visible
from tandem.roadmap.models import LifecycleMove, MarketResearch, RoadmapSettings
from tandem.roadmap.permissions import RoadmapPermission
from tandem.sales.models import Account, Opportunity
from tandem.sales.selectors import account_visible, opportunity_visible


class Audience(StrEnum):
    INTERNAL = "internal"
    SALES = "sales"
    PUBLIC = "public"


def audience_for(user: User) -> Audience:
    """Sales reads the roadmap as sales may tell it; everyone else reads the internal roadmap."""
    return Audience.SALES if user.role in SALES_ROLES else Audience.INTERNAL


def roadmap_features(*, audience: Audience, user: User | None = None) -> QuerySet[Feature]:
    """The features on the roadmap this audience may see: planned or in progress, with their
    product and release. The internal audience starts from the reader's feature visibility."""
    if audience is Audience.INTERNAL:
        assert user is not None, "the internal roadmap is read by someone"
        features = feature_visible(user=user)
    elif audience is Audience.SALES:
        features = Feature.objects.filter(visibility__in=SHAREABLE)
    else:
        features = Feature.objects.filter(visibility=Feature.Visibility.PUBLIC)
    return (
        features.filter(status__in=ON_ROADMAP)
        .select_related("product", "release")
        # What no roadmap shows: reading 150 items' descriptions and timestamps was a tenth of a page.
        .defer("description", "external_id", "owner", "created_at", "updated_at", "product__description")
    )


@dataclass(frozen=True)
class RoadmapItem:
    """A feature as one audience reads it on the roadmap: `when` is the release's date only where
    that audience may know it, else its fiscal quarter (or "Not scheduled")."""

    feature: Feature
    horizon: str
    when: str
    exact_date: datetime.date | None
    say: str
    dont_say: str


def quarter_label(day: datetime.date, start_month: int) -> str:
    return str(fiscal_quarter_of(day, start_month))


def horizon_of(feature: Feature, *, today: datetime.date, start_month: int) -> str:
    """Where a feature sits on the now / next / later board: where its PM put it, else by its
    release's fiscal quarter (this quarter now, the next one next, any later or none later)."""
    if feature.horizon:
        return feature.horizon
    if feature.release is None:
        return Feature.Horizon.LATER
    this = fiscal_quarter_of(today, start_month)
    quarter = fiscal_quarter_of(feature.release.target_date, start_month)
    if quarter <= this:
        return Feature.Horizon.NOW
    return Feature.Horizon.NEXT if quarter == this.next() else Feature.Horizon.LATER


def talking_points_for(feature: Feature, *, audience: Audience) -> tuple[str, str]:
    """The one rule for who reads a feature's talking points (*say*, *don't say*): product, who writes
    them, reads them all; sales only those of the features it may share, never an internal one's
    (not even one its customers asked for, which it may open); the public none."""
    if audience is Audience.PUBLIC or (audience is Audience.SALES and feature.visibility not in SHAREABLE):
        return "", ""
    return feature.sales_say, feature.sales_dont_say


def roadmap_item(feature: Feature, *, audience: Audience, today: datetime.date, start_month: int) -> RoadmapItem:
    """One feature as this audience may read it: its date as finely as the audience may know it
    (`date_shared_with_sales`; the public page commits to no day, only the quarter) and its talking
    points as `talking_points_for` gives them."""
    release = feature.release
    exact = release.target_date if release is not None else None
    if audience is Audience.INTERNAL:
        precise = True
    elif audience is Audience.SALES:
        precise = date_shared_with_sales(confidence=feature.confidence, visibility=feature.visibility)
    else:
        precise = False
    if exact is None:
        when = "Not scheduled"
    elif precise:
        when = exact.isoformat()
    else:
        when, exact = quarter_label(exact, start_month), None
    say, dont_say = talking_points_for(feature, audience=audience)
    return RoadmapItem(
        feature=feature,
        horizon=horizon_of(feature, today=today, start_month=start_month),
        when=when,
        exact_date=exact,
        say=say,
        dont_say=dont_say,
    )


@dataclass(frozen=True)
class RoadmapFilters:
    product: int | None = None
    goal: int | None = None
    team: int | None = None


# How many items a roadmap page shows: the large workspace has thousands planned, and a page of
# thousands of cards is neither quick nor readable. Filters narrow it; the page says how many more.
ROADMAP_SHOWN = 150
# The customer-ready PDF carries at most this many (a customer reads a curated roadmap, not all).
EXPORT_SHOWN = 300


def roadmap_items(
    *,
    audience: Audience,
    user: User | None = None,
    filters: RoadmapFilters | None = None,
    limit: int | None = None,
) -> list[RoadmapItem]:
    """The roadmap for this audience, filtered by product, goal and team, ordered by release date
    (the first `limit` of them)."""
    return roadmap_items_shown(audience=audience, user=user, filters=filters, limit=limit)[0]


def roadmap_items_shown(
    *,
    audience: Audience,
    user: User | None = None,
    filters: RoadmapFilters | None = None,
    limit: int | None = ROADMAP_SHOWN,
) -> tuple[list[RoadmapItem], int]:
    """The first `limit` items and how many there are in all."""
    features = _filtered(roadmap_features(audience=audience, user=user), filters or RoadmapFilters())
    first, total = _first_by_release_date(features, limit)
    start_month = workspace_get().fiscal_year_start_month
    today = timezone.localdate()
    return [roadmap_item(f, audience=audience, today=today, start_month=start_month) for f in first], total


ROADMAP_ORDER = (F("release__target_date").asc(nulls_last=True), "product__name", "title", "pk")


def _first_by_release_date(features: QuerySet[Feature], limit: int | None) -> tuple[list[Feature], int]:
    """The first `limit` features in roadmap order, and how many there are.

    The roadmap is ordered by its releases' dates first, and there are a few dozen releases for
    thousands of features: counting the features of each release (from the `feature_on_roadmap`
    index) says which releases hold the first `limit`, and only their features are read and sorted.
    Sorting every feature on the roadmap, all their columns joined, was most of the page's database
    time, and counting them all a query more.
    """
    per_release = features.order_by().values_list("release_id", "release__target_date").annotate(count=Count("*"))
    counts = [(release_id, day, count) for release_id, day, count in per_release]
    total = sum(count for _, _, count in counts)
    if limit is not None and total > limit:
        dated = sorted((row for row in counts if row[0] is not None), key=lambda row: row[1])
        chosen: list[int] = []
        shown = 0
        # Releases of one day share their order by product and title: take a day's releases together.
        for _, same_day in groupby(dated, key=lambda row: row[1]):
            if shown >= limit:
                break
            for release_id, _, count in same_day:
                chosen.append(release_id)
                shown += count
        holding = Q(release_id__in=chosen) if shown >= limit else Q(release_id__in=chosen) | Q(release__isnull=True)
        features = features.filter(holding)
    ordered = features.order_by(*ROADMAP_ORDER)
    return list(ordered if limit is None else ordered[:limit]), total


def _filtered(features: QuerySet[Feature], filters: RoadmapFilters) -> QuerySet[Feature]:
    if filters.product:
        features = features.filter(product_id=filters.product)
    if filters.goal:
        features = features.filter(goals__id=filters.goal)
    if filters.team:
        features = features.filter(product__team_id=filters.team)
    return features


# The timeline: releases in date order, each with its items and its load against the team's capacity.


@dataclass
class ReleaseLane:
    release: Release | None  # None: planned features not on any release yet
    label: str
    items: list[RoadmapItem] = field(default_factory=list)
    effort: Decimal = Decimal("0")
    capacity: Decimal | None = None
    manageable: bool = False

    @property
    def over_capacity(self) -> bool:
        return self.capacity is not None and self.effort > self.capacity

    @property
    def load_percent(self) -> int | None:
        if not self.capacity:
            return None
        return int(self.effort * 100 / self.capacity)


def timeline_lanes(
    *, user: User, items: Sequence[RoadmapItem], audience: Audience, filters: RoadmapFilters | None = None
) -> list[ReleaseLane]:
    """Group items by release; internally each release also shows its effort against its product's
    team's capacity for the release's quarter, and whether the reader may place features on it (the
    planned releases without items yet show too, to drop features on)."""
    if audience is not Audience.INTERNAL:
        # Sales reads no release names or dates below committed: its lanes are what it may say of when.
        by_when: dict[str, ReleaseLane] = {}
        for item in items:
            by_when.setdefault(item.when, ReleaseLane(release=None, label=item.when)).items.append(item)
        return list(by_when.values())
    start_month = workspace_get().fiscal_year_start_month
    lanes: dict[int | None, ReleaseLane] = {}
    for item in items:
        release = item.feature.release
        key = release.pk if release is not None else None
        if key not in lanes:
            lanes[key] = ReleaseLane(release=release, label=_lane_label(release, item.feature.product))
        lanes[key].items.append(item)
    filters = filters or RoadmapFilters()
    planned = Release.objects.filter(status=Release.Status.PLANNED).exclude(pk__in=[k for k in lanes if k])
    if filters.product:
        planned = planned.filter(product_id=filters.product)
    if filters.team:
        planned = planned.filter(product__team_id=filters.team)
    for release in planned.select_related("product"):
        lanes[release.pk] = ReleaseLane(release=release, label=_lane_label(release, release.product))
    planning = decision_right_for(DecisionType.PLANNED)
    products = {p.pk: p for p in Product.objects.filter(releases__in=[k for k in lanes if k]).distinct()}
    capacities = _capacities(products.values())
    for lane in lanes.values():
        if lane.release is None:
            lane.effort = sum((i.feature.effort or Decimal("0") for i in lane.items), Decimal("0"))
            continue
        product = products[lane.release.product_id]
        lane.manageable = may_manage_releases(user, product, planning)
        quarter = fiscal_quarter_of(lane.release.target_date, start_month)
        lane.capacity = capacities.get((product.team_id, quarter.year, quarter.quarter))
    _add_release_effort(lanes)
    return sorted(
        lanes.values(),
        key=lambda lane: (lane.release is None, lane.release.target_date if lane.release else None, lane.label),
    )


def _lane_label(release: Release | None, product: Product) -> str:
    return f"{product.name} {release.name}" if release is not None else "Not on a release yet"


def _add_release_effort(lanes: dict[int | None, ReleaseLane]) -> None:
    """A release's load counts every feature on it that is not declined or shipped, also those the
    filters hide, so one team's quarter reads the same whatever the page is filtered by."""
    ids = [key for key in lanes if key is not None]
    totals = (
        Feature.objects.filter(release_id__in=ids, status__in=ON_ROADMAP)
        .values("release_id")
        .annotate(total=Sum("effort"))
        .order_by()
    )
    for row in totals:
        lanes[row["release_id"]].effort = row["total"] or Decimal("0")


def _capacities(products: Iterable[Product]) -> dict[tuple[int | None, int, int], Decimal]:
    teams = {p.team_id for p in products if p.team_id}
    rows = TeamCapacity.objects.filter(team_id__in=teams)
    return {(r.team_id, r.fiscal_year, r.fiscal_quarter): r.person_weeks for r in rows}


def board_columns(items: Sequence[RoadmapItem]) -> dict[str, list[RoadmapItem]]:
    columns: dict[str, list[RoadmapItem]] = {h: [] for h in Feature.Horizon.values}
    for item in items:
        columns[item.horizon].append(item)
    return columns


def roadmap_releases_manageable(*, user: User) -> QuerySet[Release]:
    """The planned releases this person may place features on (those whose releases they manage)."""
    from tandem.product.selectors import release_changeable

    return release_changeable(user=user).filter(status=Release.Status.PLANNED).select_related("product")


def roadmap_feature_movable(*, user: User, feature: Feature) -> bool:
    """Who may place a feature on the roadmap: whoever may manage its product's releases."""
    return may_manage_releases(user, feature.product, decision_right_for(DecisionType.PLANNED))


def roadmap_filter_choices(*, user: User) -> dict[str, list[tuple[int, str]]]:
    from tandem.people.models import Team

    return {
        "products": list(Product.objects.order_by("name").values_list("pk", "name")),
        "goals": list(Goal.objects.filter(is_active=True).order_by("name").values_list("pk", "name")),
        "teams": list(
            Team.objects.filter(products__isnull=False).distinct().order_by("name").values_list("pk", "name")
        ),
    }


def current_quarter() -> FiscalQuarter:
    return fiscal_quarter_of(timezone.localdate(), workspace_get().fiscal_year_start_month)


# The public roadmap setting


def roadmap_settings_visible(*, user: User) -> QuerySet[RoadmapSettings]:
    return RoadmapSettings.objects.all()


def roadmap_settings_changeable(*, user: User) -> QuerySet[RoadmapSettings]:
    allowed = has_permission(user, RoadmapPermission.SET_PUBLIC_ROADMAP)
    return RoadmapSettings.objects.all() if allowed else RoadmapSettings.objects.none()


def roadmap_settings_get() -> RoadmapSettings:
    settings, _ = RoadmapSettings.objects.get_or_create(id=1)
    return settings


# Market research


def market_research_visible(*, user: User) -> QuerySet[MarketResearch]:
    """Market research is product's evidence: whoever sees the feature in full sees it (sales only on
    sales-shareable and public features, as the evidence)."""
    features = feature_visible(user=user)
    if user.role in SALES_ROLES:
        features = features.filter(visibility__in=SHAREABLE)
    return MarketResearch.objects.filter(feature__in=features)


def market_research_changeable(*, user: User) -> QuerySet[MarketResearch]:
    allowed = has_permission(user, RoadmapPermission.EDIT_MARKET_RESEARCH)
    return MarketResearch.objects.all() if allowed else MarketResearch.objects.none()


def market_research_for(*, feature: Feature) -> MarketResearch:
    """The feature's research, or an unsaved empty one until a PM writes it."""
    research = MarketResearch.objects.filter(feature=feature).prefetch_related("competitors").first()
    return research or MarketResearch(feature=feature)


@dataclass(frozen=True)
class CompetitorEvidence:
    name: str
    deals_lost: int
    amount_lost: Decimal


def market_competitor_evidence(*, feature: Feature) -> list[CompetitorEvidence]:
    """Deals that asked for this feature and were lost to a competitor, by competitor: the market's
    own word on who has it."""
    rows = (
        Opportunity.objects.filter(asks__feature=feature, stage__is_lost=True, competitor__isnull=False)
        .values("competitor__name")
        .annotate(deals=Count("pk", distinct=True), amount=Sum("amount_home"))
        .order_by("-deals", "competitor__name")
    )
    return [CompetitorEvidence(r["competitor__name"], r["deals"], r["amount"] or Decimal("0")) for r in rows]


# The product lifecycle


def lifecycle_move_visible(*, user: User) -> QuerySet[LifecycleMove]:
    """Everyone sees products, and so how they moved through their lifecycle and why."""
    return LifecycleMove.objects.all()


def lifecycle_move_changeable(*, user: User) -> QuerySet[LifecycleMove]:
    """A move is history: no one changes one once recorded."""
    return LifecycleMove.objects.none()


def lifecycle_movable(*, user: User, product: Product) -> bool:
    """The product's manager, executives and admins move a product through its lifecycle."""
    if not has_permission(user, RoadmapPermission.MOVE_LIFECYCLE):
        return False
    return user.role != Role.PRODUCT_MANAGER or product.manager_id == user.pk


def lifecycle_history(*, user: User, product: Product) -> list[LifecycleMove]:
    return list(lifecycle_move_visible(user=user).filter(product=product).select_related("moved_by"))


@dataclass
class Dependents:
    """Who depends on a product or feature through their asks: the accounts and open deals the
    reader may see, and how many more they may not."""

    accounts: list[Account]
    open_deals: list[Opportunity]
    hidden_accounts: int
    hidden_deals: int
    # h19b's commitments go here once they exist: the commitments the move would break.
    commitments: list[object] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.accounts or self.open_deals or self.hidden_accounts or self.hidden_deals or self.commitments)


DEPENDENTS_SHOWN = 50


def dependents_of(*, user: User, product: Product | None = None, feature: Feature | None = None) -> Dependents:
    """The one place that lists what retiring a product or declining a feature would let down: the
    accounts that asked for it (its features) and the open deals those asks were logged on.

    Commitments to customers (tandem/commitments, built beside this) will be added here, so every
    page and the API that warn before such a move read the same list.
    """
    asks = Ask.objects.exclude(status=Ask.Status.MERGED)
    if feature is not None:
        asks = asks.filter(feature=feature)
    elif product is not None:
        asks = asks.filter(
            feature__product=product, feature__status__in=[*ON_ROADMAP, Feature.Status.BACKLOG, Feature.Status.SHIPPED]
        )
    else:
        raise ValueError("Name a product or a feature.")
    account_ids = asks.values("account_id")
    deal_ids = asks.filter(opportunity__closed_at__isnull=True).values("opportunity_id")
    all_accounts = Account.objects.filter(pk__in=account_ids)
    all_deals = Opportunity.objects.filter(pk__in=deal_ids)
    accounts = account_visible(user=user).filter(pk__in=account_ids).order_by("name", "pk")
    deals = (
        opportunity_visible(user=user)
        .filter(pk__in=deal_ids)
        .select_related("account", "owner")
        .order_by("-amount_home", "pk")
    )
    shown_accounts = list(accounts[:DEPENDENTS_SHOWN])
    shown_deals = list(deals[:DEPENDENTS_SHOWN])
    return Dependents(
        accounts=shown_accounts,
        open_deals=shown_deals,
        hidden_accounts=all_accounts.count() - len(shown_accounts),
        hidden_deals=all_deals.count() - len(shown_deals),
    )


def product_get(*, user: User, pk: int) -> Product:
    from tandem.product.selectors import product_visible

    return get_object_or_404(product_visible(user=user).select_related("manager", "team"), pk=pk)


def feature_for_roadmap(*, user: User, pk: int) -> Feature:
    return get_object_or_404(feature_visible(user=user).select_related("product", "release"), pk=pk)
