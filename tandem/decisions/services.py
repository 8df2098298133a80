"""Writes of decisions, decision rights and escalations, and the close of the loop when a release ships.

Every decision goes through `decision_record`: it checks the workspace's decision rights, writes the
`asks.Decision`, moves the feature on the roadmap, settles an open escalation, and tells the
requesting reps, their managers and the informed roles, with the rationale.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from tandem.asks.models import Ask, Decision
from tandem.asks.outcomes import ask_outcomes_follow_asks, ask_outcomes_follow_features
from tandem.asks.selectors import ask_visible
from tandem.audit.services import Action, audit_record, audit_snapshot
from tandem.core import formats
from tandem.core.fiscal import business_days_after
from tandem.core.permissions import require
from tandem.core.roles import SALES_ROLES, Role
from tandem.decisions.models import DecisionRight, DecisionType, Escalation
from tandem.decisions.permissions import DecisionsPermission
from tandem.decisions.rights import DEFAULT_RIGHTS, Subject, decision_right_check, decision_right_for
from tandem.decisions.selectors import decision_latest_unrestricted
from tandem.notifications.models import Notification
from tandem.notifications.services import Notice, notices_send
from tandem.people.models import User
from tandem.product.models import Feature, Release
from tandem.sales.selectors import opportunity_seen_by
from tandem.webhooks import payloads
from tandem.webhooks import services as webhooks
from tandem.webhooks.events import Event

ESCALATION_BUSINESS_DAYS = 5
# An escalation reopens a "no": declined or deferred. "Needs more information" waits on sales itself.
ESCALATABLE = (Decision.Outcome.DECLINED, Decision.Outcome.LATER)
# A rep learns which deals to re-engage; past this many the notification says how many more.
SHIPPED_LINKS_SHOWN = 25
# How much of an ask's need a notification's title quotes.
NEED_IN_TITLE = 80


def need_excerpt(need: str, limit: int = NEED_IN_TITLE) -> str:
    """The need, short enough for a title: cut at a word, never inside one, with "…" when cut."""
    need = " ".join(need.split())
    if len(need) <= limit:
        return need
    cut = need[: limit - 1]
    if need[limit - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-") + "…"


def ask_decision_text(
    *,
    need: str,
    customer: str,
    deal: str | None,
    feature: str | None,
    decider: object,
    outcome: str,
    rationale: str,
    ruling: bool,
) -> tuple[str, str]:
    """Title and body of the notice of a decision on one ask (`outcome` as shown: "Planned for …").

    It names the customer, the deal as the reader may see it (`deal_label`), the feature and the
    need, so the reader knows which ask without opening it.
    """
    kind = "Ruling on the escalated ask" if ruling else "Decision on the ask"
    about = f"{customer}, {deal}" if deal else customer
    on_feature = f"\nFeature: {feature}" if feature else ""
    body = (
        f"{kind} from {about}, by {decider}: {outcome}.\n\nThe ask: {need_excerpt(need, 200)}{on_feature}"
        f"\n\nRationale:\n{rationale}"
    )
    return f"{outcome} for {customer}: {need_excerpt(need)}", body


def escalation_text(
    *, need: str, customer: str, deal: str | None, escalated_by: object, was: str, reason: str, due: datetime.date
) -> tuple[str, str]:
    """Title and body of the notice of an escalation; `was` is the escalated outcome, lower-case."""
    about = f"{customer}, {deal}" if deal else customer
    body = (
        f"{escalated_by} escalated an ask from {about} that was {was}.\n\nThe ask: {need_excerpt(need, 200)}"
        f"\n\nReason:\n{reason}\n\nTo be ruled on by {formats.date_long(due)}."
    )
    return f"Escalated, due {formats.date_short(due)}: {need_excerpt(need)} ({customer})", body


def deal_label(*, reader: User, name: str | None, owner_id: int | None) -> str | None:
    """How a deal reads to someone told about an ask on it: its name when they see the deal, else
    that a colleague has one (`opportunity_seen_by`); None without a deal."""
    if name is None:
        return None
    return f"deal {name}" if opportunity_seen_by(user=reader, owner_id=owner_id) else "a colleague's deal"


def _subject(*, feature: Feature | None, ask: Ask | None, escalated: bool) -> Subject:
    if feature is not None:
        return Subject(product=feature.product, noun="this feature")
    assert ask is not None
    product = ask.feature.product if ask.feature is not None else None
    return Subject(product=product, noun="this escalated ask" if escalated else "this ask")


def _overrule_check(*, actor: User, feature: Feature | None, ask: Ask | None) -> None:
    """An executive's decision stands until another executive changes it: that is what overruling means."""
    previous = (
        Decision.objects.filter(Q(feature=feature) if feature is not None else Q(ask=ask))
        .select_related("decided_by")
        .order_by("-decided_at", "-id")
        .first()
    )
    if previous is not None and previous.decided_by.role == Role.EXECUTIVE and actor.role != Role.EXECUTIVE:
        raise PermissionDenied(
            f"An executive ({previous.decided_by}) decided this on {formats.date_short(previous.decided_at)}; "
            "only an executive may change it."
        )


