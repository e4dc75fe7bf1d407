"""Admin service (CloudLink ``admin.api.mitel.io/2017-09-01``), mounted at /api/admin/2017-09-01/."""

from django.urls import path

from accounts.api import admin_views, user_views

app_name = "admin-api"

urlpatterns = [
    path("accounts", admin_views.AccountCollectionApi.as_view(), name="account-list"),
    # {accountId} (CloudLink's name) is the GUID or the 9-digit account number.
    path("accounts/<str:accountId>", admin_views.AccountDetailApi.as_view(), name="account-detail"),
    path("accounts/<str:accountId>/users", user_views.UserCollectionApi.as_view(), name="user-list"),
    # {userId} is the user's GUID or their email.
    path(
        "accounts/<str:accountId>/users/<str:userId>", user_views.UserDetailApi.as_view(), name="user-detail"
    ),
    # The caller's own account.
    path("users/<str:userId>", user_views.OwnAccountUserDetailApi.as_view(), name="own-user-detail"),
    # Forgotten password: no token.
    path("users/<str:email>/password", user_views.UserPasswordApi.as_view(), name="user-password"),
]
