from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact

from tandem.core.constraints import FieldCheckConstraint, FieldUniqueConstraint

# Said wherever a currency code is refused: the workspace's, a rate's, a deal's.
CURRENCY_CODE = "Use the currency's three-letter code, such as USD or EUR."


def money_field(**options: Any) -> models.DecimalField:
    """An amount exact to the cent: Decimal, never float."""
    return models.DecimalField(max_digits=16, decimal_places=2, **options)


class Workspace(models.Model):
    """The one company this installation serves: its name, home currency and fiscal calendar."""

    name = models.CharField(max_length=200, default="Tandem")
    home_currency = models.CharField(max_length=3, default="USD")
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        default=1,
        help_text="Month (1-12) in which the fiscal year starts. FY2027 is the year that ends in 2027.",
    )
    stale_after_days = models.PositiveSmallIntegerField(
        default=14,
        help_text="An open deal with no stage move, note, call or meeting for this many days is flagged as quiet.",
    )

    class Meta:
        constraints = [
            FieldCheckConstraint(
                condition=Q(id=1),
                name="workspace_singleton",
                field="id",
                violation_error_message="Tandem serves one company: change its workspace instead of adding one.",
            ),
            FieldCheckConstraint(
                condition=Q(fiscal_year_start_month__gte=1, fiscal_year_start_month__lte=12),
                name="workspace_fiscal_month_range",
                field="fiscal_year_start_month",
                violation_error_message="The fiscal year starts in a month from 1 (January) to 12 (December).",
            ),
            FieldCheckConstraint(
                condition=Q(stale_after_days__gte=1, stale_after_days__lte=365),
                name="workspace_stale_days_range",
                field="stale_after_days",
                violation_error_message="A deal goes quiet after 1 to 365 days.",
            ),
            FieldCheckConstraint(
                condition=Exact(Length("home_currency"), 3),
                name="workspace_currency_iso",
                field="home_currency",
                violation_error_message=CURRENCY_CODE,
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ExchangeRate(models.Model):
    """How many units of the home currency one unit of `currency` buys, from `valid_from` on."""

    currency = models.CharField(max_length=3)
    valid_from = models.DateField()
    rate_to_home = models.DecimalField(max_digits=18, decimal_places=8)

    class Meta:
        constraints = [
            FieldUniqueConstraint(
                fields=["currency", "valid_from"],
                name="exchange_rate_unique_per_day",
                field="valid_from",
                violation_error_message="This currency already has a rate from this day: change that one instead.",
            ),
            FieldCheckConstraint(
                condition=Q(rate_to_home__gt=Decimal(0)),
                name="exchange_rate_positive",
                field="rate_to_home",
                violation_error_message="A rate must be more than zero.",
            ),
            FieldCheckConstraint(
                condition=Exact(Length("currency"), 3),
                name="exchange_rate_currency_iso",
                field="currency",
                violation_error_message=CURRENCY_CODE,
            ),
        ]
        ordering = ["currency", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate_to_home} from {self.valid_from}"


class RateCounter(models.Model):
    """How many requests one key ("token:12", "user:7", "bad-token:203.0.113.9") made in its current
    window: one row per key, counted in the database so that every web process shares the count
    (`tandem.core.ratelimit`)."""

    key = models.CharField(max_length=100, primary_key=True)
    window_start = models.BigIntegerField(help_text="Unix time at which the counted window began.")
    count = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.key}: {self.count} since {self.window_start}"


class SavedView(models.Model):
    """A list's filters and sort saved under a name by one person, for them alone ("My quiet deals")."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    list_name = models.CharField(max_length=100, help_text="The list's URL name, such as sales:opportunity_list.")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=2000, blank=True, help_text="The list's query string: filters and sort.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["list_name", "name"]
        constraints = [
            FieldUniqueConstraint(
                fields=["owner", "list_name", "name"],
                name="saved_view_unique_name",
                field="name",
                violation_error_message="You already have a view with this name on this list.",
            ),
        ]

    def __str__(self) -> str:
        return self.name
