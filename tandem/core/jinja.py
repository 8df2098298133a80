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
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from jinja2 import Environment

from tandem.core.listing import ListPage
from tandem.core.templatetags.tandem import money, money_short, record_url, sort_th
from tandem.sales.templatetags.sales import forecast_badge, stage_badge


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def date(value: Any, arg: str | None = None) -> str:
    """Django's `date` filter, in the user's time zone as the Django template language converts it."""
    if isinstance(value, datetime.datetime):
        return defaultfilters.date(timezone.localtime(value) if timezone.is_aware(value) else value, arg)
    if isinstance(value, datetime.date):
        return _day(value, arg)
    return defaultfilters.date(value, arg)


@functools.lru_cache(maxsize=1024)
def _day(value: datetime.date, arg: str | None) -> str:
    """A list's days repeat (deals closing at the end of a month): each is formatted once per process."""
    return defaultfilters.date(value, arg)


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
        forecast_badge=forecast_badge,
    )
    env.filters.update(
        money=money,
        money_short=money_short,
        date=date,
        floatformat=defaultfilters.floatformat,
        truncatechars=defaultfilters.truncatechars,
        urlencode=defaultfilters.urlencode,
    )
    return env
