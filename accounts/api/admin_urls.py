"""Admin service (CloudLink ``admin.api.mitel.io/2017-09-01``), mounted at /api/admin/2017-09-01/."""

from django.urls import path

from . import admin_views

app_name = "admin-api"

urlpatterns = [
    path("accounts", admin_views.AccountCollectionApi.as_view(), name="account-list"),
    # {accountId} (CloudLink's name) is the GUID or the 9-digit account number.
    path("accounts/<str:accountId>", admin_views.AccountDetailApi.as_view(), name="account-detail"),
]
