"""The funnel's days always equal the leads: whatever edits them, however; and the funnel read from
them equals the funnel counted by hand, in any reader's time zone.

The funnel of every lead adds these rows up instead of grouping a million leads (issue 18), so a
day that drifted from its leads would show wrong conversion rates. Random sequences of edits — new
leads, every watched field changed through `save`, bulk `update`, deletes, conversions, the deal
behind a converted lead moving in and out of a won stage or deleted, a stage turned won — and after
each sequence every day equals the counts computed here in Python from the leads as they are.
"""

import datetime
import zoneinfo
from collections import Counter, defaultdict

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.leads import funnel_figures
from tandem.leads.models import Lead, LeadDayFigures, LeadRepDayFigures
from tandem.leads.selectors import lead_day_figures_visible, lead_funnel, lead_rep_day_figures_visible
from tandem.leads.tests.factories import LeadFactory
from tandem.people.tests.factories import RepFactory
from tandem.sales.models import Opportunity, Stage
from tandem.sales.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db
START = datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)
MINUTES = 6 * 24 * 60  # leads over six UTC days, at any minute
CAMPAIGNS = ["", "Spring webinar", "SaaS Summit"]
FATES = ["new", "working", "qualified", "disqualified", "requalified_working", "converted_0", "converted_1"]

minute = st.integers(0, MINUTES)
fate = st.sampled_from([*FATES, "converted_2"])
source = st.sampled_from(Lead.Source.values)
campaign = st.sampled_from(CAMPAIGNS)
new_lead = st.tuples(st.just("new"), source, campaign, minute, fate, st.integers(0, 1))
edit = st.one_of(
    new_lead,
    st.tuples(st.just("fate"), st.integers(0, 50), fate),
    st.tuples(st.just("source"), st.integers(0, 50), source),
    st.tuples(st.just("campaign"), st.integers(0, 50), campaign),
    st.tuples(st.just("created"), st.integers(0, 50), minute),
    st.tuples(st.just("owner"), st.integers(0, 50), st.integers(0, 1)),
    st.tuples(st.just("deal_stage"), st.integers(0, 50), st.integers(0, 2)),
    st.tuples(st.just("delete_deal"), st.integers(0, 50)),
    st.tuples(st.just("bulk_source"), st.integers(0, 1), source),
    st.tuples(st.just("bulk_owner"), st.integers(0, 1)),
    st.tuples(st.just("delete"), st.integers(0, 50)),
)


def _set_fate(lead: Lead, fate: str, stages: list[Stage]) -> None:
    """What became of the lead, with the fields its constraints tie to its status."""
    at = lead.created_at
    lead.disqualified_reason, lead.qualified_at, lead.converted_at, lead.converted_opportunity = "", None, None, None
    if fate == "disqualified":
        lead.status, lead.disqualified_reason = "disqualified", "No budget"
    elif fate in ("qualified", "requalified_working"):
        lead.status, lead.qualified_at = ("qualified" if fate == "qualified" else "working"), at
    elif fate.startswith("converted"):
        deal = OpportunityFactory(owner=lead.owner, stage=stages[int(fate[-1])])
        lead.status, lead.qualified_at, lead.converted_at, lead.converted_opportunity = "converted", at, at, deal
    else:
        lead.status = fate


def _apply(step, reps, stages) -> None:
    kind, *args = step
    if kind == "new":
        source, campaign, at, fate, owner = args
        lead = LeadFactory.build(
            source=source, campaign=campaign, owner=reps[owner], created_at=START + datetime.timedelta(minutes=at)
        )
        _set_fate(lead, fate, stages)
        lead.save()
        return
    if kind == "bulk_source":  # no save(): one UPDATE, as an import or a data fix would do
        owner, value = args
        Lead.objects.filter(owner=reps[owner]).update(source=value)
        return
    if kind == "bulk_owner":  # a rep's leads handed to the other in one UPDATE
        Lead.objects.filter(owner=reps[args[0]]).update(owner=reps[1 - args[0]])
        return
    if kind in ("deal_stage", "delete_deal"):  # the deal of one of the leads converted into one
        deals = list(Opportunity.objects.filter(leads__isnull=False).order_by("pk"))
        if not deals:
            return
        deal = deals[args[0] % len(deals)]
        if kind == "delete_deal":  # the lead keeps being converted, into no deal any more
            deal.delete()
            return
        deal.stage = stages[args[1]]
        deal.save()
        return
    leads = list(Lead.objects.order_by("pk"))
    if not leads:
        return
    lead = leads[args[0] % len(leads)]
    if kind == "delete":
        lead.delete()
        return
    if kind == "fate":
        _set_fate(lead, args[1], stages)
    elif kind == "source":
        lead.source = args[1]
    elif kind == "campaign":
        lead.campaign = args[1]
    elif kind == "created":
        lead.created_at = START + datetime.timedelta(minutes=args[1])
    elif kind == "owner":
        lead.owner = reps[args[1]]
    lead.save()


