"""The decision sections of the feature and ask pages, each drawn by one tag so the pages need one line."""

from typing import Any

from django import template

from tandem.asks.models import Ask
from tandem.decisions.sections import ask_decision_section, feature_decision_section
from tandem.product.models import Feature

register = template.Library()


@register.inclusion_tag("decisions/partials/_feature_decisions.html", takes_context=True)
def feature_decisions(context: dict[str, Any], feature: Feature) -> dict[str, Any]:
    request = context["request"]
    return {"csrf_token": context.get("csrf_token"), **feature_decision_section(user=request.user, feature=feature)}


@register.inclusion_tag("decisions/partials/_ask_decisions.html", takes_context=True)
def ask_decisions(context: dict[str, Any], ask: Ask) -> dict[str, Any]:
    request = context["request"]
    return {"csrf_token": context.get("csrf_token"), **ask_decision_section(user=request.user, ask=ask)}
