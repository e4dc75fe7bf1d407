"""Factories of ``sso``' models."""

from __future__ import annotations

import factory

from sso.models import IdentityProvider, SsoSignIn, TrustedIssuer
from tests.accounts.factories import CustomerAccountFactory


class SamlIdentityProviderFactory(factory.django.DjangoModelFactory):
    """A SAML provider described by fields; ``saml_certificates`` must be a real PEM (tests/sso/saml_idp.py)."""

    class Meta:
        model = IdentityProvider

    account = factory.SubFactory(CustomerAccountFactory)
    protocol = IdentityProvider.Protocol.SAML
    label = "OKTA"
    saml_entity_id = "https://idp.example.test/saml/metadata"
    saml_login_url = "https://idp.example.test/saml/sso"
    saml_certificates = ""


class OidcIdentityProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdentityProvider

    account = factory.SubFactory(CustomerAccountFactory)
    protocol = IdentityProvider.Protocol.OIDC
    label = "OIDC"
    oidc_issuer = "http://127.0.0.1:1"
    oidc_client_id = "portal"
    oidc_client_secret = "secret"


class SsoSignInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SsoSignIn

    provider = factory.SubFactory(SamlIdentityProviderFactory)
    state = factory.Sequence(lambda n: f"state-{n}")


class TrustedIssuerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrustedIssuer

    account = factory.SubFactory(CustomerAccountFactory)
    display_name = "Contoso IdP"
    iss = "https://idp.example.test"
    jwks_uri = "https://idp.example.test/jwks"