def _release_errors(*, outcome: str, release: Release | None, feature: Feature | None) -> str | None:
    if outcome != Decision.Outcome.PLANNED:
        return "Only a decision to plan names a release." if release is not None else None
    if release is None:
        return "Choose the release this is planned for."
    if feature is None:
        return "Link this ask to a feature before planning it for a release."
    if release.product_id != feature.product_id:
        return f"Choose a release of {feature.product.name}, the feature's product."
    if release.status == Release.Status.SHIPPED:
        return "This release has shipped; choose a planned one."
    return None


def _feature_follows(feature: Feature, outcome: str, release: Release | None) -> None:
    """Put the feature where the decision says: on the release, declined, or back in the backlog."""
    if outcome == Decision.Outcome.PLANNED:
        feature.release = release
        if feature.status != Feature.Status.IN_PROGRESS:
            feature.status = Feature.Status.PLANNED
    elif outcome == Decision.Outcome.DECLINED:
        feature.status, feature.release = Feature.Status.DECLINED, None
    elif outcome == Decision.Outcome.LATER:
        feature.status, feature.release = Feature.Status.BACKLOG, None
    else:
        return
    feature.version += 1
    feature.save(update_fields=["status", "release", "version", "updated_at"])


@transaction.atomic
def decision_record(
    *,
    actor: User,
    feature: Feature | None = None,
    ask: Ask | None = None,
    outcome: str,
    rationale: str,
    release: Release | None = None,
) -> Decision:
    """Record a decision on a feature or on an ask, under the workspace's decision rights.

    Refused (403, naming who holds the right) to anyone without the right for this outcome; product
    managers may be limited to their own products' features. An executive's decision can only be
    changed by an executive. On an ask with an open escalation the decision is the executive's
    ruling and needs the escalation-ruling right; it closes the escalation. Planning names a
    release of the feature's product that has not shipped, and puts the feature on it; declining
    or deferring takes it off. The requesting reps, their managers and the informed roles are told
    in the app and by email, with the rationale.
    """
    if (feature is None) == (ask is None):
        raise ValueError("A decision is on a feature or on an ask, not both.")
    if outcome not in Decision.Outcome.values:
        raise ValidationError({"outcome": "Choose planned, declined, needs more information or later."})
    escalation: Escalation | None = None
    if ask is not None:
        ask = Ask.objects.select_for_update(of=("self",)).select_related("feature__product__manager").get(pk=ask.pk)
        target = ask.feature
        escalation = Escalation.objects.select_for_update().filter(ask=ask, status=Escalation.Status.OPEN).first()
    else:
        assert feature is not None
        feature = Feature.objects.select_for_update(of=("self",)).select_related("product__manager").get(pk=feature.pk)
        target = feature
    decision_type = DecisionType.ESCALATION_RULING if escalation is not None else DecisionType(outcome)
    right = decision_right_for(decision_type)
    decision_right_check(
        user=actor, right=right, subject=_subject(feature=feature, ask=ask, escalated=bool(escalation))
    )
    _overrule_check(actor=actor, feature=feature, ask=ask)

    errors: dict[str, str] = {}
    rationale = rationale.strip()
    if not rationale:
        errors["rationale"] = "Write the rationale: the requesting reps read it."
    if target is not None and target.status == Feature.Status.SHIPPED and (feature is not None or release is not None):
        errors["outcome"] = "This feature has shipped: there is nothing left to decide."
    elif message := _release_errors(outcome=outcome, release=release, feature=target):
        errors["release"] = message
    if errors:
        raise ValidationError(errors)

    decision = Decision(
        feature=feature,
        ask=ask,
        outcome=outcome,
        release=release,
        rationale=rationale,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    decision.full_clean()
    decision.save()
    audit_record(actor=actor, record=decision, action=Action.DECIDED)
    if target is not None and (feature is not None or outcome == Decision.Outcome.PLANNED):
        # A decision on one ask declines or defers only that ask; planning it puts its feature on the release.
        _feature_follows(target, outcome, release)
    if escalation is not None:
        ruled = audit_snapshot(escalation)
        escalation.status, escalation.ruling = Escalation.Status.RULED, decision
        escalation.save(update_fields=["status", "ruling"])
        audit_record(actor=actor, record=escalation, action=Action.RULED, before=ruled)
        webhooks.emit(Event.ESCALATION_RULED, payloads.escalation(escalation=escalation, event=Event.ESCALATION_RULED))
    if target is not None and (feature is not None or outcome == Decision.Outcome.PLANNED):
        ask_outcomes_follow_features(feature_ids=[target.pk])
    if ask is not None:
        ask_outcomes_follow_asks(ask_ids=[ask.pk])
    decision.told = _decision_announce(decision=decision, right=right, escalation=escalation)
    webhooks.emit(Event.DECISION_TAKEN, payloads.decision_taken(decision=decision))
    return decision


@dataclass(frozen=True)
class AskNoticed:
    """What a notice says of one ask: whose it is, its customer and deal, its need."""

    pk: int
    need: str
    customer: str
    deal_id: int | None
    deal_name: str | None
    deal_owner_id: int | None
    deal_open: bool
    account_id: int
    account_owner_id: int
    requested_by_id: int
    feature_title: str | None

    def label(self, reader: User) -> str:
        deal = deal_label(reader=reader, name=self.deal_name, owner_id=self.deal_owner_id)
        return f"{self.customer}{f' ({deal})' if deal else ''}: {need_excerpt(self.need, 60)}"

    @property
    def url(self) -> str:
        return reverse("asks:ask_detail", kwargs={"pk": self.pk})


def _asks_by_person(asks: Q) -> dict[int, list[AskNoticed]]:
    """The asks matching `asks`, by each person they concern: who logged each, who owns its deal and
    its account, and those people's sales managers (who see their team's asks). One query for the
    asks, one for the managers."""
    rows = Ask.objects.filter(asks).order_by("account__name", "pk")
    noticed = [
        AskNoticed(
            pk=row["pk"],
            need=row["need"],
            customer=row["account__name"],
            deal_id=row["opportunity_id"],
            deal_name=row["opportunity__name"],
            deal_owner_id=row["opportunity__owner_id"],
            deal_open=row["opportunity_id"] is not None and row["opportunity__closed_at"] is None,
            account_id=row["account_id"],
            account_owner_id=row["account__owner_id"],
            requested_by_id=row["requested_by_id"],
            feature_title=row["feature__title"],
        )
        for row in rows.values(
            "pk",
            "need",
            "account__name",
            "opportunity_id",
            "opportunity__name",
            "opportunity__owner_id",
            "opportunity__closed_at",
            "account_id",
            "account__owner_id",
            "requested_by_id",
            "feature__title",
        )
    ]
    by_person: dict[int, list[AskNoticed]] = defaultdict(list)
    for ask in noticed:
        for person in dict.fromkeys(p for p in (ask.requested_by_id, ask.deal_owner_id, ask.account_owner_id) if p):
            by_person[person].append(ask)
    managers = User.objects.filter(pk__in=list(by_person), team__manager__isnull=False).values_list(
        "pk", "team__manager_id"
    )
    for member, manager in list(managers):
        for ask in by_person[member]:
            if ask not in by_person[manager]:
                by_person[manager].append(ask)
    return by_person


def _decision_announce(*, decision: Decision, right: DecisionRight, escalation: Escalation | None) -> int:
    """Tell the people concerned, in the app and by email, with the rationale; returns how many.

    Each is told which of their customers' asks it answers — customer, deal (as they may see it),
    need — with a link to the ask (to the feature when it answers several). The informed roles of
    the decision right are told too, with a link to the feature.
    """
    actor = decision.decided_by
    outcome = decision.get_outcome_display()
    planned_for = f" for {decision.release}" if decision.release_id else ""
    feature = decision.feature
    if feature is not None:
        by_person = _asks_by_person(Q(feature=feature))
    else:
        ask = decision.ask
        assert ask is not None
        feature = ask.feature
        by_person = _asks_by_person(Q(pk=ask.pk) | Q(duplicate_of=ask))
        if escalation is not None:
            by_person.setdefault(escalation.escalated_by_id, [])
            if feature is not None and feature.product.manager_id is not None:
                by_person.setdefault(feature.product.manager_id, [])
    informed = User.objects.filter(role__in=right.informed_roles, is_active=True).values_list("pk", flat=True)
    for person in informed:
        by_person.setdefault(person, [])
    by_person.pop(actor.pk, None)
    recipients = list(User.objects.filter(pk__in=list(by_person), is_active=True).order_by("pk"))
    why = f"Rationale:\n{decision.rationale}"
    notices: list[Notice] = []
    for user in recipients:
        asks = by_person[user.pk]
        if decision.ask is not None and asks:
            first = next((a for a in asks if a.pk == decision.ask_id), asks[0])
            title, body = ask_decision_text(
                need=first.need,
                customer=first.customer,
                deal=deal_label(reader=user, name=first.deal_name, owner_id=first.deal_owner_id),
                feature=feature.title if feature is not None else None,
                decider=actor,
                outcome=f"{outcome}{planned_for}",
                rationale=decision.rationale,
                ruling=escalation is not None,
            )
            links = [(a.label(user), a.url) for a in asks if a.pk != first.pk][:SHIPPED_LINKS_SHOWN]
            if links:
                body += "\n\nMerged into it, the same need from:"
            url = first.url
        else:
            assert feature is not None
            title = f"{outcome}{planned_for}: {feature.title}"
            body = f"{actor} decided on {feature.title} ({feature.product}): {outcome}{planned_for}.\n\n{why}"
            if asks:
                body += f"\n\nYour customers' asks it answers ({len(asks)}):"
            links = [(a.label(user), a.url) for a in asks[:SHIPPED_LINKS_SHOWN]]
            url = asks[0].url if len(asks) == 1 else reverse("product:feature_detail", kwargs={"pk": feature.pk})
        notices.append(
            Notice(
                recipient=user,
                kind=Notification.Kind.DECISION,
                title=title,
                body=body,
                url=url,
                links=tuple(links),
            )
        )
    notices_send(notices=notices)
    return len(notices)


@transaction.atomic
def decision_right_update(
    *,
    actor: User,
    decision_type: str,
    deciding_roles: Iterable[str],
    consulted_roles: Iterable[str] = (),
    informed_roles: Iterable[str] = (),
    managers_own_products_only: bool = True,
) -> DecisionRight:
    """Change who decides, who is consulted and who is informed for one decision type.

    Only admins and executives may. Every decision type keeps at least one deciding role.
    """
    require(actor, DecisionsPermission.EDIT_RIGHTS)
    if decision_type not in DecisionType.values:
        raise ValidationError({"decision_type": "There is no such decision type."})
    columns = {"deciding_roles": deciding_roles, "consulted_roles": consulted_roles, "informed_roles": informed_roles}
    errors: dict[str, str] = {}
    cleaned: dict[str, list[str]] = {}
    for name, values in columns.items():
        values = list(dict.fromkeys(values))
        if unknown := [v for v in values if v not in Role.values]:
            errors[name] = f"Unknown roles: {', '.join(unknown)}."
        cleaned[name] = [role.value for role in Role if role.value in values]
    if not cleaned["deciding_roles"] and "deciding_roles" not in errors:
        errors["deciding_roles"] = "Give this decision to at least one role."
    if errors:
        raise ValidationError(errors)
    right = DecisionRight.objects.select_for_update().filter(decision_type=decision_type).first()
    if right is None:
        right = DecisionRight(decision_type=decision_type, **DEFAULT_RIGHTS[decision_type])
    before = audit_snapshot(right)  # the defaults, for a right never changed before
    right.deciding_roles = cleaned["deciding_roles"]
    right.consulted_roles = cleaned["consulted_roles"]
    right.informed_roles = cleaned["informed_roles"]
    right.managers_own_products_only = managers_own_products_only
    right.updated_by = actor
    right.full_clean()
    right.save()
    audit_record(actor=actor, record=right, action=Action.CHANGED, before=before)
    return right


@transaction.atomic
def escalation_create(
    *,
    actor: User,
    ask: Ask,
    reason: str,
    executive: User | None = None,
    due_date: datetime.date | None = None,
) -> Escalation:
    """A sales manager asks an executive to reconsider a declined or deferred ask of their team.

    Only sales managers whose team's deals or accounts asked may escalate, and only an ask whose
    latest decision (on the ask or on its feature) is declined or later, once at a time. It goes
    to the named executive, or to every executive, due five business days from today unless a
    later date is given; they and the product's manager are told.
    """
    require(actor, DecisionsPermission.ESCALATE)
    if not ask_visible(user=actor).filter(pk=ask.pk).exists():
        raise PermissionDenied("Only the sales manager of a team whose deals or accounts asked may escalate this ask.")
    ask = (
        Ask.objects.select_for_update(of=("self",))
        .select_related("account", "opportunity", "feature__product")
        .get(pk=ask.pk)
    )
    today = timezone.localdate()
    errors: dict[str, str] = {}
    reason = reason.strip()
    if not reason:
        errors["reason"] = "Say why this should be reconsidered: the executive reads it first."
    latest = decision_latest_unrestricted(ask=ask)
    if latest is None or latest.outcome not in ESCALATABLE:
        state = "not decided yet" if latest is None else latest.get_outcome_display().lower()
        errors[NON_FIELD_ERRORS] = f"Only a declined or deferred ask can be escalated; this one is {state}."
    open_escalation = Escalation.objects.filter(ask=ask, status=Escalation.Status.OPEN).first()
    if open_escalation is not None:
        errors["ask"] = f"This ask is already escalated, due {formats.date_short(open_escalation.due_date)}."
    if executive is not None and (executive.role != Role.EXECUTIVE or not executive.is_active):
        errors["executive"] = "Choose an executive, or leave it to any executive."
    if due_date is not None and due_date < today:
        errors["due_date"] = "The due date cannot be in the past."
    if errors:
        raise ValidationError(errors)
    escalation = Escalation(
        ask=ask,
        escalated_by=actor,
        reason=reason,
        escalated_at=timezone.now(),
        due_date=due_date or business_days_after(today, ESCALATION_BUSINESS_DAYS),
        executive=executive,
    )
    escalation.full_clean()
    escalation.save()
    audit_record(actor=actor, record=escalation, action=Action.ESCALATED)
    webhooks.emit(Event.ESCALATION_RAISED, payloads.escalation(escalation=escalation, event=Event.ESCALATION_RAISED))
    _escalation_announce(escalation=escalation, latest=latest)
    return escalation


def _escalation_announce(*, escalation: Escalation, latest: Decision | None) -> None:
    ask = escalation.ask
    people: set[int]
    if escalation.executive_id is not None:
        people = {escalation.executive_id}
    else:
        people = set(User.objects.filter(role=Role.EXECUTIVE, is_active=True).values_list("pk", flat=True))
    if ask.feature is not None and ask.feature.product.manager_id is not None:
        people.add(ask.feature.product.manager_id)
    people.discard(escalation.escalated_by_id)
    deal = ask.opportunity
    notices = []
    for user in User.objects.filter(pk__in=people, is_active=True).order_by("pk"):
        title, body = escalation_text(
            need=ask.need,
            customer=ask.account.name,
            deal=deal_label(reader=user, name=deal.name, owner_id=deal.owner_id) if deal else None,
            escalated_by=escalation.escalated_by,
            was=latest.get_outcome_display().lower() if latest is not None else "undecided",
            reason=escalation.reason,
            due=escalation.due_date,
        )
        url = reverse("asks:ask_detail", kwargs={"pk": ask.pk})
        notices.append(Notice(recipient=user, kind=Notification.Kind.ESCALATION, title=title, body=body, url=url))
    notices_send(notices=notices)


def release_shipped_announce(*, release: Release, feature_ids: list[int]) -> int:
    """Tell every salesperson whose deals or accounts asked for these features that they shipped.

    One notification per person, listing their own open deals that asked (to re-engage) and their
    accounts that asked without an open deal. Returns how many people were told.
    """
    rows = (
        Ask.objects.filter(feature_id__in=feature_ids)
        .values_list(
            "requested_by_id",
            "opportunity_id",
            "opportunity__name",
            "opportunity__owner_id",
            "opportunity__stage__is_won",
            "opportunity__stage__is_lost",
            "account_id",
            "account__name",
            "account__owner_id",
            "feature_id",
            "feature__title",
        )
        .distinct()
    )
    deals: dict[int, dict[int, str]] = defaultdict(dict)
    accounts: dict[int, dict[int, str]] = defaultdict(dict)
    features: dict[int, dict[int, str]] = defaultdict(dict)
    engaged: dict[int, set[int]] = defaultdict(set)  # person → accounts with an open deal of theirs that asked
    for row in rows:
        requested_by, deal, deal_name, deal_owner, won, lost, account, account_name, account_owner, fid, title = row
        for person in {requested_by, deal_owner, account_owner} - {None}:
            features[person][fid] = title
        if deal is not None and not won and not lost:
            deals[deal_owner][deal] = deal_name
            engaged[deal_owner].add(account)
        else:
            accounts[account_owner][account] = account_name
    reps = User.objects.filter(pk__in=list(features), role__in=list(SALES_ROLES), is_active=True).order_by("pk")
    notices = []
    for rep in reps:
        links = [
            (name, reverse("sales:opportunity_detail", kwargs={"pk": pk}))
            for pk, name in sorted(deals[rep.pk].items(), key=lambda item: item[1])
        ]
        links += [
            (f"{name} (account)", reverse("sales:account_detail", kwargs={"pk": pk}))
            for pk, name in sorted(accounts[rep.pk].items(), key=lambda item: item[1])
            if pk not in engaged[rep.pk]
        ]
        more = len(links) - SHIPPED_LINKS_SHOWN
        shipped = features[rep.pk]
        titles = ", ".join(sorted(shipped.values()))
        body = f"{release} shipped with what your customers asked for: {titles}."
        if deals[rep.pk]:
            body += (
                f"\n\nRe-engage your {len(deals[rep.pk])} open deal{'s' if len(deals[rep.pk]) != 1 else ''} that asked:"
            )
        elif links:
            body += "\n\nYour accounts that asked:"
        if more > 0:
            body += f"\n(The first {SHIPPED_LINKS_SHOWN} are listed; {more} more.)"
        notices.append(
            Notice(
                recipient=rep,
                kind=Notification.Kind.RELEASE_SHIPPED,
                title=f"Shipped in {release}: {titles}",
                body=body,
                # What shipped, as sales may tell it; with several features, the asks they answer.
                url=reverse("product:feature_detail", kwargs={"pk": next(iter(shipped))})
                if len(shipped) == 1
                else f"{reverse('asks:ask_list')}?status=shipped",
                links=tuple(links[:SHIPPED_LINKS_SHOWN]),
            )
        )
    notices_send(notices=notices)
    return len(notices)
