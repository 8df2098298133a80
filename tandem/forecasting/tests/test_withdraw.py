"""A manager withdraws an override they made: the roll-up counts the rep's call again, the audit
trail and the weekly history keep the override, and a stale or foreign withdrawal is refused."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import AuditEntry
from tandem.core.api import StaleVersion
from tandem.core.fiscal import fiscal_quarter_of
from tandem.forecasting.forms import quarter_key
from tandem.forecasting.models import ForecastOverride, ForecastSnapshot
from tandem.forecasting.selectors import rep_lines
from tandem.forecasting.services import (
    forecast_call_submit,
    forecast_override_set,
    forecast_override_withdraw,
    forecast_snapshot_take,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarter():
    return fiscal_quarter_of(timezone.localdate(), 1)


def _call_and_override(rep, manager, quarter):
    forecast_call_submit(
        actor=rep, quarter=quarter, commit=Decimal(100000), best_case=Decimal(150000), expected_version=0
    )
    return forecast_override_set(
        actor=manager, rep=rep, quarter=quarter, commit=Decimal(70000), best_case=Decimal(90000),
        note="Acme slips", expected_version=0,
    )  # fmt: skip


def _forecast_commit(user, rep, quarter):
    (line,) = rep_lines(user=user, quarter=quarter, start_month=1, reps=[rep.pk])
    return line.forecast_commit


def test_withdrawing_counts_the_call_again_and_the_trail_and_history_keep_it(rep, sales_manager, quarter):
    override = _call_and_override(rep, sales_manager, quarter)
    forecast_snapshot_take()
    assert _forecast_commit(sales_manager, rep, quarter) == Decimal("70000.00")
    with pytest.raises(StaleVersion):
        forecast_override_withdraw(actor=sales_manager, rep=rep, quarter=quarter, expected_version=2)
    forecast_override_withdraw(actor=sales_manager, rep=rep, quarter=quarter, expected_version=override.version)
    assert not ForecastOverride.objects.exists()
    assert _forecast_commit(sales_manager, rep, quarter) == Decimal("100000.00")
    last = AuditEntry.objects.order_by("pk").last()
    assert (last.record_type, last.action, last.actor_id) == (
        "forecasting.forecastoverride",
        "deleted",
        sales_manager.pk,
    )
    assert last.changes["commit"][0] == {"amount": "70000.00", "currency": "USD"}
    assert ForecastSnapshot.objects.get(rep=rep, fiscal_quarter=quarter.quarter).override_commit == Decimal("70000.00")
    with pytest.raises(Http404):  # nothing left to withdraw
        forecast_override_withdraw(actor=sales_manager, rep=rep, quarter=quarter, expected_version=1)


def test_who_may_withdraw(rep, outsider_rep, sales_manager, executive, admin_user, quarter):
    override = _call_and_override(rep, sales_manager, quarter)
    with pytest.raises(PermissionDenied):
        forecast_override_withdraw(actor=rep, rep=rep, quarter=quarter, expected_version=1)
    with pytest.raises(PermissionDenied):
        forecast_override_withdraw(actor=executive, rep=rep, quarter=quarter, expected_version=1)
    with pytest.raises(Http404):
        forecast_override_withdraw(actor=sales_manager, rep=outsider_rep, quarter=quarter, expected_version=1)
    forecast_override_withdraw(actor=admin_user, rep=rep, quarter=quarter, expected_version=override.version)
    assert not ForecastOverride.objects.exists()


def test_the_page_offers_the_withdrawal_and_the_api_answers_204(client, rep, sales_manager, quarter, bearer):
    _call_and_override(rep, sales_manager, quarter)
    client.force_login(sales_manager)
    page = client.get(reverse("forecasting:forecast"), {"rep": rep.pk, "quarter": quarter_key(quarter)})
    assert b'data-testid="override-withdraw"' in page.content
    url = reverse("forecasting:override_withdraw", args=[rep.pk])
    stale = client.post(url, {"quarter": quarter_key(quarter), "version": 5}, follow=True)
    assert "changed this override" in stale.content.decode()
    assert ForecastOverride.objects.exists()
    done = client.post(url, {"quarter": quarter_key(quarter), "version": 1}, follow=True)
    assert "is withdrawn" in done.content.decode()
    assert b'data-testid="override-withdraw"' not in done.content
    assert not ForecastOverride.objects.exists()

    again = forecast_override_set(
        actor=sales_manager, rep=rep, quarter=quarter, commit=Decimal(1), best_case=Decimal(2), note="Again",
        expected_version=0,
    )  # fmt: skip
    api = f"/api/forecast/reps/{rep.pk}/override?quarter={quarter_key(quarter)}&version="
    assert client.delete(api + "9", **bearer(sales_manager)).status_code == 409
    assert client.delete(api + str(again.version), **bearer(sales_manager)).status_code == 204
    assert client.delete(api + "1", **bearer(sales_manager)).status_code == 404
