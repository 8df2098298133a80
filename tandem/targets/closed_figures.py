"""The months of closed deals by breakdown (`ClosedMonthFigures`): kept by database triggers, rebuilt
in one statement.

The attainment page's win-rate charts group a year of closed deals by competitor, account segment
and lead source; this keeps those sums per rep and calendar month of the close date (a date: the
same months as the reps' months of deals, tandem/sales/month_figures.py, whose pattern this
follows), so a period reads its whole months here and only its edge days from the deals.

On PostgreSQL the triggers on deals are per statement, over the statement's transition tables: a
bulk write (an import's `COPY`, a mass reassignment, the exchange-rate update) pays one grouped
upsert, not one a deal. A deal update moves only the deals whose counted columns changed. SQLite
(no statement triggers, no CTEs in triggers) takes each row's old contribution off and adds the new.

Three more things move a deal's row: its account's segment (a trigger on accounts moves the
account's closed deals), a competitor deleted (Django sets the deals' competitor to null with an
UPDATE: the deals' trigger) and a stage whose won or lost flag changes (rare: the whole summary is
rebuilt then).
"""

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from tandem.sales import month_figures

TABLE = "targets_closedmonthfigures"
KEY = ("owner_id", "month", "competitor", "segment", "lead_source")
COLUMNS = ("won_count", "lost_count", "won_cents", "lost_cents")
# A deal's columns that choose its row or its sums; the other columns of an update change nothing here.
COUNTED = ("owner_id", "close_date", "amount_home", "stage_id", "competitor_id", "lead_source", "account_id")
CLOSED = "(s.is_won OR s.is_lost)"


def _keys(vendor: str, d: str, segment: str = "a.segment") -> list[str]:
    month = month_figures._dialect(vendor).month.format(d=d)
    return [f"{d}.owner_id", month, f"COALESCE({d}.competitor_id, 0)", segment, f"{d}.lead_source"]


def _values(vendor: str, d: str, sign: str = "") -> list[str]:
    cents = month_figures._dialect(vendor).cents.format(d=d)
    return [
        f"{sign}CASE WHEN s.is_won THEN 1 ELSE 0 END",
        f"{sign}CASE WHEN s.is_lost THEN 1 ELSE 0 END",
        f"{sign}CASE WHEN s.is_won THEN {cents} ELSE 0 END",
        f"{sign}CASE WHEN s.is_lost THEN {cents} ELSE 0 END",
    ]


def _select(vendor: str, d: str, source: str, *, sign: str = "", segment: str = "a.segment", where: str = "") -> str:
    """The grouped contributions of the closed deals `d` of `source` (with their stage `s` and account `a`)."""
    keys = _keys(vendor, d, segment)
    sums = ", ".join(f"SUM({v})" for v in _values(vendor, d, sign))
    return (
        f"SELECT {', '.join(keys)}, {sums} FROM {source} "
        f"JOIN sales_stage s ON s.id = {d}.stage_id JOIN sales_account a ON a.id = {d}.account_id "
        f"WHERE {CLOSED}{where} GROUP BY {', '.join(keys)}"
    )


def _upsert(rows: str) -> str:
    """Add `rows` (the KEY then the COLUMNS) to the summary, creating the rows it lacks. Ordered by
    the key, so two bulk statements lock the rows they share in the same order (no deadlock)."""
    updates = ", ".join(f"{c} = {TABLE}.{c} + excluded.{c}" for c in COLUMNS)
    return (
        f"INSERT INTO {TABLE} ({', '.join(KEY)}, {', '.join(COLUMNS)}) {rows} ORDER BY 1, 2, 3, 4, 5 "
        f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {updates}"
    )


def _moved(added: str, taken: str) -> str:
    """The added and the taken-off contributions (two `_select`s) summed into one row a key: an
    upsert may touch each row once."""
    keys = ", ".join(f"k{i}" for i in range(len(KEY)))
    names = ", ".join([*(f"k{i}" for i in range(len(KEY))), *(f"v{i}" for i in range(len(COLUMNS)))])
    sums = ", ".join(f"SUM(v{i})" for i in range(len(COLUMNS)))
    return f"SELECT {keys}, {sums} FROM ({added} UNION ALL {taken}) AS moved ({names}) GROUP BY {keys}"


def rebuild_sql(vendor: str) -> list[str]:
    """Every row from the deals as they are: one grouped pass."""
    return [f"DELETE FROM {TABLE}", _upsert(_select(vendor, "d", "sales_opportunity d"))]


