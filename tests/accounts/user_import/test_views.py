"""The bulk import pages: template, upload, preview, start, progress fragment, report, cancel."""

import csv
import io
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User, UserImportJob
from accounts.user_import import services as import_services
from accounts.user_import import services as user_import_services

pytestmark = pytest.mark.django_db

HEADER = "FIRST NAME,LAST NAME,NAME,EMAIL,ROLE"
GOOD = [
    "Ada,Lovelace,,ada@example.com,Account Admin",
    ",,Grace Hopper,grace@example.com,",
    "Alan,,,alan@example.com,user",
]
BAD = ["Bob,,,not-an-email,", "Cy,,,cy@example.com,Boss"]


def csv_file(*lines: str, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\r\n".join([HEADER, *lines]) + "\r\n").encode(), "text/csv")


def url(name: str, account, job=None) -> str:
    args = [account.account_number] + ([job.job_id] if job is not None else [])
    return reverse(f"accounts:{name}", args=args)


def previewed(actor, account, *lines: str) -> UserImportJob:
    return user_import_services.import_job_create(actor=actor, account=account, upload=csv_file(*lines))


def import_(client, account, job, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url("user_import_start", account, job))


# --- entry and template --------------------------------------------------------------------


def test_users_page_links_to_import_and_template(client_for, account_admin, customer):
    html = client_for(account_admin).get(url("user_list", customer)).content.decode()

    assert f'href="{url("user_import", customer)}"' in html and "Import users" in html
    assert f'href="{url("user_import_template", customer)}"' in html and "Download template" in html


def test_template_downloads_as_csv_with_the_expected_header(client_for, account_admin, customer):
    response = client_for(account_admin).get(url("user_import_template", customer))

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="users-import-template.csv"'
    assert response.content.decode("utf-8-sig") == "FIRST NAME,LAST NAME,NAME,EMAIL,ROLE\r\n"


def test_import_page_explains_the_columns_and_offers_the_upload(client_for, account_admin, customer):
    response = client_for(account_admin).get(url("user_import", customer))

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Download template" in html and 'enctype="multipart/form-data"' in html and 'type="file"' in html
    assert "Account Admin" in html and "up to 2,500 users" in html


# --- upload and preview --------------------------------------------------------------------


def test_upload_opens_the_preview_with_a_status_per_row(client_for, account_admin, customer):
    client = client_for(account_admin)

    response = client.post(url("user_import", customer), {"file": csv_file(*GOOD, *BAD)})

    job = UserImportJob.objects.get()
    assert response.status_code == HTTPStatus.FOUND and response.url == url("user_import_job", customer, job)
    html = client.get(response.url).content.decode()
    assert "2 of 5 rows have errors" in html and "Import 3 users" in html
    assert "Invalid email: “not-an-email” is not an email address" in html
    assert "Unknown role “Boss”: use User or Account Admin" in html
    assert html.count('<span class="badge badge--success">OK</span>') == 3
    assert "No errors found" not in html
    assert not User.objects.filter(source="import").exists()


def test_a_clean_file_says_no_errors_found(client_for, account_admin, customer):
    client = client_for(account_admin)

    response = client.post(url("user_import", customer), {"file": csv_file(*GOOD)}, follow=True)

    assert "No errors found." in response.content.decode() and "Import 3 users" in response.content.decode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"PK\x03\x04\x14\x00\x06\x00", "not a CSV file"),
        (b"\x00\x00\x00\x1cftypisom", "not a CSV text file"),
        ("FIRST NAME,LAST NAME,NAME,EMAIL,ROLE\nZoë,,,zoe@example.com,\n".encode("latin-1"), "not UTF-8"),
        (b"FIRST NAME,SURNAME,EMAIL\nAda,L,ada@example.com\n", "Not expected: SURNAME."),
        (b"FIRST NAME,LAST NAME,NAME,EMAIL,ROLE\n", "no users"),
    ],
)
def test_a_refused_file_shows_what_to_fix_and_nothing_is_stored(
    client_for, account_admin, customer, content, message
):
    response = client_for(account_admin).post(
        url("user_import", customer), {"file": SimpleUploadedFile("people.csv", content)}
    )

    assert response.status_code == HTTPStatus.OK
    assert message in response.content.decode()
    assert 'class="field-error"' in response.content.decode()
    assert not UserImportJob.objects.exists()


def test_too_many_rows_are_refused(client_for, account_admin, customer):
    lines = [f"U{i},,,u{i}@example.com," for i in range(2_501)]

    response = client_for(account_admin).post(url("user_import", customer), {"file": csv_file(*lines)})

    assert "2,501 users; at most 2,500 can be imported at once" in response.content.decode()
    assert not UserImportJob.objects.exists()


