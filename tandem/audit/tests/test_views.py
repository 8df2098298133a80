"""The audit trail page, its export and a deal's history, as admins, executives and everyone else
see them."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import AuditEntry
from tandem.audit.tests.factories import AuditEntryFactory
from tandem.core.roles import Role
from tandem.people.tests.factories import TeamFactory
from tandem.product.tests.queries import assert_same_queries, queries_of
from tandem.sales.services import opportunity_move_stage, opportunity_update
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

pytestmark = pytest.mark.django_db
TRAIL = reverse("audit:entry_list")
EXPORT = reverse("audit:entry_export")
C = AuditEntry.Channel


@pytest.fixture
def deal(rep, stages):
    return OpportunityFactory(
        name="Acme expansion", owner=rep, account=AccountFactory(owner=rep, name="Acme"), stage=stages.discovery
    )


def _moved_and_repriced(rep, deal, stages):
    deal = opportunity_move_stage(actor=rep, opportunity=deal, expected_version=deal.version, stage=stages.proposal)
    return opportunity_update(
        actor=rep,
        opportunity=deal,
        expected_version=deal.version,
        data={"amount": Decimal("80000"), "close_date": datetime.date(2027, 3, 31)},
    )


@pytest.mark.parametrize("role", list(Role))
def test_only_admins_and_executives_open_the_trail_and_its_export(client, user_with_role, role, deal):
    AuditEntryFactory(record_id=deal.pk, record_label=deal.name)
    client.force_login(user_with_role(role))

    expected = 200 if role in (Role.ADMIN, Role.EXECUTIVE) else 403
    assert client.get(TRAIL).status_code == expected
    assert client.get(EXPORT).status_code == expected


def test_the_trail_reads_before_and_after_in_the_products_formats_with_a_link_to_the_deal(
    client, executive, rep, deal, stages
):
    _moved_and_repriced(rep, deal, stages)
    client.force_login(executive)

    body = client.get(TRAIL).content.decode()

    assert "Discovery" in body
    assert "Proposal" in body
    assert "50,000 USD" in body
    assert "80,000 USD" in body
    assert "31 Mar 2027" in body
    assert "60%" in body  # the stage's probability
    assert f'href="{reverse("sales:opportunity_detail", kwargs={"pk": deal.pk})}"' in body
    assert str(rep) in body


def test_a_deleted_record_keeps_its_name_without_a_link(client, admin_user, rep, deal):
    from tandem.sales.services import opportunity_delete

    pk = deal.pk
    opportunity_delete(actor=rep, opportunity=deal)
    client.force_login(admin_user)

    body = client.get(TRAIL).content.decode()

    assert "Acme expansion" in body
    assert reverse("sales:opportunity_detail", kwargs={"pk": pk}) not in body
    assert "Deleted" in body


def test_people_and_teams_link_to_the_admin_for_admins_only(client, admin_user, executive):
    team = TeamFactory(name="EMEA North")
    AuditEntryFactory(record_type="people.team", record_id=team.pk, record_label=team.name, changes={})
    link = reverse("admin:people_team_change", args=[team.pk])

    client.force_login(admin_user)
    assert link in client.get(TRAIL).content.decode()
    client.force_login(executive)
    body = client.get(TRAIL).content.decode()
    assert "EMEA North" in body
    assert link not in body


def test_the_trail_filters_by_who_record_type_action_and_days(client, executive, rep, sales_manager):
    now = timezone.now()
    AuditEntryFactory(actor=rep, record_label="Rep's deal", at=now)
    AuditEntryFactory(actor=sales_manager, record_label="Manager's deal", at=now)
    AuditEntryFactory(record_type="sales.quota", record_label="Quota FY2027", action="created", changes={})
    AuditEntryFactory(record_label="Last year's deal", at=now - datetime.timedelta(days=400))
    client.force_login(executive)

    def shown(**query):
        body = client.get(TRAIL, query).content.decode()
        labels = ["Rep's deal", "Manager's deal", "Quota FY2027", "Last year's deal"]
        return [label for label in labels if label.replace("'", "&#x27;") in body]

    assert shown(actor=rep.pk) == ["Rep's deal"]
    assert shown(record_type="sales.quota") == ["Quota FY2027"]
    assert shown(action="created") == ["Quota FY2027"]
    last_year = timezone.localdate() - datetime.timedelta(days=400)
    assert shown(date_from=last_year.isoformat(), date_to=last_year.isoformat()) == ["Last year's deal"]
    assert shown(date_from=(timezone.localdate() - datetime.timedelta(days=1)).isoformat()) == [
        "Rep's deal",
        "Manager's deal",
        "Quota FY2027",
    ]


def test_the_trail_sorts_newest_first_and_by_who_when_asked(client, executive, rep, sales_manager):
    now = timezone.now()
    AuditEntryFactory(actor=rep, actor_name="Zoe Rep", record_label="Older", at=now - datetime.timedelta(hours=1))
    AuditEntryFactory(actor=sales_manager, actor_name="Ann Manager", record_label="Newer", at=now)
    client.force_login(executive)

    newest_first = client.get(TRAIL).content.decode()
    by_who = client.get(TRAIL, {"sort": "-actor"}).content.decode()

    assert newest_first.index("Newer") < newest_first.index("Older")
    assert by_who.index("Zoe Rep") < by_who.index("Ann Manager")


def test_the_trail_pages_by_fifty(client, executive):
    AuditEntryFactory.create_batch(51)
    client.force_login(executive)

    first, second = client.get(TRAIL), client.get(TRAIL, {"page": 2})

    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 1
    assert 'rel="next"' in first.content.decode()


def test_an_empty_trail_says_so_and_a_filter_that_matches_nothing_offers_to_clear_it(client, executive):
    client.force_login(executive)

    assert "Nothing recorded yet" in client.get(TRAIL).content.decode()
    AuditEntryFactory()
    assert "No entries match these filters" in client.get(TRAIL, {"action": "deleted"}).content.decode()


def test_htmx_gets_the_table_alone(client, executive):
    AuditEntryFactory(record_label="Acme expansion")
    client.force_login(executive)

    body = client.get(TRAIL, headers={"HX-Request": "true"}).content.decode()

    assert "Acme expansion" in body
    assert "<html" not in body


def test_a_change_made_on_a_page_says_so_with_the_requests_id(client, rep, deal, stages, executive):
    client.force_login(rep)
    response = client.post(
        reverse("sales:opportunity_update", kwargs={"pk": deal.pk}),
        {
            "name": deal.name,
            "account": deal.account_id,
            "owner": rep.pk,
            "amount": "90000",
            "currency": "USD",
            "stage": stages.proposal.pk,
            "close_date": deal.close_date.isoformat(),
            "type": deal.type,
            "version": deal.version,
        },
    )
    assert response.status_code == 302, response.context["form"].errors

    entry = AuditEntry.objects.get()
    assert (entry.channel, entry.request_id) == (C.PAGE, response["X-Request-ID"])
    assert entry.changes["amount"][1] == {"amount": "90000", "currency": "USD"}


def test_the_list_makes_as_many_queries_for_ten_entries_as_for_one(client, admin_user, rep, stages):
    client.force_login(admin_user)
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep), stage=stages.discovery)
    team = TeamFactory()

    def add(count):
        for _ in range(count):
            AuditEntryFactory(actor=rep, record_id=deal.pk)
            AuditEntryFactory(record_type="people.team", record_id=team.pk, changes={"name": ["a", "b"]})
            AuditEntryFactory(record_type="sales.quota", record_id=10**6, changes={})  # a quota since deleted

    add(1)
    one = queries_of(lambda: client.get(TRAIL))
    add(9)
    ten = queries_of(lambda: client.get(TRAIL))
    assert_same_queries(one, ten)


# The export


def _csv(response) -> list[dict[str, str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # Excel needs the BOM to read accents
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_has_a_row_per_changed_field_filtered_as_the_page(client, admin_user, rep, deal, stages):
    _moved_and_repriced(rep, deal, stages)
    AuditEntryFactory(record_type="sales.quota", record_label="Quota FY2027", action="created", changes={})
    client.force_login(admin_user)

    rows = _csv(client.get(EXPORT, {"record_type": "sales.opportunity", "sort": "at"}))

    assert [(r["field"], r["before"], r["after"]) for r in rows] == [
        ("Stage", "Discovery", "Proposal"),
        ("Probability", "20%", "60%"),
        ("Forecast category", "Pipeline", "Best case"),
        ("Amount", "50,000 USD", "80,000 USD"),
        ("Close date", rows[4]["before"], "31 Mar 2027"),
    ]
    assert {r["who"] for r in rows} == {str(rep)}
    assert {r["record"] for r in rows} == {"Acme expansion"}
    assert rows[0]["time (UTC)"].endswith("+00:00")
    assert 'attachment; filename="tandem-audit-trail-' in client.get(EXPORT)["Content-Disposition"]


def test_the_export_neutralises_cells_a_spreadsheet_would_run(client, admin_user):
    AuditEntryFactory(record_label='=HYPERLINK("http://evil")', changes={"name": ["+1", "@SUM(A1)"]})
    client.force_login(admin_user)

    [row] = _csv(client.get(EXPORT))

    assert row["record"].startswith("'=")
    assert (row["before"], row["after"]) == ("'+1", "'@SUM(A1)")


# A deal's own history


def test_whoever_sees_a_deal_reads_its_history_on_its_page(client, rep, sales_manager, deal, stages, outsider_rep):
    _moved_and_repriced(rep, deal, stages)
    url = reverse("sales:opportunity_detail", kwargs={"pk": deal.pk})

    for reader in (rep, sales_manager):
        client.force_login(reader)
        body = client.get(url).content.decode()
        assert 'data-testid="deal-changes"' in body
        assert "50,000 USD" in body
        assert "80,000 USD" in body
    client.force_login(outsider_rep)
    assert client.get(url).status_code == 404


def test_the_deal_history_never_shows_another_record(rep, deal):
    from tandem.audit.selectors import audit_entry_visible

    AuditEntryFactory(record_id=deal.pk)
    AuditEntryFactory(record_type="people.user", record_id=rep.pk, changes={"role": ["rep", "admin"]})
    AuditEntryFactory(record_type="sales.opportunity", record_id=deal.pk + 1000)

    assert list(audit_entry_visible(user=rep).values_list("record_type", "record_id")) == [
        ("sales.opportunity", deal.pk)
    ]
