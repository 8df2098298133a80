"""Writes of the competition. Every write goes through a function here.

Competitor profiles and their products: product managers and admins. Field intel: sales logs it on
an account or deal they see; only its author (or an admin) changes or deletes it. The battlecard:
product managers and admins write every section, sales roles the objections and answers; each
changed section leaves a revision (who, when, before and after). Features cited in a loss: on a
lost deal, by whoever may change the deal and by product managers.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tandem.audit.services import Action, audit_record, audit_snapshot
from tandem.competition.models import (
    Battlecard,
    BattlecardRevision,
    Competitor,
    CompetitorProduct,
    FieldIntel,
    LossFeature,
)
from tandem.competition.permissions import CompetitionPermission
from tandem.competition.selectors import (
    battlecard_sections_changeable,
    competitor_for_change,
    competitor_product_for_change,
    field_intel_for_change,
    loss_feature_for_change,
    lost_deal_citable,
)
from tandem.core.api import StaleVersion
from tandem.core.permissions import require
from tandem.people.models import User
from tandem.product.models import Feature
from tandem.product.selectors import feature_visible
from tandem.sales.models import Account, Opportunity
from tandem.sales.selectors import account_visible, opportunity_visible

P = CompetitionPermission
COMPETITOR_FIELDS = frozenset({"name", "website", "positioning", "pricing"})
PRODUCT_FIELDS = frozenset({"name", "description", "pricing"})
INTEL_FIELDS = frozenset({"offered", "price_home", "claims"})
STALE_COMPETITOR = "Someone else changed this competitor since you opened it — reload to see their changes."
STALE_BATTLECARD = "Someone else changed this battlecard since you opened it — reload to see their changes."


def _unknown(data: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"Not changeable here: {', '.join(sorted(unknown))}")


@transaction.atomic
def competitor_create(
    *, actor: User, name: str, website: str = "", positioning: str = "", pricing: str = ""
) -> Competitor:
    """Add a competitor (product managers and admins); it starts with an empty battlecard."""
    require(actor, P.EDIT_COMPETITORS)
    competitor = Competitor(name=name.strip(), website=website, positioning=positioning, pricing=pricing)
    competitor.full_clean()
    competitor.save()
    Battlecard.objects.create(competitor=competitor)
    audit_record(actor=actor, record=competitor, action=Action.CREATED)
    return competitor


@transaction.atomic
def competitor_update(
    *, actor: User, competitor: Competitor, expected_version: int, data: Mapping[str, Any]
) -> Competitor:
    """Change a competitor's profile from the version the actor read (a stale one is refused)."""
    require(actor, P.EDIT_COMPETITORS)
    _unknown(data, COMPETITOR_FIELDS)
    competitor_for_change(user=actor, pk=competitor.pk)
    competitor = Competitor.objects.select_for_update().get(pk=competitor.pk)
    if competitor.version != expected_version:
        raise StaleVersion(STALE_COMPETITOR)
    before = audit_snapshot(competitor)
    for name, value in data.items():
        setattr(competitor, name, value.strip() if name == "name" else value)
    competitor.version += 1
    competitor.full_clean()
    competitor.save()
    audit_record(actor=actor, record=competitor, action=Action.CHANGED, before=before)
    return competitor


@transaction.atomic
def competitor_product_create(
    *, actor: User, competitor: Competitor, name: str, description: str = "", pricing: str = ""
) -> CompetitorProduct:
    require(actor, P.EDIT_COMPETITORS)
    competitor = competitor_for_change(user=actor, pk=competitor.pk)
    product = CompetitorProduct(competitor=competitor, name=name.strip(), description=description, pricing=pricing)
    product.full_clean()
    product.save()
    return product


@transaction.atomic
def competitor_product_delete(*, actor: User, product: CompetitorProduct) -> None:
    require(actor, P.EDIT_COMPETITORS)
    competitor_product_for_change(user=actor, pk=product.pk).delete()


def _intel_place(
    *, actor: User, account: Account | None, opportunity: Opportunity | None
) -> tuple[Account, Opportunity | None]:
    """Intel is logged on a deal (and so its account) or on an account, one the actor sees."""
    if opportunity is not None:
        if not opportunity_visible(user=actor).filter(pk=opportunity.pk).exists():
            raise ValidationError({"opportunity": "Choose a deal you can see."})
        if account is not None and account.pk != opportunity.account_id:
            raise ValidationError({"opportunity": "This deal belongs to another account."})
        return opportunity.account, opportunity
    if account is None:
        raise ValidationError({"account": "Log intel on a deal or an account."})
    if not account_visible(user=actor).filter(pk=account.pk).exists():
        raise ValidationError({"account": "Choose an account you can see."})
    return account, None


