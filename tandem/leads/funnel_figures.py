"""The funnel's days (`LeadDayFigures` by source and campaign, `LeadRepDayFigures` by rep): kept by
database triggers, rebuilt in one statement each.

The same pattern as the reps' months of deals (tandem/sales/month_figures.py), for the same reasons:
leads change through the services, but also through bulk updates, the admin, imports, the seed's
`COPY` and the tests' factories, and a trigger sees each of them in the same transaction. Each
change of a lead takes its old contribution off its rows with an update and adds the new one with
an upsert: its (day, source, campaign) and its (day, rep).

Won is read through the lead's deal, so three more things move it: a deal changing stage (a trigger
on the deals adjusts its lead's day), a lead re-pointed at another deal (the lead's own trigger),
and a stage whose won flag changes (rare, an admin's change: both tables are rebuilt).

Days are UTC days (`created_at`'s date in UTC): `selectors.lead_funnel` reads the days a period
covers whole and counts the leads of the hours before and after them (a reader in another time zone).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper


@dataclass(frozen=True)
class Summary:
    table: str
    key: tuple[str, ...]  # the lead's columns that, with its day, choose its row


# Two tables rather than one keyed by all three: by rep, source and campaign a day holds about one
# lead a row (1,100,000 rows for the large workspace's 1,200,000 leads), by source and campaign 12,870,
# by rep 668,000 (each read through an index on its day).
SUMMARIES = (
    Summary("leads_leaddayfigures", ("source", "campaign")),
    Summary("leads_leadrepdayfigures", ("owner_id",)),
)
PAUSED = "tandem.lead_day_figures_paused"  # 'on' within a bulk load's transaction (PostgreSQL)
STATUSES = ("new", "working", "qualified", "disqualified", "converted")
COLUMNS = ("leads", "qualified", "converted", "won", *(f"status_{status}" for status in STATUSES))
# The columns a lead's trigger watches: the names or the qualification fields alone leave the
# summaries as they were and cost nothing.
WATCHED = (
    "created_at",
    "source",
    "campaign",
    "owner_id",
    "status",
    "qualified_at",
    "converted_at",
    "converted_opportunity_id",
)


@dataclass(frozen=True)
class Dialect:
    day: str  # of {d}.created_at, in UTC


POSTGRESQL = Dialect(day="CAST(timezone('UTC', {d}.created_at) AS date)")
# SQLite keeps Django's datetimes as UTC text: its date is the UTC day.
SQLITE = Dialect(day="date({d}.created_at)")


def _dialect(vendor: str) -> Dialect:
    return POSTGRESQL if vendor == "postgresql" else SQLITE


def _won(d: str) -> str:
    """1 when the lead `d` was converted into a deal that is now in a won stage."""
    return (
        "CASE WHEN EXISTS (SELECT 1 FROM sales_opportunity o JOIN sales_stage s ON s.id = o.stage_id "
        f"WHERE o.id = {d}.converted_opportunity_id AND s.is_won) THEN 1 ELSE 0 END"
    )


def _values(d: str, won: str) -> list[str]:
    """One lead's contribution to each column, in the order of COLUMNS."""

    def when(condition: str) -> str:
        return f"CASE WHEN {condition} THEN 1 ELSE 0 END"

    return [
        "1",
        when(f"{d}.qualified_at IS NOT NULL"),
        when(f"{d}.converted_at IS NOT NULL"),
        won,
        *(when(f"{d}.status = '{status}'") for status in STATUSES),
    ]


def _where_key(summary: Summary, dialect: Dialect, d: str) -> str:
    t = summary.table
    return " AND ".join([f"{t}.day = {dialect.day.format(d=d)}", *(f"{t}.{c} = {d}.{c}" for c in summary.key)])


def _add(summary: Summary, dialect: Dialect, d: str) -> str:
    """Add the lead `d` (NEW in a trigger) to its day, creating the row."""
    t, key = summary.table, ", ".join(("day", *summary.key))
    values = ", ".join([dialect.day.format(d=d), *(f"{d}.{c}" for c in summary.key), *_values(d, _won(d))])
    updates = ", ".join(f"{c} = {t}.{c} + excluded.{c}" for c in COLUMNS)
    return (
        f"INSERT INTO {t} ({key}, {', '.join(COLUMNS)}) VALUES ({values}) ON CONFLICT ({key}) DO UPDATE SET {updates}"
    )


def _take(summary: Summary, dialect: Dialect, d: str) -> str:
    """Take the lead `d` (OLD in a trigger) off its day. Its deal's stage is read as it is now: the
    deals' trigger kept the day's won count in step with it. An update, never an insert: when a
    whole database is emptied (a test database's flush) the days may go first."""
    updates = ", ".join(f"{c} = {c} - ({value})" for c, value in zip(COLUMNS, _values(d, _won(d)), strict=True))
    return f"UPDATE {summary.table} SET {updates} WHERE {_where_key(summary, dialect, d)}"


def _deal_moved(summary: Summary, dialect: Dialect) -> str:
    """A deal changed stage: its lead (at most one) counts as won or not any more."""
    is_won = "CASE WHEN EXISTS (SELECT 1 FROM sales_stage s WHERE s.id = {stage} AND s.is_won) THEN 1 ELSE 0 END"
    delta = f"({is_won.format(stage='NEW.stage_id')}) - ({is_won.format(stage='OLD.stage_id')})"
    return (
        f"UPDATE {summary.table} SET won = {summary.table}.won + {delta} FROM leads_lead l "
        f"WHERE l.converted_opportunity_id = NEW.id AND {_where_key(summary, dialect, 'l')}"
    )


