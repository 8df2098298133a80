import functools
from typing import Any

from django import template
from django.template import engines
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from tandem.core import formats
from tandem.core.listing import Column, ListPage

register = template.Library()

RECORD_PLACEHOLDER = 987654321


# The format module's functions, as filters: `{{ deal.amount|money:deal.currency }}`,
# `{{ deal.close_date|date_short }}` (tandem/core/formats.py says how each reads).
register.filter("money", formats.money)
register.filter("money_compact", formats.money_compact)
register.filter("number", formats.number)
register.filter("percent", formats.percent)
register.filter("percent_of", formats.percent_of)
register.filter("date_short", formats.date_short)
register.filter("date_long", formats.date_long)
register.filter("datetime_short", formats.datetime_short)
register.filter("datetime_long", formats.datetime_long)


@functools.cache
def _record_url_pattern(name: str) -> str:
    return reverse(name, kwargs={"pk": RECORD_PLACEHOLDER}).replace(str(RECORD_PLACEHOLDER), "{pk}")


@register.simple_tag
def record_url(name: str, pk: int) -> str:
    """`{% url name pk %}` for table rows: the URL pattern is reversed once per process, not per row,
    because reversing is the largest cost of rendering a 50-row list (measured by bench/)."""
    return _record_url_pattern(name).format(pk=int(pk))


@register.simple_tag
def sort_th(page: ListPage[Any], column: Column) -> str:
    """A table header that sorts the list (through htmx when present), showing the current order."""
    classes = "text-end" if column.numeric else ""
    if not column.order:
        return format_html('<th scope="col" class="{}">{}</th>', classes, column.label)
    if page.sort == column.key:
        icon, aria = "bi-caret-up-fill", "ascending"
    elif page.sort == f"-{column.key}":
        icon, aria = "bi-caret-down-fill", "descending"
    else:
        icon, aria = "", "none"
    return format_html(
        '<th scope="col" class="{}" aria-sort="{}"><a href="{}" hx-get="{}" hx-target="#list" hx-push-url="true">'
        '{} <i class="bi {}"></i></a></th>',
        classes,
        aria,
        page.sort_link(column),
        page.sort_link(column),
        column.label,
        icon,
    )


@register.inclusion_tag("core/partials/_pager.html")
def pager(page: ListPage[Any]) -> dict[str, Any]:
    return {"page": page}


@register.simple_tag(takes_context=True)
def jinja(context: template.Context, template_name: str, **extra: Any) -> SafeString:
    """Include a Jinja2 template (a list table or the navbar, see tandem/core/jinja.py) with this
    template's context and any `name=value` given, as `{% include … with … %}` would."""
    table = engines["jinja2"].get_template(template_name)
    values: dict[str, Any] = {str(key): value for key, value in context.flatten().items()}
    values.update(extra)
    return mark_safe(table.render(values, context.get("request")))  # escaped by Jinja2 as it rendered


@register.inclusion_tag("core/partials/_export.html", takes_context=True)
def export_menu(context: template.Context, form: str = "") -> dict[str, Any]:
    """The "Export" menu of a list: its CSV and XLSX as filtered now. The links carry the page's
    query; with `form` (the filter form's id) `export.js` reads the filters as they are at the click,
    since htmx changes them without reloading the page."""
    query = context["request"].GET.copy()
    for key in ("page", "export", "totals"):
        query.pop(key, None)
    links = []
    for chosen, label in (("csv", "CSV"), ("xlsx", "Excel (XLSX)")):
        query["export"] = chosen
        links.append({"format": chosen, "label": label, "url": "?" + query.urlencode()})
    return {"links": links, "form": form}
