"""The imports pages: the list of imports with the upload form, and each import's page (mapping
screen, progress bar that htmx refreshes, counts, refused rows) with its downloadable report."""

import csv
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.text import get_text_list
from django.views.decorators.http import require_POST

from tandem.audit.views import _cell
from tandem.core import formats
from tandem.core.api import StaleVersion
from tandem.core.http import PageRequest
from tandem.core.permissions import require
from tandem.imports import services
from tandem.imports.forms import MappingForm, UploadForm, VersionForm
from tandem.imports.models import ImportJob, Kind
from tandem.imports.permissions import ImportsPermission
from tandem.imports.reading import Row, max_upload_bytes
from tandem.imports.selectors import import_job_get, import_job_visible

REJECTED_SHOWN = 50


def import_list(request: PageRequest) -> HttpResponse:
    require(request.user, ImportsPermission.IMPORT)
    form = UploadForm(kinds=services.kinds_for(request.user))
    return _import_list_page(request, form)


def _import_list_page(request: PageRequest, form: UploadForm) -> HttpResponse:
    """The imports page names only what this person may import, in the order files name each other."""
    kinds = [label.lower() for value, label in Kind.choices if value in services.kinds_for(request.user)]
    context = {
        "jobs": import_job_visible(user=request.user)[:50],
        "form": form,
        "kinds_text": get_text_list(kinds, "and"),
        "first_kind": kinds[0] if kinds else "",
        "limit": formats.number(max_upload_bytes() // 2**20),
    }
    return render(request, "imports/import_list.html", context)


@require_POST
def import_upload(request: PageRequest) -> HttpResponse:
    require(request.user, ImportsPermission.IMPORT)
    form = UploadForm(request.POST, request.FILES, kinds=services.kinds_for(request.user))
    if form.is_valid():
        try:
            job = services.import_job_upload(
                actor=request.user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
            )
            return redirect("imports:import_detail", pk=job.pk)
        except ValidationError as error:
            form.add_service_error(error)
    return _import_list_page(request, form)


def _values(job: ImportJob, preview: list[Row], field: str) -> list[str]:
    """The distinct values of the file's stage or owner column that the mapping screen asks about:
    those the check met, the preview's, and those already mapped."""
    column = job.mapping.get(field)
    values = set(job.seen_values.get(field, [])) | set(job.value_map.get(field, {}))
    if column in job.header:
        at = job.header.index(column)
        values |= {str(row.cells[at]).strip() for row in preview if at < len(row.cells) and str(row.cells[at]).strip()}
    return sorted(values)[:200]


def _mapping_form(job: ImportJob, data: Any = None) -> tuple[MappingForm, list[Row]]:
    try:
        preview = services._read_head(job)[1]
    except ValidationError:
        preview = []
    stage_values = _values(job, preview, "stage") if job.kind == Kind.OPPORTUNITY else []
    owner_values = _values(job, preview, "owner") if job.kind not in (Kind.CONTACT, Kind.USER) else []
    role_values = _values(job, preview, "role") if job.kind == Kind.USER else []
    form = MappingForm(data, job=job, stage_values=stage_values, owner_values=owner_values, role_values=role_values)
    return form, preview[:8]


def _detail_context(
    job: ImportJob, form: MappingForm | None = None, preview: list[Row] | None = None
) -> dict[str, Any]:
    context: dict[str, Any] = {"job": job, "rejected": job.rejected_rows.all()[:REJECTED_SHOWN]}
    if job.status in (ImportJob.Status.UPLOADED, ImportJob.Status.CHECKED):
        if form is None:
            form, preview = _mapping_form(job)
        context.update(form=form, preview=preview or [])
    return context


def _job(request: PageRequest, pk: int) -> ImportJob:
    require(request.user, ImportsPermission.IMPORT)
    return import_job_get(user=request.user, pk=pk)


def import_detail(request: PageRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if request.htmx:
        if not job.is_running:  # finished: the whole page changes (counts, refused rows, choices)
            return HttpResponse(headers={"HX-Refresh": "true"})
        return render(request, "imports/partials/_progress.html", {"job": job})
    return render(request, "imports/import_detail.html", _detail_context(job))


def _refusal(request: PageRequest, job: ImportJob, error: Exception, form: MappingForm | None = None) -> HttpResponse:
    """The page again with the refusal: field errors on the posted form; a stale import from scratch."""
    job.refresh_from_db()
    if isinstance(error, ValidationError) and form is not None:
        form.add_service_error(error)
        preview = services.import_job_preview(job=job) if job.status == ImportJob.Status.UPLOADED else []
        return render(request, "imports/import_detail.html", _detail_context(job, form, preview))
    context = _detail_context(job)
    context["refusal"] = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    return render(
        request, "imports/import_detail.html", context, status=200 if isinstance(error, ValidationError) else 409
    )


@require_POST
def import_configure(request: PageRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    form, preview = _mapping_form(job, request.POST)
    if not form.is_valid():
        return render(request, "imports/import_detail.html", _detail_context(job, form, preview))
    try:
        services.import_job_configure(actor=request.user, job=job, **form.service_arguments())
    except (ValidationError, StaleVersion) as error:
        return _refusal(request, job, error, form)
    return redirect("imports:import_detail", pk=job.pk)


def _versioned(request: PageRequest, pk: int) -> tuple[ImportJob, int | None]:
    job = _job(request, pk)
    form = VersionForm(request.POST)
    return job, (form.cleaned_data["version"] if form.is_valid() else None)


@require_POST
def import_good_rows(request: PageRequest, pk: int) -> HttpResponse:
    job, version = _versioned(request, pk)
    try:
        services.import_job_import_good_rows(actor=request.user, job=job, expected_version=version or 0)
    except (ValidationError, StaleVersion) as error:
        return _refusal(request, job, error)
    return redirect("imports:import_detail", pk=job.pk)


@require_POST
def import_cancel(request: PageRequest, pk: int) -> HttpResponse:
    job, version = _versioned(request, pk)
    try:
        services.import_job_cancel(actor=request.user, job=job, expected_version=version or 0)
    except (ValidationError, StaleVersion) as error:
        return _refusal(request, job, error)
    return redirect("imports:import_detail", pk=job.pk)


class _Echo:
    def write(self, value: str) -> str:
        return value


def import_rejected_csv(request: PageRequest, pk: int) -> StreamingHttpResponse:
    """The refused rows as the file had them, with three columns saying where and why: fix them in
    a spreadsheet and import this file again."""
    job = _job(request, pk)
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([*job.header, "Tandem line", "Tandem column", "Tandem reason"])
        for rejected in job.rejected_rows.order_by("line").iterator(chunk_size=2000):
            problems = rejected.problems
            yield writer.writerow(
                [_cell(c) for c in rejected.cells]
                + [""] * max(0, len(job.header) - len(rejected.cells))
                + [
                    rejected.line,
                    _cell("; ".join(p["column"] for p in problems)),
                    _cell("; ".join(p["reason"] for p in problems)),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="refused-rows-import-{job.pk}.csv"'
    return response
