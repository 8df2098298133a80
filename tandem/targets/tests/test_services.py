"""The annual target's breakdown always adds up, after any edit; who may edit; stale edits refused."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.audit.models import AuditEntry
from tandem.core.api import StaleVersion
from tandem.people.models import Team
from tandem.people.tests.factories import TeamFactory, TerritoryFactory, UserFactory
from tandem.sales.models import Account, Opportunity, Quota
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory
from tandem.targets import services
from tandem.targets.models import SalesTarget
from tandem.targets.services import breakdown_differences, rep_quotas_set, target_set, team_quotas_set

pytestmark = pytest.mark.django_db
FY = 2027


@pytest.fixture
def org(sales_team, rep, other_rep, outsider_rep):
    """Two sales teams: the manager's (rep, other_rep) and another (outsider_rep)."""
    return {"teams": [sales_team, outsider_rep.team], "reps": [rep, other_rep, outsider_rep]}


def _team_sum(fiscal_year=FY):
    return sum(
        Quota.objects.filter(fiscal_year=fiscal_year, team__isnull=False).values_list("amount", flat=True), Decimal(0)
    )


def test_an_even_target_splits_into_quarters_teams_and_reps_to_the_cent(executive, org):
    target = target_set(actor=executive, fiscal_year=FY, amount=Decimal("1000000.01"), method="even")
    assert target.version == 1
    assert _team_sum() == Decimal("1000000.01")
    assert breakdown_differences(fiscal_year=FY) == []
    rep_quota = Quota.objects.get(user=org["reps"][2], fiscal_year=FY, fiscal_quarter=1)
    team_quota = Quota.objects.get(team=org["teams"][1], fiscal_year=FY, fiscal_quarter=1)
    assert rep_quota.amount == team_quota.amount  # the only rep of their team


def test_last_years_share_follows_last_years_closed_won(executive, org, stages):
    rep, other_rep, outsider = org["reps"]
    last_year_day = datetime.date(2026, 5, 1)
    for owner, amount in ((rep, "300"), (other_rep, "100"), (outsider, "600")):
        OpportunityFactory(
            owner=owner,
            account__owner=owner,
            stage=stages.won,
            amount=Decimal(amount),
            close_date=last_year_day,
            created_at=timezone.now() - datetime.timedelta(days=600),
            closed_at=timezone.now() - datetime.timedelta(days=500),
        )
    target_set(actor=executive, fiscal_year=FY, amount=Decimal("1000.00"), method="last_year")
    year = {
        person: sum(Quota.objects.filter(user=person, fiscal_year=FY).values_list("amount", flat=True))
        for person in org["reps"]
    }
    assert year == {rep: Decimal("300.00"), other_rep: Decimal("100.00"), outsider: Decimal("600.00")}


def test_territory_potential_weighs_the_teams(executive, org):
    first, second = org["teams"]
    first.territory = TerritoryFactory(name="North", potential=Decimal("3"))
    first.save()
    second.territory = TerritoryFactory(name="South", potential=Decimal("1"))
    second.save()
    target_set(actor=executive, fiscal_year=FY, amount=Decimal("400.00"), method="potential")
    assert Quota.objects.get(team=first, fiscal_quarter=2).amount == Decimal("75.00")
    assert Quota.objects.get(team=second, fiscal_quarter=2).amount == Decimal("25.00")


def test_a_sales_manager_or_a_rep_cannot_set_the_target(sales_manager, rep, org):
    for person in (sales_manager, rep):
        with pytest.raises(PermissionDenied):
            target_set(actor=person, fiscal_year=FY, amount=Decimal("1"), method="even")


def test_a_stale_version_is_refused_and_nothing_changes(executive, org):
    target_set(actor=executive, fiscal_year=FY, amount=Decimal("1000"), method="even")
    target_set(actor=executive, fiscal_year=FY, amount=Decimal("2000"), method="even", version=1)
    with pytest.raises(StaleVersion):
        target_set(actor=executive, fiscal_year=FY, amount=Decimal("3000"), method="even", version=1)
    assert SalesTarget.objects.get(fiscal_year=FY).amount == Decimal("2000")
    assert _team_sum() == Decimal("2000")


