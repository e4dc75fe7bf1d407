"""Bulk import of users from a CSV file (docs/bulk-import.md), run as a Celery job.

* ``import_job_create`` reads and validates the upload and stores a job in *preview* with one
  row per user and each row's errors. A refused file (empty, too big, not CSV, not UTF-8, wrong
  header, too many rows) writes nothing at all.
* ``import_job_start`` queues the job (``accounts.user_import.tasks.user_import_run_task``).
* ``import_job_run`` (the task) imports the valid rows in batches of ``BATCH_SIZE``. Each batch is
  one transaction: ``user_create_many`` creates the users, their welcome links and audit events
  with a constant number of queries and queues the batch's welcome emails as one task; then the
  rows get their outcome and the job its counters. The finished job refreshes the planner's
  statistics of the tables it filled (``core.db``).

Idempotence: a batch is all or nothing, and a row that has an outcome is never imported again.
So running a job twice, or running again a job killed halfway, creates every user once; welcome
emails are queued on commit of the batch that created the user, so once per user. Importing
the same file again finds the emails already in use ("Already in the account").
"""

from __future__ import annotations

import contextlib
import logging
from collections import defaultdict
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Lower
from django.utils import timezone

from accounts import access
from accounts.access import Capability
from accounts.audit import AuditAction, audit_record
from accounts.models import Account, AuditEvent, User, UserImportJob, UserImportRow, WelcomeLink
from accounts.services.user_services import DUPLICATE_EMAIL, user_create_many
from accounts.user_import import parse as imports
from core.context import correlation_id_var, current_correlation_id
from core.db import planner_statistics_refresh, rows_insert
from core.jobs import enqueue

__all__ = [
    "import_job_cancel",
    "import_job_create",
    "import_job_fail",
    "import_job_run",
    "import_job_start",
    "user_import_row_drop",
    "user_import_row_fix",
]

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
_INTEGRITY_ATTEMPTS = 3
Status = UserImportJob.Status
Outcome = UserImportRow.Outcome


def import_job_create(*, actor: User, account: Account, upload: UploadedFile) -> UserImportJob:
    """Read an uploaded CSV into a job in preview, each row with its errors; or refuse the file
    with a ValidationError on ``file`` saying what to fix (and write nothing)."""
    access.require(actor, Capability.MANAGE_USERS, account)
    try:
        if upload.size is not None:
            imports.check_size(upload.size)
        parsed = imports.parse_csv(upload.read(imports.MAX_BYTES + 1))
    except imports.ImportFileError as exc:
        raise ValidationError({"file": str(exc)}, code=exc.code) from None
    imports.mark_existing(parsed.rows, _emails_in_use(account, [row.email for row in parsed.rows]))
    with transaction.atomic():
        job = UserImportJob.objects.create(
            account=account,
            created_by=access.acting_user(actor),
            file_name=(upload.name or "")[:255],
            total_rows=len(parsed.rows),
            valid_rows=parsed.valid_rows,
            correlation_id=current_correlation_id(),
        )
        rows_insert(  # one COPY on PostgreSQL
            [
                UserImportRow(
                    job=job,
                    number=row.number,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    name=row.name,
                    email=row.email,
                    role_text=row.role_text,
                    role=row.role,
                    errors=row.errors,
                    is_valid=row.is_valid,
                )
                for row in parsed.rows
            ]
        )
    return job


@transaction.atomic
def import_job_start(*, actor: User, job: UserImportJob) -> UserImportJob:
    """Queue the import of the job's valid rows (from preview, or again after a failure)."""

    access.require(actor, Capability.MANAGE_USERS, job.account)
    job = _lock(job.pk)
    if job.status not in (Status.PREVIEW, Status.FAILED):
        raise ValidationError(f"This import cannot be started: it is {job.get_status_display().lower()}.")
    if job.valid_rows == 0:
        raise ValidationError("Nothing to import: every row has an error. Fix the file and upload it again.")
    restart = job.status == Status.FAILED
    job.status, job.error, job.finished_at = Status.PENDING, "", None
    job.started_by = access.acting_user(actor)
    job.started_at = job.started_at or timezone.now()
    job.save(update_fields=["status", "error", "finished_at", "started_by", "started_at", "modified_at"])
    audit_record(
        actor=actor,
        account=job.account,
        action=AuditAction.USER_IMPORT_RESTARTED if restart else AuditAction.USER_IMPORT_STARTED,
        after={
            "job": str(job.job_id),
            "file": job.file_name,
            "rows": job.total_rows,
            "valid": job.valid_rows,
        },
    )
    enqueue("accounts.tasks.user_import_run_task", job.pk)
    return job


