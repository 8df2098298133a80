from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan

from tandem.core.constraints import FieldCheckConstraint, text_field


class Notification(models.Model):
    """Something one person should know: a decision on their customers' asks, an escalation, a shipped release.

    Shown in the app (the bell and the notifications page) and sent by email once.
    """

    class Kind(models.TextChoices):
        DECISION = "decision", "Decision"
        ESCALATION = "escalation", "Escalation"
        RELEASE_SHIPPED = "release_shipped", "Release shipped"
        COMMITMENT = "commitment", "Commitment"
        DIGEST = "digest", "Product digest"
        REVIEW = "review", "Product-sales review"  # minutes and action items

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    # Written by Tandem from texts that have their own limits (a rationale, a reason, a need's excerpt);
    # the limit holds the admin's edits to the same bound.
    body = text_field(blank=True, limit=10000)
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
            FieldCheckConstraint(
                condition=Q(kind__in=["decision", "escalation", "release_shipped", "commitment", "digest", "review"]),
                name="notification_kind_valid",
                field="kind",
                violation_error_message="Choose a decision, an escalation, a shipped release, a commitment, a "
                "digest or a review.",
            ),
            FieldCheckConstraint(
                condition=GreaterThan(Length("title"), 0),
                name="notification_title_not_empty",
                field="title",
                violation_error_message="A notification needs a title.",
            ),
        ]

    def __str__(self) -> str:
        return self.title