def test_team_quotas_that_do_not_add_up_to_the_target_are_refused(executive, org):
    target = target_set(actor=executive, fiscal_year=FY, amount=Decimal("1000"), method="even")
    team = org["teams"][0]
    with pytest.raises(ValidationError) as refusal:
        team_quotas_set(actor=executive, fiscal_year=FY, cells={(team.pk, 1): Decimal("999")}, version=target.version)
    assert "the target is 1,000 USD" in str(refusal.value)


def test_moving_quota_between_teams_re_splits_the_reps(executive, org):
    target = target_set(actor=executive, fiscal_year=FY, amount=Decimal("1000"), method="even")
    first, second = org["teams"]
    target = team_quotas_set(
        actor=executive,
        fiscal_year=FY,
        cells={(first.pk, 1): Decimal("200.00"), (second.pk, 1): Decimal("50.00")},
        version=target.version,
    )
    assert target.method == "hand"
    assert breakdown_differences(fiscal_year=FY) == []
    assert Quota.objects.get(user=org["reps"][0], fiscal_quarter=1).amount == Decimal("100.00")


def test_a_manager_sets_their_reps_quotas_when_they_add_up_to_the_team(sales_manager, executive, org):
    target = target_set(actor=executive, fiscal_year=FY, amount=Decimal("800"), method="even")
    team = org["teams"][0]
    rep, other_rep, _ = org["reps"]
    cells = {(rep.pk, 1): Decimal("80.00"), (other_rep.pk, 1): Decimal("20.00")}
    target = rep_quotas_set(actor=sales_manager, team=team, fiscal_year=FY, cells=cells, version=target.version)
    assert Quota.objects.get(user=rep, fiscal_quarter=1).amount == Decimal("80.00")
    with pytest.raises(ValidationError) as refusal:
        rep_quotas_set(
            actor=sales_manager, team=team, fiscal_year=FY, cells={(rep.pk, 1): Decimal("81")}, version=target.version
        )
    assert "Q1: the reps' quotas add up to 101 USD, the team's quota is 100 USD." in str(refusal.value)
    assert AuditEntry.objects.filter(record_type="sales.quota", action="changed").count() == 2


def test_a_manager_cannot_set_another_teams_quotas(sales_manager, executive, org):
    target = target_set(actor=executive, fiscal_year=FY, amount=Decimal("800"), method="even")
    with pytest.raises(PermissionDenied):
        rep_quotas_set(actor=sales_manager, team=org["teams"][1], fiscal_year=FY, cells={}, version=target.version)


def test_every_change_is_in_the_audit_trail(executive, org):
    target_set(actor=executive, fiscal_year=FY, amount=Decimal("1000"), method="even")
    assert AuditEntry.objects.filter(record_type="targets.salestarget", action="created").count() == 1
    # 2 teams and 3 reps, 4 quarters each
    assert AuditEntry.objects.filter(record_type="sales.quota", action="created").count() == 20


def _quota(**where):
    quota = Quota.objects.filter(fiscal_year=FY, **where).first()
    return quota.amount if quota else Decimal(0)


