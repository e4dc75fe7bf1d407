"""Real-browser journeys through the bulk import of users (Playwright + Debian's Chromium)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from accounts.models import User, UserImportJob
from accounts.user_import import services as import_services
from accounts.user_import import services as user_import_services
from tests.browser.axe import axe_violations
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILE = (
    b"FIRST NAME;LAST NAME;NAME;EMAIL;ROLE\r\n"
    b"Ada;Lovelace;;ada@example.com;Account Admin\r\n"
    b";;Grace Hopper;grace@example.com;\r\n"
    b"Alan;Turing;;alan@example.com;user\r\n"
    b"Bob;;;not-an-email;\r\n"
    b";;;nameless@example.com;Boss\r\n"
)
JOB_PAGE = re.compile(r"/users/import/[0-9a-f-]{36}/$")


def csv_upload(name: str = "people.csv", data: bytes = FILE) -> dict:
    return {"name": name, "mimeType": "text/csv", "buffer": data}


def test_admin_imports_three_good_rows_and_gets_two_bad_ones_reported(
    page, account_admin, customer, password, outbox_email, live_server, settings
):
    settings.PORTAL_BASE_URL = live_server.url
    sign_in(page, account_admin.email, password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()

    # The template is the header row.
    with page.expect_download() as template:
        page.get_by_role("link", name="Download template").click()
    assert (
        Path(template.value.path()).read_bytes().decode("utf-8-sig")
        == "FIRST NAME,LAST NAME,NAME,EMAIL,ROLE\r\n"
    )

    # Upload: the preview shows a status per row; nothing is imported yet.
    page.get_by_role("link", name="Import users").click()
    expect(page.get_by_role("heading", name="Import users", level=1)).to_be_visible()
    page.get_by_label("CSV file").set_input_files(csv_upload())
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url(JOB_PAGE)
    expect(page.get_by_role("heading", name="Preview import")).to_be_visible()
    expect(page.get_by_test_id("import-summary")).to_contain_text("2 of 5 rows have errors")
    rows = page.locator("#import-rows tbody tr")
    expect(rows).to_have_count(5)
    for number in (2, 3, 4):
        expect(page.locator(f"tr[data-row='{number}']")).to_contain_text("OK")
    expect(page.locator("tr[data-row='5']")).to_contain_text("Invalid email")
    expect(page.locator("tr[data-row='6']")).to_contain_text("No name")
    expect(page.locator("tr[data-row='6']")).to_contain_text("Unknown role “Boss”")
    assert not User.objects.filter(source=User.Source.IMPORT).exists()

    # Only the problems, swapped in place by htmx.
    page.get_by_role("link", name="Only problems").click()
    expect(rows).to_have_count(2)

    # Import: the progress bar reaches 100% and polling stops.
    page.get_by_role("button", name="Import 3 users").click()
    expect(page.get_by_test_id("import-percent")).to_have_text("100%")
    expect(page.locator("#import-progress-bar")).to_have_attribute("value", "100")
    expect(page.get_by_role("status").filter(has_text="3 users imported")).to_contain_text("2 rows skipped")
    expect(page.locator("#import-progress")).not_to_have_attribute("hx-trigger", re.compile(".*"))
    assert set(User.objects.filter(source=User.Source.IMPORT).values_list("email", flat=True)) == {
        "ada@example.com",
        "grace@example.com",
        "alan@example.com",
    }

    # The report: every row with its outcome.
    with page.expect_download() as report:
        page.get_by_role("link", name="Download the report (CSV)").click()
    lines = list(csv.reader(io.StringIO(Path(report.value.path()).read_bytes().decode("utf-8-sig"))))
    assert lines[0] == ["ROW", "EMAIL", "OUTCOME", "DETAIL"]
    assert [(line[1], line[2]) for line in lines[1:]] == [
        ("ada@example.com", "created"),
        ("grace@example.com", "created"),
        ("alan@example.com", "created"),
        ("not-an-email", "skipped"),
        ("nameless@example.com", "skipped"),
    ]

    # The new users are on the Users page, and each got a welcome email in the outbox.
    page.get_by_role("link", name="Go to Users").click()
    for email in ("ada@example.com", "grace@example.com", "alan@example.com"):
        expect(page.locator("#user-table")).to_contain_text(email)
    page.goto("/outbox/")
    for email in ("ada@example.com", "grace@example.com", "alan@example.com"):
        expect(page.get_by_text(email).first).to_be_visible()


def test_progress_bar_follows_a_running_import_by_polling(
    page, account_admin, customer, password, monkeypatch
):
    monkeypatch.setattr(import_services, "BATCH_SIZE", 1)
    job = user_import_services.import_job_create(
        actor=account_admin, account=customer, upload=SimpleUploadedFile("people.csv", FILE)
    )
    # Queued as import_job_start would, but the "worker" is this test: one batch now, the rest later.
    UserImportJob.objects.filter(pk=job.pk).update(
        status=UserImportJob.Status.PENDING, started_by=account_admin
    )
    import_services.import_job_run(job.pk, max_batches=1)
    sign_in(page, account_admin.email, password)
    polls = []
    page.on("request", lambda request: polls.append(request.url) if "/status/" in request.url else None)

    page.goto(f"/accounts/{customer.account_number}/users/import/{job.job_id}/")
    expect(page.get_by_role("heading", name="Importing users…")).to_be_visible()
    expect(page.get_by_test_id("import-percent")).to_have_text("60%")
    expect(page.locator("#import-progress")).to_have_attribute("hx-trigger", "every 1s")
    page.wait_for_timeout(1500)
    assert polls, "the page polls the status fragment"

    import_services.import_job_run(job.pk)  # the worker finishes the job
    expect(page.get_by_role("heading", name="Import finished")).to_be_visible()
    expect(page.get_by_test_id("import-percent")).to_have_text("100%")
    expect(page.get_by_test_id("import-created")).to_have_text("3 created")
    settled = len(polls)
    page.wait_for_timeout(2500)
    assert len(polls) == settled, "polling stops once the import is finished"


def test_without_javascript_the_import_still_works(new_page, account_admin, customer, password):
    page = new_page(java_script_enabled=False)
    sign_in(page, account_admin.email, password)
    page.goto(f"/accounts/{customer.account_number}/users/import/")

    page.get_by_label("CSV file").set_input_files(csv_upload(data=b"\xef\xbb\xbf" + FILE.replace(b";", b",")))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_test_id("import-summary")).to_contain_text("2 of 5 rows have errors")
    page.get_by_role("button", name="Import 3 users").click()

    expect(page.get_by_role("heading", name="Import finished")).to_be_visible()
    expect(page.get_by_test_id("import-created")).to_have_text("3 created")
    expect(page.get_by_test_id("import-skipped")).to_have_text("2 skipped")


def test_admin_fixes_one_bad_row_drops_the_other_and_imports(page, account_admin, customer, password):
    sign_in(page, account_admin.email, password)
    page.goto(f"/accounts/{customer.account_number}/users/import/")
    page.get_by_label("CSV file").set_input_files(csv_upload())
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url(JOB_PAGE)
    summary = page.get_by_test_id("import-summary")
    expect(summary).to_contain_text("2 of 5 rows have errors")
    assert axe_violations(page) == []  # the inline fix forms: labelled inputs, errors described

    # Row 5: the bad email is an input with its error next to it; a fix that is still bad keeps it.
    bob = page.locator("tr[data-row='5']")
    email = bob.get_by_label("Email")
    expect(email).to_have_value("not-an-email")
    expect(bob.locator("#fix-5-email-errors")).to_contain_text("Invalid email")
    email.fill("bob@")
    bob.get_by_role("button", name="Check again").click()
    expect(page.locator("tr[data-row='5'] #fix-5-email-errors")).to_contain_text(
        "“bob@” is not an email address"
    )
    page.locator("tr[data-row='5']").get_by_label("Email").fill("bob@example.com")
    page.locator("tr[data-row='5']").get_by_role("button", name="Check again").click()
    expect(page.locator("tr[data-row='5']")).to_contain_text("OK")
    expect(page.locator("tr[data-row='5']").get_by_label("Email")).to_have_count(0)
    expect(summary).to_contain_text("1 of 5 rows has errors")
    expect(page.get_by_role("button", name="Import 4 users")).to_be_visible()

    # Row 6 is left out of the import.
    page.locator("tr[data-row='6']").get_by_role("button", name="Drop this row").click()
    expect(page.locator("tr[data-row='6']")).to_have_count(0)
    expect(summary).to_contain_text("No errors found.")

    page.get_by_role("button", name="Import 4 users").click()
    expect(page.get_by_test_id("import-percent")).to_have_text("100%")
    expect(page.get_by_role("status").filter(has_text="4 users imported")).to_be_visible()
    page.get_by_role("link", name="Go to Users").click()
    for address in ("ada@example.com", "grace@example.com", "alan@example.com", "bob@example.com"):
        expect(page.locator("#user-table")).to_contain_text(address)
    expect(page.locator("#user-table")).not_to_contain_text("nameless@example.com")
