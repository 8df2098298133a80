"""The workspace export taken back: its zip loaded into an empty Tandem, every record with its id.

Everything is checked that can be before a row is written (the zip's sizes, the manifest's format,
every file's presence and columns), then every model is loaded in the export's order in one
transaction: a cell that does not read back, a row count that differs from the manifest or a
record the database refuses undoes the whole import. docs/exporting.md says how to move a workspace.
"""

import csv
import datetime
import io
import json
import logging
import secrets
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Model

from tandem.asks.evidence import feature_evidence_refresh
from tandem.core import formats
from tandem.core.workspace_export import FORMAT, OMITTED, WORKSPACE_MODELS, columns_of, file_name
from tandem.leads import funnel_figures
from tandem.people.models import User
from tandem.product.models import Feature
from tandem.sales import month_figures
from tandem.triage.tasks import triage_index_rebuild_task

logger = logging.getLogger(__name__)

BATCH = 2000
MANIFEST = "manifest.json"
MANIFEST_MAX_BYTES = 1024 * 1024
# A CSV compresses 5 to 20 times; a part compressed more than this is a zip bomb, not a table.
MAX_RATIO = 200

# What a freshly migrated Tandem holds before anyone works in it; the import replaces these rows.
FRESH_INSTALL = {"core.Workspace", "decisions.DecisionRight"}
# Left-out tables that may hold rows in an empty workspace: the importing admin's own secrets
# (removed with their user) and request counters and index bookkeeping, which are no one's records.
IGNORED_WHEN_EMPTY = {
    "people.ApiToken",
    "people.RecoveryCode",
    "people.User_groups",
    "people.User_user_permissions",
    "core.RateCounter",
    "triage.IndexChange",
}


def max_expanded_bytes() -> int:
    """What the zip may expand to in all (WORKSPACE_IMPORT_MAX_EXPANDED_BYTES, 20 GB by default)."""
    return int(settings.WORKSPACE_IMPORT_MAX_EXPANDED_BYTES)


@dataclass
class ImportSummary:
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return sum(self.rows.values())


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": message})


# Reading a cell back: the inverse of workspace_export.value_text, field type by field type.


def _boolean(text: str) -> bool:
    if text not in ("true", "false"):
        raise ValueError("true or false expected")
    return text == "true"


def _datetime(text: str) -> datetime.datetime:
    value = datetime.datetime.fromisoformat(text)
    if settings.USE_TZ and value.tzinfo is None:
        raise ValueError("a time with its UTC offset expected (2026-12-07T14:05:00+00:00)")
    return value


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise ValueError("a number expected (12500.00)") from error
    if not value.is_finite():
        raise ValueError("a number expected (12500.00)")
    return value


def _integer(text: str) -> int:
    if not text.lstrip("-").isdigit():
        raise ValueError("a whole number expected")
    return int(text)


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"JSON expected ({error.msg})") from error


def _reader(model_field: models.Field[Any, Any]) -> Callable[[str], Any]:
    if isinstance(model_field, models.BooleanField):
        return _boolean
    if isinstance(model_field, models.DateTimeField):
        return _datetime
    if isinstance(model_field, models.DateField):
        return datetime.date.fromisoformat
    if isinstance(model_field, models.TimeField):
        return datetime.time.fromisoformat
    if isinstance(model_field, models.DecimalField):
        return _decimal
    if isinstance(model_field, models.FloatField):
        return float
    if isinstance(model_field, models.JSONField):
        return _json
    if isinstance(model_field, models.IntegerField | models.ForeignKey):
        return _integer
    return str


class _Column:
    """One column of a model's file: how its cells read back and go to the database."""

    def __init__(self, model_field: models.Field[Any, Any]) -> None:
        self.field = model_field
        self.name = model_field.attname
        self.read = _reader(model_field)
        self.text = self.read is str
        self.max_length = model_field.max_length if self.text else None

    def value(self, text: str) -> Any:
        if "\x00" in text:
            raise ValueError("it holds a null character")
        if text == "" and (self.field.null or not self.text):
            # The export writes none as an empty cell; a text field that allows none stores none
            # for "nothing" (external ids), one that does not stores the empty text.
            if not self.field.null:
                raise ValueError("a value is required")
            return None
        value = self.read(text)
        if self.max_length is not None and len(value) > self.max_length:
            raise ValueError(f"longer than {formats.number(self.max_length)} characters")
        return self.field.get_db_prep_save(value, connection)


def _check_archive(archive: zipfile.ZipFile) -> None:
    """The sizes the zip declares, before any part is read: a part never yields more than it
    declares (zipfile stops there), so these bound what the import will read."""
    members = archive.infolist()
    expanded = sum(member.file_size for member in members)
    if expanded > max_expanded_bytes():
        raise _refuse(
            f"This zip expands to {formats.number(expanded // 1024**2)} MB, more than the "
            f"{formats.number(max_expanded_bytes() // 1024**2)} MB a workspace import reads: it is refused."
        )
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise _refuse(
                f"{member.filename} is compressed {formats.number(member.file_size // max(member.compress_size, 1))} "
                "times: it looks like a zip bomb and is refused."
            )


