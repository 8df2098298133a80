from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan

from tandem.core.constraints import FieldCheckConstraint, text_field
from tandem.core.models import money_field

NEED_MISSING = "Say what the customer needs."
RATIONALE_MISSING = "Write the rationale: the requesting reps read it."


class Ask(models.Model):
    """One piece of customer evidence: an account (usually on a deal) needing something."""

    class Importance(models.TextChoices):
        NICE_TO_HAVE = "nice_to_have", "Nice to have"
        IMPORTANT = "important", "Important"
        BLOCKER = "blocker", "Blocker"

    class Source(models.TextChoices):
        CALL = "call", "Call"
        DEMO = "demo", "Demo"
        EMAIL = "email", "Email"
        SUPPORT = "support", "Support"
        RFP = "rfp", "RFP"

    class Status(models.TextChoices):
        NEW = "new", "New"
        LINKED = "linked", "Linked to a feature"
        MERGED = "merged", "Merged into another ask"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        """Where the loop stands for this ask once product decided or shipped (`asks/outcomes.py`)."""

        NONE = "", "Not decided"
        PLANNED = "planned", "Planned"
        NEEDS_INFO = "needs_info", "Needs more information"
        LATER = "later", "Deferred"
        DECLINED = "declined", "Declined"
        SHIPPED = "shipped", "Shipped"

    account = models.ForeignKey("sales.Account", on_delete=models.PROTECT, related_name="asks")
    opportunity = models.ForeignKey(
        "sales.Opportunity", null=True, blank=True, on_delete=models.SET_NULL, related_name="asks"
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="asks")
    # No index of its own: `ask_feature_opportunity` and `ask_feature_created` start with it.
    feature = models.ForeignKey(
        "product.Feature", null=True, blank=True, on_delete=models.SET_NULL, related_name="asks", db_index=False
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    need = text_field(
        help_text="What the customer needs, in their words.", limit=2000, error_messages={"blank": NEED_MISSING}
    )
    why = text_field(blank=True, help_text="Why they need it: the problem behind the ask.", limit=2000)
    importance = models.CharField(max_length=20, choices=Importance.choices, default=Importance.IMPORTANT)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.CALL)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.NONE, blank=True)
    outcome_decision = models.ForeignKey(
        "Decision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The decision behind the outcome, whose rationale the requesting reps read.",
    )
    value_home = money_field(
        default=Decimal("0"),
        help_text="What the ask is worth to sales, in the home currency: its deal's home amount, or without a "
        "deal its account's annual revenue. Kept by the services that change either (`asks/values.py`).",
    )
    created_at = models.DateTimeField()
    # The id the record has in the CRM or tool it was imported from: a re-import updates it instead of adding another.
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="ask_status_created"),
            models.Index(fields=["status", "-value_home", "-id"], name="ask_status_value"),
            # With the outcome: the scorecards count a quarter's asks by outcome from the index alone.
            models.Index(fields=["-created_at", "-id"], include=["outcome"], name="ask_created"),
            # A quarter's blocked revenue reads the blocker asks of its deals from the index alone.
            models.Index(
                fields=["opportunity"],
                include=["feature", "value_home"],
                name="ask_blocker",
                condition=Q(importance="blocker"),
            ),
            # The most valuable asks of a period (the review's agenda): walked until enough fall in it.
            models.Index(fields=["-value_home", "-id"], name="ask_value"),
            models.Index(fields=["feature", "opportunity"], name="ask_feature_opportunity"),
            models.Index(fields=["feature", "created_at"], name="ask_feature_created"),
            # Lists filtered by outcome ("declined or deferred on my team's deals"); most asks have none.
            models.Index(
                fields=["outcome", "-created_at", "-id"], name="ask_outcome_created", condition=~Q(outcome="")
            ),
        ]
        constraints = [
            FieldCheckConstraint(
                condition=GreaterThan(Length("need"), 0),
                name="ask_need_not_empty",
                field="need",
                violation_error_message=NEED_MISSING,
            ),
            FieldCheckConstraint(
                condition=Q(importance__in=["nice_to_have", "important", "blocker"]),
                name="ask_importance_valid",
                field="importance",
                violation_error_message="Choose nice to have, important or blocker.",
            ),
            FieldCheckConstraint(
                condition=Q(source__in=["call", "demo", "email", "support", "rfp"]),
                name="ask_source_valid",
                field="source",
                violation_error_message="Choose call, demo, email, support or RFP.",
            ),
            FieldCheckConstraint(
                condition=Q(status="merged", duplicate_of__isnull=False)
                | (~Q(status="merged") & Q(duplicate_of__isnull=True)),
                name="ask_merged_has_original",
                field="duplicate_of",
                violation_error_message="A merged ask names the ask it duplicates, and only a merged ask does.",
            ),
            FieldCheckConstraint(
                condition=~Q(duplicate_of=models.F("id")),
                name="ask_not_duplicate_of_itself",
                field="duplicate_of",
                violation_error_message="An ask cannot be merged into itself.",
            ),
            FieldCheckConstraint(
                condition=Q(outcome__in=["", "planned", "needs_info", "later", "declined", "shipped"]),
                name="ask_outcome_valid",
                field="outcome",
                violation_error_message="Choose planned, needs more information, deferred, declined or shipped.",
            ),
        ]

    def __str__(self) -> str:
        return self.need[:80]

    @property
    def loop_status(self) -> str:
        """The one status every role reads: the outcome once there is one, else where triage stands."""
        return self.outcome or self.status

    def get_loop_status_display(self) -> str:
        return LOOP_STATUS_LABELS[self.loop_status]


