from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan

from tandem.core.constraints import FieldCheckConstraint, FieldUniqueConstraint, text_field
from tandem.core.roles import Role

REASON_MISSING = "Say why this should be reconsidered: the executive reads it first."


class DecisionType(models.TextChoices):
    """What a decision right is about: each outcome of a decision, and an executive's ruling on an escalation."""

    PLANNED = "planned", "Plan for a release"
    DECLINED = "declined", "Decline"
    NEEDS_INFO = "needs_info", "Ask for more information"
    LATER = "later", "Defer to later"
    ESCALATION_RULING = "escalation_ruling", "Rule on an escalation"


class DecisionRight(models.Model):
    """The workspace's decision rights for one decision type: who decides, who is consulted, who is informed.

    Roles are stored as lists of `Role` values. When `managers_own_products_only` is set, a product
    manager holds the right only on features (and asks linked to features) of products they manage.
    """

    decision_type = models.CharField(max_length=20, choices=DecisionType.choices, unique=True)
    deciding_roles = models.JSONField(default=list)
    consulted_roles = models.JSONField(default=list, blank=True)
    informed_roles = models.JSONField(default=list, blank=True)
    managers_own_products_only = models.BooleanField(
        default=True,
        help_text="Product managers decide only on features of the products they manage.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            FieldCheckConstraint(
                condition=Q(decision_type__in=[t.value for t in DecisionType]),
                name="decision_right_type_valid",
                field="decision_type",
                violation_error_message="There is no such decision type.",
            ),
        ]

    def __str__(self) -> str:
        return str(DecisionType(self.decision_type).label)

    def roles(self, field: str) -> list[Role]:
        """The roles of one column, known ones only and in the Role enum's order."""
        stored = set(getattr(self, field) or [])
        return [role for role in Role if role.value in stored]


class Escalation(models.Model):
    """A sales manager asking an executive to rule on a declined or deferred ask, by a due date."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RULED = "ruled", "Ruled"

    ask = models.ForeignKey("asks.Ask", on_delete=models.CASCADE, related_name="escalations")
    escalated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="escalations")
    reason = text_field(limit=2000, error_messages={"blank": REASON_MISSING})
    escalated_at = models.DateTimeField()
    due_date = models.DateField()
    executive = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalations_to_rule",
        help_text="The executive expected to rule; empty means any executive.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # RESTRICT: the ruling may go only together with its escalation (when the ask is deleted).
    ruling = models.OneToOneField(
        "asks.Decision", null=True, blank=True, on_delete=models.RESTRICT, related_name="escalation"
    )

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["status", "due_date", "id"], name="escalation_status_due"),
            models.Index(fields=["-escalated_at", "-id"], name="escalation_recent"),
        ]
        constraints = [
            FieldCheckConstraint(
                condition=GreaterThan(Length("reason"), 0),
                name="escalation_reason_required",
                field="reason",
                violation_error_message=REASON_MISSING,
            ),
            FieldCheckConstraint(
                condition=(Q(status="open") & Q(ruling__isnull=True)) | (Q(status="ruled") & Q(ruling__isnull=False)),
                name="escalation_ruled_has_ruling",
                field="ruling",
                violation_error_message="A ruled escalation names its ruling, and an open one has none.",
            ),
            FieldUniqueConstraint(
                fields=["ask"],
                condition=Q(status="open"),
                name="escalation_one_open_per_ask",
                field="ask",
                violation_error_message="This ask is already escalated.",
            ),
        ]

    def __str__(self) -> str:
        return f"Escalation of ask {self.ask_id}"