def _manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    names = set(archive.namelist())
    if MANIFEST not in names:
        raise _refuse("This zip has no manifest.json: it is not a Tandem workspace export.")
    if archive.getinfo(MANIFEST).file_size > MANIFEST_MAX_BYTES:
        raise _refuse("The manifest.json of this zip is too large to be a Tandem workspace export's.")
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (ValueError, UnicodeDecodeError) as error:
        raise _refuse("The manifest.json of this zip is not valid JSON.") from error
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise _refuse("The manifest.json of this zip does not list its files.")
    if manifest.get("format") != FORMAT:
        raise _refuse(f"This zip is in the format “{manifest.get('format')}”; this Tandem imports “{FORMAT}”.")
    entries = manifest["files"]
    if not all(isinstance(entry, dict) for entry in entries):
        raise _refuse("The manifest.json of this zip does not list its files.")
    listed = [entry.get("model") for entry in entries]
    missing = [label for label in WORKSPACE_MODELS if label not in listed]
    unknown = [str(label) for label in listed if label not in WORKSPACE_MODELS]
    if missing or unknown or len(listed) != len(WORKSPACE_MODELS):
        problem = f"it lacks {', '.join(missing)}" if missing else f"it lists {', '.join(unknown) or 'a kind twice'}"
        raise _refuse(f"The manifest does not list the kinds of records this Tandem holds: {problem}.")
    for entry in entries:
        label = entry["model"]
        expected_file, expected_columns = file_name(label), columns_of(apps.get_model(label))
        if entry.get("file") != expected_file:
            raise _refuse(f"The manifest names {label}'s file “{entry.get('file')}”, not {expected_file}.")
        if expected_file not in names:
            raise _refuse(f"The zip lacks {expected_file}, which its manifest lists.")
        if entry.get("columns") != expected_columns:
            raise _refuse(
                f"The manifest gives {expected_file} the columns {entry.get('columns')}; this Tandem expects "
                f"{expected_columns}."
            )
        if not isinstance(entry.get("rows"), int) or entry["rows"] < 0:
            raise _refuse(f"The manifest gives no row count for {expected_file}.")
    extra = names - {file_name(label) for label in WORKSPACE_MODELS} - {MANIFEST}
    if extra:
        raise _refuse(f"The zip holds files its manifest does not list: {', '.join(sorted(extra))}.")
    return manifest


def workspace_holdings(*, actor: User | None) -> list[str]:
    """The kinds of records that make the workspace not empty (empty: nothing is held)."""
    held = []
    for label in [*WORKSPACE_MODELS, *OMITTED]:
        if label in FRESH_INSTALL or label in IGNORED_WHEN_EMPTY:
            continue
        rows = apps.get_model(label)._base_manager.all()
        if label == "people.User" and actor is not None:
            rows = rows.exclude(pk=actor.pk)
        if rows.exists():
            held.append(label)
    return held


def holdings_described(held: list[str]) -> str:
    """The first kinds held in the product's words ('people, accounts, deals and 40 more kinds')."""
    names = [str(apps.get_model(label)._meta.verbose_name_plural) for label in held]
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more kinds" if len(names) > 5 else "")


def _check_empty(actor: User | None) -> None:
    held = workspace_holdings(actor=actor)
    if held:
        shown = holdings_described(held)
        who = "anyone but you" if actor is not None else "anyone"
        raise _refuse(
            f"This workspace already holds records ({shown}): a workspace is imported into a new, empty "
            f"Tandem only, with no people but the admin who imports it ({who} makes it non-empty)."
        )


def _rows(entry: IO[bytes], name: str, columns: list[str]) -> Iterator[tuple[int, list[str]]]:
    text = io.TextIOWrapper(entry, encoding="utf-8", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader, None)
        if header != columns:
            raise _refuse(f"{name}: its header row is {header}, not the manifest's columns {columns}.")
        while True:
            line = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                return
            if len(row) != len(columns):
                raise _refuse(f"{name}, line {line}: {len(row)} cells, where the file has {len(columns)} columns.")
            yield line, row
    except UnicodeDecodeError as error:
        raise _refuse(f"{name}, after line {reader.line_num}: the text is not UTF-8.") from error
    except csv.Error as error:
        raise _refuse(f"{name}, line {reader.line_num}: not readable as CSV ({error}).") from error
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise _refuse(f"{name} is damaged in the zip ({error}).") from error


def _insert_sql(model: type[Model], columns: list[str]) -> str:
    quote = connection.ops.quote_name
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )


