from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tandem.imports import services
from tandem.imports.models import ImportJob
from tandem.sales.models import Stage
from tandem.sales.tests.factories import StageFactory

FILES = Path(__file__).parent / "files"

STAGES = (
    ("Prospecting", 10, "pipeline", False, False),
    ("Discovery", 20, "pipeline", False, False),
    ("Solution/Demo", 40, "pipeline", False, False),
    ("Proposal", 60, "best_case", False, False),
    ("Negotiation", 80, "commit", False, False),
    ("Closed Won", 100, "closed", True, False),
    ("Closed Lost", 0, "omitted", False, True),
)


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    return settings.IMPORT_DIR


@pytest.fixture
def stages(db) -> dict[str, Stage]:
    return {
        name: StageFactory(name=name, order=i, default_probability=p, forecast_category=c, is_won=won, is_lost=lost)
        for i, (name, p, c, won, lost) in enumerate(STAGES, start=1)
    }


def upload(actor, kind: str, name: str, content: bytes | None = None) -> ImportJob:
    data = content if content is not None else (FILES / name).read_bytes()
    return services.import_job_upload(actor=actor, kind=kind, upload=SimpleUploadedFile(name, data))


def run(actor, job: ImportJob, *, owners=None, stage_map=None, roles=None, **settings_) -> ImportJob:
    """Configure with the guessed settings (changed by `settings_`) and run the worker's part."""
    arguments = {
        "encoding": job.encoding,
        "delimiter": job.delimiter,
        "decimal_separator": job.decimal_separator,
        "date_format": job.date_format,
        "mapping": job.mapping,
        "value_map": {
            "owner": job.value_map.get("owner", {}) if owners is None else owners,
            "stage": job.value_map.get("stage", {}) if stage_map is None else stage_map,
            "role": job.value_map.get("role", {}) if roles is None else roles,
        },
    }
    arguments.update(settings_)
    job = services.import_job_configure(actor=actor, job=job, expected_version=job.version, **arguments)
    return services.import_job_run(job_id=job.pk)


def import_file(actor, kind: str, name: str, content: bytes | None = None, **kwargs) -> ImportJob:
    return run(actor, upload(actor, kind, name, content), **kwargs)
