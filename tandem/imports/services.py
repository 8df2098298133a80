"""Every write of an import: upload, mapping, the background run (check, then write), the choice to
import the good rows only, and cancelling.

Nothing is written to accounts, contacts or deals until every row has been checked; the write is
one transaction, so a failed or cancelled import leaves nothing half-written.
"""

import logging
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from tandem.audit.services import audit_channel
from tandem.core.api import StaleVersion
from tandem.core.permissions import require
from tandem.imports import reading
from tandem.imports.columns import TARGETS, guess_mapping, guess_source, header_key
from tandem.imports.models import ImportJob, ImportMapping, Kind, RejectedRow, StagedRow
from tandem.imports.permissions import ImportsPermission
from tandem.people.models import User

logger = logging.getLogger(__name__)
BATCH = 2_000
STALE_JOB = "This import changed since you opened it (it was started or cancelled elsewhere). Reload the page."
Status = ImportJob.Status


def import_dir() -> Path:
    path = Path(getattr(settings, "IMPORT_DIR", Path(settings.BASE_DIR) / "var" / "imports"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def kinds_for(user: User) -> list[str]:
    """What this person may import, by the write rules of each kind's app: accounts, contacts, deals
    and leads for admins and sales managers; users for admins; products, features and customer asks
    for whoever manages products and triages asks (product managers, admins); quotas for whoever
    sets them (sales managers their teams', executives and admins anyone's). Row by row the apps'
    rules then decide which owners and records."""
    from tandem.asks.permissions import AsksPermission
    from tandem.core.permissions import has_permission
    from tandem.leads.permissions import LeadsPermission
    from tandem.people.permissions import PeoplePermission
    from tandem.product.permissions import ProductPermission
    from tandem.sales.permissions import SalesPermission

    if not has_permission(user, ImportsPermission.IMPORT):
        return []
    rules = [
        (Kind.ACCOUNT, (ImportsPermission.IMPORT_PIPELINE,)),
        (Kind.CONTACT, (ImportsPermission.IMPORT_PIPELINE,)),
        (Kind.OPPORTUNITY, (ImportsPermission.IMPORT_PIPELINE,)),
        (Kind.LEAD, (ImportsPermission.IMPORT_PIPELINE, LeadsPermission.EDIT_LEADS)),
        (Kind.USER, (PeoplePermission.MANAGE_USERS,)),
        (Kind.PRODUCT, (ProductPermission.MANAGE_PRODUCTS,)),
        (Kind.FEATURE, (ProductPermission.EDIT_FEATURE,)),
        (Kind.ASK, (AsksPermission.TRIAGE,)),
        (Kind.QUOTA, (SalesPermission.SET_QUOTA,)),
    ]
    return [kind for kind, needs in rules if all(has_permission(user, need) for need in needs)]


def _read_head(job: ImportJob) -> tuple[list[str], list[reading.Row]]:
    path = Path(job.stored_path)
    if job.file_format == "xlsx":
        return reading.xlsx_header(path)
    return reading.csv_header(path, encoding=job.encoding, delimiter=job.delimiter)


def _preview_values(job: ImportJob, preview: list[reading.Row], field: str) -> list[Any]:
    column = job.mapping.get(field)
    if column not in job.header:
        return []
    at = job.header.index(column)
    return [row.cells[at] for row in preview if at < len(row.cells) and str(row.cells[at]).strip()]


@transaction.atomic
def import_job_upload(*, actor: User, kind: str, upload: UploadedFile) -> ImportJob:
    """Keep an uploaded export file and guess how to read it: encoding, delimiter, its CRM, the
    column mapping (the one remembered for these headers, else by the CRMs' column names), the
    decimal separator and the date format. Refuses an oversized file and an unsafe spreadsheet."""
    require(actor, ImportsPermission.IMPORT)
    if kind not in kinds_for(actor):
        raise ValidationError({"kind": "Choose what the file holds among the kinds you may import."})
    reading.check_size(upload.size or 0)
    path = import_dir() / f"{uuid.uuid4().hex}.upload"
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    try:
        job = ImportJob(
            kind=kind,
            created_by=actor,
            file_name=(upload.name or "file")[:255],
            stored_path=str(path),
            file_size=path.stat().st_size,
        )
        if reading.is_xlsx(path):
            job.file_format = "xlsx"
            # openpyxl opens a workbook by its name's extension.
            path = path.rename(path.with_suffix(".xlsx"))
            job.stored_path = str(path)
            reading.check_xlsx(path)
        else:
            with path.open("rb") as handle:
                sample = handle.read(reading.SAMPLE_BYTES)
            if (
                b"\x00" in sample
                and not sample.startswith((b"\xff\xfe", b"\xfe\xff"))
                and reading.guess_encoding(sample) != "utf-16"
            ):
                raise ValidationError({"file": "This is not a CSV or XLSX file."})
            job.encoding = reading.guess_encoding(sample)
            job.delimiter = reading.guess_delimiter(reading._sample_text(path, job.encoding))
        job.header, preview = _read_head(job)
        if not any(job.header):
            raise ValidationError({"file": "The file has no header row: its first row must name the columns."})
        job.source = guess_source(job.header)
        remembered = ImportMapping.objects.filter(kind=kind, header_key=header_key(kind, job.header)).first()
        job.mapping = remembered.mapping if remembered else guess_mapping(kind, job.header)
        job.value_map = remembered.value_map if remembered else {}
        job.decimal_separator = reading.guess_decimal_separator(
            [
                v
                for f in ("amount", "annual_revenue", "probability", "budget", "effort")
                for v in _preview_values(job, preview, f)
            ]
        )
        if job.source == ImportJob.Source.PIPEDRIVE and job.decimal_separator == "." and job.encoding != "utf-8":
            job.decimal_separator = ","
        dates = [v for f in ("close_date", "period", "created_at") for v in _preview_values(job, preview, f)]
        job.date_format = reading.guess_date_format(dates) or job.date_format
        job.full_clean()
        job.save()
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return job


def import_job_preview(*, job: ImportJob) -> list[reading.Row]:
    """The first rows as the current settings read them (the mapping screen's preview)."""
    return _read_head(job)[1][:8]


def _check_changeable(actor: User, job: ImportJob, expected_version: int | None) -> ImportJob:
    from tandem.imports.selectors import import_job_changeable

    locked = import_job_changeable(user=actor).select_for_update().filter(pk=job.pk).first()
    if locked is None:
        raise PermissionDenied("Only the person who started this import, or an admin, may change it.")
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(STALE_JOB)
    return locked


@transaction.atomic
def import_job_configure(
    *,
    actor: User,
    job: ImportJob,
    expected_version: int,
    encoding: str,
    delimiter: str,
    decimal_separator: str,
    date_format: str,
    mapping: dict[str, str],
    value_map: dict[str, dict[str, int | None]],
) -> ImportJob:
    """Settle how the file is read and which column fills which field, remember the mapping for
    files with these headers, and queue the check (then the write, when every row passes)."""
    job = _check_changeable(actor, job, expected_version)
    if job.status not in (Status.UPLOADED, Status.CHECKED):
        raise ValidationError({"__all__": "This import has already started."})
    job.encoding, job.delimiter = encoding, delimiter
    job.decimal_separator, job.date_format = decimal_separator, date_format
    if job.file_format == "csv":
        job.header, _ = _read_head(job)
    mapping = {field: column for field, column in mapping.items() if column}
    errors: dict[str, str] = {}
    for target in TARGETS[job.kind]:
        column = mapping.get(target.field)
        if column and column not in job.header:
            errors[f"map_{target.field}"] = f"The file has no column “{column}”."
        elif target.required and not column and not (target.field == "stage" and "is_closed" in mapping):
            errors[f"map_{target.field}"] = f"Choose the column that holds the {target.label.lower()}."
    if job.kind in (Kind.CONTACT, Kind.LEAD) and not ({"first_name", "last_name", "full_name"} & set(mapping)):
        errors["map_last_name"] = f"Choose the column that holds the {job.get_kind_display().lower()[:-1]}'s name."
    if job.kind == Kind.QUOTA:
        if not ({"owner", "team"} & set(mapping)):
            errors["map_owner"] = "Choose the column that holds the rep (or the team)."
        if "period" not in mapping and not {"fiscal_year", "fiscal_quarter"} <= set(mapping):
            errors["map_period"] = "Choose the column that holds the quarter (or the fiscal year and quarter)."
    if errors:
        raise ValidationError(errors)
    job.mapping = mapping
    job.value_map = {kind: {k: v for k, v in values.items() if v} for kind, values in value_map.items()}
    ImportMapping.objects.update_or_create(
        kind=job.kind,
        header_key=header_key(job.kind, job.header),
        defaults={"mapping": job.mapping, "value_map": job.value_map},
    )
    job.status = Status.CHECKING
    job.good_rows_only = False
    job.cancel_requested = False
    job.error = ""
    job.version += 1
    job.full_clean()
    job.save()
    _enqueue(job)
    return job


def _enqueue(job: ImportJob) -> None:
    from tandem.imports.tasks import import_job_run_task

    transaction.on_commit(lambda: import_job_run_task.enqueue(job_id=job.pk))


@transaction.atomic
def import_job_import_good_rows(*, actor: User, job: ImportJob, expected_version: int) -> ImportJob:
    """After a check that refused some rows: write the good ones (the refused stay in the report)."""
    job = _check_changeable(actor, job, expected_version)
    if job.status != Status.CHECKED:
        raise ValidationError({"__all__": "Only a checked import with refused rows waits for this choice."})
    job.status = Status.IMPORTING
    job.good_rows_only = True
    job.version += 1
    job.save()
    _enqueue(job)
    return job


@transaction.atomic
def import_job_cancel(*, actor: User, job: ImportJob, expected_version: int) -> ImportJob:
    """Stop an import before it writes: nothing of it is written. A check in progress stops at its
    next batch; once the write has begun it finishes or fails whole."""
    job = _check_changeable(actor, job, expected_version)
    if job.status in (Status.DONE, Status.FAILED, Status.CANCELLED, Status.IMPORTING):
        raise ValidationError(
            {"__all__": f"This import is {job.get_status_display().lower()}: it cannot be cancelled."}
        )
    job.version += 1
    if job.status == Status.CHECKING:
        job.cancel_requested = True
        job.save(update_fields=["cancel_requested", "version"])
        return job
    _finish(job, Status.CANCELLED, version=job.version)
    return job


def _finish(job: ImportJob, status: str, error: str = "", **counts: int) -> None:
    job.status, job.error, job.finished_at = status, error[:500], timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, error=job.error, finished_at=job.finished_at, cancel_requested=False, **counts
    )
    StagedRow.objects.filter(job=job).delete()
    Path(job.stored_path).unlink(missing_ok=True)


# The background run


def import_job_run(*, job_id: int) -> ImportJob:
    """The worker's part: check every row (staging the good, recording the refused), then write in one
    transaction when none was refused or the importer chose the good rows only. Safe to run again
    after a worker stopped mid-way: the check starts over, and the write commits whole or not at all."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        if job.status == Status.CHECKING:
            _check(job)
            job.refresh_from_db()
            if job.status == Status.CANCELLED:
                return job
            if job.failed:
                ImportJob.objects.filter(pk=job.pk).update(status=Status.CHECKED, version=job.version + 1)
                job.refresh_from_db()
                return job
            ImportJob.objects.filter(pk=job.pk).update(status=Status.IMPORTING)
            job.refresh_from_db()
        if job.status == Status.IMPORTING:
            _write(job)
    except ValidationError as error:
        message = (
            "; ".join(m for messages in error.message_dict.values() for m in messages)
            if hasattr(error, "error_dict")
            else "; ".join(error.messages)
        )
        _finish(job, Status.FAILED, message)
    except Exception as error:  # the job says it failed and why; the task's log has the trace
        logger.exception("import %s failed", job.pk)
        _finish(job, Status.FAILED, f"The import stopped on an unexpected error and wrote nothing: {error}")
    job.refresh_from_db()
    return job


def _rows(job: ImportJob, progress: list[int]) -> Any:
    path = Path(job.stored_path)
    if job.file_format == "xlsx":
        return reading.xlsx_rows(path, progress=progress, size=job.file_size)
    return reading.csv_rows(path, encoding=job.encoding, delimiter=job.delimiter, progress=progress)


def _check(job: ImportJob) -> None:
    StagedRow.objects.filter(job=job).delete()
    RejectedRow.objects.filter(job=job).delete()
    from tandem.imports.records import checker_for

    checker = checker_for(job, job.created_by)
    progress = [0]
    totals = {"rows_total": 0, "failed": 0, "skipped": 0}
    batch: list[reading.Row] = []

    def flush() -> bool:
        checked = checker.check(batch)
        _stage(job, checked.staged)
        RejectedRow.objects.bulk_create(
            [
                RejectedRow(job=job, line=line, problems=problems, cells=cells)
                for line, problems, cells in checked.rejected
            ]
        )
        totals["rows_total"] += len(batch)
        totals["failed"] += len(checked.rejected)
        totals["skipped"] += checked.blank
        batch.clear()
        ImportJob.objects.filter(pk=job.pk).update(bytes_read=progress[0], **totals)
        return ImportJob.objects.filter(pk=job.pk, cancel_requested=True).exists()

    for row in _rows(job, progress):
        batch.append(row)
        if len(batch) == BATCH and flush():
            _finish(job, Status.CANCELLED)
            return
    if batch and flush():
        _finish(job, Status.CANCELLED)
        return
    totals["failed"] += _refuse_repeated_ids(job)
    ImportJob.objects.filter(pk=job.pk).update(
        bytes_read=job.file_size, seen_values={k: sorted(v) for k, v in checker.seen.items()}, **totals
    )


def _stage(job: ImportJob, rows: list[tuple[int, str | None, dict[str, Any]]]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy("COPY imports_stagedrow (job_id, line, external_id, data) FROM STDIN") as copy,
        ):
            for line, external_id, data in rows:
                copy.write_row((job.pk, line, external_id, Jsonb(data)))
    else:
        StagedRow.objects.bulk_create(
            [StagedRow(job=job, line=line, external_id=external_id, data=data) for line, external_id, data in rows]
        )


def _refuse_repeated_ids(job: ImportJob) -> int:
    """A record named twice in one file: the first row stands, each later one is refused."""
    from django.db.models import Count, Min

    repeated = (
        StagedRow.objects.filter(job=job, external_id__isnull=False)
        .values("external_id")
        .annotate(n=Count("id"), first=Min("line"))
        .filter(n__gt=1)
    )
    refused = 0
    from tandem.imports.records import NATURAL_FIELD

    column = job.mapping.get("external_id") or job.mapping.get(NATURAL_FIELD.get(job.kind, ""), "")
    for group in repeated.iterator():
        later = StagedRow.objects.filter(job=job, external_id=group["external_id"], line__gt=group["first"])
        RejectedRow.objects.bulk_create(
            [
                RejectedRow(
                    job=job,
                    line=line,
                    problems=[
                        {
                            "column": column,
                            "reason": f"“{group['external_id']}” is already on line {group['first']}: "
                            "a record appears once in a file.",
                        }
                    ],
                    cells=[],
                )
                for line in later.values_list("line", flat=True)
            ]
        )
        refused += later.delete()[0]
    return refused


def _write(job: ImportJob) -> None:
    from tandem.imports.writing import StaleRecords, write_job

    try:
        with transaction.atomic(), audit_channel("import"):
            written = write_job(job)
            _finish(
                job,
                Status.DONE,
                created=written.created,
                updated=written.updated,
                skipped=job.skipped + written.unchanged,
                version=job.version + 1,
            )
    except StaleRecords as error:
        _finish(job, Status.FAILED, str(error))
