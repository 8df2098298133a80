"""Load a generated workspace into an empty database in one transaction, then fill the evidence."""

import datetime
import time
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection, models, transaction

from tandem.activities.models import Activity
from tandem.asks.evidence import feature_scores_recompute
from tandem.asks.models import Ask, Decision, FeatureEvidence
from tandem.asks.outcomes import ask_outcomes_refresh
from tandem.commitments.models import Commitment
from tandem.competition.models import Battlecard, Competitor
from tandem.core.bulk import writer_for
from tandem.core.models import ExchangeRate, Workspace
from tandem.decisions.models import Escalation
from tandem.forecasting.seed import FORECAST_MODELS, forecast_history_fill
from tandem.leads import funnel_figures
from tandem.leads.models import Lead
from tandem.notifications.models import Notification
from tandem.people.models import Team, Territory, User
from tandem.planning.models import TeamCapacity
from tandem.product.models import Feature, Goal, Product, Release
from tandem.roadmap.models import LifecycleMove
from tandem.sales import month_figures
from tandem.sales.models import Account, Contact, DealContact, Opportunity, Quota, Stage, StageChange
from tandem.seed.generator import FISCAL_YEAR_START_MONTH, WorkspaceGenerator
from tandem.seed.scales import Scale
from tandem.seed.together import MODELS as TOGETHER_MODELS
from tandem.targets.models import SalesTarget

WORKSPACE_MODELS: tuple[type[models.Model], ...] = (
    ExchangeRate, Territory, Team, User, Stage, Competitor, Battlecard, Product, Goal, Release, Feature,
    Feature.goals.through, Account, Contact, Opportunity, StageChange, Activity, Activity.contacts.through,
    DealContact, Ask, Decision, Quota, SalesTarget, FeatureEvidence, Escalation, Notification, Lead, TeamCapacity,
    LifecycleMove, *FORECAST_MODELS, Commitment, *TOGETHER_MODELS,
)  # fmt: skip
# The tables whose secondary indexes are built after the load rather than during it.
BIG_TABLES = [
    model._meta.db_table
    for model in (
        Account,
        Contact,
        Opportunity,
        StageChange,
        Activity,
        Activity.contacts.through,
        DealContact,
        Ask,
        Lead,
    )
]
# The tables the asks' outcomes read, analysed before those statements run.
STATISTICS_FIRST = [model._meta.db_table for model in (Feature, Ask, Decision)]


@dataclass(frozen=True)
class TableLoad:
    table: str
    rows: int
    seconds: float


def workspace_tables_with_rows() -> list[str]:
    """The workspace tables that already hold data (the workspace row itself does not count:
    the app creates it with defaults on first use, and the seed replaces it)."""
    return [model._meta.db_table for model in WORKSPACE_MODELS if model._default_manager.exists()]


