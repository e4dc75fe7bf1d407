"""Bulk import of 2,500 users from CSV through the services the Import users page calls.

Run: ``.venv/bin/python bench/bulk_import.py [--rows N] [--runs N]``. Uses the test settings and a
throw-away database (SQLite in memory unless DATABASE_URL is set). Tasks run in-process (no
broker), so the timings include the import task and the welcome emails it queues, which the
outbox backend stores. Prints rows per second, seconds (upload + preview, import), peak memory
(tracemalloc) and database queries per batch; medians over ``--runs`` imports into fresh accounts.
"""

import argparse
import logging
import statistics
import time
import tracemalloc

import harness  # noqa: E402,I001  (sets up Django: keep it before the Django imports)
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402

QueryCounter, counting = harness.QueryCounter, harness.counting


def csv_file(n: int, run: int) -> SimpleUploadedFile:
    lines = ["FIRST NAME,LAST NAME,NAME,EMAIL,ROLE"]
    for i in range(n):
        role = "Account Admin" if i % 50 == 0 else ("User" if i % 2 else "")
        lines.append(f"First{i},Last{i},,user{i}.run{run}@bench.example,{role}")
    return SimpleUploadedFile("bench.csv", ("\r\n".join(lines) + "\r\n").encode(), "text/csv")


def seed():
    from accounts.models import Account, User

    partner = Account.objects.create(
        kind="partner", name="Bench Partner", country="US", account_number="100000001"
    )
    admin = User.objects.create(
        account=partner, email="bench@partner.example", role=User.Role.PARTNER_ADMIN, is_registered=True
    )
    return partner, admin


def one_import(partner, admin, rows: int, run: int, trace_memory: bool = False) -> dict:
    from accounts.models import Account, User, UserImportJob
    from accounts.user_import import services as import_services
    from core.models import OutboxMessage

    customer = Account.objects.create(
        kind="customer",
        parent=partner,
        name=f"Bench Customer {run}",
        country="SE",
        account_number=str(200000000 + run),
    )
    upload = csv_file(rows, run)
    emails_before = OutboxMessage.objects.count()
    if trace_memory:
        tracemalloc.start()
    with counting() as queries:
        start = time.perf_counter()
        job = import_services.import_job_create(actor=admin, account=customer, upload=upload)
        previewed = time.perf_counter()
        with counting() as run_queries:
            import_services.import_job_start(actor=admin, job=job)  # the task runs in-process on commit
        finished = time.perf_counter()
    peak = tracemalloc.get_traced_memory()[1] if trace_memory else 0
    tracemalloc.stop()

    job = UserImportJob.objects.get(pk=job.pk)
    created = User.objects.filter(account=customer, source="import").count()
    emails = OutboxMessage.objects.count() - emails_before
    assert job.status == "done" and created == rows == job.created_count, (job.status, created)
    assert emails == rows, f"{emails} welcome emails for {rows} users"
    batches = -(-rows // import_services.BATCH_SIZE)
    return {
        "total": finished - start,
        "preview": previewed - start,
        "import": finished - previewed,
        "peak_mb": peak / (1024 * 1024),
        "queries": queries.total,
        "run_queries": run_queries.total,
        "email_queries": run_queries.email,
        "batches": batches,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    logging.disable(logging.WARNING)  # per-task log lines would dominate the timings
    with harness.throwaway_database(outbox_email=True):
        from accounts.user_import import services as import_services

        partner, admin = seed()
        one_import(partner, admin, 20, run=999)  # warm-up: imports, URL resolver, templates
        results = [one_import(partner, admin, args.rows, run) for run in range(args.runs)]
        med = {key: statistics.median(r[key] for r in results) for key in results[0]}
        # Peak memory in a run of its own: tracing slows Python down several times.
        med["peak_mb"] = one_import(partner, admin, args.rows, args.runs, trace_memory=True)["peak_mb"]
        import_queries = med["run_queries"] - med["email_queries"]
        print(
            f"bulk import of {args.rows:,} users, {args.runs} runs (median), {connection.vendor}, "
            f"batches of {import_services.BATCH_SIZE}"
        )
        print(f"{'rows per second':32} {args.rows / med['total']:10.0f}")
        print(f"{'total seconds':32} {med['total']:10.2f}   (target < 10 s)")
        print(f"{'  upload + preview seconds':32} {med['preview']:10.2f}")
        print(f"{'  import task seconds':32} {med['import']:10.2f}   (incl. sending the welcome emails)")
        print(f"{'peak memory (tracemalloc) MB':32} {med['peak_mb']:10.1f}   (a separate traced run)")
        print(f"{'queries, whole import':32} {med['queries']:10.0f}")
        print(f"{'  import task, without emails':32} {import_queries:10.0f}   ({med['batches']:.0f} batches)")
        print(f"{'  queries per batch':32} {import_queries / med['batches']:10.1f}")
        print(f"{'  email task inserts (1 per batch)':32} {med['email_queries']:10.0f}")


if __name__ == "__main__":
    main()
