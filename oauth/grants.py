"""The OAuth rules of the tokens third-party applications unlock (issue 4).

* Client authentication (``client_id`` + ``client_secret`` in the body or HTTP Basic).
* Authorization codes (``POST /authorize`` and the browser flow): single use, short-lived,
  PKCE ``S256``; a second exchange revokes what the first one issued.
* ``client_credentials``: the application's own token in an account where it is deployed.
* Delegated Authentication (token exchange): an application's token *for a user* of the account,
  only while the account's Delegated Authentication privilege is on.
* Guest tokens (``oauth.guests``) only work while the account's Allow Guest Access is on.
* ``token_principal_problem``: re-checked on every request, so switching a privilege off,
  deactivating a deployment or blocking (or deleting) an application ends the tokens it allowed,
  including the users' tokens of its authorization-code flow (they name it in ``azp``).
* The password grant is the user's own sign-in: it refuses an application's client ID.

Applications are refused by their *authenticated* client (the client ID at /token, ``azp`` /
``clientId`` in a token), never by the self-declared ``x-mitel-app`` header.

Every refusal is a ``SignInError`` (CloudLink ``name``, message, HTTP status); the views turn
it into the error body. Views stay thin: no rule lives in them.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from accounts.authn import InvalidCredentials, SignInError, sign_in_blocker, user_authenticate
from accounts.models import Account, User
from core.db import unique_row
from oauth import tokens
from oauth.applications.selectors import application_token_problem, deployment_active
from oauth.guests import guest_token_renew
from oauth.models import Application, ApplicationDeployment, AuthorizationCode
from oauth.refresh import (
    TokenPair,
    refresh_family_revoke,
    refresh_token_claims_read,
    refresh_token_rotate,
    token_pair_issue,
)

S256 = "S256"
_validate_url = URLValidator(schemes=["http", "https"])
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")  # RFC 7636 section 4.1
_CHALLENGE = re.compile(r"^[A-Za-z0-9\-_]{43}$")  # base64url(SHA-256), no padding

# OAuth ``error`` codes that go with our CloudLink names (the /authorize error bodies carry both).
_OAUTH_ERRORS = {
    "MissingBodyInRequest": "invalid_request",
    "InvalidRequest": "invalid_request",
    "InvalidRedirectUri": "invalid_request",
    "UnconfiguredRedirectUri": "invalid_request",
    "MultipleMatching": "invalid_request",
    "AccountNotFound": "invalid_request",
    "InvalidLoginCredentials": "access_denied",
    "InactiveAccount": "access_denied",
    "UserNotActive": "access_denied",
    "UserNotRegistered": "access_denied",
    "ClientNotActive": "unauthorized_client",
    "InvalidClient": "unauthorized_client",
    "ClientNotFound": "unauthorized_client",
    "ClientSecretMismatch": "invalid_client",
    "TooManyRequests": "temporarily_unavailable",
}


def oauth_error_code(exc: SignInError) -> str:
    return _OAUTH_ERRORS.get(exc.name, "invalid_request" if exc.status == 400 else "access_denied")


def _error(name: str, message: str, status: int) -> SignInError:
    return SignInError(name, message, status)


# --- clients ------------------------------------------------------------------------------------


def basic_credentials(authorization: str) -> tuple[str, str] | None:
    """``(client_id, client_secret)`` from an HTTP Basic header (RFC 6749 2.3.1: each part
    form-encoded), or None when the header is not Basic or not decodable."""
    parts = (authorization or "").strip().split()
    if len(parts) != 2 or parts[0].lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(parts[1], validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return None
    return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))


def client_find(client_id: str):
    """The approved application with this client ID, or raise: 404 ClientNotFound (no such
    client) or 401 ClientNotActive (pending, rejected or blocked)."""
    if not client_id:
        raise _error("MissingParameters", "The client_id parameter is required.", 400)
    app = unique_row(Application.objects.filter(client_id=client_id))
    if app is None:
        raise _error("ClientNotFound", "No application has this client_id.", 404)
    if app.status != Application.Status.APPROVED:
        raise _error("ClientNotActive", "This application is not approved (or was blocked).", 401)
    return app


def client_authenticate(client_id: str, client_secret: str, *, confidential_only: bool = False):
    """The application these credentials identify. A confidential client must present its
    secret (401 ClientSecretMismatch otherwise); with ``confidential_only`` a public client is
    refused (403 InvalidClient: it has no secret to prove who it is)."""
    from oauth.applications.services import application_secret_verify

    app = client_find(client_id)
    if not app.is_confidential:
        if confidential_only:
            raise _error(
                "InvalidClient", "Public clients cannot use this grant: it needs a client secret.", 403
            )
        return app
    if not client_secret:
        raise _error(
            "ClientSecretMismatch",
            "This application is a confidential client: send its client_secret (in the body or with "
            "HTTP Basic) to authenticate.",
            401,
        )
    if not application_secret_verify(app, client_secret):
        raise _error("ClientSecretMismatch", "The client_secret is not correct.", 401)
    return app


def password_grant_client_refuse(*client_ids: str) -> None:
    """The password grant signs a user in to their own tools; an application never gets a
    user's token by collecting the password (it would escape blocking, which follows tokens
    issued to the application). A client ID (body or HTTP Basic) any registered application
    has, in any state, is refused with 403 InvalidClient; one no application has is ignored."""
    presented = [client_id for client_id in client_ids if client_id]
    if presented and Application.objects.filter(client_id__in=presented).exists():
        raise _error(
            "InvalidClient",
            "Applications cannot use the password grant: send the user through authorization_code "
            "(/authorize), or use client_credentials for the application's own token.",
            403,
        )


def _require_deployment(app, account: Account):
    deployment = deployment_active(app, account)
    if deployment is None:
        raise _error(
            "ClientNotActive", "This application is not deployed (or not active) in this account.", 401
        )
    return deployment


def _redirect_uris(app, deployment) -> list[str]:
    """The redirect URIs a code may go to: the deployment's own list (the account's, saved as
    given) when it has one, else the application's registered ones. Before the account is known
    (``deployment`` None), the registered ones and those of every active deployment."""
    if deployment is not None:
        return list(deployment.redirect_uris or app.redirect_uris or [])
    deployed = ApplicationDeployment.objects.filter(application=app, active=True).values_list(
        "redirect_uris", flat=True
    )
    return list(app.redirect_uris or []) + [uri for uris in deployed for uri in uris or []]


def redirect_uri_check(app, deployment, redirect_uri: str) -> None:
    """An exact match with a registered URI (no prefix or pattern matching), checked when a code
    request uses it: a deployment's list is saved as the account gives it (CloudLink's examples
    hold placeholders), so only here must the URI be an absolute http(s) URL."""
    if not redirect_uri:
        return
    allowed = _redirect_uris(app, deployment)
    if not allowed:
        raise _error("UnconfiguredRedirectUri", "This application has no redirect URI registered.", 403)
    if redirect_uri not in allowed:
        raise _error(
            "InvalidRedirectUri", "The redirect_uri is not one registered for this application.", 403
        )
    if not _usable_redirect_uri(redirect_uri):
        raise _error(
            "InvalidRedirectUri",
            "The redirect_uri is registered but is not an absolute http(s) URL without a fragment "
            "(a placeholder?): correct it in the deployment's redirectUris.",
            403,
        )


def _usable_redirect_uri(uri: str) -> bool:
    try:
        _validate_url(uri)
    except ValidationError:
        return False
    return "#" not in uri


def pkce_check_challenge(app, code_challenge: str, method: str) -> tuple[str, str]:
    """Validate the PKCE parameters of a code request; returns ``(challenge, method)``. Only
    S256 is accepted (``plain`` is refused). PKCE is optional for every client: CloudLink's
    clients exchange a code with the client ID alone (docs/api-authentication.md)."""
    method = (method or "").strip()
    if not code_challenge:
        if method:
            raise _error("InvalidRequest", "code_challenge_method was given without a code_challenge.", 400)
        return "", ""
    if method != S256:
        raise _error(
            "InvalidRequest",
            "Only the PKCE code_challenge_method S256 is supported (plain is refused).",
            400,
        )
    if not _CHALLENGE.match(code_challenge):
        raise _error(
            "InvalidRequest", "code_challenge must be the base64url SHA-256 of the verifier (43 chars).", 400
        )
    return code_challenge, S256


def pkce_s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


# --- authorization codes --------------------------------------------------------------------------


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


@dataclass(frozen=True)
class CodeRequest:
    client_id: str
    redirect_uri: str = ""
    scope: str = ""
    code_challenge: str = ""
    code_challenge_method: str = ""


def authorization_request_validate(request: CodeRequest):
    """Check a code request before anyone signs in: the client exists and is approved, the
    redirect URI is registered (exactly), PKCE is acceptable. Returns the application."""
    app = client_find(request.client_id)
    if request.redirect_uri:
        # Before the account is known, the URI must be one the application registered.
        redirect_uri_check(app, None, request.redirect_uri)
    pkce_check_challenge(app, request.code_challenge, request.code_challenge_method)
    return app


def authorization_code_issue(*, user: User, request: CodeRequest) -> str:
    """A code for ``user`` and the client; the application must be deployed and active in the
    user's account. Returns the code (only its hash is stored)."""
    app = authorization_request_validate(request)
    deployment = _require_deployment(app, user.account)
    redirect_uri_check(app, deployment, request.redirect_uri)
    challenge, method = pkce_check_challenge(app, request.code_challenge, request.code_challenge_method)
    code = secrets.token_urlsafe(32)
    now = timezone.now()
    AuthorizationCode.objects.create(
        code_hash=_hash(code),
        client_id=app.client_id,
        user=user,
        redirect_uri=request.redirect_uri,
        scope=request.scope,
        code_challenge=challenge,
        code_challenge_method=method,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.PORTAL_AUTHORIZATION_CODE_SECONDS),
    )
    return code


