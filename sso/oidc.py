"""OpenID Connect relying party: discovery, authorization code with PKCE (S256), ID token checks.

The ID token's signature, issuer, audience, expiry and nonce are checked by PyJWT against the
provider's JWKS (``jwks_uri`` from discovery); nothing here parses a signature by hand.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import secrets
from urllib.parse import urlencode, urlsplit

import jwt
import requests
from django.conf import settings

TIMEOUT = 10
SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]


class OidcError(Exception):
    """A provider that cannot be used, or an answer refused; ``str()`` says why, for people."""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def issuer_check(issuer: str) -> str:
    """``issuer`` normalised; https only, or http on a loopback address where the operator allows it
    (``PORTAL_SSO_ALLOW_LOOPBACK_HTTP``)."""
    issuer = (issuer or "").strip().rstrip("/")
    parts = urlsplit(issuer)
    if parts.scheme == "https" and parts.hostname:
        return issuer
    if parts.scheme == "http" and parts.hostname and _is_loopback(parts.hostname):
        if settings.PORTAL_SSO_ALLOW_LOOPBACK_HTTP:
            return issuer
        raise OidcError(
            "An http:// issuer on a loopback address is accepted only when PORTAL_SSO_ALLOW_LOOPBACK_HTTP is on."
        )
    raise OidcError("The issuer must be an https:// URL.")


def discover(issuer: str) -> dict:
    """The issuer's discovery document (``/.well-known/openid-configuration``), checked."""
    issuer = issuer_check(issuer)
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise OidcError(f"The issuer's discovery document could not be read from {url} ({exc}).") from exc
    if str(document.get("issuer", "")).rstrip("/") != issuer:
        raise OidcError(f"The discovery document names another issuer ({document.get('issuer')!r}).")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not document.get(key):
            raise OidcError(f"The discovery document has no {key}.")
    return document


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorization_url(
    document: dict, *, client_id: str, redirect_uri: str, state: str, nonce: str, code_challenge: str
) -> str:
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid email profile",
            "state": state,
            "nonce": nonce,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
    )
    separator = "&" if "?" in document["authorization_endpoint"] else "?"
    return f"{document['authorization_endpoint']}{separator}{query}"


def code_exchange(
    document: dict,
    *,
    client_id: str,
    client_secret: str,
    code: str,
    code_verifier: str,
    redirect_uri: str,
    nonce: str,
) -> dict:
    """Exchange the code at the token endpoint and return the ID token's verified claims."""
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
        "client_id": client_id,
    }
    auth = (client_id, client_secret) if client_secret else None
    try:
        response = requests.post(document["token_endpoint"], data=data, auth=auth, timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise OidcError(f"The identity provider's token endpoint could not be reached ({exc}).") from exc
    if response.status_code != 200:
        raise OidcError(f"The identity provider refused the sign-in code ({response.text[:200]}).")
    id_token = response.json().get("id_token")
    if not id_token:
        raise OidcError("The identity provider answered without an ID token.")
    return id_token_verify(document, id_token=id_token, client_id=client_id, nonce=nonce)


def id_token_verify(document: dict, *, id_token: str, client_id: str, nonce: str) -> dict:
    try:
        key = jwt.PyJWKClient(document["jwks_uri"], timeout=TIMEOUT).get_signing_key_from_jwt(id_token)
        claims = jwt.decode(
            id_token,
            key.key,
            algorithms=SIGNING_ALGORITHMS,
            audience=client_id,
            issuer=document["issuer"],
            leeway=settings.PORTAL_SSO_CLOCK_SKEW_SECONDS,
            options={"require": ["exp", "iat", "sub"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise OidcError("The ID token has expired.") from exc
    except jwt.InvalidAudienceError as exc:
        raise OidcError("The ID token was issued for another client (wrong audience).") from exc
    except jwt.InvalidIssuerError as exc:
        raise OidcError("The ID token was issued by another issuer.") from exc
    except jwt.PyJWTError as exc:
        raise OidcError(f"The ID token is not valid ({exc}).") from exc
    if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise OidcError("The ID token does not belong to this sign-in (nonce mismatch).")
    return claims
