"""Writing a checked job's staged rows, all or nothing, in the caller's transaction.

PostgreSQL: one `INSERT … SELECT … FROM imports_stagedrow ON CONFLICT (external_id) DO UPDATE`
per job (the staged rows came in by COPY), which creates, updates by external id, and leaves
alone a row whose values are already stored (counted as skipped); the deals' first stage-history
rows and the reps' months (`sales.month_figures`, its per-row trigger paused) ride in the same
statement. Elsewhere (SQLite): the same result a batch at a time with the ORM.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from tandem.asks.evidence import account_evidence_refresh, feature_evidence_refresh
from tandem.asks.models import Ask, FeatureEvidence
from tandem.asks.values import ask_values_follow_accounts, ask_values_refresh
from tandem.core import formats
from tandem.imports.checking import MODELS
from tandem.imports.models import ImportJob, Kind, StagedRow
from tandem.imports.records import RECORD_KINDS
from tandem.sales import month_figures
from tandem.sales.models import Opportunity, StageChange
from tandem.triage.suggestions import ask_indexed, feature_indexed

BATCH = 2_000


class StaleRecords(Exception):
    def __init__(self, count: int) -> None:
        super().__init__(
            f"{formats.number(count)} of the records this file updates were changed by someone after the check: "
            "check the file again (nothing was written)."
        )


@dataclass
class Written:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _data_fields(kind: str) -> list[Any]:
    """The columns the staged data fills, in the model's order."""
    model = MODELS[kind]
    own = {"id", "updated_at", "version"} | ({"created_at"} if kind != Kind.OPPORTUNITY else set())
    return [f for f in model._meta.concrete_fields if f.attname not in own]


def _stale_count(job: ImportJob, model: type[Model]) -> int:
    if not hasattr(model, "version"):
        return 0
    seen = StagedRow.objects.filter(job=job, data__meta__has_key="version").values_list(
        "data__meta__id", "data__meta__version"
    )
    stale = 0
    batch: dict[int, int] = {}
    for pk, version in seen.iterator(chunk_size=BATCH):
        batch[int(pk)] = int(version)
        if len(batch) == BATCH:
            stale += _stale_in(model, batch)
            batch = {}
    return stale + (_stale_in(model, batch) if batch else 0)


def _stale_in(model: type[Model], seen: dict[int, int]) -> int:
    current = model._default_manager.filter(pk__in=list(seen)).values_list("pk", "version")
    return sum(1 for pk, version in current if version != seen[pk])


def write_job(job: ImportJob) -> Written:
    """Write every staged row of `job`; raise StaleRecords (writing nothing) when a record it updates
    changed since the check. Call inside a transaction."""
    model = MODELS[job.kind]
    stale = _stale_count(job, model)
    if stale:
        raise StaleRecords(stale)
    if job.kind in RECORD_KINDS:
        written = _write_records(job)
    else:
        written = _write_copy(job) if connection.vendor == "postgresql" else _write_batches(job)
    _follow(job)
    return written


