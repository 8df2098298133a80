"""The imports pages as a sales manager uses them: upload, mapping, progress, counts, refused rows."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tandem.imports.models import ImportJob, Kind
from tandem.imports.tests.conftest import FILES
from tandem.imports.tests.factories import ImportJobFactory
from tandem.sales.models import Opportunity
from tandem.sales.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _upload(client, name, kind=Kind.OPPORTUNITY, content=None):
    data = content if content is not None else (FILES / name).read_bytes()
    return client.post(reverse("imports:import_upload"), {"kind": kind, "file": SimpleUploadedFile(name, data)})


def _mapping_post(job: ImportJob, **changes):
    data = {
        "version": job.version,
        "encoding": job.encoding,
        "delimiter": job.delimiter,
        "decimal_separator": job.decimal_separator,
        "date_format": job.date_format,
    }
    data.update({f"map_{field}": column for field, column in job.mapping.items()})
    data.update(changes)
    return data


def test_the_mapping_screen_shows_the_guesses_and_a_preview(client, sales_manager, rep, stages):
    client.force_login(sales_manager)
    response = _upload(client, "pipedrive_deals.csv")
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:import_detail", args=[job.pk])
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-preview"' in html
    assert "Umbrella – Labs" in html  # noqa: RUF001 (the export's own dash)
    assert "1.234,56" in html
    assert '<option value="," selected>Comma: 1.234,56</option>' in html
    assert '<option value="%d.%m.%Y" selected>31.12.2026</option>' in html
    assert '<option value="Deal - Stage" selected>Deal - Stage</option>' in html
    assert f'<option value="{stages["Proposal"].pk}"' in html  # the file's stages are offered for mapping


def test_a_manager_imports_fixes_nothing_and_imports_the_good_rows(
    client, sales_manager, rep, stages, django_capture_on_commit_callbacks
):
    AccountFactory(external_id="0015g00000AbCdEAAZ", owner=rep)
    client.force_login(sales_manager)
    _upload(client, "broken_deals.csv")
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:import_configure", args=[job.pk]), _mapping_post(job))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    assert Opportunity.objects.count() == 0
    html = client.get(reverse("imports:import_detail", args=[job.pk])).content.decode()
    assert "8 of 11 rows are refused" in html
    assert "“lots” is not a number." in html
    assert 'data-testid="import-good-rows"' in html

    report = client.get(reverse("imports:import_rejected_csv", args=[job.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))
    assert rows[0][-3:] == ["Tandem line", "Tandem column", "Tandem reason"]
    assert rows[1] == [
        "B2",
        "0015g00000AbCdEAAZ",
        "Bad amount",
        "Prospecting",
        "lots",
        "2026-12-01",
        "10",
        "3",
        "Amount",
        "“lots” is not a number.",
    ]
    assert rows[5][4] == "'-5"  # a cell a spreadsheet would run as a formula is neutralised
    assert len(rows) == 9

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:import_good_rows", args=[job.pk]), {"version": job.version})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert (job.created, job.updated, job.skipped, job.failed, job.rows_total) == (2, 0, 1, 8, 11)
    assert set(Opportunity.objects.values_list("owner", flat=True)) == {sales_manager.pk}


def test_the_progress_bar_polls_while_the_import_runs_and_reloads_when_it_ends(client, sales_manager):
    job = ImportJobFactory(
        created_by=sales_manager, status=ImportJob.Status.CHECKING, bytes_read=20, file_size=80, rows_total=1000
    )
    client.force_login(sales_manager)
    html = client.get(reverse("imports:import_detail", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert "25%" in html
    assert "1,000 rows read" in html
    partial = client.get(reverse("imports:import_detail", args=[job.pk]), headers={"HX-Request": "true"})
    assert 'aria-valuenow="25"' in partial.content.decode()
    assert "<html" not in partial.content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE)
    finished = client.get(reverse("imports:import_detail", args=[job.pk]), headers={"HX-Request": "true"})
    assert finished["HX-Refresh"] == "true"


def test_an_unsafe_file_is_refused_under_the_file_field(client, sales_manager, settings):
    settings.IMPORT_MAX_BYTES = 10
    client.force_login(sales_manager)
    response = _upload(client, "accounts.csv", Kind.ACCOUNT, b"Name\nA very long file\n")
    assert response.status_code == 200
    assert "Tandem imports files up to 0 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_stale_mapping_form_says_so(client, sales_manager):
    job = ImportJobFactory(created_by=sales_manager, version=3)
    client.force_login(sales_manager)
    response = client.post(reverse("imports:import_configure", args=[job.pk]), _mapping_post(job, version=2))
    assert response.status_code == 409
    assert "Reload the page" in response.content.decode()


def test_the_list_reads_the_same_queries_for_1_and_10_imports(client, sales_manager, django_assert_max_num_queries):
    client.force_login(sales_manager)
    ImportJobFactory(created_by=sales_manager)
    client.get(reverse("imports:import_list"))
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("imports:import_list"))
    ImportJobFactory.create_batch(9, created_by=sales_manager)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("imports:import_list"))
    assert response.content.decode().count("accounts.csv") >= 10


def test_the_list_says_what_to_do_when_empty(client, sales_manager):
    client.force_login(sales_manager)
    html = client.get(reverse("imports:import_list")).content.decode()
    assert 'data-testid="empty-state"' in html
    assert "Export your accounts as CSV or XLSX" in html
    assert "Bring accounts, contacts, deals, leads and quotas from" in html


def test_the_page_says_how_an_import_goes_without_sending_anyone_elsewhere(client, sales_manager, settings):
    settings.IMPORT_MAX_BYTES = 50 * 2**20
    client.force_login(sales_manager)
    html = client.get(reverse("imports:import_list")).content.decode()
    assert "Every row is checked before anything is written" in html
    assert "Files up to 50 MB" in html
    assert "github.com" not in html  # Tandem serves no documentation pages to link to


def test_a_product_manager_is_offered_only_the_product_records(client, product_manager):
    client.force_login(product_manager)
    html = client.get(reverse("imports:import_list")).content.decode()
    assert "Bring products, features and customer asks from" in html
    assert "Export your products as CSV or XLSX" in html


def test_the_user_menu_links_the_imports_for_those_who_may_import(client, sales_manager, rep):
    client.force_login(sales_manager)
    assert 'data-testid="nav-imports"' in client.get(reverse("imports:import_list")).content.decode()
    client.force_login(rep)
    assert 'data-testid="nav-imports"' not in client.get(reverse("dashboards:home")).content.decode()


KINDS_BY_ROLE = {
    "sales_manager": {"account", "contact", "opportunity", "lead", "quota"},
    "product_manager": {"product", "feature", "ask"},
    "executive": {"quota"},
    "admin_user": set(Kind.values),
}


@pytest.mark.parametrize("role", list(KINDS_BY_ROLE))
def test_the_upload_form_offers_only_the_kinds_the_user_may_import(client, request, role):
    client.force_login(request.getfixturevalue(role))
    html = client.get(reverse("imports:import_list")).content.decode()
    offered = {kind for kind in Kind.values if f'<option value="{kind}"' in html}
    assert offered == KINDS_BY_ROLE[role]
    for kind in set(Kind.values) - offered:
        response = _upload(client, "salesforce_users.csv", kind=kind)
        assert response.status_code == 200
        assert not ImportJob.objects.exists()


def test_the_mapping_screen_maps_the_files_roles(client, admin_user):
    client.force_login(admin_user)
    response = _upload(client, "salesforce_users.csv", kind=Kind.USER)
    job = ImportJob.objects.get()
    html = client.get(response["Location"]).content.decode()
    assert "Roles" in html
    assert "Account Executive" in html
    data = _mapping_post(job, role_0="sales_manager", role_1="", role_2="")
    client.post(reverse("imports:import_configure", args=[job.pk]), data)
    job.refresh_from_db()
    assert job.value_map["role"] == {"Account Executive": "sales_manager"}
