"""The reps' months of deals (`RepMonthFigures`): kept by database triggers, rebuilt in one statement.

Why triggers rather than the services: deals change through the services, but also through bulk
updates (exchange rates), the admin, the seed's `COPY` and the tests' factories; a trigger sees
every one of them in the same transaction, so the summary never drifts from the deals. Each row
change takes the deal's old contribution off its (owner, month) with an update and adds the new
one with an upsert, each locking just that row: concurrent edits of one rep's month queue on it, and add up.

A stage whose won or lost flag changes moves every deal in it from one column to another: rare
(an admin's change), so the whole summary is rebuilt then.

The same expressions serve both databases, with the few functions that differ: the month of a
date, integer cents, and the microseconds from opening to closing (on SQLite through Django's own
`django_timestamp_diff`, which the live sums use too, so both agree to the microsecond).
"""

from dataclasses import dataclass

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "sales_repmonthfigures"
PAUSED = "tandem.rep_month_figures_paused"  # 'on' within a bulk load's transaction (PostgreSQL)
# The columns a trigger watches: an update that sets none of them (the last activity, the next
# step, the version alone) leaves the summary untouched and costs nothing.
WATCHED = (
    "owner_id",
    "close_date",
    "amount_home",
    "stage_id",
    "probability",
    "forecast_category",
    "closed_at",
    "created_at",
)
COLUMNS = (
    "deals",
    "won_cents",
    "won_count",
    "lost_cents",
    "lost_count",
    "open_cents",
    "open_count",
    "commit_cents",
    "best_case_cents",
    "pipeline_cents",
    "weighted_cent_percents",
    "cycle_microseconds",
    "cycle_count",
)


@dataclass(frozen=True)
class Dialect:
    month: str  # of {d}.close_date
    cents: str  # of {d}.amount_home
    cycle: str  # {d}.closed_at - {d}.created_at in microseconds


POSTGRESQL = Dialect(
    month="CAST(date_trunc('month', {d}.close_date) AS date)",
    cents="CAST(ROUND({d}.amount_home * 100) AS BIGINT)",
    cycle="CAST(EXTRACT(EPOCH FROM ({d}.closed_at - {d}.created_at)) * 1000000 AS BIGINT)",
)
SQLITE = Dialect(
    month="date({d}.close_date, 'start of month')",
    cents="CAST(ROUND({d}.amount_home * 100) AS INTEGER)",
    cycle="django_timestamp_diff({d}.closed_at, {d}.created_at)",
)


def _dialect(vendor: str) -> Dialect:
    return POSTGRESQL if vendor == "postgresql" else SQLITE


def _values(dialect: Dialect, d: str) -> list[str]:
    """One deal's contribution to each column, in the order of COLUMNS (`s` is its stage)."""
    cents = dialect.cents.format(d=d)
    won, lost = "s.is_won", "s.is_lost"
    live = f"(NOT {won} AND NOT {lost})"
    open_ = f"({d}.closed_at IS NULL AND {live})"
    cycled = f"({won} AND {d}.closed_at IS NOT NULL)"

    def when(condition: str, value: str) -> str:
        return f"CASE WHEN {condition} THEN {value} ELSE 0 END"

    return [
        "1",
        when(won, cents),
        when(won, "1"),
        when(lost, cents),
        when(lost, "1"),
        when(open_, cents),
        when(open_, "1"),
        when(f"{live} AND {d}.forecast_category = 'commit'", cents),
        when(f"{live} AND {d}.forecast_category = 'best_case'", cents),
        when(f"{live} AND {d}.forecast_category = 'pipeline'", cents),
        when(live, f"{cents} * {d}.probability"),
        when(cycled, dialect.cycle.format(d=d)),
        when(cycled, "1"),
    ]


def _add(dialect: Dialect, d: str) -> str:
    """Add the contribution of the deal `d` (NEW in a trigger) to its month, creating the row."""
    values = ", ".join(_values(dialect, d))
    updates = ", ".join(f"{c} = {TABLE}.{c} + excluded.{c}" for c in COLUMNS)
    return (
        f"INSERT INTO {TABLE} (owner_id, month, {', '.join(COLUMNS)}) "
        f"SELECT {d}.owner_id, {dialect.month.format(d=d)}, {values} "
        f"FROM sales_stage s WHERE s.id = {d}.stage_id "
        f"ON CONFLICT (owner_id, month) DO UPDATE SET {updates}"
    )


def _take(dialect: Dialect, d: str) -> str:
    """Take the contribution of the deal `d` (OLD in a trigger) off its month. An update, never an
    insert: the month was written when the deal was, and when a whole database is emptied (a test
    database's flush) the months may go first, with nothing left to take from."""
    updates = ", ".join(f"{c} = {TABLE}.{c} - ({value})" for c, value in zip(COLUMNS, _values(dialect, d), strict=True))
    return (
        f"UPDATE {TABLE} SET {updates} FROM sales_stage s "
        f"WHERE s.id = {d}.stage_id AND {TABLE}.owner_id = {d}.owner_id "
        f"AND {TABLE}.month = {dialect.month.format(d=d)}"
    )


def rebuild_sql(vendor: str) -> list[str]:
    """Every rep's months from the deals as they are: one grouped pass."""
    dialect = _dialect(vendor)
    sums = ", ".join(f"SUM({value})" for value in _values(dialect, "o"))
    month = dialect.month.format(d="o")
    return [
        f"DELETE FROM {TABLE}",
        f"INSERT INTO {TABLE} (owner_id, month, {', '.join(COLUMNS)}) "
        f"SELECT o.owner_id, {month}, {sums} "
        "FROM sales_opportunity o JOIN sales_stage s ON s.id = o.stage_id "
        f"GROUP BY o.owner_id, {month}",
    ]


