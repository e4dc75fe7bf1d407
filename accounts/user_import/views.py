"""Console pages for the bulk import of users (docs/bulk-import.md), under
``/accounts/<number>/users/import/``: the template, the upload, the preview, the progress of the
running job (an htmx fragment polled every second; a refresh link without JavaScript) and the
result report. Thin: the rules are in ``accounts.user_import.parse`` and
``accounts.user_import.services``.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import Capability
from accounts.decorators import account_view
from accounts.models import UserImportJob
from accounts.user_import import parse as imports
from accounts.user_import import services as user_import_services
from accounts.user_import.selectors import import_job_get_or_404, import_job_list, import_row_list
from core.htmx import action_done, call_service, job_status_fragment, navigate, paginate, render_page, submit
from core.middleware import body_limit

UPLOAD = "accounts/user_import.html"
JOB = "accounts/user_import_job.html"
ROWS_PER_PAGE = 50


class UserImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        allow_empty_file=True,  # the service says what to do about an empty file
        help_text=f"UTF-8, comma or semicolon separated, at most {imports.MAX_ROWS:,} users.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


@body_limit(imports.MAX_REQUEST_BYTES)
@account_view(need=Capability.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_import(request: HttpRequest, number: str) -> HttpResponse:
    """Import users: get the template, upload a file; a good file opens its preview."""
    form = UserImportForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    ok, job = submit(
        form,
        lambda values: user_import_services.import_job_create(
            actor=request.user, account=request.account, upload=values["file"]
        ),
    )
    if ok:
        return navigate(request, _job_url(number, job))
    context = {
        "account": request.account,
        "form": form,
        "columns": imports.COLUMNS,
        "max_rows": f"{imports.MAX_ROWS:,}",
        "jobs": import_job_list(actor=request.user, account=request.account),
    }
    return render_page(request, UPLOAD, "user-import-form", context)


@account_view(need=Capability.MANAGE_USERS)
@require_GET
def user_import_template(request: HttpRequest, number: str) -> HttpResponse:
    response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="users-import-template.csv"'
    return response


def _job_url(number: str, job: UserImportJob) -> str:
    return reverse("accounts:user_import_job", args=[number, job.job_id])


def _job_context(request: HttpRequest, job: UserImportJob) -> dict:
    problems_only = request.GET.get("show") == "problems"
    rows = import_row_list(job=job, problems_only=problems_only)
    page = paginate(request, rows, ROWS_PER_PAGE)
    page.object_list = list(page.object_list)
    for row in page.object_list:
        row.field_errors = _errors_by_field(row.errors)
    return {
        "account": request.account,
        "job": job,
        "problems_only": problems_only,
        "page": page,
        "invalid_rows": job.total_rows - job.valid_rows,
    }


def _errors_by_field(errors: list[str]) -> dict[str, list[str]]:
    """A row's errors by the cell they are about (``parse.error_field``), to show next to it."""
    grouped: dict[str, list[str]] = {}
    for error in errors:
        grouped.setdefault(imports.error_field(error), []).append(error)
    return grouped


@account_view(need=Capability.MANAGE_USERS)
@require_GET
def user_import_job(request: HttpRequest, number: str, job_id: uuid.UUID) -> HttpResponse:
    """The preview (before the import), the progress, then the result of one import."""
    job = import_job_get_or_404(actor=request.user, account=request.account, job_id=job_id)
    return render_page(request, JOB, "import-rows", _job_context(request, job))


@account_view(need=Capability.MANAGE_USERS)
@require_GET
def user_import_status_hx(request: HttpRequest, number: str, job_id: uuid.UUID) -> HttpResponse:
    """The progress fragment the job page polls; once the job is finished it answers 286 (stop
    polling) with the final fragment, which polls no more."""
    job = import_job_get_or_404(actor=request.user, account=request.account, job_id=job_id)
    return job_status_fragment(
        request,
        job,
        template=JOB,
        partial="import-progress",
        context=_job_context(request, job),
        page_url=reverse("accounts:user_import_job", kwargs={"number": number, "job_id": job.job_id}),
    )


