"""API authentication: CloudLink bearer tokens (``Bearer <jwt>`` or a bare ``<jwt>``) and,
for the signed-in console user, the Django session (with CSRF)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.request import Request

from accounts.authn import user_may_stay_signed_in
from accounts.models import Account, User
from core.db import PreparedLookup, unique_row
from oauth.applications.selectors import deployment_role
from oauth.assume_role import assumed_role_problem
from oauth.grants import token_principal_problem
from oauth.refresh import refresh_family_revoked
from oauth.tokens import ASSUMED, CLIENT, GUEST, TokenError, access_token_decode, token_kind


def _uuid_or_none(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@dataclass
class TokenPrincipal:
    """``request.user`` for a token whose principal is not a user: an application
    (client_credentials, ``kind="client"``) or a guest (``kind="guest"``)."""

    kind: str
    claims: dict = field(repr=False)
    account: Account | None = None
    user: User | None = None  # an assumed role's partner admin
    deployment_role: str = ""  # an application's: its deployment's current role, read per request
    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    pk = None

    @property
    def principal_id(self) -> str:
        return str(self.claims.get("principalId", ""))

    @property
    def account_id(self):
        return self.account.pk if self.account is not None else None

    @property
    def role(self) -> str:
        return self.deployment_role or str(self.claims.get("role", ""))


def _users(user_id: uuid.UUID):
    return User.objects.select_related("account", "account__parent").filter(user_id=user_id).order_by()[:1]


# One query: the user, their account and partner, and whether the sign-in (``sid``) was revoked.
_USER = PreparedLookup(_users)
_USER_OF_SIGN_IN = PreparedLookup(
    lambda user_id, sid: _users(user_id).annotate(sign_in_revoked=refresh_family_revoked(sid))
)


def _token_user(user_id: uuid.UUID | None, sid: uuid.UUID | None) -> User | None:
    """The user a token names (active or not), with ``sign_in_revoked`` when it names a sign-in."""
    if user_id is None:
        return None
    rows = _USER.rows(user_id) if sid is None else _USER_OF_SIGN_IN.rows(user_id, sid)
    return rows[0] if rows else None


def bearer_token_from(request: Request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "").strip()
    if not header:
        return None
    parts = header.split()
    if len(parts) == 2 and parts[0].lower() == "bearer":
        return parts[1]
    if len(parts) == 1 and parts[0].count(".") == 2:
        return parts[0]
    return None


class CloudLinkTokenAuthentication(BaseAuthentication):
    www_authenticate_realm = "cloudlink"

    def authenticate(self, request: Request):
        token = bearer_token_from(request)
        if token is None:
            if request.META.get("HTTP_AUTHORIZATION", "").strip().lower().startswith("basic "):
                return None
            if request.META.get("HTTP_AUTHORIZATION", "").strip():
                raise exceptions.AuthenticationFailed(
                    "The Authorization header does not hold a bearer token."
                )
            return None
        try:
            claims = access_token_decode(token)
        except TokenError as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from exc
        kind = token_kind(claims)
        if kind in (CLIENT, GUEST):
            return self._principal(request, claims, kind)
        sid = claims.get("sid")
        family = _uuid_or_none(sid) if sid else None
        if sid and family is None:  # not a sign-in we issued: as good as revoked
            raise exceptions.AuthenticationFailed("This sign-in was revoked; sign in again.")
        user = _token_user(_uuid_or_none(claims.get("userId")), family)
        if user is None or not user_may_stay_signed_in(user):
            raise exceptions.AuthenticationFailed(
                "The user or account behind this token is no longer active."
            )
        if sid and user.sign_in_revoked:
            raise exceptions.AuthenticationFailed("This sign-in was revoked; sign in again.")
        if kind == ASSUMED:
            return self._assumed(request, claims, user)
        problem = token_principal_problem(claims, user.account)  # delegated, or issued via an app
        if problem:
            raise exceptions.AuthenticationFailed(problem)
        return user, claims

    def _assumed(self, request: Request, claims: dict, user: User):
        """A partner admin's assumed role: confined to its account (``accounts.access``), valid
        while that account is active and still in the partner admin's scope, on the routes that
        accept it (``accepts_assumed_roles``: the Admin API) and ``GET /token``."""
        account = unique_row(
            Account.objects.select_related("parent").filter(account_id=_uuid_or_none(claims.get("accountId")))
        )
        problem = assumed_role_problem(user, account)
        if problem:
            raise exceptions.AuthenticationFailed(problem)
        view = (getattr(request, "parser_context", None) or {}).get("view")
        if not (
            getattr(view, "accepts_assumed_roles", False) or getattr(view, "accepts_token_principals", False)
        ):
            from core.api.errors import ApiError  # (errors imports DRF views, which import us)

            raise ApiError(
                "InsufficientPermissions", "Assumed-role tokens cannot be used on this route.", 403
            )
        return TokenPrincipal(kind=ASSUMED, claims=claims, account=account, user=user), claims

    def _principal(self, request: Request, claims: dict, kind: str):
        """An application's own token or a guest's: valid only while the application is
        approved and active in the account (or guest access is on), and only on views that
        accept such principals: ``accepts_token_principals`` (both) or
        ``accepts_application_tokens`` (the Admin, Chat, Notifications and Media APIs, where an
        application acts with its deployment's role, read here on every request: what it may
        do there is ``accounts.access``'s rule). Every other route answers 403
        InsufficientPermissions."""
        account = unique_row(
            Account.objects.select_related("parent").filter(account_id=_uuid_or_none(claims.get("accountId")))
        )
        problem = token_principal_problem(claims, account)
        if problem:
            raise exceptions.AuthenticationFailed(problem)
        view = (getattr(request, "parser_context", None) or {}).get("view")
        accepted = getattr(view, "accepts_token_principals", False) or (
            kind == CLIENT and getattr(view, "accepts_application_tokens", False)
        )
        if not accepted:
            from core.api.errors import ApiError  # (errors imports DRF views, which import us)

            who = "Guest tokens" if kind == GUEST else "Application (client_credentials) tokens"
            raise ApiError("InsufficientPermissions", f"{who} cannot be used on this route.", 403)
        role = deployment_role(str(claims.get("clientId", "")), account) if kind == CLIENT else ""
        return TokenPrincipal(kind=kind, claims=claims, account=account, deployment_role=role), claims

    def authenticate_header(self, request: Request) -> str:
        return f'Bearer realm="{self.www_authenticate_realm}"'


class ConsoleSessionAuthentication(SessionAuthentication):
    """Session auth for the signed-in console user; CSRF still applies to unsafe methods."""