def seed_workspace(
    *, scale: Scale, seed: int, today: datetime.date, progress: bool = False, defer_indexes: bool = True
) -> list[TableLoad]:
    """Generate the workspace for `scale` and `seed` as of `today` and write it into an empty
    database. Everything happens in one transaction: a failure leaves the database as it was."""
    generator = WorkspaceGenerator(scale=scale, seed=seed, today=today)
    writer = writer_for(connection)
    loads: list[TableLoad] = []
    with transaction.atomic():
        Workspace.objects.filter(id=1).delete()
        started = time.monotonic()
        month_figures.pause_on_postgresql(paused=True)
        funnel_figures.pause_on_postgresql(paused=True)
        with writer.indexes_deferred(BIG_TABLES if defer_indexes else []):
            for table in generator.tables():
                table_started = time.monotonic()
                rows = writer.write(table, progress=progress)
                loads.append(TableLoad(table.model._meta.db_table, rows, time.monotonic() - table_started))
            index_started = time.monotonic()
        if defer_indexes and connection.vendor == "postgresql":
            loads.append(TableLoad("(indexes and foreign keys)", 0, time.monotonic() - index_started))
        step = time.monotonic()
        deals = deal_last_activity_fill(now=generator.now)
        loads.append(TableLoad("(deals' last activity)", deals, time.monotonic() - step))
        step = time.monotonic()
        evidence_rows = feature_evidence_fill(now=generator.now)
        loads.append(TableLoad(FeatureEvidence._meta.db_table, evidence_rows, time.monotonic() - step))
        if connection.vendor == "postgresql":
            # The asks' outcomes are correlated subqueries over tables filled a moment ago: without
            # statistics they took 653 s on a busy 2-core machine, with them 132 s (2026-12-07).
            step = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {', '.join(STATISTICS_FIRST)}")
            loads.append(TableLoad("(analyze before outcomes)", 0, time.monotonic() - step))
        step = time.monotonic()
        ask_outcomes_refresh(asks=Ask.objects.all())
        loads.append(TableLoad("(asks' outcomes)", 0, time.monotonic() - step))
        step = time.monotonic()
        history = forecast_history_fill(today=today, start_month=FISCAL_YEAR_START_MONTH, seed=seed, progress=progress)
        loads.append(TableLoad("(forecast history)", history, time.monotonic() - step))
        step = time.monotonic()
        month_figures.rebuild()  # one grouped pass over the deals instead of a trigger a deal
        month_figures.pause_on_postgresql(paused=False)
        loads.append(TableLoad("(reps' months of deals)", 0, time.monotonic() - step))
        step = time.monotonic()
        funnel_figures.rebuild()  # one grouped pass over the leads instead of a trigger a lead
        funnel_figures.pause_on_postgresql(paused=False)
        loads.append(TableLoad("(days of the lead funnel)", 0, time.monotonic() - step))
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [Workspace, *WORKSPACE_MODELS]):
                cursor.execute(statement)
    step = time.monotonic()
    with connection.cursor() as cursor:
        # VACUUM also marks the freshly written pages all-visible, so counts that an index covers
        # (the feature list's 90-day asks) are answered from the index alone from the first request,
        # not after autovacuum gets round to it. It cannot run inside a transaction (the tests' one).
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    loads.append(TableLoad("(vacuum and analyze)" if vacuum else "(analyze)", 0, time.monotonic() - step))
    loads.append(TableLoad("total", sum(load.rows for load in loads), time.monotonic() - started))
    return loads


