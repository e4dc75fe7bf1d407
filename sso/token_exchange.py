"""Token exchange with a trusted issuer: an external token (an IdP's ID token or any JWT of an
issuer an account trusts, ``sso.models.TrustedIssuer``) becomes a CloudLink token for the user of
that account with the token's email.

The signature is checked by PyJWT against the issuer's JWKS (one cached ``PyJWKClient`` per JWKS
URL: keys are fetched again only after ``JWKS_LIFESPAN`` seconds or for an unknown ``kid``), with
the issuer (``iss``), audience and expiry. Every refusal is a ``SignInError`` naming what failed.
"""

from __future__ import annotations

from typing import Any

import jwt
from django.conf import settings

from accounts.audit import AuditAction, audit_record
from accounts.authn import SignInError, sign_in_blocker
from accounts.models import Account, User
from sso import oidc, saml
from sso.models import TrustedIssuer

ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt"
SUBJECT_TOKEN_TYPES = (ID_TOKEN_TYPE, JWT_TOKEN_TYPE)
JWKS_LIFESPAN = 300
_jwks_clients: dict[str, jwt.PyJWKClient] = {}


class TokenExchangeRefused(SignInError):
    def __init__(self, message: str, name: str = "InvalidSubjectToken", status: int = 401) -> None:
        super().__init__(name, message, status)


def jwks_client(jwks_uri: str) -> jwt.PyJWKClient:
    client = _jwks_clients.get(jwks_uri)
    if client is None:
        client = jwt.PyJWKClient(jwks_uri, cache_keys=True, lifespan=JWKS_LIFESPAN, timeout=oidc.TIMEOUT)
        _jwks_clients[jwks_uri] = client
    return client


def jwks_clients_forget() -> None:
    _jwks_clients.clear()


def expected_audience(issuer: TrustedIssuer) -> str:
    """The ``aud`` the issuer's tokens must carry: the one set on it, else the account's SSO entity ID."""
    return issuer.audience or saml.sp_entity_id(issuer.account)


def _unverified_iss(subject_token: str) -> str:
    try:
        claims = jwt.decode(subject_token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise TokenExchangeRefused("The subject_token is not a JWT.", status=400) from exc
    iss = claims.get("iss")
    if not isinstance(iss, str) or not iss:
        raise TokenExchangeRefused("The subject_token names no issuer (iss).", status=400)
    return iss


def _verify(issuer: TrustedIssuer, subject_token: str) -> dict[str, Any]:
    try:
        key = jwks_client(issuer.jwks_uri).get_signing_key_from_jwt(subject_token)
    except jwt.PyJWKClientConnectionError as exc:
        raise TokenExchangeRefused(f"The trusted issuer's JWKS could not be read ({exc}).") from exc
    except jwt.PyJWTError as exc:
        raise TokenExchangeRefused(
            "The subject_token's signature does not match the trusted issuer's keys (JWKS)."
        ) from exc
    try:
        return jwt.decode(
            subject_token,
            key.key,
            algorithms=oidc.SIGNING_ALGORITHMS,
            audience=expected_audience(issuer),
            issuer=issuer.iss,
            leeway=settings.PORTAL_SSO_CLOCK_SKEW_SECONDS,
            options={"require": ["exp", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenExchangeRefused("The subject_token has expired.") from exc
    except jwt.InvalidAudienceError as exc:
        raise TokenExchangeRefused(
            f"The subject_token was issued for another audience (expected {expected_audience(issuer)!r})."
        ) from exc
    except jwt.InvalidSignatureError as exc:
        raise TokenExchangeRefused(
            "The subject_token's signature does not match the trusted issuer's keys (JWKS)."
        ) from exc
    except jwt.PyJWTError as exc:
        raise TokenExchangeRefused(f"The subject_token is not valid ({exc}).") from exc


def _email_of(claims: dict[str, Any]) -> str:
    if claims.get("email_verified") is False:
        raise TokenExchangeRefused("The subject_token's email is not verified by its issuer.", status=403)
    for name in ("email", "upn", "preferred_username"):
        value = claims.get(name)
        if isinstance(value, str) and "@" in value:
            return value.strip()
    raise TokenExchangeRefused("The subject_token carries no email (email, upn or preferred_username).")


def _candidates(iss: str, account_ref: str) -> list[TrustedIssuer]:
    issuers = TrustedIssuer.objects.filter(iss=iss).select_related("account")
    if not issuers.exists():
        raise TokenExchangeRefused(
            f"The subject_token's issuer {iss!r} is not a trusted issuer.", name="UntrustedIssuer"
        )
    if account_ref:
        in_account = issuers.filter(account__in=Account.objects.by_ref(account_ref))
        if not in_account.exists():
            raise TokenExchangeRefused(
                f"The issuer {iss!r} is trusted by another account, not by account {account_ref}.",
                name="UntrustedIssuer",
                status=403,
            )
        issuers = in_account
    return list(issuers)


def trusted_token_exchange(*, subject_token: str, account_ref: str = "") -> User:
    """The user a trusted issuer's token stands for (audited), or ``TokenExchangeRefused``.

    The token's ``iss`` picks the trusted issuers (in ``account_ref`` only, when given); the user
    is the active user of that issuer's account whose email the token carries."""
    candidates = _candidates(_unverified_iss(subject_token), account_ref)
    matches: list[tuple[TrustedIssuer, User]] = []
    refusal: TokenExchangeRefused | None = None
    email = ""
    for issuer in candidates:
        try:
            claims = _verify(issuer, subject_token)
        except TokenExchangeRefused as exc:
            refusal = refusal or exc
            continue
        email = _email_of(claims)
        user = (
            User.objects.filter(account=issuer.account, email__iexact=email)
            .select_related("account__parent")
            .first()
        )
        if user is not None:
            matches.append((issuer, user))
    if not matches:
        if refusal is not None and not email:
            raise refusal
        raise TokenExchangeRefused(
            f"No user with the email {email!r} is in the account that trusts this issuer.",
            name="UserNotFound",
            status=403,
        )
    if len(matches) > 1:
        raise TokenExchangeRefused(
            "Several accounts trust this issuer and have a user with this email: give account_id.",
            name="MissingParameters",
            status=400,
        )
    issuer, user = matches[0]
    blocked = sign_in_blocker(user)
    if blocked is not None:
        raise blocked
    audit_record(
        actor=user,
        account=user.account,
        action=AuditAction.USER_SIGNED_IN_TOKEN_EXCHANGE,
        target=user,
        after={"iss": issuer.iss, "issuerId": str(issuer.issuer_id)},
    )
    return user
