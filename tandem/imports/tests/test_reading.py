"""Reading files as the CRMs and spreadsheets write them, and refusing the unsafe ones."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from tandem.imports import reading
from tandem.imports.models import ImportJob, Kind
from tandem.imports.tests.conftest import import_file, run, upload
from tandem.sales.models import Account

DEALS_CSV = "Id,Name,AnnualRevenue\nA1,Ærøskøbing Café,1000\nA2,Zürich “Quotes”,2000\n"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("cp1252", "cp1252")],
)
def test_each_encoding_is_guessed_and_read(admin_user, encoding, expected):
    job = import_file(admin_user, Kind.ACCOUNT, "accounts.csv", DEALS_CSV.encode(encoding))
    assert job.encoding == expected
    assert job.status == ImportJob.Status.DONE
    assert set(Account.objects.values_list("name", flat=True)) == {"Ærøskøbing Café", "Zürich “Quotes”"}


@pytest.mark.django_db
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter_is_guessed(admin_user, delimiter):
    content = DEALS_CSV.replace(",", delimiter).encode()
    job = upload(admin_user, Kind.ACCOUNT, "accounts.csv", content)
    assert job.delimiter == delimiter
    assert job.header == ["Id", "Name", "AnnualRevenue"]


@pytest.mark.django_db
def test_a_wrong_encoding_choice_is_refused_under_its_field(admin_user):
    job = upload(admin_user, Kind.ACCOUNT, "accounts.csv", DEALS_CSV.encode("cp1252"))
    with pytest.raises(ValidationError) as refused:
        run(admin_user, job, encoding="utf-8")
    assert refused.value.message_dict == {"encoding": ["The file cannot be read as UTF-8: choose another encoding."]}
    assert Account.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_byte_past_the_preview_fails_the_import_and_writes_nothing(admin_user):
    content = (DEALS_CSV + "".join(f"B{i},Fine {i},1\n" for i in range(5000))).encode() + b"C1,Caf\xe9,1\n"
    job = import_file(admin_user, Kind.ACCOUNT, "accounts.csv", content)
    assert job.status == ImportJob.Status.FAILED
    # Decoding reads ahead: the error names the last line read before the bad byte.
    assert job.error.startswith("The file is not UTF-8 somewhere after line ")
    assert job.error.endswith("choose another encoding.")
    assert Account.objects.count() == 0


def _xlsx(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_an_xlsx_export_is_read_with_its_typed_cells(admin_user, rep, stages):
    from tandem.sales.models import Opportunity
    from tandem.sales.tests.factories import AccountFactory

    AccountFactory(external_id="ACC-9", owner=rep)
    content = _xlsx(
        [
            ["Opportunity ID", "Account ID", "Opportunity Name", "Stage", "Amount", "Close Date"],
            # Excel cells carry no time zone.
            ["X1", "ACC-9", "From a spreadsheet", "Proposal", 1234.5, datetime.datetime(2026, 12, 24)],  # noqa: DTZ001
        ]
    )
    job = import_file(admin_user, Kind.OPPORTUNITY, "deals.xlsx", content)
    assert job.file_format == "xlsx"
    assert job.status == ImportJob.Status.DONE, job.error
    deal = Opportunity.objects.get(external_id="X1")
    assert (deal.amount, deal.close_date) == (Decimal("1234.50"), datetime.date(2026, 12, 24))


def _xlsx_with(part: str, content: bytes, *, compress: bool = True) -> bytes:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_xlsx([["Name"], ["A"]]))) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename != part:
                target.writestr(item, source.read(item.filename))
        target.writestr(part, content, compress_type=zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED)
    return buffer.getvalue()


@pytest.mark.django_db
def test_a_zip_bomb_is_refused(admin_user):
    bomb = _xlsx_with("xl/worksheets/sheet1.xml", b"<" + b"0" * 20_000_000)
    with pytest.raises(ValidationError) as refused:
        upload(admin_user, Kind.ACCOUNT, "bomb.xlsx", bomb)
    assert "looks like a zip bomb and is refused" in refused.value.message_dict["file"][0]
    assert len(bomb) < 100_000


@pytest.mark.django_db
def test_an_xml_external_entity_is_refused(admin_user, import_dir):
    sheet = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&secret;</t></is></c></row></sheetData></worksheet>'
    )
    with pytest.raises(ValidationError) as refused:
        upload(admin_user, Kind.ACCOUNT, "xxe.xlsx", _xlsx_with("xl/worksheets/sheet1.xml", sheet))
    assert "declares XML entities" in refused.value.message_dict["file"][0]
    assert not list(import_dir.iterdir())  # the refused file is not kept


@pytest.mark.django_db
def test_an_oversized_file_is_refused(admin_user, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError) as refused:
        upload(admin_user, Kind.ACCOUNT, "big.csv", b"Name\n" + b"x\n" * 600_000)
    assert refused.value.message_dict["file"] == [
        "The file is 1 MB; Tandem imports files up to 1 MB. Split it and import the parts."
    ]


@pytest.mark.django_db
def test_a_binary_file_is_refused(admin_user):
    with pytest.raises(ValidationError) as refused:
        upload(admin_user, Kind.ACCOUNT, "photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    assert refused.value.message_dict["file"] == ["This is not a CSV or XLSX file."]


@given(
    st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False),
    st.sampled_from([".", ","]),
    st.sampled_from(["", "$", "€", "EUR "]),
)
def test_a_number_reads_back_whatever_its_separators_and_symbol(number, separator, symbol):
    thousands = "," if separator == "." else "."
    whole, _, cents = f"{abs(number):,.2f}".partition(".")
    text = ("-" if number < 0 else "") + symbol + whole.replace(",", thousands) + separator + cents
    value, currency = reading.parse_decimal(text, decimal_separator=separator)
    assert value == number
    assert currency == {"": "", "$": "USD", "€": "EUR", "EUR ": "EUR"}[symbol]


@given(
    st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2100, 12, 31)),
    st.sampled_from(reading.DATE_FORMATS),
)
def test_a_date_reads_back_in_its_format(day, date_format):
    assert reading.parse_date(day.strftime(date_format), date_format=date_format) == day


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13-01", "2026-1-5x"])
def test_a_day_that_does_not_exist_is_refused_in_the_files_format(text):
    with pytest.raises(ValueError, match=f"“{text}” is not a date like 2026-12-31."):
        reading.parse_date(text, date_format="%Y-%m-%d")


def test_the_date_format_is_guessed_from_a_day_above_twelve():
    assert reading.guess_date_format(["01/02/2026", "25/12/2026"]) == "%d/%m/%Y"
    assert reading.guess_date_format(["01/02/2026", "12/25/2026"]) == "%m/%d/%Y"
    assert reading.guess_date_format(["31.12.2026"]) == "%d.%m.%Y"


def test_the_decimal_separator_is_guessed():
    assert reading.guess_decimal_separator(["1.234,56", "12,5"]) == ","
    assert reading.guess_decimal_separator(["1,234.56", "12.5"]) == "."
    assert reading.guess_decimal_separator(["1,234"]) == "."
