from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from tandem.core.constraints import FieldCheckConstraint, FieldUniqueConstraint, text_field
from tandem.product.scoring import ScoringWeights


class Product(models.Model):
    """Something the company sells, moving through its lifecycle from idea to retirement."""

    class Lifecycle(models.TextChoices):
        IDEATION = "ideation", "Ideation"
        DEVELOPMENT = "development", "Development"
        LAUNCH = "launch", "Launch"
        GROWTH = "growth", "Growth"
        MATURITY = "maturity", "Maturity"
        RETIREMENT = "retirement", "Retirement"

    name = models.CharField(max_length=200, unique=True)
    description = text_field(blank=True, limit=5000)
    lifecycle_stage = models.CharField(max_length=20, choices=Lifecycle.choices, default=Lifecycle.IDEATION)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    # The engineering team that builds it: the roadmap adds its releases' effort up against that team's capacity.
    team = models.ForeignKey("people.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="products")
    # The id the record has in the CRM or tool it was imported from: a re-import updates it instead of adding another.
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            FieldCheckConstraint(
                condition=Q(
                    lifecycle_stage__in=["ideation", "development", "launch", "growth", "maturity", "retirement"]
                ),
                name="product_lifecycle_valid",
                field="lifecycle_stage",
                violation_error_message="Choose a lifecycle stage: ideation, development, launch, growth, maturity "
                "or retirement.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Goal(models.Model):
    """A strategic objective with a weight, set by the executive; features link to the goals they serve."""

    name = models.CharField(max_length=200, unique=True)
    description = text_field(blank=True, limit=2000)
    weight = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("1"))
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-weight", "name"]
        constraints = [
            FieldCheckConstraint(
                condition=Q(weight__gte=0),
                name="goal_weight_not_negative",
                field="weight",
                violation_error_message="The weight cannot be negative.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Release(models.Model):
    """A dated bundle of features; shipping it closes the loop."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        SHIPPED = "shipped", "Shipped"

    name = models.CharField(max_length=200)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="releases")
    target_date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    shipped_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["target_date", "name"]
        constraints = [
            FieldUniqueConstraint(
                fields=["product", "name"],
                name="release_unique_name_per_product",
                field="name",
                violation_error_message="This product already has a release with this name.",
            ),
            FieldCheckConstraint(
                condition=(Q(status="shipped") & Q(shipped_at__isnull=False))
                | (Q(status="planned") & Q(shipped_at__isnull=True)),
                name="release_shipped_has_date",
                field="shipped_at",
                violation_error_message="A shipped release has the time it shipped, and a planned one has none.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.name}" if self.product_id else self.name


class Feature(models.Model):
    """A product capability on the backlog or roadmap, which asks are linked to."""

    class Status(models.TextChoices):
        BACKLOG = "backlog", "Backlog"
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        SHIPPED = "shipped", "Shipped"
        DECLINED = "declined", "Declined"

    class Confidence(models.TextChoices):
        COMMITTED = "committed", "Committed"
        LIKELY = "likely", "Likely"
        EXPLORING = "exploring", "Exploring"

    class Visibility(models.TextChoices):
        INTERNAL = "internal", "Internal"
        SALES = "sales", "Sales-shareable"
        PUBLIC = "public", "Public"

    class Horizon(models.TextChoices):
        NOW = "now", "Now"
        NEXT = "next", "Next"
        LATER = "later", "Later"

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="features")
    title = models.CharField(max_length=200)
    description = text_field(blank=True, limit=10000)
    # The id the record has in the CRM or tool it was imported from: a re-import updates it instead of adding another.
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.BACKLOG)
    release = models.ForeignKey(Release, null=True, blank=True, on_delete=models.SET_NULL, related_name="features")
    goals = models.ManyToManyField(Goal, blank=True, related_name="features")
    effort = models.DecimalField(
        max_digits=6, decimal_places=1, null=True, blank=True, help_text="Estimated effort in person-weeks."
    )
    confidence = models.CharField(max_length=20, choices=Confidence.choices, default=Confidence.EXPLORING)
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.INTERNAL)
    # Where the PM placed it on the now / next / later board; blank: placed by its release's date.
    horizon = models.CharField(max_length=10, choices=Horizon.choices, blank=True, default="", db_default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_features"
    )
    # What sales may tell customers about it, and what it must not: the PM's words on every sales view.
    # `max_length` as first declared (it only sizes a widget); the limit is the validator's.
    sales_say = text_field("Say", blank=True, max_length=2000, limit=2000)
    sales_dont_say = text_field("Don't say", blank=True, max_length=2000, limit=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["title"]
        indexes = [
            models.Index(fields=["product", "status"], name="feature_product_status"),
            # The roadmap counts its features per release (by audience) and adds up their effort
            # from this index alone, and reads the first releases' features through it.
            models.Index(
                fields=["release", "visibility", "effort"],
                condition=Q(status__in=["planned", "in_progress"]),
                name="feature_on_roadmap",
            ),
        ]
        constraints = [
            FieldCheckConstraint(
                condition=Q(effort__isnull=True) | Q(effort__gt=0),
                name="feature_effort_positive",
                field="effort",
                violation_error_message="Effort must be more than zero weeks.",
            ),
            FieldCheckConstraint(
                condition=Q(status__in=["backlog", "planned", "in_progress", "shipped", "declined"]),
                name="feature_status_valid",
                field="status",
                violation_error_message="Choose backlog, planned, in progress, shipped or declined.",
            ),
            FieldCheckConstraint(
                condition=Q(visibility__in=["internal", "sales", "public"]),
                name="feature_visibility_valid",
                field="visibility",
                violation_error_message="Choose internal, sales-shareable or public.",
            ),
            FieldCheckConstraint(
                condition=Q(confidence__in=["committed", "likely", "exploring"]),
                name="feature_confidence_valid",
                field="confidence",
                violation_error_message="Choose committed, likely or exploring.",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ScoringSettings(models.Model):
    """The executive's scoring weights, one row for the workspace: how the default score blends its
    terms, which formula the feature list shows and sorts by, the effort assumed while a feature
    has no estimate and the share above which one deal makes a *single-deal ask*."""

    class Formula(models.TextChoices):
        DEFAULT = "default", "Tandem score (weighted blend)"
        RICE = "rice", "RICE"

    formula = models.CharField(max_length=20, choices=Formula.choices, default=Formula.DEFAULT)
    weight_revenue = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.40"))
    weight_reach = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.20"))
    weight_fit = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.25"))
    weight_urgency = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.15"))
    default_effort = models.DecimalField(
        max_digits=6, decimal_places=1, default=Decimal("4"), help_text="Person-weeks assumed for unestimated features."
    )
    single_deal_share = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        # At 0.5 every feature with two deals would be flagged; three quarters means one deal dominates.
        default=Decimal("0.75"),
        help_text="A feature is a single-deal ask when its largest open deal holds more than this share of its "
        "open pipeline.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    # The bulk recompute after a change: requested when weights change, done when the task finishes.
    recompute_requested_at = models.DateTimeField(null=True, blank=True)
    recomputed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "scoring settings"
        constraints = [
            FieldCheckConstraint(
                condition=Q(id=1),
                name="scoring_settings_singleton",
                field="id",
                violation_error_message="There is one set of scoring weights: change it instead of adding one.",
            ),
            # One constraint per weight (there was one for all four), so the refusal sits under the weight at fault.
            *(
                FieldCheckConstraint(
                    condition=Q(**{f"weight_{term}__gte": 0}),
                    name=f"scoring_weight_{term}_not_negative",
                    field=f"weight_{term}",
                    violation_error_message="A weight cannot be negative.",
                )
                for term in ("revenue", "reach", "fit", "urgency")
            ),
            FieldCheckConstraint(
                condition=Q(default_effort__gt=0),
                name="scoring_default_effort_positive",
                field="default_effort",
                violation_error_message="The default effort must be more than zero weeks.",
            ),
            FieldCheckConstraint(
                condition=Q(single_deal_share__gt=0, single_deal_share__lte=1),
                name="scoring_single_deal_share_range",
                field="single_deal_share",
                violation_error_message="The share must be above 0 and at most 1 (0.5 is half).",
            ),
            FieldCheckConstraint(
                condition=Q(formula__in=["default", "rice"]),
                name="scoring_formula_valid",
                field="formula",
                violation_error_message="Choose the Tandem score or RICE.",
            ),
        ]

    def __str__(self) -> str:
        return "Scoring settings"

    @property
    def recompute_running(self) -> bool:
        requested, done = self.recompute_requested_at, self.recomputed_at
        return requested is not None and (done is None or done < requested)

    @property
    def weights(self) -> ScoringWeights:
        return ScoringWeights(
            revenue=self.weight_revenue,
            reach=self.weight_reach,
            fit=self.weight_fit,
            urgency=self.weight_urgency,
            default_effort=self.default_effort,
        )
