"""Importing leads, users, products, features, customer asks and quotas: each format, broken rows
(line, column, reason, nothing written), re-imports that update instead of duplicating, and who
may import what."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.urls import reverse

from tandem.asks.models import Ask, FeatureEvidence
from tandem.core.roles import Role
from tandem.imports import services
from tandem.imports.models import ImportJob, Kind, RejectedRow
from tandem.imports.tests.conftest import FILES, import_file, run, upload
from tandem.leads.models import Lead
from tandem.people.models import User
from tandem.people.tests.factories import TerritoryFactory, UserFactory
from tandem.product.models import Feature, Product
from tandem.product.tests.factories import FeatureFactory, ProductFactory
from tandem.sales.models import Quota
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

pytestmark = pytest.mark.django_db
Status = ImportJob.Status


def _counts(job):
    return (job.created, job.updated, job.skipped, job.failed, job.rows_total)


def _reasons(job):
    return {row.line: [(p["column"], p["reason"]) for p in row.problems] for row in RejectedRow.objects.filter(job=job)}


def _text(name: str) -> str:
    return (FILES / name).read_bytes().decode("utf-8")


@pytest.fixture
def dana(sales_team):
    """The rep the files name, by email and full name (`Dana Reyes`)."""
    return UserFactory(
        username="dana", email="dana.rep@acme.example", first_name="Dana", last_name="Reyes", team=sales_team
    )


# Users, then what they own by their Salesforce ids


def test_salesforce_users_then_their_leads_and_quotas_by_owner_id(admin_user):
    users = import_file(admin_user, Kind.USER, "salesforce_users.csv")
    assert users.status == Status.DONE, _reasons(users)
    assert users.source == ImportJob.Source.SALESFORCE
    assert _counts(users) == (3, 0, 0, 0, 3)
    dana = User.objects.get(external_id="0055g00000UsrAAAA")
    assert (dana.username, dana.email, dana.get_full_name(), dana.role) == (
        "dana.rep@acme.example.sf",
        "dana.rep@acme.example",
        "Dana Reyes",
        Role.REP,
    )
    # A password nobody knows: "Forgot your password?" reaches them (never an unusable one, which it skips).
    assert dana.has_usable_password()
    assert not dana.check_password("")
    assert list(PasswordResetForm().get_users(dana.email)) == [dana]
    assert User.objects.get(external_id="0055g00000UsrBAAA").role == Role.SALES_MANAGER
    pat = User.objects.get(external_id="0055g00000UsrCAAA")
    assert (pat.role, pat.is_active) == (Role.PRODUCT_MANAGER, False)

    leads = import_file(admin_user, Kind.LEAD, "salesforce_leads.csv")
    assert leads.status == Status.DONE, _reasons(leads)
    assert _counts(leads) == (3, 0, 0, 0, 3)
    grace = Lead.objects.get(external_id="00Q5g00000LdAAAA")
    assert (grace.name, grace.company, grace.status, grace.source, grace.owner, grace.title) == (
        "Grace Hopper",
        "Initech",
        "new",
        "inbound",
        dana,
        "CTO",
    )
    assert Lead.objects.get(external_id="00Q5g00000LdBAAA").status == "working"
    ada = Lead.objects.get(external_id="00Q5g00000LdCAAA")
    assert (ada.status, ada.source, ada.owner) == ("disqualified", "partner", admin_user)  # blank owner: the importer
    assert ada.disqualified_reason  # the file gave none; the rule that a disqualified lead says why holds

    quotas = import_file(admin_user, Kind.QUOTA, "salesforce_forecasting_quotas.csv")
    assert quotas.status == Status.DONE, _reasons(quotas)
    assert set(Quota.objects.values_list("user", "fiscal_year", "fiscal_quarter", "amount")) == {
        (dana.pk, 2027, 1, Decimal("250000")),
        (dana.pk, 2027, 2, Decimal("275000")),
    }


def test_roles_are_mapped_on_screen(admin_user):
    job = upload(admin_user, Kind.USER, "salesforce_users.csv")
    done = run(admin_user, job, roles={"Account Executive": Role.SALES_MANAGER})
    assert User.objects.get(external_id="0055g00000UsrAAAA").role == Role.SALES_MANAGER
    assert done.seen_values["role"] == ["Account Executive", "Product Manager", "Sales Manager"]


def test_a_user_reimport_updates_by_external_id_or_email(admin_user):
    import_file(admin_user, Kind.USER, "salesforce_users.csv")
    again = import_file(admin_user, Kind.USER, "salesforce_users.csv")
    assert _counts(again) == (0, 0, 3, 0, 3)
    changed = _text("salesforce_users.csv").replace("Director of Sales EMEA", "VP Sales")
    third = import_file(admin_user, Kind.USER, "salesforce_users.csv", changed.encode())
    assert _counts(third) == (0, 1, 2, 0, 3)
    assert User.objects.get(external_id="0055g00000UsrBAAA").title == "VP Sales"
    # A plain list without ids finds the people by email.
    plain = import_file(admin_user, Kind.USER, "people.csv", b"Email,Title\nDANA.REP@acme.example,Senior AE\n")
    assert _counts(plain) == (0, 1, 0, 0, 1)
    assert User.objects.get(external_id="0055g00000UsrAAAA").title == "Senior AE"
    assert User.objects.count() == 4  # the three and the admin


def test_an_imported_admin_reaches_the_django_admin_and_loses_it_with_the_role(client, admin_user):
    content = "Id,Email,FirstName,LastName,UserRole\nU1,ops@acme.example,Ops,Admin,System Administrator\n"
    assert import_file(admin_user, Kind.USER, "users.csv", content.encode()).status == Status.DONE
    ops = User.objects.get(external_id="U1")
    assert ops.role == Role.ADMIN
    client.force_login(ops)
    assert client.get(reverse("admin:people_user_changelist")).status_code == 200  # as the seeded admin

    demoted = content.replace("System Administrator", "Account Executive")
    assert import_file(admin_user, Kind.USER, "users.csv", demoted.encode()).status == Status.DONE
    ops.refresh_from_db()
    assert (ops.role, ops.is_staff, ops.is_superuser) == (Role.REP, False, False)
    client.force_login(ops)
    assert client.get(reverse("admin:people_user_changelist")).status_code == 302  # to the sign-in


def test_a_user_import_leaves_the_admin_site_alone_when_the_role_stays(admin_user):
    # `manage.py createsuperuser` makes an admin.
    operator = User.objects.create_superuser("root", "root@acme.example", "a-long-passphrase")
    import_file(admin_user, Kind.USER, "users.csv", b"Email,Title\nroot@acme.example,Operator\n")
    operator.refresh_from_db()
    assert (operator.title, operator.role, operator.is_staff, operator.is_superuser) == (
        "Operator",
        Role.ADMIN,
        True,
        True,
    )


def test_bad_user_rows_are_refused_and_nothing_is_written(admin_user, rep):
    content = (
        "Id,Username,Email,FirstName,LastName,UserRole\n"
        "U1,ok@acme.example,ok@acme.example,Ok,Person,Account Executive\n"
        "U2,,,No,Email,Account Executive\n"
        "U3,x@acme.example,not-an-email,Bad,Email,Account Executive\n"
        f"U4,{rep.username},new@acme.example,Taken,Name,Account Executive\n"
        "U5,astro@acme.example,astro@acme.example,Astro,Naut,Astronaut\n"
    )
    job = import_file(admin_user, Kind.USER, "users.csv", content.encode())
    assert job.status == Status.CHECKED
    assert _reasons(job) == {
        3: [("Email", "A user needs an email: it is how they sign in.")],
        4: [("Email", "Enter a valid email address.")],
        5: [("Username", f"Another user has the user name “{rep.username}”.")],
        6: [("UserRole", "“Astronaut” is not mapped to a role of Tandem: map it on the mapping screen.")],
    }
    assert not User.objects.filter(external_id__isnull=False).exists()


# Leads


def test_lead_exports_of_salesforce_reports_hubspot_and_pipedrive(admin_user, dana):
    report = import_file(admin_user, Kind.LEAD, "salesforce_lead_report.csv")
    assert report.status == Status.DONE, _reasons(report)
    assert report.mapping["company"] == "Company / Account"
    katherine = Lead.objects.get(external_id="00Q5g00000LdDAAA")
    assert (katherine.company, katherine.source, katherine.owner) == ("Hooli", "event", dana)  # by full name
    assert Lead.objects.get(external_id="00Q5g00000LdEAAA").source == "referral"

    hubspot = import_file(admin_user, Kind.LEAD, "hubspot_leads.csv")
    assert hubspot.source == ImportJob.Source.HUBSPOT
    assert hubspot.mapping["status"] == "Lead Status"
    assert hubspot.status == Status.DONE, _reasons(hubspot)
    assert {
        lead.external_id: (lead.status, lead.source) for lead in Lead.objects.filter(external_id__in=["51", "52", "53"])
    } == {
        "51": ("new", "inbound"),
        "52": ("working", "campaign"),
        "53": ("qualified", "referral"),
    }
    assert Lead.objects.get(external_id="53").qualified_at is not None

    pipedrive = import_file(admin_user, Kind.LEAD, "pipedrive_leads.csv")
    assert pipedrive.source == ImportJob.Source.PIPEDRIVE
    assert pipedrive.decimal_separator == ","
    assert pipedrive.status == Status.DONE, _reasons(pipedrive)
    petra = Lead.objects.get(external_id="d4e5f6")
    assert (petra.first_name, petra.last_name, petra.company, petra.budget, petra.source, petra.owner) == (
        "Petra",
        "Nováková",
        "Ostrava Steel",
        Decimal("4000.00"),
        "outbound",
        dana,
    )
    assert Lead.objects.get(external_id="a1b2c3").budget == Decimal("12500.00")


def test_bad_lead_rows_are_refused_and_nothing_is_written(admin_user, dana):
    content = (
        "Id,FirstName,LastName,Company,Email,Status,LeadSource,OwnerId,AnnualRevenue\n"
        "L1,Ok,Lead,Acme,ok@acme.example,Open - Not Contacted,Web,,10\n"
        "L2,Bad,Status,Acme,,Sleeping,Web,,\n"
        "L3,No,Company,,,New,Web,,\n"
        "L4,Bad,Owner,Acme,,New,Web,Nobody Here,\n"
        "L5,Broke,Lead,Acme,,New,Web,,-5\n"
        "L6,No,Source,Acme,,New,,,\n"
        "L1,Twice,Listed,Acme,,New,Web,,\n"
    )
    job = import_file(admin_user, Kind.LEAD, "leads.csv", content.encode())
    assert job.status == Status.CHECKED
    assert Lead.objects.count() == 0
    assert _counts(job) == (0, 0, 0, 6, 7)
    reasons = _reasons(job)
    assert reasons[3] == [("Status", "“Sleeping” is not one of: New, Working, Qualified, Disqualified, Converted.")]
    assert reasons[4] == [("Company", "A lead needs its company.")]
    assert reasons[5] == [
        ("OwnerId", "“Nobody Here” is not mapped to a person in Tandem: map it on the mapping screen.")
    ]
    assert reasons[6] == [("AnnualRevenue", "The budget cannot be negative.")]
    assert reasons[7][0][0] == "LeadSource"
    assert reasons[7][0][1].startswith("A lead needs its source")
    assert reasons[8] == [("Id", "“L1” is already on line 2: a record appears once in a file.")]


def test_a_lead_reimport_updates_by_external_id(admin_user, dana):
    import_file(admin_user, Kind.LEAD, "hubspot_leads.csv")
    again = import_file(admin_user, Kind.LEAD, "hubspot_leads.csv")
    assert _counts(again) == (0, 0, 3, 0, 3)
    changed = _text("hubspot_leads.csv").replace("Lead,New,", "Lead,In progress,")
    third = import_file(admin_user, Kind.LEAD, "hubspot_leads.csv", changed.encode())
    assert _counts(third) == (0, 1, 2, 0, 3)
    margaret = Lead.objects.get(external_id="51")
    assert (margaret.status, margaret.version) == ("working", 2)
    assert Lead.objects.count() == 3


def test_a_custom_territory_column_is_mapped_on_the_screen_and_read_by_name(admin_user, dana):
    """Salesforce's lead export has no territory: an org's custom field is mapped by hand."""
    emea = TerritoryFactory(name="EMEA North")
    content = (
        "Id,LastName,Company,LeadSource,Territory__c\n"
        "L1,Hopper,Initech,Web,EMEA North\n"
        "L2,Turing,Globex,Web,Atlantis\n"
        "L3,Lovelace,Umbrella,Web,\n"
    )
    job = upload(admin_user, Kind.LEAD, "leads.csv", content.encode())
    assert "territory" not in job.mapping  # no CRM names it
    checked = run(admin_user, job, mapping={**job.mapping, "territory": "Territory__c"})
    assert _reasons(checked) == {3: [("Territory__c", "No territory is named “Atlantis”: add it first.")]}

    good = services.import_job_import_good_rows(actor=admin_user, job=checked, expected_version=checked.version)
    assert services.import_job_run(job_id=good.pk).status == Status.DONE
    assert dict(Lead.objects.values_list("external_id", "territory")) == {"L1": emea.pk, "L3": None}


def test_without_a_territory_column_a_lead_has_the_territory_the_lead_form_gives(admin_user, dana):
    """The lead form leaves the territory empty unless someone picks one; nothing derives it from the
    owner's team or the country. A re-import without the column keeps the one a lead has."""
    TerritoryFactory(name="EMEA North")
    dana.team.territory = TerritoryFactory(name="DACH")
    dana.team.save()
    content = f"Id,LastName,Company,Country,LeadSource,OwnerId\nL1,Hopper,Initech,Germany,Web,{dana.email}\n"
    assert import_file(admin_user, Kind.LEAD, "leads.csv", content.encode()).status == Status.DONE
    lead = Lead.objects.get(external_id="L1")
    assert lead.territory is None

    with_territory = "Id,LastName,Company,LeadSource,Territory\nL1,Hopper,Initech,Web,EMEA North\n"
    assert import_file(admin_user, Kind.LEAD, "leads.csv", with_territory.encode()).status == Status.DONE
    again = import_file(admin_user, Kind.LEAD, "leads.csv", content.replace("Hopper", "Hopper-Lee").encode())
    assert _counts(again) == (0, 1, 0, 0, 1)
    lead.refresh_from_db()
    assert (lead.last_name, lead.territory.name) == ("Hopper-Lee", "EMEA North")


