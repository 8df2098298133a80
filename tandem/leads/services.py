"""Writes of leads: creating, working and qualifying them, and converting one into an account, a
contact and a deal in one step.

Every service checks `LeadsPermission` first, then fetches the lead through its rules (locked), so a
lead the actor may not see is a 404 and one they see but may not change is a 403. Field problems are
`ValidationError`s keyed by model field; nothing is written half-way.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tandem.core.api import StaleVersion
from tandem.core.permissions import require
from tandem.core.roles import Role
from tandem.leads.models import Lead
from tandem.leads.permissions import LeadsPermission
from tandem.leads.selectors import lead_for_change, lead_next_owner
from tandem.people.models import Territory, User
from tandem.sales import services as sales
from tandem.sales.models import Account, Contact, Opportunity, Stage
from tandem.sales.permissions import SalesPermission
from tandem.sales.selectors import account_visible

STALE_LEAD = "Someone else changed this lead since you opened it — reload to see their changes."
ALREADY_CONVERTED = "This lead was already converted; its account, contact and deal are linked on its page."
CONVERTED_IS_HISTORY = "A converted lead is kept as it was converted: change its deal, account or contact instead."
NOT_BY_HAND = "A lead becomes converted by converting it (with its account, contact and deal)."
DISQUALIFIED_NOT_CONVERTED = "A disqualified lead is not converted: set it back to working or qualified first."

LEAD_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "email",
        "phone",
        "title",
        "company",
        "country",
        "region",
        "source",
        "campaign",
        "status",
        "disqualified_reason",
        "owner",
        "territory",
        "budget",
        "authority",
        "need",
        "timeline",
    }
)


def _check_owner(*, actor: User, owner: User) -> None:
    """The deals' assignment rule (`sales.services.may_assign_to`), said under the owner field."""
    if not sales.may_assign_to(actor=actor, owner=owner):
        if actor.role == Role.REP:
            raise ValidationError({"owner": "A rep may only assign leads to themselves."})
        raise ValidationError({"owner": "You may only assign leads to members of the teams you manage."})


class LeadAlreadyConverted(StaleVersion):
    """A second conversion of the same lead (two tabs, or two people): 409, nothing written."""

    message = ALREADY_CONVERTED


def _check_fields(data: Mapping[str, Any]) -> None:
    unknown = set(data) - LEAD_FIELDS
    if unknown:
        raise ValueError(f"Not changeable here: {', '.join(sorted(unknown))}")


def _check_status(lead: Lead, now: datetime.datetime) -> None:
    """Keep the dates the funnel counts: a lead is qualified from the first time it is; a reason is
    kept only while the lead is disqualified."""
    if lead.status == Lead.Status.CONVERTED and lead.converted_at is None:
        raise ValidationError({"status": NOT_BY_HAND})
    if lead.status == Lead.Status.QUALIFIED and lead.qualified_at is None:
        lead.qualified_at = now
    if lead.status != Lead.Status.DISQUALIFIED:
        lead.disqualified_reason = ""


@transaction.atomic
def lead_create(
    *,
    actor: User,
    last_name: str,
    company: str,
    source: str,
    owner: User | None = None,
    first_name: str = "",
    email: str = "",
    phone: str = "",
    title: str = "",
    country: str = "",
    region: str = "",
    campaign: str = "",
    status: str = Lead.Status.NEW,
    disqualified_reason: str = "",
    territory: Territory | None = None,
    budget: Decimal | None = None,
    authority: str = Lead.Authority.UNKNOWN,
    need: str = "",
    timeline: str = Lead.Timeline.UNKNOWN,
) -> Lead:
    """Add a lead. Needs EDIT_LEADS. The owner follows the deals' assignment rule (a rep themselves,
    a manager their teams, an admin anyone); left out, a rep's lead is their own, and a manager's or
    an admin's goes to a rep by the assignment rule (`lead_next_owner`: the territory's team first,
    then the fewest open leads). A lead starts anywhere but converted: converting is its own step."""
    require(actor, LeadsPermission.EDIT_LEADS)
    if owner is None and actor.role != Role.REP:
        owner = lead_next_owner(assigner=actor, territory_id=territory.pk if territory else None)
    owner = owner or actor
    _check_owner(actor=actor, owner=owner)
    now = timezone.now()
    lead = Lead(
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        title=title,
        company=company,
        country=country,
        region=region,
        source=source,
        campaign=campaign,
        status=status,
        disqualified_reason=disqualified_reason,
        owner=owner,
        territory=territory,
        budget=budget,
        authority=authority,
        need=need,
        timeline=timeline,
        created_at=now,
    )
    _check_status(lead, now)
    lead.full_clean()
    lead.save()
    return lead


