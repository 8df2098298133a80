"""What each event tells a webhook: plain JSON of the records concerned, a `summary` sentence in
the product's words (what the Slack format sends) and the `url` of the record in Tandem.

Built by the services that emit them (`services.emit(Event.…, payloads.…(…))`), from the records
they have already read: no query of its own.
"""

from typing import Any

from django.conf import settings
from django.urls import reverse

from tandem.core import formats
from tandem.webhooks.events import Event

NEED_SHOWN = 120


def _url(name: str, pk: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs={"pk": pk})


def _person(user: Any) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "name": str(user)}


def _need(text: str) -> str:
    return text if len(text) <= NEED_SHOWN else text[: NEED_SHOWN - 1] + "…"


def ask_logged(*, ask: Any, actor: Any) -> dict[str, Any]:
    return {
        "summary": f"{actor} logged an ask from {ask.account.name}: {_need(ask.need)}",
        "url": _url("asks:ask_detail", ask.pk),
        "ask": {"id": ask.pk, "need": ask.need, "importance": ask.importance, "status": ask.status},
        "account": {"id": ask.account_id, "name": ask.account.name},
        "opportunity_id": ask.opportunity_id,
        "feature_id": ask.feature_id,
        "logged_by": _person(actor),
    }


def decision_taken(*, decision: Any) -> dict[str, Any]:
    subject = decision.feature or decision.ask
    about = decision.feature.title if decision.feature else _need(decision.ask.need)
    url = (
        _url("product:feature_detail", decision.feature_id) if decision.feature else _url("asks:ask_detail", subject.pk)
    )
    return {
        "summary": f"{decision.decided_by} decided {about}: {decision.get_outcome_display().lower()}",
        "url": url,
        "decision": {
            "id": decision.pk,
            "outcome": decision.outcome,
            "rationale": decision.rationale,
            "release_id": decision.release_id,
        },
        "feature_id": decision.feature_id,
        "ask_id": decision.ask_id,
        "decided_by": _person(decision.decided_by),
    }


def escalation(*, escalation: Any, event: Event) -> dict[str, Any]:
    ask = escalation.ask
    if event == Event.ESCALATION_RULED and escalation.ruling is not None:
        summary = f"Escalation of {_need(ask.need)} ruled: {escalation.ruling.get_outcome_display().lower()}"
    else:
        summary = f"{escalation.escalated_by} escalated {_need(ask.need)} ({ask.account.name})"
    return {
        "summary": summary,
        "url": _url("asks:ask_detail", ask.pk),
        "escalation": {
            "id": escalation.pk,
            "status": escalation.status,
            "reason": escalation.reason,
            "due_date": escalation.due_date.isoformat(),
            "ruling_outcome": escalation.ruling.outcome if escalation.ruling else None,
        },
        "ask_id": ask.pk,
        "account": {"id": ask.account_id, "name": ask.account.name},
        "escalated_by": _person(escalation.escalated_by),
        "executive": _person(escalation.executive),
    }


def release_shipped(*, release: Any, feature_ids: list[int], actor: Any) -> dict[str, Any]:
    return {
        "summary": f"{release.product.name} {release.name} shipped, with {len(feature_ids)} features",
        "url": _url("product:product_detail", release.product_id),
        "release": {"id": release.pk, "name": release.name, "product_id": release.product_id},
        "feature_ids": feature_ids,
        "shipped_by": _person(actor),
    }


def deal_stage_changed(*, deal: Any, from_stage: Any, actor: Any) -> dict[str, Any]:
    return {
        "summary": f"{deal.name} ({deal.account.name}) moved from {from_stage.name} to {deal.stage.name}",
        "url": _url("sales:opportunity_detail", deal.pk),
        "opportunity": {
            "id": deal.pk,
            "name": deal.name,
            "amount": str(deal.amount),
            "currency": deal.currency,
            "close_date": deal.close_date.isoformat(),
        },
        "account": {"id": deal.account_id, "name": deal.account.name},
        "from_stage": {"id": from_stage.pk, "name": from_stage.name},
        "to_stage": {
            "id": deal.stage_id,
            "name": deal.stage.name,
            "won": deal.stage.is_won,
            "lost": deal.stage.is_lost,
        },
        "moved_by": _person(actor),
    }


def commitment_at_risk(*, commitment: Any) -> dict[str, Any]:
    feature, due = commitment.feature, commitment.due_date
    return {
        "summary": f"Commitment at risk: {feature.title} for {commitment.account} is due {formats.date_short(due)}",
        "url": _url("commitments:commitment_detail", commitment.pk),
        "commitment": {"id": commitment.pk, "due_date": due.isoformat(), "status": commitment.status},
        "feature": {"id": feature.pk, "title": feature.title, "release_id": feature.release_id},
        "account": {"id": commitment.account_id, "name": str(commitment.account)},
        "opportunity_id": commitment.opportunity_id,
    }
