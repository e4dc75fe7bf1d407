"""Token pairs and the refresh-token lifecycle.

Every refresh token is a ``RefreshToken`` row plus a signed JWT carrying the row's ``jti``.
Tokens rotate: each use marks the presented row used and issues a new one in the same
*family* (one family per sign-in). Presenting a used token again means it was copied, so the
whole family is revoked and neither the thief nor the owner can refresh any more. A family
ends for good ``PORTAL_REFRESH_FAMILY_MAX_AGE`` after its first token, however often it rotates.

A sign-in an application obtained (the authorization-code flow) carries its ``client_id`` on
every row and, as ``azp``, in every access token: it rotates only while the application is
approved and active in the user's account, and blocking or deleting the application revokes it.

``refresh_families_revoke_for_users`` answers ``accounts.signals.sign_ins_ended``, which the
services send (``accounts.sign_ins.sign_ins_end``) when a password is changed or reset, a user or
account is deactivated, or a role is lowered.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Value
from django.utils import timezone

from accounts.authn import SignInError, sign_in_blocker
from accounts.models import User
from core.db import PreparedLookup
from oauth import tokens
from oauth.applications.selectors import application_token_problem
from oauth.models import RefreshToken


class InvalidRefreshToken(SignInError):
    def __init__(self, message: str = "The refresh token is not valid, has expired or was revoked.") -> None:
        super().__init__("InvalidLoginCredentials", message, 401)


class RefreshTokenReused(InvalidRefreshToken):
    def __init__(self) -> None:
        super().__init__(
            "The refresh token was already used; every token of this sign-in has been revoked. Sign in again."
        )


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    expires_in: int
    refresh_token: str


def family_end(started_at: datetime) -> datetime:
    """When a sign-in (a refresh family, a guest identity) first issued at ``started_at`` ends."""
    return started_at + timedelta(seconds=settings.PORTAL_REFRESH_FAMILY_MAX_AGE)


def refresh_expiry(now: datetime, family_expires_at: datetime) -> datetime:
    """A new refresh token's expiry: its own lifetime, never past the end of its family."""
    return min(now + timedelta(seconds=settings.PORTAL_REFRESH_TOKEN_SECONDS), family_expires_at)


def token_pair_issue(
    *,
    user: User,
    issuer: str,
    mitel_app: str = "",
    family: uuid.UUID | None = None,
    client_id: str = "",
    family_expires_at: datetime | None = None,
) -> TokenPair:
    """An access token and a new refresh token: a new family unless ``family`` (and the end of
    that family, ``family_expires_at``) is given.

    The access token names its family in ``sid``, so revoking the family also ends it, and the
    application it was issued to (``client_id``, if any) in ``azp`` and ``clientId``."""
    family = family or uuid.uuid4()
    extra = {"sid": str(family)}
    if client_id:
        extra |= {"azp": client_id, "clientId": client_id}
    access, expires_in = tokens.access_token_issue(user, issuer=issuer, extra=extra)
    now = timezone.now().replace(microsecond=0)
    family_expires_at = family_expires_at or family_end(now)
    row = RefreshToken.objects.create(
        user=user,
        family=family,
        issued_at=now,
        expires_at=refresh_expiry(now, family_expires_at),
        family_expires_at=family_expires_at,
        mitel_app=(mitel_app or "")[:500],
        client_id=client_id,
    )
    refresh = tokens.refresh_token_encode(
        user,
        jti=row.jti,
        issuer=issuer,
        issued_at=int(row.issued_at.timestamp()),
        expires_at=int(row.expires_at.timestamp()),
    )
    return TokenPair(access_token=access, expires_in=expires_in, refresh_token=refresh)


def refresh_family_revoked(family: uuid.UUID | None) -> Exists | Value:
    """Whether a family was revoked, as an expression: it is read with the row it guards, in the
    same query (an unreadable family counts as revoked)."""
    if family is None:
        return Value(True)
    return Exists(RefreshToken.objects.filter(family=family, revoked_at__isnull=False))


def refresh_family_revoke(family: uuid.UUID) -> int:
    """Revoke every still-valid refresh token of a family; returns how many."""
    return RefreshToken.objects.filter(family=family, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def refresh_families_revoke_for_client(client_id: str) -> int:
    """Revoke every sign-in an application obtained (its refresh tokens and, through ``sid``,
    their access tokens); returns how many refresh tokens. For blocking or deleting it."""
    if not client_id:
        return 0
    return RefreshToken.objects.filter(client_id=client_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def _client_blocker(row: RefreshToken) -> SignInError | None:
    """Why the application behind this sign-in may not renew it now, or None."""
    if not row.client_id:
        return None
    problem = application_token_problem(row.client_id, row.user.account)
    return SignInError("ClientNotActive", problem, 401) if problem else None


def refresh_families_revoke_for_users(*, user_ids, at, **kwargs) -> int:
    """``accounts.signals.sign_ins_ended``: revoke every refresh family of these users (so each
    access token naming one in ``sid`` is refused on its next request)."""
    return RefreshToken.objects.filter(user__in=user_ids, revoked_at__isnull=True).update(revoked_at=at)


def refresh_token_claims_read(token: str) -> tuple[dict, uuid.UUID]:
    """The verified claims of a refresh token and its ``jti``, or ``InvalidRefreshToken``."""
    try:
        claims = tokens.refresh_token_claims(token)
        return claims, uuid.UUID(str(claims.get("jti")))
    except (tokens.TokenError, ValueError) as exc:
        raise InvalidRefreshToken() from exc


# The refresh token's row, locked, with its user, account and partner: one query, compiled once.
_LOCKED_REFRESH_TOKEN = PreparedLookup(
    lambda jti: (
        RefreshToken.objects.select_for_update(of=("self",))
        .select_related("user__account__parent")
        .filter(jti=jti)
        .order_by()[:1]
    )
)


def refresh_token_rotate(*, token: str, issuer: str, mitel_app: str = "") -> TokenPair:
    """Exchange a user's refresh token for a new pair, or raise a ``SignInError``. (A guest's
    refresh token goes to ``oauth.guests``: ``oauth.grants.refresh_token_grant`` chooses.)

    The revocation of a reused token's family is committed before the error is raised, so
    callers must not run this inside a transaction they roll back on error.
    """
    claims, jti = refresh_token_claims_read(token)
    if claims.get("type") == tokens.GUEST:
        raise InvalidRefreshToken()
    error: SignInError | None = None
    with transaction.atomic():
        rows = _LOCKED_REFRESH_TOKEN.rows(jti)
        row = rows[0] if rows else None
        now = timezone.now()
        if row is None or min(row.expires_at, row.family_expires_at or row.expires_at) <= now:
            error = InvalidRefreshToken()
        elif row.used_at is not None and row.revoked_at is None:
            refresh_family_revoke(row.family)
            error = RefreshTokenReused()
        else:
            # A deactivated account or user says so (403) before "revoked" (401): deactivating
            # revokes the family too, and the client should learn why it has to stop.
            error = (
                sign_in_blocker(row.user)
                or (InvalidRefreshToken() if row.revoked_at else None)
                or _client_blocker(row)
            )
            if error is None:
                row.used_at = now
                row.save(update_fields=["used_at"])
                pair = token_pair_issue(
                    user=row.user,
                    issuer=issuer,
                    mitel_app=mitel_app,
                    family=row.family,
                    client_id=row.client_id,
                    family_expires_at=row.family_expires_at or row.expires_at,
                )
    if error is not None:
        raise error
    return pair
