"""CloudLink tokens: RS256 JWTs with CloudLink's claims, signed by a rotatable key.

This module only signs and verifies (access tokens, refresh-token JWTs, the key set). The
refresh-token lifecycle (rows, rotation, family revocation) is ``oauth.refresh``; the
token endpoint is ``oauth.api.views``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.access import Role
from accounts.models import Account, User
from oauth.models import SigningKey

ALGORITHM = "RS256"
# CloudLink's issuers look like ``https://authentication.api.mitel.io/cloudlink``; ours is the
# API's public origin plus this path unless PORTAL_TOKEN_ISSUER says otherwise.
ISSUER_PATH = "/api/authentication/cloudlink"


class TokenError(Exception):
    """The presented token is malformed, expired, or not signed by one of our keys."""


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@transaction.atomic
def signing_key_rotate(*, retire_previous: bool = False) -> SigningKey:
    """Create a new signing key; it signs from now on. Older keys keep verifying (and stay in the
    JWKS) until retired; ``retire_previous`` retires them at once, so every token they signed
    stops working (use it when a key may have leaked)."""
    if retire_previous:
        SigningKey.objects.filter(retired_at__isnull=True).update(retired_at=timezone.now())
        signing_keys_forget()
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


# The active keys' public halves (``[{"kid", "jwk"}]``, newest first) in the shared cache, so
# signing and verifying read no row: every instance drops them when any instance rotates
# (``signing_keys_forget``, after the commit). Private keys never go to the cache.
SIGNING_KEYS_CACHE_KEY = "oauth:signing-keys:v1"
SIGNING_KEYS_CACHE_SECONDS = 300


def signing_keys_forget(**kwargs) -> None:
    """Drop the cached key set now and again after the commit (a reader between the two may
    have cached the keys as they were before it). Connected to ``SigningKey``'s saves and deletes;
    ``signing_key_rotate`` calls it for its bulk retirement."""
    cache.delete(SIGNING_KEYS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(SIGNING_KEYS_CACHE_KEY))


def _active_keys() -> list[dict[str, Any]]:
    keys = cache.get(SIGNING_KEYS_CACHE_KEY)
    if keys is None:
        rows = SigningKey.objects.filter(retired_at__isnull=True).order_by("-created_at", "-pk")
        keys = [{"kid": key.kid, "jwk": key.public_jwk} for key in rows.only("kid", "public_jwk")]
        if keys:
            cache.set(SIGNING_KEYS_CACHE_KEY, keys, SIGNING_KEYS_CACHE_SECONDS)
    return keys


def current_signing_key() -> SigningKey:
    key = SigningKey.objects.filter(retired_at__isnull=True).order_by("-created_at", "-pk").first()
    return key or signing_key_rotate()


def public_jwks() -> dict[str, list[dict]]:
    """The public halves of every key that is not retired, newest first."""
    return {"keys": [key["jwk"] for key in _active_keys()]}


def issuer_for(base_url: str | None = None) -> str:
    """The ``iss`` claim: PORTAL_TOKEN_ISSUER verbatim when set, else ``<base_url>`` (the
    request's ``scheme://host``) plus ISSUER_PATH."""
    if settings.PORTAL_TOKEN_ISSUER:
        return settings.PORTAL_TOKEN_ISSUER.rstrip("/")
    return (base_url or "http://localhost").rstrip("/") + ISSUER_PATH


def user_claims(user: User) -> dict[str, Any]:
    """CloudLink's claims for a user (docs/api-authentication.md, Tokens)."""
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


_loaded_keys: dict[str, Any] = {}
_loaded_public_keys: dict[str, Any] = {}


def _remember(store: dict[str, Any], kid: str, loaded: Any) -> Any:
    if len(store) > 16:
        store.clear()
    store[kid] = loaded
    return loaded


def _private_key(kid: str):
    """The parsed private key, cached in the process by ``kid`` (a hash of the PEM): parsing and
    validating an RSA key costs ~40 ms, far more than signing. The row is read once per process."""
    loaded = _loaded_keys.get(kid)
    if loaded is None:
        row = SigningKey.objects.filter(kid=kid).first()
        if row is None:
            raise TokenError("The signing key is gone.")
        loaded = _remember(
            _loaded_keys, kid, serialization.load_pem_private_key(row.private_key_pem.encode(), None)
        )
    return loaded


def _sign(payload: dict[str, Any]) -> str:
    keys = _active_keys()
    if not keys:  # the very first token: create the first key
        current_signing_key()
        keys = _active_keys()
    kid = keys[0]["kid"]
    return jwt.encode(payload, _private_key(kid), algorithm=ALGORITHM, headers={"kid": kid})


def access_token_issue(
    user: User, *, issuer: str | None = None, extra: dict[str, Any] | None = None
) -> tuple[str, int]:
    """Return ``(jwt, expires_in_seconds)`` for the user. ``issuer`` defaults to ``issuer_for()``."""
    now = int(time.time())
    lifetime = settings.PORTAL_ACCESS_TOKEN_SECONDS
    payload = user_claims(user) | {
        "iss": issuer or issuer_for(),
        "sub": str(user.user_id),
        "iat": now,
        "exp": now + lifetime,
        "jti": str(uuid.uuid4()),
        "typ": "access",
    }
    payload |= extra or {}
    return _sign(payload), lifetime


# Access-token kinds besides a user's own token (the ``type`` claim; user tokens have none).
CLIENT = "client"  # client_credentials: the principal is the application
GUEST = "guest"  # POST /guest/token: an anonymous guest of an account
DELEGATED = "delegated"  # token exchange: a user's token obtained by an application
ASSUMED = "assumed"  # POST /assume-role/token: a partner admin as ACCOUNT_ADMIN of one customer
TOKEN_EXCHANGE_ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token"


def _account_claims(account: Account) -> dict[str, Any]:
    partner_number = account.account_number if account.is_partner else account.parent.account_number
    return {
        "accountId": str(account.account_id),
        "accountNumber": account.account_number,
        "partnerId": partner_number,
        "domain": f"{account.account_id}.api.local",
        "languageCode": account.default_language,
    }


def _principal_token(claims: dict[str, Any], *, issuer: str | None) -> tuple[str, int]:
    now = int(time.time())
    lifetime = settings.PORTAL_ACCESS_TOKEN_SECONDS
    payload = claims | {
        "iss": issuer or issuer_for(),
        "sub": claims["principalId"],
        "iat": now,
        "exp": now + lifetime,
        "jti": str(uuid.uuid4()),
        "typ": "access",
    }
    return _sign(payload), lifetime


def client_token_issue(
    *, client_id: str, name: str, account: Account, role: str = Role.USER.name, issuer: str | None = None
) -> tuple[str, int]:
    """An application's own token in an account (client_credentials). Its principal is the
    application (``principalId`` = ``clientId``); its role is its deployment's (USER or
    ACCOUNT_ADMIN; the current one is read again on every request)."""
    claims = _account_claims(account) | {
        "principalId": client_id,
        "clientId": client_id,
        "azp": client_id,
        "name": name,
        "role": role,
        "type": CLIENT,
    }
    return _principal_token(claims, issuer=issuer)


def guest_token_issue(
    *,
    account: Account,
    principal_id: str,
    name: str,
    email: str = "",
    client_id: str = "",
    issuer: str | None = None,
) -> tuple[str, int]:
    """An anonymous guest's token (role GUEST) in an account that allows guest access."""
    claims = _account_claims(account) | {
        "principalId": principal_id,
        "uniqueUserId": principal_id,
        "name": name,
        "role": Role.GUEST.name,
        "type": GUEST,
    }
    if email:
        claims["email"] = email
    if client_id:
        claims["clientId"] = client_id
    return _principal_token(claims, issuer=issuer)


def guest_refresh_token_encode(
    *, account: Account, principal_id: str, jti: uuid.UUID, issuer: str, issued_at: int, expires_at: int
) -> str:
    """A guest's refresh token: CloudLink's refresh claims with ``type: guest`` and ``id`` = the
    guest's principalId. The signed handle of a ``GuestPrincipal`` (its current ``refresh_jti``)."""
    payload = {
        "accountId": str(account.account_id),
        "iss": issuer,
        "type": GUEST,
        "id": principal_id,
        "assumedRole": Role.GUEST.name,
        "authProvider": "cloudlink",
        "iat": issued_at,
        "exp": expires_at,
        "jti": str(jti),
        "typ": "refresh",
    }
    return _sign(payload)


def delegated_token_issue(user: User, *, client_id: str, issuer: str | None = None) -> tuple[str, int]:
    """A user's access token obtained by an application through Delegated Authentication:
    the user's claims plus ``act`` (RFC 8693: who acts), ``azp`` and ``clientId``."""
    return access_token_issue(
        user,
        issuer=issuer,
        extra={"act": {"sub": client_id}, "azp": client_id, "clientId": client_id, "type": DELEGATED},
    )


def assumed_role_token_issue(
    user: User, *, account: Account, role: str, sid: str = "", issuer: str | None = None
) -> tuple[str, int]:
    """A short-lived token (``PORTAL_ASSUMED_ROLE_SECONDS``) for ``user`` acting as ``role`` in
    ``account`` only: the user's claims with the account's and the role replaced, ``type:
    assumed`` and ``act`` naming who they are. ``sid`` (the caller's sign-in) ends it with it."""
    now = int(time.time())
    lifetime = settings.PORTAL_ASSUMED_ROLE_SECONDS
    payload = (
        user_claims(user)
        | _account_claims(account)
        | {
            "role": role,
            "type": ASSUMED,
            "act": {"sub": str(user.user_id), "role": user.role, "accountId": str(user.account.account_id)},
            "iss": issuer or issuer_for(),
            "sub": str(user.user_id),
            "iat": now,
            "exp": now + lifetime,
            "jti": str(uuid.uuid4()),
            "typ": "access",
        }
    )
    payload["domain"] = f"{account.account_id}.api.local"
    payload["sipAddress"] = f"{user.user_id}@{payload['domain']}"
    if sid:
        payload["sid"] = sid
    return _sign(payload), lifetime


def token_kind(claims: dict[str, Any]) -> str:
    """``client``, ``guest``, ``delegated``, ``assumed`` or ``user``."""
    kind = claims.get("type")
    return kind if kind in (CLIENT, GUEST, DELEGATED, ASSUMED) else "user"


def refresh_token_encode(user: User, *, jti: uuid.UUID, issuer: str, issued_at: int, expires_at: int) -> str:
    """A refresh-token JWT with CloudLink's refresh claims (docs/api-authentication.md, Tokens). It is only
    the signed handle of a ``RefreshToken`` row (same ``jti``); the row decides validity."""
    payload = {
        "accountId": str(user.account.account_id),
        "iss": issuer,
        "type": "user",
        "id": str(user.user_id),
        "assumedRole": user.role,
        "authProvider": "cloudlink",
        "iat": issued_at,
        "exp": expires_at,
        "jti": str(jti),
        "typ": "refresh",
    }
    return _sign(payload)


def _public_key(kid: str):
    """The public key of an active key, from the cached key set (no row read)."""
    jwk = next((key["jwk"] for key in _active_keys() if key["kid"] == kid), None)
    if jwk is None:
        return None
    loaded = _loaded_public_keys.get(kid)
    if loaded is None:
        loaded = _remember(_loaded_public_keys, kid, jwt.algorithms.RSAAlgorithm.from_jwk(jwk))
    return loaded


def _unverified_kid(token: str) -> str | None:
    """The ``kid`` of a token's header, only to choose the key ``jwt.decode`` then verifies with
    (which checks every segment itself: ``jwt.get_unverified_header`` would parse all three twice)."""
    try:
        segment = token.split(".", 1)[0]
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, TypeError, UnicodeDecodeError, binascii.Error) as exc:
        raise TokenError("The token is not a valid JWT.") from exc
    if not isinstance(header, dict) or token.count(".") != 2:
        raise TokenError("The token is not a valid JWT.")
    kid = header.get("kid")
    return kid if isinstance(kid, str) else None


def _decode(token: str, typ: str) -> dict[str, Any]:
    kid = _unverified_kid(token)
    public = _public_key(kid) if kid is not None else None
    if public is None:
        raise TokenError("The token was not signed by a current key.")
    try:
        claims = jwt.decode(token, public, algorithms=[ALGORITHM], options={"require": ["exp", "iat"]})
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("The token has expired.") from exc
    except jwt.PyJWTError as exc:
        raise TokenError("The token is not valid.") from exc
    if claims.get("typ") != typ:
        raise TokenError(f"This is not {'an' if typ == 'access' else 'a'} {typ} token.")
    return claims


def access_token_decode(token: str) -> dict[str, Any]:
    """Verify signature, expiry and type; return the claims or raise TokenError."""
    return _decode(token, "access")


def refresh_token_claims(token: str) -> dict[str, Any]:
    """Verify a refresh-token JWT's signature, expiry and type; return its claims (a user's
    refresh token has ``type: user``, a guest's ``type: guest``)."""
    return _decode(token, "refresh")
