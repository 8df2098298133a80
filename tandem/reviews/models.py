"""The product-sales review: a recurring meeting, its meetings (each with an agenda Tandem builds from
the period's facts), the decisions taken and the action items agreed there."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from tandem.core import formats
from tandem.core.constraints import FieldCheckConstraint, text_field


class Review(models.Model):
    """A recurring product-sales review: its name, how often it meets and who attends."""

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        FORTNIGHTLY = "fortnightly", "Every two weeks"
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"

    name = models.CharField(max_length=200)
    cadence = models.CharField(max_length=20, choices=Cadence.choices, default=Cadence.FORTNIGHTLY)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_organised")
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="reviews_attended", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            FieldCheckConstraint(
                condition=Q(cadence__in=["weekly", "fortnightly", "monthly", "quarterly"]),
                name="review_cadence_valid",
                field="cadence",
                violation_error_message="Choose weekly, every two weeks, monthly or quarterly.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ReviewMeeting(models.Model):
    """One meeting of a review. Its agenda covers the facts since `period_start` (the previous meeting)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField()
    period_start = models.DateField()
    notes = text_field(blank=True, limit=10000)
    minutes_sent_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            FieldCheckConstraint(
                condition=Q(period_start__lte=F("held_on")),
                name="review_meeting_period_before_meeting",
                field="period_start",
                violation_error_message="The period the agenda covers starts on or before the meeting.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.review} on {formats.date_short(self.held_on)}"


class MeetingDecision(models.Model):
    """A decision taken in a meeting, against one of its agenda's items (the decision itself is the
    decisions app's, recorded under the decision rights)."""

    meeting = models.ForeignKey(ReviewMeeting, on_delete=models.CASCADE, related_name="decisions")
    decision = models.OneToOneField("asks.Decision", on_delete=models.CASCADE, related_name="+")
    agenda_item = models.CharField(max_length=60)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Decision {self.decision_id} in {self.meeting}"


class ActionItem(models.Model):
    """Something a person agreed to do in a meeting, by a date; it shows on their home until done."""

    meeting = models.ForeignKey(ReviewMeeting, on_delete=models.CASCADE, related_name="action_items")
    agenda_item = models.CharField(max_length=60, blank=True)
    title = text_field(limit=500)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_items")
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["owner", "due_on"], condition=Q(done_at__isnull=True), name="action_item_open_owner")
        ]
        constraints = [
            FieldCheckConstraint(
                condition=~Q(title=""),
                name="action_item_title_not_empty",
                field="title",
                violation_error_message="Say what is to be done.",
            )
        ]

    def __str__(self) -> str:
        return self.title
