"""Console pages for the bulk import of users (docs/bulk-import.md), under
``/accounts/<number>/users/import/``: the template, the upload, the preview, the progress of the
running job (an htmx fragment polled every second; a refresh link without JavaScript) and the
result report. Thin: the rules are in ``accounts.user_import.parse`` and
``accounts.user_import.services``.
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
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
    return {
        "account": request.account,
        "job": job,
        "problems_only": problems_only,
        "page": paginate(request, rows, ROWS_PER_PAGE),
        "invalid_rows": job.total_rows - job.valid_rows,
    }


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