def _load(archive: zipfile.ZipFile, label: str, expected_rows: int) -> int:
    """Insert one model's file, its references as they are: a reference to a record loaded later
    (the two cycles, an ask merged into a later ask) is checked with all the others at the end, as
    Django's foreign keys are deferred to the end of the transaction on PostgreSQL and SQLite. A
    second pass writing them empty first would break rules such as "a merged ask names its original"."""
    model = apps.get_model(label)
    name = file_name(label)
    names = columns_of(model)
    fields = {model_field.attname: model_field for model_field in model._meta.concrete_fields}
    readers = [_Column(fields[column]) for column in names]
    written = list(names)
    extra: list[Any] = []
    if label == "people.User":
        # A password nobody knows (a random secret hashed once, then forgotten): people set theirs
        # with "Forgot your password?", which Django refuses to an unusable password.
        written.append("password")
        extra.append(make_password(secrets.token_urlsafe(32)))
    sql = _insert_sql(model, written)
    count = 0
    batch: list[list[Any]] = []
    with archive.open(name) as entry, connection.cursor() as cursor:
        for line, cells in _rows(entry, name, names):
            values: list[Any] = []
            for column, text in zip(readers, cells, strict=True):
                try:
                    value = column.value(text)
                except (ValueError, TypeError) as error:
                    shown = text if len(text) <= 40 else text[:40] + "…"
                    where = f"{name}, line {line}, column {column.name}"
                    raise _refuse(f"{where}: “{shown}” does not read back: {error}.") from error
                values.append(value)
            batch.append(values + extra)
            count += 1
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
    if count != expected_rows:
        raise _refuse(f"{name} holds {formats.number(count)} rows; its manifest says {formats.number(expected_rows)}.")
    return count


def _replace_fresh_install(actor: User | None) -> None:
    for label in FRESH_INSTALL:
        apps.get_model(label)._base_manager.all().delete()
    if actor is not None:
        User._base_manager.filter(pk=actor.pk).delete()


def _keep_the_importer(actor: User | None, archive: zipfile.ZipFile) -> None:
    """The admin who imports on the page keeps their password under their username, so they are not
    locked out of the workspace they brought in; refused before anything is written otherwise."""
    if actor is None:
        return
    name = file_name("people.User")
    columns = columns_of(User)
    at = columns.index("username")
    with archive.open(name) as entry:
        for _line, cells in _rows(entry, name, columns):
            if cells[at] == actor.username:
                return
    raise _refuse(
        f"The workspace has no one named “{actor.username}”: you would be locked out of it. Import it as one of "
        "its people, or on the server with manage.py import_workspace."
    )


def workspace_import(*, source: Path | IO[bytes], actor: User | None = None) -> ImportSummary:
    """Load a workspace export into this empty Tandem, keeping every record's id.

    `actor` is the admin who imports it on the page: their own user does not count as a record, and
    the imported user with their username keeps their password. Refused with a ValidationError on
    `file` and nothing written: a zip that is not a workspace export of this version, a part that
    is too large, a file, column, row or cell that is missing or does not read back, a workspace
    that already holds records. The imported people have a password nobody knows: each sets theirs
    through "Forgot your password?" (or an operator with `manage.py changepassword`). Once it
    commits, the worker rebuilds the triage suggestions' index.
    """
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as error:
        raise _refuse("This is not a readable zip file.") from error
    summary = ImportSummary()
    with archive:
        _check_archive(archive)
        manifest = _manifest(archive)
        _check_empty(actor)
        _keep_the_importer(actor, archive)
        importer_password = actor.password if actor is not None else None
        loading = ""
        try:
            with transaction.atomic():
                _replace_fresh_install(actor)
                month_figures.pause_on_postgresql(paused=True)
                funnel_figures.pause_on_postgresql(paused=True)
                for entry in manifest["files"]:
                    loading = entry["file"]
                    summary.rows[entry["model"]] = _load(archive, entry["model"], entry["rows"])
                with connection.cursor() as cursor:
                    loading = "the references between files"
                    connection.check_constraints()
                    loading = "the ids"
                    models_loaded = [apps.get_model(label) for label in WORKSPACE_MODELS]
                    for statement in connection.ops.sequence_reset_sql(no_style(), models_loaded):
                        cursor.execute(statement)
                month_figures.pause_on_postgresql(paused=False)
                month_figures.rebuild()
                funnel_figures.pause_on_postgresql(paused=False)
                funnel_figures.rebuild()
                feature_evidence_refresh(feature_ids=Feature.objects.values_list("pk", flat=True))
                if actor is not None and importer_password:
                    User._base_manager.filter(username=actor.username).update(password=importer_password)
                # The export leaves the suggestion vectors out: the worker computes them, as the seed
                # does at its end, so the triage inbox suggests for the imported asks.
                transaction.on_commit(triage_index_rebuild_task.enqueue)
        except DatabaseError as error:
            raise _refuse(f"The database refused {loading}: {str(error).strip().splitlines()[0]}") from error
    # Who moved which workspace in stays in the log: the audit trail itself was just replaced.
    logger.info(
        "workspace imported: %s records, exported at %s by %s",
        summary.records,
        manifest.get("exported_at"),
        manifest.get("exported_by"),
    )
    return summary