@account_view(need=Capability.MANAGE_USERS)
@require_POST
def user_import_start(request: HttpRequest, number: str, job_id: uuid.UUID) -> HttpResponse:
    job = import_job_get_or_404(actor=request.user, account=request.account, job_id=job_id)
    _, error = call_service(lambda: user_import_services.import_job_start(actor=request.user, job=job))
    return action_done(request, error=error, redirect_to=_job_url(number, job))


@account_view(need=Capability.MANAGE_USERS)
@require_POST
def user_import_cancel(request: HttpRequest, number: str, job_id: uuid.UUID) -> HttpResponse:
    job = import_job_get_or_404(actor=request.user, account=request.account, job_id=job_id)
    _, error = call_service(lambda: user_import_services.import_job_cancel(actor=request.user, job=job))
    if error:
        return action_done(request, error=error, redirect_to=_job_url(number, job))
    message = "Import cancelled: no users were added."
    return action_done(
        request,
        message=message,
        level=messages.INFO,
        redirect_to=reverse("accounts:user_list", args=[number]),
    )


FIX_FIELDS = {
    "FIRST NAME": "first_name",
    "LAST NAME": "last_name",
    "NAME": "name",
    "EMAIL": "email",
    "ROLE": "role",
}


@account_view(need=Capability.MANAGE_USERS)
@require_POST
def user_import_row_fix(
    request: HttpRequest, number: str, job_id: uuid.UUID, row_number: int
) -> HttpResponse:
    """ "Check again" on a bad row of the preview: its edited cells are checked as the upload does."""
    job = import_job_get_or_404(actor=request.user, account=request.account, job_id=job_id)
    values = {column: request.POST.get(field, "") for column, field in FIX_FIELDS.items()}
    _, error = call_service(
        lambda: user_import_services.user_import_row_fix(
            actor=request.user, job=job, row_number=row_number, values=values
        )
    )
    return _rows_changed(request, number, job, error)


@account_view(need=Capability.MANAGE_USERS)
@require_POST
def user_import_row_drop(
    request: HttpRequest, number: str, job_id: uuid.UUID, row_number: int
) -> HttpResponse:
    """Leave a row of the preview out of the import."""
    job = import_job_get_or_404(actor=request.user, account=request.account, job_id=job_id)
    _, error = call_service(
        lambda: user_import_services.user_import_row_drop(actor=request.user, job=job, row_number=row_number)
    )
    return _rows_changed(request, number, job, error)


def _rows_changed(request: HttpRequest, number: str, job: UserImportJob, error: str) -> HttpResponse:
    """The rows again and, out of band, the preview's counts and Import button (htmx); else the page.
    The rows keep the filter and page they were shown with (sent back as ``show`` and ``page``)."""
    url = _job_url(number, job)
    query = {key: request.POST[key] for key in ("show", "page") if request.POST.get(key)}
    if query:
        url = f"{url}?{urlencode(query)}"
    if error:
        return action_done(request, error=error, redirect_to=url)

    def fragment() -> HttpResponse:
        changed = import_job_get_or_404(actor=request.user, account=request.account, job_id=job.job_id)
        request.GET = request.GET.copy()
        request.GET.update(query)
        return render(request, f"{JOB}#import-rows-changed", {**_job_context(request, changed), "oob": True})

    return action_done(request, redirect_to=url, fragment=fragment)


@account_view(need=Capability.MANAGE_USERS)
@require_GET
def user_import_report(request: HttpRequest, number: str, job_id: uuid.UUID) -> HttpResponse:
    """The result report: ROW, EMAIL, OUTCOME, DETAIL for every row of the file."""
    job = import_job_get_or_404(actor=request.user, account=request.account, job_id=job_id)
    rows = (
        (row.number, row.email, row.get_outcome_display().lower(), row.detail or "; ".join(row.errors))
        for row in import_row_list(job=job).iterator(chunk_size=500)
    )
    response = StreamingHttpResponse(imports.report_lines(rows), content_type="text/csv; charset=utf-8")
    name = slugify(job.file_name.rsplit(".", 1)[0]) or "users"
    response["Content-Disposition"] = f'attachment; filename="{name}-import-report.csv"'
    return response
