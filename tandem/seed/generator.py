"""Rows of a believable workspace, table by table, from one seed and one date.

Every random draw comes from one `random.Random(seed)`, consumed in a fixed order, and every
date is computed from `today`, so the same seed on the same date gives the same rows. Ids are
assigned here, so rows point at each other without reading the database back. Tables are
generators: `tables()` must be consumed in order (later tables use what earlier ones recorded in
compact arrays, never the rows themselves), which keeps memory flat at a million deals.
"""

import datetime
import functools
import math
import random
import string
from array import array
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate, pairwise
from typing import TypeVar

from django.contrib.auth.hashers import make_password

from tandem.activities.models import Activity
from tandem.asks.models import Ask, Decision
from tandem.commitments.models import Commitment
from tandem.competition.models import Battlecard, Competitor
from tandem.core.bulk import Row, Table
from tandem.core.fiscal import FiscalQuarter, business_days_after, fiscal_quarter_of
from tandem.core.models import ExchangeRate, Workspace
from tandem.core.roles import Role
from tandem.decisions.models import Escalation
from tandem.leads.models import Lead
from tandem.people.models import Team, Territory, User, admin_site_access
from tandem.planning.models import TeamCapacity
from tandem.product.models import Feature, Goal, Product, Release
from tandem.roadmap.models import LifecycleMove
from tandem.sales.models import Account, Contact, DealContact, Opportunity, Quota, Stage, StageChange
from tandem.seed import words
from tandem.seed.scales import DEMO_LOGINS, DEMO_PASSWORD, Scale
from tandem.targets.models import SalesTarget

T = TypeVar("T")
CENT = Decimal("0.01")
UTC = datetime.UTC
DAY = 86_400
COMMITMENT_FIELDS = (
    "id", "opportunity", "account", "feature", "due_date", "note", "status", "requested_by", "requested_at",
    "decided_by", "decided_at", "reason", "version",
)  # fmt: skip
FISCAL_YEAR_START_MONTH = 2  # February: FY2027 runs from February 2026 to January 2027
SEGMENTS = ("enterprise", "mid_market", "smb")
# Median deal size by segment (log-normal, sigma below) and sales cycle in days.
DEAL_MEDIAN = {"enterprise": 180_000.0, "mid_market": 45_000.0, "smb": 9_000.0}
DEAL_SIGMA = {"enterprise": 0.75, "mid_market": 0.6, "smb": 0.55}
CYCLE_DAYS = {"enterprise": (60, 270), "mid_market": (30, 150), "smb": (10, 60)}
# What the PM wrote for sales on features sales may see, by where the feature stands.
TALKING_POINTS = {
    "shipped": ("Available now: show it in the demo and send the release notes.", "Don't offer it free to close."),
    "planned": (
        "It is on the roadmap: you may give the quarter.",
        "Don't give a date or write it into a contract; ask product for a commitment first.",
    ),
    "in_progress": (
        "The team is building it now: you may give the quarter.",
        "Don't give a date or write it into a contract; ask product for a commitment first.",
    ),
    "backlog": ("We hear this need and track it with other customers' asks.", "Don't say it is planned."),
    "declined": ("", "Don't suggest it is coming."),
}
EMPLOYEES = {"enterprise": (2_000, 80_000), "mid_market": (200, 2_000), "smb": (10, 200)}
ARR = {"enterprise": (150_000, 2_000_000), "mid_market": (25_000, 250_000), "smb": (3_000, 30_000)}
WIN_RATE = {"enterprise": 0.24, "mid_market": 0.3, "smb": 0.36}
QUARTERLY_QUOTA = {"enterprise": 450_000, "mid_market": 250_000, "smb": 120_000}
RATE_BASE = {"EUR": 1.08, "GBP": 1.27, "CAD": 0.73, "AUD": 0.66}
# Deal currencies by region: (currency, weight).
REGION_CURRENCIES = {
    "AMER": (("USD", 92), ("CAD", 8)),
    "LATAM": (("USD", 100),),
    "EMEA": (("EUR", 50), ("GBP", 20), ("USD", 30)),
    "APAC": (("USD", 70), ("AUD", 30)),
}
STAGE_WON, STAGE_LOST = 5, 6  # indexes into words.STAGES; stage ids are index + 1
# Chance that an intermediate stage shows in a deal's history (deals often skip a step).
STAGE_KEPT = 0.3
ASK_WITHOUT_DEAL = 0.12
ASK_DUPLICATE = 0.06
CONVERTED_SHARE = 0.5  # of the new-business deals, those converted from a lead, at most
LEADS_CONVERTED = 0.15  # of the leads, those converted, at most
LEAD_CAMPAIGNS = {
    "campaign": ("Spring webinar series", "Ops efficiency ebook", "Paid search: planning", "Customer story emails"),
    "event": ("SaaS Summit", "Regional roadshow", "Partner day", "Industry expo booth"),
    "partner": ("Reseller co-marketing", "Marketplace listing"),
}
COMPANY_WORDS = ("Labs", "Systems", "Group", "Logistics", "Health", "Foods", "Partners", "Energy", "Retail")
LEAD_DISQUALIFIED = (
    "No budget this year.",
    "Too small for our product.",
    "Student or job seeker, not a buyer.",
    "Already a customer's subsidiary; routed to the account owner.",
    "Chose a competitor before we spoke.",
    "No reply after five attempts.",
)


class SeedRandom(random.Random):
    """`random.Random` with the draws the hot loops make done in one step.

    The standard `randint`, `choice` and `choices` check their arguments and draw bits in a loop,
    which costs more than building the row; at a million deals that is minutes.
    """

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq: Sequence[T]) -> T:  # type: ignore[override]
        return seq[int(self.random() * len(seq))]

    def weighted(self, values: Sequence[T], weights: Sequence[float]) -> Callable[[], T]:
        """A drawer of `values` with these relative weights (cumulated once, not per draw)."""
        cumulated, total, draw = list(accumulate(weights)), sum(weights), self.random
        return lambda: values[bisect(cumulated, draw() * total)]


@functools.cache
def _decimal(value: int) -> Decimal:
    return Decimal(value)


def _round_amount(value: float) -> Decimal:
    """Deal amounts are round numbers: to 250 under 10k, to 1,000 under 100k, to 5,000 above."""
    step = 250 if value < 10_000 else 1_000 if value < 100_000 else 5_000
    return _decimal(max(step, round(value / step) * step))


def _noun(title: str) -> str:
    """A feature title inside a sentence: 'Audit log' → 'audit log'; 'SAML …', 'Slack …' kept."""
    if title[1:2].isupper() or title.split(" ")[0] in words.PROPER_NOUNS:
        return title
    return title[0].lower() + title[1:]


