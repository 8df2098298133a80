"""The answers the benchmark times, each as an HTTP request and as the hand-written SQL of it.

Who asks is realistic: the opportunity list is a sales manager looking at one of their reps in one
open stage; the account page is the executive (who sees every account) on random accounts; the
feature list is a product manager sorting by revenue at stake. Parameters are drawn once, with a
fixed random seed, and the same list feeds both the HTTP run and the SQL run.

The SQL fetches what the view or endpoint shows — the same columns, joins, order, visibility rule
and first-page LIMIT — but nothing of the session, the user or the template: that is the overhead
being measured.
"""

import datetime
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bench.http_client import HttpJob, SqlJob

PAGE_BUDGET_MS = 300.0
API_BUDGET_MS = 150.0
RATIO_BUDGET = 1.5


@dataclass(frozen=True)
class Principal:
    """A user the benchmark acts as, signed in by session cookie (pages) or personal token (API)."""

    user_id: int
    role: str
    cookie: str
    token: str

    def page_headers(self) -> tuple[tuple[str, str], ...]:
        return (("Cookie", self.cookie),)

    def api_headers(self) -> tuple[tuple[str, str], ...]:
        return (("Authorization", f"Bearer {self.token}"), ("Accept", "application/json"))


@dataclass(frozen=True)
class Target:
    name: str
    kind: str  # "page" or "api"
    as_role: str
    budget_ms: float
    http: Sequence[HttpJob]
    sql: Sequence[SqlJob]

    def example(self) -> str:
        return self.http[0].path


@dataclass(frozen=True)
class World:
    """What the targets draw their parameters from, read from the seeded database."""

    managers: Sequence[tuple[Principal, Sequence[int]]]  # a sales manager and the reps they manage
    executive: Principal
    product_managers: Sequence[Principal]
    open_stage_ids: Sequence[int]
    account_ids: Sequence[int]
    review_meeting_id: int  # the product-sales review meeting whose agenda is timed


# Sales managers see their teams' deals: the members of the teams they manage, and themselves.
MANAGER_OWNERS = """
    SELECT u.id FROM people_user u LEFT JOIN people_team t ON t.id = u.team_id
    WHERE t.manager_id = %(manager)s OR u.id = %(manager)s
"""

# tandem/sales/views.py opportunity_list: select_related account, owner, stage; sort close_date, pk;
# one row more than the 50 shown.
OPPORTUNITY_LIST_PAGE = f"""
    SELECT o.*, a.*, u.*, s.*
    FROM sales_opportunity o
    JOIN sales_account a ON a.id = o.account_id
    JOIN people_user u ON u.id = o.owner_id
    JOIN sales_stage s ON s.id = o.stage_id
    WHERE o.owner_id IN ({MANAGER_OWNERS}) AND o.owner_id = %(owner)s AND o.stage_id = %(stage)s
    ORDER BY o.close_date, o.id
    LIMIT 51
"""

# tandem/sales/api.py opportunity_list: select_related account, owner, stage, competitor; keyset
# order close_date, id; one row more than the default limit of 50.
OPPORTUNITY_LIST_API = f"""
    SELECT o.*, a.*, u.*, s.*, c.*
    FROM sales_opportunity o
    JOIN sales_account a ON a.id = o.account_id
    JOIN people_user u ON u.id = o.owner_id
    JOIN sales_stage s ON s.id = o.stage_id
    LEFT JOIN competition_competitor c ON c.id = o.competitor_id
    WHERE o.owner_id IN ({MANAGER_OWNERS}) AND o.owner_id = %(owner)s AND o.stage_id = %(stage)s
    ORDER BY o.close_date, o.id
    LIMIT 51
"""

# tandem/sales/views.py account_detail: the account with owner and territory (all the API's
# account_detail fetches), its first 50 deals (one more to know there are more), its open
# pipeline, its first 100 contacts.
ACCOUNT = """
    SELECT a.*, u.*, t.*
    FROM sales_account a
    JOIN people_user u ON u.id = a.owner_id
    LEFT JOIN people_territory t ON t.id = a.territory_id
    WHERE a.id = %(account)s
"""

ACCOUNT_OPPORTUNITIES = """
    SELECT o.*, u.*, s.*
    FROM sales_opportunity o
    JOIN people_user u ON u.id = o.owner_id
    JOIN sales_stage s ON s.id = o.stage_id
    WHERE o.account_id = %(account)s
    ORDER BY o.close_date, o.id
    LIMIT 51
"""