def test_a_sales_manager_imports_leads_of_their_teams_only(sales_manager, dana, outsider_rep):
    content = (
        f"Id,LastName,Company,LeadSource,OwnerId\nL1,Ok,Acme,Web,{dana.email}\nL2,No,Acme,Web,{outsider_rep.email}\n"
    )
    job = import_file(sales_manager, Kind.LEAD, "leads.csv", content.encode())
    assert _reasons(job)[3][0][1].startswith("You may not give leads to")
    assert Lead.objects.count() == 0


# Products, features, asks


def test_products_then_features_from_productboard_canny_and_aha(product_manager):
    pat = UserFactory(email="pat.pm@acme.example", role=Role.PRODUCT_MANAGER)
    products = import_file(product_manager, Kind.PRODUCT, "products.csv")
    assert products.status == Status.DONE, _reasons(products)
    cloud = Product.objects.get(name="Tandem Cloud")
    assert (cloud.lifecycle_stage, cloud.manager) == ("growth", pat)
    assert Product.objects.get(name="Tandem Mobile").lifecycle_stage == "development"

    board = import_file(product_manager, Kind.FEATURE, "productboard_features.csv")
    assert board.source == ImportJob.Source.PRODUCTBOARD
    assert board.status == Status.DONE, _reasons(board)
    sso = Feature.objects.get(external_id="pb-101")
    assert (sso.title, sso.product, sso.status, sso.owner) == ("SSO with SAML", cloud, "backlog", pat)
    assert Feature.objects.get(external_id="pb-102").status == "in_progress"
    assert Feature.objects.get(external_id="pb-103").status == "shipped"
    # Each new feature has its evidence row, so the feature lists sort it from the start.
    assert FeatureEvidence.objects.filter(feature__external_id__startswith="pb-").count() == 3

    canny = import_file(product_manager, Kind.FEATURE, "canny_posts.csv")
    assert canny.source == ImportJob.Source.CANNY
    assert canny.status == Status.DONE, _reasons(canny)
    assert Feature.objects.get(external_id="5f1a").status == "backlog"
    assert Feature.objects.get(external_id="5f1b").description == "Change many deals at once"

    aha = import_file(product_manager, Kind.FEATURE, "aha_features.csv")
    assert aha.source == ImportJob.Source.AHA
    assert aha.status == Status.DONE, _reasons(aha)
    rules = Feature.objects.get(external_id="CLOUD-12")
    assert (rules.status, rules.effort) == ("planned", Decimal("3"))
    assert Feature.objects.get(external_id="CLOUD-13").status == "declined"


