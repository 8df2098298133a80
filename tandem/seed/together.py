"""The demo's scenes of working as one team (issue 21): field intel reps logged on their deals,
customer calls PMs joined (some still to come), the engineering team's builds with their
dependencies so the planning page has a frontier, a product-sales review with two meetings, their
decisions and action items, and launch plans with checklists and success metrics.

Written after `loop.py`'s scenes, from a random stream of their own (`seed + 2`): every row the
generator and the loop made stays as it was. The large scale (no loop scenes) gets the field intel
alone, in proportion (one piece per `DEALS_PER_INTEL` deals, on any open deal), for the agenda's
benchmark; builds would make its planning page solve twelve thousand candidates, calls and reviews
are the demo's stories.
"""

import datetime
from collections.abc import Iterator
from decimal import Decimal

from tandem.asks.models import Ask, Decision
from tandem.calls.models import CallAttendee, CallNote, CustomerCall
from tandem.commitments.models import Commitment
from tandem.competition.models import FieldIntel
from tandem.core.bulk import Row, Table
from tandem.launches.models import ChecklistItem, LaunchPlan, SuccessMetric
from tandem.planning.models import FeatureBuild
from tandem.reviews.models import ActionItem, MeetingDecision, Review, ReviewMeeting
from tandem.seed import words
from tandem.seed.generator import (
    COMMITMENT_FIELDS,
    DAY,
    FISCAL_YEAR_START_MONTH,
    STAGE_WON,
    SeedRandom,
    WorkspaceGenerator,
    _noun,
)
from tandem.seed.loop import ASK_FIELDS, HOUR, LoopScenes

MODELS = (
    FeatureBuild, FeatureBuild.needs.through, FieldIntel, CustomerCall, CustomerCall.asks.through, CallAttendee,
    CallNote, Review, Review.attendees.through, ReviewMeeting, MeetingDecision, ActionItem, LaunchPlan,
    ChecklistItem, SuccessMetric,
)  # fmt: skip
INTEL_PER_COMPETITOR = 3
DEALS_PER_INTEL = 50  # beyond the demo
CALLS_AHEAD = 4
CALLS_HELD = 4  # each raised one ask
DEPENDENCY_SHARE = 0.15  # of the builds, how many need an earlier feature of their product first


