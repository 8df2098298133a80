import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.asks.models import Ask, Decision, FeatureEvidence
from tandem.asks.tests.factories import AskFactory, DecisionFactory
from tandem.core.fiscal import fiscal_quarter_of
from tandem.core.money import workspace_get
from tandem.core.roles import Role
from tandem.dashboards.selectors import home_context
from tandem.people.tests.factories import TeamFactory
from tandem.product.models import Feature, Release
from tandem.product.tests.factories import FeatureFactory, ReleaseFactory
from tandem.sales.models import Stage
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory, QuotaFactory, StageFactory

# 23 November 2026 lies in FY2026 Q4 (1 October to 31 December) with a January fiscal year.
TODAY = datetime.date(2026, 11, 23)
IN_QUARTER = datetime.date(2026, 12, 15)
NEXT_QUARTER = datetime.date(2027, 1, 15)
LAST_WEEK = datetime.date(2026, 11, 16)

pytestmark = pytest.mark.django_db


@pytest.fixture
def stages():
    return {
        "discovery": StageFactory(name="Discovery", order=1, default_probability=20),
        "commit": StageFactory(
            name="Negotiation", order=4, default_probability=80, forecast_category=Stage.ForecastCategory.COMMIT
        ),
        "won": StageFactory(
            name="Closed won",
            order=8,
            default_probability=100,
            forecast_category=Stage.ForecastCategory.CLOSED,
            is_won=True,
        ),
        "lost": StageFactory(
            name="Closed lost",
            order=9,
            default_probability=0,
            forecast_category=Stage.ForecastCategory.OMITTED,
            is_lost=True,
        ),
    }


def deal(owner, stage, amount, close_date, **extra):
    account = AccountFactory(owner=owner)
    return OpportunityFactory(
        account=account, owner=owner, stage=stage, amount=Decimal(amount), close_date=close_date, **extra
    )


def feature_with_evidence(open_pipeline, **extra):
    feature = FeatureFactory.create(**extra)
    FeatureEvidence.objects.update_or_create(
        feature=feature, defaults={"open_pipeline": Decimal(open_pipeline), "accounts_count": 1}
    )
    return feature


class TestRepHome:
    def test_rep_sees_own_open_deals_closing_this_quarter_biggest_first(self, rep, other_rep, stages):
        small = deal(rep, stages["discovery"], "10000", IN_QUARTER)
        big = deal(rep, stages["commit"], "30000", IN_QUARTER)
        medium = deal(rep, stages["discovery"], "20000", TODAY)
        deal(rep, stages["won"], "99000", IN_QUARTER)
        deal(rep, stages["discovery"], "99000", NEXT_QUARTER)
        deal(other_rep, stages["discovery"], "99000", IN_QUARTER)

        context = home_context(user=rep, today=TODAY)

        assert context["deals"] == [big, medium, small]
        assert str(context["quarter"]) == "FY2026 Q4"

    def test_rep_home_shows_at_most_ten_deals(self, rep, stages):
        for amount in range(1, 13):
            deal(rep, stages["discovery"], amount * 1000, IN_QUARTER)

        deals = home_context(user=rep, today=TODAY)["deals"]

        assert len(deals) == 10
        assert deals[0].amount == Decimal("12000")

    def test_rep_totals_count_won_open_and_weighted_against_own_quota(self, rep, stages):
        deal(rep, stages["won"], "40000", IN_QUARTER)
        deal(rep, stages["lost"], "70000", IN_QUARTER)
        deal(rep, stages["discovery"], "10000", IN_QUARTER)  # 20% → 2,000 weighted
        deal(rep, stages["commit"], "50000", IN_QUARTER)  # 80% → 40,000 weighted
        deal(rep, stages["won"], "99000", NEXT_QUARTER)
        QuotaFactory(user=rep, fiscal_year=2026, fiscal_quarter=4, amount=Decimal("160000"))
        QuotaFactory(user=rep, fiscal_year=2027, fiscal_quarter=1, amount=Decimal("999999"))

        attainment = home_context(user=rep, today=TODAY)["attainment"]

        assert attainment.won == Decimal("40000.00")
        assert attainment.open == Decimal("60000.00")
        assert attainment.weighted == Decimal("42000.00")
        assert attainment.open_count == 2
        assert attainment.quota == Decimal("160000.00")
        assert attainment.percent == 25
        assert attainment.gap == Decimal("120000.00")

    def test_rep_without_quota_has_no_percentage(self, rep, stages):
        attainment = home_context(user=rep, today=TODAY)["attainment"]

        assert attainment.quota is None
        assert attainment.percent is None

    def test_rep_sees_own_recent_asks_and_slipping_count(self, rep, other_rep, stages):
        mine = AskFactory(opportunity=deal(rep, stages["discovery"], "1000", LAST_WEEK))
        AskFactory(opportunity=deal(other_rep, stages["discovery"], "1000", IN_QUARTER))
        deal(rep, stages["won"], "1000", LAST_WEEK)

        context = home_context(user=rep, today=TODAY)

        assert context["asks"] == [mine]
        assert context["slipping_count"] == 1