def test_bad_product_and_feature_rows_are_refused_and_nothing_is_written(product_manager):
    ProductFactory(name="Tandem Cloud")
    products = import_file(
        product_manager, Kind.PRODUCT, "products.csv", b"Id,Name,Lifecycle stage\nP1,New one,Sunrise\nP2,,Growth\n"
    )
    assert _reasons(products) == {
        2: [
            (
                "Lifecycle stage",
                "“Sunrise” is not one of: Ideation, Development, Launch, Growth, Maturity, Retirement.",
            )
        ],
        3: [("Name", "A product needs a name.")],
    }
    content = (
        "Feature ID,Feature name,Status,Product,Initial estimate\n"
        "F1,Fine,Candidate,Tandem Cloud,2\n"
        "F2,Orphan,Candidate,Tandem Desk,\n"
        "F3,Odd status,Someday,Tandem Cloud,\n"
        "F4,Free work,Candidate,Tandem Cloud,0\n"
        "F5,,Candidate,Tandem Cloud,\n"
    )
    features = import_file(product_manager, Kind.FEATURE, "features.csv", content.encode())
    assert features.status == Status.CHECKED
    assert _counts(features) == (0, 0, 0, 4, 5)
    reasons = _reasons(features)
    assert reasons[3] == [
        ("Product", "No product you may use has the external id or name “Tandem Desk”: import the products first.")
    ]
    assert reasons[4][0][0] == "Status"
    assert reasons[4][0][1].startswith("“Someday” is not one of: Backlog")
    assert reasons[5] == [("Initial estimate", "Effort must be more than zero weeks.")]
    assert reasons[6] == [("Feature name", "A feature needs a name.")]
    assert Product.objects.count() == 1
    assert Feature.objects.count() == 0


