"""How Tandem writes money, dates, numbers and percentages, everywhere people read them.

Templates (Django filters in `templatetags/tandem.py`), the Jinja list tables (`jinja.py`), emails
and notification texts all call these functions; the charts' script mirrors them
(`static/js/formats.js`). `tandem/core/tests/test_formats.py` fails when a template, table, chart or
message formats a figure some other way.

- Money always shows its currency: "510,000 USD". From WHOLE_UNITS_FROM on, whole units
  ("12,480 USD"); below, cents when there are any ("99.50 USD"). The compact form, for cards and
  charts, keeps its currency too: "1.5M USD".
- Dates have one short form, "3 Dec 2026", and one long form, "Thursday 3 December 2026"; a time
  is added as "3 Dec 2026, 14:02". Times are shown in the user's time zone (the middleware
  activates it); dates of the calendar (close dates, due dates) are shown as they are.
- Numbers have thousands separators ("1,800"); percentages are whole unless asked ("20%").
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone

MISSING = "—"
# Below this, amounts keep their cents (a price, a fee); from it on, cents are noise in a pipeline.
WHOLE_UNITS_FROM = Decimal(1000)
_COMPACT = ((Decimal(10**9), "B"), (Decimal(10**6), "M"), (Decimal(10**3), "K"))
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS_LONG = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DAYS_LONG = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Number = Decimal | int | float


def _decimal(value: Number | str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None


def money(amount: Number | None, currency: object) -> str:
    """12480 → '12,480 USD'; 99.5 → '99.50 USD'; None → '—'."""
    value = _decimal(amount)
    if value is None:
        return MISSING
    whole = abs(value) >= WHOLE_UNITS_FROM or value == value.to_integral_value()
    return f"{number(value, 0 if whole else 2)} {currency}".rstrip()


def money_compact(amount: Number | None, currency: object) -> str:
    """1_480_000 → '1.5M USD'; 950 → '950 USD'. For cards and charts, with money() in its title."""
    value = _decimal(amount)
    if value is None:
        return MISSING
    for limit, suffix in _COMPACT:
        if abs(value) >= limit:
            return f"{number(value / limit, 1).removesuffix('.0')}{suffix} {currency}".rstrip()
    return money(value.quantize(Decimal(1), rounding=ROUND_HALF_UP), currency)


def number(value: Number | None, places: int = 0) -> str:
    """1800 → '1,800'; with places, a measure: number(0.1234, 3) → '0.123'."""
    figure = _decimal(value)
    if figure is None:
        return MISSING
    rounded = figure.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{abs(rounded) if rounded == 0 else rounded:,}"  # never "-0"


def percent(fraction: Number | None, places: int = 0) -> str:
    """A share of 1: 0.2 → '20%'; percent(0.1234, 1) → '12.3%'."""
    figure = _decimal(fraction)
    if figure is None:
        return MISSING
    return f"{number(figure * 100, places)}%"


def percent_of(points: Number | None, places: int = 0) -> str:
    """A figure already in percent points: 20 → '20%' (a stage's probability, attainment)."""
    figure = _decimal(points)
    if figure is None:
        return MISSING
    return f"{number(figure, places)}%"


def _local(value: datetime.date) -> datetime.date:
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def date_short(value: datetime.date | None) -> str:
    """'3 Dec 2026' (a moment in time: its day in the user's time zone)."""
    if value is None:
        return MISSING
    day = _local(value)
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def date_long(value: datetime.date | None) -> str:
    """'Thursday 3 December 2026'."""
    if value is None:
        return MISSING
    day = _local(value)
    return f"{_DAYS_LONG[day.weekday()]} {day.day} {_MONTHS_LONG[day.month - 1]} {day.year}"


def month_short(value: datetime.date) -> str:
    """'Dec 2026': a chart's month."""
    return f"{_MONTHS[value.month - 1]} {value.year}"


def month_long(value: datetime.date) -> str:
    """'December 2026': a period named by its month."""
    return f"{_MONTHS_LONG[value.month - 1]} {value.year}"


def datetime_short(value: datetime.datetime | None) -> str:
    """'3 Dec 2026, 14:02' in the user's time zone."""
    if value is None:
        return MISSING
    moment = _local(value)
    assert isinstance(moment, datetime.datetime)
    return f"{date_short(moment)}, {moment:%H:%M}"


def datetime_long(value: datetime.datetime | None) -> str:
    """'Thursday 3 December 2026 at 14:02 (Europe/Paris)': for emails, read far from the app."""
    if value is None:
        return MISSING
    moment = _local(value)
    assert isinstance(moment, datetime.datetime)
    zone = timezone.get_current_timezone_name()
    return f"{date_long(moment)} at {moment:%H:%M} ({zone})"
