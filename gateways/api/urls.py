"""An account's gateway and PBX users in the Admin service, mounted at /api/admin/2017-09-01/
(portal/api_urls.py) and listed in its _spec (portal/admin_spec_urls.py)."""

from django.urls import path

from gateways.api import views
from gateways.pbx_users.api import views as pbx_users_views

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
    # PBX users (docs/pbx-users.md): reconcile with the PBX's full list, preview or apply.
    path(
        "accounts/<str:accountId>/pbx/users/sync",
        pbx_users_views.PbxUserSyncApi.as_view(),
        name="pbx-user-sync",
    ),
]
