"""Importing the CRMs' real export formats, broken files, re-imports and who may import what."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone

from tandem.core.models import ExchangeRate
from tandem.imports import services
from tandem.imports.models import ImportJob, ImportMapping, Kind, RejectedRow, StagedRow
from tandem.imports.tests.conftest import FILES, import_file, run, upload
from tandem.leads import funnel_figures
from tandem.leads.models import Lead, LeadDayFigures, LeadRepDayFigures
from tandem.leads.tests.factories import LeadFactory
from tandem.sales import month_figures
from tandem.sales.models import Account, Contact, Opportunity, RepMonthFigures, StageChange
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

pytestmark = pytest.mark.django_db
Status = ImportJob.Status
SF_OWNERS = {"0055g00000RepAAAA": None, "0055g00000MgrAAAA": None}


def _sf_owners(rep, manager):
    return {"0055g00000RepAAAA": rep.pk, "0055g00000MgrAAAA": manager.pk}


def _counts(job):
    return (job.created, job.updated, job.skipped, job.failed, job.rows_total)


def _salesforce_accounts(admin, rep, manager):
    return import_file(admin, Kind.ACCOUNT, "salesforce_accounts.csv", owners=_sf_owners(rep, manager))


def test_salesforce_data_loader_accounts_then_deals(admin_user, rep, sales_manager, stages):
    accounts = _salesforce_accounts(admin_user, rep, sales_manager)
    assert accounts.status == Status.DONE
    assert accounts.source == ImportJob.Source.SALESFORCE
    assert _counts(accounts) == (3, 0, 0, 0, 3)
    fabrikam = Account.objects.get(external_id="0015g00000AbCdGAAZ")
    assert (fabrikam.name, fabrikam.owner, fabrikam.employees, fabrikam.annual_revenue) == (
        "Fabrikam, Inc.",
        sales_manager,
        5600,
        Decimal("12000000"),
    )

    job = upload(admin_user, Kind.OPPORTUNITY, "salesforce_opportunities.csv")
    assert job.mapping["stage"] == "StageName"
    assert job.mapping["account"] == "AccountId"
    assert job.mapping["forecast_category"] == "ForecastCategoryName"
    deals = run(admin_user, job, owners=_sf_owners(rep, sales_manager))
    assert deals.status == Status.DONE, deals.error
    assert _counts(deals) == (4, 0, 0, 0, 4)
    renewal = Opportunity.objects.get(external_id="0065g00000Opp2AAA")
    assert renewal.stage == stages["Negotiation"]  # "Negotiation/Review", Salesforce's standard stage
    assert renewal.amount == Decimal("120000.50")
    assert renewal.close_date == datetime.date(2027, 1, 31)
    assert renewal.next_step == "Send the order form,\r\nthen call the CFO"  # a quoted newline stays in its cell
    assert (renewal.type, renewal.lead_source, renewal.forecast_category) == ("renewal", "partner", "commit")
    won = Opportunity.objects.get(external_id="0065g00000Opp3AAA")
    assert won.stage.is_won
    assert won.closed_at is not None
    assert won.type == "upsell"
    lost = Opportunity.objects.get(external_id="0065g00000Opp4AAA")
    assert lost.stage.is_lost
    assert lost.loss_reason == "other"
    # Each new deal starts its stage history, as one opened on the page does.
    assert StageChange.objects.filter(opportunity__in=[renewal, won, lost], from_stage=None).count() == 3


def test_a_reimport_updates_by_external_id_and_creates_no_duplicate(admin_user, rep, sales_manager, stages):
    _salesforce_accounts(admin_user, rep, sales_manager)
    import_file(admin_user, Kind.OPPORTUNITY, "salesforce_opportunities.csv", owners=_sf_owners(rep, sales_manager))
    again = import_file(
        admin_user, Kind.OPPORTUNITY, "salesforce_opportunities.csv", owners=_sf_owners(rep, sales_manager)
    )
    assert _counts(again) == (0, 0, 4, 0, 4)  # nothing changed: every row skipped
    assert Opportunity.objects.count() == 4

    changed = (
        (FILES / "salesforce_opportunities.csv")
        .read_bytes()
        .decode()
        .replace('"48000","2026-12-15","10"', '"52000","2026-12-15","10"')
    )
    changed = changed.replace('"Prospecting","52000"', '"Qualification","52000"')
    third = import_file(admin_user, Kind.OPPORTUNITY, "salesforce_opportunities.csv", changed.encode())
    assert _counts(third) == (0, 1, 3, 0, 4), list(
        RejectedRow.objects.filter(job=third).values_list("problems", flat=True)
    )
    deal = Opportunity.objects.get(external_id="0065g00000Opp1AAA")
    assert deal.amount == Decimal("52000")
    assert deal.stage == stages["Discovery"]
    assert deal.version == 2
    assert deal.owner == rep  # the owner column is remembered with the mapping (the same headers)
    assert StageChange.objects.filter(
        opportunity=deal, from_stage=stages["Prospecting"], to_stage=stages["Discovery"]
    ).exists()
    assert Opportunity.objects.count() == 4


def _months() -> set[tuple[object, ...]]:
    """The reps' months as stored, without the emptied ones a rebuild would not write."""
    columns = ["owner_id", "month", *month_figures.COLUMNS]
    return {row for row in RepMonthFigures.objects.values_list(*columns) if any(row[2:])}


