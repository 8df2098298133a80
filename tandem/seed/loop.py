"""The core loop, staged in the demo workspace, for the people who sign in to it.

The generator's other tables are statistics. These rows tell stories that `rep`, `manager`, `pm`
and `exec` can follow: new asks waiting in the inbox (some are near-duplicates of each other or of
asks already linked, one is a near-neighbour that is a different need), three escalations (one
open, one overdue, one ruled) with the decisions behind them, a release that shipped what the
rep's customer asked for, and the notifications all of that sent, unread by the rep.

Deterministic: the deals are picked in id order, with no draw from the random stream.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse

from tandem.asks.models import Ask, Decision
from tandem.core.bulk import Row, Table
from tandem.core.fiscal import business_days_after
from tandem.decisions.models import Escalation
from tandem.decisions.services import ask_decision_text, escalation_text
from tandem.notifications.models import Notification
from tandem.seed.generator import DAY, STAGE_WON, WorkspaceGenerator, _noun

HOUR = 3600


@dataclass(frozen=True)
class NewAsk:
    """An ask waiting in the triage inbox: whose deal, what it says, and how long ago it came in."""

    owner: str  # "rep" (the demo rep), "team" (a teammate of theirs) or "other" (another team)
    need: str
    why: str
    importance: str
    source: str
    hours_ago: int
    proposed: str = ""  # the feature the rep attached, when they did


INBOX = (
    NewAsk(
        "rep",
        "Okta single sign-on for all 1,800 staff before their security review in January",
        "The new CISO made single sign-on a condition for every vendor.",
        "blocker",
        "call",
        5,
    ),
    NewAsk(
        "other",
        "SSO with Okta for every employee - their security review in January depends on it",
        "",
        "blocker",
        "email",
        30,
    ),
    NewAsk(
        "rep",
        "Send the audit log to Splunk so their SOC can review admin changes",
        "Their auditors flagged the gap in last year's SOX review.",
        "important",
        "demo",
        50,
        proposed="Audit log",
    ),
    NewAsk(
        "team",
        "Stream audit log events into Splunk for the security operations team",
        "The SOC reviews every admin change weekly; today they export CSVs by hand.",
        "important",
        "call",
        74,
    ),
    NewAsk(
        "other",
        "Export the pipeline to Excel with the fiscal quarter on every row",
        "The CFO rebuilds the forecast in a spreadsheet every Monday.",
        "important",
        "call",
        98,
    ),
    NewAsk(
        "rep",
        "Weekly pipeline export to xlsx for the board pack",
        "The board pack is still assembled in Excel.",
        "nice_to_have",
        "email",
        140,
    ),
    NewAsk(
        "other",
        "Import 40,000 legacy accounts from Excel spreadsheets during onboarding",
        "Their old CRM is being switched off at the end of the quarter.",
        "important",
        "rfp",
        46,
    ),
    NewAsk(
        "team",
        "Two-way Salesforce sync so reps stop keying opportunities in twice",
        "Their sales team lives in Salesforce; finance reports from us.",
        "blocker",
        "call",
        22,
    ),
)


@dataclass(frozen=True)
class EscalationStory:
    """An ask the PM declined or deferred, escalated by the demo manager; ruled when `ruling` is set.

    The ask is linked to a backlog feature nobody has decided on, so the decision on the ask is the
    one escalated: the first of `asks` (feature title, need, why) whose feature is such, or else
    any such feature of the first one's product, in general words. Days count back from today.
    """

    owner: str
    asks: tuple[tuple[str, str, str], ...]
    asked_days_ago: int
    outcome: str
    rationale: str
    decided_days_ago: int
    reason: str
    escalated_days_ago: int
    to_demo_executive: bool
    ruling: str = ""
    ruling_rationale: str = ""
    ruled_days_ago: int = 0


ESCALATIONS = (
    EscalationStory(
        owner="rep",
        asks=(
            (
                "EU data residency",
                "Host their data in the EU: the works council will not approve a US data centre",
                "They are expanding into Germany and need it for the works council.",
            ),
            (
                "Customer-managed encryption keys",
                "Encryption keys held in their own AWS KMS; their bank regulator requires it",
                "The regulator's outsourcing guideline names it.",
            ),
            (
                "Localised interface (German, French, Spanish)",
                "The interface in German for 300 warehouse staff who do not work in English",
                "The works council asked for it before the rollout.",
            ),
            (
                "SCIM user provisioning",
                "Create and remove users from Azure AD automatically when staff join or leave",
                "Their IT team offboards forty people a month by hand.",
            ),
        ),
        asked_days_ago=12,
        outcome="later",
        rationale=(
            "Worth doing, but the platform team is on the SOC 2 audit until March. We will plan it at the next "
            "quarterly review, with the pipeline as it stands then."
        ),
        decided_days_ago=6,
        reason=(
            "Their renewal closes this quarter and this is the last open item on their list. Without a date they "
            "will go to tender."
        ),
        escalated_days_ago=1,
        to_demo_executive=True,
    ),
    EscalationStory(
        owner="team",
        asks=(
            (
                "Custom roles and permissions",
                "Custom roles so branch managers can approve discounts without seeing payroll fields",
                "Procurement lists it as mandatory.",
            ),
            (
                "Field-level encryption",
                "Encrypt salary and bank fields so only HR admins can read them",
                "Their data protection officer made it a condition.",
            ),
            (
                "Approval workflows",
                "Two-step approval for discounts above 15% before a quote goes out",
                "Finance wants the control in place before the audit.",
            ),
            (
                "IP allow-listing",
                "Allow sign-ins only from their office IP ranges",
                "Their security policy covers every SaaS tool they use.",
            ),
        ),
        asked_days_ago=22,
        outcome="declined",
        rationale=(
            "Not this year: it serves one customer's process and would take a quarter of the platform team. "
            "The solutions team will help them set up the workaround with sharing rules."
        ),
        decided_days_ago=16,
        reason="Their pilot tried the workaround and failed the audit; procurement will not sign without it.",
        escalated_days_ago=12,
        to_demo_executive=False,
    ),
    EscalationStory(
        owner="rep",
        asks=(
            (
                "Sandbox environments",
                "A sandbox to test workflow changes before they reach 600 users",
                "A bad workflow change stopped their order desk for a day last year.",
            ),
            (
                "Data retention policies",
                "Delete contact records automatically after seven years, as their retention policy says",
                "Their auditors asked how personal data is deleted.",
            ),
            (
                "Multi-currency support",
                "Quote in CHF and EUR for the Swiss and German subsidiaries",
                "Both subsidiaries invoice in their own currency.",
            ),
        ),
        asked_days_ago=38,
        outcome="later",
        rationale="It waits on the storage rework the platform team starts next quarter. Revisit at that planning.",
        decided_days_ago=30,
        reason="They will sign a three-year term if we commit to a date; otherwise one year only.",
        escalated_days_ago=27,
        to_demo_executive=True,
        ruling="later",
        ruling_rationale=(
            "Upheld. The storage rework comes first, and the deal signs either way. Product gives sales a date "
            "at the next quarterly planning; offer the one-year term with a review clause."
        ),
        ruled_days_ago=24,
    ),
)

ASK_FIELDS = (
    "id", "account", "opportunity", "requested_by", "feature", "duplicate_of", "need", "why", "importance", "source",
    "status", "created_at", "value_home", "outcome", "outcome_decision",
)  # fmt: skip
SHIPPED_NEED = "They will roll {feature} out to every region once it ships; it was the last item on their list."
SHIPPED_WHY = "Their rollout plan waits on it."


class LoopScenes:
    def __init__(self, generator: WorkspaceGenerator) -> None:
        self.g = generator
        self.next_ask = generator.scale.asks + 1
        self.asks: list[Row] = []
        self.decisions: list[Row] = []
        self.escalations: list[Row] = []
        self.notifications: list[Row] = []
        self.rep = generator.demo_rep
        self.manager = generator.team_managers[1]
        self.executive = generator.executives[0]
        self.escalated: set[int] = set()
        self._deals = {kind: self._open_deals(kind) for kind in ("rep", "team", "other")}

    def tables(self) -> Iterator[Table]:
        """The scenes' rows, built once the generator's own tables are written (they read its state)."""
        self._shipped()  # first: it wants the rep's longest-running deal
        for new_ask in INBOX:
            self._new_ask(new_ask)
        for story in ESCALATIONS:
            self._escalation(story)
        yield Table(Ask, ASK_FIELDS, self.asks)
        yield Table(
            Decision,
            ("id", "feature", "ask", "outcome", "release", "rationale", "decided_by", "decided_at"),
            self.decisions,
        )
        yield Table(
            Escalation,
            ("id", "ask", "escalated_by", "reason", "escalated_at", "due_date", "executive", "status", "ruling"),
            self.escalations,
        )
        yield Table(
            Notification,
            ("id", "recipient", "kind", "title", "body", "url", "links", "created_at", "read_at", "emailed_at"),
            self.notifications,
        )

    # -- the people and their deals ------------------------------------------------------------

    def _open_deals(self, kind: str) -> list[int]:
        g = self.g
        if kind == "rep":
            owners = {self.rep}
        elif kind == "team":
            owners = set(g.team_reps[1]) - {self.rep}
        else:
            owners = set(g.team_reps[2])
        return [
            opp for opp in range(1, len(g.opp_owner)) if g.opp_owner[opp] in owners and g.opp_stage[opp] < STAGE_WON
        ]

    def _feature(self, title: str) -> int:
        return self.g.feature_titles.index(title)

    def _escalated_ask(self, story: EscalationStory) -> tuple[int, str, str]:
        """The feature, need and why of the story's ask: see `EscalationStory`."""
        g = self.g

        def undecided(feature: int) -> bool:
            free = g.feature_status[feature] == "backlog" and feature not in g.decided_features
            return free and feature not in self.escalated

        for title, need, why in story.asks:
            feature = self._feature(title)
            if undecided(feature):
                self.escalated.add(feature)
                return feature, need, why
        product = g.feature_product[self._feature(story.asks[0][0])]
        for feature in range(1, len(g.feature_titles)):
            if g.feature_product[feature] == product and undecided(feature):
                self.escalated.add(feature)
                title = _noun(g.feature_titles[feature])
                need = f"They need {title} before they sign: the last open item of their evaluation"
                return feature, need, "Procurement will not sign without it."
        raise LookupError(f"No backlog feature of product {product} is free of decisions.")

    def _ts(self, days_ago: int) -> int:
        """During that day's working hours (in UTC, between London and New York), never today."""
        assert days_ago >= 1
        return self.g.now_ts - days_ago * DAY + (13 + days_ago % 6) * HOUR

    def _ask(self, *, owner: str, feature: int | None, need: str, why: str, importance: str, source: str,
             status: str, created: int) -> tuple[int, int, int]:  # fmt: skip
        """Write an ask on the next open deal of `owner`; returns (ask id, deal, account)."""
        g = self.g
        deal = self._deals[owner].pop(0)
        account, requested_by = g.opp_account[deal], g.opp_owner[deal]
        ask_id = self.next_ask
        self.next_ask += 1
        created = max(created, g.opp_created[deal] + HOUR)
        self.asks.append(
            (ask_id, account, deal, requested_by, feature, None, need, why, importance, source, status, g._dt(created),
             self._value(deal), "", None)
        )  # fmt: skip
        return ask_id, deal, account

    def _value(self, deal: int) -> Decimal:
        """An ask's value (`Ask.value_home`): every scene's ask is on a deal, so the deal's home amount."""
        return Decimal(self.g.opp_amount_home_cents[deal]) / 100

    def _decision(self, *, ask: int, outcome: str, rationale: str, by: int, at: int) -> int:
        decision_id = self.g.decision_count + len(self.decisions) + 1
        self.decisions.append((decision_id, None, ask, outcome, None, rationale, by, self.g._dt(at)))
        return decision_id

    def _notify(self, *, to: int, kind: str, title: str, body: str, url: str, at: int,
                links: list[list[str]] | None = None, read: bool = False) -> None:  # fmt: skip
        g = self.g
        sent = g._dt(at)
        read_at = g._dt(min(at + DAY, g.now_ts)) if read else None
        self.notifications.append(
            (len(self.notifications) + 1, to, kind, title, body, url, links or [], sent, read_at, sent)
        )

    # -- the scenes ----------------------------------------------------------------------------

    def _new_ask(self, story: NewAsk) -> None:
        proposed = self._feature(story.proposed) if story.proposed else None
        self._ask(
            owner=story.owner, feature=proposed, need=story.need, why=story.why, importance=story.importance,
            source=story.source, status="new", created=self.g.now_ts - story.hours_ago * HOUR,
        )  # fmt: skip

    def _escalation(self, story: EscalationStory) -> None:
        g = self.g
        feature, need, why = self._escalated_ask(story)
        pm = g._product_manager_of(feature)
        ask, deal, account = self._ask(
            owner=story.owner, feature=feature, need=need, why=why, importance="blocker", source="call",
            status="linked", created=self._ts(story.asked_days_ago),
        )  # fmt: skip
        decided = self._ts(story.decided_days_ago)
        self._decision(ask=ask, outcome=story.outcome, rationale=story.rationale, by=pm, at=decided)
        customer = g.account_names[account]
        url = reverse("asks:ask_detail", kwargs={"pk": ask})
        outcome = Decision.Outcome(story.outcome).label
        owner = g.opp_owner[deal]
        # As `deal_label` tells it: the deal's name to whoever sees the deal (its owner, their manager,
        # product and executives), else that a colleague has one.
        named = f"deal {g.scene_deal_names[deal]}"

        def deal_for(person: int) -> str:
            sees = person in (owner, pm, self.executive) or (person == self.manager and owner in g.team_reps[1])
            return named if sees else "a colleague's deal"

        def decision_text(person: int, decider: int, chosen: str, rationale: str, ruling: bool) -> tuple[str, str]:
            return ask_decision_text(
                need=need, customer=customer, deal=deal_for(person), feature=g.feature_titles[feature],
                decider=g.user_names[decider], outcome=Decision.Outcome(chosen).label, rationale=rationale,
                ruling=ruling,
            )  # fmt: skip

        # The requesting rep and their manager are told of the decision.
        for person in (owner, self.manager):
            title, body = decision_text(person, pm, story.outcome, story.rationale, False)
            self._notify(
                to=person, kind=Notification.Kind.DECISION, title=title, body=body, url=url, at=decided,
                read=story.ruling != "",
            )  # fmt: skip

        escalated = self._ts(story.escalated_days_ago)
        due = business_days_after(g._dt(escalated).date(), 5)
        executive = self.executive if story.to_demo_executive else None
        ruling = None
        if story.ruling:
            ruled = self._ts(story.ruled_days_ago)
            ruling = self._decision(
                ask=ask, outcome=story.ruling, rationale=story.ruling_rationale, by=self.executive, at=ruled
            )
        self.escalations.append(
            (len(g.escalation_rows) + len(self.escalations) + 1, ask, self.manager, story.reason, g._dt(escalated),
             due, executive, "ruled" if ruling else "open", ruling)
        )  # fmt: skip
        title, notice = escalation_text(
            need=need, customer=customer, deal=named, escalated_by=g.user_names[self.manager],
            was=outcome.lower(), reason=story.reason, due=due,
        )  # fmt: skip
        for person in (self.executive, pm):
            self._notify(
                to=person, kind=Notification.Kind.ESCALATION, title=title, body=notice, url=url, at=escalated,
                read=bool(ruling),
            )  # fmt: skip
        if story.ruling:
            for person in (owner, self.manager, pm):
                title, body = decision_text(person, self.executive, story.ruling, story.ruling_rationale, True)
                self._notify(
                    to=person, kind=Notification.Kind.DECISION, title=title, body=body, url=url,
                    at=self._ts(story.ruled_days_ago), read=person != self.rep,
                )  # fmt: skip

    def _shipped(self) -> None:
        """The latest release of the rep's products that shipped a feature their open deal had asked for."""
        g = self.g
        deal = min(self._deals["rep"], key=lambda opp: g.opp_created[opp])
        self._deals["rep"].remove(deal)
        candidates = [
            (shipped, release, feature)
            for releases in g.shipped_releases.values()
            for release, shipped in releases
            for feature in range(1, len(g.feature_titles))
            if g.feature_release[feature] == release and g.feature_status[feature] == "shipped"
            and shipped > g.opp_created[deal] + 7 * DAY
        ]  # fmt: skip
        if not candidates:
            return
        shipped, release, feature = max(candidates)
        title = g.feature_titles[feature]
        ask_id = self.next_ask
        self.next_ask += 1
        asked = max(g.opp_created[deal] + HOUR, shipped - 30 * DAY)
        self.asks.append(
            (ask_id, g.opp_account[deal], deal, self.rep, feature, None, SHIPPED_NEED.format(feature=title),
             SHIPPED_WHY, "important", "call", "linked", g._dt(asked), self._value(deal), "", None)
        )  # fmt: skip
        name = f"{g.product_names[g.feature_product[feature] - 1]} {g.release_names[release]}"
        self._notify(
            to=self.rep,
            kind=Notification.Kind.RELEASE_SHIPPED,
            title=f"Shipped in {name}: {title}",
            body=f"{name} shipped with what your customers asked for: {title}.\n\n"
            "Re-engage your 1 open deal that asked:",
            url=reverse("product:feature_detail", kwargs={"pk": feature}),
            links=[[g.scene_deal_names[deal], reverse("sales:opportunity_detail", kwargs={"pk": deal})]],
            at=shipped,
        )
