"""Writes of asks and of the evidence they add up to. Every write goes through a function here."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tandem.asks.evidence import feature_evidence_refresh
from tandem.asks.models import Ask
from tandem.asks.permissions import AsksPermission
from tandem.core.permissions import require
from tandem.people.models import User
from tandem.product.models import Feature
from tandem.product.selectors import feature_visible
from tandem.sales.models import Account, Opportunity
from tandem.sales.selectors import account_visible, opportunity_visible


@transaction.atomic
def ask_create(
    *,
    actor: User,
    account: Account,
    opportunity: Opportunity | None = None,
    need: str,
    why: str = "",
    importance: str = Ask.Importance.IMPORTANT,
    source: str = Ask.Source.CALL,
    feature: Feature | None = None,
) -> Ask:
    """Log what a customer needs, on an account the actor sees and usually on one of its deals.

    The deal must belong to the account; a feature given must be one the actor sees, and then the
    ask arrives linked and the feature's evidence counts it at once.
    """
    require(actor, AsksPermission.LOG_ASK)
    errors: dict[str, str] = {}
    if not account_visible(user=actor).filter(pk=account.pk).exists():
        errors["account"] = "Choose an account you can see."
    if opportunity is not None:
        if opportunity.account_id != account.pk:
            errors["opportunity"] = "This deal belongs to another account."
        elif not opportunity_visible(user=actor).filter(pk=opportunity.pk).exists():
            errors["opportunity"] = "Choose a deal you can see."
    if feature is not None and not feature_visible(user=actor).filter(pk=feature.pk).exists():
        errors["feature"] = "Choose a feature you can see."
    if errors:
        raise ValidationError(errors)
    ask = Ask(
        account=account,
        opportunity=opportunity,
        requested_by=actor,
        feature=feature,
        need=need.strip(),
        why=why.strip(),
        importance=importance,
        source=source,
        status=Ask.Status.LINKED if feature is not None else Ask.Status.NEW,
        created_at=timezone.now(),
    )
    ask.full_clean()
    ask.save()
    if feature is not None:
        feature_evidence_refresh(feature_ids=[feature.pk])
    return ask


@transaction.atomic
def ask_link(*, actor: User, ask: Ask, feature: Feature) -> Ask:
    """Link an ask to the feature it is evidence for (triage); both the old and the new feature's evidence follow.

    Only triagers may link. A merged ask keeps its status: its original carries the evidence.
    """
    require(actor, AsksPermission.TRIAGE)
    if not feature_visible(user=actor).filter(pk=feature.pk).exists():
        raise ValidationError({"feature": "Choose a feature you can see."})
    ask = Ask.objects.select_for_update().get(pk=ask.pk)
    previous = ask.feature_id
    ask.feature = feature
    if ask.status != Ask.Status.MERGED:
        ask.status = Ask.Status.LINKED
    ask.full_clean()
    ask.save(update_fields=["feature", "status"])
    feature_evidence_refresh(feature_ids=[fid for fid in (previous, feature.pk) if fid is not None])
    return ask