def follow_written_sql(*, written: str, before: str) -> str:
    """CTEs that do to the months, in one grouped upsert, what the per-row trigger (paused) would have
    done for a bulk statement's deals: add each deal of `written` (a CTE returning the deals as
    written with `id`, `created` and the WATCHED columns) and take off each updated one as it was
    in `before` (the same deals read by the statement's snapshot: before the write). PostgreSQL."""
    dialect = POSTGRESQL
    names = ", ".join(COLUMNS)
    added = ", ".join(f"{value} AS {c}" for c, value in zip(COLUMNS, _values(dialect, "w"), strict=True))
    taken = ", ".join(f"-({value}) AS {c}" for c, value in zip(COLUMNS, _values(dialect, "b"), strict=True))
    updates = ", ".join(f"{c} = {TABLE}.{c} + excluded.{c}" for c in COLUMNS)
    return (
        f"moved AS (SELECT w.owner_id, {dialect.month.format(d='w')} AS month, {added} "
        f"FROM {written} w JOIN sales_stage s ON s.id = w.stage_id "
        f"UNION ALL SELECT b.owner_id, {dialect.month.format(d='b')}, {taken} "
        f"FROM {before} b JOIN sales_stage s ON s.id = b.stage_id "
        f"WHERE b.id IN (SELECT id FROM {written} WHERE NOT created)), "
        f"months AS (INSERT INTO {TABLE} (owner_id, month, {names}) "
        f"SELECT owner_id, month, {', '.join(f'SUM({c})' for c in COLUMNS)} FROM moved GROUP BY owner_id, month "
        f"ON CONFLICT (owner_id, month) DO UPDATE SET {updates})"
    )


def triggers_sql(vendor: str) -> list[str]:
    dialect = _dialect(vendor)
    watched = ", ".join(WATCHED)
    flags = "OLD.is_won IS NOT NEW.is_won OR OLD.is_lost IS NOT NEW.is_lost"
    if vendor == "postgresql":
        rebuild = ";\n    ".join(rebuild_sql(vendor))
        return [
            f"""
CREATE FUNCTION sales_rep_month_figures_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('{PAUSED}', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_take(dialect, "OLD")};
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_add(dialect, "NEW")};
    END IF;
    RETURN NULL;
END;
$$""",
            f"""
CREATE TRIGGER sales_rep_month_figures_follow AFTER INSERT OR DELETE OR UPDATE OF {watched}
    ON sales_opportunity FOR EACH ROW EXECUTE FUNCTION sales_rep_month_figures_follow()""",
            f"""
CREATE FUNCTION sales_rep_month_figures_rebuild() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {rebuild};
    RETURN NULL;
END;
$$""",
            f"""
CREATE TRIGGER sales_rep_month_figures_stage AFTER UPDATE OF is_won, is_lost ON sales_stage
    FOR EACH ROW WHEN ({flags.replace(" IS NOT ", " IS DISTINCT FROM ")})
    EXECUTE FUNCTION sales_rep_month_figures_rebuild()""",
        ]
    rebuild = ";\n    ".join(rebuild_sql(vendor))
    return [
        f"CREATE TRIGGER sales_rep_month_figures_insert AFTER INSERT ON sales_opportunity "
        f"BEGIN {_add(dialect, 'NEW')}; END",
        f"CREATE TRIGGER sales_rep_month_figures_delete AFTER DELETE ON sales_opportunity "
        f"BEGIN {_take(dialect, 'OLD')}; END",
        f"CREATE TRIGGER sales_rep_month_figures_update AFTER UPDATE OF {watched} ON sales_opportunity "
        f"BEGIN {_take(dialect, 'OLD')}; {_add(dialect, 'NEW')}; END",
        f"CREATE TRIGGER sales_rep_month_figures_stage AFTER UPDATE OF is_won, is_lost ON sales_stage "
        f"WHEN {flags} BEGIN {rebuild}; END",
    ]


def drop_triggers_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            "DROP TRIGGER IF EXISTS sales_rep_month_figures_follow ON sales_opportunity",
            "DROP TRIGGER IF EXISTS sales_rep_month_figures_stage ON sales_stage",
            "DROP FUNCTION IF EXISTS sales_rep_month_figures_follow()",
            "DROP FUNCTION IF EXISTS sales_rep_month_figures_rebuild()",
        ]
    return [
        f"DROP TRIGGER IF EXISTS sales_rep_month_figures_{name}" for name in ("insert", "delete", "update", "stage")
    ]


def rebuild(using: BaseDatabaseWrapper | None = None) -> None:
    """Recompute every rep's months from the deals (after a load that bypassed the triggers)."""
    conn = using or connection
    with conn.cursor() as cursor:
        for statement in rebuild_sql(conn.vendor):
            cursor.execute(statement)


def pause_on_postgresql(using: BaseDatabaseWrapper | None = None, *, paused: bool) -> None:
    """A bulk load of a million deals skips the per-row trigger and rebuilds once at the end
    (`rebuild`): one grouped pass instead of a million upserts. A setting local to the load's
    transaction, which the trigger reads: `ALTER TABLE … DISABLE TRIGGER` would lock the table and
    is refused while the load's deferred foreign-key checks are pending."""
    conn = using or connection
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [PAUSED, "on" if paused else "off"])
