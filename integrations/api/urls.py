"""An account's integrations in the Admin service, mounted at /api/admin/2017-09-01/ after the
account routes (portal/api_urls.py)."""

from django.urls import path

from integrations.api import views

app_name = "integrations-api"

urlpatterns = [
    path(
        "accounts/<str:accountId>/integrations",
        views.IntegrationCollectionApi.as_view(),
        name="integration-list",
    ),
    path(
        "accounts/<str:accountId>/integrations/<str:type>",
        views.IntegrationDetailApi.as_view(),
        name="integration-detail",
    ),
]
