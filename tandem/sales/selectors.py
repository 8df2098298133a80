"""Reads of the sales domain. Every read starts from a `*_visible` selector.

Who sees which deal: a rep their own; a sales manager their teams'; product managers, executives
and admins all (they weigh the revenue behind asks); engineering leads none.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404

from tandem.core.roles import Role
from tandem.core.selectors import record_for_change
from tandem.people.models import User
from tandem.people.selectors import UserIds, sees_everything_in_pipeline, team_member_ids
from tandem.sales.models import Account, Contact, DealContact, Opportunity, Quota, RepMonthFigures, Stage, StageChange

# A deal's amount weighted by its probability, in the home currency: the forecast's unit.
WEIGHTED = ExpressionWrapper(
    F("amount_home") * F("probability") / 100, output_field=DecimalField(max_digits=18, decimal_places=2)
)


def _owners_for(user: User) -> UserIds | None:
    """The owners whose records this user sees, or None for everyone."""
    if sees_everything_in_pipeline(user):
        return None
    if user.role == Role.SALES_MANAGER:
        return team_member_ids(manager=user)
    if user.role == Role.REP:
        return [user.pk]
    return []


def opportunity_visible(*, user: User) -> QuerySet[Opportunity]:
    owners = _owners_for(user)
    qs = Opportunity.objects.all()
    return qs if owners is None else qs.filter(owner__in=owners)


def opportunity_seen_by(*, user: User, owner_id: int | None) -> bool:
    """The deal rule for one deal known by its owner: whether this user sees a deal of theirs.

    What reaches a user through another record (an ask on their account logged on a colleague's
    deal) shows the deal only when this holds: otherwise that there is a deal, not its name or amount.
    """
    owners = _owners_for(user)
    return owners is None or owner_id in owners


def opportunity_seen(*, user: User, owner: str = "opportunity__owner") -> Q | None:
    """The same rule as a condition on a related deal's owner (`owner` names the path to it), for
    rows that reach deals through another record; None when the user sees every deal."""
    owners = _owners_for(user)
    return None if owners is None else Q(**{f"{owner}__in": owners})


def account_visible(*, user: User) -> QuerySet[Account]:
    """A rep sees the accounts they own and the accounts of their deals; a manager their team's."""
    owners = _owners_for(user)
    qs = Account.objects.all()
    if owners is None:
        return qs
    return qs.filter(Q(owner__in=owners) | Q(pk__in=Opportunity.objects.filter(owner__in=owners).values("account_id")))


def contact_visible(*, user: User) -> QuerySet[Contact]:
    return Contact.objects.filter(account__in=account_visible(user=user))


def deal_contact_visible(*, user: User) -> QuerySet[DealContact]:
    """Who plays which part on a deal follows the deal: whoever sees the deal sees its people."""
    return DealContact.objects.filter(opportunity__in=opportunity_visible(user=user))


def deal_contact_rows(*, user: User, deal: Opportunity) -> QuerySet[DealContact]:
    return deal_contact_visible(user=user).filter(opportunity=deal).select_related("contact").order_by("role", "id")


def quiet_deals(*, stale_after_days: int, now: datetime.datetime) -> Q:
    """Open deals with no stage move, note, call or meeting in the last `stale_after_days` days."""
    cutoff = now - datetime.timedelta(days=stale_after_days)
    return Q(closed_at__isnull=True) & (
        Q(last_activity_at__lt=cutoff) | Q(last_activity_at__isnull=True, created_at__lt=cutoff)
    )


def stage_visible(*, user: User) -> QuerySet[Stage]:
    """The stage list is workspace configuration: everyone sees it."""
    return Stage.objects.all()


def stage_change_visible(*, user: User) -> QuerySet[StageChange]:
    return StageChange.objects.filter(opportunity__in=opportunity_visible(user=user))


def quota_visible(*, user: User) -> QuerySet[Quota]:
    """Executives and admins see every quota; a manager their own, their teams' and members'; a rep their own."""
    if user.role in (Role.EXECUTIVE, Role.ADMIN):
        return Quota.objects.all()
    if user.role == Role.SALES_MANAGER:
        return Quota.objects.filter(Q(user__in=team_member_ids(manager=user)) | Q(team__manager=user))
    if user.role == Role.REP:
        return Quota.objects.filter(user=user)
    return Quota.objects.none()