def test_the_reps_months_follow_the_deals_an_import_creates_and_changes(admin_user, rep, sales_manager, stages):
    """The dashboards' and targets' monthly figures add up the imported deals as if typed in."""
    _salesforce_accounts(admin_user, rep, sales_manager)
    OpportunityFactory(owner=rep, stage=stages["Prospecting"], close_date=datetime.date(2026, 12, 3))  # by hand
    owners = _sf_owners(rep, sales_manager)
    import_file(admin_user, Kind.OPPORTUNITY, "salesforce_opportunities.csv", owners=owners)
    text = (FILES / "salesforce_opportunities.csv").read_bytes().decode()
    moved = (
        text.replace(
            '"Prospecting","48000","2026-12-15","10","Pipeline","0055g00000RepAAAA","false","false"',
            '"Closed Won","51000","2027-02-02","100","Closed","0055g00000MgrAAAA","true","true"',
        ).replace('"120000.50"', '"95000"')
        + '"0065g00000Opp5AAA","0015g00000AbCdEAAZ","Northwind - Kiosks","Proposal","7000","2027-03-01","60",'
        '"Best Case","0055g00000RepAAAA","false","false","New Customer","Web",""\n'
    )

    again = import_file(admin_user, Kind.OPPORTUNITY, "salesforce_opportunities.csv", moved.encode(), owners=owners)

    assert _counts(again) == (1, 2, 2, 0, 5), again.error
    stored = _months()
    month_figures.rebuild()
    assert stored == _months()
    assert sum(row[2] for row in stored) == Opportunity.objects.count() == 6


def test_the_lead_funnel_counts_a_converted_lead_won_when_a_reimport_wins_its_deal(
    admin_user, rep, sales_manager, stages
):
    """The funnel's won step follows a deal a re-import moves to a won stage, as a move on the board
    does (its trigger fires for the deals whose stage changes; new deals leave the funnel alone)."""
    _salesforce_accounts(admin_user, rep, sales_manager)
    owners = _sf_owners(rep, sales_manager)
    import_file(admin_user, Kind.OPPORTUNITY, "salesforce_opportunities.csv", owners=owners)
    deal = Opportunity.objects.get(external_id="0065g00000Opp1AAA")
    now = timezone.now()
    LeadFactory(owner=rep, status=Lead.Status.CONVERTED, qualified_at=now, converted_at=now, converted_opportunity=deal)
    assert LeadDayFigures.objects.aggregate(won=Sum("won"))["won"] == 0
    text = (FILES / "salesforce_opportunities.csv").read_bytes().decode()
    won = text.replace('"Northwind - POS rollout","Prospecting"', '"Northwind - POS rollout","Closed Won"')

    again = import_file(admin_user, Kind.OPPORTUNITY, "salesforce_opportunities.csv", won.encode(), owners=owners)

    assert again.updated == 1, again.error
    assert LeadDayFigures.objects.aggregate(won=Sum("won"))["won"] == 1
    assert LeadRepDayFigures.objects.get(owner=rep).won == 1
    stored = _funnel()
    funnel_figures.rebuild()
    assert stored == _funnel()


