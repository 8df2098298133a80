import datetime
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.core.fiscal import fiscal_quarter_of
from tandem.core.money import workspace_get
from tandem.dashboards.selectors import dashboard_pipeline
from tandem.sales.models import Stage
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory, QuotaFactory, StageFactory

TODAY = datetime.date(2026, 11, 23)  # FY2026 Q4 with a January fiscal year

pytestmark = pytest.mark.django_db


@pytest.fixture
def stages():
    return (
        StageFactory(name="Discovery", order=1, default_probability=20),
        StageFactory(
            name="Proposal", order=3, default_probability=60, forecast_category=Stage.ForecastCategory.BEST_CASE
        ),
        StageFactory(
            name="Closed won",
            order=8,
            default_probability=100,
            forecast_category=Stage.ForecastCategory.CLOSED,
            is_won=True,
        ),
    )


def deal(owner, stage, amount, close_date):
    return OpportunityFactory(
        account=AccountFactory(owner=owner), owner=owner, stage=stage, amount=Decimal(amount), close_date=close_date
    )


def test_pipeline_by_stage_counts_only_open_deals_the_user_may_see(rep, outsider_rep, stages):
    discovery, proposal, won = stages
    deal(rep, discovery, "1000", TODAY)
    deal(rep, discovery, "2000", TODAY)
    deal(rep, proposal, "5000", TODAY)
    deal(rep, won, "9000", TODAY)
    deal(outsider_rep, discovery, "7000", TODAY)

    data = dashboard_pipeline(user=rep, today=TODAY)

    assert [{k: row[k] for k in ("name", "total", "count")} for row in data["stages"]] == [
        {"name": "Discovery", "total": 3000.0, "count": 2},
        {"name": "Proposal", "total": 5000.0, "count": 1},
    ]
    # Each bar opens its stage's open deals.
    assert data["stages"][0]["url"] == f"{reverse('sales:opportunity_list')}?status=open&stage={discovery.pk}"


def test_won_per_quarter_is_set_against_the_quota_of_that_quarter(rep, stages):
    won = stages[2]
    deal(rep, won, "30000", datetime.date(2026, 11, 2))
    deal(rep, won, "10000", datetime.date(2026, 8, 1))
    deal(rep, won, "99000", datetime.date(2024, 1, 1))  # before the six quarters shown
    QuotaFactory(user=rep, fiscal_year=2026, fiscal_quarter=4, amount=Decimal("100000"))

    quarters = dashboard_pipeline(user=rep, today=TODAY)["quarters"]

    assert [q["label"] for q in quarters] == [
        "FY2025 Q3",
        "FY2025 Q4",
        "FY2026 Q1",
        "FY2026 Q2",
        "FY2026 Q3",
        "FY2026 Q4",
    ]
    assert quarters[-1] == {"label": "FY2026 Q4", "won": 30000.0, "quota": 100000.0}
    assert quarters[-2] == {"label": "FY2026 Q3", "won": 10000.0, "quota": None}


def test_dashboard_page_embeds_its_numbers_for_the_charts(client, rep, stages):
    deal(rep, stages[0], "1000", timezone.localdate())
    client.force_login(rep)

    response = client.get(reverse("dashboards:dashboard"))

    assert response.status_code == 200
    html = response.content.decode()
    embedded = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html)
    assert embedded is not None
    assert json.loads(embedded.group(1))["stages"][0]["name"] == "Discovery"
    assert "vendor/echarts/echarts.min.js" in html


@pytest.mark.parametrize(("user_fixture", "title"), [("rep", "against quota"), ("product_manager", "")])
def test_the_won_chart_names_quota_only_for_those_who_see_one(client, request, stages, rep, user_fixture, title):
    today = timezone.localdate()
    deal(rep, stages[2], "1000", today)
    quarter = fiscal_quarter_of(today, workspace_get().fiscal_year_start_month)
    QuotaFactory(user=rep, fiscal_year=quarter.year, fiscal_quarter=quarter.quarter, amount=Decimal("5000"))
    client.force_login(request.getfixturevalue(user_fixture))

    html = client.get(reverse("dashboards:dashboard")).content.decode()

    heading = re.search(r'data-testid="quarters-title">(.*?)</h2>', html)
    assert heading is not None
    assert heading.group(1) == f"Won per fiscal quarter {title}".strip()


def test_engineering_lead_may_not_open_the_pipeline_dashboard(client, engineering_lead):
    client.force_login(engineering_lead)

    assert client.get(reverse("dashboards:dashboard")).status_code == 403


@pytest.mark.parametrize("user_fixture", ["rep", "sales_manager", "executive"])
def test_dashboard_costs_the_same_queries_with_1_or_10_deals(client, request, stages, rep, user_fixture):
    workspace_get()
    user = request.getfixturevalue(user_fixture)
    client.force_login(user)

    def measure():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("dashboards:dashboard")).status_code == 200
        return len(queries)

    deal(rep, stages[0], "1000", timezone.localdate())
    deal(rep, stages[2], "1000", timezone.localdate())
    with_one = measure()
    for _ in range(9):
        deal(rep, stages[0], "1000", timezone.localdate())
        deal(rep, stages[1], "1000", timezone.localdate())
        deal(rep, stages[2], "1000", timezone.localdate())
    assert measure() == with_one
