"""Reads of imports. An import is its starter's: they see and change their own; admins see and change every import."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from tandem.core.roles import Role
from tandem.imports.models import ImportJob, ImportMapping, RejectedRow, StagedRow
from tandem.people.models import User


def import_job_visible(*, user: User) -> QuerySet[ImportJob]:
    jobs = ImportJob.objects.select_related("created_by")
    return jobs if user.role == Role.ADMIN else jobs.filter(created_by=user)


def import_job_changeable(*, user: User) -> QuerySet[ImportJob]:
    return import_job_visible(user=user)


def import_job_get(*, user: User, pk: int) -> ImportJob:
    return get_object_or_404(import_job_visible(user=user), pk=pk)


def import_mapping_visible(*, user: User) -> QuerySet[ImportMapping]:
    """Remembered mappings are the workspace's: whoever may import reads them through the mapping screen."""
    from tandem.imports.services import kinds_for

    return ImportMapping.objects.filter(kind__in=kinds_for(user))


def import_mapping_changeable(*, user: User) -> QuerySet[ImportMapping]:
    return import_mapping_visible(user=user)


def rejected_row_visible(*, user: User) -> QuerySet[RejectedRow]:
    return RejectedRow.objects.filter(job__in=import_job_visible(user=user))


def rejected_row_changeable(*, user: User) -> QuerySet[RejectedRow]:
    """The report of refused rows is kept as it was: nobody edits it."""
    return RejectedRow.objects.none()


def staged_row_visible(*, user: User) -> QuerySet[StagedRow]:
    return StagedRow.objects.filter(job__in=import_job_visible(user=user))


def staged_row_changeable(*, user: User) -> QuerySet[StagedRow]:
    return StagedRow.objects.none()