def _write_copy(job: ImportJob) -> Written:
    model = MODELS[job.kind]
    table = model._meta.db_table
    fields = _data_fields(job.kind)
    now = timezone.now()
    columns = [f.column for f in fields]
    selects = [f"(s.data->>'{f.attname}')::{f.db_type(connection)}" for f in fields]
    names = {f.name for f in model._meta.concrete_fields}
    params: list[Any] = []
    if "updated_at" in names:
        columns.append("updated_at")
        selects.append("%s")
        params.append(now)
    if "created_at" in names and job.kind != Kind.OPPORTUNITY:
        columns.append("created_at")
        selects.append("%s")
        params.append(now)
    if "version" in names:
        columns.append("version")
        selects.append("1")
    changed = [f.column for f in fields if f.attname not in ("created_at", "external_id")]
    sets = [f'"{c}" = EXCLUDED."{c}"' for c in changed]
    if "updated_at" in names:
        sets.append('"updated_at" = EXCLUDED."updated_at"')
    if "version" in names:
        sets.append(f'"version" = "{table}"."version" + 1')
    differs = (
        f"({', '.join(f'{table}.{c}' for c in changed)}) IS DISTINCT FROM "
        f"({', '.join(f'EXCLUDED.{c}' for c in changed)})"
    )
    returning = "(xmax = 0) AS created"
    before = ""
    follow = ""
    unforeseen = "0"
    params.append(job.pk)
    if job.kind == Kind.OPPORTUNITY:
        returning += f", id, {', '.join(month_figures.WATCHED)}"
        # The deals the file updates as they were (the statement's snapshot, which its own write does
        # not change), for the reps' months; locked first, so none changes before the write.
        before = (
            f"before AS (SELECT o.* FROM {table} o JOIN imports_stagedrow b ON b.external_id = o.external_id "
            "WHERE b.job_id = %s), "
        )
        params.insert(0, job.pk)
        follow = (
            ", history AS (INSERT INTO sales_stagechange (opportunity_id, from_stage_id, to_stage_id, amount_home,"
            " changed_at, changed_by_id) SELECT id, NULL, stage_id, amount_home, %s, %s FROM written WHERE created), "
            + month_figures.follow_written_sql(written="written", before="before")
        )
        params += [now, job.created_by_id]
        unforeseen = (
            "(SELECT count(*) FROM written w WHERE NOT created AND NOT EXISTS (SELECT FROM before WHERE id = w.id))"
        )
    query = (
        f"WITH {before}written AS (INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {', '.join(selects)} FROM imports_stagedrow s WHERE s.job_id = %s "
        f"ON CONFLICT (external_id) DO UPDATE SET {', '.join(sets)} WHERE {differs} "
        f"RETURNING {returning}){follow} "
        f"SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created), {unforeseen} FROM written"
    )
    with connection.cursor() as cursor:
        if job.kind == Kind.OPPORTUNITY:
            # Deals moved to another stage by the file get their stage-history row, as a move on the page does.
            cursor.execute(
                "INSERT INTO sales_stagechange (opportunity_id, from_stage_id, to_stage_id, amount_home, changed_at,"
                " changed_by_id) SELECT (data->'meta'->>'id')::bigint, (data->'meta'->>'from_stage_id')::bigint,"
                " (data->>'stage_id')::bigint, (data->>'amount_home')::numeric, %s, %s FROM imports_stagedrow"
                " WHERE job_id = %s AND data->'meta'->>'from_stage_id' IS NOT NULL",
                [now, job.created_by_id, job.pk],
            )
            cursor.execute(
                f"SELECT count(*) FROM (SELECT FROM {table} WHERE external_id IN "
                "(SELECT external_id FROM imports_stagedrow WHERE job_id = %s) FOR UPDATE) locked",
                [job.pk],
            )
            # The per-row trigger would upsert a rep's month once per deal, a million times for a
            # million-row file (on the same few rows when one person owns them all): the statement
            # follows the months itself, in one grouped upsert.
            month_figures.pause_on_postgresql(paused=True)
        cursor.execute(query, params)
        created, updated, appeared = cursor.fetchone()
        month_figures.pause_on_postgresql(paused=False)
    if appeared:
        # Deals given one of the file's external ids after the lock: their months cannot be followed.
        raise StaleRecords(appeared)
    staged = StagedRow.objects.filter(job=job).count()
    return Written(created=created, updated=updated, unchanged=staged - created - updated)


def _python_value(field: Any, value: Any) -> Any:
    if value is None:
        return None
    internal = field.get_internal_type()
    if internal == "DecimalField":
        return Decimal(value)
    if internal == "DateField":
        return datetime.date.fromisoformat(value)
    if internal == "DateTimeField":
        return datetime.datetime.fromisoformat(value)
    return value


def _write_batches(job: ImportJob) -> Written:
    model = MODELS[job.kind]
    fields = _data_fields(job.kind)
    changed = [f.attname for f in fields if f.attname not in ("created_at", "external_id")]
    has_version = hasattr(model, "version")
    now = timezone.now()
    written = Written()
    rows = StagedRow.objects.filter(job=job).order_by("line").values_list("external_id", "data")
    batch: list[tuple[str | None, dict[str, Any]]] = []

    def flush() -> None:
        ids = [external_id for external_id, _ in batch if external_id]
        existing = model._default_manager.in_bulk(ids, field_name="external_id") if ids else {}
        new: list[Any] = []
        moved: list[StageChange] = []
        updates: list[Any] = []
        for external_id, data in batch:
            values = {f.attname: _python_value(f, data.get(f.attname)) for f in fields}
            record = existing.get(external_id) if external_id else None
            if record is None:
                new.append(model(**values))
                continue
            if all(getattr(record, name) == values[name] for name in changed):
                written.unchanged += 1
                continue
            from_stage = data.get("meta", {}).get("from_stage_id")
            for name in changed:
                setattr(record, name, values[name])
            if has_version:
                record.version += 1  # type: ignore[attr-defined]
            if hasattr(record, "updated_at"):
                record.updated_at = now
            updates.append(record)
            if from_stage:
                moved.append(_stage_change(record, from_stage, job, now))  # type: ignore[arg-type]
        created = model._default_manager.bulk_create(new)
        if updates:
            extra = ["version"] if has_version else []
            extra += ["updated_at"] if hasattr(model, "updated_at") else []
            model._default_manager.bulk_update(updates, [*changed, *extra])
        if job.kind == Kind.OPPORTUNITY:
            moved += [_stage_change(record, None, job, now) for record in created]  # type: ignore[arg-type]
            StageChange.objects.bulk_create(moved)
        written.created += len(created)
        written.updated += len(updates)
        batch.clear()

    for external_id, data in rows.iterator(chunk_size=BATCH):
        batch.append((external_id, data))
        if len(batch) == BATCH:
            flush()
    if batch:
        flush()
    return written