def opportunity_get(*, user: User, pk: int) -> Opportunity:
    return get_object_or_404(opportunity_visible(user=user).select_related("account", "owner", "stage"), pk=pk)


def account_get(*, user: User, pk: int) -> Account:
    return get_object_or_404(account_visible(user=user).select_related("owner", "territory"), pk=pk)


# Of the related records a deal row shows, only what it shows: a row otherwise carries the whole
# account and user (password hash, dates) through the driver and into model objects.
OPPORTUNITY_ROW_RELATED = (
    "account__name",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "stage__name",
    "stage__is_won",
    "stage__is_lost",
    "competitor__name",
)


def opportunity_rows(*, user: User) -> QuerySet[Opportunity]:
    """Visible deals ready for a list (page or API): one query, no per-row lookups."""
    own_fields = [field.name for field in Opportunity._meta.concrete_fields]
    return (
        opportunity_visible(user=user)
        .select_related("account", "owner", "stage", "competitor")
        .only(*own_fields, *OPPORTUNITY_ROW_RELATED)
    )


# The board: deals as cards in stage columns.

BOARD_CARDS = 20  # cards a column shows at first, and each "Show more" adds
BOARD_ORDER = ("close_date", "id")


@dataclass
class BoardColumn:
    stage: Stage
    count: int
    amount: Decimal
    weighted: Decimal
    cards: list[Opportunity]

    @property
    def remaining(self) -> int:
        return self.count - len(self.cards)


def board_deals(deals: QuerySet[Opportunity], *, closed_since: datetime.datetime) -> QuerySet[Opportunity]:
    """The deals a board shows: every open one, and those closed (won or lost) since `closed_since`
    (the start of the fiscal quarter), so the closed columns hold this quarter's results, not all history."""
    return deals.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=closed_since))


def board_columns(deals: QuerySet[Opportunity]) -> list[BoardColumn]:
    """One column per stage, in the sales process's order, each with its count and sums over all its
    deals and its first cards: three queries (stages, sums, cards) whatever the number of stages or deals."""
    sums = {
        row["stage_id"]: row
        for row in deals.order_by()
        .values("stage_id")
        .annotate(count=Count("id"), amount=Sum("amount_home"), weighted=Sum(WEIGHTED))
    }
    # Each column's first cards are picked on the deals alone, and only those join their account, owner
    # and stage: ranking the joined rows made PostgreSQL read every account to rank a manager's 2,500 deals.
    position = Window(RowNumber(), partition_by=[F("stage_id")], order_by=[F(name).asc() for name in BOARD_ORDER])
    first = deals.order_by().annotate(position=position).filter(position__lte=BOARD_CARDS).values_list("pk", flat=True)
    cards: dict[int, list[Opportunity]] = {}
    for deal in deals.filter(pk__in=list(first)).order_by("stage_id", *BOARD_ORDER):
        cards.setdefault(deal.stage_id, []).append(deal)
    empty: dict[str, Any] = {"count": 0, "amount": None, "weighted": None}
    columns = []
    for stage in Stage.objects.order_by("order"):
        figures = sums.get(stage.pk, empty)
        columns.append(
            BoardColumn(
                stage=stage,
                count=figures["count"],
                amount=figures["amount"] or Decimal(0),
                weighted=figures["weighted"] or Decimal(0),
                cards=cards.get(stage.pk, []),
            )
        )
    return columns


def board_column_cards(deals: QuerySet[Opportunity], *, stage: Stage, after: int) -> list[Opportunity]:
    """The next cards of one column, after the first `after`."""
    return list(deals.filter(stage=stage).order_by(*BOARD_ORDER)[after : after + BOARD_CARDS])


# Write rules: what each user may change. Seeing a record through a related one is not owning it:
# a rep sees the account of a deal they have on a colleague's account, and may not change it.


def _changers(user: User) -> UserIds | None:
    """The owners whose records this user may change, or None for everyone: a rep their own, a sales
    manager their teams', an admin all. Product, engineering and executives read the pipeline only."""
    if user.role == Role.ADMIN:
        return None
    if user.role == Role.SALES_MANAGER:
        return team_member_ids(manager=user)
    if user.role == Role.REP:
        return [user.pk]
    return []


