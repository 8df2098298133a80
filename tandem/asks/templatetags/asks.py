"""How an ask's status reads on every page: one badge, the same words for every role."""

import functools

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from tandem.asks.models import LOOP_STATUS_LABELS, Ask
from tandem.core import formats

register = template.Library()

STATUS_CLASSES = {
    "new": "text-bg-warning",
    "linked": "text-bg-info",
    "merged": "text-bg-secondary",
    "planned": "text-bg-primary",
    "needs_info": "text-bg-warning",
    "later": "text-bg-secondary",
    "declined": "text-bg-danger",
    "shipped": "text-bg-success",
    "closed": "text-bg-light border",
}


def ask_status_detail(ask: Ask) -> str:
    """What the status says about the ask's feature: its release, when it shipped."""
    feature = ask.feature
    release = feature.release if feature is not None else None
    if ask.loop_status == "shipped" and release is not None:
        return f"in {release.name}, {formats.date_short(release.shipped_at)}"
    if ask.loop_status == "planned" and release is not None:
        return f"for {release.name}"
    return ""


@register.simple_tag
def ask_status_badge(ask: Ask) -> SafeString:
    """The ask's status as a badge, with its release when planned or shipped (its title says more)."""
    return _badge(ask.loop_status, ask_status_detail(ask))


@functools.lru_cache(maxsize=512)
def _badge(status: str, detail: str) -> SafeString:
    label = LOOP_STATUS_LABELS[status]
    return format_html(
        '<span class="badge {}" data-status="{}" title="{}">{}</span>',
        STATUS_CLASSES[status],
        status,
        f"{label} {detail}".strip(),
        f"{label} {detail}".strip() if status in ("planned", "shipped") and detail else label,
    )
