"""The deal page's calls card: the customer calls opened on the deal to product managers, and the
form to open one for those who may change the deal."""

from typing import Any

from django import template

from tandem.calls.forms import CustomerCallForm
from tandem.calls.permissions import CallsPermission
from tandem.calls.selectors import calls_on_deal
from tandem.core.permissions import has_permission
from tandem.sales.models import Opportunity
from tandem.sales.selectors import opportunity_changeable

register = template.Library()


@register.inclusion_tag("calls/partials/_deal_calls.html", takes_context=True)
def deal_calls(context: template.Context, deal: Opportunity) -> dict[str, Any]:
    user = context["request"].user
    if not has_permission(user, CallsPermission.VIEW_CALLS):
        return {"deal": deal, "hidden": True}
    may_open = (
        has_permission(user, CallsPermission.OPEN_CALL)
        and deal.closed_at is None
        and opportunity_changeable(user=user).filter(pk=deal.pk).exists()
    )
    return {
        "deal": deal,
        "calls": list(calls_on_deal(user=user, deal=deal)[:10]),
        "call_form": CustomerCallForm() if may_open else None,
        "csrf_token": context.get("csrf_token"),
    }
