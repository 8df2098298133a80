"""Release dates as the reader may know them (`product.selectors.date_shared_with_sales`):
`{% release_when feature %}` where a feature's planned release stands, `{% release_target release shared %}`
a release's target day or fiscal quarter."""

from collections.abc import Collection
from typing import Any

from django import template

from tandem.core import formats
from tandem.core.fiscal import fiscal_quarter_of
from tandem.core.money import workspace_get
from tandem.core.roles import SALES_ROLES
from tandem.product.models import Feature, Release
from tandem.product.selectors import SHAREABLE, date_shared_with_sales, release_target_for

register = template.Library()


def release_when_for(user: Any, feature: Feature) -> str:
    """Product and everyone outside sales read the release and its target date. Sales reads them as
    the sales roadmap says them: the date only of a committed, shareable feature; a likely or
    exploring one's fiscal quarter; nothing of an internal one's plan (it reaches sales only through
    their customers' asks, and is not for promising)."""
    release = feature.release
    if release is None:
        return "Not scheduled"
    precise = user.role not in SALES_ROLES or date_shared_with_sales(
        confidence=feature.confidence, visibility=feature.visibility
    )
    if precise or release.status == "shipped":
        return f"{release.name}, target {formats.date_short(release.target_date)}"
    if feature.visibility not in SHAREABLE:
        return "a release not yet shared with sales"
    quarter = fiscal_quarter_of(release.target_date, workspace_get().fiscal_year_start_month)
    return f"{quarter} ({feature.get_confidence_display().lower()}: the date may move)"


@register.simple_tag(takes_context=True)
def release_when(context: template.Context, feature: Feature) -> str:
    return release_when_for(context["request"].user, feature)


@register.simple_tag
def release_target(release: Release, shared: Collection[int]) -> str:
    return release_target_for(release, shared)