def test_upload_without_a_file_is_an_error(client_for, account_admin, customer):
    response = client_for(account_admin).post(url("user_import", customer), {})

    assert response.status_code == HTTPStatus.OK and "This field is required." in response.content.decode()


def test_preview_can_show_only_the_problem_rows_and_htmx_gets_the_rows_fragment(
    client_for, account_admin, customer
):
    job = previewed(account_admin, customer, *GOOD, *BAD)

    response = client_for(account_admin).get(
        url("user_import_job", customer, job), {"show": "problems"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="import-rows"')
    assert "not-an-email" in html and "cy@example.com" in html and "ada@example.com" not in html
    assert "<strong>2</strong> rows with problems" in html


def test_preview_pages_through_many_rows(client_for, account_admin, customer):
    job = previewed(account_admin, customer, *[f"U{i},,,u{i}@example.com," for i in range(120)])
    client = client_for(account_admin)

    html = client.get(url("user_import_job", customer, job)).content.decode()
    third = client.get(url("user_import_job", customer, job), {"page": 3}).content.decode()

    assert "Page 1 of 3" in html and "u49@example.com" in html and "u50@example.com" not in html
    assert "Page 3 of 3" in third and "u119@example.com" in third


# --- start, progress, result ---------------------------------------------------------------


def test_import_creates_the_users_and_the_page_shows_the_result(
    client_for, account_admin, customer, django_capture_on_commit_callbacks
):
    client = client_for(account_admin)
    job = previewed(account_admin, customer, *GOOD, *BAD)

    response = import_(client, customer, job, django_capture_on_commit_callbacks)

    assert response.status_code == HTTPStatus.FOUND and response.url == url("user_import_job", customer, job)
    assert set(User.objects.filter(source="import").values_list("email", flat=True)) == {
        "ada@example.com",
        "grace@example.com",
        "alan@example.com",
    }
    html = client.get(response.url).content.decode()
    assert "Import finished" in html and "3 users imported" in html and "2 rows skipped" in html
    assert 'value="100"' in html and "hx-trigger" not in html
    assert url("user_import_report", customer, job) in html


def test_report_lists_every_row_with_its_outcome(
    client_for, account_admin, customer, django_capture_on_commit_callbacks
):
    client = client_for(account_admin)
    job = previewed(account_admin, customer, *GOOD, *BAD)
    import_(client, customer, job, django_capture_on_commit_callbacks)

    response = client.get(url("user_import_report", customer, job))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="people-import-report.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [
        ["ROW", "EMAIL", "OUTCOME", "DETAIL"],
        ["2", "ada@example.com", "created", ""],
        ["3", "grace@example.com", "created", ""],
        ["4", "alan@example.com", "created", ""],
        ["5", "not-an-email", "skipped", "Invalid email: “not-an-email” is not an email address"],
        ["6", "cy@example.com", "skipped", "Unknown role “Boss”: use User or Account Admin"],
    ]


def test_progress_fragment_polls_while_running_and_stops_polling_when_done(
    client_for, account_admin, customer, monkeypatch
):
    monkeypatch.setattr(import_services, "BATCH_SIZE", 2)
    client = client_for(account_admin)
    job = previewed(account_admin, customer, *GOOD, *BAD)
    user_import_services.import_job_start(actor=account_admin, job=job)
    import_services.import_job_run(job.pk, max_batches=1)
    status_url = url("user_import_status_hx", customer, job)

    running = client.get(status_url, HTTP_HX_REQUEST="true")

    html = running.content.decode()
    assert running.status_code == HTTPStatus.OK and html.lstrip().startswith('<section id="import-progress"')
    assert f'hx-get="{status_url}" hx-trigger="every 1s"' in html
    assert 'value="80"' in html and "4 of 5 rows processed" in html and "Importing users" in html

    import_services.import_job_run(job.pk)
    done = client.get(status_url, HTTP_HX_REQUEST="true")

    assert done.status_code == 286, "HTMX's stop-polling status"
    html = done.content.decode()
    assert "hx-trigger" not in html.split('<div id="import-rows"')[0]
    assert "Import finished" in html and 'value="100"' in html and "Download the report (CSV)" in html


def test_without_javascript_the_running_job_page_has_a_refresh_link(client_for, account_admin, customer):
    job = previewed(account_admin, customer, *GOOD)
    user_import_services.import_job_start(actor=account_admin, job=job)  # queued: the task runs on commit

    html = client_for(account_admin).get(url("user_import_job", customer, job)).content.decode()

    assert "Waiting to start" in html and 'class="help nojs-only"' in html
    assert f'<a href="{url("user_import_job", customer, job)}">Refresh</a>' in html


def test_the_status_url_without_htmx_goes_to_the_job_page(client_for, account_admin, customer):
    job = previewed(account_admin, customer, *GOOD)

    response = client_for(account_admin).get(url("user_import_status_hx", customer, job))

    assert response.status_code == HTTPStatus.FOUND and response.url == url("user_import_job", customer, job)


def test_starting_twice_shows_why_not(
    client_for, account_admin, customer, django_capture_on_commit_callbacks
):
    client = client_for(account_admin)
    job = previewed(account_admin, customer, *GOOD)
    import_(client, customer, job, django_capture_on_commit_callbacks)

    response = client.post(url("user_import_start", customer, job), follow=True)

    assert "This import cannot be started: it is done." in response.content.decode()
    assert User.objects.filter(source="import").count() == 3


def test_a_failed_import_can_be_started_again(
    client_for, account_admin, customer, django_capture_on_commit_callbacks
):
    client = client_for(account_admin)
    job = previewed(account_admin, customer, *GOOD)
    user_import_services.import_job_start(actor=account_admin, job=job)
    import_services.import_job_fail(job_id=job.pk, error="RuntimeError: worker lost")

    html = client.get(url("user_import_job", customer, job)).content.decode()
    assert "Import stopped" in html and "Start again" in html and "RuntimeError" not in html

    import_(client, customer, job, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == UserImportJob.Status.DONE and job.created_count == 3


def test_cancel_drops_the_preview_and_returns_to_users(client_for, account_admin, customer):
    job = previewed(account_admin, customer, *GOOD)

    response = client_for(account_admin).post(url("user_import_cancel", customer, job))

    assert response.status_code == HTTPStatus.FOUND and response.url == url("user_list", customer)
    job.refresh_from_db()
    assert job.status == UserImportJob.Status.CANCELLED and not User.objects.filter(source="import").exists()


def test_the_import_page_lists_recent_imports(client_for, account_admin, customer):
    job = previewed(account_admin, customer, *GOOD)

    html = client_for(account_admin).get(url("user_import", customer)).content.decode()

    assert "Recent imports" in html and url("user_import_job", customer, job) in html


# --- who may -------------------------------------------------------------------------------


JOB_PAGES = ["user_import_job", "user_import_status_hx", "user_import_report"]
JOB_ACTIONS = ["user_import_start", "user_import_cancel"]


def test_plain_users_get_403(client_for, account_admin, member, customer):
    client = client_for(member)
    job = previewed(account_admin, customer, *GOOD)

    assert client.get(url("user_import", customer)).status_code == HTTPStatus.FORBIDDEN
    assert client.get(url("user_import_template", customer)).status_code == HTTPStatus.FORBIDDEN
    for name in JOB_PAGES:
        assert client.get(url(name, customer, job)).status_code == HTTPStatus.FORBIDDEN, name
    for name in JOB_ACTIONS:
        assert client.post(url(name, customer, job)).status_code == HTTPStatus.FORBIDDEN, name


def test_outsiders_get_404_for_the_account_and_for_its_jobs(client_for, account_admin, outsider, customer):
    client = client_for(outsider)
    job = previewed(account_admin, customer, *GOOD)

    assert client.get(url("user_import", customer)).status_code == HTTPStatus.NOT_FOUND
    assert client.get(url("user_import_template", customer)).status_code == HTTPStatus.NOT_FOUND
    for name in JOB_PAGES:
        assert client.get(url(name, customer, job)).status_code == HTTPStatus.NOT_FOUND, name
        # Another account's job under the outsider's own account does not exist either.
        own = reverse(f"accounts:{name}", args=[outsider.account.account_number, job.job_id])
        assert client.get(own).status_code == HTTPStatus.NOT_FOUND, name
    for name in JOB_ACTIONS:
        assert client.post(url(name, customer, job)).status_code == HTTPStatus.NOT_FOUND, name
    job.refresh_from_db()
    assert job.status == UserImportJob.Status.PREVIEW


def test_anonymous_is_sent_to_sign_in(account_admin, customer):
    job = previewed(account_admin, customer, *GOOD)

    assert Client().get(url("user_import", customer)).url.startswith("/auth/login/")
    assert Client().get(url("user_import_job", customer, job)).url.startswith("/auth/login/")
