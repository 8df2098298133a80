"""Reading an export file: its encoding, delimiter, number and date formats guessed from a sample,
its rows streamed one at a time (CSV through the csv module, XLSX through openpyxl read-only), and
a spreadsheet refused before it is opened when it could be a zip bomb or carries XML entities.
"""

import codecs
import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, BinaryIO

from charset_normalizer import from_bytes
from django.conf import settings
from django.core.exceptions import ValidationError

from tandem.core import formats

SAMPLE_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%Y", "%m-%d-%Y")
DATE_FORMAT_LABELS = {
    "%Y-%m-%d": "2026-12-31",
    "%m/%d/%Y": "12/31/2026",
    "%d/%m/%Y": "31/12/2026",
    "%d.%m.%Y": "31.12.2026",
    "%Y/%m/%d": "2026/12/31",
    "%d-%m-%Y": "31-12-2026",
    "%m-%d-%Y": "12-31-2026",
}
ENCODINGS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "utf-16": "UTF-16", "cp1252": "Windows-1252"}
CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "CHF": "CHF"}
# An XLSX is a zip of XML parts: refuse one that expands past this or past this ratio per part.
XLSX_MAX_EXPANDED = 1024 * 1024 * 1024
XLSX_MAX_RATIO = 200


@dataclass(frozen=True)
class Row:
    line: int  # the line (CSV) or sheet row (XLSX) where the record starts
    cells: list[Any]


def max_upload_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 300 * 1024 * 1024))


def check_size(size: int) -> None:
    limit = max_upload_bytes()
    if size > limit:
        raise ValidationError(
            {
                "file": f"The file is {formats.number(size // (1024 * 1024))} MB; Tandem imports files up to "
                f"{formats.number(limit // (1024 * 1024))} MB. Split it and import the parts."
            }
        )


def is_xlsx(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


def check_xlsx(path: Path) -> None:
    """Refuse a spreadsheet that is not a real XLSX, expands like a zip bomb or declares XML entities
    (an external entity would read the server's files; nested ones expand without end)."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise ValidationError({"file": "This is not a readable XLSX file (the archive is damaged)."}) from error
    with archive:
        members = archive.infolist()
        if not any(member.filename == "xl/workbook.xml" for member in members):
            raise ValidationError({"file": "This is not an XLSX workbook: it has no xl/workbook.xml."})
        expanded = sum(member.file_size for member in members)
        if expanded > XLSX_MAX_EXPANDED:
            raise ValidationError(
                {"file": "This spreadsheet expands to more than 1 GB: it looks like a zip bomb and is refused."}
            )
        for member in members:
            if member.file_size > 1024 * 1024 and member.file_size > XLSX_MAX_RATIO * max(member.compress_size, 1):
                raise ValidationError(
                    {
                        "file": f"A part of this spreadsheet ({member.filename}) is compressed "
                        f"{formats.number(member.file_size // max(member.compress_size, 1))} times: "
                        "it looks like a zip bomb and is refused."
                    }
                )
            if member.filename.endswith((".xml", ".rels")):
                with archive.open(member) as part:
                    head = part.read(4096)
                if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                    raise ValidationError(
                        {
                            "file": f"A part of this spreadsheet ({member.filename}) declares XML entities, which can "
                            "read files on the server: it is refused. Save it again from Excel or as CSV."
                        }
                    )


def guess_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # The sample may end inside a character: an incremental decoder leaves that part out.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(sample).best()
    name = (best.encoding if best else "cp1252").lower().replace("_", "-")
    if name in ("utf-16-le", "utf-16-be", "utf-16"):
        return "utf-16"
    # Every single-byte Western encoding reads the same letters as Windows-1252 in practice.
    return "cp1252" if name not in ENCODINGS else name


def _sample_text(path: Path, encoding: str) -> str:
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample, final=False)


def guess_delimiter(text: str) -> str:
    first = text.splitlines()[0] if text else ""
    try:
        return csv.Sniffer().sniff(text[:16384], delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {delimiter: first.count(delimiter) for delimiter in DELIMITERS}
        return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _open_text(path: Path, encoding: str) -> tuple[BinaryIO, io.TextIOWrapper]:
    raw = path.open("rb")
    return raw, io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")


def csv_rows(path: Path, *, encoding: str, delimiter: str, progress: list[int] | None = None) -> Iterator[Row]:
    """Every record of a CSV after its header, with the line it starts on; quoted newlines stay in
    their cell. `progress[0]` follows the bytes read, for the progress bar."""
    raw, text = _open_text(path, encoding)
    with raw, text:
        reader = csv.reader(text, delimiter=delimiter)
        try:
            next(reader, None)
            line = reader.line_num + 1
            for cells in reader:
                if progress is not None:
                    progress[0] = raw.tell()
                yield Row(line=line, cells=cells)
                line = reader.line_num + 1
        except UnicodeDecodeError as error:
            raise ValidationError(
                {
                    "encoding": f"The file is not {ENCODINGS.get(encoding, encoding)} somewhere after line {line}: "
                    "choose another encoding."
                }
            ) from error
        except csv.Error as error:
            raise ValidationError({"file": f"Line {line} cannot be read as CSV: {error}."}) from error


def csv_header(path: Path, *, encoding: str, delimiter: str) -> tuple[list[str], list[Row]]:
    """The header and the first rows, for the mapping screen's preview."""
    raw, text = _open_text(path, encoding)
    with raw, text:
        reader = csv.reader(text, delimiter=delimiter)
        try:
            header = [cell.strip() for cell in next(reader, [])]
            preview: list[Row] = []
            line = reader.line_num + 1
            for cells in reader:
                preview.append(Row(line=line, cells=cells))
                line = reader.line_num + 1
                if len(preview) == 200:
                    break
        except (UnicodeDecodeError, csv.Error) as error:
            raise ValidationError(
                {
                    "encoding": f"The file cannot be read as {ENCODINGS.get(encoding, encoding)}: "
                    "choose another encoding."
                }
            ) from error
    return header, preview


def xlsx_rows(path: Path, *, progress: list[int] | None = None, size: int = 0) -> Iterator[Row]:
    """The first sheet's rows after its header, read-only (openpyxl streams the sheet's XML)."""
    from openpyxl import load_workbook

    check_xlsx(path)
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        total = sheet.max_row or 0
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number == 1:
                continue
            if progress is not None and total:
                progress[0] = int(size * number / total)
            yield Row(line=number, cells=["" if cell is None else cell for cell in cells])
    finally:
        workbook.close()


def xlsx_header(path: Path) -> tuple[list[str], list[Row]]:
    from openpyxl import load_workbook

    check_xlsx(path)
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True, max_row=201)
        first = next(rows, ())
        header = ["" if cell is None else str(cell).strip() for cell in first]
        preview = [
            Row(line=number, cells=["" if cell is None else cell for cell in cells])
            for number, cells in enumerate(rows, start=2)
        ]
    finally:
        workbook.close()
    return header, preview


