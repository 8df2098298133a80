"""The company's fiscal calendar. FY2027 is the fiscal year that ends in calendar year 2027."""

import datetime
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True, order=True)
class FiscalQuarter:
    year: int
    quarter: int

    def __str__(self) -> str:
        return f"FY{self.year} Q{self.quarter}"

    def bounds(self, start_month: int) -> tuple[datetime.date, datetime.date]:
        """First and last day of this quarter."""
        first_month_index = (start_month - 1) + 3 * (self.quarter - 1)  # months since January of FY start
        start_year = self.year - 1 if start_month != 1 else self.year
        year = start_year + first_month_index // 12
        month = first_month_index % 12 + 1
        first = datetime.date(year, month, 1)
        next_index = first_month_index + 3
        after = datetime.date(start_year + next_index // 12, next_index % 12 + 1, 1)
        return first, after - datetime.timedelta(days=1)

    def next(self) -> "FiscalQuarter":
        return FiscalQuarter(self.year + self.quarter // 4, self.quarter % 4 + 1)

    def previous(self) -> "FiscalQuarter":
        return FiscalQuarter(self.year - (1 if self.quarter == 1 else 0), (self.quarter - 2) % 4 + 1)


def fiscal_quarter_of(day: datetime.date, start_month: int) -> FiscalQuarter:
    months_into_year = (day.month - start_month) % 12
    starts_year = day.year if day.month >= start_month else day.year - 1
    year = starts_year if start_month == 1 else starts_year + 1
    return FiscalQuarter(year, months_into_year // 3 + 1)


def business_days_after(day: datetime.date, count: int) -> datetime.date:
    """The date `count` working days after `day`, skipping Saturdays and Sundays.

    Counting starts the day after `day`, so five business days from a Wednesday is the next
    Wednesday, and one from a Friday or a Saturday is the Monday.
    """
    result = day
    for _ in range(count):
        result += datetime.timedelta(days=1)
        while result.weekday() >= 5:
            result += datetime.timedelta(days=1)
    return result


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight starting `day` in the reader's time zone: days as a range of instants, which an index
    on a timestamp can walk (a `__date` lookup converts every row instead)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
