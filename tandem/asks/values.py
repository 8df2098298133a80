"""Each ask's value (`Ask.value_home`): what it is worth to sales, in the home currency.

The rule: the home amount of the ask's deal, or, for an ask with no deal, the annual revenue of its
account (0 when neither). It is stored on the ask, not computed through a join per request, so the
triage inbox walks the `ask_status_value` index for "most valuable first". The services that change
a deal's home amount, an account's annual revenue, or an ask's deal or account call these
functions in their transaction; each is one UPDATE over the asks concerned, never a loop per ask.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from tandem.asks.models import Ask
from tandem.core.models import money_field
from tandem.sales.models import Account, Opportunity

# The rule as an expression over the ask being written (the outer row of an UPDATE).
ASK_VALUE_RULE = Coalesce(
    Subquery(Opportunity.objects.filter(pk=OuterRef("opportunity_id")).values("amount_home")[:1]),
    Subquery(Account.objects.filter(pk=OuterRef("account_id")).values("annual_revenue")[:1]),
    Value(Decimal("0")),
    output_field=money_field(),
)


def ask_values_refresh(*, asks: QuerySet[Ask]) -> int:
    """Recompute the value of these asks from their deal and account, in one statement; returns how many."""
    return asks.update(value_home=ASK_VALUE_RULE)


def ask_values_follow_deals(*, opportunity_ids: Iterable[int]) -> int:
    """These deals' home amounts changed: their asks take the new amounts."""
    return ask_values_refresh(asks=Ask.objects.filter(opportunity_id__in=list(opportunity_ids)))


def ask_values_follow_accounts(*, account_ids: Iterable[int]) -> int:
    """These accounts' annual revenue changed, or a deal of theirs went away: their asks without a
    deal take the account's revenue (asks on a deal keep the deal's amount)."""
    return ask_values_refresh(asks=Ask.objects.filter(account_id__in=list(account_ids), opportunity__isnull=True))


def ask_value_for_new_ask(*, account: Account, opportunity: Opportunity | None) -> Decimal:
    """The value of an ask about to be logged on this deal (or, without one, this account), read
    from the database with that row locked until the transaction ends.

    The lock orders the new ask with a concurrent change of the amount or revenue: that change
    waits, then its UPDATE of the deal's or account's asks sees the new ask too; or this read waits
    and gets the changed amount. Without it the new ask could keep the amount from before.
    """
    if opportunity is not None:
        deal = Opportunity.objects.select_for_update(no_key=True).filter(pk=opportunity.pk)
        return deal.values_list("amount_home", flat=True).get()
    company = Account.objects.select_for_update(no_key=True).filter(pk=account.pk)
    return company.values_list("annual_revenue", flat=True).get()
