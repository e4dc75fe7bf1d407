"""An account's gateway in the Admin service, mounted at /api/admin/2017-09-01/ (portal/api/urls.py) and
listed in its _spec (portal/api/admin_spec_urls.py)."""

from django.urls import path

from gateways.api import views

app_name = "gateways-api"

urlpatterns = [
    path("accounts/<str:accountId>/gateway", views.GatewayApi.as_view(), name="gateway"),
    path("accounts/<str:accountId>/gateway/pbx", views.PbxApi.as_view(), name="pbx"),
    path("accounts/<str:accountId>/gateway/trunk", views.TrunkApi.as_view(), name="trunk"),
    path("accounts/<str:accountId>/gateway/checks", views.CheckCollectionApi.as_view(), name="check-list"),
    path(
        "accounts/<str:accountId>/gateway/checks/<uuid:checkId>",
        views.CheckDetailApi.as_view(),
        name="check-detail",
    ),
]
