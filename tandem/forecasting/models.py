"""Forecast calls: what each rep says they will close in a fiscal quarter, their manager's
override beside it, and the weekly snapshots that keep the history of both and of the pipeline."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from tandem.core.constraints import FieldCheckConstraint, FieldUniqueConstraint, text_field
from tandem.core.models import money_field

QUARTER_RANGE = "A fiscal quarter is 1, 2, 3 or 4."


def _quarter_checks(prefix: str) -> list[models.BaseConstraint]:
    return [
        FieldCheckConstraint(
            condition=Q(fiscal_quarter__gte=1, fiscal_quarter__lte=4),
            name=f"{prefix}_quarter_range",
            field="fiscal_quarter",
            violation_error_message=QUARTER_RANGE,
        ),
        FieldCheckConstraint(
            condition=Q(commit__gte=0),
            name=f"{prefix}_commit_not_negative",
            field="commit",
            violation_error_message="The commit cannot be negative.",
        ),
        FieldCheckConstraint(
            condition=Q(best_case__gte=F("commit")),
            name=f"{prefix}_best_case_covers_commit",
            field="best_case",
            violation_error_message="The best case includes the commit: it cannot be less.",
        ),
    ]


class ForecastCall(models.Model):
    """A rep's call for one fiscal quarter, in the home currency: *commit*, what they are sure to
    have won by the quarter's end (what is already won included), and *best case*, what they could
    win if the deals in play go their way. The rep's word: only they change it."""

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forecast_calls")
    fiscal_year = models.PositiveSmallIntegerField()
    fiscal_quarter = models.PositiveSmallIntegerField()
    commit = money_field()
    best_case = money_field()
    note = text_field(blank=True, limit=2000)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # Optimistic locking: every write bumps it; a stale write is refused, never applied silently.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["fiscal_year", "fiscal_quarter", "rep"]
        constraints = [
            *_quarter_checks("forecast_call"),
            FieldUniqueConstraint(
                fields=["rep", "fiscal_year", "fiscal_quarter"],
                name="forecast_call_unique_rep_quarter",
                field="fiscal_quarter",
                violation_error_message="This rep already has a call for this quarter: change it instead.",
            ),
        ]

    def __str__(self) -> str:
        return f"Call of {self.rep} for FY{self.fiscal_year} Q{self.fiscal_quarter}"


class ForecastOverride(models.Model):
    """A sales manager's own figures for a rep's quarter, with the reason: kept beside the rep's
    call, never in its place, and counted instead of it in the team's and the company's roll-up."""

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forecast_overrides")
    fiscal_year = models.PositiveSmallIntegerField()
    fiscal_quarter = models.PositiveSmallIntegerField()
    commit = money_field()
    best_case = money_field()
    note = text_field(limit=2000, error_messages={"blank": "Say why you override the rep's call."})
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["fiscal_year", "fiscal_quarter", "rep"]
        constraints = [
            *_quarter_checks("forecast_override"),
            FieldCheckConstraint(
                condition=~Q(note=""),
                name="forecast_override_has_note",
                field="note",
                violation_error_message="Say why you override the rep's call.",
            ),
            FieldUniqueConstraint(
                fields=["rep", "fiscal_year", "fiscal_quarter"],
                name="forecast_override_unique_rep_quarter",
                field="fiscal_quarter",
                violation_error_message="This rep's call already has an override for this quarter: change it instead.",
            ),
        ]

    def __str__(self) -> str:
        return f"Override of {self.rep}'s call for FY{self.fiscal_year} Q{self.fiscal_quarter}"


class ForecastWeek(models.Model):
    """One taken weekly snapshot: its row is written with the snapshots, and its week's uniqueness
    makes a second run of the same week do nothing (`forecast_snapshot_take`)."""

    week = models.DateField(unique=True, help_text="The Monday of the week.")
    taken_at = models.DateTimeField()
    snapshots = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-week"]

    def __str__(self) -> str:
        return f"Forecast snapshot of the week of {self.week.isoformat()}"


class ForecastSnapshot(models.Model):
    """Per rep and fiscal quarter, as of one week: the call, the override and the system's figures
    (home currency) from the rep's deals closing in the quarter."""

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forecast_snapshots")
    fiscal_year = models.PositiveSmallIntegerField()
    fiscal_quarter = models.PositiveSmallIntegerField()
    week = models.DateField(help_text="The Monday of the week it was taken in.")
    taken_at = models.DateTimeField()
    call_commit = money_field(null=True, blank=True)
    call_best_case = money_field(null=True, blank=True)
    override_commit = money_field(null=True, blank=True)
    override_best_case = money_field(null=True, blank=True)
    closed_won = money_field(default=0)
    commit = money_field(default=0, help_text="Open deals in the commit category.")
    best_case = money_field(default=0, help_text="Open deals in the best-case category.")
    pipeline = money_field(default=0, help_text="Open deals in the pipeline category.")
    weighted = money_field(default=0, help_text="Open deals, each at its probability.")

    class Meta:
        ordering = ["fiscal_year", "fiscal_quarter", "week", "rep"]
        indexes = [models.Index(fields=["fiscal_year", "fiscal_quarter", "week"], name="forecast_snapshot_quarter")]
        constraints = [
            FieldCheckConstraint(
                condition=Q(fiscal_quarter__gte=1, fiscal_quarter__lte=4),
                name="forecast_snapshot_quarter_range",
                field="fiscal_quarter",
                violation_error_message=QUARTER_RANGE,
            ),
            FieldUniqueConstraint(
                fields=["rep", "fiscal_year", "fiscal_quarter", "week"],
                name="forecast_snapshot_unique_week",
                field="week",
                violation_error_message="This rep's quarter already has a snapshot for this week.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rep_id} FY{self.fiscal_year} Q{self.fiscal_quarter} week of {self.week.isoformat()}"
