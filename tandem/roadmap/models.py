"""The roadmap's own records: product lifecycle moves, ideas' market research
and the workspace's roadmap settings. Products, releases and features live in `tandem.product`."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from tandem.core.constraints import text_field
from tandem.product.models import Feature, Product


class LifecycleMove(models.Model):
    """One move of a product through its lifecycle, with who moved it and why."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="lifecycle_moves")
    from_stage = models.CharField(max_length=20, choices=Product.Lifecycle.choices)
    to_stage = models.CharField(max_length=20, choices=Product.Lifecycle.choices)
    reason = text_field(limit=2000)
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    moved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-moved_at", "-id"]

    def __str__(self) -> str:
        return f"{self.product}: {self.get_from_stage_display()} → {self.get_to_stage_display()}"


class MarketResearch(models.Model):
    """What an idea is worth on its market: who it is for, how big that market is, the revenue it
    could bring and the competitors that already have it. The evidence from asks and deals is
    computed from existing data, never typed in (`selectors.market_evidence`)."""

    feature = models.OneToOneField(Feature, on_delete=models.CASCADE, related_name="market_research")
    target_segment = models.CharField(max_length=200, blank=True)
    market_size = models.DecimalField(
        "Market size", max_digits=16, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    revenue_potential = models.DecimalField(
        "Revenue potential (yearly)",
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    competitors = models.ManyToManyField("competition.Competitor", blank=True, related_name="+")
    notes = text_field(blank=True, limit=5000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "market research"

    def __str__(self) -> str:
        return f"Market research: {self.feature}"


class RoadmapSettings(models.Model):
    """The workspace's roadmap settings, one row: whether the public roadmap page is on."""

    public_roadmap_enabled = models.BooleanField(
        "Public roadmap page on", default=False, help_text="Anyone with the link sees the public items, without login."
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "roadmap settings"

    def __str__(self) -> str:
        return "Roadmap settings"
