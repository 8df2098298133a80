"""A list's Export menu in Chromium: it downloads the rows as filtered at the click, though htmx
changed the filters without reloading the page."""

import csv
import io

import pytest
from playwright.sync_api import expect

from tandem.sales.tests.factories import AccountFactory, OpportunityFactory


@pytest.mark.browser
def test_the_export_follows_the_filters_changed_in_place(live_server, signed_in, rep):
    account = AccountFactory(owner=rep, name="Northwind")
    OpportunityFactory(account=account, owner=rep, name="Northwind renewal")
    OpportunityFactory(account=account, owner=rep, name="Northwind expansion")
    OpportunityFactory(account=AccountFactory(owner=rep, name="Initech"), owner=rep, name="Initech pilot")
    page = signed_in(rep)
    page.goto("/pipeline/opportunities/")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Search").fill("renewal")
    expect(page.locator("#list tbody tr")).to_have_count(1)

    page.get_by_test_id("export-menu").get_by_role("button", name="Export").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()

    path = download.value.path()
    rows = list(csv.DictReader(io.StringIO(open(path, encoding="utf-8-sig").read())))  # noqa: SIM115
    assert [row["Deal"] for row in rows] == ["Northwind renewal"]
    assert download.value.suggested_filename.startswith("tandem-deals-")
    assert page.evaluate("window.notReloaded") is True
