"""The deal page's competition card: the battlecard of the competitor the deal names, the intel
logged on the deal with a form to log more in seconds, and on a lost deal the features cited."""

from typing import Any

from django import template

from tandem.competition.forms import FieldIntelForm, LossFeatureForm
from tandem.competition.permissions import CompetitionPermission
from tandem.competition.selectors import (
    battlecard_visible,
    competitor_visible,
    field_intel_visible,
    loss_feature_changeable,
    loss_feature_visible,
)
from tandem.core.permissions import has_permission
from tandem.core.roles import Role
from tandem.people.models import User
from tandem.product.models import Feature
from tandem.sales.models import Account, Opportunity
from tandem.sales.selectors import opportunity_changeable

register = template.Library()
P = CompetitionPermission


def deal_competition_context(
    user: User, deal: Opportunity, *, intel_form: FieldIntelForm | None = None
) -> dict[str, Any]:
    can_log = has_permission(user, P.LOG_INTEL)
    if can_log and intel_form is None:
        intel_form = FieldIntelForm(
            competitors=competitor_visible(user=user), initial={"competitor": deal.competitor_id}
        )
    lost = deal.stage.is_lost
    citations = (
        list(
            loss_feature_visible(user=user)
            .filter(opportunity=deal)
            .select_related("feature")
            .order_by("feature__title")
        )
        if lost
        else []
    )
    may_cite = (
        lost
        and has_permission(user, P.CITE_LOSS_FEATURES)
        and (user.role == Role.PRODUCT_MANAGER or opportunity_changeable(user=user).filter(pk=deal.pk).exists())
    )
    withdrawable = (
        set(loss_feature_changeable(user=user).filter(pk__in=[c.pk for c in citations]).values_list("pk", flat=True))
        if may_cite
        else set()
    )
    intel = list(field_intel_visible(user=user).filter(opportunity=deal).select_related("competitor", "author")[:10])
    # The competitors present on the deal: the one it names, and those heard of on it.
    present = {entry.competitor_id for entry in intel} | ({deal.competitor_id} if deal.competitor_id else set())
    return {
        "deal": deal,
        "battlecards": list(
            battlecard_visible(user=user)
            .filter(competitor_id__in=present)
            .select_related("competitor")
            .order_by("competitor__name")
        )
        if present
        else [],
        "intel": intel,
        "intel_form": intel_form if can_log else None,
        "lost": lost,
        "citations": citations,
        "withdrawable": withdrawable,
        "cite_form": LossFeatureForm(features=Feature.objects.none()) if may_cite else None,
    }


@register.inclusion_tag("competition/partials/_deal_competition.html", takes_context=True)
def deal_competition(context: template.Context, deal: Opportunity) -> dict[str, Any]:
    request = context["request"]
    return {**deal_competition_context(request.user, deal), "request": request, "csrf_token": context.get("csrf_token")}


def account_competition_context(
    user: User, account: Account, *, intel_form: FieldIntelForm | None = None
) -> dict[str, Any]:
    can_log = has_permission(user, P.LOG_INTEL)
    if can_log and intel_form is None:
        intel_form = FieldIntelForm(competitors=competitor_visible(user=user))
    intel = field_intel_visible(user=user).filter(account=account).select_related("competitor", "author", "opportunity")
    return {
        "account": account,
        "intel": list(intel.order_by("-created_at", "-id")[:10]) if has_permission(user, P.VIEW_INTEL) else [],
        "intel_form": intel_form if can_log else None,
    }


@register.inclusion_tag("competition/partials/_account_competition.html", takes_context=True)
def account_competition(context: template.Context, account: Account) -> dict[str, Any]:
    request = context["request"]
    return {
        **account_competition_context(request.user, account),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