ACCOUNT_OPEN_PIPELINE = """
    SELECT sum(o.amount_home)
    FROM sales_opportunity o JOIN sales_stage s ON s.id = o.stage_id
    WHERE o.account_id = %(account)s AND NOT s.is_won AND NOT s.is_lost
"""

ACCOUNT_CONTACTS = """
    SELECT c.* FROM sales_contact c WHERE c.account_id = %(account)s
    ORDER BY c.last_name, c.first_name LIMIT 100
"""


# tandem/commitments/views.py commitment_list: a product manager (who sees every deal) on every
# commitment, soonest promised first, with the deal, its owner, the account, the feature, its product
# and release, who asked and who answered; one row more than the 50 shown.
COMMITMENT_LIST_PAGE = """
    SELECT c.*, o.*, ou.*, a.*, f.*, p.*, r.*, rq.*, d.*
    FROM commitments_commitment c
    JOIN sales_opportunity o ON o.id = c.opportunity_id
    JOIN people_user ou ON ou.id = o.owner_id
    JOIN sales_account a ON a.id = c.account_id
    JOIN product_feature f ON f.id = c.feature_id
    JOIN product_product p ON p.id = f.product_id
    LEFT JOIN product_release r ON r.id = f.release_id
    JOIN people_user rq ON rq.id = c.requested_by_id
    LEFT JOIN people_user d ON d.id = c.decided_by_id
    ORDER BY c.due_date, c.id
    LIMIT 51
"""


def feature_list_page(order: str) -> str:
    """tandem/product/views.py feature_list: select_related product, release, evidence; sorted by an
    evidence column then -pk; one row more than the 50 shown; and the page's 90-day ask counts
    (feature_recent_asks), here a lateral count per row of the page. Every feature has its evidence
    row (the feature service creates it), so the SQL inner-joins it as one would by hand."""
    return f"""
    SELECT f.*, p.*, r.*, e.*, recent.asks
    FROM (
        SELECT f.id FROM product_feature f JOIN asks_featureevidence e ON e.feature_id = f.id
        ORDER BY e.{order} DESC, f.id DESC LIMIT 51
    ) page
    JOIN product_feature f ON f.id = page.id
    JOIN asks_featureevidence e ON e.feature_id = f.id
    JOIN product_product p ON p.id = f.product_id
    LEFT JOIN product_release r ON r.id = f.release_id
    LEFT JOIN LATERAL (
        SELECT count(*) AS asks FROM asks_ask a
        WHERE a.feature_id = f.id AND a.created_at >= now() - interval '90 days'
    ) recent ON true
    ORDER BY e.{order} DESC, f.id DESC
"""


def feature_list_api(order: str) -> str:
    """tandem/product/api.py feature_list: product and evidence joined; the goals' ids per feature
    (here an array); the 90-day ask count (`asks_last_90_days`) in the same query, as the endpoint
    counts it; keyset order on the evidence column then -id; one row more than 50."""
    return f"""
    SELECT f.*, p.*, e.*,
           ARRAY(SELECT fg.goal_id FROM product_feature_goals fg WHERE fg.feature_id = f.id) AS goal_ids,
           (SELECT count(*) FROM asks_ask a
            WHERE a.feature_id = f.id AND a.created_at >= now() - interval '90 days') AS asks_last_90_days
    FROM product_feature f
    JOIN asks_featureevidence e ON e.feature_id = f.id
    JOIN product_product p ON p.id = f.product_id
    ORDER BY e.{order} DESC, f.id DESC
    LIMIT 51
"""


def inbox(order: str, limit: int) -> str:
    """tandem/asks/views.py inbox and tandem/asks/api.py ask_list with status=new, as a product manager
    (who sees every ask and feature): new asks with account, deal, feature and rep, newest or most
    valuable first, one row more than the page. The value is the one each ask stores (`value_home`,
    kept by asks/values.py), walked through the `ask_status_value` index."""
    return f"""
    SELECT a.*, acc.*, o.*, f.*, u.*
    FROM asks_ask a
    JOIN sales_account acc ON acc.id = a.account_id
    LEFT JOIN sales_opportunity o ON o.id = a.opportunity_id
    LEFT JOIN product_feature f ON f.id = a.feature_id
    JOIN people_user u ON u.id = a.requested_by_id
    WHERE a.status = 'new'
    ORDER BY {order}, a.id DESC
    LIMIT {limit + 1}
"""


