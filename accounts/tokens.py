"""CloudLink access tokens: RS256 JWTs with CloudLink's claims, signed by a rotatable key.

The token endpoint (grants, refresh rotation) lives in ``accounts.api``; this module only
issues and verifies.
"""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import SigningKey, User

ALGORITHM = "RS256"


class TokenError(Exception):
    """The presented token is malformed, expired, or not signed by one of our keys."""


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@transaction.atomic
def signing_key_rotate() -> SigningKey:
    """Create a new signing key; it signs from now on, older keys keep verifying until retired."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = private.public_key().public_numbers()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    kid = hashlib.sha256(pem.encode()).hexdigest()[:16]
    jwk = {
        "kty": "RSA",
        "use": "sig",
        "alg": ALGORITHM,
        "kid": kid,
        "n": _b64url_uint(numbers.n),
        "e": _b64url_uint(numbers.e),
    }
    return SigningKey.objects.create(kid=kid, private_key_pem=pem, public_jwk=jwk)


def current_signing_key() -> SigningKey:
    key = SigningKey.objects.filter(retired_at__isnull=True).order_by("-created_at", "-pk").first()
    return key or signing_key_rotate()


def public_jwks() -> dict[str, list[dict]]:
    keys = SigningKey.objects.filter(retired_at__isnull=True).order_by("-created_at", "-pk")
    return {"keys": [k.public_jwk for k in keys]}


def issuer() -> str:
    return settings.PORTAL_TOKEN_ISSUER or "http://localhost/api/authentication/cloudlink"


def user_claims(user: User) -> dict[str, Any]:
    """CloudLink's claims for a user (see docs/cloudlink-api.md section 2.3)."""
    account = user.account
    partner_number = account.account_number if account.is_partner else account.parent.account_number
    domain = f"{account.account_id}.api.local"
    user_id = str(user.user_id)
    return {
        "uniqueUserId": user_id,
        "principalId": user_id,
        "userId": user_id,
        "accountId": str(account.account_id),
        "accountNumber": account.account_number,
        "partnerId": partner_number,
        "domain": domain,
        "sipAddress": f"{user_id}@{domain}",
        "email": user.email,
        "name": user.display_name,
        "extension": user.extension,
        "mobile": user.mobile,
        "phone": user.phone,
        "emailVerified": user.email_verified,
        "extensionVerified": False,
        "mobileVerified": False,
        "phoneVerified": False,
        "languageCode": account.default_language,
        "role": user.role,
    }


def access_token_issue(user: User, *, extra: dict[str, Any] | None = None) -> tuple[str, int]:
    """Return ``(jwt, expires_in_seconds)`` for the user."""
    key = current_signing_key()
    now = int(time.time())
    lifetime = settings.PORTAL_ACCESS_TOKEN_SECONDS
    payload = user_claims(user) | {
        "iss": issuer(),
        "sub": str(user.user_id),
        "iat": now,
        "exp": now + lifetime,
        "jti": str(uuid.uuid4()),
        "typ": "access",
    }
    payload |= extra or {}
    token = jwt.encode(payload, key.private_key_pem, algorithm=ALGORITHM, headers={"kid": key.kid})
    return token, lifetime


def access_token_decode(token: str) -> dict[str, Any]:
    """Verify signature, expiry and type; return the claims or raise TokenError."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise TokenError("The token is not a valid JWT.") from exc
    key = SigningKey.objects.filter(kid=header.get("kid"), retired_at__isnull=True).first()
    if key is None:
        raise TokenError("The token was not signed by a current key.")
    public = jwt.algorithms.RSAAlgorithm.from_jwk(key.public_jwk)
    try:
        claims = jwt.decode(token, public, algorithms=[ALGORITHM], options={"require": ["exp", "iat"]})
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("The token has expired.") from exc
    except jwt.PyJWTError as exc:
        raise TokenError("The token is not valid.") from exc
    if claims.get("typ") != "access":
        raise TokenError("This is not an access token.")
    return claims


def signing_key_retire(kid: str) -> None:
    SigningKey.objects.filter(kid=kid, retired_at__isnull=True).update(retired_at=timezone.now())