def _funnel() -> set[tuple[object, ...]]:
    return {
        row
        for model in (LeadDayFigures, LeadRepDayFigures)
        for row in model.objects.values_list("day", "leads", "qualified", "converted", "won")
        if any(row[1:])
    }


def test_the_mapping_is_remembered_for_the_same_headers(admin_user, rep, sales_manager, stages):
    _salesforce_accounts(admin_user, rep, sales_manager)
    mapping = ImportMapping.objects.get(kind=Kind.ACCOUNT)
    assert mapping.value_map["owner"] == {"0055g00000RepAAAA": rep.pk, "0055g00000MgrAAAA": sales_manager.pk}
    job = upload(admin_user, Kind.ACCOUNT, "salesforce_accounts.csv")
    assert job.value_map == mapping.value_map
    assert job.mapping == mapping.mapping


def test_salesforce_report_export_in_windows_1252_with_dollars_and_us_dates(sales_manager, rep, stages):
    AccountFactory(name="Müller GmbH", owner=rep)
    job = upload(sales_manager, Kind.OPPORTUNITY, "salesforce_opportunity_report.csv")
    assert (job.encoding, job.date_format, job.decimal_separator) == ("cp1252", "%m/%d/%Y", ".")
    assert job.mapping["name"] == "Opportunity Name"
    assert job.mapping["account"] == "Account Name"
    done = run(sales_manager, job)
    assert done.status == Status.DONE, list(RejectedRow.objects.values_list("problems", flat=True))
    phase2 = Opportunity.objects.get(name="Müller Küchen – Phase 2")  # noqa: RUF001 (the export's own dash)
    assert phase2.amount == Decimal("1250000.00")
    assert phase2.currency == "USD"
    assert phase2.close_date == datetime.date(2027, 3, 15)
    assert phase2.owner == rep
    assert phase2.stage == stages["Proposal"]
    assert phase2.lead_source == "campaign"


def test_hubspot_companies_contacts_and_deals(admin_user, rep, stages):
    companies = import_file(admin_user, Kind.ACCOUNT, "hubspot_companies.csv")
    assert companies.source == ImportJob.Source.HUBSPOT
    assert companies.encoding == "utf-8-sig"
    assert _counts(companies) == (2, 0, 0, 0, 2)
    assert set(Account.objects.values_list("owner", flat=True)) == {rep.pk}  # by full name and by email
    contacts = import_file(admin_user, Kind.CONTACT, "hubspot_contacts.csv")
    assert _counts(contacts) == (2, 0, 0, 0, 2)
    peter = Contact.objects.get(external_id="702")
    assert peter.account.name == "Initech"
    assert peter.title == "Engineer, TPS reports"
    deals = import_file(admin_user, Kind.OPPORTUNITY, "hubspot_deals.csv")
    assert deals.status == Status.DONE, list(RejectedRow.objects.values_list("problems", flat=True))
    assert Opportunity.objects.get(external_id="9002").stage == stages["Closed Won"]
    assert Opportunity.objects.get(external_id="9001").close_date == datetime.date(2026, 12, 31)
    assert Opportunity.objects.get(external_id="9003").stage == stages["Negotiation"]


def test_pipedrive_deals_with_european_numbers_and_dates(admin_user, rep, stages):
    umbrella = AccountFactory(name="Umbrella Corp", owner=rep)
    ExchangeRate.objects.create(currency="EUR", valid_from=datetime.date(2026, 1, 1), rate_to_home=Decimal("1.10"))
    job = upload(admin_user, Kind.OPPORTUNITY, "pipedrive_deals.csv")
    assert (job.source, job.delimiter, job.decimal_separator, job.date_format) == ("pipedrive", ";", ",", "%d.%m.%Y")
    done = run(admin_user, job)
    assert done.status == Status.DONE, list(RejectedRow.objects.values_list("problems", flat=True))
    labs = Opportunity.objects.get(external_id="101")
    assert (labs.account, labs.amount, labs.currency, labs.amount_home) == (
        umbrella,
        Decimal("1234.56"),
        "EUR",
        Decimal("1358.02"),
    )
    assert Opportunity.objects.get(external_id="102").close_date == datetime.date(2027, 1, 15)


