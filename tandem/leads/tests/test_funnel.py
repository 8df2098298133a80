"""The funnel's counts and rates, computed independently on generated leads, agree with the page's SQL."""

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.leads.models import Lead
from tandem.leads.selectors import lead_funnel
from tandem.leads.tests.factories import LeadFactory
from tandem.sales.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db

START = datetime.date(2027, 1, 1)
END = datetime.date(2027, 3, 31)

# One generated lead: (source, campaign, owner index, day offset from START, what became of it).
FATES = ["new", "working", "disqualified", "qualified", "requalified_working", "converted_open", "converted_won"]
leads_strategy = st.lists(
    st.tuples(
        st.sampled_from(Lead.Source.values),
        st.sampled_from(["", "Spring webinar", "Trade fair <b>"]),
        st.integers(0, 1),
        st.integers(-10, 100),  # some before and after the period
        st.sampled_from(FATES),
    ),
    max_size=25,
)


def _make(spec, owners, stages):
    source, campaign, owner, offset, fate = spec
    created = timezone.make_aware(datetime.datetime.combine(START + datetime.timedelta(days=offset), datetime.time(12)))
    fields = {"source": source, "campaign": campaign, "owner": owners[owner], "created_at": created}
    if fate == "disqualified":
        fields.update(status="disqualified", disqualified_reason="No budget")
    elif fate in ("qualified", "requalified_working"):
        fields.update(status="qualified" if fate == "qualified" else "working", qualified_at=created)
    elif fate.startswith("converted"):
        stage = stages.won if fate == "converted_won" else stages.discovery
        deal = OpportunityFactory(owner=owners[owner], stage=stage)
        fields.update(status="converted", qualified_at=created, converted_at=created, converted_opportunity=deal)
    else:
        fields.update(status=fate)
    return LeadFactory(**fields)


def _expected(specs, key):
    """The funnel by hand: per group, leads in the period, reached qualified, converted, won."""
    inside = [s for s in specs if 0 <= s[3] <= (END - START).days]
    figures: dict[str, Counter[str]] = {}
    for spec in inside:
        group = figures.setdefault(key(spec), Counter())
        fate = spec[4]
        group["leads"] += 1
        group["qualified"] += fate in ("qualified", "requalified_working", "converted_open", "converted_won")
        group["converted"] += fate.startswith("converted")
        group["won"] += fate == "converted_won"
    return figures


def _rate(part, whole):
    return None if whole == 0 else Decimal(part) / Decimal(whole)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=leads_strategy, by=st.sampled_from(["source", "campaign", "owner"]))
def test_the_funnel_agrees_with_counting_by_hand(rep, other_rep, sales_manager, stages, specs, by):
    Lead.objects.all().delete()
    owners = [rep, other_rep]
    for spec in specs:
        _make(spec, owners, stages)
    keys = {"source": lambda s: s[0], "campaign": lambda s: s[1], "owner": lambda s: str(owners[s[2]].pk)}
    expected = _expected(specs, keys[by])
    rows, total = lead_funnel(user=sales_manager, start=START, end=END, by=by)
    assert {row.key: (row.leads, row.qualified, row.converted, row.won) for row in rows} == {
        key: (c["leads"], c["qualified"], c["converted"], c["won"]) for key, c in expected.items()
    }
    assert total.leads == sum(row.leads for row in rows)
    assert total.converted == sum(row.converted for row in rows)
    for row in rows:
        c = expected[row.key]
        assert row.qualified_rate == _rate(c["qualified"], c["leads"])
        assert row.converted_rate == _rate(c["converted"], c["qualified"])
        assert row.won_rate == _rate(c["won"], c["converted"])
        assert sum(row.by_status.values()) == row.leads


def test_a_rep_sees_the_funnel_of_their_own_leads_only(rep, other_rep):
    LeadFactory(owner=rep, created_at=timezone.now())
    LeadFactory(owner=other_rep, created_at=timezone.now())
    today = timezone.localdate()
    rows, total = lead_funnel(user=rep, start=today, end=today, by="owner")
    assert total.leads == 1
    assert [row.key for row in rows] == [str(rep.pk)]


def test_the_funnel_page_draws_the_chart_and_escapes_nothing_into_it(client, sales_manager, rep):
    LeadFactory(owner=rep, campaign="<img src=x onerror=alert(1)>", source="campaign")
    client.force_login(sales_manager)
    html = client.get(reverse("leads:lead_funnel"), {"by": "campaign"}).content.decode()
    assert 'id="chart-funnel"' in html
    assert "<img src=x" not in html
    assert "js/lead_funnel.js" in html


def test_an_empty_period_says_what_to_do(client, rep):
    client.force_login(rep)
    html = client.get(reverse("leads:lead_funnel"), {"start": "2001-01-01", "end": "2001-12-31"}).content.decode()
    assert "No leads were created in this period." in html


def test_a_period_ending_before_it_starts_is_refused_under_its_end(client, rep):
    client.force_login(rep)
    response = client.get(reverse("leads:lead_funnel"), {"start": "2027-02-01", "end": "2027-01-01"})
    assert "The end of the period comes after its start." in response.content.decode()