# One set-based statement for every feature's figures (the score follows, from them). Amounts are
# summed in integer cents (integer division rounds the weighted sum half up) so SQLite, which keeps
# decimals as floating point, gives the same cents as PostgreSQL's numeric arithmetic. Every ask
# naming a feature counts, merged duplicates included; each deal and account once per feature.
EVIDENCE_SQL = """
INSERT INTO asks_featureevidence
    (feature_id, asks_count, important_asks_count, blocker_asks_count, accounts_count, open_pipeline,
     weighted_pipeline, blocker_pipeline, largest_deal, customer_revenue, lost_revenue, won_after_ship,
     strategic_fit, score, rice_score, refreshed_at)
SELECT f.id,
       COALESCE(a.asks_count, 0),
       COALESCE(a.important_count, 0),
       COALESCE(a.blocker_count, 0),
       COALESCE(a.accounts_count, 0),
       COALESCE(d.open_cents, 0) / 100.0,
       COALESCE((d.weighted_cents_x100 + 50) / 100, 0) / 100.0,
       COALESCE(d.blocker_cents, 0) / 100.0,
       COALESCE(d.largest_cents, 0) / 100.0,
       COALESCE(c.customer_cents, 0) / 100.0,
       COALESCE(closed.lost_cents, 0) / 100.0,
       COALESCE(closed.won_cents, 0) / 100.0,
       COALESCE(g.fit_cents, 0) / 100.0,
       0,
       0,
       %s
FROM product_feature f
LEFT JOIN product_release r ON r.id = f.release_id
LEFT JOIN (
    SELECT feature_id, COUNT(*) AS asks_count, COUNT(DISTINCT account_id) AS accounts_count,
           SUM(CASE WHEN importance = 'important' THEN 1 ELSE 0 END) AS important_count,
           SUM(CASE WHEN importance = 'blocker' THEN 1 ELSE 0 END) AS blocker_count
    FROM asks_ask
    WHERE feature_id IS NOT NULL
    GROUP BY feature_id
) a ON a.feature_id = f.id
LEFT JOIN (
    SELECT deal.feature_id,
           SUM(deal.cents) AS open_cents,
           CAST(SUM(deal.cents * deal.probability) AS BIGINT) AS weighted_cents_x100,
           SUM(CASE WHEN deal.has_blocker = 1 THEN deal.cents ELSE 0 END) AS blocker_cents,
           MAX(deal.cents) AS largest_cents
    FROM (
        SELECT ask.feature_id,
               CAST(ROUND(o.amount_home * 100) AS BIGINT) AS cents,
               o.probability,
               MAX(CASE WHEN ask.importance = 'blocker' THEN 1 ELSE 0 END) AS has_blocker
        FROM asks_ask ask
        JOIN sales_opportunity o ON o.id = ask.opportunity_id
        JOIN sales_stage s ON s.id = o.stage_id
        WHERE ask.feature_id IS NOT NULL AND NOT s.is_won AND NOT s.is_lost
        GROUP BY ask.feature_id, o.id, o.amount_home, o.probability
    ) deal
    GROUP BY deal.feature_id
) d ON d.feature_id = f.id
LEFT JOIN (
    SELECT customer.feature_id, SUM(customer.cents) AS customer_cents
    FROM (
        SELECT DISTINCT ask.feature_id, acc.id, CAST(ROUND(acc.annual_revenue * 100) AS BIGINT) AS cents
        FROM asks_ask ask
        JOIN sales_account acc ON acc.id = ask.account_id
        WHERE ask.feature_id IS NOT NULL AND acc.status = 'customer'
    ) customer
    GROUP BY customer.feature_id
) c ON c.feature_id = f.id
LEFT JOIN (
    SELECT deal.feature_id,
           SUM(CASE WHEN deal.is_lost AND deal.loss_reason = 'missing_feature' THEN deal.cents ELSE 0 END)
               AS lost_cents,
           SUM(CASE WHEN deal.is_won AND deal.closed_at > deal.shipped_at THEN deal.cents ELSE 0 END) AS won_cents
    FROM (
        SELECT DISTINCT ask.feature_id, o.id, CAST(ROUND(o.amount_home * 100) AS BIGINT) AS cents,
               s.is_won, s.is_lost, o.loss_reason, o.closed_at, rel.shipped_at
        FROM asks_ask ask
        JOIN sales_opportunity o ON o.id = ask.opportunity_id
        JOIN sales_stage s ON s.id = o.stage_id
        JOIN product_feature feat ON feat.id = ask.feature_id
        LEFT JOIN product_release rel ON rel.id = feat.release_id
        WHERE ask.feature_id IS NOT NULL AND (s.is_won OR s.is_lost)
    ) deal
    GROUP BY deal.feature_id
) closed ON closed.feature_id = f.id
LEFT JOIN (
    SELECT fg.feature_id, SUM(CAST(ROUND(goal.weight * 100) AS BIGINT)) AS fit_cents
    FROM product_feature_goals fg
    JOIN product_goal goal ON goal.id = fg.goal_id
    WHERE goal.is_active
    GROUP BY fg.feature_id
) g ON g.feature_id = f.id
"""


def feature_evidence_fill(*, now: datetime.datetime) -> int:
    """Every feature's evidence from its asks in one statement (see EVIDENCE_SQL and
    `asks/evidence.py` for the rules), then its score from those figures in batches."""
    with connection.cursor() as cursor:
        cursor.execute(EVIDENCE_SQL, [connection.ops.adapt_datetimefield_value(now)])
        rows = cursor.rowcount
    feature_scores_recompute()
    return rows


# Each deal's latest stage move or past note, call or meeting, in one statement (the services keep
# it from then on: `activities.services.deal_last_activity_refresh`, the sales stage moves).
LAST_ACTIVITY_SQL = """
UPDATE sales_opportunity SET last_activity_at = latest.at
FROM (
    SELECT opportunity_id, MAX(at) AS at FROM (
        SELECT opportunity_id, changed_at AS at FROM sales_stagechange
        UNION ALL
        SELECT opportunity_id, occurred_at AS at FROM activities_activity WHERE occurred_at <= %s
    ) moments GROUP BY opportunity_id
) latest
WHERE sales_opportunity.id = latest.opportunity_id
"""


def deal_last_activity_fill(*, now: datetime.datetime) -> int:
    with connection.cursor() as cursor:
        cursor.execute(LAST_ACTIVITY_SQL, [now])
        return cursor.rowcount