def _each(statement: Callable[[Summary], str]) -> str:
    return "; ".join(statement(summary) for summary in SUMMARIES)


def rebuild_sql(vendor: str) -> list[str]:
    """Every day's funnel from the leads as they are: one grouped pass per table."""
    dialect = _dialect(vendor)
    won = "CASE WHEN s.is_won THEN 1 ELSE 0 END"
    sums = ", ".join(f"SUM({value})" for value in _values("l", won))
    day = dialect.day.format(d="l")
    statements = []
    for summary in SUMMARIES:
        key = ", ".join([day, *(f"l.{c}" for c in summary.key)])
        statements += [
            f"DELETE FROM {summary.table}",
            f"INSERT INTO {summary.table} ({', '.join(('day', *summary.key))}, {', '.join(COLUMNS)}) "
            f"SELECT {key}, {sums} FROM leads_lead l "
            "LEFT JOIN sales_opportunity o ON o.id = l.converted_opportunity_id "
            "LEFT JOIN sales_stage s ON s.id = o.stage_id "
            f"GROUP BY {key}",
        ]
    return statements


def triggers_sql(vendor: str) -> list[str]:
    dialect = _dialect(vendor)
    watched = ", ".join(WATCHED)
    rebuild = ";\n    ".join(rebuild_sql(vendor))
    if vendor == "postgresql":
        paused = f"IF current_setting('{PAUSED}', true) = 'on' THEN\n        RETURN NULL;\n    END IF;"
        return [
            f"""
CREATE FUNCTION leads_lead_day_figures_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {paused}
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_each(lambda summary: _take(summary, dialect, "OLD"))};
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_each(lambda summary: _add(summary, dialect, "NEW"))};
    END IF;
    RETURN NULL;
END;
$$""",
            f"""
CREATE TRIGGER leads_lead_day_figures_follow AFTER INSERT OR DELETE OR UPDATE OF {watched}
    ON leads_lead FOR EACH ROW EXECUTE FUNCTION leads_lead_day_figures_follow()""",
            f"""
CREATE FUNCTION leads_lead_day_figures_deal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {paused}
    {_each(lambda summary: _deal_moved(summary, dialect))};
    RETURN NULL;
END;
$$""",
            """
CREATE TRIGGER leads_lead_day_figures_deal AFTER UPDATE OF stage_id ON sales_opportunity
    FOR EACH ROW WHEN (OLD.stage_id IS DISTINCT FROM NEW.stage_id)
    EXECUTE FUNCTION leads_lead_day_figures_deal()""",
            f"""
CREATE FUNCTION leads_lead_day_figures_rebuild() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {rebuild};
    RETURN NULL;
END;
$$""",
            """
CREATE TRIGGER leads_lead_day_figures_stage AFTER UPDATE OF is_won ON sales_stage
    FOR EACH ROW WHEN (OLD.is_won IS DISTINCT FROM NEW.is_won)
    EXECUTE FUNCTION leads_lead_day_figures_rebuild()""",
        ]
    add = _each(lambda summary: _add(summary, dialect, "NEW"))
    take = _each(lambda summary: _take(summary, dialect, "OLD"))
    return [
        f"CREATE TRIGGER leads_lead_day_figures_insert AFTER INSERT ON leads_lead BEGIN {add}; END",
        f"CREATE TRIGGER leads_lead_day_figures_delete AFTER DELETE ON leads_lead BEGIN {take}; END",
        f"CREATE TRIGGER leads_lead_day_figures_update AFTER UPDATE OF {watched} ON leads_lead "
        f"BEGIN {take}; {add}; END",
        "CREATE TRIGGER leads_lead_day_figures_deal AFTER UPDATE OF stage_id ON sales_opportunity "
        f"WHEN OLD.stage_id IS NOT NEW.stage_id BEGIN {_each(lambda summary: _deal_moved(summary, dialect))}; END",
        "CREATE TRIGGER leads_lead_day_figures_stage AFTER UPDATE OF is_won ON sales_stage "
        f"WHEN OLD.is_won IS NOT NEW.is_won BEGIN {rebuild}; END",
    ]


def drop_triggers_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            "DROP TRIGGER IF EXISTS leads_lead_day_figures_follow ON leads_lead",
            "DROP TRIGGER IF EXISTS leads_lead_day_figures_deal ON sales_opportunity",
            "DROP TRIGGER IF EXISTS leads_lead_day_figures_stage ON sales_stage",
            "DROP FUNCTION IF EXISTS leads_lead_day_figures_follow()",
            "DROP FUNCTION IF EXISTS leads_lead_day_figures_deal()",
            "DROP FUNCTION IF EXISTS leads_lead_day_figures_rebuild()",
        ]
    return [
        f"DROP TRIGGER IF EXISTS leads_lead_day_figures_{name}"
        for name in ("insert", "delete", "update", "deal", "stage")
    ]


def rebuild(using: BaseDatabaseWrapper | None = None) -> None:
    """Recompute every day from the leads (after a load that bypassed the triggers)."""
    conn = using or connection
    with conn.cursor() as cursor:
        for statement in rebuild_sql(conn.vendor):
            cursor.execute(statement)


def pause_on_postgresql(using: BaseDatabaseWrapper | None = None, *, paused: bool) -> None:
    """A bulk load of a million leads skips the per-row triggers and rebuilds once at the end, as
    `sales.month_figures.pause_on_postgresql` does for the deals (and for the same reasons)."""
    conn = using or connection
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [PAUSED, "on" if paused else "off"])
