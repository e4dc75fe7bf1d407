"""Fixing a bad row of the import preview inline, or dropping it, before importing: the service
(checked as the upload checks a row) and the preview's htmx actions."""

from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse

from accounts.models import User, UserImportJob
from accounts.user_import import services as user_import_services
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = "FIRST NAME,LAST NAME,NAME,EMAIL,ROLE"
FILE = [
    "Ada,Lovelace,,ada@example.com,Account Admin",  # row 2
    "Bob,,,not-an-email,",  # row 3: bad email
    ",,,cy@example.com,Boss",  # row 4: no name, unknown role
]
GOOD_BOB = {
    "FIRST NAME": "Bob",
    "LAST NAME": "Builder",
    "NAME": "",
    "EMAIL": "bob@example.com",
    "ROLE": "User",
}


def previewed(actor, account, lines=FILE) -> UserImportJob:
    upload = SimpleUploadedFile("people.csv", ("\r\n".join([HEADER, *lines]) + "\r\n").encode(), "text/csv")
    return user_import_services.import_job_create(actor=actor, account=account, upload=upload)


def fix(actor, job, number, **values):
    return user_import_services.user_import_row_fix(actor=actor, job=job, row_number=number, values=values)


# --- the service ---------------------------------------------------------------------------


def test_a_fix_makes_a_bad_row_good_and_importable(account_admin, customer):
    job = previewed(account_admin, customer)
    assert job.valid_rows == 1

    row = user_import_services.user_import_row_fix(
        actor=account_admin, job=job, row_number=3, values=GOOD_BOB
    )

    assert row.errors == []
    assert row.is_valid is True
    assert (row.first_name, row.last_name, row.email, row.role) == (
        "Bob",
        "Builder",
        "bob@example.com",
        "USER",
    )
    job.refresh_from_db()
    assert job.valid_rows == 2
    assert job.total_rows == 3


def test_a_fix_that_is_still_bad_keeps_the_errors(account_admin, customer):
    job = previewed(account_admin, customer)

    row = fix(account_admin, job, 4, **{"NAME": "Cy Young", "EMAIL": "cy@example.com", "ROLE": "Chief"})

    assert row.errors == ["Unknown role “Chief”: use User or Account Admin"]
    assert row.is_valid is False
    assert row.name == "Cy Young"
    job.refresh_from_db()
    assert job.valid_rows == 1


def test_breaking_a_good_row_makes_it_not_importable(account_admin, customer):
    job = previewed(account_admin, customer)

    row = fix(account_admin, job, 2, **{"FIRST NAME": "Ada", "EMAIL": ""})

    assert row.errors == ["Invalid email: EMAIL is empty"]
    job.refresh_from_db()
    assert job.valid_rows == 0


def test_a_fix_with_the_email_of_another_row_is_a_duplicate(account_admin, customer):
    job = previewed(account_admin, customer)

    row = fix(account_admin, job, 3, **{**GOOD_BOB, "EMAIL": "ADA@example.com"})

    assert row.errors == ["Duplicate in the file: the same email as row 2"]
    job.refresh_from_db()
    assert job.valid_rows == 1


def test_a_fix_with_the_email_of_a_user_of_the_account_is_refused(account_admin, customer):
    UserFactory(account=customer, email="taken@example.com")
    job = previewed(account_admin, customer)

    row = fix(account_admin, job, 3, **{**GOOD_BOB, "EMAIL": "taken@example.com"})

    assert row.errors == ["Already in the account"]


def test_another_tenants_job_is_refused(account_admin, customer, outsider):
    job = previewed(account_admin, customer)

    with pytest.raises(Http404):  # another tenant's job does not exist for them
        user_import_services.user_import_row_fix(actor=outsider, job=job, row_number=3, values=GOOD_BOB)
    with pytest.raises(Http404):
        user_import_services.user_import_row_drop(actor=outsider, job=job, row_number=3)
    assert job.rows.get(number=3).email == "not-an-email"


def test_rows_cannot_change_once_the_import_started(account_admin, customer):
    job = previewed(account_admin, customer)
    user_import_services.import_job_start(actor=account_admin, job=job)

    with pytest.raises(ValidationError, match="before the import starts"):
        fix(account_admin, job, 3, **GOOD_BOB)
    with pytest.raises(ValidationError, match="before the import starts"):
        user_import_services.user_import_row_drop(actor=account_admin, job=job, row_number=3)


def test_an_unknown_row_is_refused(account_admin, customer):
    job = previewed(account_admin, customer)

    with pytest.raises(ValidationError, match="Row 9 is not in this import"):
        fix(account_admin, job, 9, **GOOD_BOB)


def test_dropping_a_row_leaves_it_out_of_the_counts(account_admin, customer):
    job = previewed(account_admin, customer)

    job = user_import_services.user_import_row_drop(actor=account_admin, job=job, row_number=4)

    assert (job.total_rows, job.valid_rows) == (2, 1)
    assert list(job.rows.values_list("number", flat=True)) == [2, 3]


