from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact

from tandem.core.constraints import FieldCheckConstraint, FieldUniqueConstraint, text_field
from tandem.core.models import CURRENCY_CODE, money_field

PROBABILITY_RANGE = "A probability is from 0 to 100."


class Account(models.Model):
    """A customer or prospect company (never a login)."""

    class Segment(models.TextChoices):
        SMB = "smb", "SMB"
        MID_MARKET = "mid_market", "Mid-market"
        ENTERPRISE = "enterprise", "Enterprise"

    class Status(models.TextChoices):
        PROSPECT = "prospect", "Prospect"
        CUSTOMER = "customer", "Customer"
        CHURNED = "churned", "Churned"

    name = models.CharField(max_length=200)
    industry = models.CharField(max_length=100, blank=True)
    segment = models.CharField(max_length=20, choices=Segment.choices, default=Segment.MID_MARKET)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROSPECT)
    employees = models.PositiveIntegerField(null=True, blank=True)
    region = models.CharField(max_length=50, blank=True)
    territory = models.ForeignKey(
        "people.Territory", null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts"
    )
    annual_revenue = money_field(
        default=Decimal("0"),
        help_text="Annual recurring revenue of our relationship with this account, in the home currency.",
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="accounts")
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: every write bumps it; a stale write is refused, never applied silently.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["owner", "name"], name="account_owner_name"),
            models.Index(fields=["name"], name="account_name"),
        ]
        constraints = [
            FieldCheckConstraint(
                condition=Q(annual_revenue__gte=0),
                name="account_revenue_not_negative",
                field="annual_revenue",
                violation_error_message="Annual revenue cannot be negative.",
            ),
            FieldCheckConstraint(
                condition=Q(segment__in=["smb", "mid_market", "enterprise"]),
                name="account_segment_valid",
                field="segment",
                violation_error_message="Choose SMB, mid-market or enterprise.",
            ),
            FieldCheckConstraint(
                condition=Q(status__in=["prospect", "customer", "churned"]),
                name="account_status_valid",
                field="status",
                violation_error_message="Choose prospect, customer or churned.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person at an account."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    title = models.CharField(max_length=150, blank=True)
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Stage(models.Model):
    """One step of the sales process, in order, with the probability a deal in it closes."""

    class ForecastCategory(models.TextChoices):
        PIPELINE = "pipeline", "Pipeline"
        BEST_CASE = "best_case", "Best case"
        COMMIT = "commit", "Commit"
        CLOSED = "closed", "Closed"
        OMITTED = "omitted", "Omitted"

    name = models.CharField(max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(unique=True)
    default_probability = models.PositiveSmallIntegerField()
    forecast_category = models.CharField(max_length=20, choices=ForecastCategory.choices)
    is_won = models.BooleanField(default=False)
    is_lost = models.BooleanField(default=False)
    loss_reason_required = models.BooleanField(
        default=True, help_text="On a lost stage: a deal moved here must say why it was lost (and to whom)."
    )

    class Meta:
        ordering = ["order"]
        constraints = [
            FieldCheckConstraint(
                condition=Q(default_probability__lte=100),
                name="stage_probability_range",
                field="default_probability",
                violation_error_message=PROBABILITY_RANGE,
            ),
            FieldCheckConstraint(
                condition=~Q(is_won=True, is_lost=True),
                name="stage_not_won_and_lost",
                field="is_lost",
                violation_error_message="A stage cannot be both won and lost.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.is_won or self.is_lost


class Opportunity(models.Model):
    """A potential sale to an account (pages say *deal*), with amount, stage, close date and owner.

    `amount_home` is `amount` converted to the home currency with the rate valid on the close date,
    kept by the service that writes the amount, so every total is a plain SUM.
    """

    class Type(models.TextChoices):
        NEW = "new", "New business"
        RENEWAL = "renewal", "Renewal"
        UPSELL = "upsell", "Upsell"

    class LeadSource(models.TextChoices):
        CAMPAIGN = "campaign", "Marketing campaign"
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound prospecting"
        PARTNER = "partner", "Partner"
        EVENT = "event", "Event"
        REFERRAL = "referral", "Referral"
        EXISTING_CUSTOMER = "existing_customer", "Existing customer"

    class LossReason(models.TextChoices):
        PRICE = "price", "Price"
        MISSING_FEATURE = "missing_feature", "Missing feature"
        COMPETITOR = "competitor", "Lost to competitor"
        TIMING = "timing", "Timing"
        NO_DECISION = "no_decision", "No decision"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="opportunities")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="opportunities")
    amount = money_field()
    currency = models.CharField(max_length=3, default="USD")
    amount_home = money_field(help_text="Amount in the home currency.")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="opportunities")
    probability = models.PositiveSmallIntegerField()
    forecast_category = models.CharField(max_length=20, choices=Stage.ForecastCategory.choices)
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.NEW)
    lead_source = models.CharField(max_length=30, choices=LeadSource.choices, blank=True)
    close_date = models.DateField()
    competitor = models.ForeignKey(
        "competition.Competitor", null=True, blank=True, on_delete=models.SET_NULL, related_name="opportunities"
    )
    loss_reason = models.CharField(max_length=30, choices=LossReason.choices, blank=True)
    loss_note = text_field(blank=True, limit=2000)
    next_step = text_field(blank=True, limit=300, help_text="What happens next on the deal, in a line.")
    next_step_date = models.DateField(null=True, blank=True, help_text="When the next step is due.")
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The latest stage move or logged note, call or meeting (not a future one): kept by the "
        "services that write them, so the stale-deal filter is a plain comparison.",
    )
    # Optimistic locking: every write bumps it; a stale write is refused, never applied silently.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["close_date", "id"]
        verbose_name_plural = "opportunities"
        indexes = [
            # The board's column sums and first cards of a manager's reps read this index alone (no heap
            # visit for 5,000 deals): owner, then the column and its card order, carrying the sums' fields.
            models.Index(
                fields=["owner", "stage", "close_date", "id"],
                include=["closed_at", "amount_home", "probability"],
                name="opportunity_owner_board",
            ),
            models.Index(fields=["account", "close_date"], name="opportunity_account"),
            models.Index(fields=["stage", "close_date"], name="opportunity_stage_close"),
            models.Index(fields=["close_date"], name="opportunity_close_date"),
            models.Index(
                fields=["close_date", "id"], condition=Q(closed_at__isnull=True), name="opportunity_open_close"
            ),
            models.Index(
                fields=["last_activity_at"], condition=Q(closed_at__isnull=True), name="opportunity_open_activity"
            ),
        ]
        constraints = [
            FieldCheckConstraint(
                condition=Q(amount__gte=0),
                name="opportunity_amount_not_negative",
                field="amount",
                violation_error_message="The amount cannot be negative.",
            ),
            FieldCheckConstraint(
                condition=Q(amount_home__gte=0),
                name="opportunity_amount_home_not_negative",
                field="amount_home",
                violation_error_message="The amount in the home currency cannot be negative.",
            ),
            FieldCheckConstraint(
                condition=Q(probability__gte=0, probability__lte=100),
                name="opportunity_probability_range",
                field="probability",
                violation_error_message=PROBABILITY_RANGE,
            ),
            FieldCheckConstraint(
                condition=Exact(Length("currency"), 3),
                name="opportunity_currency_iso",
                field="currency",
                violation_error_message=CURRENCY_CODE,
            ),
            FieldCheckConstraint(
                condition=Q(type__in=["new", "renewal", "upsell"]),
                name="opportunity_type_valid",
                field="type",
                violation_error_message="Choose new business, renewal or upsell.",
            ),
            FieldCheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("created_at")),
                name="opportunity_closed_after_created",
                field="closed_at",
                violation_error_message="A deal cannot close before it was opened.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RepMonthFigures(models.Model):
    """A rep's deals closing in one calendar month, summed: what the forecast and attainment roll-ups
    add up instead of grouping every deal on each request (issue 18: 2,000 reps within a second).

    Database triggers on deals and stages keep it (`tandem/sales/month_figures.py`): every insert,
    update and delete of a deal, however made (a service, the admin, a bulk update, a factory),
    takes the deal's old contribution off and adds the new one in the same transaction, so it always
    equals the live sums. Calendar months rather than fiscal quarters: a fiscal quarter is three of
    them whatever month the fiscal year starts in. Amounts are in integer cents, as the roll-ups sum them.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month the deals close in.")
    deals = models.IntegerField(default=0)
    won_cents = models.BigIntegerField(default=0)
    won_count = models.IntegerField(default=0)
    lost_cents = models.BigIntegerField(default=0)
    lost_count = models.IntegerField(default=0)
    # Open as attainment counts it: not closed, in a stage neither won nor lost.
    open_cents = models.BigIntegerField(default=0)
    open_count = models.IntegerField(default=0)
    # Open as the forecast counts it (a stage neither won nor lost), by the deal's forecast category,
    # and every such deal's cents times its probability (rounded once, when read).
    commit_cents = models.BigIntegerField(default=0)
    best_case_cents = models.BigIntegerField(default=0)
    pipeline_cents = models.BigIntegerField(default=0)
    weighted_cent_percents = models.BigIntegerField(default=0)
    # Won deals with a close time: the sum of their times from opening to closing.
    cycle_microseconds = models.BigIntegerField(default=0)
    cycle_count = models.IntegerField(default=0)

    class Meta:
        verbose_name = "rep's month of deals"
        verbose_name_plural = "reps' months of deals"
        constraints = [
            FieldUniqueConstraint(
                fields=["owner", "month"],
                name="rep_month_figures_unique",
                field="month",
                violation_error_message="This rep's month already has its figures.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.month.isoformat()[:7]}"


class StageChange(models.Model):
    """One move of a deal from one stage to another: the stage history."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    amount_home = money_field(help_text="Deal amount in the home currency at the time of the move.")
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["opportunity", "changed_at"]
        indexes = [models.Index(fields=["opportunity", "changed_at"], name="stage_change_opportunity")]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage_id} → {self.to_stage_id}"


