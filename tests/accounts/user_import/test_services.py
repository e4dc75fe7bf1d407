"""Bulk import services and task: the job, its batches, idempotence, a killed job run again,
welcome emails once per user, queries per batch, and the real Celery worker."""

from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from accounts import services
from accounts.models import AuditEvent, User, UserImportJob, UserImportRow, WelcomeLink
from accounts.user_import import services as import_services
from accounts.user_import import services as user_import_services
from accounts.user_import.tasks import user_import_run_task
from core.models import OutboxMessage
from portal.celery import app as celery_app
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db

HEADER = "FIRST NAME,LAST NAME,NAME,EMAIL,ROLE"
Status = UserImportJob.Status


@pytest.fixture(autouse=True)
def _outbox(settings):
    """Welcome emails go through the real queue and task into the portal's outbox."""
    settings.EMAIL_BACKEND = "core.mail.OutboxBackend"


def upload(*lines: str, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\r\n".join([HEADER, *lines]) + "\r\n").encode(), "text/csv")


def people(n: int, start: int = 0) -> list[str]:
    return [f"First{i},Last{i},,person{i}@example.com," for i in range(start, start + n)]


def run_to_the_end(job: UserImportJob) -> UserImportJob:
    import_services.import_job_run(job.pk)
    job.refresh_from_db()
    return job


def started(actor, account, *lines: str) -> UserImportJob:
    """Upload and start (the task itself is not run: non-transactional tests never commit)."""
    job = user_import_services.import_job_create(actor=actor, account=account, upload=upload(*lines))
    return user_import_services.import_job_start(actor=actor, job=job)


def eager_retries_run(monkeypatch) -> None:
    """In-process tasks retry at once, as in the embedded default (tests otherwise propagate errors)."""
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)


def imported_emails(account) -> Counter:
    return Counter(
        User.objects.filter(account=account, source=User.Source.IMPORT).values_list("email", flat=True)
    )


def welcome_emails() -> Counter:
    return Counter(address for message in OutboxMessage.objects.all() for address in message.to)


# --- upload and preview --------------------------------------------------------------------


def test_upload_stores_a_preview_with_each_rows_status(account_admin, customer, member):
    job = user_import_services.import_job_create(
        actor=account_admin,
        account=customer,
        upload=upload(
            "Ada,Lovelace,,ada@example.com,Account Admin",
            "Bob,,,bob@,",
            ",,,nobody@example.com,",
            "Cy,,,cy@example.com,Boss",
            "Dup,,,ADA@example.com,",
            "Uma,,,uma@globex.example,",  # the member's email: already in the account
        ),
    )

    assert (job.status, job.total_rows, job.valid_rows, job.created_by) == (
        Status.PREVIEW,
        6,
        1,
        account_admin,
    )
    rows = {row.number: row for row in job.rows.all()}
    assert rows[2].is_valid and rows[2].role == User.Role.ACCOUNT_ADMIN and rows[2].outcome == ""
    assert rows[3].errors == ["Invalid email: “bob@” is not an email address"]
    assert rows[4].errors == ["No name: fill in FIRST NAME, LAST NAME or NAME"]
    assert rows[5].errors == ["Unknown role “Boss”: use User or Account Admin"]
    assert rows[6].errors == ["Duplicate in the file: the same email as row 2"]
    assert rows[7].errors == ["Already in the account"]
    assert User.objects.filter(account=customer).count() == 2, "a preview creates no user"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"PK\x03\x04\x14\x00\x00\x00garbage", "not a CSV file"),
        (b"\x00\x01\x02\x03binary", "not a CSV text file"),
        ("FIRST NAME,LAST NAME,NAME,EMAIL,ROLE\r\nZoë,,,z@example.com,\r\n".encode("cp1252"), "not UTF-8"),
        (b"NAME,MAIL\r\nAda,ada@example.com\r\n", "Missing: FIRST NAME, LAST NAME, EMAIL, ROLE."),
        (("\r\n".join([HEADER, *people(2_501)]) + "\r\n").encode(), "at most 2,500"),
    ],
)
def test_a_refused_file_writes_nothing_and_says_what_to_fix(account_admin, customer, data, message):
    with pytest.raises(ValidationError) as caught:
        user_import_services.import_job_create(
            actor=account_admin, account=customer, upload=SimpleUploadedFile("people.csv", data)
        )

    assert message in " ".join(caught.value.message_dict["file"])
    assert not UserImportJob.objects.exists() and not UserImportRow.objects.exists()


