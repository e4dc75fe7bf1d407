"""Routes of single sign-on in the Authentication service (included by oauth/api/urls.py)."""

from django.urls import path

from sso.api import trusted_issuers, views

urlpatterns = [
    path("identityProviders", views.IdentityProviderCollectionApi.as_view(), name="identity-provider-list"),
    path(
        "identityProviders/<str:identityProviderId>",
        views.IdentityProviderDetailApi.as_view(),
        name="identity-provider-detail",
    ),
    path("saml2/start", views.Saml2StartApi.as_view(), name="saml2-start"),
    path("saml2/logout", views.Saml2LogoutApi.as_view(), name="saml2-logout"),
    path("saml2/<str:accountId>/cs", views.Saml2AssertionConsumerApi.as_view(), name="saml2-acs"),
    path("oidc/<str:accountId>/cb", views.OidcCallbackApi.as_view(), name="oidc-callback"),
    path("trusted-issuers", trusted_issuers.TrustedIssuerCollectionApi.as_view(), name="trusted-issuer-list"),
    path(
        "trusted-issuers/<str:issuerId>",
        trusted_issuers.TrustedIssuerDetailApi.as_view(),
        name="trusted-issuer-detail",
    ),
    path(
        "accounts/<str:accountId>/trusted-issuers",
        trusted_issuers.AccountTrustedIssuersApi.as_view(),
        name="account-trusted-issuers",
    ),
]
