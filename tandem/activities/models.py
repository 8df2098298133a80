"""What is logged on a deal: notes, calls and meetings, with whom and what came of them."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from tandem.core.constraints import FieldCheckConstraint, text_field

BODY_LIMIT = 4000
# When a call or meeting may have happened or be planned: far enough for any deal, near enough that a
# time zone's offset never runs off the calendar.
EARLIEST_YEAR, LATEST_YEAR = 1970, 2100
WHEN_OUT_OF_RANGE = f"Give a time between {EARLIEST_YEAR} and {LATEST_YEAR}."


class Activity(models.Model):
    """One note, call or meeting on a deal. A call or meeting names when it happened (or will) and
    which of the account's people took part; its text is what was said or decided."""

    class Kind(models.TextChoices):
        NOTE = "note", "Note"
        CALL = "call", "Call"
        MEETING = "meeting", "Meeting"

    opportunity = models.ForeignKey("sales.Opportunity", on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NOTE)
    occurred_at = models.DateTimeField(help_text="When the call or meeting took place (or is planned); a note's time.")
    body = text_field(limit=BODY_LIMIT, help_text="What was said, decided or learnt: the outcome.")
    contacts = models.ManyToManyField("sales.Contact", blank=True, related_name="activities")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: every write bumps it; a stale write is refused, never applied silently.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["opportunity", "-occurred_at", "-id"], name="activity_deal_occurred")]
        constraints = [
            FieldCheckConstraint(
                condition=Q(kind__in=["note", "call", "meeting"]),
                name="activity_kind_valid",
                field="kind",
                violation_error_message="Choose a note, a call or a meeting.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.opportunity_id}"
