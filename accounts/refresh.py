"""Token pairs and the refresh-token lifecycle.

Every refresh token is a ``RefreshToken`` row plus a signed JWT carrying the row's ``jti``.
Tokens rotate: each use marks the presented row used and issues a new one in the same
*family* (one family per sign-in). Presenting a used token again means it was copied, so the
whole family is revoked and neither the thief nor the owner can refresh any more.

A sign-in an application obtained (the authorization-code flow) carries its ``client_id`` on
every row and, as ``azp``, in every access token: it rotates only while the application is
approved and active in the user's account, and blocking or deleting the application revokes it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import tokens
from .authn import SignInError, sign_in_blocker
from .models import RefreshToken, User


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


def token_pair_issue(
    *,
    user: User,
    issuer: str,
    mitel_app: str = "",
    family: uuid.UUID | None = None,
    client_id: str = "",
) -> TokenPair:
    """An access token and a new refresh token (a new family unless ``family`` is given).

    The access token names its family in ``sid``, so revoking the family also ends it, and the
    application it was issued to (``client_id``, if any) in ``azp`` and ``clientId``."""
    family = family or uuid.uuid4()
    extra = {"sid": str(family)}
    if client_id:
        extra |= {"azp": client_id, "clientId": client_id}
    access, expires_in = tokens.access_token_issue(user, issuer=issuer, extra=extra)
    now = timezone.now().replace(microsecond=0)
    row = RefreshToken.objects.create(
        user=user,
        family=family,
        issued_at=now,
        expires_at=now + timedelta(seconds=settings.PORTAL_REFRESH_TOKEN_SECONDS),
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


def refresh_family_is_revoked(family: str) -> bool:
    return RefreshToken.objects.filter(family=family, revoked_at__isnull=False).exists()


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
    from .oauth import application_token_problem  # (oauth imports this module)

    problem = application_token_problem(row.client_id, row.user.account)
    return SignInError("ClientNotActive", problem, 401) if problem else None


def refresh_token_rotate(*, token: str, issuer: str, mitel_app: str = "") -> TokenPair:
    """Exchange a refresh token for a new pair, or raise a ``SignInError``.

    The revocation of a reused token's family is committed before the error is raised, so
    callers must not run this inside a transaction they roll back on error.
    """
    try:
        jti = tokens.refresh_token_decode(token)
    except tokens.TokenError as exc:
        raise InvalidRefreshToken() from exc
    error: SignInError | None = None
    with transaction.atomic():
        row = (
            RefreshToken.objects.select_for_update(of=("self",))
            .select_related("user__account__parent")
            .filter(jti=jti)
            .first()
        )
        now = timezone.now()
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            error = InvalidRefreshToken()
        elif row.used_at is not None:
            refresh_family_revoke(row.family)
            error = RefreshTokenReused()
        else:
            error = sign_in_blocker(row.user) or _client_blocker(row)
            if error is None:
                row.used_at = now
                row.save(update_fields=["used_at"])
                pair = token_pair_issue(
                    user=row.user,
                    issuer=issuer,
                    mitel_app=mitel_app,
                    family=row.family,
                    client_id=row.client_id,
                )
    if error is not None:
        raise error
    return pair