def test_product_and_feature_reimports_update_by_name_and_external_id(product_manager):
    UserFactory(email="pat.pm@acme.example", role=Role.PRODUCT_MANAGER)
    import_file(product_manager, Kind.PRODUCT, "products.csv")
    import_file(product_manager, Kind.FEATURE, "productboard_features.csv")
    again = import_file(product_manager, Kind.PRODUCT, "products.csv")
    assert _counts(again) == (0, 0, 2, 0, 2)  # found by name: no external id column
    changed = _text("products.csv").replace("Development", "Launch")
    assert _counts(import_file(product_manager, Kind.PRODUCT, "products.csv", changed.encode())) == (0, 1, 1, 0, 2)
    assert Product.objects.get(name="Tandem Mobile").lifecycle_stage == "launch"

    assert _counts(import_file(product_manager, Kind.FEATURE, "productboard_features.csv")) == (0, 0, 3, 0, 3)
    changed = _text("productboard_features.csv").replace("Candidate", "Planned")
    third = import_file(product_manager, Kind.FEATURE, "productboard_features.csv", changed.encode())
    assert _counts(third) == (0, 1, 2, 0, 3)
    sso = Feature.objects.get(external_id="pb-101")
    assert (sso.status, sso.version) == ("planned", 2)
    assert Product.objects.count() == 2
    assert Feature.objects.count() == 3