# tandem/targets/selectors.py sales_metrics as an executive (every rep): the months the period covers
# whole from the reps' months of deals (`sales_repmonthfigures`, kept by triggers on the deals), the
# days before and after them from the deals grouped by owner, the quotas of the period's fiscal
# quarters (here of its fiscal years: a little more than the page reads), and the people. The
# roll-up rep → team → company is Python over these rows.
ATTAINMENT_MONTHS = """
    SELECT f.owner_id, sum(f.won_cents), sum(f.won_count), sum(f.lost_cents), sum(f.lost_count),
           sum(f.open_cents), sum(f.open_count), sum(f.cycle_microseconds), sum(f.cycle_count)
    FROM sales_repmonthfigures f
    WHERE f.month >= %(months_first)s AND f.month <= %(months_last)s
    GROUP BY f.owner_id HAVING sum(f.deals) > 0
"""
ATTAINMENT_DEALS = """
    SELECT o.owner_id,
           sum(o.amount_home) FILTER (WHERE s.is_won), count(*) FILTER (WHERE s.is_won),
           sum(o.amount_home) FILTER (WHERE s.is_lost), count(*) FILTER (WHERE s.is_lost),
           sum(o.amount_home) FILTER (WHERE o.closed_at IS NULL AND NOT s.is_won AND NOT s.is_lost),
           count(*) FILTER (WHERE o.closed_at IS NULL AND NOT s.is_won AND NOT s.is_lost),
           sum(o.closed_at - o.created_at) FILTER (WHERE s.is_won AND o.closed_at IS NOT NULL),
           count(*) FILTER (WHERE s.is_won AND o.closed_at IS NOT NULL)
    FROM sales_opportunity o JOIN sales_stage s ON s.id = o.stage_id
    WHERE o.close_date >= %(start)s AND o.close_date <= %(end)s
      AND (o.close_date < %(months_first)s OR o.close_date > %(months_last)s)
    GROUP BY o.owner_id
"""
ATTAINMENT_QUOTAS = """
    SELECT q.user_id, q.fiscal_year, q.fiscal_quarter, q.amount FROM sales_quota q
    WHERE q.user_id IS NOT NULL AND q.fiscal_year BETWEEN %(first_year)s AND %(last_year)s
"""
ATTAINMENT_PEOPLE = """
    SELECT u.id, u.first_name, u.last_name, u.username, u.team_id, t.name
    FROM people_user u LEFT JOIN people_team t ON t.id = u.team_id
    WHERE u.role = 'rep' AND u.is_active
    ORDER BY u.first_name, u.last_name, u.id
"""
ATTAINMENT_BUDGET_MS = 1000.0

# The review meeting's agenda (tandem/reviews/agenda.py), as the executive who sees everything: the
# period's new asks by value, the open features with the most open pipeline, those one deal holds,
# the open escalations due. Issue 21: p95 within 1 s on the large workspace.
AGENDA_BUDGET_MS = 1000.0
AGENDA_NEW_ASKS = """
    SELECT k.*, a.name, f.title FROM asks_ask k
    JOIN sales_account a ON a.id = k.account_id LEFT JOIN product_feature f ON f.id = k.feature_id
    WHERE k.created_at >= %(period_start)s AND k.created_at < %(period_end)s
    ORDER BY k.value_home DESC, k.id DESC LIMIT 8
"""
AGENDA_AT_STAKE = """
    SELECT f.*, p.name, e.* FROM product_feature f
    JOIN asks_featureevidence e ON e.feature_id = f.id JOIN product_product p ON p.id = f.product_id
    WHERE f.status NOT IN ('shipped', 'declined') AND e.open_pipeline > 0
    ORDER BY e.open_pipeline DESC, f.id LIMIT 8
"""
AGENDA_SINGLE_DEAL = """
    SELECT f.*, p.name, e.* FROM product_feature f
    JOIN asks_featureevidence e ON e.feature_id = f.id JOIN product_product p ON p.id = f.product_id
    WHERE f.status NOT IN ('shipped', 'declined') AND e.open_pipeline > 0 AND e.largest_deal > e.open_pipeline * 0.75
    ORDER BY e.largest_deal DESC, f.id LIMIT 8
"""
AGENDA_ESCALATIONS = """
    SELECT x.*, k.need FROM decisions_escalation x JOIN asks_ask k ON k.id = x.ask_id
    WHERE x.status = 'open' AND x.due_date <= %(period_end)s
    ORDER BY x.due_date, x.id LIMIT 8
"""
# The scorecards of the current quarter (tandem/scorecards/selectors.py), as the executive: the sales
# figures of the quarter (as attainment), the asks answered, the revenue blocked. p95 within 1 s.
SCORECARD_ASKS = """
    SELECT outcome, count(*) FROM asks_ask WHERE created_at >= %(period_start)s AND created_at < %(period_end)s
    GROUP BY outcome
"""
SCORECARD_BLOCKED = """
    SELECT sum(o.amount_home) FROM sales_opportunity o JOIN sales_stage s ON s.id = o.stage_id
    WHERE o.close_date >= %(start)s AND o.close_date <= %(end)s AND NOT s.is_won AND EXISTS (
        SELECT 1 FROM asks_ask k JOIN product_feature f ON f.id = k.feature_id
        WHERE k.opportunity_id = o.id AND k.importance = 'blocker' AND f.status <> 'shipped')
"""