# The statuses an ask moves through, in the order of the loop, as every page and the API name them.
LOOP_STATUS_LABELS = {
    "new": "New",
    "linked": "Linked",
    "merged": "Merged",
    "planned": "Planned",
    "needs_info": "Needs info",
    "later": "Deferred",
    "declined": "Declined",
    "shipped": "Shipped",
    "closed": "Closed",
}


class Decision(models.Model):
    """An outcome on a feature or an ask, with its rationale, who decided and when."""

    class Outcome(models.TextChoices):
        PLANNED = "planned", "Planned"
        DECLINED = "declined", "Declined"
        NEEDS_INFO = "needs_info", "Needs more information"
        LATER = "later", "Deferred"

    feature = models.ForeignKey(
        "product.Feature", null=True, blank=True, on_delete=models.CASCADE, related_name="decisions"
    )
    ask = models.ForeignKey(Ask, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    release = models.ForeignKey(
        "product.Release", null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    rationale = text_field(limit=4000, error_messages={"blank": RATIONALE_MISSING})
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions")
    decided_at = models.DateTimeField()

    # Not stored: set by `decision_record` to how many people it told, for the page to say so.
    told: int = 0

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            FieldCheckConstraint(
                condition=(Q(feature__isnull=False) & Q(ask__isnull=True))
                | (Q(feature__isnull=True) & Q(ask__isnull=False)),
                name="decision_on_feature_or_ask",
                field="feature",
                violation_error_message="A decision is on one feature or on one ask.",
            ),
            FieldCheckConstraint(
                condition=GreaterThan(Length("rationale"), 0),
                name="decision_rationale_required",
                field="rationale",
                violation_error_message=RATIONALE_MISSING,
            ),
            FieldCheckConstraint(
                condition=~Q(outcome="planned") | Q(release__isnull=False),
                name="decision_planned_names_release",
                field="release",
                violation_error_message="Choose the release this is planned for.",
            ),
            FieldCheckConstraint(
                condition=Q(outcome__in=["planned", "declined", "needs_info", "later"]),
                name="decision_outcome_valid",
                field="outcome",
                violation_error_message="Choose planned, declined, needs more information or deferred.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} by {self.decided_by}"


class FeatureEvidence(models.Model):
    """The revenue and reach behind a feature, and its score, kept current by the services that
    change asks, deals, accounts and features (`asks/evidence.py`).

    Kept as a row per feature so the feature list sorts by score or revenue at stake with an index,
    not by aggregating every ask per page view. Every ask naming the feature counts, merged
    duplicates included; each deal and account is counted once per feature.
    """

    feature = models.OneToOneField(
        "product.Feature", on_delete=models.CASCADE, primary_key=True, related_name="evidence"
    )
    asks_count = models.PositiveIntegerField(default=0)
    important_asks_count = models.PositiveIntegerField(default=0)
    blocker_asks_count = models.PositiveIntegerField(default=0)
    accounts_count = models.PositiveIntegerField(default=0)
    open_pipeline = money_field(default=Decimal("0"))
    weighted_pipeline = money_field(default=Decimal("0"))
    blocker_pipeline = money_field(default=Decimal("0"))
    largest_deal = money_field(default=Decimal("0"), help_text="The largest open deal asking, in the home currency.")
    customer_revenue = money_field(
        default=Decimal("0"), help_text="Annual revenue of the requesting accounts that are customers."
    )
    lost_revenue = money_field(
        default=Decimal("0"), help_text="Deals lost for a missing feature that had an ask naming this one."
    )
    won_after_ship = money_field(
        default=Decimal("0"), help_text="Deals won after the feature's release shipped that had an ask naming it."
    )
    strategic_fit = models.DecimalField(
        max_digits=7, decimal_places=2, default=Decimal("0"), help_text="Sum of the active linked goals' weights."
    )
    score = models.DecimalField(max_digits=14, decimal_places=4, default=Decimal("0"))
    rice_score = models.DecimalField(max_digits=14, decimal_places=4, default=Decimal("0"))
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["-open_pipeline"], name="evidence_open_pipeline"),
            models.Index(fields=["-accounts_count"], name="evidence_accounts"),
            models.Index(fields=["-weighted_pipeline", "-feature"], name="evidence_weighted_pipeline"),
            models.Index(fields=["-score", "-feature"], name="evidence_score"),
            models.Index(fields=["-rice_score", "-feature"], name="evidence_rice_score"),
            # The review's single-deal asks: the largest deals first, until enough rest on one deal.
            models.Index(fields=["-largest_deal", "feature"], name="evidence_largest_deal"),
        ]

    def __str__(self) -> str:
        return f"Evidence for feature {self.feature_id}"

    @property
    def largest_deal_share(self) -> Decimal:
        return largest_deal_share(self.largest_deal, self.open_pipeline)

    def is_single_deal(self, threshold: Decimal) -> bool:
        return is_single_deal(self.largest_deal, self.open_pipeline, threshold)


# Plain functions as well as the row's methods: the API's feature list reads its figures as dicts.
def largest_deal_share(largest_deal: Decimal, open_pipeline: Decimal) -> Decimal:
    """The largest open deal's share of the open pipeline, 0..1 (0 with no open pipeline)."""
    if open_pipeline <= 0:
        return Decimal("0")
    return (largest_deal / open_pipeline).quantize(Decimal("0.0001"))


def is_single_deal(largest_deal: Decimal, open_pipeline: Decimal, threshold: Decimal) -> bool:
    """A *single-deal ask*: one open deal holds more than `threshold` (0..1) of the open pipeline."""
    return open_pipeline > 0 and largest_deal > open_pipeline * threshold


class TriageAction(models.Model):
    """What one triage action (link, merge, create a feature) changed on an ask, so the product
    manager who took it may undo it for a few minutes (`asks.services.triage_undo`)."""

    class Kind(models.TextChoices):
        LINK = "link", "Linked"
        MERGE = "merge", "Merged"
        CREATE = "create", "Created a feature"

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="triage_actions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    taken_at = models.DateTimeField()
    # The ask as it was before, to put it back.
    status_before = models.CharField(max_length=20)
    feature_before = models.ForeignKey(
        "product.Feature", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    duplicate_of_before = models.ForeignKey(Ask, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Where it left the ask: an undo is refused once someone moved the ask on since.
    feature_after = models.ForeignKey(
        "product.Feature", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Asks that moved with it (its merged duplicates), as [[ask id, feature id before, original id before]].
    followers_before = models.JSONField(default=list, blank=True)
    created_feature = models.ForeignKey(
        "product.Feature", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-taken_at", "-id"]
        indexes = [models.Index(fields=["ask", "-taken_at"], name="triage_action_ask_taken")]
        constraints = [
            FieldCheckConstraint(
                condition=Q(kind__in=["link", "merge", "create"]),
                name="triage_action_kind_valid",
                field="kind",
                violation_error_message="A triage action is a link, a merge or a new feature.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ask {self.ask_id}"