@pytest.fixture
def initrode(rep):
    account = AccountFactory(name="Initrode", owner=rep, annual_revenue=Decimal("800000"))
    deal = OpportunityFactory(account=account, name="Initrode renewal", amount=Decimal("90000"))
    sso = FeatureFactory(title="SSO with SAML")
    sso.external_id = "pb-101"
    sso.save(update_fields=["external_id"])
    return account, deal, sso


def test_asks_from_productboard_notes_and_a_plain_csv(product_manager, rep, dana, initrode):
    account, deal, sso = initrode
    notes = import_file(product_manager, Kind.ASK, "productboard_notes.csv")
    assert notes.status == Status.DONE, _reasons(notes)
    first = Ask.objects.get(external_id="n-1")
    assert (first.account, first.feature, first.status, first.requested_by) == (account, sso, "linked", dana)
    assert first.need == "They cannot roll out without SAML sign-in"
    assert first.created_at.date() == datetime.date(2026, 11, 2)
    assert first.value_home == Decimal("800000")  # no deal: its account's revenue
    assert Ask.objects.get(external_id="n-2").status == "new"

    plain = import_file(product_manager, Kind.ASK, "asks.csv")
    assert plain.status == Status.DONE, _reasons(plain)
    blocker = Ask.objects.get(need="SAML sign-in for 4000 staff")
    assert (blocker.opportunity, blocker.feature, blocker.importance, blocker.value_home) == (
        deal,
        sso,
        "blocker",
        Decimal("90000.00"),
    )
    night = Ask.objects.get(need="A dark theme for the night shift")
    assert (night.importance, night.source, night.requested_by) == ("nice_to_have", "email", product_manager)
    sso.evidence.refresh_from_db()
    assert sso.evidence.asks_count == 2


