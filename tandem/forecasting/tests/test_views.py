"""The forecast page and API as each role reads them."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.core.fiscal import fiscal_quarter_of
from tandem.core.roles import Role
from tandem.forecasting.forms import quarter_key
from tandem.forecasting.models import ForecastCall
from tandem.forecasting.services import forecast_call_submit, forecast_override_set, forecast_snapshot_take
from tandem.people.tests.factories import UserFactory
from tandem.sales.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def _quarter():
    return fiscal_quarter_of(timezone.localdate(), 1)


def _call(rep, commit="100000"):
    return forecast_call_submit(
        actor=rep, quarter=_quarter(), commit=Decimal(commit), best_case=Decimal(commit) * 2, expected_version=0
    )


def test_the_navigation_offers_the_forecast_to_sales_and_executives_only(client, user_with_role):
    for role in Role:
        client.force_login(user_with_role(role))
        shown = 'href="/forecast/"' in client.get("/").content.decode()
        assert shown == (role in (Role.REP, Role.SALES_MANAGER, Role.EXECUTIVE, Role.ADMIN)), role


def test_the_manager_sees_calls_overrides_and_the_team_total(client, rep, other_rep, sales_manager):
    _call(rep, "100000")
    _call(other_rep, "50000")
    forecast_override_set(
        actor=sales_manager, rep=rep, quarter=_quarter(), commit=Decimal("70000"), best_case=Decimal("90000"),
        note="Acme slips", expected_version=0,
    )  # fmt: skip
    client.force_login(sales_manager)
    html = client.get("/forecast/").content.decode()
    assert "100,000 USD" in html
    assert "Acme slips" in html  # the override's reason, on hover
    assert "150,000 USD" in html  # the reps' calls
    assert "120,000 USD" in html  # the team's forecast, the override counted instead of the call
    client.force_login(rep)
    html = client.get("/forecast/").content.decode()
    assert "Acme slips" not in html
    assert "70,000 USD" not in html


def test_the_executive_reads_the_company_by_manager_and_opens_a_manager(client, rep, sales_manager, executive):
    _call(rep)
    client.force_login(executive)
    html = client.get("/forecast/").content.decode()
    assert "Teams' calls rolled up by manager" in html
    assert str(sales_manager) in html
    html = client.get("/forecast/", {"manager": sales_manager.pk}).content.decode()
    assert str(rep) in html
    assert "Override the call" not in client.get("/forecast/", {"rep": rep.pk}).content.decode()


def test_a_rep_of_another_team_is_not_found(client, sales_manager, outsider_rep):
    client.force_login(sales_manager)
    assert client.get("/forecast/", {"rep": outsider_rep.pk}).status_code == 404


def test_a_stale_call_from_the_page_answers_409_with_the_reason(client, rep):
    _call(rep)
    client.force_login(rep)
    data = {"quarter": quarter_key(_quarter()), "version": 0, "commit": "1", "best_case": "2", "note": ""}
    response = client.post("/forecast/call/", data)
    assert response.status_code == 409
    assert "changed since you opened it" in response.content.decode()
    assert ForecastCall.objects.get(rep=rep).commit == Decimal("100000.00")


def test_the_company_page_costs_the_same_queries_for_3_and_30_reps(client, executive, sales_manager, sales_team):
    forecast_snapshot_take()
    client.force_login(executive)
    client.get("/forecast/")  # warm the session and the workspace

    def reps(count):
        for _ in range(count):
            person = UserFactory(role=Role.REP, team=sales_team)
            OpportunityFactory(owner=person, account__owner=person, close_date=timezone.localdate())
            _call(person)

    reps(3)
    cache.clear()  # counted cold: the company's accuracy read too, not only kept
    with CaptureQueriesContext(connection) as few:
        assert client.get("/forecast/").status_code == 200
    reps(27)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        assert client.get("/forecast/").status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries), [q["sql"] for q in many.captured_queries]
    with CaptureQueriesContext(connection) as kept:
        assert client.get("/forecast/").status_code == 200
    assert len(kept.captured_queries) == len(many.captured_queries) - 2  # the ended quarters' accuracy is kept
    client.force_login(sales_manager)
    client.get("/forecast/")
    with CaptureQueriesContext(connection) as team:
        assert client.get("/forecast/").status_code == 200
    assert len(team.captured_queries) <= len(few.captured_queries) + 2


def test_the_api_reads_and_writes_with_the_pages_rules(client, rep, sales_manager, bearer):
    quarter = quarter_key(_quarter())
    body = {"quarter": quarter, "version": 0, "commit": "100000", "best_case": "150000", "note": "Two deals"}
    made = client.post("/api/forecast/calls", body, content_type="application/json", **bearer(rep))
    assert made.status_code == 200
    assert made.json()["version"] == 1
    stale = client.post("/api/forecast/calls", body, content_type="application/json", **bearer(rep))
    assert stale.status_code == 409
    override = {**body, "commit": "80000", "note": "Slips"}
    url = f"/api/forecast/reps/{rep.pk}/override"
    assert client.post(url, override, content_type="application/json", **bearer(sales_manager)).status_code == 200
    read = client.get("/api/forecast", {"quarter": quarter}, **bearer(sales_manager)).json()
    (line,) = [r for r in read["reps"] if r["rep_id"] == rep.pk]
    assert (line["call"]["commit"], line["override"]["commit"], line["forecast_commit"]) == (
        "100000.00",
        "80000.00",
        "80000.00",
    )
    own = client.get("/api/forecast", {"quarter": quarter}, **bearer(rep)).json()
    assert own["reps"][0]["override"] is None
    assert client.get("/api/forecast", {"quarter": "next"}, **bearer(rep)).status_code == 422
