"""`{% feature_badges feature %}`: a feature's confidence and visibility as badges, for the Django
templates and (as `feature_badges()`) the Jinja2 lists alike."""

import functools
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from tandem.product.models import Feature

register = template.Library()

CONFIDENCE_CLASSES: dict[str, str] = {
    Feature.Confidence.COMMITTED: "text-bg-success",
    Feature.Confidence.LIKELY: "text-bg-primary",
}
VISIBILITY_CLASSES: dict[str, str] = {
    Feature.Visibility.INTERNAL: "text-bg-dark",
    Feature.Visibility.SALES: "text-bg-info",
}
VISIBILITY_ICONS: dict[str, str] = {Feature.Visibility.INTERNAL: "bi-lock", Feature.Visibility.SALES: "bi-people"}


@register.simple_tag
def feature_badges(feature: Any) -> SafeString:
    return _badges(feature.confidence, feature.visibility)


@functools.lru_cache(maxsize=16)
def _badges(confidence: str, visibility: str) -> SafeString:
    """Nine pairs in all: each drawn once per process (a roadmap page draws 150 of them)."""
    return format_html(
        '<span class="badge rounded-pill {}" title="Confidence">{}</span>\n'
        '<span class="badge rounded-pill {}" title="Visibility"><i class="bi {}"></i> {}</span>',
        CONFIDENCE_CLASSES.get(confidence, "text-bg-secondary"),
        Feature.Confidence(confidence).label,
        VISIBILITY_CLASSES.get(visibility, "text-bg-light border"),
        VISIBILITY_ICONS.get(visibility, "bi-globe"),
        Feature.Visibility(visibility).label,
    )