# The inbox page's count of new asks, capped (tandem/asks/selectors.py ask_inbox_count).
INBOX_COUNT = "SELECT count(*) FROM (SELECT 1 FROM asks_ask WHERE status = 'new' LIMIT 1001) capped"
NEWEST = "a.created_at DESC"
MOST_VALUABLE = "a.value_home DESC"


# tandem/forecasting/views.py forecast, as an executive (issue 18: rep → manager → company for 2,000
# users in at most a second): every rep's figures for the quarter from their three months of deals
# (`sales_repmonthfigures`, amounts in integer cents), the reps with their managers, the quarter's calls and
# overrides, and the weekly trend summed over every rep's snapshots.
ROLLUP_BUDGET_MS = 1000.0
FORECAST_FIGURES = """
    SELECT f.owner_id, sum(f.won_cents), sum(f.commit_cents), sum(f.best_case_cents), sum(f.pipeline_cents),
           sum(f.weighted_cent_percents)
    FROM sales_repmonthfigures f
    WHERE f.month BETWEEN %(first)s AND %(last)s
    GROUP BY f.owner_id HAVING sum(f.deals) > 0
"""
FORECAST_REPS = """
    SELECT u.id, u.first_name, u.last_name, u.username, u.team_id, t.manager_id, u.is_active
    FROM people_user u LEFT JOIN people_team t ON t.id = u.team_id
    WHERE u.role = 'rep' ORDER BY u.first_name, u.last_name, u.id
"""
FORECAST_CALLS = """
    SELECT rep_id, commit, best_case, note, version, updated_at FROM forecasting_forecastcall
    WHERE fiscal_year = %(year)s AND fiscal_quarter = %(quarter)s
"""
FORECAST_OVERRIDES = """
    SELECT f.rep_id, f.commit, f.best_case, f.note, f.version, f.updated_at, u.first_name, u.last_name, u.username
    FROM forecasting_forecastoverride f JOIN people_user u ON u.id = f.set_by_id
    WHERE f.fiscal_year = %(year)s AND f.fiscal_quarter = %(quarter)s
"""
FORECAST_TREND = """
    SELECT week, SUM(call_commit), SUM(COALESCE(override_commit, call_commit)), COUNT(override_commit),
           COUNT(call_commit), SUM(closed_won), SUM(commit), SUM(best_case), SUM(pipeline), SUM(weighted),
           MAX(taken_at)
    FROM forecasting_forecastsnapshot
    WHERE fiscal_year = %(year)s AND fiscal_quarter = %(quarter)s
    GROUP BY week ORDER BY week
"""


# tandem/sales/views.py board, as a sales manager on their teams' deals (issue 18: the board with paged
# columns within 500 ms): the deals open or closed since the quarter began, each stage's count and
# sums, and each stage's first 20 cards (the window query), then one column's next 20 ("Show more").
BOARD_BUDGET_MS = 500.0
BOARD_DEALS = f"""
    o.owner_id IN ({MANAGER_OWNERS}) AND (o.closed_at IS NULL OR o.closed_at >= %(since)s)
"""
BOARD_SUMS = f"""
    SELECT o.stage_id, count(*), sum(o.amount_home), sum(o.amount_home * o.probability / 100)
    FROM sales_opportunity o WHERE {BOARD_DEALS}
    GROUP BY o.stage_id
"""
BOARD_CARDS = f"""
    SELECT * FROM (
        SELECT o.*, a.name AS account_name, u.username, s.name AS stage_name,
               row_number() OVER (PARTITION BY o.stage_id ORDER BY o.close_date, o.id) AS position
        FROM sales_opportunity o
        JOIN sales_account a ON a.id = o.account_id
        JOIN people_user u ON u.id = o.owner_id
        JOIN sales_stage s ON s.id = o.stage_id
        WHERE {BOARD_DEALS}
    ) cards WHERE position <= 20 ORDER BY stage_id, close_date, id
"""
BOARD_STAGES = 'SELECT * FROM sales_stage ORDER BY "order"'
BOARD_COLUMN = f"""
    SELECT o.*, a.name, u.username FROM sales_opportunity o
    JOIN sales_account a ON a.id = o.account_id JOIN people_user u ON u.id = o.owner_id
    WHERE {BOARD_DEALS} AND o.stage_id = %(stage)s
    ORDER BY o.close_date, o.id OFFSET 20 LIMIT 20
"""
BOARD_COLUMN_COUNT = f"SELECT count(*) FROM sales_opportunity o WHERE {BOARD_DEALS} AND o.stage_id = %(stage)s"