def test_the_import_creates_the_fixed_rows_and_not_the_dropped_ones(account_admin, customer):
    job = previewed(account_admin, customer)
    fix(account_admin, job, 3, **GOOD_BOB)
    user_import_services.user_import_row_drop(actor=account_admin, job=job, row_number=4)
    user_import_services.import_job_start(actor=account_admin, job=job)

    job = user_import_services.import_job_run(job.pk)

    assert (job.status, job.created_count, job.skipped_count) == (UserImportJob.Status.DONE, 2, 0)
    assert set(User.objects.filter(source=User.Source.IMPORT).values_list("email", flat=True)) == {
        "ada@example.com",
        "bob@example.com",
    }


# --- the preview page ----------------------------------------------------------------------


def row_url(name, account, job, number):
    return reverse(f"accounts:{name}", args=[account.account_number, job.job_id, number])


def form(values: dict) -> dict:
    fields = {
        "FIRST NAME": "first_name",
        "LAST NAME": "last_name",
        "NAME": "name",
        "EMAIL": "email",
        "ROLE": "role",
    }
    return {fields[column]: value for column, value in values.items()}


def test_bad_rows_show_their_cells_as_inputs_with_the_errors_next_to_them(
    client_for, account_admin, customer
):
    job = previewed(account_admin, customer)

    html = (
        client_for(account_admin)
        .get(reverse("accounts:user_import_job", args=[customer.account_number, job.job_id]))
        .content.decode()
    )

    assert 'id="fix-3-email" name="email" type="text" value="not-an-email" aria-invalid="true"' in html
    assert 'id="fix-3-email-errors"><li>Invalid email: “not-an-email” is not an email address</li>' in html
    assert 'id="fix-4-role" name="role" type="text" value="Boss" aria-invalid="true"' in html
    assert 'id="fix-4-first_name-errors"><li>No name: fill in FIRST NAME, LAST NAME or NAME</li>' in html
    assert "fix-2-email" not in html  # a good row is shown, not edited
    assert html.count(">Check again</button>") == 2


def test_check_again_with_htmx_answers_the_rows_and_the_new_counts(client_for, account_admin, customer):
    job = previewed(account_admin, customer)

    response = client_for(account_admin).post(
        row_url("user_import_row_fix", customer, job, 3), form(GOOD_BOB), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="import-rows"')
    assert (
        'id="import-preview" class="card" aria-labelledby="import-preview-title" hx-swap-oob="true"' in html
    )
    assert "1 of 3 rows has errors" in html
    assert "Import 2 users" in html
    assert "fix-3-email" not in html
    assert "bob@example.com" in html


def test_check_again_keeps_the_only_problems_filter(client_for, account_admin, customer):
    job = previewed(account_admin, customer)

    response = client_for(account_admin).post(
        row_url("user_import_row_fix", customer, job, 3),
        {**form(GOOD_BOB), "show": "problems"},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert "<strong>1</strong> row with problems" in html


def test_check_again_without_javascript_goes_back_to_the_preview(client_for, account_admin, customer):
    job = previewed(account_admin, customer)

    response = client_for(account_admin).post(
        row_url("user_import_row_fix", customer, job, 3), form(GOOD_BOB)
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("accounts:user_import_job", args=[customer.account_number, job.job_id])
    assert job.rows.get(number=3).is_valid is True


def test_drop_with_htmx_removes_the_row_and_updates_the_counts(client_for, account_admin, customer):
    job = previewed(account_admin, customer)

    response = client_for(account_admin).post(
        row_url("user_import_row_drop", customer, job, 4), HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert 'data-row="4"' not in html
    assert "1 of 2 rows has errors" in html
    assert not job.rows.filter(number=4).exists()


def test_outsiders_get_404_for_the_row_actions(client_for, account_admin, outsider, customer):
    job = previewed(account_admin, customer)
    client = client_for(outsider)

    assert (
        client.post(row_url("user_import_row_fix", customer, job, 3), form(GOOD_BOB)).status_code
        == HTTPStatus.NOT_FOUND
    )
    assert client.post(row_url("user_import_row_drop", customer, job, 3)).status_code == HTTPStatus.NOT_FOUND
    assert job.rows.get(number=3).email == "not-an-email"


def test_a_plain_user_of_the_account_is_refused_by_the_service(account_admin, member, customer):
    job = previewed(account_admin, customer)

    with pytest.raises(PermissionDenied):
        fix(member, job, 3, **GOOD_BOB)


def test_plain_users_get_403_for_the_row_actions(client_for, account_admin, member, customer):
    job = previewed(account_admin, customer)

    response = client_for(member).post(row_url("user_import_row_drop", customer, job, 3))

    assert response.status_code == HTTPStatus.FORBIDDEN