class TogetherScenes:
    def __init__(self, generator: WorkspaceGenerator, loop: LoopScenes | None) -> None:
        self.g = generator
        self.loop = loop
        self.rng = SeedRandom(generator.seed + 2)
        self.pm = generator.product_managers[0]
        self.rep = generator.demo_rep
        self.manager = generator.team_managers[1]
        self.eng = generator.engineering_leads[0]
        self.executive = generator.executives[0]
        people = {self.rep, *generator.team_reps[1], *generator.team_reps.get(2, [])}
        self.deals = [
            opp
            for opp in range(1, len(generator.opp_owner))
            if generator.opp_stage[opp] < STAGE_WON and (loop is None or generator.opp_owner[opp] in people)
        ]
        self.rep_deal = next((opp for opp in self.deals if generator.opp_owner[opp] == self.rep), self.deals[0])

    def tables(self) -> Iterator[Table]:
        if self.loop is None:
            yield self.intel()
            return
        yield from self.builds()
        yield self.intel()
        yield from self.calls()
        yield from self.review()
        yield from self.launches()

    def _ts(self, days: float, hour: int = 15) -> int:
        """A working hour `days` from today (negative: in the past)."""
        return self.g.now_ts + int(days) * DAY + hour * HOUR

    # -- planning --------------------------------------------------------------------------------

    def builds(self) -> Iterator[Table]:
        """Every backlog and planned feature is built by the engineering team; a few need an earlier
        feature of their product first (always an earlier id: no circle)."""
        g, rng = self.g, self.rng
        builds: list[Row] = []
        needs: list[Row] = []
        by_product: dict[int, list[int]] = {}
        for feature in range(1, len(g.feature_titles)):
            if g.feature_status[feature] not in ("backlog", "planned"):
                continue
            build_id = len(builds) + 1
            builds.append((build_id, feature, g.engineering_team_id, False, g.now, 1))
            earlier = by_product.setdefault(g.feature_product[feature], [])
            if earlier and rng.random() < DEPENDENCY_SHARE:
                needs.append((len(needs) + 1, build_id, rng.choice(earlier)))
            earlier.append(feature)
        yield Table(FeatureBuild, ("id", "feature", "team", "must_have", "updated_at", "version"), builds)
        yield Table(FeatureBuild.needs.through, ("id", "featurebuild", "feature"), needs)
        yield self.promise([row[1] for row in builds], needing={row[1] for row in needs} | {row[2] for row in needs})

    def promise(self, built: list[int], needing: set[int]) -> Table:
        """`rep` promised a backlog feature to their deal's account a month into next quarter, and the
        PM approved it: planning shows it as a must-have of next quarter, with the promise."""
        g = self.g
        feature = next(f for f in built if g.feature_status[f] == "backlog" and f not in needing)
        due = g.quarter.next().bounds(FISCAL_YEAR_START_MONTH)[0] + datetime.timedelta(days=30)
        requested = self._ts(-10)
        row = (
            g.commitment_count + 1, self.rep_deal, g.opp_account[self.rep_deal], feature, due,
            "Promised to their CIO on the renewal call, in writing.", Commitment.Status.APPROVED.value,
            self.rep, g._dt(requested), self.pm, g._dt(requested + 2 * DAY), "", 1,
        )  # fmt: skip
        return Table(Commitment, COMMITMENT_FIELDS, [row])

    # -- competition -----------------------------------------------------------------------------

    def intel(self) -> Table:
        """Intel on each competitor over the last two months, on open deals (the demo teams', the
        first on `rep`'s own), by the deal's owner."""
        g, rng = self.g, self.rng
        competitors = len(words.COMPETITORS)
        per_competitor = INTEL_PER_COMPETITOR if self.loop else g.scale.opportunities // DEALS_PER_INTEL // competitors
        rows: list[Row] = []
        for competitor in range(1, competitors + 1):
            for _ in range(per_competitor):
                deal = rng.choice(self.deals) if rows else self.rep_deal
                offered, claims = rng.choice(words.INTEL)
                price = Decimal(rng.randint(4, 60) * 1000) if rng.random() < 0.6 else None
                at = max(self._ts(-rng.randint(1, 60)), g.opp_created[deal] + HOUR)
                on_deal = rng.random() < 0.85  # some is heard on the account, outside a deal
                rows.append(
                    (len(rows) + 1, competitor, g.opp_account[deal], deal if on_deal else None, offered, price,
                     claims, g.opp_owner[deal], g._dt(at))
                )  # fmt: skip
        fields = ("id", "competitor", "account", "opportunity", "offered", "price_home", "claims", "author",
                  "created_at")  # fmt: skip
        return Table(FieldIntel, fields, rows, competitors * per_competitor)

    # -- customer calls --------------------------------------------------------------------------

    def calls(self) -> Iterator[Table]:
        """Four upcoming calls (two with the PM signed up, two still open) and four held this
        quarter, each with the PM on it, a note, and the ask it raised."""
        g, rng = self.g, self.rng
        calls: list[Row] = []
        attendees: list[Row] = []
        notes: list[Row] = []
        asks: list[Row] = []
        call_asks: list[Row] = []
        quarter_start = g.quarter.bounds(FISCAL_YEAR_START_MONTH)[0]
        days_into_quarter = max(1, (g.today - quarter_start).days)
        deals = rng.sample(self.deals, CALLS_AHEAD + CALLS_HELD)
        assert self.loop is not None  # the calls are the demo's
        next_ask = self.loop.next_ask
        for i, deal in enumerate(deals):
            upcoming = i < CALLS_AHEAD
            days = rng.randint(1, 14) if upcoming else -rng.randint(1, min(days_into_quarter, 60))
            scheduled = self._ts(days, hour=14 + i % 4)
            if not upcoming:  # held while the deal was open, and over before today
                scheduled = min(max(scheduled, g.opp_created[deal] + DAY), g.now_ts - 3 * HOUR)
            opened = max(g.opp_created[deal], min(scheduled, g.now_ts) - 5 * DAY)
            call_id = len(calls) + 1
            agenda = words.CALL_AGENDAS[i % len(words.CALL_AGENDAS)]
            calls.append((call_id, deal, g._dt(scheduled), agenda, 2, g.opp_owner[deal], None, g._dt(opened), 1))
            if i in (0, 1) or not upcoming:
                joined = min(opened + DAY, g.now_ts)
                attendees.append((len(attendees) + 1, call_id, self.pm, g._dt(joined)))
            if not upcoming:
                after = scheduled + HOUR
                notes.append((len(notes) + 1, call_id, self.pm, words.CALL_NOTES[i % len(words.CALL_NOTES)],
                              g._dt(after)))  # fmt: skip
                feature = self._backlog_feature(i)
                need, why = words.CALL_ASK
                value = Decimal(g.opp_amount_home_cents[deal]) / 100
                asks.append(
                    (next_ask, g.opp_account[deal], deal, g.opp_owner[deal], feature, None,
                     need.format(feature=_noun(g.feature_titles[feature])), why, Ask.Importance.IMPORTANT.value,
                     Ask.Source.CALL.value, Ask.Status.LINKED.value, g._dt(after), value, "", None)
                )  # fmt: skip
                call_asks.append((len(call_asks) + 1, call_id, next_ask))
                next_ask += 1
        yield Table(
            CustomerCall,
            ("id", "opportunity", "scheduled_at", "agenda", "seats", "opened_by", "cancelled_at", "created_at",
             "version"),
            calls,
        )  # fmt: skip
        yield Table(CallAttendee, ("id", "call", "product_manager", "joined_at"), attendees)
        yield Table(CallNote, ("id", "call", "author", "body", "created_at"), notes)
        yield Table(Ask, ASK_FIELDS, asks)
        yield Table(CustomerCall.asks.through, ("id", "customercall", "ask"), call_asks)

    def _backlog_feature(self, nth: int) -> int:
        g = self.g
        backlog = [f for f in range(1, len(g.feature_titles)) if g.feature_status[f] == "backlog"]
        return backlog[nth % len(backlog)]

    # -- the product-sales review ----------------------------------------------------------------

    def review(self) -> Iterator[Table]:
        """A fortnightly review the manager organises with the PM, the engineering lead and the
        executive: two meetings held, with a decision each, four action items (two still open)."""
        g = self.g
        created = g._dt(self._ts(-45))
        review = (1, "Product-sales review", Review.Cadence.FORTNIGHTLY.value, self.manager, created, 1)
        yield Table(Review, ("id", "name", "cadence", "organiser", "created_at", "version"), [review])
        attendees = [self.pm, self.eng, self.executive]
        yield Table(Review.attendees.through, ("id", "review", "user"),
                    [(i + 1, 1, user) for i, user in enumerate(attendees)])  # fmt: skip
        held = [g.today - datetime.timedelta(days=28), g.today - datetime.timedelta(days=14)]
        meetings = [
            (i + 1, 1, day, day - datetime.timedelta(days=14), words.REVIEW_NOTES[i],
             g._dt(self._ts((day - g.today).days, hour=17)), 2)
            for i, day in enumerate(held)
        ]  # fmt: skip
        yield Table(ReviewMeeting, ("id", "review", "held_on", "period_start", "notes", "minutes_sent_at", "version"),
                    meetings)  # fmt: skip
        assert self.loop is not None  # the review is the demo's
        decision_id = g.decision_count + len(self.loop.decisions)
        decisions: list[Row] = []
        links: list[Row] = []
        planned = next(f for f in range(1, len(g.feature_titles)) if g.feature_status[f] == "planned")
        later = next(
            f
            for f in range(1, len(g.feature_titles))
            if g.feature_status[f] == "backlog" and f not in g.decided_features and f not in self.loop.escalated
        )
        for meeting, (feature, outcome) in enumerate(((planned, "planned"), (later, "later")), start=1):
            decision_id += 1
            release = g.feature_release[feature] if outcome == "planned" else None
            at = g._dt(self._ts((held[meeting - 1] - g.today).days, hour=16))
            decisions.append((decision_id, feature, None, outcome, release, words.MEETING_RATIONALES[outcome],
                              self.pm, at))  # fmt: skip
            links.append((meeting, meeting, decision_id, f"feature:{feature}"))
        yield Table(Decision, ("id", "feature", "ask", "outcome", "release", "rationale", "decided_by", "decided_at"),
                    decisions)  # fmt: skip
        yield Table(MeetingDecision, ("id", "meeting", "decision", "agenda_item"), links)
        owners = {"manager": self.manager, "eng": self.eng, "rep": self.rep, "pm": self.pm}
        items: list[Row] = []
        for i, (title, owner) in enumerate(words.ACTION_ITEMS):
            meeting = 1 if i < 2 else 2
            day = held[meeting - 1]
            done = g._dt(self._ts((day - g.today).days + 5)) if meeting == 1 else None
            agenda_item = links[meeting - 1][3]
            items.append((i + 1, meeting, agenda_item, title, owners[owner], day + datetime.timedelta(days=21), done,
                          self.manager, g._dt(self._ts((day - g.today).days, hour=16)), 1))  # fmt: skip
        yield Table(
            ActionItem,
            ("id", "meeting", "agenda_item", "title", "owner", "due_on", "done_at", "created_by", "created_at",
             "version"),
            items,
        )  # fmt: skip

    # -- launches --------------------------------------------------------------------------------

    def launches(self) -> Iterator[Table]:
        """Each product's latest shipped release and next planned one have a launch plan: a checklist
        across the five areas (done for the shipped one) and success metrics with targets, adoption's
        actuals entered where the windows have passed."""
        g, rng = self.g, self.rng
        plans: list[Row] = []
        items: list[Row] = []
        metrics: list[Row] = []
        for product in range(1, g.scale.products + 1):
            manager = g.product_managers[(product - 1) % len(g.product_managers)]
            shipped_id, shipped_ts = max(g.shipped_releases[product], key=lambda release: release[1])
            upcoming = g.planned_releases[product][0]
            for release, shipped in ((shipped_id, shipped_ts), (upcoming, None)):
                plan_id = len(plans) + 1
                target = g.release_targets[release]
                created = g._dt(self._ts((target - g.today).days - 45))
                positioning = words.LAUNCH_POSITIONING.format(product=g.product_names[product - 1])
                plans.append((plan_id, release, positioning, manager, created, 1))
                for step, (area, title) in enumerate(words.CHECKLIST):
                    due = target - datetime.timedelta(days=14 - 3 * step)
                    done = None
                    if shipped is not None or (due < g.today and step < 3):
                        done = g._dt(self._ts((min(due, g.today) - g.today).days - 1))
                    owner = manager if area in ("positioning", "pricing") else self.manager
                    items.append((len(items) + 1, plan_id, area, title, owner, due, done, 1))
                days_since = (g.now_ts - shipped) // DAY if shipped is not None else -1
                adoption_30 = Decimal(rng.randint(8, 40)) if days_since >= 30 else None
                adoption_90 = Decimal(rng.randint(20, 90)) if days_since >= 90 else None
                for kind, goal, competitor, actual_30, actual_90 in (
                    ("adoption", Decimal(25), None, adoption_30, adoption_90),
                    ("revenue_influenced", Decimal(rng.randint(2, 8) * 50_000), None, None, None),
                    ("asks_closed", Decimal(rng.randint(2, 6)), None, None, None),
                    ("win_rate", Decimal(35), 1 + product % len(words.COMPETITORS), None, None),
                ):
                    metrics.append((len(metrics) + 1, plan_id, kind, competitor, goal, actual_30, actual_90, 1))
        yield Table(LaunchPlan, ("id", "release", "positioning", "created_by", "created_at", "version"), plans)
        yield Table(ChecklistItem, ("id", "plan", "area", "title", "owner", "due_date", "done_at", "version"), items)
        yield Table(
            SuccessMetric, ("id", "plan", "kind", "competitor", "target", "actual_30", "actual_90", "version"), metrics
        )