# tandem/sales/views.py opportunity_list with ?totals=1 (the table's totals, fetched after the page):
# the count, amount and weighted amount of every row the two filters keep, not only the page's.
TABLE_BUDGET_MS = 300.0
OPPORTUNITY_TOTALS = f"""
    SELECT count(*), coalesce(sum(o.amount_home), 0), coalesce(sum(o.amount_home * o.probability / 100), 0)
    FROM sales_opportunity o
    WHERE o.owner_id IN ({MANAGER_OWNERS}) AND o.owner_id = %(owner)s AND o.stage_id = %(stage)s
"""

# tandem/leads/selectors.py lead_funnel as an executive (every lead), by source: the funnel's days
# (`leads.LeadDayFigures`, kept by triggers on the leads and deals) the period covers, added up. The
# bench's executive is in Europe/London, whose days are UTC days in winter: no edge hours to count.
FUNNEL_BUDGET_MS = 1000.0
LEAD_FUNNEL = """
    SELECT source, sum(leads), sum(qualified), sum(converted), sum(won),
           sum(status_new), sum(status_working), sum(status_qualified), sum(status_disqualified),
           sum(status_converted)
    FROM leads_leaddayfigures
    WHERE day >= %(first_day)s AND day < %(end_day)s AND leads > 0
    GROUP BY source ORDER BY 2 DESC, 1
"""


def _quarter_start() -> datetime.datetime:
    """The start of the current fiscal quarter (the board's closed columns begin there), in UTC."""
    from tandem.core.fiscal import fiscal_quarter_of
    from tandem.seed.generator import FISCAL_YEAR_START_MONTH

    today = datetime.datetime.now(tz=datetime.UTC).date()
    first, _ = fiscal_quarter_of(today, FISCAL_YEAR_START_MONTH).bounds(FISCAL_YEAR_START_MONTH)
    return datetime.datetime.combine(first, datetime.time.min, tzinfo=datetime.UTC)


