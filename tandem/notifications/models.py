from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan


class Notification(models.Model):
    """Something one person should know: a decision on their customers' asks, an escalation, a shipped release.

    Shown in the app (the bell and the notifications page) and sent by email once.
    """

    class Kind(models.TextChoices):
        DECISION = "decision", "Decision"
        ESCALATION = "escalation", "Escalation"
        RELEASE_SHIPPED = "release_shipped", "Release shipped"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True, help_text="Where the notification leads, as a site path.")
    links = models.JSONField(
        default=list, blank=True, help_text="Records to act on, as [label, site path] pairs (e.g. deals to re-engage)."
    )
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_recipient_new"),
            # The bell counts unread rows on every page: a partial index keeps that count small.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["decision", "escalation", "release_shipped"]), name="notification_kind_valid"
            ),
            models.CheckConstraint(condition=GreaterThan(Length("title"), 0), name="notification_title_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title
