"""The whole workspace as a zip of CSV files, one per kind of record, for an admin: to keep, to move
to another Tandem, or to read elsewhere. docs/exporting.md describes the format; the import takes it
back ("Tandem" format: each column named after the model's field, ids are Tandem's ids).

The zip is written as it is sent: each table is read in chunks and compressed straight into the
response, so memory stays bounded whatever the workspace's size and no background job is needed.
"""

import csv
import datetime
import io
import json
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Model
from django.utils import timezone

FORMAT = "tandem-workspace/1"
CHUNK = 2000

# Every kind of record the workspace holds, in an order an import can load them: a record's
# references come before it, except for the two cycles (a team's manager is a user in a team; an
# ask's outcome is a decision on it) and an ask merged into a later one, which the import
# (workspace_import.py) writes as they are and checks at the end of its transaction.
WORKSPACE_MODELS = [
    "core.Workspace",
    "core.ExchangeRate",
    "people.Territory",
    "people.Team",
    "people.User",
    "competition.Competitor",
    "sales.Stage",
    "sales.Account",
    "sales.Contact",
    "sales.Opportunity",
    "sales.StageChange",
    "sales.DealContact",
    "sales.Quota",
    "leads.Lead",
    "activities.Activity",
    "activities.Activity_contacts",
    "product.Product",
    "product.Goal",
    "product.Release",
    "product.Feature",
    "product.Feature_goals",
    "product.ScoringSettings",
    "asks.Ask",
    "asks.Decision",
    "decisions.DecisionRight",
    "decisions.Escalation",
    "forecasting.ForecastCall",
    "forecasting.ForecastOverride",
    "forecasting.ForecastWeek",
    "forecasting.ForecastSnapshot",
    "targets.SalesTarget",
    "competition.CompetitorProduct",
    "competition.Battlecard",
    "competition.BattlecardRevision",
    "competition.FieldIntel",
    "competition.LossFeature",
    "roadmap.RoadmapSettings",
    "roadmap.LifecycleMove",
    "roadmap.MarketResearch",
    "roadmap.MarketResearch_competitors",
    "planning.TeamCapacity",
    "planning.FeatureBuild",
    "planning.FeatureBuild_needs",
    "planning.QuarterPlan",
    "planning.QuarterPlan_features",
    "commitments.Commitment",
    "launches.LaunchPlan",
    "launches.ChecklistItem",
    "launches.SuccessMetric",
    "launches.DigestSettings",
    "calls.CustomerCall",
    "calls.CustomerCall_asks",
    "calls.CallAttendee",
    "calls.CallNote",
    "coaching.CoachingNote",
    "coaching.Review",
    "reviews.Review",
    "reviews.Review_attendees",
    "reviews.ReviewMeeting",
    "reviews.MeetingDecision",
    "reviews.ActionItem",
    "core.SavedView",
    "notifications.Notification",
    "audit.AuditEntry",
]

# What the export leaves out, and why. A model of Tandem's apps in neither list fails a test.
OMITTED = {
    "people.ApiToken": "secrets: a token does not travel; its owner makes a new one",
    "people.RecoveryCode": "secrets of two-factor sign-in",
    "people.User_groups": "Tandem grants by role, not Django groups",
    "people.User_user_permissions": "Tandem grants by role, not Django permissions",
    "core.RateCounter": "request counters of the last minute",
    "asks.FeatureEvidence": "figures Tandem computes again from the asks and deals",
    "asks.TriageAction": "the undo history of triage, valid for minutes",
    "triage.AskVector": "word vectors Tandem computes again (triage_index)",
    "triage.FeatureVector": "word vectors Tandem computes again (triage_index)",
    "triage.IndexChange": "the in-memory index's change log",
    "webhooks.Subscription": "signing secrets: an admin subscribes the new workspace again",
    "webhooks.Delivery": "the log of deliveries already made",
    "sales.RepMonthFigures": "figures the database computes again from the deals (its triggers)",
    "targets.ClosedMonthFigures": "figures the database computes again from the deals (its triggers)",
    "leads.LeadDayFigures": "figures the database computes again from the leads (its triggers)",
    "leads.LeadRepDayFigures": "figures the database computes again from the leads (its triggers)",
    "commitments.WarningDay": "the days whose warnings were queued",
    "launches.DigestDelivery": "the log of digests already sent",
    "imports.ImportJob": "the trace of an uploaded file, not a record of the workspace",
    "imports.ImportMapping": "remembered column mappings of uploaded files",
    "imports.StagedRow": "rows of an import waiting to be written",
    "imports.RejectedRow": "rows an import refused",
}
# Columns left out of an exported model: a password hash never leaves the database.
OMITTED_COLUMNS = {"people.User": {"password"}}


def tandem_app_labels() -> set[str]:
    """Tandem's own apps, as installed: a new app's models must be exported or left out for a reason."""
    return {config.label for config in apps.get_app_configs() if config.name.startswith("tandem.")}


def file_name(label: str) -> str:
    """`sales.Opportunity` → `sales.opportunity.csv`."""
    return f"{label.lower()}.csv"


def columns_of(model: type[Model]) -> list[str]:
    """The columns of a model's file: every stored field by its column name (`account_id` for the
    account), the id first."""
    left_out = OMITTED_COLUMNS.get(model._meta.label, set())
    return [field.attname for field in model._meta.concrete_fields if field.name not in left_out]


def value_text(value: Any) -> str:
    """A value as the workspace file writes it: exact, to be read back (no formula neutralising,
    which would change the text; docs/exporting.md says to open the files through an import)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date | Decimal):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


class _Pipe(io.RawIOBase):
    """Where the zip writes: the bytes wait here until the response takes them."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def workspace_zip_unrestricted(*, exported_by: str = "") -> Iterator[bytes]:
    """The workspace's zip, in pieces as it is written: one CSV per model, then `manifest.json`
    with each file's model, columns and row count."""
    pipe = _Pipe()
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": value_text(timezone.now()),
        "exported_by": exported_by,
        "files": [],
    }
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        for label in WORKSPACE_MODELS:
            model = apps.get_model(label)
            columns = columns_of(model)
            count = 0
            with (
                archive.open(file_name(label), mode="w", force_zip64=True) as entry,
                io.TextIOWrapper(entry, encoding="utf-8", newline="") as text,
            ):
                writer = csv.writer(text)
                writer.writerow(columns)
                rows = model._base_manager.order_by("pk").values_list(*columns).iterator(chunk_size=CHUNK)
                for row in rows:
                    writer.writerow([value_text(value) for value in row])
                    count += 1
                    if count % CHUNK == 0:
                        text.flush()
                        yield pipe.take()
            manifest["files"].append({"file": file_name(label), "model": label, "columns": columns, "rows": count})
            yield pipe.take()
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    yield pipe.take()