class DealContact(models.Model):
    """A person of the deal's account and the part they play in buying (decision maker, champion…)."""

    class Role(models.TextChoices):
        DECISION_MAKER = "decision_maker", "Decision maker"
        ECONOMIC_BUYER = "economic_buyer", "Economic buyer"
        CHAMPION = "champion", "Champion"
        INFLUENCER = "influencer", "Influencer"
        TECHNICAL_BUYER = "technical_buyer", "Technical buyer"
        USER = "user", "User"
        BLOCKER = "blocker", "Blocker"
        OTHER = "other", "Other"

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="deal_contacts")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="deal_roles")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.INFLUENCER)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["opportunity", "role", "id"]
        constraints = [
            FieldUniqueConstraint(
                fields=["opportunity", "contact"],
                name="deal_contact_unique",
                field="contact",
                violation_error_message="This person is already on the deal: change their role instead.",
            ),
            FieldCheckConstraint(
                condition=Q(
                    role__in=[
                        "decision_maker",
                        "economic_buyer",
                        "champion",
                        "influencer",
                        "technical_buyer",
                        "user",
                        "blocker",
                        "other",
                    ]
                ),
                name="deal_contact_role_valid",
                field="role",
                violation_error_message="Choose one of the buying roles.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} on {self.opportunity_id}: {self.role}"


class Quota(models.Model):
    """A sales target for one rep or one team in one fiscal quarter, in the home currency."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="quotas"
    )
    team = models.ForeignKey("people.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="quotas")
    fiscal_year = models.PositiveSmallIntegerField()
    fiscal_quarter = models.PositiveSmallIntegerField()
    amount = money_field()
    # The id the record has in the CRM or tool it was imported from: a re-import updates it instead of adding another.
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["fiscal_year", "fiscal_quarter"]
        constraints = [
            FieldCheckConstraint(
                condition=(Q(user__isnull=False) & Q(team__isnull=True))
                | (Q(user__isnull=True) & Q(team__isnull=False)),
                name="quota_for_user_or_team",
                field="user",
                violation_error_message="A quota is for exactly one rep or one team.",
            ),
            FieldCheckConstraint(
                condition=Q(fiscal_quarter__gte=1, fiscal_quarter__lte=4),
                name="quota_quarter_range",
                field="fiscal_quarter",
                violation_error_message="A fiscal quarter is 1, 2, 3 or 4.",
            ),
            FieldCheckConstraint(
                condition=Q(amount__gte=0),
                name="quota_amount_not_negative",
                field="amount",
                violation_error_message="A quota cannot be negative.",
            ),
            FieldUniqueConstraint(
                fields=["user", "fiscal_year", "fiscal_quarter"],
                condition=Q(user__isnull=False),
                name="quota_unique_user_quarter",
                field="fiscal_quarter",
                violation_error_message="This rep already has a quota for this quarter.",
            ),
            FieldUniqueConstraint(
                fields=["team", "fiscal_year", "fiscal_quarter"],
                condition=Q(team__isnull=False),
                name="quota_unique_team_quarter",
                field="fiscal_quarter",
                violation_error_message="This team already has a quota for this quarter.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.team} FY{self.fiscal_year} Q{self.fiscal_quarter}"