class WorkspaceGenerator:
    def __init__(self, *, scale: Scale, seed: int, today: datetime.date) -> None:
        self.scale = scale
        self.rng = SeedRandom(seed)
        self.seed = seed
        self.today = today
        # Midnight UTC: "now" is never later than the real now on the day it is generated.
        self.now = datetime.datetime.combine(today, datetime.time(0, 0), tzinfo=UTC)
        self.now_ts = int(self.now.timestamp())
        self.quarter = fiscal_quarter_of(today, FISCAL_YEAR_START_MONTH)
        self.past_start = self._quarter_shift(-6).bounds(FISCAL_YEAR_START_MONTH)[0]
        self.future_end = self._quarter_shift(2).bounds(FISCAL_YEAR_START_MONTH)[1]

    # -- helpers -------------------------------------------------------------------------------

    def _quarter_shift(self, steps: int) -> FiscalQuarter:
        quarter = self.quarter
        for _ in range(abs(steps)):
            quarter = quarter.next() if steps > 0 else quarter.previous()
        return quarter

    def _dt(self, ts: int) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(ts, UTC)

    def _ago(self, low_days: float, high_days: float) -> int:
        """A moment between `high_days` and `low_days` before now, as a timestamp."""
        return self.now_ts - int((low_days + (high_days - low_days) * self.rng.random()) * DAY)

    def tables(self) -> Iterator[Table]:
        yield self.workspace()
        yield self.exchange_rates()
        yield self.territories()
        yield from self.people()
        yield self.stages()
        yield self.competitors()
        yield self.battlecards()
        yield self.products()
        yield self.goals()
        yield self.releases()
        yield self.features()
        yield self.feature_goals()
        yield self.team_capacities()
        yield self.lifecycle_moves()
        yield self.accounts()
        yield self.contacts()
        yield self.opportunities()
        yield self.stage_changes()
        yield from self.activities()
        yield self.asks()
        yield self.decisions()
        yield self.escalations()
        yield self.quotas()
        yield self.sales_targets()
        yield self.commitments()
        yield self.leads()
        # Imported here: the scenes read this generator's state.
        from tandem.seed.loop import LoopScenes
        from tandem.seed.together import TogetherScenes

        scenes = LoopScenes(self) if self.scale.name == "demo" else None
        if scenes is not None:
            yield from scenes.tables()
        yield from TogetherScenes(self, scenes).tables()

    # -- the company ---------------------------------------------------------------------------

    def workspace(self) -> Table:
        return Table(
            Workspace,
            ("id", "name", "home_currency", "fiscal_year_start_month", "stale_after_days"),
            [(1, words.COMPANY, "USD", FISCAL_YEAR_START_MONTH, 14)],
        )

    def exchange_rates(self) -> Table:
        """Monthly rates from before the first deal up to this month, each a small random walk."""
        self.rates: dict[str, dict[tuple[int, int], Decimal]] = {}
        first = self._quarter_shift(-7).bounds(FISCAL_YEAR_START_MONTH)[0]
        months = []
        year, month = first.year, first.month
        while (year, month) <= (self.today.year, self.today.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        rows: list[Row] = []
        for currency, base in RATE_BASE.items():
            rate, by_month = base, {}
            for year, month in months:
                rate *= 1 + self.rng.gauss(0, 0.012)
                by_month[(year, month)] = Decimal(f"{rate:.6f}")
                rows.append((len(rows) + 1, currency, datetime.date(year, month, 1), by_month[(year, month)]))
            self.rates[currency] = by_month
        self.this_month = months[-1]
        return Table(ExchangeRate, ("id", "currency", "valid_from", "rate_to_home"), rows)

    def territories(self) -> Table:
        # A potential per territory (larger first) and a rule matching its region: no random draw,
        # so the rest of the workspace stays what the same seed always made.
        return Table(
            Territory,
            ("id", "name", "region", "potential", "rule_region", "rule_segment", "rule_industry", "version"),
            [
                (i + 1, name, region, Decimal((len(words.TERRITORIES) - i) * 2_500_000), "", "", "", 1)
                for i, (name, region, _) in enumerate(words.TERRITORIES)
            ],
        )

    def people(self) -> Iterator[Table]:
        """Sales teams (a manager and reps each, covering a territory and segment), product,
        engineering and leadership teams, and the demo logins placed where the demo needs them."""
        scale, rng = self.scale, self.rng
        demo = {login.role: login for login in DEMO_LOGINS}
        users: list[Row] = []
        usernames: set[str] = set()
        self.user_names: dict[int, str] = {}
        salt = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(22))
        # One hash for everyone: hashing two thousand passwords would take minutes, and the salt
        # comes from the seed so the rows stay deterministic.
        password = make_password(DEMO_PASSWORD, salt=salt)

        def add_user(role: Role, team_id: int | None, time_zone: str, title: str) -> int:
            user_id = len(users) + 1
            login = demo.pop(role, None)
            if login:
                username, first, last, title = login.username, login.first_name, login.last_name, login.title
            else:
                first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
                base = f"{first}.{last}".lower()
                username, n = base, 1
                while username in usernames:
                    n += 1
                    username = f"{base}{n}"
            usernames.add(username)
            self.user_names[user_id] = f"{first} {last}"
            joined = self._dt(self._ago(30, 1500))
            site = admin_site_access(role)
            email = f"{username}@{words.EMAIL_DOMAIN}"
            row = (user_id, password, None, site["is_superuser"], username, first, last, email, site["is_staff"])
            users.append((*row, True, joined, role.value, team_id, time_zone, title))
            return user_id

        teams: list[Row] = []
        self.sales_teams: list[tuple[int, int, str]] = []  # (team id, territory id, segment)
        self.team_managers: dict[int, int] = {}
        self.team_reps: dict[int, list[int]] = {}
        combos: dict[tuple[int, str], int] = {}
        for i in range(scale.sales_teams):
            territory = i % len(words.TERRITORIES)
            segment = SEGMENTS[(i + i // len(words.TERRITORIES)) % 3]
            combos[(territory, segment)] = combos.get((territory, segment), 0) + 1
            name = f"{words.TERRITORIES[territory][0]} {words.SEGMENT_TEAM_NAMES[segment]}"
            if combos[(territory, segment)] > 1:
                name += f" {combos[(territory, segment)]}"
            team_id = len(teams) + 1
            time_zone = words.TERRITORIES[territory][2]
            manager = add_user(Role.SALES_MANAGER, team_id, time_zone, "Regional Sales Manager")
            self.team_managers[team_id] = manager
            teams.append((team_id, name, Team.Kind.SALES.value, manager, territory + 1))
            self.team_reps[team_id] = [
                add_user(Role.REP, team_id, time_zone, rng.choice(words.REP_TITLES)) for _ in range(scale.reps_per_team)
            ]
            self.sales_teams.append((team_id, territory + 1, segment))

        def staff_team(name: str, kind: str, role: Role, count: int, titles: tuple[str, ...]) -> list[int]:
            team_id = len(teams) + 1
            members = [
                add_user(role, team_id, rng.choice(("America/New_York", "Europe/London")), rng.choice(titles))
                for _ in range(count)
            ]
            teams.append((team_id, name, kind, members[0], None))
            return members

        self.product_managers = staff_team(
            "Product", Team.Kind.PRODUCT.value, Role.PRODUCT_MANAGER, scale.product_managers,
            ("Product Manager", "Senior Product Manager"),
        )  # fmt: skip
        self.engineering_leads = staff_team(
            "Engineering", Team.Kind.ENGINEERING.value, Role.ENGINEERING_LEAD, scale.engineering_leads,
            ("Engineering Lead", "Staff Engineer"),
        )  # fmt: skip
        self.engineering_team_id = len(teams)  # the team just added: it builds every product
        self.executives = staff_team(
            "Leadership", Team.Kind.LEADERSHIP.value, Role.EXECUTIVE, scale.executives,
            ("VP Sales", "Chief Product Officer", "VP Engineering", "Chief Executive Officer"),
        )  # fmt: skip
        for _ in range(scale.admins):
            add_user(Role.ADMIN, None, "UTC", "Sales Operations Admin")
        # Teams point at their managers and users at their teams; the load runs in one transaction
        # and the foreign keys are checked at commit, so the order of the two tables is free.
        yield Table(Team, ("id", "name", "kind", "manager", "territory"), teams)
        yield Table(
            User,
            (
                "id",
                "password",
                "last_login",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
                "role",
                "team",
                "time_zone",
                "title",
            ),
            users,
        )

    def stages(self) -> Table:
        return Table(
            Stage,
            (
                "id",
                "name",
                "order",
                "default_probability",
                "forecast_category",
                "is_won",
                "is_lost",
                "loss_reason_required",
            ),
            [
                (i + 1, name, i + 1, p, category, won, lost, True)
                for i, (name, p, category, won, lost) in enumerate(words.STAGES)
            ],
        )

    def competitors(self) -> Table:
        rows = []
        for i, (name, site) in enumerate(words.COMPETITORS):
            positioning, pricing = words.COMPETITOR_PROFILES[i % len(words.COMPETITOR_PROFILES)]
            rows.append((i + 1, name, site, positioning, pricing, self.now, 1))
        return Table(Competitor, ("id", "name", "website", "positioning", "pricing", "updated_at", "version"), rows)

    def battlecards(self) -> Table:
        """Each competitor's battlecard as product and sales left it (its history starts empty)."""
        rows = [
            (i + 1, i + 1, *words.BATTLECARDS[i % len(words.BATTLECARDS)], self.now, 1)
            for i in range(len(words.COMPETITORS))
        ]
        fields = ("id", "competitor_id", "strengths", "weaknesses", "landmines", "objections", "updated_at", "version")
        return Table(Battlecard, fields, rows)

    # -- the product side ----------------------------------------------------------------------

    def products(self) -> Table:
        self.product_names = [name for name, _, _ in words.PRODUCTS[: self.scale.products]]
        rows = [
            (
                i + 1,
                name,
                description,
                lifecycle,
                self.product_managers[i % len(self.product_managers)],
                self.engineering_team_id,
            )
            for i, (name, lifecycle, description) in enumerate(words.PRODUCTS[: self.scale.products])
        ]
        return Table(Product, ("id", "name", "description", "lifecycle_stage", "manager", "team"), rows)

    def team_capacities(self) -> Table:
        """The engineering team's person-weeks, last quarter to two ahead: 12 weeks a lead's people
        give per product per quarter. No draw from the random stream: the rest of the seed stays as it was."""
        weeks = Decimal(12 * self.scale.engineering_leads * self.scale.products)
        rows = []
        for step in range(-1, 3):
            quarter = self._quarter_shift(step)
            rows.append((step + 2, self.engineering_team_id, quarter.year, quarter.quarter, weeks, self.now, 1))
        columns = ("id", "team", "fiscal_year", "fiscal_quarter", "person_weeks", "updated_at", "version")
        return Table(TeamCapacity, columns, rows)

    def lifecycle_moves(self) -> Table:
        """Each product's way from ideation to the stage it is in, one move a quarter, with its reason."""
        stages = list(Product.Lifecycle.values)
        rows: list[Row] = []
        for i, (_, lifecycle, _) in enumerate(words.PRODUCTS[: self.scale.products]):
            path = stages[: stages.index(lifecycle) + 1]
            manager = self.product_managers[i % len(self.product_managers)]
            for step, (before, after) in enumerate(pairwise(path)):
                moved = self.now_ts - (len(path) - 1 - step) * 91 * DAY - 30 * DAY
                rows.append(
                    (len(rows) + 1, i + 1, before, after, words.LIFECYCLE_REASONS[after], manager, self._dt(moved))
                )
        return Table(LifecycleMove, ("id", "product", "from_stage", "to_stage", "reason", "moved_by", "moved_at"), rows)

    def goals(self) -> Table:
        rows = [
            (i + 1, name, description, Decimal(weight), True, 1)
            for i, (name, weight, description) in enumerate(words.GOALS[: self.scale.goals])
        ]
        return Table(Goal, ("id", "name", "description", "weight", "is_active", "version"), rows)

    def releases(self) -> Table:
        """One release per product per fiscal quarter, six quarters back and two ahead."""
        rows: list[Row] = []
        self.shipped_releases: dict[int, list[tuple[int, int]]] = {}  # product → [(release id, shipped ts)]
        self.planned_releases: dict[int, list[int]] = {}
        self.release_names: dict[int, str] = {}
        self.release_targets: dict[int, datetime.date] = {}
        for product_id in range(1, self.scale.products + 1):
            self.shipped_releases[product_id], self.planned_releases[product_id] = [], []
            for step in range(-6, 3):
                quarter = self._quarter_shift(step)
                target = quarter.bounds(FISCAL_YEAR_START_MONTH)[1] - datetime.timedelta(days=self.rng.randint(5, 25))
                release_id = len(rows) + 1
                name = f"{quarter.year}.{quarter.quarter}"
                self.release_names[release_id] = name
                self.release_targets[release_id] = target
                if target < self.today:
                    shipped = datetime.datetime.combine(target, datetime.time(15, 0), tzinfo=UTC)
                    shipped = min(shipped + datetime.timedelta(days=self.rng.randint(-3, 6)), self.now)
                    rows.append((release_id, name, product_id, target, Release.Status.SHIPPED.value, shipped, 1))
                    self.shipped_releases[product_id].append((release_id, int(shipped.timestamp())))
                else:
                    rows.append((release_id, name, product_id, target, Release.Status.PLANNED.value, None, 1))
                    self.planned_releases[product_id].append(release_id)
        return Table(Release, ("id", "name", "product", "target_date", "status", "shipped_at", "version"), rows)

    def _feature_titles(self, product: str, count: int) -> list[str]:
        """The product's hand-written titles first, then '<action> <object> <detail>' combinations."""
        titles = list(words.FEATURE_TITLES[product][:count])
        combos = [
            f"{action} {obj} {detail}".strip()
            for action in words.FEATURE_ACTIONS
            for obj in words.FEATURE_OBJECTS
            for detail in words.FEATURE_DETAILS
        ]
        self.rng.shuffle(combos)
        phase = 1
        while len(titles) < count:
            batch = combos[: count - len(titles)]
            titles += batch if phase == 1 else [f"{title} (phase {phase})" for title in batch]
            phase += 1
        return titles

    def features(self) -> Table:
        rng, scale = self.rng, self.scale
        # Platform gets the most features, the retiring product the fewest.
        shares = (0.35, 0.25, 0.25, 0.1, 0.05)[: scale.products]
        counts = [int(scale.features * share / sum(shares)) for share in shares]
        counts[0] += scale.features - sum(counts)
        pms_by_product = {
            p: [pm for i, pm in enumerate(self.product_managers) if i % scale.products == p - 1]
            or self.product_managers
            for p in range(1, scale.products + 1)
        }
        self.feature_titles: list[str] = [""]  # index = feature id
        self.feature_product = array("l", [0])
        self.feature_status: list[str] = [""]
        self.feature_release = array("l", [0])
        self.feature_owner = array("l", [0])
        self.feature_created = array("q", [0])
        statuses = ("backlog", "planned", "in_progress", "shipped", "declined")
        status_weights = (50, 12, 8, 20, 10)

        def rows() -> Iterator[Row]:
            for product_id, count in enumerate(counts, start=1):
                for title in self._feature_titles(self.product_names[product_id - 1], count):
                    feature_id = len(self.feature_titles)
                    status = rng.choices(statuses, status_weights)[0]
                    release_id, shipped_ts = None, self.now_ts
                    if status == "shipped":
                        release_id, shipped_ts = rng.choice(self.shipped_releases[product_id])
                    elif status in ("planned", "in_progress"):
                        release_id = rng.choice(self.planned_releases[product_id])
                    confidence = {
                        "shipped": "committed",
                        "in_progress": "committed",
                        "planned": rng.choice(("committed", "likely")),
                        "backlog": rng.choices(("exploring", "likely"), (7, 3))[0],
                        "declined": "exploring",
                    }[status]
                    visibility = {
                        "shipped": rng.choices(("public", "sales"), (6, 4))[0],
                        "planned": rng.choices(("sales", "internal", "public"), (60, 25, 15))[0],
                        "in_progress": rng.choices(("sales", "internal", "public"), (60, 25, 15))[0],
                        "backlog": rng.choices(("internal", "sales"), (7, 3))[0],
                        "declined": "internal",
                    }[status]
                    effort = None
                    if status != "backlog" or rng.random() < 0.7:
                        effort = Decimal(max(1, round(rng.lognormvariate(math.log(4), 0.8) * 2))) / 2
                    owner = rng.choice(pms_by_product[product_id])
                    created = self._ago(10, 720)
                    if status == "shipped":  # on the backlog well before its release shipped
                        created = min(created, shipped_ts - 45 * DAY)
                    updated = min(self.now_ts, created + int(rng.uniform(0, 120) * DAY))
                    self.feature_titles.append(title)
                    self.feature_product.append(product_id)
                    self.feature_status.append(status)
                    self.feature_release.append(release_id or 0)
                    self.feature_owner.append(owner)
                    self.feature_created.append(created)
                    description = f"Customers ask for {_noun(title)}. Tracked by {self.product_names[product_id - 1]}."
                    say, dont_say = TALKING_POINTS[status] if visibility != "internal" else ("", "")
                    yield (
                        feature_id, product_id, title, description, status, release_id, effort, confidence,
                        visibility, owner, self._dt(created), self._dt(updated), 1, say, dont_say,
                    )  # fmt: skip

        return Table(
            Feature,
            (
                "id",
                "product",
                "title",
                "description",
                "status",
                "release",
                "effort",
                "confidence",
                "visibility",
                "owner",
                "created_at",
                "updated_at",
                "version",
                "sales_say",
                "sales_dont_say",
            ),
            rows(),
            scale.features,
        )

    def feature_goals(self) -> Table:
        goal_count = self.rng.weighted((0, 1, 2), (2, 6, 2))

        def rows() -> Iterator[Row]:
            row_id = 0
            for feature_id in range(1, len(self.feature_titles)):
                count = goal_count()
                for goal_id in sorted(self.rng.sample(range(1, self.scale.goals + 1), count)):
                    row_id += 1
                    yield (row_id, feature_id, goal_id)

        return Table(Feature.goals.through, ("id", "feature", "goal"), rows())

    # -- the sales side ------------------------------------------------------------------------

    def _company_name(self, industry: str, region: str, used: set[str]) -> str:
        rng = self.rng
        for _ in range(50):
            if rng.random() < 0.15:
                stem = rng.choice(words.SURNAME_STEMS)
            else:
                stem = rng.choice(words.STEM_STARTS) + rng.choice(words.STEM_ENDS)
            name = f"{stem} {rng.choice(words.INDUSTRIES[industry])} {rng.choice(words.LEGAL_SUFFIXES[region])}".strip()
            if name not in used:
                used.add(name)
                return name
        # The word lists give millions of names; this only guarantees the loop ends.
        name = f"{name} {len(used)}"
        used.add(name)
        return name

    def accounts(self) -> Table:
        rng, n = self.rng, self.scale.accounts
        industries = list(words.INDUSTRIES)
        self.account_owner = array("l", [0])
        self.account_team = array("l", [0])
        self.account_segment = array("b", [0])
        self.account_status = array("b", [0])  # 0 prospect, 1 customer, 2 churned
        self.account_revenue_cents = array("q", [0])
        self.account_region: list[str] = [""]
        self.account_names: list[str] = [""]
        self.account_created = array("q", [0])
        statuses = ("prospect", "customer", "churned")
        status_of = rng.weighted(range(3), (60, 35, 5))

        def rows() -> Iterator[Row]:
            used: set[str] = set()
            for account_id in range(1, n + 1):
                team_id, territory_id, segment = rng.choice(self.sales_teams)
                region = words.TERRITORIES[territory_id - 1][1]
                industry = rng.choice(industries)
                name = self._company_name(industry, region, used)
                status = status_of()
                low, high = EMPLOYEES[segment]
                employees = int(math.exp(rng.uniform(math.log(low), math.log(high))))
                arr = Decimal(0)
                if status == 1:
                    low, high = ARR[segment]
                    arr = _round_amount(math.exp(rng.uniform(math.log(low), math.log(high))))
                owner = rng.choice(self.team_reps[team_id])
                created = self._ago(200, 1500)
                self.account_owner.append(owner)
                self.account_team.append(team_id)
                self.account_segment.append(SEGMENTS.index(segment))
                self.account_status.append(status)
                self.account_revenue_cents.append(int(arr * 100))
                self.account_region.append(region)
                self.account_names.append(name)
                self.account_created.append(created)
                yield (
                    account_id, name, industry, segment, statuses[status], employees, region, territory_id, arr,
                    owner, None, self._dt(created), self._dt(self._ago(0, 90)), 1,
                )  # fmt: skip

        return Table(
            Account,
            (
                "id",
                "name",
                "industry",
                "segment",
                "status",
                "employees",
                "region",
                "territory",
                "annual_revenue",
                "owner",
                "external_id",
                "created_at",
                "updated_at",
                "version",
            ),
            rows(),
            n,
        )

    def contacts(self) -> Table:
        rng = self.rng
        phone_prefix = {"AMER": "+1 555", "LATAM": "+55 11 5555", "EMEA": "+44 20 7946", "APAC": "+61 2 5550"}

        # Each account's people are ids first_contact[a] .. first_contact[a] + contact_count[a] - 1.
        self.first_contact = array("l", [0])
        self.contact_count = array("b", [0])

        def rows() -> Iterator[Row]:
            contact_id = 0
            for account_id in range(1, self.scale.accounts + 1):
                self.first_contact.append(contact_id + 1)
                self.contact_count.append(0)
                domain = "".join(c for c in self.account_names[account_id].split(" ")[0].lower() if c.isalpha())
                for _ in range(rng.randint(1, self.scale.max_contacts_per_account)):
                    contact_id += 1
                    self.contact_count[account_id] += 1
                    first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
                    phone = f"{phone_prefix[self.account_region[account_id]]} {rng.randint(1000, 9999)}"
                    created = self.account_created[account_id] + rng.randint(0, 100) * DAY
                    yield (
                        contact_id, account_id, first, last, f"{first}.{last}@{domain}.example".lower(), phone,
                        rng.choice(words.CONTACT_TITLES), None, self._dt(min(created, self.now_ts)),
                    )  # fmt: skip

        return Table(
            Contact,
            ("id", "account", "first_name", "last_name", "email", "phone", "title", "external_id", "created_at"),
            rows(),
            self.scale.accounts * (1 + self.scale.max_contacts_per_account) // 2,
        )

    def opportunities(self) -> Table:
        """Deals over the past six fiscal quarters (closed, some won) and the next three (open)."""
        rng, n_accounts = self.rng, self.scale.accounts
        n = self.scale.opportunities
        self.opp_account = array("l", [0])
        self.opp_owner = array("l", [0])
        self.opp_stage = array("b", [0])  # index into words.STAGES
        self.opp_lost_at = array("b", [0])  # the last open stage a lost deal reached
        self.opp_created = array("q", [0])
        self.opp_end = array("q", [0])  # closed_at, or now for an open deal
        self.opp_amount_home_cents = array("q", [0])
        self.opp_source = array("b", [0])  # 1 + index into `sources` for new business, else 0
        # The demo closes a share of its closed deals in the quarter so far, so that this quarter's
        # attainment and forecast have won deals to show; its own generator keeps every other draw
        # (and so the rest of the demo) as it was.
        demo_rng = SeedRandom(self.seed + 1) if self.scale.name == "demo" else None
        quarter_start_index = (self.quarter.bounds(FISCAL_YEAR_START_MONTH)[0] - self.past_start).days
        # The deals of the demo's two teams by name: the demo's notifications name and link to them.
        self.demo_rep = self.team_reps[1][0]
        scene_owners = {*self.team_reps[1], *self.team_reps.get(2, [])}
        self.scene_deal_names: dict[int, str] = {}
        # Per-day lookups over the whole range, computed once: date arithmetic and rate lookups
        # per deal would cost more than the rest of the row.
        days = [
            self.past_start + datetime.timedelta(days=d) for d in range((self.future_end - self.past_start).days + 1)
        ]
        first_ts = int(datetime.datetime.combine(self.past_start, datetime.time(0), tzinfo=UTC).timestamp())
        # The same rate as `core.money.to_home_currency`: the latest one valid on the close date.
        rate_on = {
            currency: [by_month[min((day.year, day.month), self.this_month)] for day in days]
            for currency, by_month in self.rates.items()
        }
        fiscal_year = [fiscal_quarter_of(day, FISCAL_YEAR_START_MONTH).year for day in days]
        today_index = (self.today - self.past_start).days
        last_index = len(days) - 1
        product_words = [name.split(" ")[-1] for name in self.product_names]
        competitors = range(1, len(words.COMPETITORS) + 1)
        sources = [s.value for s in Opportunity.LeadSource if s != Opportunity.LeadSource.EXISTING_CUSTOMER]
        source_of = rng.weighted(sources, (30, 30, 15, 15, 10))
        loss_reason_of = rng.weighted([r.value for r in Opportunity.LossReason], (20, 15, 35, 10, 15, 5))
        currency_of = {
            region: rng.weighted([c for c, _ in pairs], [w for _, w in pairs])
            for region, pairs in REGION_CURRENCIES.items()
        }
        customer_kind = rng.weighted(("new", "renewal", "upsell"), (10, 50, 40))
        churned_kind = rng.weighted(("new", "renewal"), (7, 3))
        # Open deals closing soon sit in later stages than those closing in a few months.
        soon_stage = rng.weighted(range(5), (5, 15, 25, 25, 30))
        later_stage = rng.weighted(range(5), (15, 30, 30, 15, 10))
        far_stage = rng.weighted(range(5), (40, 35, 15, 7, 3))

        def rows() -> Iterator[Row]:
            for opp_id in range(1, n + 1):
                account = opp_id if opp_id <= n_accounts else rng.randint(1, n_accounts)
                segment = SEGMENTS[self.account_segment[account]]
                owner = self.account_owner[account]
                if rng.random() < 0.1:  # a teammate works the deal
                    owner = rng.choice(self.team_reps[self.account_team[account]])
                status = self.account_status[account]
                kind = "new"
                if status == 1:
                    kind = customer_kind()
                elif status == 2:
                    kind = churned_kind()
                source = "existing_customer" if kind != "new" else source_of()
                amount = _round_amount(rng.lognormvariate(math.log(DEAL_MEDIAN[segment]), DEAL_SIGMA[segment]))
                currency = currency_of[self.account_region[account]]()

                closed = rng.random() < 0.55
                if closed:
                    day = rng.randint(0, today_index)
                    if demo_rng is not None and demo_rng.random() < 0.25:
                        day = demo_rng.randint(quarter_start_index, today_index)
                    stage = STAGE_WON if rng.random() < WIN_RATE[segment] else STAGE_LOST
                else:
                    day = rng.randint(today_index - 20, last_index)
                    days_left = day - today_index
                    stage = soon_stage() if days_left < 45 else later_stage() if days_left <= 120 else far_stage()
                close_date = days[day]
                amount_home = amount
                if currency != "USD":
                    amount_home = (amount * rate_on[currency][day]).quantize(CENT, rounding=ROUND_HALF_UP)

                cycle = rng.randint(*CYCLE_DAYS[segment]) * DAY + rng.randint(0, DAY)
                close_ts = first_ts + day * DAY
                if closed:
                    end = min(close_ts + rng.randint(13 * 3600, 23 * 3600), self.now_ts)
                    created = end - cycle
                else:
                    end = self.now_ts
                    created = min(close_ts - cycle, self.now_ts - rng.randint(1, 30) * DAY)

                probability, category = words.STAGES[stage][1:3]
                if stage == 4 and rng.random() < 0.3:
                    category = "best_case"
                competitor, loss_reason, loss_note, lost_at = None, "", "", 0
                if stage == STAGE_LOST:
                    loss_reason = loss_reason_of()
                    loss_note = rng.choice(words.LOSS_NOTES[loss_reason])
                    if loss_reason == "competitor" or rng.random() < 0.4:
                        competitor = rng.choice(competitors)
                    lost_at = rng.randint(0, 4)
                elif rng.random() < 0.25:
                    competitor = rng.choice(competitors)

                product = product_words[opp_id % len(product_words)]
                if kind == "new":
                    label = f"{product} {rng.choice((25, 50, 100, 250, 500))} seats"
                elif kind == "renewal":
                    label = f"renewal FY{fiscal_year[day]}"
                else:
                    label = f"{product} expansion"
                self.opp_account.append(account)
                self.opp_owner.append(owner)
                self.opp_stage.append(stage)
                self.opp_lost_at.append(lost_at)
                self.opp_created.append(created)
                self.opp_end.append(end)
                self.opp_amount_home_cents.append(int(amount_home * 100))
                self.opp_source.append(0 if kind != "new" else sources.index(source) + 1)
                if owner in scene_owners:
                    self.scene_deal_names[opp_id] = f"{self.account_names[account]} - {label}"
                closed_at = self._dt(end) if closed else None
                updated = closed_at or self._dt(max(created, self._ago(0, 10)))
                next_step, next_step_date = "", None
                if not closed and rng.random() < 0.7:
                    next_step = rng.choice(words.NEXT_STEPS)
                    next_step_date = self.today + datetime.timedelta(days=rng.randint(-7, 21))
                yield (
                    opp_id, f"{self.account_names[account]} - {label}", account, owner, amount, currency,
                    amount_home, stage + 1, probability, category, kind, source, close_date, competitor,
                    loss_reason, loss_note, None, self._dt(created), updated, closed_at, 1,
                    next_step, next_step_date,
                )  # fmt: skip

        return Table(
            Opportunity,
            (
                "id",
                "name",
                "account",
                "owner",
                "amount",
                "currency",
                "amount_home",
                "stage",
                "probability",
                "forecast_category",
                "type",
                "lead_source",
                "close_date",
                "competitor",
                "loss_reason",
                "loss_note",
                "external_id",
                "created_at",
                "updated_at",
                "closed_at",
                "version",
                "next_step",
                "next_step_date",
            ),
            rows(),
            n,
        )

    def stage_changes(self) -> Table:
        """Each deal's walk up the stages from Prospecting, skipping some steps, to where it is now."""
        rng = self.rng

        def rows() -> Iterator[Row]:
            change_id = 0
            for opp_id in range(1, len(self.opp_stage)):
                stage = self.opp_stage[opp_id]
                top = 4 if stage == STAGE_WON else self.opp_lost_at[opp_id] if stage == STAGE_LOST else stage
                path = [0] + [s for s in range(1, top) if rng.random() < STAGE_KEPT] + ([top] if top else [])
                if stage in (STAGE_WON, STAGE_LOST):
                    path.append(stage)
                created, end = self.opp_created[opp_id], self.opp_end[opp_id]
                moments = sorted(rng.randint(created, end) for _ in range(len(path) - 1))
                if stage in (STAGE_WON, STAGE_LOST):
                    moments[-1] = end
                amount_home = Decimal(self.opp_amount_home_cents[opp_id]) / 100
                owner = self.opp_owner[opp_id]
                previous = None
                for to_stage, moment in zip(path, [created, *moments], strict=True):
                    change_id += 1
                    yield (change_id, opp_id, previous, to_stage + 1, amount_home, self._dt(moment), owner)
                    previous = to_stage + 1

        return Table(
            StageChange,
            ("id", "opportunity", "from_stage", "to_stage", "amount_home", "changed_at", "changed_by"),
            rows(),
            int(len(self.opp_stage) * 2.6),
        )

    def activities(self) -> Iterator[Table]:
        """Notes, calls and meetings on deals (0 to 3 each, over the deal's life; a few meetings
        planned on open deals), with whom of the account's people, and the people on each deal with
        their buying roles. Deals' `last_activity_at` is set after the load (`seed.load`)."""
        rng = self.rng
        kind_of = rng.weighted(("call", "meeting", "note"), (50, 25, 25))
        roles = [r.value for r in DealContact.Role]
        role_of = rng.weighted(range(len(roles)), (15, 10, 20, 20, 10, 15, 5, 5))
        count_of = rng.weighted((0, 1, 2, 3), (20, 35, 30, 15))
        # Compact columns, not lists of tuples: a million deals' worth stays a few megabytes.
        people_activity, people_contact = array("l"), array("l")
        deal_people_deal, deal_people_contact, deal_people_role = array("l"), array("l"), array("b")

        def rows() -> Iterator[Row]:
            activity_id = 0
            for opp_id in range(1, len(self.opp_stage)):
                account = self.opp_account[opp_id]
                first, count = self.first_contact[account], self.contact_count[account]
                created, end = self.opp_created[opp_id], self.opp_end[opp_id]
                owner = self.opp_owner[opp_id]
                for contact in range(first, first + min(count, rng.randint(0, 2))):
                    deal_people_deal.append(opp_id)
                    deal_people_contact.append(contact)
                    deal_people_role.append(role_of())
                for _ in range(count_of()):
                    activity_id += 1
                    kind = kind_of()
                    moment = rng.randint(created, max(created, end))
                    if kind == "meeting" and end == self.now_ts and rng.random() < 0.2:
                        moment = self.now_ts + rng.randint(1, 14) * DAY  # planned
                    if kind != "note" and count:
                        people_activity.append(activity_id)
                        people_contact.append(first + rng.randint(0, count - 1))
                    at = self._dt(moment)
                    yield (activity_id, opp_id, kind, at, rng.choice(words.ACTIVITY_BODIES[kind]), owner, at, at, 1)

        yield Table(
            Activity,
            ("id", "opportunity", "kind", "occurred_at", "body", "author", "created_at", "updated_at", "version"),
            rows(),
            int(len(self.opp_stage) * 1.4),
        )
        yield Table(
            Activity.contacts.through,
            ("id", "activity", "contact"),
            ((i + 1, a, c) for i, (a, c) in enumerate(zip(people_activity, people_contact, strict=True))),
            len(people_activity),
        )
        yield Table(
            DealContact,
            ("id", "opportunity", "contact", "role", "added_at"),
            (
                (i + 1, deal, contact, roles[role], self._dt(self.opp_created[deal]))
                for i, (deal, contact, role) in enumerate(
                    zip(deal_people_deal, deal_people_contact, deal_people_role, strict=True)
                )
            ),
            len(deal_people_deal),
        )

    def asks(self) -> Table:
        """Asks logged on deals (a few on accounts only), linked to features with a popular few;
        recent ones wait in triage, some were logged twice and merged. Each is worth its deal's home
        amount, or without a deal its account's annual revenue (`asks/values.py`)."""
        rng, n = self.rng, self.scale.asks
        n_features = len(self.feature_titles) - 1
        popularity = list(range(1, n_features + 1))
        rng.shuffle(popularity)
        n_opps = len(self.opp_stage) - 1
        competitor_names = [name for name, _ in words.COMPETITORS]
        status_of = rng.weighted(("linked", "new", "closed"), (78, 16, 6))
        importance_of = rng.weighted(("nice_to_have", "important", "blocker"), (30, 50, 20))
        source_of = rng.weighted(("call", "demo", "email", "rfp", "support"), (40, 25, 15, 10, 10))
        # (ask id, created ts, feature owner, outcome, requesting rep)
        self.ask_decisions: list[tuple[int, int, int, str, int]] = []

        def text(feature_id: int) -> tuple[str, str]:
            title = self.feature_titles[feature_id]
            need = rng.choice(words.ASK_NEEDS).format(
                feature=_noun(title), feature_cap=title, competitor=rng.choice(competitor_names)
            )
            return need, rng.choice(words.ASK_WHYS)

        def rows() -> Iterator[Row]:
            ask_id = 0
            while ask_id < n:
                feature = popularity[int(n_features * rng.random() ** 2.5)]
                if rng.random() < ASK_WITHOUT_DEAL:
                    account, opp = rng.randint(1, self.scale.accounts), None
                    owner, start, end, is_open = (
                        self.account_owner[account],
                        self.account_created[account],
                        self.now_ts,
                        True,
                    )
                else:
                    opp = rng.randint(1, n_opps)
                    if self.account_segment[self.opp_account[opp]] == 2 and rng.random() < 0.5:
                        opp = rng.randint(1, n_opps)  # small deals ask for less
                    account, owner = self.opp_account[opp], self.opp_owner[opp]
                    start, end = self.opp_created[opp], self.opp_end[opp]
                    is_open = self.opp_stage[opp] < STAGE_WON
                cents = self.opp_amount_home_cents[opp] if opp is not None else self.account_revenue_cents[account]
                value = Decimal(cents) / 100
                status = status_of()
                if status == "new" and not is_open:
                    status = "linked"
                created = rng.randint(start, end)
                if status == "new":
                    created = max(start, self.now_ts - rng.randint(0, 21 * DAY))
                importance = importance_of()
                source = source_of()
                need, why = text(feature)
                ask_id += 1
                linked = feature if status == "linked" else None
                yield (
                    ask_id,
                    account,
                    opp,
                    owner,
                    linked,
                    None,
                    need,
                    why,
                    importance,
                    source,
                    status,
                    value,
                    self._dt(created),
                    "",  # outcomes follow from features and decisions once all are written (seed/load.py)
                    None,
                )
                # Under the default decision rights only the product's manager decides on its asks.
                owner_pm = self._product_manager_of(feature)
                if status == "closed":
                    self.ask_decisions.append((ask_id, created, owner_pm, "declined", owner))
                elif status == "new" and rng.random() < 0.1:
                    self.ask_decisions.append((ask_id, created, owner_pm, "needs_info", owner))
                if status == "linked" and ask_id < n and rng.random() < ASK_DUPLICATE:
                    # The same need logged again on the same deal, merged into the first one.
                    original = ask_id
                    need, why = text(feature)
                    created = min(self.now_ts, created + rng.randint(1, 10) * DAY)
                    ask_id += 1
                    yield (
                        ask_id, account, opp, owner, feature, original, need, why, importance, source, "merged",
                        value, self._dt(created), "", None,
                    )  # fmt: skip

        return Table(
            Ask,
            (
                "id",
                "account",
                "opportunity",
                "requested_by",
                "feature",
                "duplicate_of",
                "need",
                "why",
                "importance",
                "source",
                "status",
                "value_home",
                "created_at",
                "outcome",
                "outcome_decision",
            ),
            rows(),
            n,
        )

    def commitments(self) -> Table:
        """Promises to customers (issue 19): one open deal in 100 promises a feature on a release to
        its account, by a date around the release's target, so the list shows every state: mostly
        approved (delivered once the release shipped, on track, at risk, broken when the date is
        before the target), some awaiting approval, a few refused. Drawn from a stream of its own so
        the other tables stay as they were."""
        rng = random.Random(self.scale.opportunities * 19 + self.now_ts)
        on_release = [
            f
            for f in range(1, len(self.feature_titles))
            if self.feature_release[f] and self.feature_status[f] != "declined"
        ]
        rows: list[Row] = []
        for opp_id in range(1, len(self.opp_stage), 100):
            if self.opp_stage[opp_id] >= STAGE_WON or not on_release:  # promises are made on open deals
                continue
            feature = on_release[rng.randrange(len(on_release))]
            target = self.release_targets[self.feature_release[feature]]
            due = target + datetime.timedelta(days=rng.choice((-20, 0, 10, 30, 60)))
            requested = self.now - datetime.timedelta(days=rng.randint(5, 120))
            status = rng.choices(("approved", "requested", "refused"), (80, 15, 5))[0]
            decided = None if status == "requested" else requested + datetime.timedelta(days=rng.randint(0, 4))
            rows.append(
                (
                    len(rows) + 1,
                    opp_id,
                    self.opp_account[opp_id],
                    feature,
                    due,
                    "Promised on the last call, in writing.",
                    status,
                    self.opp_owner[opp_id],
                    requested,
                    None if status == "requested" else self._product_manager_of(feature),
                    decided,
                    "Not before the platform rework." if status == "refused" else "",
                    1,
                )
            )
        self.commitment_count = len(rows)
        return Table(Commitment, COMMITMENT_FIELDS, rows)

    def _product_manager_of(self, feature_id: int) -> int:
        """The manager of the feature's product (as `products` assigns them): who holds the decision right."""
        return self.product_managers[(self.feature_product[feature_id] - 1) % len(self.product_managers)]

    def decisions(self) -> Table:
        """The product managers' decisions: every declined and scheduled feature has one, some
        backlog features were put off, and closed or unclear asks got an answer."""
        rng = self.rng

        def rationale(outcome: str) -> str:
            return rng.choice(words.RATIONALES[outcome])

        shipped_at = {release: ts for releases in self.shipped_releases.values() for release, ts in releases}
        self.decided_features: set[int] = set()

        def rows() -> Iterator[Row]:
            decision_id = 0
            for feature_id in range(1, len(self.feature_titles)):
                status = self.feature_status[feature_id]
                outcome = {"declined": "declined", "planned": "planned", "in_progress": "planned", "shipped": "planned"}
                chosen = outcome.get(status)
                if chosen is None and rng.random() < 0.15:
                    chosen = rng.choice(("later", "needs_info"))
                if chosen is None:
                    continue
                release = None
                if chosen == "planned":
                    release = self.feature_release[feature_id]
                # Planned before its release shipped: a decision after the ship would plan the past.
                latest = shipped_at.get(release or 0, self.now_ts) - DAY
                decided = rng.randint(min(self.feature_created[feature_id], latest), latest)
                decision_id += 1
                self.decided_features.add(feature_id)
                yield (
                    decision_id, feature_id, None, chosen, release, rationale(chosen),
                    self._product_manager_of(feature_id), self._dt(decided),
                )  # fmt: skip
            declined: list[tuple[int, int, int]] = []  # (ask id, decided ts, requesting rep)
            for ask_id, created, pm, chosen, requester in self.ask_decisions:
                decision_id += 1
                decided = min(self.now_ts, created + rng.randint(1, 14) * DAY)
                yield (decision_id, None, ask_id, chosen, None, rationale(chosen), pm, self._dt(decided))
                if chosen == "declined":
                    declined.append((ask_id, decided, requester))
            for ruling in self._escalated(declined, last_decision=decision_id):
                decision_id += 1
                yield (decision_id, *ruling)
            self.decision_count = decision_id

        return Table(
            Decision,
            ("id", "feature", "ask", "outcome", "release", "rationale", "decided_by", "decided_at"),
            rows(),
        )

    def _escalated(self, declined: list[tuple[int, int, int]], *, last_decision: int) -> Iterator[Row]:
        """Escalations of declined asks by the requesting rep's manager (`escalation_rows`), and the
        decisions of those an executive has ruled on (rows of `decisions` without their id). The
        open ones were declined in the last three weeks, so some are overdue and some are not yet
        due; the older ones are ruled, within a week of their escalation."""
        rng, count = self.rng, self.scale.escalations
        self.escalation_rows: list[Row] = []
        manager_of = {rep: self.team_managers[team] for team, reps in self.team_reps.items() for rep in reps}
        escalable = [
            (a, decided, r) for a, decided, r in declined if r in manager_of and decided < self.now_ts - 3 * DAY
        ]
        recent = [row for row in escalable if row[1] >= self.now_ts - 21 * DAY]
        older = [row for row in escalable if row[1] < self.now_ts - 30 * DAY]
        opened = rng.sample(recent, min(len(recent), count // 10))
        ruled = rng.sample(older, min(len(older), count - len(opened)))
        for (ask_id, decided, requester), is_ruled in sorted(
            [(row, False) for row in opened] + [(row, True) for row in ruled]
        ):
            escalated = rng.randint(decided + DAY // 2, min(decided + 3 * DAY, self.now_ts - DAY))
            executive = rng.choice(self.executives) if rng.random() < 0.5 else None
            ruling = None
            if is_ruled:
                outcome = rng.choice(("declined", "declined", "later"))
                ruled_at = escalated + rng.randint(DAY // 2, 7 * DAY)
                last_decision += 1
                ruling = last_decision
                yield (None, ask_id, outcome, None, rng.choice(words.RATIONALES[outcome]),
                       executive or rng.choice(self.executives), self._dt(ruled_at))  # fmt: skip
            self.escalation_rows.append(
                (len(self.escalation_rows) + 1, ask_id, manager_of[requester], rng.choice(words.ESCALATION_REASONS),
                 self._dt(escalated), business_days_after(self._dt(escalated).date(), 5), executive,
                 "ruled" if ruling else "open", ruling)
            )  # fmt: skip

    def escalations(self) -> Table:
        """The escalations `decisions` drew (it must be written first: rulings are decisions)."""
        return Table(
            Escalation,
            ("id", "ask", "escalated_by", "reason", "escalated_at", "due_date", "executive", "status", "ruling"),
            self.escalation_rows,
        )

    def leads(self) -> Table:
        """Leads over the deals' past: up to half the new-business deals came from one (at most 15%
        of the leads), converted into the deal's account, its first contact and the deal, with the
        deal's source; the rest are new, being worked, qualified or disqualified, owned by the reps
        of a team over the lead's territory. Their own generator, so adding them left every other row as it was."""
        rng = SeedRandom(self.seed + 2)
        team_territory = {team: territory for team, territory, _segment in self.sales_teams}
        sources = [s.value for s in Opportunity.LeadSource if s != Opportunity.LeadSource.EXISTING_CUSTOMER]
        source_of = rng.weighted(sources, (30, 30, 15, 15, 10))
        status_of = rng.weighted(("new", "working", "qualified", "disqualified"), (20, 25, 10, 45))
        authority_of = rng.weighted([a.value for a in Lead.Authority], (40, 20, 25, 15))
        timeline_of = rng.weighted([t.value for t in Lead.Timeline], (40, 15, 20, 15, 10))
        from_leads = sum(1 for source in self.opp_source if source)
        share = min(CONVERTED_SHARE, self.scale.leads * LEADS_CONVERTED / max(from_leads, 1))
        converted = [
            opp_id for opp_id in range(1, len(self.opp_source)) if self.opp_source[opp_id] and rng.random() < share
        ]
        start_ts = int(datetime.datetime.combine(self.past_start, datetime.time(0), tzinfo=UTC).timestamp())
        domains = [
            "".join(c for c in self.account_names[a].split(" ")[0].lower() if c.isalpha())
            for a in range(1, min(self.scale.accounts, 5_000) + 1)
        ]
        campaign_names = {
            source: [f"{name} {year}" for name in names for year in (2025, 2026)]
            for source, names in LEAD_CAMPAIGNS.items()
        }

        def campaign(source: str) -> str:
            names = campaign_names.get(source)
            return rng.choice(names) if names else ""

        def rows() -> Iterator[Row]:
            lead_id = 0
            for opp_id in converted:
                lead_id += 1
                account = self.opp_account[opp_id]
                created = self.opp_created[opp_id]
                source = sources[self.opp_source[opp_id] - 1]
                first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
                team = self.account_team[account]
                contact = self.first_contact[account] if self.contact_count[account] else None
                yield (
                    lead_id, first, last, f"{first}.{last}@lead{lead_id}.example".lower(), "",
                    rng.choice(words.CONTACT_TITLES), self.account_names[account], "",
                    self.account_region[account], source, campaign(source), "converted", "",
                    self.opp_owner[opp_id], team_territory[team], None, authority_of(), "", timeline_of(),
                    self._dt(max(start_ts, created - rng.randint(5, 40) * DAY)), self._dt(created),
                    self._dt(created - rng.randint(0, 3) * DAY), self._dt(created), account, contact, opp_id, 1,
                )  # fmt: skip
            teams = self.sales_teams
            for _ in range(self.scale.leads - len(converted)):
                lead_id += 1
                team, territory, _segment = rng.choice(teams)
                source = source_of()
                status = status_of()
                created = rng.randint(start_ts, self.now_ts)
                first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
                qualified = (
                    self._dt(min(created + rng.randint(1, 30) * DAY, self.now_ts)) if status == "qualified" else None
                )
                yield (
                    lead_id, first, last, f"{first}.{last}@{rng.choice(domains)}.example".lower(), "",
                    rng.choice(words.CONTACT_TITLES), f"{rng.choice(words.LAST_NAMES)} {rng.choice(COMPANY_WORDS)}",
                    "", words.TERRITORIES[territory - 1][1], source, campaign(source), status,
                    rng.choice(LEAD_DISQUALIFIED) if status == "disqualified" else "",
                    rng.choice(self.team_reps[team]), territory, None, authority_of(), "", timeline_of(),
                    self._dt(created), self._dt(created), qualified, None, None, None, None, 1,
                )  # fmt: skip

        return Table(
            Lead,
            (
                "id",
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
                "created_at",
                "updated_at",
                "qualified_at",
                "converted_at",
                "converted_account",
                "converted_contact",
                "converted_opportunity",
                "version",
            ),
            rows(),
            self.scale.leads,
        )

    def quotas(self) -> Table:
        """A quota per rep per fiscal quarter, four quarters back to two ahead, growing a little
        each quarter; each sales team's quota is the sum of its reps'."""
        rows: list[Row] = []
        for team_id, _, segment in self.sales_teams:
            for step in range(-4, 3):
                quarter = self._quarter_shift(step)
                growth = 1 + 0.03 * (step + 4)
                team_total = Decimal(0)
                for rep in self.team_reps[team_id]:
                    amount = _round_amount(QUARTERLY_QUOTA[segment] * growth * self.rng.uniform(0.85, 1.15))
                    team_total += amount
                    rows.append((len(rows) + 1, rep, None, quarter.year, quarter.quarter, amount))
                rows.append((len(rows) + 1, None, team_id, quarter.year, quarter.quarter, team_total))
        self.quota_rows = rows
        return Table(Quota, ("id", "user", "team", "fiscal_year", "fiscal_quarter", "amount"), rows)

    def sales_targets(self) -> Table:
        """Each fiscal year's target: the sum of its team quotas, so the breakdown adds up (by hand)."""
        years: dict[int, Decimal] = {}
        for _, user, _team, year, _quarter, amount in self.quota_rows:
            if user is None:
                years[year] = years.get(year, Decimal(0)) + amount
        now = self._dt(self.now_ts)
        rows = [(i + 1, year, amount, "hand", now, 1) for i, (year, amount) in enumerate(sorted(years.items()))]
        return Table(SalesTarget, ("id", "fiscal_year", "amount", "method", "updated_at", "version"), rows)
