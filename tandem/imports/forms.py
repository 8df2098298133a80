"""The upload form and the mapping screen's form (reading settings, columns, stages and owners)."""

from typing import Any

from django import forms

from tandem.core.forms import ServiceErrorsMixin, bootstrap
from tandem.core.roles import Role
from tandem.imports.columns import TARGETS
from tandem.imports.models import ImportJob, Kind
from tandem.imports.reading import DATE_FORMAT_LABELS, ENCODINGS
from tandem.people.models import User
from tandem.sales.models import Stage

DELIMITERS = [(",", "Comma ,"), (";", "Semicolon ;"), ("\t", "Tab"), ("|", "Pipe |")]


class UploadForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label="The file holds", choices=Kind.choices)
    file = forms.FileField(
        label="Export file (CSV or XLSX)",
        help_text="Salesforce, HubSpot, Pipedrive, Productboard, Canny and Aha! exports are recognised, and "
        "Tandem's own; any other CSV is mapped by hand.",
    )

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, label) for k, label in Kind.choices if k in kinds]  # type: ignore[attr-defined]
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt,.xlsx"
        bootstrap(self)


class MappingForm(ServiceErrorsMixin, forms.Form):
    """Built for one job: a select per field over the file's columns, and per stage and owner value
    of the file a select over Tandem's stages and people."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    encoding = forms.ChoiceField(choices=list(ENCODINGS.items()))
    delimiter = forms.ChoiceField(choices=DELIMITERS, required=False)
    decimal_separator = forms.ChoiceField(
        label="Decimal separator", choices=[(".", "Point: 1,234.56"), (",", "Comma: 1.234,56")]
    )
    date_format = forms.ChoiceField(label="Dates look like", choices=list(DATE_FORMAT_LABELS.items()))

    def __init__(
        self,
        *args: Any,
        job: ImportJob,
        stage_values: list[str],
        owner_values: list[str],
        role_values: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.job = job
        self.stage_values, self.owner_values = stage_values, owner_values
        self.role_values = role_values or []
        columns = [("", "— not imported —")] + [(h, h) for h in job.header if h]
        self.target_names: list[str] = []
        for target in TARGETS[job.kind]:
            name = f"map_{target.field}"
            self.fields[name] = forms.ChoiceField(label=target.label, choices=columns, required=False)
            self.initial.setdefault(name, job.mapping.get(target.field, ""))
            self.target_names.append(name)
        stages = [("", "— choose —")] + [(str(s.pk), s.name) for s in Stage.objects.all()]
        for i, value in enumerate(stage_values):
            self.fields[f"stage_{i}"] = forms.ChoiceField(label=value, choices=stages, required=False)
            self.initial.setdefault(f"stage_{i}", str(job.value_map.get("stage", {}).get(value, "")))
        people = [("", "— match by email or name —")] + [
            (str(u.pk), f"{u.get_full_name() or u.username} ({u.email})")
            for u in User.objects.filter(is_active=True).order_by("first_name", "last_name")
        ]
        for i, value in enumerate(owner_values):
            self.fields[f"owner_{i}"] = forms.ChoiceField(label=value, choices=people, required=False)
            self.initial.setdefault(f"owner_{i}", str(job.value_map.get("owner", {}).get(value, "")))
        roles = [("", "— match by name —"), *Role.choices]
        for i, value in enumerate(self.role_values):
            self.fields[f"role_{i}"] = forms.ChoiceField(label=value, choices=roles, required=False)
            self.initial.setdefault(f"role_{i}", job.value_map.get("role", {}).get(value, ""))
        for name in ("encoding", "delimiter", "decimal_separator", "date_format"):
            self.initial.setdefault(name, getattr(job, name))
        self.initial.setdefault("version", job.version)
        bootstrap(self)

    def target_fields(self) -> list[Any]:
        return [self[name] for name in self.target_names]

    def stage_fields(self) -> list[Any]:
        return [self[f"stage_{i}"] for i in range(len(self.stage_values))]

    def owner_fields(self) -> list[Any]:
        return [self[f"owner_{i}"] for i in range(len(self.owner_values))]

    def role_fields(self) -> list[Any]:
        return [self[f"role_{i}"] for i in range(len(self.role_values))]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "expected_version": data["version"],
            "encoding": data["encoding"],
            "delimiter": data.get("delimiter") or self.job.delimiter,
            "decimal_separator": data["decimal_separator"],
            "date_format": data["date_format"],
            "mapping": {name.removeprefix("map_"): data[name] for name in self.target_names},
            "value_map": {
                "stage": {
                    v: int(data[f"stage_{i}"]) if data[f"stage_{i}"] else None for i, v in enumerate(self.stage_values)
                },
                "owner": {
                    v: int(data[f"owner_{i}"]) if data[f"owner_{i}"] else None for i, v in enumerate(self.owner_values)
                },
                "role": {v: data[f"role_{i}"] or None for i, v in enumerate(self.role_values)},
            },
        }


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
