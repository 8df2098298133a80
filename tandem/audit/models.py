from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One change to a record that matters for money, decisions or rights: who made it, when, to
    which record, each field's value before and after, and through which channel.

    Entries are written by the services (and the Django admin) in the transaction of the change
    they describe, and never changed or deleted afterwards: nothing in Tandem updates or deletes
    one, and on PostgreSQL a trigger refuses it. The record's label and the actor's name are kept
    as they read at the time, so an entry still says what it was about once the record is gone.
    """

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        CHANGED = "changed", "Changed"
        DELETED = "deleted", "Deleted"
        DECIDED = "decided", "Decided"
        ESCALATED = "escalated", "Escalated"
        RULED = "ruled", "Ruled"
        REVOKED = "revoked", "Revoked"
        TWO_FACTOR_ON = "two_factor_on", "Two-factor turned on"
        TWO_FACTOR_OFF = "two_factor_off", "Two-factor turned off"
        RECOVERY_CODES = "recovery_codes", "Recovery codes replaced"
        UNLOCKED = "unlocked", "Sign-in unlocked"

    class Channel(models.TextChoices):
        PAGE = "page", "Page"
        API = "api", "API"
        ADMIN = "admin", "Admin"
        IMPORT = "import", "Import"
        TASK = "task", "Task"

    at = models.DateTimeField()
    # No database constraint and nothing done on delete: deleting a person must neither be refused
    # because they once acted nor rewrite the entry. `actor_name` says who it was either way.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        help_text="Empty for Tandem itself (a background task).",
    )
    actor_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    record_type = models.CharField(max_length=100, help_text="The record's model, e.g. sales.opportunity.")
    record_id = models.PositiveBigIntegerField()
    record_label = models.CharField(max_length=300, help_text="How the record read when the entry was written.")
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [before, after]}.")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    request_id = models.CharField(max_length=64, blank=True, help_text="The request's X-Request-ID, as in the logs.")

    class Meta:
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["-at", "-id"], name="audit_entry_recent"),
            models.Index(fields=["record_type", "record_id", "-at"], name="audit_entry_record"),
            models.Index(fields=["actor", "-at"], name="audit_entry_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.record_label} by {self.actor_name or 'Tandem'}"
