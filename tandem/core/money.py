"""Amounts in their own currency, totals in the home currency, exact to the cent."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

from tandem.core.logs import current_request
from tandem.core.models import ExchangeRate, Workspace

CENT = Decimal("0.01")


def workspace_get() -> Workspace:
    """The workspace's settings, read once per request: a page reads them in its view, its context
    processor and its formats. Outside a request (tasks, commands) every call reads them afresh."""
    request = current_request()
    workspace = getattr(request, "_workspace", None)
    if workspace is None:
        workspace, _ = Workspace.objects.get_or_create(id=1)
        if request is not None:
            request._workspace = workspace  # type: ignore[attr-defined]
    return workspace


def to_home_currency(*, amount: Decimal, currency: str, on: datetime.date, home_currency: str | None = None) -> Decimal:
    """Convert with the latest rate valid on `on`; raise a field error when no rate is known."""
    home = home_currency or workspace_get().home_currency
    if currency == home:
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    rate = (
        ExchangeRate.objects.filter(currency=currency, valid_from__lte=on)
        .order_by("-valid_from")
        .values_list("rate_to_home", flat=True)
        .first()
    )
    if rate is None:
        raise ValidationError({"currency": f"No exchange rate from {currency} to {home} on or before {on}."})
    return converted(amount, rate)


def converted(amount: Decimal, rate: Decimal) -> Decimal:
    """`amount` at `rate`, to the cent, halves rounded up: every home amount is computed here."""
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)
