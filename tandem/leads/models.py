"""Leads: people at companies that might buy, before they are an account, a contact and a deal."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tandem.core.constraints import FieldCheckConstraint, FieldUniqueConstraint, text_field
from tandem.core.models import money_field


class Lead(models.Model):
    """A person at a company who might buy, from a source, worked by an owner until qualified and
    converted into an account, a contact and a deal (or disqualified, with the reason)."""

    class Source(models.TextChoices):
        # The same values as `sales.Opportunity.LeadSource`: conversion keeps the source on the deal.
        CAMPAIGN = "campaign", "Marketing campaign"
        EVENT = "event", "Event"
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound prospecting"
        PARTNER = "partner", "Partner"
        REFERRAL = "referral", "Referral"

    class Status(models.TextChoices):
        NEW = "new", "New"
        WORKING = "working", "Working"
        QUALIFIED = "qualified", "Qualified"
        DISQUALIFIED = "disqualified", "Disqualified"
        CONVERTED = "converted", "Converted"

    class Authority(models.TextChoices):
        UNKNOWN = "unknown", "Not known yet"
        USER = "user", "User or evaluator"
        INFLUENCER = "influencer", "Influences the decision"
        DECISION_MAKER = "decision_maker", "Makes the decision"

    class Timeline(models.TextChoices):
        UNKNOWN = "unknown", "Not known yet"
        THIS_QUARTER = "this_quarter", "This quarter"
        NEXT_QUARTER = "next_quarter", "Next quarter"
        THIS_YEAR = "this_year", "Within a year"
        LATER = "later", "Later"

    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    title = models.CharField(max_length=150, blank=True)
    company = models.CharField("company name", max_length=200)
    country = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=50, blank=True, help_text="Broad region: AMER, EMEA, APAC or LATAM.")
    source = models.CharField(max_length=20, choices=Source.choices)
    campaign = models.CharField(max_length=200, blank=True, help_text="The campaign or event it came from.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    disqualified_reason = text_field(blank=True, limit=1000)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="leads")
    # The id the record has in the CRM or tool it was imported from: a re-import updates it instead of adding another.
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    territory = models.ForeignKey(
        "people.Territory", null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    # Qualification (BANT): budget, authority, need, timeline.
    budget = money_field(null=True, blank=True, help_text="What they can spend, in the home currency.")
    authority = models.CharField(max_length=20, choices=Authority.choices, default=Authority.UNKNOWN)
    need = text_field(blank=True, limit=2000)
    timeline = models.CharField(max_length=20, choices=Timeline.choices, default=Timeline.UNKNOWN)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    qualified_at = models.DateTimeField(null=True, blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)
    converted_account = models.ForeignKey(
        "sales.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    converted_contact = models.ForeignKey(
        "sales.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    converted_opportunity = models.ForeignKey(
        "sales.Opportunity", null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    # Optimistic locking: every write bumps it; a stale write is refused, never applied silently.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "status", "created_at"], name="lead_owner_status"),
            models.Index(fields=["created_at"], name="lead_created"),
            models.Index(fields=["status", "created_at"], name="lead_status_created"),
        ]
        constraints = [
            FieldCheckConstraint(
                condition=Q(source__in=["campaign", "event", "inbound", "outbound", "partner", "referral"]),
                name="lead_source_valid",
                field="source",
                violation_error_message="Choose a marketing campaign, event, inbound, outbound, partner or referral.",
            ),
            FieldCheckConstraint(
                condition=Q(status__in=["new", "working", "qualified", "disqualified", "converted"]),
                name="lead_status_valid",
                field="status",
                violation_error_message="Choose new, working, qualified, disqualified or converted.",
            ),
            FieldCheckConstraint(
                condition=~Q(status="disqualified") | ~Q(disqualified_reason=""),
                name="lead_disqualified_has_reason",
                field="disqualified_reason",
                violation_error_message="Say why this lead is disqualified.",
            ),
            FieldCheckConstraint(
                condition=(Q(status="converted") & Q(converted_at__isnull=False))
                | (~Q(status="converted") & Q(converted_at__isnull=True)),
                name="lead_converted_when_dated",
                field="status",
                violation_error_message="A lead is converted by converting it, which records when.",
            ),
            FieldCheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="lead_budget_not_negative",
                field="budget",
                violation_error_message="The budget cannot be negative.",
            ),
            FieldUniqueConstraint(
                fields=["converted_opportunity"],
                condition=Q(converted_opportunity__isnull=False),
                name="lead_one_per_deal",
                field="converted_opportunity",
                violation_error_message="This deal was already converted from another lead.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.company})"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_converted(self) -> bool:
        return self.status == self.Status.CONVERTED


class FunnelCounts(models.Model):
    """A day's leads counted at each step of the funnel, and by their status now: the counts both
    summaries keep (`LeadDayFigures` by source and campaign, `LeadRepDayFigures` by rep)."""

    leads = models.IntegerField(default=0)
    qualified = models.IntegerField(default=0, help_text="Leads that reached qualified.")
    converted = models.IntegerField(default=0)
    won = models.IntegerField(default=0, help_text="Leads converted into a deal that is now won.")
    status_new = models.IntegerField(default=0)
    status_working = models.IntegerField(default=0)
    status_qualified = models.IntegerField(default=0)
    status_disqualified = models.IntegerField(default=0)
    status_converted = models.IntegerField(default=0)

    class Meta:
        abstract = True


class LeadDayFigures(FunnelCounts):
    """The leads created on one day (UTC) from one source and campaign, counted at each step of the
    funnel: what the funnel of every lead adds up instead of grouping a million leads and their deals
    on each request (issue 18: within a second).

    Database triggers on leads, deals and stages keep it (`tandem/leads/funnel_figures.py`): every
    change of a lead, however made, and every deal moving in or out of a won stage, updates its day
    in the same transaction, so it always equals the counts grouped from the leads. No owner: with
    one, a day would hold about one lead per row (1,100,000 rows for 1,200,000 leads on the large
    workspace); the funnel by rep reads `LeadRepDayFigures`, a rep's or a team's funnel by source or
    campaign groups their leads."""

    day = models.DateField(help_text="The day the leads were created, in UTC.")
    source = models.CharField(max_length=20, choices=Lead.Source.choices)
    campaign = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "day of the lead funnel"
        verbose_name_plural = "days of the lead funnel"
        constraints = [
            FieldUniqueConstraint(
                fields=["day", "source", "campaign"],
                name="lead_day_figures_unique",
                field="day",
                violation_error_message="This day, source and campaign already have their figures.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.source} {self.campaign}"


class LeadRepDayFigures(FunnelCounts):
    """The leads a rep (the owner) was given that were created on one day (UTC), counted at each step
    of the funnel, as `LeadDayFigures` counts them by source and campaign and kept by the same
    triggers: the funnel by rep adds these up."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(help_text="The day the leads were created, in UTC.")

    class Meta:
        verbose_name = "rep's day of the lead funnel"
        verbose_name_plural = "reps' days of the lead funnel"
        constraints = [
            # The day first: an executive's funnel reads a range of days for every rep.
            FieldUniqueConstraint(
                fields=["day", "owner"],
                name="lead_rep_day_figures_unique",
                field="day",
                violation_error_message="This rep's day already has its figures.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.day.isoformat()}"
