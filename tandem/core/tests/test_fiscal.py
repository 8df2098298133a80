import datetime

from hypothesis import given
from hypothesis import strategies as st

from tandem.core.fiscal import FiscalQuarter, fiscal_quarter_of

days = st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 12, 31))
months = st.integers(min_value=1, max_value=12)


def test_calendar_fiscal_year_matches_calendar_quarters():
    assert fiscal_quarter_of(datetime.date(2026, 11, 23), 1) == FiscalQuarter(2026, 4)


def test_fiscal_year_starting_in_february_is_named_for_the_year_it_ends():
    assert fiscal_quarter_of(datetime.date(2026, 2, 1), 2) == FiscalQuarter(2027, 1)
    assert fiscal_quarter_of(datetime.date(2026, 1, 31), 2) == FiscalQuarter(2026, 4)
    assert FiscalQuarter(2027, 1).bounds(2) == (datetime.date(2026, 2, 1), datetime.date(2026, 4, 30))


@given(day=days, start_month=months)
def test_every_day_lies_within_the_bounds_of_its_quarter(day, start_month):
    quarter = fiscal_quarter_of(day, start_month)
    first, last = quarter.bounds(start_month)
    assert first <= day <= last
    assert first.month == (start_month - 1 + 3 * (quarter.quarter - 1)) % 12 + 1


@given(day=days, start_month=months)
def test_quarters_follow_each_other_without_gaps(day, start_month):
    quarter = fiscal_quarter_of(day, start_month)
    _, last = quarter.bounds(start_month)
    following = fiscal_quarter_of(last + datetime.timedelta(days=1), start_month)
    assert following == quarter.next()
    assert following.previous() == quarter