@transaction.atomic
def import_job_cancel(*, actor: User, job: UserImportJob) -> UserImportJob:
    """Drop an import that was previewed but not started."""
    access.require(actor, Capability.MANAGE_USERS, job.account)
    job = _lock(job.pk)
    if job.status != Status.PREVIEW:
        raise ValidationError("Only an import that has not been started can be cancelled.")
    job.status, job.finished_at = Status.CANCELLED, timezone.now()
    job.save(update_fields=["status", "finished_at", "modified_at"])
    return job


@transaction.atomic
def user_import_row_fix(
    *, actor: User, job: UserImportJob, row_number: int, values: dict[str, str]
) -> UserImportRow:
    """Replace a previewed row's values (by column name, ``parse.COLUMNS``) and check it again as
    the upload does: its own cells, another row of the job with the same email, an email already
    in the account. The job's count of importable rows follows."""
    job, row = _preview_row(actor, job, row_number)
    checked = imports.read_values(row.number, values)
    if checked.email:
        first = (
            job.rows.filter(email=checked.email)
            .exclude(pk=row.pk)
            .order_by("number")
            .values_list("number", flat=True)
            .first()
        )
        if first is not None:
            checked.errors.append(imports.duplicate_message(first))
        imports.mark_existing([checked], _emails_in_use(job.account, [checked.email]))
    was_valid = row.is_valid
    for field in ("first_name", "last_name", "name", "email", "role_text", "role", "errors"):
        setattr(row, field, getattr(checked, field))
    row.is_valid = checked.is_valid
    row.save(
        update_fields=["first_name", "last_name", "name", "email", "role_text", "role", "errors", "is_valid"]
    )
    if row.is_valid != was_valid:
        job.valid_rows += 1 if row.is_valid else -1
        job.save(update_fields=["valid_rows", "modified_at"])
    return row


@transaction.atomic
def user_import_row_drop(*, actor: User, job: UserImportJob, row_number: int) -> UserImportJob:
    """Leave a previewed row out of the import (it is no longer part of the job)."""
    job, row = _preview_row(actor, job, row_number)
    row.delete()
    job.total_rows -= 1
    job.valid_rows -= 1 if row.is_valid else 0
    job.save(update_fields=["total_rows", "valid_rows", "modified_at"])
    return job


def _preview_row(actor: User, job: UserImportJob, row_number: int) -> tuple[UserImportJob, UserImportRow]:
    access.require(actor, Capability.MANAGE_USERS, job.account)
    job = _lock(job.pk)
    if job.status != Status.PREVIEW:
        raise ValidationError("Rows can only be changed before the import starts.")
    row = job.rows.filter(number=row_number).first()
    if row is None:
        raise ValidationError(f"Row {row_number} is not in this import.")
    return job, row


def import_job_run(job_id: int, *, max_batches: int | None = None) -> UserImportJob | None:
    """Import the job's rows that have no outcome yet; the task's work. Safe to call again at any
    time: after a crash it carries on where the last committed batch stopped, and on a finished
    job it does nothing. ``max_batches`` stops early (the job stays running), to slice the work."""
    job = UserImportJob.objects.select_related("account", "started_by").filter(pk=job_id).first()
    if job is None or job.status not in (Status.PENDING, Status.RUNNING):
        return job  # deleted, not started, cancelled, failed (restart it first) or already done
    with _correlation(job.correlation_id):
        _begin(job)
        batches = 0
        while max_batches is None or batches < max_batches:
            if not _import_batch(job):
                return _finish(job)
            batches += 1
        if not _todo(job).exists():
            return _finish(job)
    job.refresh_from_db()
    return job


def import_job_fail(*, job_id: int, error: str) -> None:
    """Mark a job failed after its task gave up; the page offers to start it again (it resumes)."""
    with transaction.atomic():
        job = UserImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (Status.DONE, Status.CANCELLED):
            return
        job.status, job.error, job.finished_at = Status.FAILED, error[:2000], timezone.now()
        job.save(update_fields=["status", "error", "finished_at", "modified_at"])


# --- the run -------------------------------------------------------------------------------


def _lock(pk: int) -> UserImportJob:
    return UserImportJob.objects.select_for_update().select_related("account").get(pk=pk)


def _todo(job: UserImportJob):
    return UserImportRow.objects.filter(job_id=job.pk, outcome=Outcome.PENDING, is_valid=True)


@contextlib.contextmanager
def _correlation(correlation_id: str) -> Iterator[None]:
    """Audit events and emails of the job carry the correlation id of the upload's request."""
    token = correlation_id_var.set(correlation_id or current_correlation_id() or "-")
    try:
        yield
    finally:
        correlation_id_var.reset(token)


def _begin(job: UserImportJob) -> None:
    """Running; the rows refused at upload are skipped (they count as processed)."""
    with transaction.atomic():
        locked = _lock(job.pk)
        skipped = UserImportRow.objects.filter(job_id=job.pk, outcome=Outcome.PENDING, is_valid=False).update(
            outcome=Outcome.SKIPPED
        )
        locked.status = Status.RUNNING
        locked.processed_rows += skipped
        locked.skipped_count += skipped
        locked.save(update_fields=["status", "processed_rows", "skipped_count", "modified_at"])


