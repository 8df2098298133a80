import tempfile
from pathlib import Path

import factory

from tandem.imports.models import ImportJob, Kind
from tandem.people.tests.factories import SalesManagerFactory

ACCOUNTS_CSV = "Id,Name,Industry\nF-1,Factory Account,Software\n"


def _stored(job: ImportJob) -> str:
    path = Path(tempfile.mkdtemp(prefix="tandem-import-")) / "accounts.upload"
    path.write_text(ACCOUNTS_CSV)
    return str(path)


class ImportJobFactory(factory.django.DjangoModelFactory[ImportJob]):
    """An uploaded account file waiting for its mapping (guessed as the upload would)."""

    class Meta:
        model = ImportJob

    kind = Kind.ACCOUNT
    created_by = factory.SubFactory(SalesManagerFactory)
    file_name = "accounts.csv"
    stored_path = factory.LazyAttribute(_stored)
    file_size = len(ACCOUNTS_CSV)
    header = ["Id", "Name", "Industry"]
    mapping = {"external_id": "Id", "name": "Name", "industry": "Industry"}
