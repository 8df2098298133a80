"""Webhook subscriptions and their deliveries (docs/webhooks.md)."""

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models

from tandem.webhooks.events import Event


class Subscription(models.Model):
    """An address told of the events it subscribes to, each delivery signed with its secret.

    With `slack_format` the body is `{"text": …}`, what a Slack incoming webhook accepts, instead of
    Tandem's own `{"event", "delivery", "occurred_at", "data"}`.
    """

    name = models.CharField(max_length=100, help_text="What receives it, e.g. “#product-decisions in Slack”.")
    url = models.URLField(
        "address",
        max_length=2000,
        validators=[URLValidator(schemes=["http", "https"], message="Enter an http:// or https:// address.")],
        help_text="Where Tandem posts each event (https://…).",
    )
    events = models.JSONField(default=list, help_text="The event names it receives.")
    slack_format = models.BooleanField(
        "Slack format", default=False, help_text='Send {"text": …}, what a Slack incoming webhook accepts.'
    )
    secret = models.CharField(max_length=64, help_text="Signs each delivery (HMAC-SHA256); the receiver keeps it.")
    is_active = models.BooleanField("active", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webhook_subscriptions",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def receives(self, event: str) -> bool:
        return self.is_active and event in self.events


class Delivery(models.Model):
    """One event sent (or to be sent) to one subscription, with what its last attempt answered."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RETRYING = "retrying", "Retrying"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=Event.choices)
    payload = models.JSONField(help_text="The event's data, as sent.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # Tandem's words, not a person's: cut to its length by `delivery_attempt`.
    error = models.CharField(max_length=500, blank=True, help_text="Why the last attempt failed.")
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subscription", "-created_at", "-id"], name="delivery_subscription_recent")]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription_id}"
