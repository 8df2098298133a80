"""Exports of the lists (`?export=csv|xlsx` on each list page): as filtered, as each role sees them,
with cells a spreadsheet would run neutralised, and in a number of queries that does not grow with
the rows."""

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tandem.asks.selectors import ask_inbox, ask_visible
from tandem.asks.tests.factories import AskFactory
from tandem.core.roles import Role
from tandem.decisions.selectors import escalation_visible
from tandem.decisions.tests.factories import EscalationFactory
from tandem.leads.selectors import lead_visible
from tandem.leads.tests.factories import LeadFactory
from tandem.people.tests.factories import RepFactory
from tandem.product.selectors import feature_with_evidence, product_visible
from tandem.product.tests.factories import FeatureFactory, ProductFactory
from tandem.sales.selectors import account_visible, opportunity_visible, quota_visible
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory, QuotaFactory
from tandem.tests.world import World, build_world


@pytest.fixture
def world(rep, outsider_rep, product_manager, other_rep) -> World:
    built = build_world(rep=rep, outsider_rep=outsider_rep, product_manager=product_manager, teammate=other_rep)
    LeadFactory(owner=rep, company="Initech")
    LeadFactory(owner=outsider_rep, company="Hooli")
    EscalationFactory(ask=built.ask)
    EscalationFactory(ask=built.other_ask)
    return built


# (list URL name, query giving every row, id column, what the user sees of that list)
LISTS: list[tuple[str, dict[str, str], str, Callable[..., Any]]] = [
    ("sales:opportunity_list", {"status": ""}, "Deal id", opportunity_visible),
    ("sales:account_list", {}, "Account id", account_visible),
    ("sales:quota_list", {}, "Quota id", quota_visible),
    ("leads:lead_list", {}, "Lead id", lead_visible),
    ("asks:ask_list", {}, "Ask id", ask_visible),
    ("asks:inbox", {}, "Ask id", ask_inbox),
    ("product:feature_list", {"status": ""}, "Feature id", feature_with_evidence),
    ("product:product_list", {}, "Product id", product_visible),
    ("decisions:escalation_list", {"status": "all"}, "Escalation id", escalation_visible),
]


def read_csv(response: Any) -> list[dict[str, str]]:
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def read_xlsx(response: Any) -> list[list[Any]]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("name", "query", "id_column", "visible"), LISTS, ids=[entry[0] for entry in LISTS])
def test_an_export_holds_exactly_the_rows_the_page_shows(
    client, world, user_with_role, role, name, query, id_column, visible
):
    user = user_with_role(role)
    client.force_login(user)
    url = reverse(name)
    page = client.get(url, query)
    export = client.get(url, {**query, "export": "csv"})
    if page.status_code != 200:
        assert export.status_code == page.status_code  # a list the role may not open, it may not export
        return
    assert export.status_code == 200
    exported = {int(row[id_column]) for row in read_csv(export)}
    assert exported == {row.pk for row in page.context["page"].rows}  # the world fits on one page
    assert exported == set(visible(user=user).values_list("pk", flat=True))


def test_a_reps_export_holds_neither_another_teams_deal_nor_a_colleagues_deal_name(client, world, rep):
    client.force_login(rep)
    deals = read_csv(client.get(reverse("sales:opportunity_list"), {"status": "", "export": "csv"}))
    assert {row["Deal"] for row in deals} == {"Acme expansion", "Umbrella pilot"}
    asks = {row["Need"]: row for row in read_csv(client.get(reverse("asks:ask_list"), {"export": "csv"}))}
    colleague = asks["Keep every record in the EU"]
    assert colleague["Deal"] == "A colleague's deal"
    assert colleague["Deal id"] == ""
    assert colleague["Value (home currency)"] == ""
    assert "Export the pipeline to Excel" not in asks


def test_an_export_is_filtered_and_sorted_as_the_page(client, sales_manager, rep, other_rep):
    account = AccountFactory(owner=rep, name="Acme")
    OpportunityFactory(account=account, owner=rep, name="Small", amount=1000)
    OpportunityFactory(account=account, owner=rep, name="Large", amount=9000)
    OpportunityFactory(account=AccountFactory(owner=other_rep), owner=other_rep, name="Hers", amount=5000)
    client.force_login(sales_manager)
    query = {"status": "", "owner": rep.pk, "sort": "-amount", "page": "2", "export": "csv"}
    rows = read_csv(client.get(reverse("sales:opportunity_list"), query))
    assert [row["Deal"] for row in rows] == ["Large", "Small"]  # every row, not page 2
    assert rows[0]["Amount"] == "9000.00"


def test_cells_a_spreadsheet_would_run_are_neutralised_in_csv_and_xlsx(client, rep):
    AccountFactory(owner=rep, name='=HYPERLINK("http://evil.example","Click")', industry="+1 555", region="@SUM(A1)")
    client.force_login(rep)
    url = reverse("sales:account_list")
    [row] = read_csv(client.get(url, {"export": "csv"}))
    assert row["Account"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert row["Industry"] == "'+1 555"
    assert row["Region"] == "'@SUM(A1)"
    header, values = read_xlsx(client.get(url, {"export": "xlsx"}))
    cells = dict(zip(header, values, strict=True))
    assert cells["Account"].startswith("'=")  # text, not a formula
    assert cells["Region"] == "'@SUM(A1)"
    assert cells["Annual revenue (home currency)"] == 0  # numbers stay numbers


def test_the_xlsx_holds_the_same_rows_as_the_csv(client, world, sales_manager):
    client.force_login(sales_manager)
    url = reverse("sales:opportunity_list")
    as_csv = read_csv(client.get(url, {"status": "", "export": "csv"}))
    header, *rows = read_xlsx(client.get(url, {"status": "", "export": "xlsx"}))
    assert header == list(as_csv[0].keys())
    assert [row[0] for row in rows] == [int(row["Deal id"]) for row in as_csv]
    disposition = client.get(url, {"export": "xlsx"})["Content-Disposition"]
    assert 'filename="tandem-deals-' in disposition
    assert disposition.endswith('.xlsx"')


def _export_queries(client: Any, url: str, query: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {**query, "export": "csv"})
        rows = read_csv(response)
    assert rows
    return len(queries)


@pytest.mark.parametrize(("name", "query", "id_column", "visible"), LISTS, ids=[entry[0] for entry in LISTS])
def test_an_export_reads_as_many_times_for_ten_rows_as_for_one(
    client, admin_user, rep, world, name, query, id_column, visible
):
    client.force_login(admin_user)
    url = reverse(name)
    first = _export_queries(client, url, query)
    # Ten more rows of every kind, each with its own account, owner, deal and feature.
    for index in range(10):
        account = AccountFactory(owner=rep, name=f"Account {index}")
        deal = OpportunityFactory(account=account, owner=rep, stage=world.stage)
        LeadFactory(owner=rep)
        feature = FeatureFactory(product=ProductFactory(name=f"Product {index}"), title=f"Feature {index}")
        EscalationFactory(ask=AskFactory(opportunity=deal, feature=feature, need=f"Need {index}"))
        QuotaFactory(user=RepFactory())
    assert _export_queries(client, url, query) <= first
