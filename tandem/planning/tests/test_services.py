"""Planning against the database: the candidates' two values, capacities, builds, and saving a plan as
the quarter's releases' content."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.asks.models import Ask
from tandem.asks.tests.factories import AskFactory
from tandem.audit.models import AuditEntry
from tandem.core.api import StaleVersion
from tandem.core.fiscal import FiscalQuarter
from tandem.core.money import workspace_get
from tandem.planning.models import QuarterPlan
from tandem.planning.selectors import planning_inputs
from tandem.planning.services import feature_build_set, quarter_plan_save, team_capacity_set
from tandem.planning.tests.factories import EngineeringTeamFactory, FeatureBuildFactory, TeamCapacityFactory
from tandem.product.models import Feature
from tandem.product.tests.factories import FeatureFactory, GoalFactory, ProductFactory, ReleaseFactory
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

pytestmark = pytest.mark.django_db
QUARTER = FiscalQuarter(2027, 2)


def _bounds() -> tuple[datetime.date, datetime.date]:
    return QUARTER.bounds(workspace_get().fiscal_year_start_month)


def test_a_feature_brings_the_weighted_deals_closing_after_it_is_ready_and_its_goals_weights(rep, engineering_lead):
    first, last = _bounds()
    team = EngineeringTeamFactory()
    feature = FeatureFactory(effort=Decimal("4"))
    feature.goals.add(GoalFactory(weight=Decimal("3")), GoalFactory(weight=Decimal("2")))
    FeatureBuildFactory(feature=feature, team=team)
    account = AccountFactory(owner=rep)
    later = OpportunityFactory(account=account, owner=rep, amount=Decimal("100000"), probability=40, close_date=last)
    too_soon = OpportunityFactory(account=account, owner=rep, amount=Decimal("900000"), close_date=first)
    AskFactory(opportunity=later, feature=feature, status=Ask.Status.LINKED)
    AskFactory(opportunity=later, feature=feature, status=Ask.Status.LINKED, need="The same deal asks twice")
    AskFactory(opportunity=too_soon, feature=feature, status=Ask.Status.LINKED)

    inputs = planning_inputs(
        user=engineering_lead, quarter=QUARTER, start_month=workspace_get().fiscal_year_start_month
    )

    (row,) = inputs.rows
    assert row.candidate.revenue == pytest.approx(40000)  # weighted, once, and not the deal closing too soon
    assert row.candidate.strategic == 5
    assert row.candidate.effort == 4


def test_an_engineering_lead_sets_a_capacity_and_a_stale_change_is_refused(engineering_lead, rep):
    team = EngineeringTeamFactory()
    capacity = team_capacity_set(actor=engineering_lead, team=team, quarter=QUARTER, person_weeks=Decimal("30"))
    capacity = team_capacity_set(
        actor=engineering_lead, team=team, quarter=QUARTER, person_weeks=Decimal("36"), expected_version=1
    )
    assert (capacity.person_weeks, capacity.version) == (Decimal("36"), 2)
    assert AuditEntry.objects.filter(record_type="planning.teamcapacity").count() == 2
    with pytest.raises(StaleVersion):
        team_capacity_set(
            actor=engineering_lead, team=team, quarter=QUARTER, person_weeks=Decimal("1"), expected_version=1
        )
    with pytest.raises(PermissionDenied):
        team_capacity_set(actor=rep, team=team, quarter=QUARTER, person_weeks=Decimal("1"))
    with pytest.raises(ValidationError) as refused:
        team_capacity_set(actor=engineering_lead, team=rep.team, quarter=QUARTER, person_weeks=Decimal("1"))
    assert "engineering team" in refused.value.message_dict["team"][0]


def test_a_feature_cannot_need_what_needs_it(product_manager):
    team = EngineeringTeamFactory()
    first, second = FeatureFactory(), FeatureFactory()
    feature_build_set(actor=product_manager, feature=first, team=team, needs=[second], must_have=False)
    with pytest.raises(ValidationError) as refused:
        feature_build_set(actor=product_manager, feature=second, team=team, needs=[first], must_have=False)
    assert "circle" in refused.value.message_dict["needs"][0]


def test_a_saved_plan_becomes_the_quarters_releases_content(executive, product_manager):
    _, last = _bounds()
    team = EngineeringTeamFactory()
    TeamCapacityFactory(team=team, fiscal_year=QUARTER.year, fiscal_quarter=QUARTER.quarter, person_weeks=Decimal("10"))
    product = ProductFactory(manager=product_manager)
    release = ReleaseFactory(product=product, name="2027.2", target_date=last)
    goal = GoalFactory(weight=Decimal("1"))
    kept, left_out = (
        FeatureFactory(product=product, effort=Decimal("6")),
        FeatureFactory(product=product, effort=Decimal("6")),
    )
    kept.goals.add(goal)
    # The other was on the quarter's release from an earlier plan; it does not fit beside the one that serves a goal.
    Feature.objects.filter(pk=left_out.pk).update(release=release, status=Feature.Status.PLANNED)
    other_product_feature = FeatureFactory(effort=Decimal("2"))
    other_product_feature.goals.add(goal)
    for feature in (kept, left_out, other_product_feature):
        FeatureBuildFactory(feature=feature, team=team)

    plan = quarter_plan_save(actor=executive, quarter=QUARTER, blend=Decimal("0"), note="Strategy first.")

    assert set(plan.features.all()) == {kept, other_product_feature}
    kept.refresh_from_db()
    left_out.refresh_from_db()
    other_product_feature.refresh_from_db()
    assert (kept.release, kept.status) == (release, Feature.Status.PLANNED)
    assert (left_out.release, left_out.status) == (None, Feature.Status.BACKLOG)
    made = other_product_feature.release  # its product had no release in the quarter: one is made
    assert (made.name, made.target_date) == (f"FY{QUARTER.year} Q{QUARTER.quarter}", last)
    assert (plan.chosen_by, plan.strategic) == (executive, Decimal("2.00"))
    assert AuditEntry.objects.filter(record_type="planning.quarterplan").exists()


def test_must_haves_over_capacity_are_refused_in_the_blends_words(executive):
    team = EngineeringTeamFactory()
    TeamCapacityFactory(team=team, fiscal_year=QUARTER.year, fiscal_quarter=QUARTER.quarter, person_weeks=Decimal("3"))
    FeatureBuildFactory(feature=FeatureFactory(effort=Decimal("5")), team=team, must_have=True)
    with pytest.raises(ValidationError) as refused:
        quarter_plan_save(actor=executive, quarter=QUARTER, blend=Decimal("0.5"))
    assert "capacity" in refused.value.message_dict["blend"][0]
    assert not QuarterPlan.objects.exists()


def test_only_executives_and_admins_choose_a_plan(product_manager):
    with pytest.raises(PermissionDenied):
        quarter_plan_save(actor=product_manager, quarter=QUARTER, blend=Decimal("0.5"))


def test_the_planning_page_reads_the_same_number_of_queries_for_one_feature_or_ten(
    client, executive, django_assert_max_num_queries
):
    team = EngineeringTeamFactory()
    TeamCapacityFactory(team=team, fiscal_year=QUARTER.year, fiscal_quarter=QUARTER.quarter)
    client.force_login(executive)
    url = reverse("planning:planning") + f"?year={QUARTER.year}&quarter={QUARTER.quarter}"
    FeatureBuildFactory(team=team)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(9):
        FeatureBuildFactory(team=team).feature.goals.add(GoalFactory())
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_plan_list_reads_a_fixed_number_of_queries(client, executive, django_assert_max_num_queries):
    for blend in ("0.1", "0.5", "0.9"):
        quarter_plan_save(actor=executive, quarter=QUARTER, blend=Decimal(blend))
    client.force_login(executive)
    with django_assert_max_num_queries(6):
        response = client.get("/api/planning/plans", {"fiscal_year": QUARTER.year, "fiscal_quarter": QUARTER.quarter})
    assert [p["blend"] for p in response.json()] == ["0.900", "0.500", "0.100"]