def account_changeable(*, user: User) -> QuerySet[Account]:
    owners = _changers(user)
    return Account.objects.all() if owners is None else Account.objects.filter(owner__in=owners)


def contact_changeable(*, user: User) -> QuerySet[Contact]:
    """A contact is changed by whoever may change its account."""
    owners = _changers(user)
    return Contact.objects.all() if owners is None else Contact.objects.filter(account__owner__in=owners)


def opportunity_changeable(*, user: User) -> QuerySet[Opportunity]:
    owners = _changers(user)
    return Opportunity.objects.all() if owners is None else Opportunity.objects.filter(owner__in=owners)


def rep_month_figures_visible(*, user: User) -> QuerySet[RepMonthFigures]:
    """A rep's month of deals is seen by whoever sees that rep's deals: it is their sum."""
    owners = _owners_for(user)
    qs = RepMonthFigures.objects.all()
    return qs if owners is None else qs.filter(owner__in=owners)


def rep_month_figures_changeable(*, user: User) -> QuerySet[RepMonthFigures]:
    """Written by the database's triggers on deals alone (tandem/sales/month_figures.py)."""
    return RepMonthFigures.objects.none()


def deal_contact_changeable(*, user: User) -> QuerySet[DealContact]:
    """The people on a deal are changed by whoever may change the deal."""
    return DealContact.objects.filter(opportunity__in=opportunity_changeable(user=user))


def stage_changeable(*, user: User) -> QuerySet[Stage]:
    """The sales process is configuration: admins change it."""
    return Stage.objects.all() if user.role == Role.ADMIN else Stage.objects.none()


def stage_change_changeable(*, user: User) -> QuerySet[StageChange]:
    """The stage history records what happened: nobody rewrites it."""
    return StageChange.objects.none()


def quota_changeable(*, user: User) -> QuerySet[Quota]:
    """Executives and admins set every quota; a sales manager their teams' and members'."""
    if user.role in (Role.EXECUTIVE, Role.ADMIN):
        return Quota.objects.all()
    if user.role == Role.SALES_MANAGER:
        return Quota.objects.filter(Q(user__in=team_member_ids(manager=user)) | Q(team__manager=user))
    return Quota.objects.none()


OWNER_REFUSAL = "Only its owner, their sales manager or an admin may change this {}."


def account_for_change(*, user: User, pk: int, lock: bool = False) -> Account:
    """An account to change or delete: 404 unseen, 403 seen but not the user's to change."""
    visible = account_visible(user=user).select_related("owner", "territory")
    account = record_for_change(
        visible=visible, changeable=account_changeable(user=user), pk=pk, refusal=OWNER_REFUSAL.format("account")
    )
    return Account.objects.select_for_update().get(pk=account.pk) if lock else account


def contact_for_change(*, user: User, pk: int, lock: bool = False) -> Contact:
    visible = contact_visible(user=user).select_related("account")
    refusal = "Only the account's owner, their sales manager or an admin may change its contacts."
    contact = record_for_change(visible=visible, changeable=contact_changeable(user=user), pk=pk, refusal=refusal)
    return Contact.objects.select_for_update().get(pk=contact.pk) if lock else contact


def opportunity_for_change(*, user: User, pk: int, lock: bool = False) -> Opportunity:
    visible = opportunity_visible(user=user).select_related("account", "owner", "stage")
    deal = record_for_change(
        visible=visible, changeable=opportunity_changeable(user=user), pk=pk, refusal=OWNER_REFUSAL.format("deal")
    )
    return Opportunity.objects.select_for_update().select_related("stage").get(pk=deal.pk) if lock else deal


def deal_contact_for_change(*, user: User, pk: int, lock: bool = False) -> DealContact:
    refusal = "Only the deal's owner, their sales manager or an admin may change who is on it."
    deal_contact = record_for_change(
        visible=deal_contact_visible(user=user), changeable=deal_contact_changeable(user=user), pk=pk, refusal=refusal
    )
    return DealContact.objects.select_for_update().get(pk=deal_contact.pk) if lock else deal_contact