def _expected() -> dict[tuple[object, ...], dict[str, int]]:
    """The days as the funnel defines them, counted from the leads read back: by source and
    campaign, and by rep."""
    days: dict[tuple[object, ...], Counter[str]] = defaultdict(Counter)
    for lead in Lead.objects.select_related("converted_opportunity__stage"):
        day = lead.created_at.astimezone(datetime.UTC).date()
        for row in (days[("source", day, lead.source, lead.campaign)], days[("rep", day, lead.owner_id)]):
            row["leads"] += 1
            row["qualified"] += lead.qualified_at is not None
            row["converted"] += lead.converted_at is not None
            row["won"] += lead.converted_opportunity is not None and lead.converted_opportunity.stage.is_won
            row[f"status_{lead.status}"] += 1
    return {key: {c: v for c, v in counts.items() if v} for key, counts in days.items()}


def _stored() -> dict[tuple[object, ...], dict[str, int]]:
    stored: dict[tuple[object, ...], dict[str, int]] = {}
    for kind, model, key in (
        ("source", LeadDayFigures, ("day", "source", "campaign")),
        ("rep", LeadRepDayFigures, ("day", "owner_id")),
    ):
        for row in model.objects.values(*key, *funnel_figures.COLUMNS):
            # A day whose leads all moved away keeps its row, at nothing in every column.
            if not row["leads"]:
                assert not any(row[c] for c in funnel_figures.COLUMNS)
                continue
            stored[(kind, *(row[c] for c in key))] = {c: row[c] for c in funnel_figures.COLUMNS if row[c]}
    return stored


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(leads=st.lists(new_lead, min_size=1, max_size=10), steps=st.lists(edit, max_size=25), turn_won=st.booleans())
def test_the_days_equal_the_leads_after_any_edits(stages, leads, steps, turn_won):
    Lead.objects.all().delete()
    Opportunity.objects.all().delete()
    reps = [RepFactory(), RepFactory()]
    lineup = [stages.discovery, stages.won, stages.lost]
    for step in leads + steps:
        _apply(step, reps, lineup)
    assert _stored() == _expected()
    if turn_won:  # an admin makes an open stage a won one: every lead converted into a deal in it is won
        Stage.objects.filter(pk=stages.discovery.pk).update(is_won=True)
        assert _stored() == _expected()
        Stage.objects.filter(pk=stages.discovery.pk).update(is_won=False)
    funnel_figures.rebuild()
    assert _stored() == _expected()


def test_an_update_of_other_columns_leaves_the_days_alone(rep):
    LeadFactory(owner=rep)
    before = [list(LeadDayFigures.objects.values()), list(LeadRepDayFigures.objects.values())]
    Lead.objects.update(company="Renamed Ltd", budget=1000, version=5)
    assert [list(LeadDayFigures.objects.values()), list(LeadRepDayFigures.objects.values())] == before


# The funnel read from the days, in a reader's time zone: counted by hand from the leads.