def test_broken_rows_are_each_reported_and_nothing_is_written(admin_user, rep, sales_manager, stages):
    _salesforce_accounts(admin_user, rep, sales_manager)
    job = import_file(admin_user, Kind.OPPORTUNITY, "broken_deals.csv")
    assert job.status == Status.CHECKED
    assert Opportunity.objects.count() == 0  # checked in full before anything is written
    assert _counts(job) == (0, 0, 1, 8, 11)
    reasons = {
        row.line: [(p["column"], p["reason"]) for p in row.problems] for row in RejectedRow.objects.filter(job=job)
    }
    assert reasons[3] == [("Amount", "“lots” is not a number.")]
    assert reasons[4] == [("CloseDate", "“next spring” is not a date like 2026-12-31.")]
    assert reasons[5] == [("StageName", "“Won-ish” is not mapped to a stage of Tandem: map it on the mapping screen.")]
    assert reasons[6] == [
        ("AccountId", "No account you may use has the external id or name “NOPE”: import the accounts first.")
    ]
    assert reasons[7] == [("Amount", "The amount cannot be negative.")]
    assert reasons[8] == [("Probability", "A probability is from 0 to 100.")]
    assert reasons[9] == [("Id", "“B1” is already on line 2: a record appears once in a file.")]
    assert reasons[10] == [("Name", "A deal needs a name.")]

    done = services.import_job_import_good_rows(actor=admin_user, job=job, expected_version=job.version)
    done = services.import_job_run(job_id=done.pk)
    assert done.status == Status.DONE
    assert _counts(done) == (2, 0, 1, 8, 11)
    assert set(Opportunity.objects.values_list("external_id", flat=True)) == {"B1", "B10"}
    assert Opportunity.objects.get(external_id="B10").amount == Decimal("2000")
    assert not StagedRow.objects.filter(job=job).exists()


def test_a_failing_write_leaves_nothing_half_written(admin_user, rep, sales_manager, stages):
    """A record changed by someone between the check and the write refuses the whole file."""
    _salesforce_accounts(admin_user, rep, sales_manager)
    import_file(admin_user, Kind.OPPORTUNITY, "salesforce_opportunities.csv", owners=_sf_owners(rep, sales_manager))
    changed = (FILES / "salesforce_opportunities.csv").read_bytes().decode().replace("48000", "1").replace("9900", "2")
    changed += (
        '"0065g00000Opp9AAA","0015g00000AbCdEAAZ","Brand new","Prospecting","5","2026-12-15","10","Pipeline",'
        '"0055g00000RepAAAA","false","false","New Customer","Web",""\r\n'
    )
    job = upload(admin_user, Kind.OPPORTUNITY, "salesforce_opportunities.csv", changed.encode())
    job = services.import_job_configure(
        actor=admin_user,
        job=job,
        expected_version=job.version,
        encoding=job.encoding,
        delimiter=job.delimiter,
        decimal_separator=".",
        date_format=job.date_format,
        mapping=job.mapping,
        value_map=job.value_map,
    )
    services._check(job)  # the worker checked the rows...
    Opportunity.objects.filter(external_id="0065g00000Opp3AAA").update(version=7)  # ...someone edits one...
    job.refresh_from_db()
    job.status = Status.IMPORTING
    job.save()
    failed = services.import_job_run(job_id=job.pk)  # ...and the write refuses the file whole
    assert failed.status == Status.FAILED
    assert "changed by someone after the check" in failed.error
    assert Opportunity.objects.get(external_id="0065g00000Opp1AAA").amount == Decimal("48000")
    assert not Opportunity.objects.filter(external_id="0065g00000Opp9AAA").exists()


def test_cancelling_before_the_write_writes_nothing(admin_user, rep, sales_manager, stages):
    _salesforce_accounts(admin_user, rep, sales_manager)
    job = import_file(admin_user, Kind.OPPORTUNITY, "broken_deals.csv")
    cancelled = services.import_job_cancel(actor=admin_user, job=job, expected_version=job.version)
    assert cancelled.status == Status.CANCELLED
    assert Opportunity.objects.count() == 0
    with pytest.raises(ValidationError):
        services.import_job_import_good_rows(actor=admin_user, job=cancelled, expected_version=cancelled.version)


