"""The annual sales target. Its breakdown lives in `sales.Quota` rows (team and rep quotas per
fiscal quarter), which the services here keep adding up to it."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from tandem.core.constraints import FieldCheckConstraint, FieldUniqueConstraint
from tandem.core.models import money_field


class SalesTarget(models.Model):
    """The company's sales target for one fiscal year, in the home currency.

    Its team quotas (per quarter) add up to it, and each team's rep quotas add up to the team's
    quota in each quarter; `version` is the version of the whole breakdown, bumped by every change
    to the target or any of its quotas, so an edit made on an older breakdown is refused.
    """

    class Method(models.TextChoices):
        LAST_YEAR = "last_year", "By last year's share"
        POTENTIAL = "potential", "By territory potential"
        EVEN = "even", "Evenly"
        HAND = "hand", "By hand"

    fiscal_year = models.PositiveSmallIntegerField()
    amount = money_field()
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.EVEN)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-fiscal_year"]
        constraints = [
            FieldCheckConstraint(
                condition=Q(amount__gte=0),
                name="sales_target_amount_not_negative",
                field="amount",
                violation_error_message="A sales target cannot be negative.",
            ),
            FieldUniqueConstraint(
                fields=["fiscal_year"],
                name="sales_target_unique_year",
                field="fiscal_year",
                violation_error_message="This fiscal year already has a sales target.",
            ),
        ]

    def __str__(self) -> str:
        return f"FY{self.fiscal_year} sales target"


class ClosedMonthFigures(models.Model):
    """A rep's deals won and lost in one calendar month of their close date, by competitor, account
    segment and lead source: the win-rate charts' whole months. Written by the database's triggers on
    deals, accounts and stages alone (tandem/targets/closed_figures.py), never by the app."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month the deals close in.")
    competitor = models.BigIntegerField(help_text="The deals' competitor's id; 0 for none.")
    segment = models.CharField(max_length=20, help_text="The segment of the deals' account.")
    lead_source = models.CharField(max_length=30, blank=True)
    won_count = models.IntegerField(default=0)
    lost_count = models.IntegerField(default=0)
    won_cents = models.BigIntegerField(default=0)
    lost_cents = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "rep's month of closed deals"
        verbose_name_plural = "reps' months of closed deals"
        constraints = [
            FieldUniqueConstraint(
                fields=["owner", "month", "competitor", "segment", "lead_source"],
                name="closed_month_figures_unique",
                field="month",
                violation_error_message="This rep's month already has these figures.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.month.isoformat()[:7]} {self.segment} {self.lead_source}"
