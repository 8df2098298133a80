"""Coaching: what a sales manager notes about each rep they coach, and the periodic reviews that
pull in the rep's figures for a fiscal quarter or a month."""

from django.conf import settings
from django.db import models

from tandem.core.constraints import FieldUniqueConstraint, text_field

NOTE_LIMIT = 4000


class CoachingNote(models.Model):
    """A dated note of a coaching conversation or observation about one rep, by their manager.
    Private to the rep and those who coach them (and executives, admins)."""

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coaching_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    noted_on = models.DateField(help_text="The day of the conversation or observation.")
    text = text_field(limit=NOTE_LIMIT, help_text="What was discussed, observed or agreed.")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # Optimistic locking: every write bumps it; a stale write is refused, never applied silently.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-noted_on", "-id"]
        indexes = [models.Index(fields=["rep", "-noted_on", "-id"], name="coaching_note_rep_noted")]

    def __str__(self) -> str:
        return f"Coaching note on {self.rep} of {self.noted_on.isoformat()}"


class Review(models.Model):
    """A manager's review of one rep over a period (a fiscal quarter or a month). A draft is the
    manager's alone; once shared the rep reads it, with the figures frozen as they stood at sharing,
    and may acknowledge it with a comment."""

    class PeriodKind(models.TextChoices):
        QUARTER = "quarter", "Fiscal quarter"
        MONTH = "month", "Month"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SHARED = "shared", "Shared"

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    period_kind = models.CharField(max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    period_label = models.CharField(max_length=20, help_text="FY2027 Q1, or November 2026.")
    summary = text_field(blank=True, limit=NOTE_LIMIT, help_text="How the period went.")
    goals = text_field(blank=True, limit=2000, help_text="What to work on in the next period.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The figures as they stood when the review was shared: what the rep read stays what it says.
    figures = models.JSONField(null=True, blank=True, editable=False)
    shared_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    rep_comment = text_field(blank=True, limit=2000, help_text="The rep's answer when acknowledging.")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-period_start", "-id"]
        constraints = [
            FieldUniqueConstraint(
                fields=["rep", "period_kind", "period_start"],
                name="review_unique_rep_period",
                field="period_start",
                violation_error_message="This rep already has a review for this period: open it instead.",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.rep} for {self.period_label}"
