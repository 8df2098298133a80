"""Badges drawn on every row of the deal lists: tags, not template includes, because an include per
row costs more than the row's database work (measured by bench/ on the opportunity list)."""

import functools

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from tandem.sales.models import Stage

register = template.Library()

FORECAST_CLASSES: dict[str, str] = {
    Stage.ForecastCategory.COMMIT: "text-bg-primary",
    Stage.ForecastCategory.BEST_CASE: "text-bg-info",
    Stage.ForecastCategory.CLOSED: "text-bg-success",
    Stage.ForecastCategory.OMITTED: "text-bg-light border",
}


@register.simple_tag
def stage_badge(stage: Stage) -> SafeString:
    return _stage_badge(stage.name, stage.is_won, stage.is_lost)


# A list draws the same few badges fifty times: each is built once per process (from its inputs
# alone, so a renamed stage is a new entry), not escaped and formatted again on every row.
@functools.lru_cache(maxsize=256)
def _stage_badge(name: str, is_won: bool, is_lost: bool) -> SafeString:
    if is_won:
        classes = "text-bg-success"
    elif is_lost:
        classes = "text-bg-danger"
    else:
        classes = "text-bg-primary bg-opacity-75"
    return format_html('<span class="badge rounded-pill {}">{}</span>', classes, name)


@register.simple_tag
@functools.lru_cache(maxsize=64)
def forecast_badge(category: str) -> SafeString:
    label = Stage.ForecastCategory(category).label if category in Stage.ForecastCategory.values else category
    return format_html('<span class="badge {}">{}</span>', FORECAST_CLASSES.get(category, "text-bg-secondary"), label)
