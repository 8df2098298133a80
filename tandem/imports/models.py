"""Imports of the CRMs' export files: one `ImportJob` per uploaded file, its rows checked into
`StagedRow`s (or refused as `RejectedRow`s) and then written in one transaction.

A job's counts are its record: created + updated + skipped + failed = the rows of the file.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from tandem.core.constraints import FieldCheckConstraint, FieldUniqueConstraint


class Kind(models.TextChoices):
    """What a file holds. Import what others name first: accounts before contacts, deals and asks;
    users before the leads and quotas they own; products before features, features before asks."""

    ACCOUNT = "account", "Accounts"
    CONTACT = "contact", "Contacts"
    OPPORTUNITY = "opportunity", "Deals"
    LEAD = "lead", "Leads"
    USER = "user", "Users"
    PRODUCT = "product", "Products"
    FEATURE = "feature", "Features"
    ASK = "ask", "Customer asks"
    QUOTA = "quota", "Quotas"


class ImportJob(models.Model):
    """One uploaded file, its reading settings (guessed, changeable), its column mapping and its counts."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Waiting for its mapping"
        CHECKING = "checking", "Checking the rows"
        CHECKED = "checked", "Checked: some rows are refused"
        IMPORTING = "importing", "Writing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class Source(models.TextChoices):
        SALESFORCE = "salesforce", "Salesforce"
        HUBSPOT = "hubspot", "HubSpot"
        PIPEDRIVE = "pipedrive", "Pipedrive"
        PRODUCTBOARD = "productboard", "Productboard"
        CANNY = "canny", "Canny"
        AHA = "aha", "Aha!"
        OTHER = "other", "Other CSV"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=500)
    file_size = models.PositiveBigIntegerField(default=0)
    file_format = models.CharField(max_length=10, default="csv")  # csv or xlsx
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.OTHER)
    # How the file is read: guessed on upload, shown and changeable on the mapping screen.
    encoding = models.CharField(max_length=30, default="utf-8")
    delimiter = models.CharField(max_length=1, default=",")
    decimal_separator = models.CharField(max_length=1, default=".")
    date_format = models.CharField(max_length=20, default="%Y-%m-%d")
    header = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)  # field -> column header
    value_map = models.JSONField(default=dict, blank=True)  # {"stage": {value: id}, "owner": {value: id}}
    seen_values = models.JSONField(default=dict, blank=True)  # distinct stage and owner values the check met
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UPLOADED)
    good_rows_only = models.BooleanField(default=False)
    cancel_requested = models.BooleanField(default=False)
    bytes_read = models.PositiveBigIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="import_job_by_creator")]
        constraints = [
            FieldCheckConstraint(
                condition=Q(
                    kind__in=["account", "contact", "opportunity", "lead", "user", "product", "feature", "ask", "quota"]
                ),
                name="import_job_kind_valid",
                field="kind",
                violation_error_message="Choose accounts, contacts, deals, leads, users, products, features, "
                "customer asks or quotas.",
            ),
            FieldCheckConstraint(
                condition=Q(decimal_separator__in=[".", ","]),
                name="import_job_decimal_separator_valid",
                field="decimal_separator",
                violation_error_message="The decimal separator is a point or a comma.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.file_name}"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING)

    @property
    def file_megabytes(self) -> float:
        return self.file_size / (1024 * 1024)

    @property
    def progress_percent(self) -> int:
        if self.status in (self.Status.DONE, self.Status.CHECKED):
            return 100
        if not self.file_size:
            return 0
        return min(99, int(self.bytes_read * 100 / self.file_size))


class ImportMapping(models.Model):
    """The column mapping last used for one header set: the next file with these headers starts from it."""

    kind = models.CharField(max_length=20, choices=Kind.choices)
    header_key = models.CharField(max_length=64)  # sha256 of the normalised headers
    mapping = models.JSONField(default=dict, blank=True)
    value_map = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            FieldUniqueConstraint(
                fields=["kind", "header_key"],
                name="import_mapping_one_per_header_set",
                field="header_key",
                violation_error_message="These headers already have a remembered mapping.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} mapping {self.header_key[:8]}"


class StagedRow(models.Model):
    """A checked row waiting to be written: its values as the model's columns (`data`)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="staged_rows")
    line = models.PositiveIntegerField()
    external_id = models.CharField(max_length=100, null=True, blank=True)
    data = models.JSONField()

    class Meta:
        indexes = [
            models.Index(fields=["job", "line"], name="staged_row_job_line"),
            models.Index(fields=["job", "external_id"], name="staged_row_job_external"),
        ]

    def __str__(self) -> str:
        return f"line {self.line}"


class RejectedRow(models.Model):
    """A refused row: its line, every problem (column and reason) and its cells as read."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejected_rows")
    line = models.PositiveIntegerField()
    problems = models.JSONField()  # [{"column": …, "reason": …}]
    cells = models.JSONField()

    class Meta:
        ordering = ["job", "line"]
        indexes = [models.Index(fields=["job", "line"], name="rejected_row_job_line")]

    def __str__(self) -> str:
        return f"line {self.line}"