def _write_records(job: ImportJob) -> Written:
    """Leads, users, products, features, asks and quotas (files of thousands of rows, not millions):
    the record the check found (`meta.id`, by external id or natural key) is updated when a value
    differs, else a new one is created, a batch at a time with the ORM on every database."""
    model: Any = MODELS[job.kind]
    fields = {f.attname: f for f in model._meta.concrete_fields if f.attname not in ("id", "updated_at", "version")}
    has_version = hasattr(model, "version")
    now = timezone.now()
    written = Written()
    touched: list[int] = []
    features_before: set[int] = set()
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        ids = [int(data["meta"]["id"]) for data in batch if "id" in data.get("meta", {})]
        existing = model._default_manager.in_bulk(ids)
        new: list[Any] = []
        updates: list[Any] = []
        changed_names: set[str] = set()
        for data in batch:
            values = {name: _python_value(fields[name], value) for name, value in data.items() if name in fields}
            record = existing.get(int(data["meta"]["id"])) if "id" in data.get("meta", {}) else None
            if record is None:
                new.append(model(**values))
                continue
            changed = [name for name, value in values.items() if getattr(record, name) != value]
            if not changed:
                written.unchanged += 1
                continue
            if job.kind == Kind.ASK and record.feature_id:
                features_before.add(record.feature_id)
            for name in changed:
                setattr(record, name, values[name])
            changed_names.update(changed)
            if has_version:
                record.version += 1
            updates.append(record)
        created = model._default_manager.bulk_create(new)
        if updates:
            extra = ["version"] if has_version else []
            extra += ["updated_at"] if hasattr(model, "updated_at") else []
            for record in updates:
                if hasattr(record, "updated_at"):
                    record.updated_at = now
            model._default_manager.bulk_update(updates, [*sorted(changed_names), *extra])
        if job.kind == Kind.FEATURE:
            # Every feature has its evidence row from the start, as one made on the page does.
            FeatureEvidence.objects.bulk_create([FeatureEvidence(feature_id=record.pk) for record in created])
        for record in [*created, *updates]:
            touched.append(record.pk)
            # The triage suggestions find new and changed features and asks, as after the forms.
            if job.kind == Kind.FEATURE:
                feature_indexed(feature=record)
            elif job.kind == Kind.ASK:
                ask_indexed(ask=record)
        written.created += len(created)
        written.updated += len(updates)
        batch.clear()

    for data in StagedRow.objects.filter(job=job).order_by("line").values_list("data", flat=True).iterator(BATCH):
        batch.append(data)
        if len(batch) == BATCH:
            flush()
    if batch:
        flush()
    if job.kind == Kind.ASK and touched:
        # The asks take their value from their deal or account; their features' evidence counts them.
        asks = Ask.objects.filter(pk__in=touched)
        ask_values_refresh(asks=asks)
        features = set(asks.filter(feature__isnull=False).values_list("feature_id", flat=True))
        feature_evidence_refresh(feature_ids=features | features_before)
    return written


def _stage_change(record: Opportunity, from_stage: int | None, job: ImportJob, now: datetime.datetime) -> StageChange:
    return StageChange(
        opportunity_id=record.pk,
        from_stage_id=from_stage,
        to_stage_id=record.stage_id,
        amount_home=record.amount_home,
        changed_at=now,
        changed_by_id=job.created_by_id,
    )


def _follow(job: ImportJob) -> None:
    """Updated deals and accounts carry their asks' values and their features' evidence along, as
    the sales services do (new records have no asks yet)."""
    if job.kind in RECORD_KINDS:
        return  # `_write_records` did their follow-ups
    updated = StagedRow.objects.filter(job=job, data__meta__has_key="id").values("external_id")
    if job.kind == Kind.OPPORTUNITY:
        asks = Ask.objects.filter(opportunity__external_id__in=updated)
        ask_values_refresh(asks=asks)
        feature_ids = asks.filter(feature__isnull=False).values_list("feature_id", flat=True).distinct()
        feature_evidence_refresh(feature_ids=list(feature_ids))
    elif job.kind == Kind.ACCOUNT:
        account_ids = list(
            MODELS[Kind.ACCOUNT]._default_manager.filter(external_id__in=updated).values_list("pk", flat=True)
        )
        if account_ids:
            ask_values_follow_accounts(account_ids=account_ids)
            account_evidence_refresh(account_ids=account_ids)