@transaction.atomic
def field_intel_log(
    *,
    actor: User,
    competitor: Competitor,
    offered: str,
    price_home: Decimal | None = None,
    claims: str = "",
    account: Account | None = None,
    opportunity: Opportunity | None = None,
) -> FieldIntel:
    """Log what a competitor offered, at what price and with what claims, on a deal or an account the
    rep sees. Product managers read it in the competitor's feed."""
    require(actor, P.LOG_INTEL)
    account, opportunity = _intel_place(actor=actor, account=account, opportunity=opportunity)
    intel = FieldIntel(
        competitor=competitor,
        account=account,
        opportunity=opportunity,
        offered=offered.strip(),
        price_home=price_home,
        claims=claims.strip(),
        author=actor,
        created_at=timezone.now(),
    )
    intel.full_clean()
    intel.save()
    return intel


@transaction.atomic
def field_intel_update(*, actor: User, intel: FieldIntel, data: Mapping[str, Any]) -> FieldIntel:
    """Correct intel one logged (its author, or an admin)."""
    require(actor, P.LOG_INTEL)
    _unknown(data, INTEL_FIELDS)
    intel = field_intel_for_change(user=actor, pk=intel.pk)
    for name, value in data.items():
        setattr(intel, name, value.strip() if isinstance(value, str) else value)
    intel.full_clean()
    intel.save()
    return intel


@transaction.atomic
def field_intel_delete(*, actor: User, intel: FieldIntel) -> None:
    require(actor, P.LOG_INTEL)
    field_intel_for_change(user=actor, pk=intel.pk).delete()


@transaction.atomic
def battlecard_update(
    *, actor: User, competitor: Competitor, expected_version: int, sections: Mapping[str, str]
) -> Battlecard:
    """Change sections of a competitor's battlecard from the version the actor read. Product managers
    and admins write every section; sales roles the objections and answers only. Each changed section
    leaves a revision with who changed it, when, and its text before and after."""
    require(actor, P.EDIT_BATTLECARD)
    _unknown(sections, frozenset(BattlecardRevision.Section.values))
    allowed = battlecard_sections_changeable(user=actor)
    card, _ = Battlecard.objects.get_or_create(competitor=competitor)
    card = Battlecard.objects.select_for_update().get(pk=card.pk)
    if card.version != expected_version:
        raise StaleVersion(STALE_BATTLECARD)
    changed = {name: text.strip() for name, text in sections.items() if text.strip() != getattr(card, name)}
    refused = sorted(set(changed) - allowed)
    if refused:
        labels = ", ".join(str(BattlecardRevision.Section(name).label).lower() for name in refused)
        raise PermissionDenied(f"Product managers keep the {labels}; sales adds objections and answers.")
    if not changed:
        return card
    before = {name: getattr(card, name) for name in changed}
    for name, text in changed.items():
        setattr(card, name, text)
    card.version += 1
    card.full_clean()
    card.save()
    now = timezone.now()
    BattlecardRevision.objects.bulk_create(
        BattlecardRevision(
            battlecard=card,
            section=name,
            before=before[name],
            after=text,
            changed_by=actor,
            changed_at=now,
            version=card.version,
        )
        for name, text in changed.items()
    )
    return card


@transaction.atomic
def loss_feature_cite(*, actor: User, opportunity: Opportunity, feature: Feature) -> LossFeature:
    """Cite a feature as a reason a deal was lost (a lost deal; its owner, their sales manager, a
    product manager or an admin). Citing one already cited changes nothing."""
    require(actor, P.CITE_LOSS_FEATURES)
    deal = lost_deal_citable(user=actor, pk=opportunity.pk)
    if not feature_visible(user=actor).filter(pk=feature.pk).exists():
        raise ValidationError({"feature": "Choose a feature you can see."})
    citation, _ = LossFeature.objects.get_or_create(
        opportunity=deal, feature=feature, defaults={"cited_by": actor, "cited_at": timezone.now()}
    )
    return citation


@transaction.atomic
def loss_feature_withdraw(*, actor: User, citation: LossFeature) -> None:
    require(actor, P.CITE_LOSS_FEATURES)
    loss_feature_for_change(user=actor, pk=citation.pk).delete()