def test_bad_ask_rows_are_refused_and_nothing_is_written(product_manager, initrode):
    content = (
        "Note ID,Company,Note text,Features,Priority\n"
        "A1,Initrode,Fine,,High\n"
        "A2,Nowhere Inc,Lost customer,,\n"
        "A3,Initrode,,,\n"
        "A4,Initrode,Unknown feature,Teleport,\n"
        "A5,Initrode,Odd priority,,Whenever\n"
    )
    job = import_file(product_manager, Kind.ASK, "notes.csv", content.encode())
    assert job.status == Status.CHECKED
    assert Ask.objects.count() == 0
    reasons = _reasons(job)
    assert reasons[3] == [
        ("Company", "No account you may use has the external id or name “Nowhere Inc”: import the accounts first.")
    ]
    assert reasons[4] == [("Note text", "Say what the customer needs.")]
    assert reasons[5] == [
        ("Features", "No feature you may use has the external id or name “Teleport”: import the features first.")
    ]
    assert reasons[6] == [("Priority", "“Whenever” is not one of: Nice to have, Important, Blocker.")]


def test_an_ask_reimport_updates_by_external_id(product_manager, dana, initrode):
    import_file(product_manager, Kind.ASK, "productboard_notes.csv")
    assert _counts(import_file(product_manager, Kind.ASK, "productboard_notes.csv")) == (0, 0, 2, 0, 2)
    changed = _text("productboard_notes.csv").replace("Reps on the shop floor", "Reps in the warehouse")
    third = import_file(product_manager, Kind.ASK, "productboard_notes.csv", changed.encode())
    assert _counts(third) == (0, 1, 1, 0, 2)
    assert Ask.objects.get(external_id="n-2").need == "Reps in the warehouse have no signal"
    assert Ask.objects.count() == 2


# Quotas


def test_a_sales_manager_imports_their_teams_quotas_and_a_reimport_updates_them(sales_manager, dana, sales_team):
    job = import_file(sales_manager, Kind.QUOTA, "quotas.csv")
    assert job.status == Status.DONE, _reasons(job)
    assert _counts(job) == (2, 0, 0, 0, 2)
    assert _counts(import_file(sales_manager, Kind.QUOTA, "quotas.csv")) == (0, 0, 2, 0, 2)
    changed = _text("quotas.csv").replace("210000", "230000")
    assert _counts(import_file(sales_manager, Kind.QUOTA, "quotas.csv", changed.encode())) == (0, 1, 1, 0, 2)
    assert Quota.objects.get(user=dana, fiscal_year=2027, fiscal_quarter=2).amount == Decimal("230000")
    team = import_file(
        sales_manager, Kind.QUOTA, "team.csv", f"Team,Period,Amount\n{sales_team.name},2027-Q3,9\n".encode()
    )
    assert team.status == Status.DONE, _reasons(team)
    assert Quota.objects.get(team=sales_team).fiscal_quarter == 3
    assert Quota.objects.count() == 3


def test_bad_quota_rows_are_refused_and_nothing_is_written(sales_manager, dana, outsider_rep):
    content = (
        "Owner,Period,Amount\n"
        f"{dana.email},FY2027 Q1,100\n"
        f"{outsider_rep.email},FY2027 Q1,100\n"
        f"{sales_manager.email},FY2027 Q1,100\n"
        f"{dana.email},next year,100\n"
        f"{dana.email},FY2027 Q2,-1\n"
        f"{dana.email},FY2027 Q3,\n"
        f"{dana.email},FY2027 Q1,300\n"
    )
    job = import_file(sales_manager, Kind.QUOTA, "quotas.csv", content.encode())
    assert job.status == Status.CHECKED
    assert Quota.objects.count() == 0
    manager_only = "A sales manager sets quotas only for the teams they manage and their members."
    assert _reasons(job) == {
        3: [("Owner", manager_only)],
        4: [("Owner", manager_only)],
        5: [("Period", "“next year” is not a quarter's start date or a period like FY2027 Q1.")],
        6: [("Amount", "A quota cannot be negative.")],
        7: [("Amount", "A quota needs an amount.")],
        8: [("Owner", f"“{dana.email} FY2027 Q1” is already on line 2: a record appears once in a file.")],
    }


