"""The workspace import: an export taken back into an empty Tandem, record for record, or refused
with a message saying what is wrong and nothing written."""

import csv
import datetime
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tandem.asks.models import Ask, Decision
from tandem.asks.tests.factories import AskFactory
from tandem.audit.tests.factories import AuditEntryFactory
from tandem.calls.models import CallNote
from tandem.calls.tests.factories import CallAttendeeFactory, CustomerCallFactory
from tandem.coaching.tests.factories import CoachingNoteFactory
from tandem.coaching.tests.factories import ReviewFactory as CoachingReviewFactory
from tandem.competition.models import BattlecardRevision, CompetitorProduct
from tandem.competition.tests.factories import BattlecardFactory, FieldIntelFactory, LossFeatureFactory
from tandem.core.models import SavedView
from tandem.core.roles import Role
from tandem.core.workspace_export import FORMAT, OMITTED, WORKSPACE_MODELS, columns_of, file_name, value_text
from tandem.core.workspace_import import _reader, workspace_holdings, workspace_import
from tandem.launches.models import DigestSettings
from tandem.launches.tests.factories import ChecklistItemFactory, SuccessMetricFactory
from tandem.leads.models import LeadDayFigures, LeadRepDayFigures
from tandem.people.models import Team, User
from tandem.planning.models import QuarterPlan
from tandem.planning.tests.factories import FeatureBuildFactory
from tandem.product.models import Feature
from tandem.product.tests.factories import FeatureFactory
from tandem.reviews.models import MeetingDecision
from tandem.reviews.tests.factories import ActionItemFactory
from tandem.roadmap.models import MarketResearch, RoadmapSettings
from tandem.sales.models import Account, RepMonthFigures
from tandem.seed.load import seed_workspace
from tandem.seed.scales import DEMO_PASSWORD, SCALES
from tandem.triage.index import forget_index

EXPORT = reverse("core:workspace_export")
IMPORT = reverse("core:workspace_import")
NOW = timezone.now()


def _one_of_every_kind() -> None:
    """The demo workspace, and a record of each kind the demo does not make."""
    seed_workspace(scale=SCALES["demo"], seed=1, today=datetime.date(2026, 11, 23))
    admin = User.objects.get(role=Role.ADMIN)
    rep = User.objects.filter(role=Role.REP, team__isnull=False).order_by("pk").first()
    assert rep is not None
    feature = Feature.objects.order_by("pk").first()
    assert feature is not None
    battlecard = BattlecardFactory()
    CompetitorProduct.objects.create(
        competitor=battlecard.competitor, name="Suite", description="Their bundle", pricing="€40 a seat"
    )
    BattlecardRevision.objects.create(
        battlecard=battlecard, section="strengths", before="", after="Fast", changed_at=NOW, version=2
    )
    FieldIntelFactory()
    LossFeatureFactory()
    RoadmapSettings.objects.create(public_roadmap_enabled=True, updated_by=admin)
    research = MarketResearch.objects.create(feature=feature, target_segment="mid-market", notes="Line one\nline two")
    research.competitors.add(battlecard.competitor)
    build = FeatureBuildFactory()
    build.needs.add(feature)
    plan = QuarterPlan.objects.create(
        fiscal_year=2027,
        fiscal_quarter=1,
        blend=Decimal("0.50"),
        revenue=Decimal("120000.00"),
        strategic=Decimal("3.25"),
        note='=cmd|" /C calc"!A0, "quoted"',
        chosen_by=admin,
        chosen_at=NOW,
    )
    plan.features.add(feature)
    ChecklistItemFactory()
    SuccessMetricFactory()
    DigestSettings.objects.create()
    call = CustomerCallFactory()
    call.asks.add(Ask.objects.order_by("pk").first())
    CallAttendeeFactory(call=call, product_manager=User.objects.filter(role=Role.PRODUCT_MANAGER).first())
    CallNote.objects.create(call=call, author=call.opened_by, body="Wants SSO", created_at=NOW)
    CoachingNoteFactory(rep=rep)
    CoachingReviewFactory(rep=rep, figures={"won": "12500.00", "deals": [1, 2]})
    item = ActionItemFactory()
    item.meeting.review.attendees.add(rep)
    MeetingDecision.objects.create(
        meeting=item.meeting, decision=Decision.objects.order_by("pk").first(), agenda_item="asks"
    )
    SavedView.objects.create(owner=rep, list_name="sales:opportunity_list", name="Quiet", query="activity=quiet")
    AuditEntryFactory()
    # The cycles: a team's manager in that team, an ask decided by a decision and a duplicate of a later ask.
    assert Team.objects.filter(manager__team__isnull=False).exists()
    merged = Ask.objects.filter(status=Ask.Status.MERGED).order_by("pk").first()
    assert merged is not None
    original = Ask.objects.exclude(status=Ask.Status.MERGED).filter(pk__gt=merged.pk).order_by("-pk").first()
    Ask.objects.filter(pk=merged.pk).update(duplicate_of=original)
    assert Ask.objects.filter(outcome_decision__isnull=False).exists()


