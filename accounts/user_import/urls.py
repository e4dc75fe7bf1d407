"""Bulk import of users, mounted at ``/accounts/<number>/users/import/`` (names in ``accounts:``)."""

from django.urls import path

from accounts.user_import import views as import_views

urlpatterns = [
    path("", import_views.user_import, name="user_import"),
    path("template.csv", import_views.user_import_template, name="user_import_template"),
    path("<uuid:job_id>/", import_views.user_import_job, name="user_import_job"),
    path("<uuid:job_id>/status/", import_views.user_import_status_hx, name="user_import_status_hx"),
    path("<uuid:job_id>/start/", import_views.user_import_start, name="user_import_start"),
    path("<uuid:job_id>/cancel/", import_views.user_import_cancel, name="user_import_cancel"),
    path(
        "<uuid:job_id>/rows/<int:row_number>/fix/",
        import_views.user_import_row_fix,
        name="user_import_row_fix",
    ),
    path(
        "<uuid:job_id>/rows/<int:row_number>/drop/",
        import_views.user_import_row_drop,
        name="user_import_row_drop",
    ),
    path("<uuid:job_id>/report.csv", import_views.user_import_report, name="user_import_report"),
]