edits = st.lists(
    st.one_of(
        st.tuples(st.just("target"), st.integers(0, 10**10), st.sampled_from(SalesTarget.Method.values)),
        st.tuples(st.just("teams"), st.integers(0, 1), st.integers(1, 4), st.integers(0, 10**6)),
        st.tuples(st.just("reps"), st.integers(0, 1), st.integers(1, 4), st.integers(0, 10**6)),
        st.tuples(st.just("move"), st.integers(0, 2)),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=edits)
def test_the_breakdown_adds_up_after_any_edit(executive, org, edits):
    """Any sequence of target changes, hand edits (accepted or refused) and reps moving teams followed
    by a fresh breakdown leaves team quotas summing to the target and rep quotas to their team's."""
    SalesTarget.objects.all().delete()
    Quota.objects.all().delete()
    teams = list(Team.objects.filter(pk__in=[t.pk for t in org["teams"]]).order_by("pk"))
    for person, team in zip(org["reps"], [teams[0], teams[0], teams[1]], strict=True):
        person.team = team
        person.save(update_fields=["team"])
    target = target_set(actor=executive, fiscal_year=FY, amount=Decimal("1000.00"), method="even")
    for edit in edits:
        try:
            if edit[0] == "target":
                target = target_set(
                    actor=executive,
                    fiscal_year=FY,
                    amount=Decimal(edit[1]) / 100,
                    method=edit[2],
                    version=target.version,
                )
            elif edit[0] == "teams":
                # Move an amount from one team's quarter to the other team's, keeping the total.
                _, which, quarter, cents = edit
                here, there = teams[which], teams[1 - which]
                q_here = _quota(team=here, fiscal_quarter=quarter)
                q_there = _quota(team=there, fiscal_quarter=quarter)
                moved = min(Decimal(cents) / 100, q_there)
                target = team_quotas_set(
                    actor=executive,
                    fiscal_year=FY,
                    cells={(here.pk, quarter): q_here + moved, (there.pk, quarter): q_there - moved},
                    version=target.version,
                )
            elif edit[0] == "reps":
                _, which, quarter, cents = edit
                team = teams[0]
                members = list(team.members.filter(role="rep").order_by("pk"))
                if len(members) < 2:
                    continue
                a, b = members[which], members[1 - which]
                qa = _quota(user=a, fiscal_quarter=quarter)
                qb = _quota(user=b, fiscal_quarter=quarter)
                moved = min(Decimal(cents) / 100, qb)
                target = rep_quotas_set(
                    actor=executive,
                    team=team,
                    fiscal_year=FY,
                    cells={(a.pk, quarter): qa + moved, (b.pk, quarter): qb - moved},
                    version=target.version,
                )
            else:
                person = org["reps"][edit[1]]
                person.team = teams[1] if person.team_id == teams[0].pk else teams[0]
                person.save(update_fields=["team"])
                # The page offers a fresh breakdown ("by hand" keeps the proportions).
                target = target_set(
                    actor=executive, fiscal_year=FY, amount=target.amount, method="hand", version=target.version
                )
        except ValidationError:
            target = SalesTarget.objects.get(fiscal_year=FY)
        assert breakdown_differences(fiscal_year=FY) == []
        assert _team_sum() == target.amount


def test_assigning_accounts_by_rule_moves_their_open_deals_when_asked(admin_user, org, stages):
    rep, other_rep, _ = org["reps"]
    territory = TerritoryFactory(name="Nordics", rule_region="Nordics", rule_segment="enterprise")
    match = AccountFactory(owner=rep, region="nordics", segment=Account.Segment.ENTERPRISE)
    AccountFactory(owner=rep, region="Nordics", segment=Account.Segment.SMB)
    open_deal = OpportunityFactory(account=match, owner=rep, stage=stages.open)
    result = services.territory_accounts_assign(
        actor=admin_user, territory=territory, new_owner=other_rep, move_open_deals=True
    )
    assert (result.accounts, result.deals) == (1, 1)
    match.refresh_from_db()
    assert (match.territory, match.owner) == (territory, other_rep)
    assert Opportunity.objects.get(pk=open_deal.pk).owner == other_rep
    assert AuditEntry.objects.filter(record_type="sales.opportunity", action="changed").count() == 1


def test_a_manager_changes_their_teams_territory_only(sales_manager, org):
    mine = TerritoryFactory(name="East")
    org["teams"][0].territory = mine
    org["teams"][0].save()
    theirs = TerritoryFactory(name="West")
    updated = services.territory_update(
        actor=sales_manager, territory=mine, expected_version=1, data={"potential": Decimal("5000000")}
    )
    assert updated.version == 2
    with pytest.raises(PermissionDenied):
        services.territory_update(actor=sales_manager, territory=theirs, expected_version=1, data={"potential": 1})
    with pytest.raises(PermissionDenied):
        services.territory_create(actor=sales_manager, data={"name": "South", "region": "AMER"})
    with pytest.raises(StaleVersion):
        services.territory_update(actor=sales_manager, territory=mine, expected_version=1, data={"potential": 2})


def test_a_team_without_reps_carries_no_quota(executive, org):
    TeamFactory(name="Empty", kind=Team.Kind.SALES, manager=UserFactory(role="sales_manager"))
    target_set(actor=executive, fiscal_year=FY, amount=Decimal("99.99"), method="even")
    assert not Quota.objects.filter(team__name="Empty").exists()
    assert _team_sum() == Decimal("99.99")
