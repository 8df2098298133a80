"""Commitments: what a rep promised, or wants to promise, a customer — a feature for a deal's
account, optionally by a date — approved or refused by product, then tracked until delivered or broken."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from tandem.core.constraints import FieldCheckConstraint, text_field

REASON_MISSING = "Say why you refuse: the rep tells the customer."
WITHDRAWAL_REASON_MISSING = "Say why it is withdrawn: the customer no longer needs it, or the deal was lost."
# The reason offered for the open commitments of a lost deal.
DEAL_LOST = "The deal was lost."


class Commitment(models.Model):
    """A promise of a feature to a deal's account. `status` is product's answer (requested, approved,
    refused) or the rep's withdrawal (withdrawn); whether an approved promise is on track, at risk,
    delivered or broken is computed from the feature, its release and the date (`tracking.py`), never
    stored, so it is never stale."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Awaiting approval"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    opportunity = models.ForeignKey("sales.Opportunity", on_delete=models.CASCADE, related_name="commitments")
    # The deal's account, kept so the account page lists its commitments by an index.
    account = models.ForeignKey("sales.Account", on_delete=models.CASCADE, related_name="commitments")
    feature = models.ForeignKey("product.Feature", on_delete=models.PROTECT, related_name="commitments")
    due_date = models.DateField(null=True, blank=True, help_text="The date promised to the customer, if any.")
    note = text_field("What was promised", blank=True, limit=2000)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    # Null with an approved status: approved at once, the feature being committed on the sales roadmap.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = text_field(blank=True, limit=2000)
    # The warning before the date, sent once to the rep, their manager and the product manager.
    warned_at = models.DateTimeField(null=True, blank=True)
    # The notice that it broke (date passed, feature declined or moved out), sent once to the same people.
    broken_notice_at = models.DateTimeField(null=True, blank=True)
    # The rep (or their manager) takes back what they asked for: it leaves the open lists, the history keeps it.
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # A database default too: rows written without it (the seed's bulk load) read as not withdrawn.
    withdrawal_reason = text_field("Why it is withdrawn", blank=True, default="", db_default="", limit=2000)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["due_date", "id"], name="commitment_due"),  # the list's default order
            models.Index(fields=["status", "due_date", "id"], name="commitment_status_due"),
            models.Index(fields=["feature", "status"], name="commitment_feature_status"),
        ]
        constraints = [
            FieldCheckConstraint(
                condition=Q(status__in=["requested", "approved", "refused", "withdrawn"]),
                name="commitment_status_valid",
                field="status",
                violation_error_message="Choose awaiting approval, approved, refused or withdrawn.",
            ),
            FieldCheckConstraint(
                condition=~Q(status="withdrawn", withdrawal_reason=""),
                name="commitment_withdrawal_has_reason",
                field="withdrawal_reason",
                violation_error_message=WITHDRAWAL_REASON_MISSING,
            ),
            FieldCheckConstraint(
                condition=~Q(status="refused", reason=""),
                name="commitment_refusal_has_reason",
                field="reason",
                violation_error_message=REASON_MISSING,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feature} for {self.account}" if self.feature_id and self.account_id else "Commitment"


class WarningDay(models.Model):
    """A day on which the warnings before commitment dates were queued: the first commitments page
    of a day queues them, so they need neither cron nor broker (`tasks.py`)."""

    day = models.DateField(unique=True)

    def __str__(self) -> str:
        return self.day.isoformat()
