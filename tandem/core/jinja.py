"""The Jinja2 environment of the list tables (`*.jinja` files in each app's `jinja2/` folder).

Pages are Django templates; the 50-row tables the list pages swap through htmx are Jinja2, which
compiles a template to Python and renders such a table four to five times faster: the tables were
half of a list page's CPU (docs/architecture.md, "Templates"). The helpers are the very functions
the Django templates use as tags and filters, so both languages draw a row the same way.
"""

import datetime
import functools
from typing import Any

from django.template import defaultfilters
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from jinja2 import Environment
from markupsafe import Markup, escape

from tandem.asks.templatetags.asks import ask_status_badge
from tandem.core import formats
from tandem.core.listing import ListPage
from tandem.core.templatetags.tandem import record_url, sort_th
from tandem.product.templatetags.features import feature_badges
from tandem.sales.templatetags.sales import forecast_badge, stage_badge


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


@functools.lru_cache(maxsize=1024)
def date_short(value: datetime.date | None) -> str:
    """A list's days repeat (deals closing at the end of a month): each is formatted once per process.
    Moments in time are converted to the user's time zone first, so only plain days are cached."""
    return formats.date_short(value)


def _date_short(value: datetime.date | None) -> str:
    if isinstance(value, datetime.datetime):
        return formats.date_short(value)
    return date_short(value)


def linebreaksbr(value: str) -> Markup:
    """Django's `|linebreaksbr`: the text escaped, each line break a `<br>`, without Django's lazy
    wrappers (a third of the sales roadmap's table, two talking points a row)."""
    lines = escape(value.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    return Markup("<br>").join(lines)


def pager(page: ListPage[Any]) -> SafeString:
    """One per page, so the Django template of the pager serves both languages."""
    # A rendered Django template, escaped as it rendered.
    return mark_safe(render_to_string("core/partials/_pager.html", {"page": page}))


def environment(**options: Any) -> Environment:
    env = Environment(**options)  # Django's backend turns autoescape on
    env.globals.update(
        url=url,
        record_url=record_url,
        sort_th=sort_th,
        pager=pager,
        stage_badge=stage_badge,
        ask_status_badge=ask_status_badge,
        forecast_badge=forecast_badge,
        feature_badges=feature_badges,
    )
    env.filters.update(
        # tandem/core/formats.py, as in the Django templates
        money=formats.money,
        money_compact=formats.money_compact,
        number=formats.number,
        percent=formats.percent,
        percent_of=formats.percent_of,
        date_short=_date_short,
        datetime_short=formats.datetime_short,
        truncatechars=defaultfilters.truncatechars,
        linebreaksbr=linebreaksbr,
        urlencode=defaultfilters.urlencode,
    )
    return env
