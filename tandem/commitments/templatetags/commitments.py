"""The commitments card of the deal, account and feature pages, each drawn by one tag so the pages need one line."""

from typing import Any

from django import template
from django.urls import reverse

from tandem.commitments.permissions import CommitmentsPermission
from tandem.commitments.selectors import commitments_of
from tandem.commitments.views import section
from tandem.core.permissions import has_permission
from tandem.product.models import Feature
from tandem.sales.models import Account, Opportunity
from tandem.sales.selectors import opportunity_changeable

register = template.Library()
CARD = "commitments/partials/_commitments_card.html"


@register.inclusion_tag(CARD, takes_context=True)
def deal_commitments(context: dict[str, Any], deal: Opportunity) -> dict[str, Any]:
    user = context["request"].user
    may_ask = (
        has_permission(user, CommitmentsPermission.ASK_COMMITMENT)
        and opportunity_changeable(user=user).filter(pk=deal.pk).exists()
    )
    ask_url = reverse("commitments:commitment_ask", kwargs={"opportunity": deal.pk}) if may_ask else None
    rows = commitments_of(user=user, opportunity_id=deal.pk)
    # A lost deal's open commitments are offered for withdrawal (their page has the reason written in).
    return {**section(user=user, rows=rows, ask_url=ask_url), "on": "deal", "deal_lost": deal.stage.is_lost}


@register.inclusion_tag(CARD, takes_context=True)
def account_commitments(context: dict[str, Any], account: Account) -> dict[str, Any]:
    user = context["request"].user
    return {**section(user=user, rows=commitments_of(user=user, account_id=account.pk)), "on": "account"}


@register.inclusion_tag(CARD, takes_context=True)
def feature_commitments(context: dict[str, Any], feature: Feature) -> dict[str, Any]:
    user = context["request"].user
    if not has_permission(user, CommitmentsPermission.VIEW_COMMITMENTS):
        return {"hidden": True}
    return {**section(user=user, rows=commitments_of(user=user, feature_id=feature.pk)), "on": "feature"}
