from typing import Any

from django import template

from tandem.audit.display import changes_shown
from tandem.audit.selectors import deal_history, launch_history
from tandem.launches.models import LaunchPlan
from tandem.sales.models import Opportunity

register = template.Library()


@register.inclusion_tag("audit/partials/_deal_history.html", takes_context=True)
def deal_changes(context: template.Context, deal: Opportunity) -> dict[str, Any]:
    """The deal page's history of stage, amount, owner, close date and forecast, for whoever sees the deal."""
    user = context["request"].user
    entries = deal_history(user=user, deal=deal)
    return {"rows": [{"entry": entry, "changes": changes_shown(entry)} for entry in entries], "testid": "deal-changes"}


@register.inclusion_tag("audit/partials/_deal_history.html", takes_context=True)
def launch_changes(context: template.Context, plan: LaunchPlan) -> dict[str, Any]:
    """The launch page's history: who changed its plan, its checklist tasks and its metrics, and when."""
    entries = launch_history(user=context["request"].user, plan=plan)
    rows = [{"entry": entry, "changes": changes_shown(entry), "record": entry.record_label} for entry in entries]
    return {"rows": rows, "testid": "launch-changes"}
