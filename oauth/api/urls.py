"""Authentication service, mounted at /api/authentication/2017-09-01/ (see docs/api-authentication.md)."""

from django.urls import path

from oauth.api import views as auth_views
from oauth.applications.api import views as application_views

app_name = "authentication-api"

urlpatterns: list = [
    path("token", auth_views.TokenView.as_view(), name="token"),
    # Issue 4 tokens: authorization codes (API and browser flow) and guest tokens.
    path("authorize", auth_views.AuthorizeView.as_view(), name="authorize"),
    path("authorize/continue", auth_views.AuthorizeContinueView.as_view(), name="authorize-continue"),
    path("guest/token", auth_views.GuestTokenView.as_view(), name="guest-token"),
    path(
        "accounts/<str:account_ref>/.well-known/jwks.json",
        auth_views.JwksView.as_view(),
        name="account-jwks",
    ),
    # Not in CloudLink's spec: the same key set without an account, for discovery without ?accountId.
    path(".well-known/jwks.json", auth_views.JwksView.as_view(), name="jwks"),
    path(
        ".well-known/openid-configuration",
        auth_views.AuthorizationServerMetadataView.as_view(),
        name="openid-configuration",
    ),
    path(
        ".well-known/oauth-authorization-server",
        auth_views.AuthorizationServerMetadataView.as_view(),
        name="oauth-authorization-server",
    ),
    # Third-party applications (issue 4): oauth/applications/api/views.py.
    path("applications", application_views.ApplicationCollectionApi.as_view(), name="application-list"),
    path(
        "applications/<str:applicationId>",
        application_views.ApplicationDetailApi.as_view(),
        name="application-detail",
    ),
    path("apps", application_views.AppCollectionApi.as_view(), name="app-list"),
]
