"""Writes of asks and of the evidence they add up to. Every write goes through a function here."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tandem.asks.evidence import feature_evidence_refresh
from tandem.asks.models import Ask
from tandem.asks.outcomes import ask_outcomes_follow_asks
from tandem.asks.permissions import AsksPermission
from tandem.asks.selectors import ask_visible
from tandem.asks.values import ask_value_for_new_ask
from tandem.core.api import StaleVersion
from tandem.core.permissions import has_permission, require
from tandem.people.models import User
from tandem.product.models import Feature, Product
from tandem.product.selectors import feature_visible
from tandem.product.services import feature_create
from tandem.sales.models import Account, Opportunity
from tandem.sales.selectors import account_visible, opportunity_visible
from tandem.triage.suggestions import ask_indexed, feature_indexed, link_learned


class AskAlreadyTriaged(StaleVersion):
    """Another product manager triaged the ask since this one loaded it: nothing was changed."""


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

    The deal must belong to the account; a feature given must be one the actor sees, and the
    feature's evidence counts the ask at once. Its value is the deal's home amount, or without a
    deal the account's annual revenue (`asks/values.py`). A feature picked by sales is a proposal:
    the ask stays new, in the triage inbox, until a product manager confirms or moves it; one picked
    by a triager is the triage itself, so that ask arrives linked.
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
    triaged = feature is not None and has_permission(actor, AsksPermission.TRIAGE)
    ask = Ask(
        account=account,
        opportunity=opportunity,
        requested_by=actor,
        feature=feature,
        need=need.strip(),
        why=why.strip(),
        importance=importance,
        source=source,
        status=Ask.Status.LINKED if triaged else Ask.Status.NEW,
        value_home=ask_value_for_new_ask(account=account, opportunity=opportunity),
        created_at=timezone.now(),
    )
    ask.full_clean()
    ask.save()
    ask_indexed(ask=ask)
    if feature is not None:
        feature_evidence_refresh(feature_ids=[feature.pk])
        if triaged:
            link_learned(ask=ask, feature=feature)
    return ask


def _locked(ask: Ask, expected_status: str | None) -> Ask:
    """The stored ask, locked; refused when someone triaged it since the caller saw `expected_status`.

    Ask has no version: its status is what triage changes, so the status the caller saw is the check.
    """
    current = Ask.objects.select_for_update().get(pk=ask.pk)
    if expected_status is not None and current.status != expected_status:
        raise AskAlreadyTriaged(_triaged_message(current))
    return current


def _triaged_message(ask: Ask) -> str:
    # Ask records no triager, so the message says what the ask became rather than who did it.
    if ask.status == Ask.Status.MERGED:
        outcome = f"it is now merged into ask #{ask.duplicate_of_id}"
    elif ask.feature is not None:
        outcome = f"it is now linked to “{ask.feature.title}”"
    else:
        outcome = f"it is now {ask.get_status_display().lower()}"
    return f"Someone else already triaged this ask: {outcome}. Nothing was changed."


def _refuse_merged(ask: Ask, field: str) -> None:
    if ask.status == Ask.Status.MERGED:
        raise ValidationError(
            {field: f"This ask is merged into ask #{ask.duplicate_of_id}; triage that one and its duplicates follow."}
        )


def _link(ask: Ask, feature: Feature) -> None:
    """Point a locked, unmerged ask and its merged duplicates at `feature`; refresh every feature touched."""
    duplicates = list(Ask.objects.select_for_update().filter(duplicate_of=ask))
    touched = {ask.feature_id, feature.pk, *(duplicate.feature_id for duplicate in duplicates)}
    ask.feature = feature
    ask.status = Ask.Status.LINKED
    ask.full_clean()
    ask.save(update_fields=["feature", "status"])
    Ask.objects.filter(duplicate_of=ask).update(feature=feature)
    ask_outcomes_follow_asks(ask_ids=[ask.pk])
    feature_evidence_refresh(feature_ids=[fid for fid in touched if fid is not None])
    for linked in (ask, *duplicates):
        link_learned(ask=linked, feature=feature)


@transaction.atomic
def ask_link(*, actor: User, ask: Ask, feature: Feature, expected_status: str | None = None) -> Ask:
    """Link an ask to the feature it is evidence for (triage), or move it to another feature.

    Only triagers may link. Its merged duplicates move with it, and the old and new feature's
    evidence follow. A merged ask is triaged through its original. With `expected_status`, the
    link is refused (nothing written) when someone else triaged the ask in the meantime.
    """
    require(actor, AsksPermission.TRIAGE)
    if not feature_visible(user=actor).filter(pk=feature.pk).exists():
        raise ValidationError({"feature": "Choose a feature you can see."})
    ask = _locked(ask, expected_status)
    _refuse_merged(ask, "feature")
    _link(ask, feature)
    return ask


@transaction.atomic
def ask_merge(*, actor: User, duplicate: Ask, original: Ask, expected_status: str | None = None) -> Ask:
    """Merge a duplicate ask into the original that states the same need, keeping all evidence.

    The duplicate is marked merged and takes the original's feature, so its account and deal keep
    counting for that feature; asks already merged into the duplicate follow it to the original.
    An ask cannot be merged into itself or into an ask that is itself merged (merge into that
    one's original instead). Asks of different accounts may be merged: it is the same need.
    """
    require(actor, AsksPermission.TRIAGE)
    if duplicate.pk == original.pk:
        raise ValidationError({"original": "An ask cannot be merged into itself."})
    if not ask_visible(user=actor).filter(pk=original.pk).exists():
        raise ValidationError({"original": "Choose an ask you can see."})
    # Lock both in id order, so two merges of the same pair cannot deadlock.
    first, second = sorted([duplicate.pk, original.pk])
    list(Ask.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk"))
    duplicate = _locked(duplicate, expected_status)
    original = Ask.objects.get(pk=original.pk)
    if original.status == Ask.Status.MERGED:
        raise ValidationError(
            {"original": f"That ask is itself merged into ask #{original.duplicate_of_id}: merge into that one."}
        )
    _refuse_merged(duplicate, "duplicate")
    followers = list(Ask.objects.select_for_update().filter(duplicate_of=duplicate))
    touched = {duplicate.feature_id, original.feature_id, *(follower.feature_id for follower in followers)}
    Ask.objects.filter(duplicate_of=duplicate).update(duplicate_of=original, feature=original.feature)
    duplicate.status = Ask.Status.MERGED
    duplicate.duplicate_of = original
    duplicate.feature = original.feature
    duplicate.full_clean()
    duplicate.save(update_fields=["status", "duplicate_of", "feature"])
    ask_outcomes_follow_asks(ask_ids=[duplicate.pk, *(follower.pk for follower in followers)])
    feature_evidence_refresh(feature_ids=[fid for fid in touched if fid is not None])
    # Their wording now counts for the original's feature (or for none), and they no longer wait.
    for merged in (duplicate, *followers):
        ask_indexed(ask=merged)
    return duplicate


@transaction.atomic
def feature_create_from_ask(
    *,
    actor: User,
    ask: Ask,
    product: Product,
    title: str,
    description: str = "",
    expected_status: str | None = None,
) -> Feature:
    """Create a feature on a product's backlog for a need no feature covers yet, and link the ask to it.

    Only triagers who may edit features may. The ask's merged duplicates follow it, and the feature
    starts with their evidence.
    """
    require(actor, AsksPermission.TRIAGE)
    ask = _locked(ask, expected_status)
    _refuse_merged(ask, "ask")
    feature = feature_create(actor=actor, product=product, title=title, description=description)
    feature_indexed(feature=feature)
    _link(ask, feature)
    return feature
