"""The competition, studied together: competitors with their products, pricing and positioning; the
field intel reps log from deals; the battlecard kept jointly with its history; the features cited
in lost deals."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from tandem.core.constraints import FieldCheckConstraint, FieldUniqueConstraint, text_field
from tandem.core.models import money_field

POSITIONING_LIMIT = 2000
PRICING_LIMIT = 1000
PRODUCT_DESCRIPTION_LIMIT = 1000
INTEL_LIMIT = 1000
SECTION_LIMIT = 4000


class Competitor(models.Model):
    """A company we compete with for deals; deals name the one they were lost to or fought."""

    name = models.CharField(max_length=200, unique=True)
    website = models.URLField(blank=True)
    positioning = text_field(
        blank=True, limit=POSITIONING_LIMIT, help_text="Who they sell to and how they pitch themselves."
    )
    pricing = text_field(blank=True, limit=PRICING_LIMIT, help_text="How they price: list prices, models, discounts.")
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: every write bumps it; a stale write is refused, never applied silently.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CompetitorProduct(models.Model):
    """One product a competitor sells against us, with its price."""

    competitor = models.ForeignKey(Competitor, on_delete=models.CASCADE, related_name="products")
    name = models.CharField(max_length=200)
    description = text_field(blank=True, limit=PRODUCT_DESCRIPTION_LIMIT)
    pricing = text_field(blank=True, limit=PRICING_LIMIT)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            FieldUniqueConstraint(
                fields=["competitor", "name"],
                name="competitor_product_unique_name",
                field="name",
                violation_error_message="This competitor already has a product of this name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FieldIntel(models.Model):
    """What a rep heard about a competitor on a deal or an account: what they offered, at what
    price, and what they claimed."""

    competitor = models.ForeignKey(Competitor, on_delete=models.CASCADE, related_name="intel")
    account = models.ForeignKey("sales.Account", on_delete=models.CASCADE, related_name="competitor_intel")
    opportunity = models.ForeignKey(
        "sales.Opportunity", null=True, blank=True, on_delete=models.SET_NULL, related_name="competitor_intel"
    )
    offered = text_field(limit=INTEL_LIMIT, help_text="What the competitor offered.")
    price_home = money_field(
        null=True, blank=True, help_text="The price they quoted, a year, in the home currency (if heard)."
    )
    claims = text_field(blank=True, limit=INTEL_LIMIT, help_text="What they claimed about themselves or about us.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="competitor_intel")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "field intel"
        indexes = [
            models.Index(fields=["competitor", "-created_at"], name="intel_competitor_created"),
            models.Index(fields=["-created_at", "-id"], name="intel_created"),  # the newest intel of a period
        ]
        constraints = [
            FieldCheckConstraint(
                condition=Q(price_home__isnull=True) | Q(price_home__gte=0),
                name="intel_price_not_negative",
                field="price_home",
                violation_error_message="The price cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competitor}: {self.offered[:40]}"


class Battlecard(models.Model):
    """How to win against one competitor, kept jointly: the product manager writes strengths,
    weaknesses and landmines; sales adds the objections heard and the answers that worked."""

    competitor = models.OneToOneField(Competitor, on_delete=models.CASCADE, related_name="battlecard")
    strengths = text_field(blank=True, limit=SECTION_LIMIT)
    weaknesses = text_field(blank=True, limit=SECTION_LIMIT)
    landmines = text_field(blank=True, limit=SECTION_LIMIT, help_text="Questions to plant that expose their gaps.")
    objections = text_field(blank=True, limit=SECTION_LIMIT, help_text="Objections heard and the answers that worked.")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Battlecard: {self.competitor}"


class BattlecardRevision(models.Model):
    """One change to one section of a battlecard: who changed it, when, from what to what."""

    class Section(models.TextChoices):
        STRENGTHS = "strengths", "Strengths"
        WEAKNESSES = "weaknesses", "Weaknesses"
        LANDMINES = "landmines", "Landmines"
        OBJECTIONS = "objections", "Objections and answers"

    battlecard = models.ForeignKey(Battlecard, on_delete=models.CASCADE, related_name="revisions")
    section = models.CharField(max_length=20, choices=Section.choices)
    before = text_field(blank=True, limit=SECTION_LIMIT)
    after = text_field(blank=True, limit=SECTION_LIMIT)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="battlecard_revisions"
    )
    changed_at = models.DateTimeField()
    version = models.PositiveIntegerField(help_text="The battlecard's version this change made.")

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_section_display()} of {self.battlecard_id}"


class LossFeature(models.Model):
    """A feature cited as a reason a deal was lost: the win/loss analysis reads them per competitor."""

    opportunity = models.ForeignKey("sales.Opportunity", on_delete=models.CASCADE, related_name="loss_features")
    feature = models.ForeignKey("product.Feature", on_delete=models.CASCADE, related_name="loss_citations")
    cited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    cited_at = models.DateTimeField()

    class Meta:
        ordering = ["-cited_at", "-id"]
        constraints = [
            FieldUniqueConstraint(
                fields=["opportunity", "feature"],
                name="loss_feature_unique",
                field="feature",
                violation_error_message="This feature is already cited in this loss.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feature_id} cited on {self.opportunity_id}"
