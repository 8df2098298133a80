"""Exports of the lists: what a list page shows, filtered and sorted as on the page, as CSV or XLSX.

A list exports from its own view (`?export=csv` or `?export=xlsx` beside the page's filters), so an
export starts from the same visibility selector, permission check and FilterSet as the page and can
hold no row the page would not show. Every row of the filtered list is written, not just one page,
read in chunks and written as it is read: a CSV is streamed to the browser, an XLSX is written row by
row (openpyxl's write-only workbook) to a temporary file that is then streamed.
"""

import csv
import datetime
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tandem.core.listing import Column, sort_ordering

FORMATS = ("csv", "xlsx")
CHUNK = 2000
# A text cell that starts like a formula is run by spreadsheets (CSV injection): such cells get a
# leading apostrophe, which spreadsheets show as text. Numbers and dates are written as such.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ExportField:
    """A column of an export: its header and how to read its value from a row."""

    header: str
    value: Callable[[Any], Any]


def person(user: Any) -> str:
    """A person as a list shows them: their full name, else their username."""
    return "" if user is None else user.get_full_name() or user.username


def wants_export(request: HttpRequest) -> str | None:
    """The export format asked for (`?export=csv` or `?export=xlsx`), or None for the page."""
    chosen = request.GET.get("export")
    return chosen if chosen in FORMATS else None


def neutralised(text: str) -> str:
    """Text as a spreadsheet shows it without running it as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def cell_value(value: Any) -> Any:
    """A value as an export writes it: numbers and dates as such (datetimes in the reader's time zone),
    yes / no, empty for nothing, everything else as neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        return moment.replace(tzinfo=None, microsecond=0)
    if isinstance(value, datetime.date):
        return value
    return neutralised(str(value))


def _chunks(records: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(records, size)):
        yield chunk


def export_rows(
    records: QuerySet[Any] | Iterable[Any],
    fields: Sequence[ExportField],
    *,
    prepare: Callable[[list[Any]], Iterable[Any]] | None = None,
    chunk_size: int = CHUNK,
) -> Iterator[list[Any]]:
    """The header, then one row per record. `prepare` turns each chunk of records into the rows the
    fields read, for lists whose rows need figures read for many records at once (never per row)."""
    yield [field.header for field in fields]
    source = records.iterator(chunk_size=chunk_size) if isinstance(records, QuerySet) else iter(records)
    for chunk in _chunks(source, chunk_size):
        for row in prepare(chunk) if prepare else chunk:
            yield [cell_value(field.value(row)) for field in fields]


def _csv_text(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


class _Echo:
    """A file that hands back what is written to it: csv.writer's rows go straight to the response."""

    def write(self, value: str) -> str:
        return value


def csv_response(rows: Iterable[list[Any]], *, filename: str) -> StreamingHttpResponse:
    """Rows as a streamed CSV download (UTF-8 with a BOM, which spreadsheets need to read accents)."""
    writer = csv.writer(_Echo())
    zone = timezone.get_current_timezone()

    def lines() -> Iterator[str]:
        # Streamed after the middleware has put the time zone back: values keep the reader's.
        with timezone.override(zone):
            yield "\ufeff"
            for row in rows:
                yield writer.writerow([_csv_text(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(rows: Iterable[list[Any]], *, filename: str, sheet: str) -> FileResponse:
    """Rows as an XLSX download, written row by row to a temporary file, then streamed from it."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:31])
    for row in rows:
        worksheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value for value in row])
    file = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    workbook.save(file)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_TYPE)


def export_list(
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    name: str,
    fields: Sequence[ExportField],
    columns: Sequence[Column] = (),
    default_sort: str = "",
    prepare: Callable[[list[Any]], Iterable[Any]] | None = None,
    chunk_size: int = CHUNK,
) -> StreamingHttpResponse | FileResponse:
    """The filtered list (every row, in the page's sort) as the format asked for.

    `queryset` is the list's filtered queryset, exactly as the page reads it; `name` names the file
    (`tandem-deals-2026-12-07.csv`) and the sheet. `prepare` reads a chunk's figures at once
    (`chunk_size` records, fewer where its query grows with the chunk).
    """
    if columns:
        _, ordering = sort_ordering(request.GET.get("sort", default_sort), columns, default_sort)
        queryset = queryset.order_by(*ordering)
    rows = export_rows(queryset, fields, prepare=prepare, chunk_size=chunk_size)
    filename = f"tandem-{name}-{timezone.localdate().isoformat()}"
    if wants_export(request) == "xlsx":
        return xlsx_response(rows, filename=filename, sheet=name)
    return csv_response(rows, filename=filename)