class TestSalesManagerHome:
    def test_manager_sees_team_forecast_by_category_this_quarter(
        self, sales_manager, rep, other_rep, outsider_rep, stages
    ):
        deal(rep, stages["discovery"], "10000", IN_QUARTER)
        deal(other_rep, stages["discovery"], "5000", IN_QUARTER)
        deal(rep, stages["commit"], "30000", IN_QUARTER)
        deal(rep, stages["won"], "20000", IN_QUARTER)
        deal(outsider_rep, stages["commit"], "99000", IN_QUARTER)
        deal(rep, stages["commit"], "99000", NEXT_QUARTER)

        context = home_context(user=sales_manager, today=TODAY)

        forecast = {row["category"]: (row["total"], row["count"]) for row in context["forecast"]}
        assert forecast == {
            Stage.ForecastCategory.COMMIT: (Decimal("30000.00"), 1),
            Stage.ForecastCategory.BEST_CASE: (Decimal("0.00"), 0),
            Stage.ForecastCategory.PIPELINE: (Decimal("15000.00"), 2),
        }
        assert context["forecast"][0]["category"] == Stage.ForecastCategory.COMMIT
        assert context["attainment"].won == Decimal("20000.00")

    def test_manager_attainment_is_measured_on_the_team_quota_not_the_sum_with_reps(
        self, sales_manager, sales_team, rep, stages
    ):
        deal(rep, stages["won"], "50000", IN_QUARTER)
        QuotaFactory(user=None, team=sales_team, fiscal_year=2026, fiscal_quarter=4, amount=Decimal("200000"))
        QuotaFactory(user=rep, fiscal_year=2026, fiscal_quarter=4, amount=Decimal("120000"))

        attainment = home_context(user=sales_manager, today=TODAY)["attainment"]

        assert attainment.quota == Decimal("200000.00")
        assert attainment.percent == 25

    def test_manager_sees_team_deals_slipping_past_their_close_date(self, sales_manager, rep, outsider_rep, stages):
        slipping = deal(rep, stages["commit"], "30000", LAST_WEEK)
        older = deal(rep, stages["discovery"], "1000", LAST_WEEK - datetime.timedelta(days=30))
        deal(rep, stages["won"], "30000", LAST_WEEK)
        deal(rep, stages["discovery"], "30000", IN_QUARTER)
        deal(outsider_rep, stages["discovery"], "30000", LAST_WEEK)

        context = home_context(user=sales_manager, today=TODAY)

        assert context["slipping"] == [older, slipping]
        assert context["slipping_count"] == 2


class TestProductManagerHome:
    def test_product_manager_sees_new_asks_waiting_for_triage(self, product_manager, rep):
        older = AskFactory(opportunity__owner=rep, created_at=timezone.now() - datetime.timedelta(days=2))
        newer = AskFactory(opportunity__owner=rep)
        AskFactory(feature=FeatureFactory(), status=Ask.Status.LINKED)

        context = home_context(user=product_manager, today=TODAY)

        assert context["new_asks_count"] == 2
        assert context["new_asks"] == [newer, older]

    def test_top_features_are_ordered_by_revenue_at_stake_and_skip_shipped_ones(self, product_manager):
        middle = feature_with_evidence("50000")
        top = feature_with_evidence("90000")
        feature_with_evidence("99000", status=Feature.Status.SHIPPED)
        feature_with_evidence("0")

        context = home_context(user=product_manager, today=TODAY)

        assert [evidence.feature for evidence in context["top_features"]] == [top, middle]

    def test_planned_releases_come_soonest_first_with_their_feature_counts(self, product_manager):
        later = ReleaseFactory(target_date=TODAY + datetime.timedelta(days=90))
        sooner = ReleaseFactory(target_date=TODAY + datetime.timedelta(days=10))
        FeatureFactory(release=sooner, effort=Decimal("3"))
        FeatureFactory(release=sooner)
        ReleaseFactory(status=Release.Status.SHIPPED, shipped_at=timezone.now())

        releases = home_context(user=product_manager, today=TODAY)["releases"]

        assert releases == [sooner, later]
        assert (releases[0].features_count, releases[0].unestimated_count) == (2, 1)


def test_engineering_lead_sees_planned_work_without_an_estimate(engineering_lead):
    release = ReleaseFactory()
    planned = FeatureFactory(status=Feature.Status.PLANNED, release=release, title="B planned")
    started = FeatureFactory(status=Feature.Status.IN_PROGRESS, title="A started")
    FeatureFactory(status=Feature.Status.PLANNED, effort=Decimal("2"))
    FeatureFactory(status=Feature.Status.BACKLOG)

    context = home_context(user=engineering_lead, today=TODAY)

    assert context["unestimated_count"] == 2
    assert context["unestimated"] == [planned, started]  # scheduled work first
    assert context["releases"] == [release]


