"""Mounts each CloudLink service under /api/<service>/2017-09-01/."""

from django.urls import include, path

urlpatterns = [
    path("authentication/2017-09-01/", include("accounts.api.auth_urls")),
    path("admin/2017-09-01/", include("accounts.api.admin_urls")),
]