def authorize_with_password(
    *,
    username: str,
    password: str,
    account_ref: str,
    request: CodeRequest,
    authenticate: Callable[..., User] = user_authenticate,
) -> str:
    """``POST /authorize``: check the client first (no password is tried for an unknown or
    inactive client), then the user's credentials, then issue the code. ``authenticate`` is
    ``user_authenticate`` or a wrapper with the same keywords (the view's throttled one)."""
    authorization_request_validate(request)
    # An unknown account_id is the same 401 as a wrong password: nothing tells anonymous callers
    # which account numbers exist.
    user = authenticate(email=username, password=password, account_ref=account_ref or None)
    return authorization_code_issue(user=user, request=request)


class CodeInvalid(SignInError):
    def __init__(self, message: str = "The authorization code is not valid or has expired.") -> None:
        super().__init__("InvalidLoginCredentials", message, 401)


def authorization_code_exchange(
    *,
    code: str,
    client_id: str,
    client_secret: str = "",
    redirect_uri: str = "",
    code_verifier: str = "",
    issuer: str,
    mitel_app: str = "",
) -> tuple[TokenPair, str]:
    """Exchange a code once for the user's token pair; returns ``(pair, scope)``.

    A code presented a second time is refused *and* the refresh family its first exchange
    issued is revoked (so those access tokens stop too). The revocation is committed before the
    error is raised: callers must not roll it back."""
    app = client_authenticate(client_id, client_secret)
    error: SignInError | None = None
    with transaction.atomic():
        row = (
            AuthorizationCode.objects.select_for_update(of=("self",))
            .select_related("user__account__parent")
            .filter(code_hash=_hash(code or ""))
            .first()
        )
        if row is None:
            error = CodeInvalid()
        elif row.used_at is not None:
            if row.family:
                refresh_family_revoke(row.family)
            error = CodeInvalid(
                "The authorization code was already used; the tokens it issued have been revoked."
            )
        elif row.expires_at <= timezone.now():
            error = CodeInvalid("The authorization code has expired.")
        elif row.client_id != app.client_id:
            error = _error("InvalidClient", "The code was issued to another client.", 403)
        elif (redirect_uri or "") != row.redirect_uri:  # RFC 6749 4.1.3: identical, or both absent
            error = _error("InvalidRedirectUri", "redirect_uri must match the one used at /authorize.", 403)
        elif row.code_challenge and not (
            _VERIFIER.match(code_verifier or "")
            and secrets.compare_digest(pkce_s256(code_verifier), row.code_challenge)
        ):
            error = _error("InvalidVerifier", "The code_verifier does not match the code_challenge.", 401)
        elif deployment_active(app, row.user.account) is None:
            error = _error("ClientNotActive", "This application is no longer deployed in this account.", 401)
        else:
            error = sign_in_blocker(row.user)
            if error is None:
                family = uuid.uuid4()
                row.used_at = timezone.now()
                row.family = family
                row.save(update_fields=["used_at", "family"])
                pair = token_pair_issue(
                    user=row.user, issuer=issuer, mitel_app=mitel_app, family=family, client_id=app.client_id
                )
    if error is not None:
        raise error
    return pair, row.scope