def issue_18_targets(world: World, *, count: int, rng: random.Random) -> list[Target]:
    """The board, the table's totals and the lead funnel (issue 18), each with its SQL."""
    since = _quarter_start()

    def manager() -> dict[str, Any]:
        principal, reps = rng.choice(world.managers)
        return {"principal": principal, "manager": principal.user_id, "since": since, "owners": reps}

    board_draws = [manager() for _ in range(count)]
    column_draws = [manager() | {"stage": rng.choice(world.open_stage_ids)} for _ in range(count)]
    totals_draws = [
        (p := manager()) | {"owner": rng.choice(p["owners"]), "stage": rng.choice(world.open_stage_ids)}
        for _ in range(count)
    ]
    today = datetime.datetime.now(tz=datetime.UTC).date()
    every = {"start": datetime.date(2000, 1, 1), "end": today}
    days_90 = {"start": today - datetime.timedelta(days=89), "end": today}

    def funnel(period: dict[str, datetime.date]) -> list[dict[str, Any]]:
        bounds = {"first_day": period["start"], "end_day": period["end"] + datetime.timedelta(days=1)}
        return [{"principal": world.executive, **period, **bounds} for _ in range(count)]

    def sql(draws: list[dict[str, Any]], statements: Sequence[str]) -> list[SqlJob]:
        keep = ("manager", "since", "until", "owner", "stage", "first_day", "end_day")
        return [SqlJob(tuple((s, {k: v for k, v in p.items() if k in keep}) for s in statements)) for p in draws]

    def http(draws: list[dict[str, Any]], path: Callable[[dict[str, Any]], str]) -> list[HttpJob]:
        return [HttpJob(path(p), p["principal"].page_headers()) for p in draws]

    funnel_path = "/leads/funnel/?start={start}&end={end}&by=source"
    return [
        Target(
            name="pipeline board (page)",
            kind="page",
            as_role="sales_manager",
            budget_ms=BOARD_BUDGET_MS,
            http=http(board_draws, lambda p: "/pipeline/board/"),
            sql=sql(board_draws, [BOARD_SUMS, BOARD_CARDS, BOARD_STAGES]),
        ),
        Target(
            name="pipeline board, a column's next cards (partial)",
            kind="page",
            as_role="sales_manager",
            budget_ms=BOARD_BUDGET_MS,
            http=http(column_draws, lambda p: f"/pipeline/board/column/?stage={p['stage']}&after=20"),
            sql=sql(column_draws, [BOARD_COLUMN, BOARD_COLUMN_COUNT]),
        ),
        Target(
            name="deal table totals, two filters (partial)",
            kind="page",
            as_role="sales_manager",
            budget_ms=TABLE_BUDGET_MS,
            http=http(
                totals_draws, lambda p: f"/pipeline/opportunities/?owner={p['owner']}&stage={p['stage']}&totals=1"
            ),
            sql=sql(totals_draws, [OPPORTUNITY_TOTALS]),
        ),
        Target(
            name="lead funnel, every lead (page)",
            kind="page",
            as_role="executive",
            budget_ms=FUNNEL_BUDGET_MS,
            http=http(funnel(every), lambda p: funnel_path.format(**p)),
            sql=sql(funnel(every), [LEAD_FUNNEL]),
        ),
        Target(
            name="lead funnel, last 90 days (page)",
            kind="page",
            as_role="executive",
            budget_ms=FUNNEL_BUDGET_MS,
            http=http(funnel(days_90), lambda p: funnel_path.format(**p)),
            sql=sql(funnel(days_90), [LEAD_FUNNEL]),
        ),
    ]


def _forecast_quarter() -> dict[str, Any]:
    """The current fiscal quarter of the seeded workspace (its fiscal year starts in February)."""
    import datetime

    from tandem.core.fiscal import fiscal_quarter_of
    from tandem.seed.generator import FISCAL_YEAR_START_MONTH

    quarter = fiscal_quarter_of(datetime.datetime.now(tz=datetime.UTC).date(), FISCAL_YEAR_START_MONTH)
    first, last = quarter.bounds(FISCAL_YEAR_START_MONTH)
    return {"year": quarter.year, "quarter": quarter.quarter, "first": first, "last": last}


# tandem/roadmap/selectors.py roadmap_items: the planned and in-progress features with their product
# and release, by release date. The internal audience (a product manager) sees every feature; the
# sales audience only sales-shareable and public ones.
ROADMAP_INTERNAL = """
    SELECT f.*, p.*, r.*
    FROM product_feature f
    JOIN product_product p ON p.id = f.product_id
    LEFT JOIN product_release r ON r.id = f.release_id
    WHERE f.status IN ('planned', 'in_progress')
    ORDER BY r.target_date, p.name, f.title, f.id
"""

ROADMAP_SALES = """
    SELECT f.*, p.*, r.*
    FROM product_feature f
    JOIN product_product p ON p.id = f.product_id
    LEFT JOIN product_release r ON r.id = f.release_id
    WHERE f.status IN ('planned', 'in_progress') AND f.visibility IN ('sales', 'public')
    ORDER BY r.target_date, p.name, f.title, f.id
"""