def _records() -> dict[str, dict[Any, tuple[Any, ...]]]:
    """Every record of every exported kind, each column's value as the database gives it back."""
    return {
        label: {
            row[0]: row
            for row in apps.get_model(label)
            ._base_manager.order_by("pk")
            .values_list(*columns_of(apps.get_model(label)))
        }
        for label in WORKSPACE_MODELS
    }


def _month_figures() -> set[tuple[Any, ...]]:
    """The figures the database keeps from the records: the reps' months of deals, the funnel's days."""
    figures: set[tuple[Any, ...]] = set()
    for model in (RepMonthFigures, LeadDayFigures, LeadRepDayFigures):
        columns = [field.attname for field in model._meta.concrete_fields if not field.primary_key]
        figures |= {(model._meta.label, *row) for row in model.objects.values_list(*columns)}
    return figures


def _download(client: Any, tmp_path: Path) -> Path:
    response = client.get(EXPORT)
    assert response.status_code == 200
    path = tmp_path / "workspace.zip"
    path.write_bytes(b"".join(response.streaming_content))
    return path


def _empty_the_workspace() -> None:
    """What a new Tandem holds: nothing of Tandem's, not even its fresh install's rows."""
    tables = [
        connection.ops.quote_name(apps.get_model(label)._meta.db_table) for label in [*WORKSPACE_MODELS, *OMITTED]
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE, as the audit trail refuses DELETE; it waits for no pending reference check.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")


def test_a_workspace_comes_back_record_for_record(db, client, tmp_path):
    _one_of_every_kind()
    admin = User.objects.get(role=Role.ADMIN)
    client.force_login(admin)
    archive = _download(client, tmp_path)
    before = _records()
    assert [label for label, rows in before.items() if not rows] == []  # one record of each kind at least
    figures = _month_figures()

    _empty_the_workspace()
    assert _records() == {label: {} for label in WORKSPACE_MODELS}
    call_command("import_workspace", str(archive), stdout=io.StringIO())

    after = _records()
    for label in WORKSPACE_MODELS:
        assert after[label] == before[label], label
    # What the import computes again: every rep's monthly figures from the deals, the funnel's days from the leads.
    assert _month_figures() == figures
    # Nobody's old password works; new records get fresh ids.
    assert not any(user.check_password(DEMO_PASSWORD) for user in User.objects.all())
    assert all(user.has_usable_password() for user in User.objects.all())  # "Forgot your password?" works
    account = Account.objects.create(name="After the import", owner=admin)
    assert account.pk > max(before["sales.Account"])


def _zip(exported: Path, change: Any) -> Path:
    """The export, changed by `change(files, manifest)` (files: name → text)."""
    with zipfile.ZipFile(exported) as archive:
        files = {name: archive.read(name).decode() for name in archive.namelist()}
    manifest = json.loads(files.pop("manifest.json"))
    change(files, manifest)
    path = exported.with_name("changed.zip")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
        archive.writestr("manifest.json", json.dumps(manifest))
    return path


@pytest.fixture
def exported(client, admin_user, rep, product_manager, tmp_path):
    """A small workspace exported, then emptied: ready to be imported again."""
    Account.objects.create(name="Acme", owner=rep)
    client.force_login(admin_user)
    path = _download(client, tmp_path)
    _empty_the_workspace()
    return path


def _refused(path: Path, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        workspace_import(source=path)
    assert workspace_holdings(actor=None) == []  # nothing written


def _edit(label: str, edit: Any) -> Any:
    def change(files: dict[str, str], manifest: dict[str, Any]) -> None:
        rows = list(csv.reader(io.StringIO(files[file_name(label)])))
        edit(rows)
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        files[file_name(label)] = out.getvalue()

    return change


def test_the_small_workspace_imports_and_its_people_reset_their_passwords(client, exported, rep, mailoutbox):
    summary = workspace_import(source=exported)
    assert summary.rows["sales.Account"] == 1
    assert Account.objects.get().name == "Acme"
    # Django sends no reset link to an unusable password: the imported one is usable, and unknown.
    client.post(reverse("password_reset"), {"email": rep.email})
    assert [message.to for message in mailoutbox] == [[rep.email]]


def test_the_triage_inbox_suggests_for_the_imported_asks(
    client, admin_user, product_manager, tmp_path, django_capture_on_commit_callbacks
):
    """The export leaves the suggestion vectors out; the worker rebuilds them once the import commits."""
    feature = FeatureFactory(title="Okta single sign-on")
    ask = AskFactory(need="Single sign-on with Okta")
    client.force_login(admin_user)
    path = _download(client, tmp_path)
    _empty_the_workspace()
    forget_index()

    with django_capture_on_commit_callbacks() as after_commit:
        workspace_import(source=path)
    client.force_login(User.objects.get(pk=product_manager.pk))  # as imported, with a new password
    assert _inbox_suggestions(client, ask) == []  # nothing indexed yet: the import alone suggests nothing
    for callback in after_commit:
        callback()  # the task, run at once by the tests' task backend

    assert _inbox_suggestions(client, ask)[:1] == [feature]
    forget_index()


def _inbox_suggestions(client: Any, ask: Ask) -> list[Any]:
    response = client.get(reverse("asks:ask_detail", args=[ask.pk]), {"inbox": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return [suggestion.feature for suggestion in response.context["suggestions"]]


def test_another_format_version_is_refused(exported):
    path = _zip(exported, lambda files, manifest: manifest.update(format="tandem-workspace/2"))
    _refused(path, f"format “tandem-workspace/2”; this Tandem imports “{FORMAT}”")


def test_a_missing_file_is_refused(exported):
    path = _zip(exported, lambda files, manifest: files.pop("sales.account.csv"))
    _refused(path, "The zip lacks sales.account.csv")


def test_a_kind_missing_from_the_manifest_is_refused(exported):
    def change(files: dict[str, str], manifest: dict[str, Any]) -> None:
        manifest["files"] = [entry for entry in manifest["files"] if entry["model"] != "leads.Lead"]

    _refused(_zip(exported, change), "it lacks leads.Lead")


def test_a_row_count_that_differs_from_the_manifest_is_refused(exported):
    path = _zip(exported, _edit("sales.Account", lambda rows: rows.pop()))
    _refused(path, "sales.account.csv holds 0 rows; its manifest says 1")


def test_changed_columns_are_refused(exported):
    def change(files: dict[str, str], manifest: dict[str, Any]) -> None:
        entry = next(entry for entry in manifest["files"] if entry["model"] == "sales.Account")
        entry["columns"] = entry["columns"][:-1]

    _refused(_zip(exported, change), "The manifest gives sales.account.csv the columns")


@pytest.mark.parametrize(
    ("column", "cell", "reason"),
    [
        ("created_at", "yesterday", "does not read back"),
        ("annual_revenue", "12,5", "a number expected"),
        ("owner_id", "seven", "a whole number expected"),
        ("name", "x" * 300, "longer than 200 characters"),
    ],
)
def test_a_bad_cell_is_refused_with_its_line_and_column(exported, column, cell, reason):
    def edit(rows: list[list[str]]) -> None:
        rows[1][rows[0].index(column)] = cell

    path = _zip(exported, _edit("sales.Account", edit))
    _refused(path, f"sales.account.csv, line 2, column {column}: .* {reason}")


def test_a_reference_to_a_missing_record_is_refused(exported):
    def edit(rows: list[list[str]]) -> None:
        rows[1][rows[0].index("owner_id")] = "999999"

    _refused(_zip(exported, _edit("sales.Account", edit)), "The database refused the references between files")


def test_a_non_empty_workspace_is_refused(exported):
    User.objects.create_user(username="someone", email="someone@example.com")
    with pytest.raises(ValidationError, match=r"already holds records \(users\)"):
        workspace_import(source=exported)
    assert User.objects.count() == 1


def test_a_zip_bomb_is_refused_before_it_is_read(exported):
    path = _zip(
        exported,
        lambda files, manifest: files.update({"sales.account.csv": files["sales.account.csv"] + "\n" * 20_000_000}),
    )
    _refused(path, "sales.account.csv is compressed .* times: it looks like a zip bomb")


def test_a_file_that_is_not_a_zip_is_refused(tmp_path, db):
    path = tmp_path / "workspace.zip"
    path.write_text("id,name\n1,Acme\n")
    _refused(path, "not a readable zip file")


def test_the_command_says_why_it_refuses(exported):
    path = _zip(exported, lambda files, manifest: manifest.update(format="other"))
    with pytest.raises(CommandError, match="this Tandem imports"):
        call_command("import_workspace", str(path))


def test_an_admin_imports_on_the_page_and_stays_signed_in(client, exported, admin_user):
    """The page's admin is the empty Tandem's one person: the imported user with their username keeps
    their password, and they are signed in as that user."""
    User.objects.all().delete()
    importer = User.objects.create_user(username=admin_user.username, email="new@example.com", role=Role.ADMIN)
    importer.set_password("the importer's own")
    importer.save()
    client.force_login(importer)
    assert client.get(IMPORT).status_code == 200
    upload = SimpleUploadedFile("workspace.zip", exported.read_bytes(), content_type="application/zip")
    response = client.post(IMPORT, {"file": upload})
    assert response.status_code == 302
    assert Account.objects.get().name == "Acme"
    assert User.objects.get(username=admin_user.username).check_password("the importer's own")
    assert client.get(reverse("people:profile")).status_code == 200
    assert User.objects.get(username=admin_user.username).pk == admin_user.pk


def test_the_page_refuses_a_workspace_without_the_importer(client, exported, admin_user):
    User.objects.all().delete()
    importer = User.objects.create_user(username="newcomer", email="new@example.com", role=Role.ADMIN)
    client.force_login(importer)
    upload = SimpleUploadedFile("workspace.zip", exported.read_bytes(), content_type="application/zip")
    response = client.post(IMPORT, {"file": upload})
    assert response.status_code == 200
    assert "has no one named “newcomer”" in response.content.decode()
    assert list(User.objects.all()) == [importer]


def test_the_page_says_when_the_workspace_is_not_empty(client, admin_user, rep):
    client.force_login(admin_user)
    page = client.get(IMPORT).content.decode()
    assert 'data-testid="workspace-not-empty"' in page
    assert "people.User" not in page  # the kinds held, in the product's words
    assert "the background worker rebuilds them" in page
    assert "github.com" not in page  # Tandem serves no documentation pages to link to


@pytest.mark.parametrize("role", [role for role in Role if role != Role.ADMIN])
def test_only_an_admin_imports_a_workspace(client, user_with_role, role):
    client.force_login(user_with_role(role))
    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {}).status_code == 403


def test_the_profile_page_offers_the_import_to_admins_only(client, admin_user, executive):
    client.force_login(admin_user)
    assert IMPORT in client.get(reverse("people:profile")).content.decode()
    client.force_login(executive)
    assert IMPORT not in client.get(reverse("people:profile")).content.decode()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
JSON_FIELD = st.lists(JSON, max_size=3) | st.dictionaries(st.text(), JSON, max_size=3)


@given(
    st.one_of(
        st.tuples(st.just(models.BooleanField()), st.booleans()),
        st.tuples(st.just(models.DateField()), st.dates()),
        st.tuples(st.just(models.DateTimeField()), st.datetimes(timezones=st.just(datetime.UTC))),
        st.tuples(st.just(models.DecimalField()), st.decimals(allow_nan=False, allow_infinity=False, places=2)),
        st.tuples(
            st.just(models.JSONField()), st.lists(JSON, max_size=3) | st.dictionaries(st.text(), JSON, max_size=3)
        ),
        st.tuples(st.just(models.PositiveIntegerField()), st.integers(min_value=0, max_value=2**63 - 1)),
        st.tuples(st.just(models.TextField()), st.text()),
    )
)
def test_every_value_the_export_writes_reads_back_as_it_was(field_and_value):
    # Times as the database gives them: in UTC (it stores no zone).
    model_field, value = field_and_value
    assert _reader(model_field)(value_text(value)) == value