# Who may import what


def test_each_role_imports_the_kinds_its_apps_let_it_write(user_with_role):
    assert services.kinds_for(user_with_role(Role.REP)) == []
    assert services.kinds_for(user_with_role(Role.ENGINEERING_LEAD)) == []
    assert services.kinds_for(user_with_role(Role.SALES_MANAGER)) == [
        "account",
        "contact",
        "opportunity",
        "lead",
        "quota",
    ]
    assert services.kinds_for(user_with_role(Role.PRODUCT_MANAGER)) == ["product", "feature", "ask"]
    assert services.kinds_for(user_with_role(Role.EXECUTIVE)) == ["quota"]
    assert services.kinds_for(user_with_role(Role.ADMIN)) == list(Kind.values)


def test_a_kind_the_user_may_not_import_is_refused_at_upload(user_with_role):
    with pytest.raises(ValidationError) as refused:
        upload(user_with_role(Role.SALES_MANAGER), Kind.USER, "salesforce_users.csv")
    assert "kind" in refused.value.message_dict
    with pytest.raises(ValidationError):
        upload(user_with_role(Role.PRODUCT_MANAGER), Kind.LEAD, "salesforce_leads.csv")


def test_an_xlsx_of_quotas_and_one_of_users_with_typed_cells(admin_user, dana):
    from tandem.imports.tests.test_reading import _xlsx

    content = _xlsx(
        [
            ["QuotaOwnerId", "StartDate", "QuotaAmount"],
            ["dana.rep@acme.example", datetime.datetime(2027, 7, 1), 120000],  # noqa: DTZ001 (a spreadsheet's day)
            ["Dana Reyes", "FY2027 Q4", 130000.5],
        ]
    )
    job = import_file(admin_user, Kind.QUOTA, "quotas.xlsx", content)
    assert job.file_format == "xlsx"
    assert job.status == Status.DONE, _reasons(job)
    assert set(Quota.objects.values_list("fiscal_quarter", "amount")) == {
        (3, Decimal("120000")),
        (4, Decimal("130000.50")),
    }
    users = _xlsx([["Email", "FirstName", "LastName", "IsActive"], ["kim@acme.example", "Kim", "Lee", True]])
    assert import_file(admin_user, Kind.USER, "users.xlsx", users).status == Status.DONE
    kim = User.objects.get(email="kim@acme.example")
    assert (kim.username, kim.is_active, kim.role) == ("kim@acme.example", True, Role.REP)


def test_tandems_own_workspace_export_columns(admin_user):
    """A workspace export's files name records by their ids there: imported, those ids become external
    ids, and the files after them find their references by them (a product's manager, a feature's
    product and owner, a quota's rep)."""
    for kind, name in (
        (Kind.USER, "tandem_users.csv"),
        (Kind.PRODUCT, "tandem_products.csv"),
        (Kind.FEATURE, "tandem_features.csv"),
        (Kind.QUOTA, "tandem_quotas.csv"),
    ):
        job = import_file(admin_user, kind, name)
        assert job.status == Status.DONE, (name, _reasons(job))
    pia = User.objects.get(external_id="42")
    assert (pia.role, pia.email) == (Role.PRODUCT_MANAGER, "pia@tandem.example")
    assert list(PasswordResetForm().get_users(pia.email)) == [pia]
    cloud = Product.objects.get(external_id="7")
    assert cloud.manager == pia
    sso = Feature.objects.get(external_id="90")
    assert (sso.product, sso.owner, sso.status, sso.effort, sso.visibility, sso.horizon) == (
        cloud,
        pia,
        "planned",
        Decimal("4.0"),
        "sales",
        "next",
    )
    quota = Quota.objects.get(external_id="5")
    assert (quota.user.external_id, quota.fiscal_year, quota.fiscal_quarter) == ("41", 2027, 1)