def _import_batch(job: UserImportJob) -> bool:
    """Import the next ``BATCH_SIZE`` rows in one transaction; False when none are left.

    A user added meanwhile with one of the batch's emails makes the insert fail on the unique
    constraint; the batch is then rolled back and tried again, and that row is skipped."""
    for attempt in range(1, _INTEGRITY_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                UserImportJob.objects.select_for_update().filter(pk=job.pk).values_list("pk").get()
                rows = list(_todo(job).order_by("number").values(*_ROW_FIELDS)[:BATCH_SIZE])
                if not rows:
                    return False
                _import_rows(job, rows)
            return True
        except IntegrityError:
            if attempt == _INTEGRITY_ATTEMPTS:
                raise
            logger.info("user import %s: batch lost a race for an email, trying it again", job.job_id)
    return True  # pragma: no cover


_ROW_FIELDS = ("pk", "email", "role", "first_name", "last_name", "name")  # what a batch reads of its rows


def _import_rows(job: UserImportJob, rows: list[dict]) -> None:
    result = user_create_many(
        actor=job.started_by,
        account=job.account,
        people=[{key: value for key, value in row.items() if key != "pk"} for row in rows],
        source=User.Source.IMPORT,
    )
    _rows_created(rows, result.created)
    skipped: dict[str, list[int]] = defaultdict(list)  # why -> rows: a few reasons, one query each
    for position, reason in result.rejected.items():
        detail = imports.ALREADY_IN_ACCOUNT if reason == DUPLICATE_EMAIL else reason
        skipped[detail[:255]].append(rows[position]["pk"])
    for detail, pks in skipped.items():
        UserImportRow.objects.filter(pk__in=pks).update(outcome=Outcome.SKIPPED, detail=detail)
    UserImportJob.objects.filter(pk=job.pk).update(
        processed_rows=F("processed_rows") + len(rows),
        created_count=F("created_count") + len(result.created),
        skipped_count=F("skipped_count") + len(result.rejected),
        modified_at=timezone.now(),
    )


def _rows_created(rows: list[dict], users: dict[int, User]) -> None:
    """Mark the rows whose users were created (``users``: by position in ``rows``, saved, so with
    their primary keys) in one UPDATE, whatever the batch size. PostgreSQL joins the pairs as two
    arrays. Elsewhere each row looks its user up among the batch's by email (rows and users have
    it lowercased alike); Django's ``bulk_update``, a CASE by primary key, took 1.4 s on SQLite
    for 2,500 rows, building it in Python. (On PostgreSQL that lookup was planned as a scan of
    every user of the platform now and then: 2 s for 2,500 rows.)"""
    if not users:
        return
    pairs = [(rows[position]["pk"], user.pk) for position, user in users.items()]
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(UserImportRow._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS r SET outcome = %s, user_id = created.user_id "
                "FROM unnest(%s::bigint[], %s::bigint[]) AS created(id, user_id) WHERE r.id = created.id",
                [Outcome.CREATED.value, [row for row, _ in pairs], [user for _, user in pairs]],
            )
        return
    new_user = User.objects.filter(pk__in=[user for _, user in pairs], email=OuterRef("email")).values("pk")[
        :1
    ]
    UserImportRow.objects.filter(pk__in=[row for row, _ in pairs]).update(
        outcome=Outcome.CREATED, user=Subquery(new_user)
    )


def _finish(job: UserImportJob) -> UserImportJob:
    # The columns the account's pages and the job's rows are looked up by, and the row counts.
    planner_statistics_refresh(
        (User, ["account"]),
        (UserImportRow, ["job", "outcome"]),
        (WelcomeLink, ["user"]),
        (AuditEvent, ["account"]),
    )
    with transaction.atomic():
        job = _lock(job.pk)
        if job.status == Status.RUNNING:
            job.status, job.finished_at = Status.DONE, timezone.now()
            job.save(update_fields=["status", "finished_at", "modified_at"])
            audit_record(
                actor=job.started_by,
                account=job.account,
                action=AuditAction.USER_IMPORT_FINISHED,
                after={
                    "job": str(job.job_id),
                    "file": job.file_name,
                    "created": job.created_count,
                    "skipped": job.skipped_count,
                },
            )
    return job


def _emails_in_use(account: Account, emails: list[str], chunk: int = 500) -> set[str]:
    """Which of ``emails`` (lowercase) the account's users already have."""
    wanted = sorted({email for email in emails if email})
    found: set[str] = set()
    for start in range(0, len(wanted), chunk):
        found.update(
            User.objects.for_account(account)
            .annotate(email_lower=Lower("email"))
            .filter(email_lower__in=wanted[start : start + chunk])
            .values_list("email_lower", flat=True)
        )
    return found
