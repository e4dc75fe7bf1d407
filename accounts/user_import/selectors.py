"""Scoped reads of bulk user imports (the jobs and their rows), for the import pages."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from accounts import access
from accounts.access import Capability
from accounts.models import Account, User, UserImportJob, UserImportRow


def import_job_get_or_404(*, actor: User, account: Account, job_id: uuid.UUID | str) -> UserImportJob:
    """An import job of ``account``; 404 for any other account's job (or none)."""
    access.require(actor, Capability.MANAGE_USERS, account)
    job = UserImportJob.objects.for_account(account).filter(job_id=job_id).first()
    if job is None:
        raise Http404("No such import.")
    job.account = account
    return job


def import_job_list(*, actor: User, account: Account, limit: int = 5) -> QuerySet[UserImportJob]:
    """The account's most recent imports, newest first."""
    access.require(actor, Capability.MANAGE_USERS, account)
    return UserImportJob.objects.for_account(account).select_related("created_by")[:limit]


def import_row_list(*, job: UserImportJob, problems_only: bool = False) -> QuerySet[UserImportRow]:
    """The job's rows in file order; ``problems_only``: rows with errors or skipped."""
    rows = job.rows.order_by("number")
    if problems_only:
        rows = rows.exclude(
            is_valid=True, outcome__in=[UserImportRow.Outcome.PENDING, UserImportRow.Outcome.CREATED]
        )
    return rows