# --- client_credentials ---------------------------------------------------------------------------


def _account_for(account_ref: str) -> Account:
    account = (
        unique_row(Account.objects.by_ref(account_ref).select_related("parent")) if account_ref else None
    )
    if account is None:
        raise _error("AccountNotFound", "No account has this account_id.", 404)
    return account


# What an application's own token may do in its account: read and write there, within its
# deployment's role (no finer scopes exist). The answer names exactly this, whatever was asked.
CLIENT_SCOPES = ("read", "write")
CLIENT_SCOPE = " ".join(CLIENT_SCOPES)


def client_scope_grant(requested: str) -> str:
    """The scope a client_credentials token is granted: always ``read write``. A requested scope
    may name only these (in any order, or be empty); anything else is 400 InvalidScope (OAuth's
    invalid_scope) rather than being echoed as if it had been granted."""
    unknown = sorted(set((requested or "").split()) - set(CLIENT_SCOPES))
    if unknown:
        shown = ", ".join(repr(name[:40]) for name in unknown[:5])
        raise _error(
            "InvalidScope",
            f"Unknown scope {shown}: an application's token is granted {CLIENT_SCOPE!r} in its account.",
            400,
        )
    return CLIENT_SCOPE


def client_credentials_grant(
    *, client_id: str, client_secret: str, account_ref: str = "", scope: str = "", issuer: str
) -> tuple[str, int, str]:
    """The application's own token in an account where it is deployed and active: ``(token,
    expires_in, granted scope)``. Without ``account_ref`` the application must be active in
    exactly one account."""
    app = client_authenticate(client_id, client_secret, confidential_only=True)
    granted = client_scope_grant(scope)
    if account_ref:
        account = _account_for(account_ref)
        deployment = _require_deployment(app, account)
    else:
        deployments = list(
            ApplicationDeployment.objects.filter(application=app, active=True)
            .select_related("account__parent")
            .order_by()[:2]
        )
        if not deployments:
            raise _error(
                "ClientNotActive", "This application is not deployed (or not active) in any account.", 401
            )
        if len(deployments) > 1:
            raise _error(
                "MissingParameters", "This application is deployed in several accounts: give account_id.", 400
            )
        deployment = deployments[0]
        account = deployment.account
    if not account.is_active:
        raise _error("InactiveAccount", "This account has been deactivated.", 403)
    token, expires_in = tokens.client_token_issue(
        client_id=app.client_id, name=app.name, account=account, role=deployment.role, issuer=issuer
    )
    return token, expires_in, granted


