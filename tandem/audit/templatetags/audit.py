from typing import Any

from django import template

from tandem.audit.display import changes_shown
from tandem.audit.selectors import deal_history
from tandem.sales.models import Opportunity

register = template.Library()


@register.inclusion_tag("audit/partials/_deal_history.html", takes_context=True)
def deal_changes(context: template.Context, deal: Opportunity) -> dict[str, Any]:
    """The deal page's history of stage, amount, owner, close date and forecast, for whoever sees the deal."""
    user = context["request"].user
    entries = deal_history(user=user, deal=deal)
    return {"rows": [{"entry": entry, "changes": changes_shown(entry)} for entry in entries]}