@transaction.atomic
def lead_update(*, actor: User, lead: Lead, expected_version: int, data: Mapping[str, Any]) -> Lead:
    """Change a lead the actor may change (its owner, their sales manager, an admin), based on the
    version they loaded (a stale one raises StaleVersion and writes nothing). A converted lead is
    kept as it was converted. Qualifying records when; leaving *disqualified* drops the reason."""
    require(actor, LeadsPermission.EDIT_LEADS)
    _check_fields(data)
    lead = lead_for_change(user=actor, pk=lead.pk, lock=True)
    if lead.version != expected_version:
        raise StaleVersion(STALE_LEAD)
    if lead.is_converted:
        raise ValidationError(CONVERTED_IS_HISTORY)
    if "owner" in data and data["owner"].pk != lead.owner_id:
        _check_owner(actor=actor, owner=data["owner"])
    for field, value in data.items():
        setattr(lead, field, value)
    _check_status(lead, timezone.now())
    lead.version += 1
    lead.full_clean()
    lead.save()
    return lead


@dataclass(frozen=True)
class Conversion:
    lead: Lead
    account: Account
    contact: Contact
    opportunity: Opportunity


@transaction.atomic
def lead_convert(
    *,
    actor: User,
    lead: Lead,
    expected_version: int,
    account: Account | None,
    deal_name: str,
    stage: Stage,
    close_date: datetime.date,
    amount: Decimal = Decimal("0"),
    currency: str | None = None,
) -> Conversion:
    """Convert a lead in one step: into `account` (a match the actor chose) or a new account named
    after the lead's company, a contact for the person, and a deal owned by the lead's owner that
    keeps the lead's source. Everything goes through the sales services, in one transaction: if any
    part is refused, nothing is written. Refuses a stale version (409), a lead already converted
    (409) and a disqualified one; adding the contact to an existing account needs the right to
    change that account."""
    require(actor, LeadsPermission.EDIT_LEADS)
    require(actor, SalesPermission.EDIT_PIPELINE)
    lead = lead_for_change(user=actor, pk=lead.pk, lock=True)
    if lead.is_converted:
        raise LeadAlreadyConverted(ALREADY_CONVERTED)
    if lead.version != expected_version:
        raise StaleVersion(STALE_LEAD)
    if lead.status == Lead.Status.DISQUALIFIED:
        raise ValidationError({"status": DISQUALIFIED_NOT_CONVERTED})
    owner = lead.owner
    if account is None:
        account = sales.account_create(
            actor=actor, name=lead.company, owner=owner, region=lead.region, territory_id=lead.territory_id
        )
    elif not account_visible(user=actor).filter(pk=account.pk).exists():
        raise ValidationError({"account": "Choose an account you can see."})
    try:
        contact = sales.contact_create(
            actor=actor,
            account=account,
            first_name=lead.first_name,
            last_name=lead.last_name,
            email=lead.email,
            phone=lead.phone,
            title=lead.title,
        )
    except PermissionDenied as exc:
        raise ValidationError(
            {
                "account": f"Only {account.owner}, their sales manager or an admin may add contacts to {account.name}: "
                "convert into a new account, or ask them."
            }
        ) from exc
    try:
        opportunity = sales.opportunity_create(
            actor=actor,
            account=account,
            name=deal_name,
            amount=amount,
            currency=currency,
            stage=stage,
            close_date=close_date,
            owner=owner,
            lead_source=lead.source,
        )
    except ValidationError as error:
        # The deal's fields are named for the conversion form's.
        if hasattr(error, "error_dict") and "name" in error.error_dict:
            raise ValidationError(
                {"deal_name" if k == "name" else k: v for k, v in error.error_dict.items()}
            ) from error
        raise
    now = timezone.now()
    lead.status = Lead.Status.CONVERTED
    lead.qualified_at = lead.qualified_at or now
    lead.converted_at = now
    lead.converted_account = account
    lead.converted_contact = contact
    lead.converted_opportunity = opportunity
    lead.disqualified_reason = ""
    lead.version += 1
    lead.full_clean()
    lead.save()
    return Conversion(lead=lead, account=account, contact=contact, opportunity=opportunity)