ZONES = ["UTC", "America/New_York", "Asia/Kathmandu", "Pacific/Kiritimati", "Pacific/Pago_Pago"]
# (source, campaign, minute, fate, owner: the rep, a rep of the same team, a rep of another team)
funnel_leads = st.lists(st.tuples(source, campaign, minute, st.sampled_from(FATES), st.integers(0, 2)), max_size=25)
# Whose leads each reader sees, of the three owners.
READERS = {"executive": (0, 1, 2), "admin_user": (0, 1, 2), "sales_manager": (0, 1), "rep": (0,)}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    specs=funnel_leads,
    zone=st.sampled_from(ZONES),
    first=st.integers(-1, 6),
    days=st.integers(0, 6),
    by=st.sampled_from(["source", "campaign", "owner"]),
    reader=st.sampled_from(list(READERS)),
)
def test_the_funnel_counts_the_readers_days(
    request, rep, other_rep, outsider_rep, stages, specs, zone, first, days, by, reader
):
    Lead.objects.all().delete()
    owners = [rep, other_rep, outsider_rep]
    lineup = [stages.discovery, stages.won]
    for source_, campaign_, at, fate_, owner in specs:
        lead = LeadFactory.build(
            source=source_, campaign=campaign_, owner=owners[owner], created_at=START + datetime.timedelta(minutes=at)
        )
        _set_fate(lead, fate_, lineup)
        lead.save()
    tz = zoneinfo.ZoneInfo(zone)
    start = START.astimezone(tz).date() + datetime.timedelta(days=first)
    end = start + datetime.timedelta(days=days)
    seen = {owners[i].pk for i in READERS[reader]}
    expected: dict[str, Counter[str]] = defaultdict(Counter)
    for lead in Lead.objects.select_related("converted_opportunity__stage"):
        if lead.owner_id in seen and start <= lead.created_at.astimezone(tz).date() <= end:
            counts = expected[str(lead.owner_id) if by == "owner" else getattr(lead, by)]
            counts["leads"] += 1
            counts["qualified"] += lead.qualified_at is not None
            counts["converted"] += lead.converted_at is not None
            counts["won"] += lead.converted_opportunity is not None and lead.converted_opportunity.stage.is_won
            counts[f"status_{lead.status}"] += 1
    with timezone.override(tz):
        rows, total = lead_funnel(user=request.getfixturevalue(reader), start=start, end=end, by=by)
    assert {
        row.key: Counter({"leads": row.leads, "qualified": row.qualified, "converted": row.converted, "won": row.won})
        + Counter({f"status_{status}": count for status, count in row.by_status.items()})
        for row in rows
    } == expected
    assert [row.leads for row in rows] == sorted((row.leads for row in rows), reverse=True)
    assert total.leads == sum(c["leads"] for c in expected.values())


@pytest.mark.parametrize("by", ["campaign", "owner"])
@pytest.mark.parametrize(("zone", "queries"), [("UTC", 1), ("America/New_York", 2)])
def test_the_funnel_of_every_lead_runs_the_same_queries_for_1_and_30_leads(
    executive, rep, other_rep, zone, queries, by, django_assert_num_queries
):
    """UTC days: the days alone; another zone's days: the days and the leads of the hours around them;
    by rep, the reps' names besides."""
    queries += by == "owner"
    LeadFactory(owner=rep, created_at=START + datetime.timedelta(hours=12))
    with timezone.override(zoneinfo.ZoneInfo(zone)), django_assert_num_queries(queries):
        lead_funnel(user=executive, start=START.date(), end=START.date() + datetime.timedelta(days=9), by=by)
    for n in range(29):
        owner = rep if n % 2 else other_rep
        LeadFactory(owner=owner, created_at=START + datetime.timedelta(hours=7 * n), campaign=f"Campaign {n % 4}")
    with timezone.override(zoneinfo.ZoneInfo(zone)), django_assert_num_queries(queries):
        rows, total = lead_funnel(
            user=executive, start=START.date(), end=START.date() + datetime.timedelta(days=9), by=by
        )
    # New York's 1 January starts at 05:00 UTC: the lead at midnight UTC is on its 31 December.
    assert total.leads == (30 if zone == "UTC" else 29)
    assert sum(row.leads for row in rows) == total.leads


def test_a_sales_manager_reads_their_reps_days_and_their_own_leads(sales_manager, executive, rep, outsider_rep):
    """The days by source count every lead: a team's funnel by source counts its own leads; by rep,
    it reads the days of its own reps."""
    LeadFactory(owner=rep, created_at=START)
    LeadFactory(owner=outsider_rep, created_at=START)
    _rows, total = lead_funnel(user=sales_manager, start=START.date(), end=START.date(), by="source")
    assert total.leads == 1
    assert not lead_day_figures_visible(user=sales_manager).exists()
    rows, total = lead_funnel(user=sales_manager, start=START.date(), end=START.date(), by="owner")
    assert [(row.key, row.leads) for row in rows] == [(str(rep.pk), 1)]
    assert set(lead_rep_day_figures_visible(user=sales_manager).values_list("owner", flat=True)) == {rep.pk}
    assert lead_funnel(user=executive, start=START.date(), end=START.date(), by="source")[1].leads == 2
