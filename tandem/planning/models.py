"""Quarterly joint planning: each engineering team's capacity, which team builds each feature (with
what it needs first and whether it must be in), and the plans chosen for a quarter."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from tandem.core.constraints import FieldCheckConstraint, FieldUniqueConstraint, text_field


class TeamCapacity(models.Model):
    """What one engineering team can build in one fiscal quarter, in person-weeks."""

    team = models.ForeignKey("people.Team", on_delete=models.CASCADE, related_name="capacities")
    fiscal_year = models.PositiveSmallIntegerField()
    fiscal_quarter = models.PositiveSmallIntegerField()
    person_weeks = models.DecimalField(max_digits=7, decimal_places=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["fiscal_year", "fiscal_quarter", "team__name"]
        verbose_name_plural = "team capacities"
        constraints = [
            FieldUniqueConstraint(
                fields=["team", "fiscal_year", "fiscal_quarter"],
                name="team_capacity_unique_quarter",
                field="team",
                violation_error_message="This team already has a capacity for this quarter: change it instead.",
            ),
            FieldCheckConstraint(
                condition=Q(person_weeks__gte=0),
                name="team_capacity_not_negative",
                field="person_weeks",
                violation_error_message="A capacity cannot be negative.",
            ),
            FieldCheckConstraint(
                condition=Q(fiscal_quarter__gte=1, fiscal_quarter__lte=4),
                name="team_capacity_quarter_valid",
                field="fiscal_quarter",
                violation_error_message="A fiscal quarter is 1, 2, 3 or 4.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} FY{self.fiscal_year} Q{self.fiscal_quarter}"


class FeatureBuild(models.Model):
    """How a feature enters planning: the engineering team that builds it, the features it needs first,
    and whether it must be in the next plan (a must-have)."""

    feature = models.OneToOneField("product.Feature", on_delete=models.CASCADE, related_name="build")
    team = models.ForeignKey("people.Team", on_delete=models.PROTECT, related_name="feature_builds")
    needs = models.ManyToManyField("product.Feature", blank=True, related_name="needed_by")
    must_have = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["feature__title"]

    def __str__(self) -> str:
        return f"{self.feature} by {self.team}"


class QuarterPlan(models.Model):
    """A plan chosen for a fiscal quarter: the features it puts on the quarter's releases, the blend it
    was chosen at, what it brings, and who chose it when. The latest plan of a quarter is its plan."""

    fiscal_year = models.PositiveSmallIntegerField()
    fiscal_quarter = models.PositiveSmallIntegerField()
    blend = models.DecimalField(max_digits=4, decimal_places=3, help_text="λ: 1 is all revenue, 0 all strategy.")
    features = models.ManyToManyField("product.Feature", related_name="quarter_plans")
    revenue = models.DecimalField(max_digits=16, decimal_places=2)
    strategic = models.DecimalField(max_digits=10, decimal_places=2)
    greedy_gap = models.DecimalField(max_digits=6, decimal_places=4, default=Decimal("0"))
    note = text_field(blank=True, limit=2000)
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    chosen_at = models.DateTimeField()

    class Meta:
        ordering = ["-chosen_at", "-id"]
        constraints = [
            FieldCheckConstraint(
                condition=Q(blend__gte=0, blend__lte=1),
                name="quarter_plan_blend_range",
                field="blend",
                violation_error_message="The blend is from 0 (all strategy) to 1 (all revenue).",
            ),
            FieldCheckConstraint(
                condition=Q(fiscal_quarter__gte=1, fiscal_quarter__lte=4),
                name="quarter_plan_quarter_valid",
                field="fiscal_quarter",
                violation_error_message="A fiscal quarter is 1, 2, 3 or 4.",
            ),
        ]

    def __str__(self) -> str:
        return f"Plan for FY{self.fiscal_year} Q{self.fiscal_quarter}"
