"""The events a webhook may subscribe to: what happened, in the product's words."""

from django.db import models


class Event(models.TextChoices):
    ASK_LOGGED = "ask.logged", "Ask logged"
    DECISION_TAKEN = "decision.taken", "Decision taken"
    ESCALATION_RAISED = "escalation.raised", "Escalation raised"
    ESCALATION_RULED = "escalation.ruled", "Escalation ruled"
    RELEASE_SHIPPED = "release.shipped", "Release shipped"
    # Emitted by the commitments app (what sales promised a customer, when it slips).
    COMMITMENT_AT_RISK = "commitment.at_risk", "Commitment at risk"
    DEAL_STAGE_CHANGED = "deal.stage_changed", "Deal stage changed"