def build(world: World, *, count: int, rng: random.Random) -> list[Target]:
    """The targets, each with `count` requests and the matching SQL."""

    def opportunity_params() -> dict[str, Any]:
        manager, reps = rng.choice(world.managers)
        return {"principal": manager, "manager": manager.user_id, "owner": rng.choice(reps)}

    def draw(make: Callable[[], dict[str, Any]]) -> list[dict[str, Any]]:
        return [make() for _ in range(count)]

    opportunity_draws = draw(lambda: opportunity_params() | {"stage": rng.choice(world.open_stage_ids)})
    account_draws = draw(lambda: {"principal": world.executive, "account": rng.choice(world.account_ids)})
    feature_draws = draw(lambda: {"principal": rng.choice(world.product_managers)})

    def sql_params(params: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in params.items() if k != "principal"}

    def jobs(
        draws: list[dict[str, Any]], path: Callable[[dict[str, Any]], str], statements: Sequence[str], api: bool
    ) -> tuple[list[HttpJob], list[SqlJob]]:
        http = [HttpJob(path(p), p["principal"].api_headers() if api else p["principal"].page_headers()) for p in draws]
        sql = [SqlJob(tuple((s, sql_params(p)) for s in statements)) for p in draws]
        return http, sql

    specs: list[tuple[str, str, str, list[dict[str, Any]], Callable[[dict[str, Any]], str], Sequence[str]]] = [
        (
            "opportunity list (page)",
            "page",
            "sales_manager",
            opportunity_draws,
            lambda p: f"/pipeline/opportunities/?owner={p['owner']}&stage={p['stage']}",
            [OPPORTUNITY_LIST_PAGE],
        ),
        (
            "account page",
            "page",
            "executive",
            account_draws,
            lambda p: f"/pipeline/accounts/{p['account']}/",
            [ACCOUNT, ACCOUNT_OPPORTUNITIES, ACCOUNT_OPEN_PIPELINE, ACCOUNT_CONTACTS],
        ),
        (
            "feature list by revenue (page)",
            "page",
            "product_manager",
            feature_draws,
            lambda p: "/product/features/?sort=-open_pipeline",
            [feature_list_page("open_pipeline")],
        ),
        (
            "feature list by score (page)",
            "page",
            "product_manager",
            feature_draws,
            lambda p: "/product/features/?sort=-score",
            [feature_list_page("score")],
        ),
        (
            "GET /api/opportunities",
            "api",
            "sales_manager",
            opportunity_draws,
            lambda p: f"/api/opportunities?owner={p['owner']}&stage={p['stage']}",
            [OPPORTUNITY_LIST_API],
        ),
        (
            "GET /api/accounts/{id}",
            "api",
            "executive",
            account_draws,
            lambda p: f"/api/accounts/{p['account']}",
            [ACCOUNT],
        ),
        (
            "GET /api/features",
            "api",
            "product_manager",
            feature_draws,
            lambda p: "/api/features?sort=-open_pipeline",
            [feature_list_api("open_pipeline")],
        ),
        (
            "GET /api/features by score",
            "api",
            "product_manager",
            feature_draws,
            lambda p: "/api/features?sort=-score",
            [feature_list_api("score")],
        ),
    ]
    specs += [
        (
            "triage inbox, newest first (page)",
            "page",
            "product_manager",
            feature_draws,
            lambda p: "/asks/inbox/?sort=-created",
            [inbox(NEWEST, 50), INBOX_COUNT],
        ),
        (
            "triage inbox, most valuable first (page)",
            "page",
            "product_manager",
            feature_draws,
            lambda p: "/asks/inbox/?sort=-value",
            [inbox(MOST_VALUABLE, 50), INBOX_COUNT],
        ),
        (
            "GET /api/asks?status=new&order=newest",
            "api",
            "product_manager",
            feature_draws,
            lambda p: "/api/asks?status=new&order=newest",
            [inbox(NEWEST, 50)],
        ),
        (
            "GET /api/asks?status=new&order=value",
            "api",
            "product_manager",
            feature_draws,
            lambda p: "/api/asks?status=new&order=value",
            [inbox(MOST_VALUABLE, 50)],
        ),
    ]
    # Issue 19: the roadmap views and the sales roadmap, each within the page budget.
    specs += [
        (
            "roadmap timeline (page)",
            "page",
            "product_manager",
            feature_draws,
            lambda p: "/roadmap/",
            [ROADMAP_INTERNAL],
        ),
        (
            "roadmap now / next / later (page)",
            "page",
            "product_manager",
            feature_draws,
            lambda p: "/roadmap/board/",
            [ROADMAP_INTERNAL],
        ),
        (
            "sales roadmap (page)",
            "page",
            "sales_manager",
            opportunity_draws,
            lambda p: "/roadmap/sales/",
            [ROADMAP_SALES],
        ),
        (
            "GET /api/roadmap/items as sales",
            "api",
            "sales_manager",
            opportunity_draws,
            lambda p: "/api/roadmap/items",
            [ROADMAP_SALES],
        ),
    ]
    # Issue 19: the commitments list, p95 within 300 ms.
    specs.append(
        (
            "commitments list (page)",
            "page",
            "product_manager",
            feature_draws,
            lambda p: "/commitments/",
            [COMMITMENT_LIST_PAGE],
        )
    )
    # Attainment rolled up rep → team → company over the last 365 days, as an executive (every rep).
    end = datetime.datetime.now(tz=datetime.UTC).date()
    start = end - datetime.timedelta(days=364)
    months_first = start if start.day == 1 else (start.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    next_month = (end.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    months_last = (
        end if next_month - datetime.timedelta(days=1) == end else end.replace(day=1) - datetime.timedelta(days=1)
    )
    period = {
        "start": start,
        "end": end,
        "first_year": start.year,
        "last_year": end.year + 1,
        "months_first": months_first,
        "months_last": months_last,
    }
    attainment_draws = draw(lambda: {"principal": world.executive, **period})
    specs += [
        (
            "attainment roll-up, 365 days (page)",
            "page",
            "executive",
            attainment_draws,
            lambda p: f"/targets/attainment/?kind=custom&start={p['start']}&end={p['end']}",
            [ATTAINMENT_MONTHS, ATTAINMENT_DEALS, ATTAINMENT_QUOTAS, ATTAINMENT_PEOPLE],
        ),
        (
            "GET /api/attainment, 365 days",
            "api",
            "executive",
            attainment_draws,
            lambda p: f"/api/attainment?start={p['start']}&end={p['end']}",
            [ATTAINMENT_MONTHS, ATTAINMENT_DEALS, ATTAINMENT_QUOTAS, ATTAINMENT_PEOPLE],
        ),
    ]
    targets = []
    for name, kind, role, draws, path, statements in specs:
        http, sql = jobs(draws, path, statements, api=kind == "api")
        budget = PAGE_BUDGET_MS if kind == "page" else API_BUDGET_MS
        if name.startswith(("attainment", "GET /api/attainment")):
            budget = ATTAINMENT_BUDGET_MS  # issue 18: the roll-up for 2,000 users within 1 s
        targets.append(Target(name=name, kind=kind, as_role=role, budget_ms=budget, http=http, sql=sql))
    today = datetime.datetime.now(tz=datetime.UTC).date()
    meeting = {
        "principal": world.executive,
        "period_start": today - datetime.timedelta(days=14),
        "period_end": today + datetime.timedelta(days=1),
    }
    quarter = _forecast_quarter()
    scorecard = {
        "principal": world.executive,
        "start": quarter["first"],
        "end": quarter["last"],
        "first_year": quarter["first"].year,
        "last_year": quarter["last"].year,
        "period_start": quarter["first"],
        "period_end": quarter["last"] + datetime.timedelta(days=1),
    }
    agenda = [AGENDA_NEW_ASKS, AGENDA_AT_STAKE, AGENDA_SINGLE_DEAL, AGENDA_ESCALATIONS]
    scorecards = [ATTAINMENT_DEALS, ATTAINMENT_QUOTAS, SCORECARD_ASKS, SCORECARD_BLOCKED]

    def fixed(url: str) -> Callable[[dict[str, Any]], str]:
        return lambda p: url

    meeting_url = f"/reviews/meetings/{world.review_meeting_id}/"
    together: list[tuple[str, str, dict[str, Any], str, list[str]]] = [
        ("review agenda (page)", "page", meeting, meeting_url, agenda),
        ("GET /api/review-meetings/{id}", "api", meeting, f"/api/review-meetings/{world.review_meeting_id}", agenda),
        ("scorecards side by side (page)", "page", scorecard, "/scorecards/", scorecards),
        ("GET /api/scorecards", "api", scorecard, "/api/scorecards", scorecards),
    ]
    for label, answer, params, url, queries in together:
        http, sql = jobs([dict(params) for _ in range(count)], fixed(url), queries, api=answer == "api")
        targets.append(
            Target(name=label, kind=answer, as_role="executive", budget_ms=AGENDA_BUDGET_MS, http=http, sql=sql)
        )
    forecast_draws = draw(lambda: {"principal": world.executive, **_forecast_quarter()})
    http, sql = jobs(
        forecast_draws,
        lambda p: "/forecast/",
        [FORECAST_FIGURES, FORECAST_REPS, FORECAST_CALLS, FORECAST_OVERRIDES, FORECAST_TREND],
        api=False,
    )
    targets.append(
        Target(
            name="forecast roll-up, rep → manager → company (page)",
            kind="page",
            as_role="executive",
            budget_ms=ROLLUP_BUDGET_MS,
            http=http,
            sql=sql,
        )
    )
    return targets + issue_18_targets(world, count=count, rng=rng)
