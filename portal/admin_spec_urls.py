"""Every route of the Admin service, for its OpenAPI document (``/api/admin/2017-09-01/_spec``):
the account routes and the integration routes, which portal/api_urls.py mounts one after the other."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api.admin_urls")),
    path("", include("integrations.api.urls")),
    path("", include("gateways.api.urls")),
]
