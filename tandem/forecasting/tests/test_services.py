"""The rules of calls, overrides and the weekly snapshot."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tandem.audit.models import AuditEntry
from tandem.core.api import StaleVersion
from tandem.core.fiscal import fiscal_quarter_of
from tandem.forecasting.models import ForecastCall, ForecastOverride, ForecastSnapshot, ForecastWeek
from tandem.forecasting.selectors import week_of
from tandem.forecasting.services import (
    forecast_call_submit,
    forecast_override_set,
    forecast_snapshot_due,
    forecast_snapshot_take,
)
from tandem.sales.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarter():
    return fiscal_quarter_of(timezone.localdate(), 1)


def call(rep, quarter, commit="100000", best_case="150000", version=0, note="Two deals in legal"):
    return forecast_call_submit(
        actor=rep, quarter=quarter, commit=Decimal(commit), best_case=Decimal(best_case), note=note,
        expected_version=version,
    )  # fmt: skip


def override(actor, rep, quarter, commit="80000", version=0, note="Acme slips"):
    return forecast_override_set(
        actor=actor, rep=rep, quarter=quarter, commit=Decimal(commit), best_case=Decimal("120000"), note=note,
        expected_version=version,
    )  # fmt: skip


def test_a_rep_calls_then_changes_their_call_and_a_stale_change_is_refused(rep, quarter):
    first = call(rep, quarter)
    assert (first.version, first.commit) == (1, Decimal("100000"))
    second = call(rep, quarter, commit="120000", version=1)
    assert second.pk == first.pk
    assert second.version == 2
    with pytest.raises(StaleVersion):
        call(rep, quarter, commit="90000", version=1)  # another tab, opened before the last change
    with pytest.raises(StaleVersion):
        call(rep, quarter.next(), version=3)  # claims a call the next quarter does not have
    assert ForecastCall.objects.get(pk=first.pk).commit == Decimal("120000")


def test_calls_are_for_the_current_quarter_and_the_next_only(rep, quarter):
    call(rep, quarter.next())
    with pytest.raises(ValidationError) as error:
        call(rep, quarter.next().next())
    assert "current fiscal quarter and the next" in str(error.value)
    with pytest.raises(ValidationError):
        call(rep, quarter.previous())


def test_the_best_case_cannot_be_below_the_commit(rep, quarter):
    with pytest.raises(ValidationError) as error:
        call(rep, quarter, commit="200000", best_case="150000")
    assert error.value.message_dict == {"best_case": ["The best case includes the commit: it cannot be less."]}


@pytest.mark.parametrize("role_fixture", ["sales_manager", "executive", "admin_user", "product_manager"])
def test_only_reps_call(request, role_fixture, quarter):
    with pytest.raises(PermissionDenied):
        call(request.getfixturevalue(role_fixture), quarter)


def test_the_manager_overrides_beside_the_call_which_stays(rep, sales_manager, quarter):
    rep_call = call(rep, quarter)
    made = override(sales_manager, rep, quarter)
    assert made.set_by == sales_manager
    assert ForecastCall.objects.get(pk=rep_call.pk).commit == Decimal("100000")
    changed = override(sales_manager, rep, quarter, commit="70000", version=1)
    assert changed.version == 2
    with pytest.raises(StaleVersion):
        override(sales_manager, rep, quarter, commit="60000", version=1)
    with pytest.raises(ValidationError) as error:
        override(sales_manager, rep, quarter, version=2, note="  ")
    assert "Say why you override" in str(error.value)


def test_who_may_override_whom(rep, outsider_rep, sales_manager, executive, admin_user, quarter):
    with pytest.raises(Http404):
        override(sales_manager, outsider_rep, quarter)  # another team's rep: as if there were none
    with pytest.raises(PermissionDenied):
        override(executive, rep, quarter)  # executives read the roll-up
    with pytest.raises(PermissionDenied):
        override(rep, rep, quarter)
    assert override(admin_user, outsider_rep, quarter).set_by == admin_user


def test_calls_and_overrides_are_in_the_audit_trail(rep, sales_manager, quarter):
    call(rep, quarter)
    call(rep, quarter, commit="110000", version=1)
    override(sales_manager, rep, quarter)
    entries = list(AuditEntry.objects.order_by("pk").values_list("record_type", "action", "changes"))
    assert [(kind, action) for kind, action, _ in entries] == [
        ("forecasting.forecastcall", "created"),
        ("forecasting.forecastcall", "changed"),
        ("forecasting.forecastoverride", "created"),
    ]
    assert entries[1][2]["commit"] == [
        {"amount": "100000.00", "currency": "USD"},
        {"amount": "110000.00", "currency": "USD"},
    ]


def test_the_weekly_snapshot_keeps_call_override_and_figures_once_a_week(rep, sales_manager, stages, quarter):
    OpportunityFactory(owner=rep, stage=stages.won, amount=Decimal("30000"), close_date=timezone.localdate())
    OpportunityFactory(owner=rep, stage=stages.proposal, amount=Decimal("50000"), close_date=timezone.localdate())
    call(rep, quarter)
    override(sales_manager, rep, quarter)
    now = timezone.now()
    assert forecast_snapshot_due(now=now)

    taken = forecast_snapshot_take(now=now)

    assert taken is not None
    assert taken.week == week_of(now.astimezone(datetime.UTC).date())
    snapshot = ForecastSnapshot.objects.get(rep=rep, fiscal_year=quarter.year, fiscal_quarter=quarter.quarter)
    assert (snapshot.call_commit, snapshot.override_commit) == (Decimal("100000.00"), Decimal("80000.00"))
    assert (snapshot.closed_won, snapshot.best_case, snapshot.weighted) == (
        Decimal("30000.00"),
        Decimal("50000.00"),
        Decimal("30000.00"),
    )
    # The next quarter's is kept too; a second run the same week writes nothing.
    assert ForecastSnapshot.objects.filter(rep=rep).count() == 2
    assert forecast_snapshot_take(now=now + datetime.timedelta(hours=1)) is None
    assert not forecast_snapshot_due(now=now)
    assert ForecastWeek.objects.count() == 1
    # The next week takes its own.
    assert forecast_snapshot_take(now=now + datetime.timedelta(days=7)) is not None
    assert ForecastSnapshot.objects.filter(rep=rep).count() >= 3


def test_the_first_forecast_page_of_the_week_takes_its_snapshot(client, rep):
    client.force_login(rep)
    assert client.get("/forecast/").status_code == 200
    assert ForecastWeek.objects.count() == 1  # the test settings run tasks at once


def test_the_command_takes_the_snapshot(rep, capsys):
    from django.core.management import call_command

    call_command("forecast_snapshot")
    call_command("forecast_snapshot")
    out = capsys.readouterr().out
    assert "rows" in out
    assert "already taken" in out
    assert ForecastOverride.objects.count() == 0