def test_a_file_too_big_is_refused_by_its_size_before_it_is_read(account_admin, customer):
    big = SimpleUploadedFile("big.csv", b"x" * (2 * 1024 * 1024 + 1))

    with pytest.raises(ValidationError, match="at most 2 MB can be uploaded"):
        user_import_services.import_job_create(actor=account_admin, account=customer, upload=big)
    assert not UserImportJob.objects.exists()


def test_only_user_managers_of_the_account_may_import(member, outsider, customer):
    with pytest.raises(PermissionDenied):
        user_import_services.import_job_create(actor=member, account=customer, upload=upload(*people(1)))
    with pytest.raises(Http404):
        user_import_services.import_job_create(actor=outsider, account=customer, upload=upload(*people(1)))


def test_partner_imports_into_a_customer_account(partner_admin, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = started(partner_admin, customer, *people(2))

    job.refresh_from_db()
    assert job.status == Status.DONE and job.created_count == 2
    assert set(User.objects.filter(source="import").values_list("account", "created_by")) == {
        (customer.pk, partner_admin.pk)
    }


# --- the run -------------------------------------------------------------------------------


def test_import_creates_the_valid_rows_and_skips_and_reports_the_others(
    account_admin, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = started(
            account_admin,
            customer,
            "Ada,Lovelace,,ada@example.com,account admin",
            ",,Grace Hopper,grace@example.com,",
            "Bob,,,not-an-email,",
        )

    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.created_count, job.skipped_count) == (Status.DONE, 3, 2, 1)
    assert job.percent == 100 and job.started_by == account_admin and job.finished_at is not None
    ada = User.objects.get(account=customer, email="ada@example.com")
    assert (ada.first_name, ada.last_name, ada.role, ada.source, ada.created_by) == (
        "Ada",
        "Lovelace",
        User.Role.ACCOUNT_ADMIN,
        User.Source.IMPORT,
        account_admin,
    )
    assert not ada.is_registered and not ada.has_usable_password()
    assert User.objects.get(email="grace@example.com").name == "Grace Hopper"
    outcomes = {row.number: (row.outcome, row.user_id) for row in job.rows.all()}
    assert outcomes == {2: ("created", ada.pk), 3: ("created", outcomes[3][1]), 4: ("skipped", None)}
    assert welcome_emails() == Counter({"ada@example.com": 1, "grace@example.com": 1})
    assert WelcomeLink.objects.filter(user__source="import", used_at__isnull=True).count() == 2
    actions = Counter(AuditEvent.objects.filter(account=customer).values_list("action", flat=True))
    assert actions == Counter({"user.created": 2, "user_import.started": 1, "user_import.finished": 1})


def test_the_welcome_email_links_to_registration(
    account_admin, customer, django_capture_on_commit_callbacks, client
):
    with django_capture_on_commit_callbacks(execute=True):
        started(account_admin, customer, "Ada,,,ada@example.com,")

    message = OutboxMessage.objects.get()
    assert (
        "Finish building your account" in message.body_text and customer.account_number in message.body_text
    )
    link = next(word for word in message.body_text.split() if "/welcome/" in word)
    assert client.get(link[link.index("/welcome/") :]).status_code == 200


def test_running_a_finished_job_again_creates_nothing(
    account_admin, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = started(account_admin, customer, *people(3))
        run_to_the_end(job)
        user_import_run_task.delay(job.pk)

    job.refresh_from_db()
    assert job.created_count == 3 and imported_emails(customer) == Counter(
        {f"person{i}@example.com": 1 for i in range(3)}
    )
    assert sum(welcome_emails().values()) == 3
    assert AuditEvent.objects.filter(action="user_import.finished").count() == 1


def test_importing_the_same_file_again_creates_nothing_new(
    account_admin, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        started(account_admin, customer, *people(3))

    again = user_import_services.import_job_create(
        actor=account_admin, account=customer, upload=upload(*people(3))
    )

    assert again.valid_rows == 0
    assert [row.errors for row in again.rows.all()] == [["Already in the account"]] * 3
    with pytest.raises(ValidationError, match="Nothing to import"):
        user_import_services.import_job_start(actor=account_admin, job=again)
    assert User.objects.filter(account=customer).count() == 4


def test_a_user_added_after_the_preview_is_reported_already_in_the_account(
    account_admin, customer, django_capture_on_commit_callbacks
):
    job = user_import_services.import_job_create(
        actor=account_admin, account=customer, upload=upload(*people(2))
    )
    services.user_create(actor=account_admin, account=customer, email="Person1@example.com", name="Early")

    with django_capture_on_commit_callbacks(execute=True):
        user_import_services.import_job_start(actor=account_admin, job=job)

    job.refresh_from_db()
    assert (job.created_count, job.skipped_count) == (1, 1)
    assert job.rows.get(number=3).detail == "Already in the account"
    assert User.objects.filter(account=customer, email__iexact="person1@example.com").count() == 1


def test_a_job_stopped_after_some_batches_and_run_again_creates_everyone_once(
    account_admin, customer, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(import_services, "BATCH_SIZE", 10)
    with django_capture_on_commit_callbacks(execute=True):
        job = started(account_admin, customer, *people(35), "Bad,,,bad,")
        import_services.import_job_run(job.pk, max_batches=2)
        job.refresh_from_db()
        assert (job.status, job.created_count, job.processed_rows) == (Status.RUNNING, 20, 21)
        assert 0 < job.percent < 100

        run_to_the_end(job)

    job.refresh_from_db()
    assert (job.status, job.created_count, job.skipped_count, job.processed_rows) == (Status.DONE, 35, 1, 36)
    assert imported_emails(customer) == Counter({f"person{i}@example.com": 1 for i in range(35)})
    created = job.rows.filter(outcome="created").select_related("user")
    assert sorted((row.email, row.user.email) for row in created) == sorted(
        (f"person{i}@example.com",) * 2 for i in range(35)
    ), "each created row links to its own user"
    assert welcome_emails() == Counter({f"person{i}@example.com": 1 for i in range(35)})


def test_a_job_killed_inside_a_batch_and_run_again_loses_nobody_and_duplicates_nobody(
    account_admin, customer, django_capture_on_commit_callbacks, monkeypatch
):
    """The worker dies in the third batch after its users were written but before the batch
    committed: that batch is rolled back (with its welcome emails), the run again redoes it."""
    monkeypatch.setattr(import_services, "BATCH_SIZE", 10)
    real = import_services.user_create_many
    calls = []

    def dies_in_the_third_batch(**kwargs):
        result = real(**kwargs)
        calls.append(len(result.created))
        if len(calls) == 3:
            raise SystemExit("worker killed")
        return result

    with django_capture_on_commit_callbacks(execute=True):
        job = started(account_admin, customer, *people(45))
        monkeypatch.setattr(import_services, "user_create_many", dies_in_the_third_batch)
        with pytest.raises(SystemExit):
            import_services.import_job_run(job.pk)
        job.refresh_from_db()
        assert (job.status, job.created_count, len(imported_emails(customer))) == (Status.RUNNING, 20, 20)
        monkeypatch.setattr(import_services, "user_create_many", real)

        run_to_the_end(job)

    job.refresh_from_db()
    assert (job.status, job.created_count, job.processed_rows) == (Status.DONE, 45, 45)
    assert imported_emails(customer) == Counter({f"person{i}@example.com": 1 for i in range(45)})
    assert welcome_emails() == Counter({f"person{i}@example.com": 1 for i in range(45)})
    assert AuditEvent.objects.filter(action="user.created").count() == 45
    assert WelcomeLink.objects.filter(user__account=customer).count() == 45


def test_the_task_retries_a_failed_batch_and_the_job_completes(
    account_admin, customer, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(import_services, "BATCH_SIZE", 10)
    real = import_services.user_create_many
    calls = []

    def database_hiccup_once(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(import_services, "user_create_many", database_hiccup_once)
    eager_retries_run(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        job = started(account_admin, customer, *people(25))

    job.refresh_from_db()
    assert (job.status, job.created_count) == (Status.DONE, 25)
    assert imported_emails(customer) == Counter({f"person{i}@example.com": 1 for i in range(25)})
    assert sum(welcome_emails().values()) == 25


def test_when_retries_are_used_up_the_job_fails_and_starting_it_again_resumes(
    account_admin, customer, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(import_services, "BATCH_SIZE", 10)
    real = import_services.user_create_many
    calls = []

    def broken_after_the_first_batch(**kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise OperationalError("database is gone")
        return real(**kwargs)

    job = started(account_admin, customer, *people(25))
    monkeypatch.setattr(import_services, "user_create_many", broken_after_the_first_batch)
    eager_retries_run(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        result = user_import_run_task.apply(args=[job.pk])

    assert result.failed() and isinstance(result.result, OperationalError)
    job.refresh_from_db()
    assert (job.status, job.created_count) == (Status.FAILED, 10)
    assert "OperationalError" in job.error
    assert len(calls) == 1 + 1 + user_import_run_task.max_retries, "first try and every retry"

    monkeypatch.setattr(import_services, "user_create_many", real)
    with django_capture_on_commit_callbacks(execute=True):
        user_import_services.import_job_start(actor=account_admin, job=job)

    job.refresh_from_db()
    assert (job.status, job.created_count, job.error) == (Status.DONE, 25, "")
    assert imported_emails(customer) == Counter({f"person{i}@example.com": 1 for i in range(25)})
    assert AuditEvent.objects.filter(action="user_import.restarted").count() == 1


def _import_queries(actor, account, n: int, start: int, capture) -> tuple[int, int]:
    """Queries of the import task for ``n`` new people, and the email tasks it queued (sent here,
    checking one welcome email per created user)."""
    job = started(actor, account, *people(n, start))
    with capture() as emails, CaptureQueriesContext(connection) as queries:
        import_services.import_job_run(job.pk)
    job.refresh_from_db()
    assert job.created_count == n
    sent_before = sum(welcome_emails().values())
    for send in emails:
        send()
    assert sum(welcome_emails().values()) - sent_before == n, "one welcome email per created user"
    return len(queries), len(emails)


def test_queries_grow_with_the_number_of_batches_not_rows(
    account_admin, customer, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(import_services, "BATCH_SIZE", 20)
    capture = django_capture_on_commit_callbacks
    one_batch, emails_1 = _import_queries(account_admin, customer, 20, 0, capture)
    two_batches, _ = _import_queries(account_admin, customer, 40, 10_000, capture)
    ten_batches, emails_10 = _import_queries(account_admin, customer, 200, 20_000, capture)

    per_batch = two_batches - one_batch
    assert per_batch <= 20, f"a batch of 20 rows takes {per_batch} queries: it grows by row"
    assert ten_batches == one_batch + 9 * per_batch
    assert (emails_1, emails_10) == (1, 10), "the welcome emails of a batch are queued as one task"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite splits a bulk insert by its 999 variables a statement, so a wider batch takes more",
)
def test_a_batch_takes_the_same_queries_whatever_its_size(
    account_admin, customer, django_capture_on_commit_callbacks, monkeypatch
):
    """A batch of 500 rows costs the same statements as one of 50: users, welcome links, audit
    events, the rows' outcomes are each written once per batch, not once per row."""
    capture = django_capture_on_commit_callbacks
    monkeypatch.setattr(import_services, "BATCH_SIZE", 50)
    small, small_emails = _import_queries(account_admin, customer, 50, 0, capture)
    monkeypatch.setattr(import_services, "BATCH_SIZE", 500)
    large, large_emails = _import_queries(account_admin, customer, 500, 10_000, capture)

    assert large == small, f"one batch: {small} queries for 50 rows, {large} for 500"
    assert small_emails == large_emails == 1


def test_a_cancelled_preview_cannot_be_started(account_admin, customer):
    job = user_import_services.import_job_create(
        actor=account_admin, account=customer, upload=upload(*people(1))
    )

    user_import_services.import_job_cancel(actor=account_admin, job=job)

    job.refresh_from_db()
    assert job.status == Status.CANCELLED
    with pytest.raises(ValidationError, match="cannot be started"):
        user_import_services.import_job_start(actor=account_admin, job=job)
    assert import_services.import_job_run(job.pk).status == Status.CANCELLED


def test_a_started_job_cannot_be_started_twice_or_cancelled(account_admin, customer):
    job = started(account_admin, customer, *people(1))

    with pytest.raises(ValidationError, match="cannot be started: it is queued"):
        user_import_services.import_job_start(actor=account_admin, job=job)
    with pytest.raises(ValidationError, match="not been started"):
        user_import_services.import_job_cancel(actor=account_admin, job=job)


def test_a_preview_is_not_run_by_a_stray_task(account_admin, customer):
    job = user_import_services.import_job_create(
        actor=account_admin, account=customer, upload=upload(*people(2))
    )

    assert import_services.import_job_run(job.pk).status == Status.PREVIEW
    assert import_services.import_job_run(999_999) is None
    assert not imported_emails(customer)


def test_starting_needs_the_capability(account_admin, member, outsider, customer):
    job = user_import_services.import_job_create(
        actor=account_admin, account=customer, upload=upload(*people(1))
    )

    with pytest.raises(PermissionDenied):
        user_import_services.import_job_start(actor=member, job=job)
    with pytest.raises(Http404):
        user_import_services.import_job_start(actor=outsider, job=job)


def test_user_create_many_applies_user_create_rules(account_admin, customer, member):
    result = services.user_services.user_create_many(
        actor=account_admin,
        account=customer,
        people=[
            {"email": "new@example.com", "name": "New"},
            {"email": "UMA@globex.example", "name": "Taken"},
            {"email": "new@example.com", "name": "Twice"},
            {"email": "boss@example.com", "name": "Boss", "role": User.Role.PARTNER_ADMIN},
            {"email": "broken", "name": "Broken"},
        ],
    )

    assert list(result.created) == [0]
    assert (
        result.rejected[1] == result.rejected[2] == "One or more of the attribute values are already in use"
    )
    assert result.rejected[3] == "Role must be User or Account Admin."
    assert "valid email" in result.rejected[4]


# --- the real worker -----------------------------------------------------------------------


def test_the_real_celery_worker_runs_the_import(celery_worker, account_admin, customer):
    job = started(account_admin, customer, *people(3), "Bad,,,bad,")

    done = wait_until(lambda: UserImportJob.objects.filter(pk=job.pk, status=Status.DONE).first(), timeout=60)

    assert done is not None, (
        f"the worker did not finish the import: {UserImportJob.objects.get(pk=job.pk).status}"
    )
    assert (done.created_count, done.skipped_count) == (3, 1)
    assert imported_emails(customer) == Counter({f"person{i}@example.com": 1 for i in range(3)})
    assert wait_until(lambda: sum(welcome_emails().values()) == 3, timeout=30)