def test_executive_sees_company_pipeline_against_the_sum_of_team_quotas(executive, rep, outsider_rep, stages):
    deal(rep, stages["won"], "30000", IN_QUARTER)
    deal(outsider_rep, stages["won"], "20000", IN_QUARTER)
    deal(outsider_rep, stages["commit"], "10000", IN_QUARTER)
    QuotaFactory(user=None, team=rep.team, fiscal_year=2026, fiscal_quarter=4, amount=Decimal("60000"))
    QuotaFactory(user=None, team=outsider_rep.team, fiscal_year=2026, fiscal_quarter=4, amount=Decimal("40000"))
    QuotaFactory(user=rep, fiscal_year=2026, fiscal_quarter=4, amount=Decimal("50000"))

    attainment = home_context(user=executive, today=TODAY)["attainment"]

    assert (attainment.won, attainment.open, attainment.quota) == (
        Decimal("50000.00"),
        Decimal("10000.00"),
        Decimal("100000.00"),
    )
    assert attainment.percent == 50


def test_executive_sees_recent_decisions_newest_first(executive, product_manager):
    older = DecisionFactory(
        feature=FeatureFactory(), decided_by=product_manager, decided_at=timezone.now() - datetime.timedelta(days=3)
    )
    newer = DecisionFactory(
        feature=FeatureFactory(),
        decided_by=product_manager,
        outcome=Decision.Outcome.PLANNED,
        release=ReleaseFactory(),
    )

    assert home_context(user=executive, today=TODAY)["decisions"] == [newer, older]


def test_admin_sees_users_by_role_and_teams_without_a_manager(admin_user, rep, other_rep, product_manager):
    orphan = TeamFactory(name="Partners", manager=None)

    context = home_context(user=admin_user, today=TODAY)

    counts = {row["role"]: row["count"] for row in context["users_by_role"]}
    assert counts[Role.REP] == 2
    assert counts[Role.PRODUCT_MANAGER] == 1
    assert counts[Role.ADMIN] == 1
    assert context["users_total"] == 5  # the sales manager of the team too
    assert context["teams_without_manager"] == [orphan]


def test_home_follows_the_workspaces_fiscal_year(rep, stages):
    workspace = workspace_get()
    workspace.fiscal_year_start_month = 2
    workspace.save()

    context = home_context(user=rep, today=TODAY)

    # With a February year, November falls in the fourth quarter of FY2027 (November to January).
    assert str(context["quarter"]) == "FY2027 Q4"
    assert (context["quarter_first"], context["quarter_last"]) == (
        datetime.date(2026, 11, 1),
        datetime.date(2027, 1, 31),
    )


# ---- the page itself --------------------------------------------------------------------------

HOME_MARKERS = {
    Role.REP: "My open deals closing this quarter",
    Role.SALES_MANAGER: "Deals slipping",
    Role.PRODUCT_MANAGER: "Asks waiting for triage",
    Role.ENGINEERING_LEAD: "Planned work without an effort estimate",
    Role.EXECUTIVE: "Company won this quarter",
    Role.ADMIN: "Teams without a manager",
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_its_own_home_page(client, user_with_role, role):
    client.force_login(user_with_role(role))

    response = client.get(reverse("dashboards:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-testid="home-{role}"' in html
    assert HOME_MARKERS[role] in html
    for other, marker in HOME_MARKERS.items():
        if other != role:
            assert marker not in html


def test_empty_rep_home_says_what_to_do_next(client, rep):
    client.force_login(rep)

    html = client.get(reverse("dashboards:home")).content.decode()

    assert "No open deal of yours closes this quarter" in html
    assert "You have not logged an ask yet" in html


def test_rep_home_links_each_deal_to_its_page(client, rep, stages):
    opportunity = deal(rep, stages["commit"], "30000", timezone.localdate())
    client.force_login(rep)

    html = client.get(reverse("dashboards:home")).content.decode()

    assert reverse("sales:opportunity_detail", args=[opportunity.pk]) in html
    assert opportunity.name in html


# ---- query counts -----------------------------------------------------------------------------


def populate(*, n, rep, product_manager, stages):
    """n of everything any home page lists: deals (this quarter and slipping), asks, features, releases."""
    today = timezone.localdate()
    quarter = fiscal_quarter_of(today, workspace_get().fiscal_year_start_month)
    first, last = quarter.bounds(workspace_get().fiscal_year_start_month)
    for _ in range(n):
        release = ReleaseFactory(target_date=today + datetime.timedelta(days=30))
        feature = feature_with_evidence("10000", status=Feature.Status.PLANNED, release=release)
        opportunity = deal(rep, stages["commit"], "10000", last)
        deal(rep, stages["discovery"], "10000", first - datetime.timedelta(days=1))
        AskFactory(opportunity=opportunity)
        AskFactory(opportunity=opportunity, feature=feature, status=Ask.Status.LINKED)
        DecisionFactory(feature=feature, decided_by=product_manager)
        TeamFactory(manager=None)


def queries_for_home(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboards:home"))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", list(Role))
def test_home_costs_the_same_queries_with_1_or_10_of_everything(
    client, user_with_role, rep, product_manager, stages, role
):
    workspace_get()
    client.force_login(user_with_role(role))
    populate(n=1, rep=rep, product_manager=product_manager, stages=stages)
    with_one = queries_for_home(client)

    populate(n=9, rep=rep, product_manager=product_manager, stages=stages)
    with_ten = queries_for_home(client)

    assert with_one == with_ten
