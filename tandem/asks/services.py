"""Writes of asks and of the evidence they add up to. Every write goes through a function here."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tandem.asks.evidence import feature_evidence_refresh
from tandem.asks.models import Ask, Decision, TriageAction
from tandem.asks.outcomes import ask_outcomes_follow_asks
from tandem.asks.permissions import AsksPermission
from tandem.asks.selectors import ask_visible
from tandem.asks.values import ask_value_for_new_ask
from tandem.core.api import StaleVersion
from tandem.core.permissions import has_permission, require
from tandem.people.models import User
from tandem.product.models import Feature, Product
from tandem.product.selectors import feature_visible
from tandem.product.services import feature_create, feature_delete
from tandem.sales.models import Account, Opportunity
from tandem.sales.selectors import account_visible, opportunity_visible
from tandem.triage.suggestions import ask_indexed, feature_indexed, link_learned
from tandem.webhooks import payloads
from tandem.webhooks import services as webhooks
from tandem.webhooks.events import Event


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
    webhooks.emit(Event.ASK_LOGGED, payloads.ask_logged(ask=ask, actor=actor))
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


def _link(ask: Ask, feature: Feature) -> list[list[int | None]]:
    """Point a locked, unmerged ask and its merged duplicates at `feature`; refresh every feature
    touched. Returns the duplicates as they were ([ask id, feature id, original id]) for an undo."""
    duplicates = list(Ask.objects.select_for_update().filter(duplicate_of=ask))
    followers: list[list[int | None]] = [[d.pk, d.feature_id, d.duplicate_of_id] for d in duplicates]
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
    return followers


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
    before = _action(ask, actor, TriageAction.Kind.LINK)
    before.followers_before = _link(ask, feature)
    before.feature_after = feature
    before.save()
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
    action = _action(duplicate, actor, TriageAction.Kind.MERGE)
    followers = list(Ask.objects.select_for_update().filter(duplicate_of=duplicate))
    action.followers_before = [[f.pk, f.feature_id, f.duplicate_of_id] for f in followers]
    action.feature_after = original.feature
    touched = {duplicate.feature_id, original.feature_id, *(follower.feature_id for follower in followers)}
    Ask.objects.filter(duplicate_of=duplicate).update(duplicate_of=original, feature=original.feature)
    duplicate.status = Ask.Status.MERGED
    duplicate.duplicate_of = original
    duplicate.feature = original.feature
    duplicate.full_clean()
    duplicate.save(update_fields=["status", "duplicate_of", "feature"])
    ask_outcomes_follow_asks(ask_ids=[duplicate.pk, *(follower.pk for follower in followers)])
    action.save()
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
    action = _action(ask, actor, TriageAction.Kind.CREATE)
    feature = feature_create(actor=actor, product=product, title=title, description=description)
    feature_indexed(feature=feature)
    action.followers_before = _link(ask, feature)
    action.created_feature = action.feature_after = feature
    action.save()
    return feature


def _action(ask: Ask, actor: User, kind: str) -> TriageAction:
    """The record of a triage action about to change `ask`, holding what the ask was before."""
    return TriageAction(
        ask=ask,
        kind=kind,
        taken_by=actor,
        taken_at=timezone.now(),
        status_before=ask.status,
        feature_before_id=ask.feature_id,
        duplicate_of_before_id=ask.duplicate_of_id,
    )


UNDO_WINDOW = datetime.timedelta(minutes=10)


class UndoRefused(StaleVersion):
    """The triage action can no longer be undone: too late, not yours, or the ask moved on since."""


@transaction.atomic
def triage_undo(*, actor: User, action: TriageAction) -> Ask:
    """Put an ask back as it was before a triage action (link, merge, create a feature) of the
    actor's, within UNDO_WINDOW: its status, feature and original, and those of the asks that moved
    with it. A feature the action created goes again, unless other asks or decisions use it now.

    Refused (nothing written) when it is someone else's action, too old, already undone, or the ask
    was triaged or decided on since: then the undo would overwrite another's work.
    """
    require(actor, AsksPermission.TRIAGE)
    action = TriageAction.objects.select_for_update().select_related("ask").get(pk=action.pk)
    ask = Ask.objects.select_for_update().get(pk=action.ask_id)
    if action.taken_by_id != actor.pk:
        raise UndoRefused("Only the product manager who triaged this ask can undo it.")
    if action.undone_at is not None:
        raise UndoRefused("This was undone already.")
    if timezone.now() - action.taken_at > UNDO_WINDOW:
        raise UndoRefused(f"Too late to undo: triage is undone within {UNDO_WINDOW.seconds // 60} minutes.")
    newer = TriageAction.objects.filter(ask=ask, taken_at__gt=action.taken_at).exists()
    decided = Decision.objects.filter(ask=ask, decided_at__gt=action.taken_at).exists()
    if newer or decided or ask.feature_id != action.feature_after_id:
        raise UndoRefused("The ask was triaged or decided on since: undo would overwrite that. Nothing was changed.")
    touched = {ask.feature_id}
    ask.status, ask.feature_id, ask.duplicate_of_id = (
        action.status_before,
        action.feature_before_id,
        action.duplicate_of_before_id,
    )
    ask.full_clean()
    ask.save(update_fields=["status", "feature", "duplicate_of"])
    moved = [ask.pk]
    for follower_id, feature_id, original_id in action.followers_before:
        Ask.objects.filter(pk=follower_id).update(feature_id=feature_id, duplicate_of_id=original_id)
        touched.add(feature_id)
        moved.append(follower_id)
    touched.add(ask.feature_id)
    action.undone_at = timezone.now()
    action.save(update_fields=["undone_at"])
    created = action.created_feature
    if created is not None and not created.asks.exists() and not created.decisions.exists():
        touched.discard(created.pk)
        feature_delete(actor=actor, feature=created)
    ask_outcomes_follow_asks(ask_ids=moved)
    feature_evidence_refresh(feature_ids=[fid for fid in touched if fid is not None])
    for undone in Ask.objects.filter(pk__in=moved):
        ask_indexed(ask=undone)
    return ask
