"""Factories of ``oauth``'s models: signing keys, refresh tokens, guests, authorization codes and
third-party applications with their deployments and usage.

They write rows directly, for tests that need the state, not the flow; a test of the flow goes
through the services (``tests/oauth/helpers.py`` registers, approves and deploys through them)."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

import factory
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils import timezone

from oauth.models import (
    Application,
    ApplicationDeployment,
    ApplicationUsage,
    AuthorizationCode,
    GuestPrincipal,
    RefreshToken,
    SigningKey,
)
from tests.accounts.factories import CustomerAccountFactory, PartnerAccountFactory, UserFactory


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class SigningKeyFactory(factory.django.DjangoModelFactory):
    """A fresh RSA key pair that signs from now on (as ``oauth.tokens.signing_key_rotate`` makes)."""

    class Meta:
        model = SigningKey

    class Params:
        private_key = factory.LazyFunction(
            lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
        )

    private_key_pem = factory.LazyAttribute(
        lambda key: key.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
    )
    kid = factory.LazyAttribute(lambda key: _sha256(key.private_key_pem)[:16])
    public_jwk = factory.LazyAttribute(
        lambda key: {
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": key.kid,
            "n": _b64url_uint(key.private_key.public_key().public_numbers().n),
            "e": _b64url_uint(key.private_key.public_key().public_numbers().e),
        }
    )


class RefreshTokenFactory(factory.django.DjangoModelFactory):
    """A user's unused refresh token, the first of its family."""

    class Meta:
        model = RefreshToken

    user = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    family_expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=90))


class GuestPrincipalFactory(factory.django.DjangoModelFactory):
    """A guest of an account (as ``POST /guest/token`` records one)."""

    class Meta:
        model = GuestPrincipal

    account = factory.SubFactory(CustomerAccountFactory)
    principal_id = factory.Sequence(lambda n: f"guest-{n}")
    name = factory.Sequence(lambda n: f"Guest {n}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A partner's application waiting for approval; ``approved=True`` gives it a client id."""

    class Meta:
        model = Application

    class Params:
        approved = factory.Trait(
            status=Application.Status.APPROVED,
            client_id=factory.Sequence(lambda n: f"client-{n:08d}"),
            reviewed_at=factory.LazyFunction(timezone.now),
        )

    owner = factory.SubFactory(PartnerAccountFactory)
    name = factory.Sequence(lambda n: f"Application {n}")
    contact_email = "dev@acme.example"
    mitel_app = factory.Sequence(lambda n: f"App{n}")
    redirect_uris = factory.LazyFunction(lambda: ["https://app.example/callback"])


class ApplicationDeploymentFactory(factory.django.DjangoModelFactory):
    """An approved application deployed (active) in a customer of its partner."""

    class Meta:
        model = ApplicationDeployment

    application = factory.SubFactory(ApplicationFactory, approved=True)
    account = factory.SubFactory(CustomerAccountFactory, parent=factory.SelfAttribute("..application.owner"))


class ApplicationUsageFactory(factory.django.DjangoModelFactory):
    """An application's request count of one day (today unless ``day`` says otherwise)."""

    class Meta:
        model = ApplicationUsage

    application = factory.SubFactory(ApplicationFactory, approved=True)
    day = factory.LazyFunction(lambda: timezone.localdate())
    requests = 1


class AuthorizationCodeFactory(factory.django.DjangoModelFactory):
    """An unused authorization code for a user; ``code`` is the code itself (only its SHA-256 is
    stored)."""

    class Meta:
        model = AuthorizationCode

    class Params:
        code = factory.Sequence(lambda n: f"authorization-code-{n}")

    code_hash = factory.LazyAttribute(lambda row: _sha256(row.code))
    client_id = factory.Sequence(lambda n: f"client-{n:08d}")
    user = factory.SubFactory(UserFactory)
    redirect_uri = "https://app.example/callback"
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=1))