# Values


_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_NUMBER_NOISE = re.compile(r"[\s\u00a0\u202f']")
_CURRENCY_CODE = re.compile(r"^([A-Z]{3})\s*|\s*([A-Z]{3})$")


def parse_decimal(value: Any, *, decimal_separator: str) -> tuple[Decimal, str]:
    """A number as a CRM writes it: `1,234.56`, `1.234,56`, `$1,234`, `1 234,56 €`, `EUR 1234`.
    Returns the number and the currency its symbol or code named ('' when none)."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return Decimal(str(value)), ""
    text = str(value).strip()
    if decimal_separator == "." and _PLAIN_NUMBER.fullmatch(text):
        return Decimal(text), ""  # an API export's 48000.00: no sign, symbol or separator to work out
    negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
    text = text.removeprefix("-").strip("()").strip()
    currency = ""
    for symbol, code in CURRENCY_SYMBOLS.items():
        if symbol in text:
            currency = code
            text = text.replace(symbol, "")
    match = _CURRENCY_CODE.search(text.strip())
    if match:
        currency = match.group(1) or match.group(2)
        text = _CURRENCY_CODE.sub("", text.strip())
    text = _NUMBER_NOISE.sub("", text)
    if text.startswith("-"):  # the sign after the symbol: $-12.00
        negative, text = not negative, text[1:]
    thousands = "," if decimal_separator == "." else "."
    text = text.replace(thousands, "").replace(decimal_separator, ".")
    try:
        number = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(f"“{value}” is not a number.") from error
    if not number.is_finite():
        raise ValueError(f"“{value}” is not a number.")
    return (-number if negative else number), currency


def parse_date(value: Any, *, date_format: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    # HubSpot and Salesforce write timestamps (2026-12-31 00:00, 2026-12-31T00:00:00.000Z): the day is enough.
    if len(text) > 10 and text[4:5] == "-" and text[10:11] in (" ", "T"):
        text = text[:10]
    if date_format == "%Y-%m-%d" and len(text) == 10 and text[4] == text[7] == "-":
        # What the CRMs' API exports write, read ten times faster than by strptime (same days, same refusals).
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
    try:
        return datetime.datetime.strptime(text, date_format).date()  # noqa: DTZ007 (a calendar day)
    except ValueError:
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"“{value}” is not a date like {DATE_FORMAT_LABELS.get(date_format, date_format)}."
            ) from None


def guess_date_format(values: list[Any]) -> str | None:
    """The first format that reads every sample; a day above 12 settles day-first against month-first."""
    texts = [str(v).strip()[:10] for v in values if str(v).strip() and not isinstance(v, datetime.date)]
    if not texts:
        return None
    for date_format in DATE_FORMATS:
        try:
            for text in texts:
                datetime.datetime.strptime(text, date_format)  # noqa: DTZ007 (a calendar day)
        except ValueError:
            continue
        return date_format
    return None


def guess_decimal_separator(values: list[Any]) -> str:
    """`1.234,56` and `1234,5` say comma; `1,234.56` and `1234.5` say point; `1,234` alone says point."""
    comma = point = 0
    for value in values:
        text = _NUMBER_NOISE.sub("", str(value))
        last_comma, last_point = text.rfind(","), text.rfind(".")
        if (last_comma > last_point and len(text) - last_comma - 1 != 3) or (
            last_comma > last_point and last_point >= 0
        ):
            comma += 1
        elif last_point > last_comma and (len(text) - last_point - 1 != 3 or last_comma >= 0):
            point += 1
    return "," if comma > point else "."
