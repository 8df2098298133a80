"""Launches and the product digest for sales.

A launch plan belongs to a release: its go-to-market checklist (positioning, pricing, channels,
sales enablement, training) with owners and due dates, and its success metrics with targets and
their actual values 30 and 90 days after the release shipped. The digest tells sales, each period,
what shipped, what is coming and what to say.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from tandem.core.constraints import FieldCheckConstraint, FieldUniqueConstraint, text_field


class LaunchPlan(models.Model):
    release = models.OneToOneField("product.Release", on_delete=models.CASCADE, related_name="launch_plan")
    positioning = text_field(blank=True, limit=2000, help_text="Who it is for and why it matters, in one paragraph.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Launch of {self.release}" if self.release_id else "Launch plan"


class ChecklistItem(models.Model):
    """One go-to-market task of a launch, in one area, with its owner and due date."""

    class Area(models.TextChoices):
        POSITIONING = "positioning", "Positioning"
        PRICING = "pricing", "Pricing"
        CHANNELS = "channels", "Channels"
        ENABLEMENT = "enablement", "Sales enablement"
        TRAINING = "training", "Training"

    plan = models.ForeignKey(LaunchPlan, on_delete=models.CASCADE, related_name="items")
    area = models.CharField(max_length=20, choices=Area.choices)
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            FieldCheckConstraint(
                condition=Q(area__in=["positioning", "pricing", "channels", "enablement", "training"]),
                name="checklist_item_area_valid",
                field="area",
                violation_error_message="Choose positioning, pricing, channels, sales enablement or training.",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SuccessMetric(models.Model):
    """A launch's success measure with its target. Revenue influenced, asks closed and win rate against
    a competitor are computed from Tandem's deals and asks (`metrics.py`); adoption, which Tandem
    cannot see, is entered by hand at 30 and 90 days."""

    class Kind(models.TextChoices):
        ADOPTION = "adoption", "Adoption (accounts using it)"
        REVENUE_INFLUENCED = "revenue_influenced", "Revenue influenced"
        WIN_RATE = "win_rate", "Win rate against a competitor (%)"
        ASKS_CLOSED = "asks_closed", "Asks closed"

    plan = models.ForeignKey(LaunchPlan, on_delete=models.CASCADE, related_name="metrics")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    competitor = models.ForeignKey(
        "competition.Competitor", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target = models.DecimalField(max_digits=16, decimal_places=2)
    # Entered by hand where Tandem has no data (adoption); computed kinds ignore them.
    actual_30 = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    actual_90 = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]
        constraints = [
            FieldCheckConstraint(
                condition=Q(kind__in=["adoption", "revenue_influenced", "win_rate", "asks_closed"]),
                name="success_metric_kind_valid",
                field="kind",
                violation_error_message="Choose adoption, revenue influenced, win rate or asks closed.",
            ),
            FieldCheckConstraint(
                condition=~Q(kind="win_rate") | Q(competitor__isnull=False),
                name="success_metric_win_rate_names_competitor",
                field="competitor",
                violation_error_message="Name the competitor the win rate is measured against.",
            ),
            FieldCheckConstraint(
                condition=Q(target__gte=0),
                name="success_metric_target_not_negative",
                field="target",
                violation_error_message="The target cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class DigestSettings(models.Model):
    """How often sales gets the product digest, chosen by the admin: one row for the workspace."""

    class Period(models.TextChoices):
        WEEKLY = "weekly", "Every week"
        PER_RELEASE = "per_release", "When a release ships"

    period = models.CharField(max_length=20, choices=Period.choices, default=Period.WEEKLY)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "digest settings"
        constraints = [
            FieldCheckConstraint(
                condition=Q(period__in=["weekly", "per_release"]),
                name="digest_period_valid",
                field="period",
                violation_error_message="Choose every week or when a release ships.",
            ),
        ]

    def __str__(self) -> str:
        return "Digest settings"


class DigestDelivery(models.Model):
    """One reader's digest of one period, sent once: the unique key refuses a second."""

    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period_key = models.CharField(max_length=40, help_text="2027-W09 for a week, release-12 for a release.")
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            FieldUniqueConstraint(
                fields=["reader", "period_key"],
                name="digest_delivery_once",
                field="period_key",
                violation_error_message="This reader already had this period's digest.",
            ),
        ]

    def __str__(self) -> str:
        return f"Digest {self.period_key}"
