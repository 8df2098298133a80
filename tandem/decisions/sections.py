"""What the decision sections of the feature page and the ask page show, for one user.

Used by the template tags that draw the sections and by the views that redraw them after an htmx
post, so both show the same thing under the same rules.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from tandem.asks.models import Ask, Decision
from tandem.asks.selectors import decision_visible
from tandem.core.permissions import has_permission
from tandem.decisions.forms import DecisionForm, EscalationForm
from tandem.decisions.models import DecisionRight, DecisionType, Escalation
from tandem.decisions.permissions import DecisionsPermission
from tandem.decisions.rights import Subject, decision_rights_all, holders_text, holds_right
from tandem.decisions.selectors import decision_latest_unrestricted, escalation_visible
from tandem.decisions.services import ESCALATABLE
from tandem.people.models import User
from tandem.product.models import Feature

OUTCOME_TYPES = [DecisionType.PLANNED, DecisionType.DECLINED, DecisionType.NEEDS_INFO, DecisionType.LATER]
HISTORY_SHOWN = 20


@dataclass(frozen=True)
class RightLine:
    """One line of "who decides": the decision, who holds it here, whom to consult."""

    label: str
    holders: str
    consult: str
    mine: bool


def _lines(
    user: User, rights: dict[str, DecisionRight], types: list[DecisionType], subject: Subject
) -> list[RightLine]:
    return [
        RightLine(
            label=str(kind.label),
            holders=holders_text(rights[kind], subject),
            consult=", ".join(str(role.label) for role in rights[kind].roles("consulted_roles")),
            mine=holds_right(user, rights[kind], subject),
        )
        for kind in types
    ]


def feature_decision_section(*, user: User, feature: Feature, form: DecisionForm | None = None) -> dict[str, Any]:
    subject = Subject(product=feature.product, noun="this feature")
    lines = _lines(user, decision_rights_all(), OUTCOME_TYPES, subject)
    can_decide = any(line.mine for line in lines) and feature.status != Feature.Status.SHIPPED
    # Decisions on the feature's asks (an executive's ruling on an escalated ask above all) belong
    # to its history too. Two queries on two indexes rather than one OR across a join.
    on_feature = decision_visible(user=user).filter(feature=feature).select_related("decided_by", "release")
    on_asks = (
        decision_visible(user=user)
        .filter(ask__feature=feature)
        .select_related("decided_by", "release", "ask__account", "escalation")
    )
    newest = ("-decided_at", "-id")
    decisions = sorted(
        [*on_feature.order_by(*newest)[:HISTORY_SHOWN], *on_asks.order_by(*newest)[:HISTORY_SHOWN]],
        key=lambda decision: (decision.decided_at, decision.pk),
        reverse=True,
    )[:HISTORY_SHOWN]
    return {
        "feature": feature,
        "decisions": decisions,
        "right_lines": lines,
        "can_decide": can_decide,
        "decision_form": form if form is not None else (DecisionForm(product=feature.product) if can_decide else None),
    }


def ask_decision_section(
    *,
    user: User,
    ask: Ask,
    form: DecisionForm | None = None,
    escalation_form: EscalationForm | None = None,
) -> dict[str, Any]:
    """The ask's latest decision (its own or its feature's), its history, its escalation, and the
    forms the user may use: decide (or rule, when escalated) and escalate."""
    product = ask.feature.product if ask.feature is not None else None
    escalations = list(
        escalation_visible(user=user)
        .filter(ask=ask)
        .select_related("escalated_by", "executive", "ruling__decided_by")
        .order_by("-escalated_at", "-id")[:5]
    )
    open_escalation = next((e for e in escalations if e.status == Escalation.Status.OPEN), None)
    rights = decision_rights_all()
    subject = Subject(product=product, noun="this escalated ask" if open_escalation else "this ask")
    types = [DecisionType.ESCALATION_RULING] if open_escalation else OUTCOME_TYPES
    lines = _lines(user, rights, types, subject)
    can_decide = any(line.mine for line in lines)
    # A decision on the feature answers the ask, even when sales may not see that (internal) feature.
    latest: Decision | None = decision_latest_unrestricted(ask=ask)
    can_escalate = (
        has_permission(user, DecisionsPermission.ESCALATE)
        and open_escalation is None
        and latest is not None
        and latest.outcome in ESCALATABLE
    )
    history = list(
        decision_visible(user=user)
        .filter(Q(ask=ask))
        .select_related("decided_by", "release")
        .order_by("-decided_at", "-id")[:HISTORY_SHOWN]
    )
    return {
        "ask": ask,
        "today": timezone.localdate(),
        "latest": latest,
        "latest_from_feature": latest is not None and latest.feature_id is not None,
        "decisions": history,
        "escalations": escalations,
        "open_escalation": open_escalation,
        "right_lines": lines,
        "can_decide": can_decide,
        "decision_form": form if form is not None else (DecisionForm(product=product) if can_decide else None),
        "can_escalate": can_escalate,
        "escalation_form": escalation_form
        if escalation_form is not None
        else (EscalationForm() if can_escalate else None),
    }