# --- Delegated Authentication (token exchange) ----------------------------------------------------


# Token exchanges of the apps above oauth, by subject_token_type (sso: a trusted issuer's ID token
# or JWT). Each takes ``subject_token=`` and ``account_ref=`` and returns the user the token stands
# for, or raises ``SignInError``; ``POST /token`` then issues that user's token pair.
SUBJECT_TOKEN_EXCHANGES: dict[str, Callable[..., User]] = {}


def _user_in_account(account: Account, subject: str) -> User | None:
    subject = (subject or "").strip()
    users = User.objects.filter(account=account).select_related("account__parent")
    try:
        return users.filter(user_id=uuid.UUID(subject)).first()
    except ValueError:
        return users.filter(email__iexact=subject).first()


def delegation_token_exchange(
    *,
    client_id: str,
    client_secret: str,
    subject_token: str,
    subject_token_type: str = "",
    requested_subject: str,
    issuer: str,
) -> tuple[str, int]:
    """An application's token for a user of its account (RFC 8693 token exchange).

    The application authenticates (confidential clients only) and presents its own
    client_credentials token as ``subject_token``; ``requested_subject`` is the user's userId or
    email, looked up in that token's account only. Refused unless the application is active in
    the account and the account's Delegated Authentication privilege is on."""
    app = client_authenticate(client_id, client_secret, confidential_only=True)
    if subject_token_type and subject_token_type != tokens.TOKEN_EXCHANGE_ACCESS_TOKEN:
        raise _error(
            "MissingParameters", f"subject_token_type must be {tokens.TOKEN_EXCHANGE_ACCESS_TOKEN}.", 400
        )
    try:
        claims = tokens.access_token_decode(subject_token)
    except tokens.TokenError as exc:
        raise _error("InvalidLoginCredentials", f"subject_token: {exc}", 401) from exc
    if tokens.token_kind(claims) != tokens.CLIENT or claims.get("clientId") != app.client_id:
        raise _error(
            "FailedImpersonation", "subject_token must be a client_credentials token of this client.", 403
        )
    account = Account.objects.filter(account_id=claims.get("accountId")).select_related("parent").first()
    if account is None:
        raise _error("AccountNotFound", "The subject_token's account no longer exists.", 404)
    if not account.is_active:
        raise _error("InactiveAccount", "This account has been deactivated.", 403)
    _require_deployment(app, account)
    if not account.delegated_authentication:
        raise _error(
            "ImpersonationNotAllowed", "Delegated Authentication is switched off for this account.", 403
        )
    user = _user_in_account(account, requested_subject)
    if user is None:
        raise _error("UserNotFound", "No user of this account has this userId or email.", 404)
    blocked = sign_in_blocker(user)
    if blocked is not None:
        raise blocked
    return tokens.delegated_token_issue(user, client_id=app.client_id, issuer=issuer)