def test_a_sales_manager_imports_for_their_team_only(sales_manager, rep, outsider_rep, stages):
    AccountFactory(external_id="ACC-1", owner=rep)
    OpportunityFactory(external_id="THEIRS", owner=outsider_rep, account=AccountFactory(owner=outsider_rep))
    content = (
        "Id,AccountId,Name,StageName,Amount,CloseDate,Owner\n"
        f"N1,ACC-1,Mine,Prospecting,10,2026-12-01,{rep.email}\n"
        f"N2,ACC-1,Not my team,Prospecting,10,2026-12-01,{outsider_rep.email}\n"
        "THEIRS,ACC-1,Another team's deal,Prospecting,10,2026-12-01,\n"
    ).encode()
    job = import_file(sales_manager, Kind.OPPORTUNITY, "deals.csv", content)
    reasons = {row.line: row.problems[0]["reason"] for row in RejectedRow.objects.filter(job=job)}
    assert reasons[3].startswith("You may not give records to")
    assert "THEIRS" in reasons[4]
    assert job.failed == 2


@pytest.mark.parametrize("role", ["rep", "engineering_lead"])
def test_reps_and_engineering_leads_import_nothing(request, role, stages):
    with pytest.raises(PermissionDenied):
        upload(request.getfixturevalue(role), Kind.ACCOUNT, "salesforce_accounts.csv")


@pytest.mark.parametrize("role", ["product_manager", "executive"])
def test_only_admins_and_sales_managers_import_accounts(request, role, stages):
    """Product managers import products, features and asks; executives quotas; neither the pipeline."""
    with pytest.raises(ValidationError):
        upload(request.getfixturevalue(role), Kind.ACCOUNT, "salesforce_accounts.csv")


def test_a_stale_mapping_form_is_refused(admin_user, stages):
    job = upload(admin_user, Kind.ACCOUNT, "hubspot_companies.csv")
    run(admin_user, job)
    from tandem.core.api import StaleVersion

    with pytest.raises(StaleVersion):
        services.import_job_configure(
            actor=admin_user,
            job=job,
            expected_version=job.version,
            encoding="utf-8",
            delimiter=",",
            decimal_separator=".",
            date_format="%Y-%m-%d",
            mapping=job.mapping,
            value_map={},
        )


def test_the_mapping_must_name_the_required_columns(admin_user, stages):
    job = upload(admin_user, Kind.OPPORTUNITY, "hubspot_deals.csv")
    with pytest.raises(ValidationError) as refused:
        services.import_job_configure(
            actor=admin_user,
            job=job,
            expected_version=job.version,
            encoding=job.encoding,
            delimiter=",",
            decimal_separator=".",
            date_format=job.date_format,
            mapping={**job.mapping, "amount": ""},
            value_map={},
        )
    assert refused.value.message_dict == {"map_amount": ["Choose the column that holds the amount."]}


def test_an_import_run_again_after_a_worker_stopped_mid_check_counts_each_row_once(
    admin_user, rep, sales_manager, stages
):
    """`tasks_resume` queues an interrupted task again: the check starts over from the file."""
    _salesforce_accounts(admin_user, rep, sales_manager)
    job = upload(admin_user, Kind.OPPORTUNITY, "salesforce_opportunities.csv")
    job = services.import_job_configure(
        actor=admin_user,
        job=job,
        expected_version=job.version,
        encoding=job.encoding,
        delimiter=job.delimiter,
        decimal_separator=".",
        date_format=job.date_format,
        mapping=job.mapping,
        value_map={"owner": _sf_owners(rep, sales_manager)},
    )
    services._check(job)  # the worker checked every row, then stopped before writing
    assert StagedRow.objects.filter(job=job).count() == 4
    done = services.import_job_run(job_id=job.pk)  # the same task, run again
    assert _counts(done) == (4, 0, 0, 0, 4)
    assert Opportunity.objects.count() == 4