def triggers_sql(vendor: str) -> list[str]:
    flags = "OLD.is_won IS NOT NEW.is_won OR OLD.is_lost IS NOT NEW.is_lost"
    rebuild = ";\n    ".join(rebuild_sql(vendor))
    if vendor == "postgresql":
        pg = "postgresql"
        changed = "(" + " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in COUNTED) + ")"
        segment = "o.segment IS DISTINCT FROM n.segment"
        bodies = {
            "insert": _upsert(_select(pg, "d", "new_deals d")),
            "delete": _upsert(_select(pg, "d", "old_deals d", sign="-")),
            "update": _upsert(
                _moved(
                    _select(pg, "n", "new_deals n JOIN old_deals o ON o.id = n.id", where=f" AND {changed}"),
                    _select(pg, "o", "old_deals o JOIN new_deals n ON n.id = o.id", sign="-", where=f" AND {changed}"),
                )
            ),
        }
        statements = []
        for event, body in bodies.items():
            tables = {"insert": "NEW TABLE AS new_deals", "delete": "OLD TABLE AS old_deals"}.get(
                event, "OLD TABLE AS old_deals NEW TABLE AS new_deals"
            )
            statements += [
                f"CREATE FUNCTION targets_closed_figures_{event}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"BEGIN\n    {body};\n    RETURN NULL;\nEND;\n$$",
                f"CREATE TRIGGER targets_closed_figures_{event} AFTER {event.upper()} ON sales_opportunity "
                f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION targets_closed_figures_{event}()",
            ]
        accounts = "sales_opportunity d JOIN new_accounts n ON n.id = d.account_id JOIN old_accounts o ON o.id = n.id"
        account_moves = _moved(
            _select(pg, "d", accounts, segment="n.segment", where=f" AND {segment}"),
            _select(pg, "d", accounts, sign="-", segment="o.segment", where=f" AND {segment}"),
        )
        statements += [
            f"CREATE FUNCTION targets_closed_figures_account() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n    {_upsert(account_moves)};\n    RETURN NULL;\nEND;\n$$",
            "CREATE TRIGGER targets_closed_figures_account AFTER UPDATE ON sales_account "
            "REFERENCING OLD TABLE AS old_accounts NEW TABLE AS new_accounts FOR EACH STATEMENT "
            "EXECUTE FUNCTION targets_closed_figures_account()",
            f"CREATE FUNCTION targets_closed_figures_rebuild() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n    {rebuild};\n    RETURN NULL;\nEND;\n$$",
            "CREATE TRIGGER targets_closed_figures_stage AFTER UPDATE OF is_won, is_lost ON sales_stage "
            f"FOR EACH ROW WHEN ({flags.replace(' IS NOT ', ' IS DISTINCT FROM ')}) "
            "EXECUTE FUNCTION targets_closed_figures_rebuild()",
        ]
        return statements
    sq = "sqlite"
    watched = ", ".join(COUNTED)
    this_account = " AND d.account_id = NEW.id"
    return [
        f"CREATE TRIGGER targets_closed_figures_insert AFTER INSERT ON sales_opportunity "
        f"BEGIN {_upsert(_select(sq, 'NEW', 'sales_opportunity x', where=' AND x.id = NEW.id'))}; END",
        f"CREATE TRIGGER targets_closed_figures_delete AFTER DELETE ON sales_opportunity BEGIN {_take(sq)}; END",
        f"CREATE TRIGGER targets_closed_figures_update AFTER UPDATE OF {watched} ON sales_opportunity "
        f"BEGIN {_take(sq)}; "
        f"{_upsert(_select(sq, 'NEW', 'sales_opportunity x', where=' AND x.id = NEW.id'))}; END",
        f"CREATE TRIGGER targets_closed_figures_account AFTER UPDATE OF segment ON sales_account "
        f"WHEN OLD.segment IS NOT NEW.segment BEGIN "
        f"{_upsert(_select(sq, 'd', 'sales_opportunity d', sign='-', segment='OLD.segment', where=this_account))}; "
        f"{_upsert(_select(sq, 'd', 'sales_opportunity d', segment='NEW.segment', where=this_account))}; END",
        f"CREATE TRIGGER targets_closed_figures_stage AFTER UPDATE OF is_won, is_lost ON sales_stage "
        f"WHEN {flags} BEGIN {rebuild}; END",
    ]


def _take(vendor: str) -> str:
    """Take the deal OLD's contribution off its row (SQLite). An update, never an insert: when a whole
    database is emptied (a test database's flush) the rows may go before the deals."""
    keys = _keys(vendor, "OLD")
    updates = ", ".join(f"{c} = {TABLE}.{c} - ({v})" for c, v in zip(COLUMNS, _values(vendor, "OLD"), strict=True))
    match = " AND ".join(f"{TABLE}.{k} = {v}" for k, v in zip(KEY, keys, strict=True))
    return (
        f"UPDATE {TABLE} SET {updates} FROM sales_stage s, sales_account a "
        f"WHERE s.id = OLD.stage_id AND a.id = OLD.account_id AND {CLOSED} AND {match}"
    )


def drop_triggers_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            *(
                f"DROP TRIGGER IF EXISTS targets_closed_figures_{event} ON sales_opportunity"
                for event in ("insert", "delete", "update")
            ),
            "DROP TRIGGER IF EXISTS targets_closed_figures_account ON sales_account",
            "DROP TRIGGER IF EXISTS targets_closed_figures_stage ON sales_stage",
            *(
                f"DROP FUNCTION IF EXISTS targets_closed_figures_{name}()"
                for name in ("insert", "delete", "update", "account", "rebuild")
            ),
        ]
    return [
        f"DROP TRIGGER IF EXISTS targets_closed_figures_{name}"
        for name in ("insert", "delete", "update", "account", "stage")
    ]


def rebuild(using: BaseDatabaseWrapper | None = None) -> None:
    """Recompute every row from the deals (after a load that bypassed the triggers)."""
    conn = using or connection
    with conn.cursor() as cursor:
        for statement in rebuild_sql(conn.vendor):
            cursor.execute(statement)