# --- every request ----------------------------------------------------------------------------------


def token_principal_problem(claims: dict[str, Any], account: Account | None) -> str | None:
    """Why a token issued to an application (its own, a delegated one, or a user's token of its
    authorization-code flow, which names it in ``azp``) or a guest's token no longer works
    (checked on each request), or None. ``account`` is the token's account (None when it no
    longer exists). A user's own token names no application: None."""
    kind = tokens.token_kind(claims)
    client_id = claims.get("clientId") if kind == tokens.CLIENT else claims.get("azp")
    if kind == "user" and not client_id:
        return None
    if account is None or not account.is_active:
        return "The account behind this token is no longer active."
    if kind == tokens.GUEST:
        if not account.allow_guest_access:
            return "Guest access has been switched off for this account."
        return None
    problem = application_token_problem(str(client_id or ""), account)
    if problem:
        return problem
    if kind == tokens.DELEGATED and not account.delegated_authentication:
        return "Delegated Authentication has been switched off for this account."
    return None


def refresh_token_grant(*, token: str, issuer: str, mitel_app: str = "") -> TokenPair:
    """``grant_type=refresh_token``: a user's refresh token rotates its sign-in; a guest's
    (``type: guest``) renews the guest's identity (``oauth.guests``). Raises ``SignInError``."""
    claims, jti = refresh_token_claims_read(token)
    if claims.get("type") == tokens.GUEST:
        return guest_token_renew(jti=jti, issuer=issuer)
    return refresh_token_rotate(token=token, issuer=issuer, mitel_app=mitel_app)


__all__ = [
    "CLIENT_SCOPE",
    "SUBJECT_TOKEN_EXCHANGES",
    "CodeRequest",
    "InvalidCredentials",
    "authorization_code_exchange",
    "authorization_code_issue",
    "authorization_request_validate",
    "authorize_with_password",
    "basic_credentials",
    "client_authenticate",
    "client_credentials_grant",
    "client_scope_grant",
    "delegation_token_exchange",
    "oauth_error_code",
    "password_grant_client_refuse",
    "pkce_s256",
    "token_principal_problem",
    "refresh_token_grant",
]
