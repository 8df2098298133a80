"""Customer calls product managers join: a rep opens an upcoming call on a deal, PMs sign up, and
afterwards what they heard is logged as asks and notes on the deal."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from tandem.core import formats
from tandem.core.constraints import FieldCheckConstraint, FieldUniqueConstraint, text_field

AGENDA_LIMIT = 1000
NOTE_LIMIT = 4000
MAX_SEATS = 10


class CustomerCall(models.Model):
    """An upcoming customer call on a deal, open to product managers to join."""

    opportunity = models.ForeignKey("sales.Opportunity", on_delete=models.CASCADE, related_name="customer_calls")
    scheduled_at = models.DateTimeField(help_text="When the call starts.")
    agenda = text_field(limit=AGENDA_LIMIT, help_text="What the customer wants to talk about.")
    seats = models.PositiveSmallIntegerField(default=2, help_text="How many product managers may join.")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calls_opened")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    asks = models.ManyToManyField("asks.Ask", blank=True, related_name="customer_calls")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["scheduled_at", "id"]
        indexes = [models.Index(fields=["scheduled_at"], name="call_scheduled")]
        constraints = [
            FieldCheckConstraint(
                condition=Q(seats__gte=1, seats__lte=MAX_SEATS),
                name="call_seats_range",
                field="seats",
                violation_error_message=f"Open between 1 and {MAX_SEATS} seats.",
            ),
        ]

    def __str__(self) -> str:
        return f"Call on {self.opportunity_id} at {formats.datetime_short(self.scheduled_at)}"


class CallAttendee(models.Model):
    """A product manager signed up to a customer call."""

    call = models.ForeignKey(CustomerCall, on_delete=models.CASCADE, related_name="attendees")
    product_manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calls_joined")
    joined_at = models.DateTimeField()

    class Meta:
        ordering = ["joined_at", "id"]
        indexes = [models.Index(fields=["product_manager", "call"], name="call_attendee_pm")]
        constraints = [
            FieldUniqueConstraint(
                fields=["call", "product_manager"],
                name="call_attendee_unique",
                field="product_manager",
                violation_error_message="This product manager has already joined the call.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_manager_id} on call {self.call_id}"


class CallNote(models.Model):
    """What someone heard on a customer call, kept with the call and so with its deal."""

    call = models.ForeignKey(CustomerCall, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = text_field(limit=NOTE_LIMIT)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note on call {self.call_id}"
