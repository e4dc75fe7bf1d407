"""Authentication service, mounted at /api/authentication/2017-09-01/ (see docs/api-authentication.md)."""

from django.urls import path

from . import auth_views

app_name = "authentication-api"

urlpatterns: list = [
    path("token", auth_views.TokenView.as_view(), name="token"),
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
]
