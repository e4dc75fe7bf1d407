"""Guest identities: ``POST /guest/token`` and a guest's refresh.

* A guest's ``principalId`` (chosen by the client or generated as ``guest-<uuid>``) is bound to
  the guest on its first token: the answer carries a refresh token, and only that token gets
  another token for the same principal (``grant_type=refresh_token`` at ``/token``; it rotates).
  Anyone else asking ``/guest/token`` for a bound principal is refused, so reading a guest's
  principalId from a participants list no longer lets you act as that guest.
* A bound principal is never released, not even after it expires
  (``PORTAL_REFRESH_FAMILY_MAX_AGE`` after the first token): its conversations stay its own.
* Emails and GUIDs are never guest principals (they name users and applications). They are
  refused by their shape, without a lookup, so the answer says nothing about who exists.
* An unknown account, a deactivated one and one without Allow Guest Access get the same answer:
  anonymous callers do not learn which account numbers exist.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.authn import SignInError
from accounts.models import Account
from oauth import tokens
from oauth.models import GuestPrincipal
from oauth.refresh import InvalidRefreshToken, TokenPair, family_end, refresh_expiry

NAME_MAX = 100
PRINCIPAL_MAX = 128


def _error(name: str, message: str, status: int) -> SignInError:
    return SignInError(name, message, status)


def _not_available() -> SignInError:
    return _error("NotAllowed", "Guest access is not available for this account.", 403)


def _principal_taken() -> SignInError:
    return _error(
        "NotAllowed",
        "This principalId is taken. The guest who has it gets new tokens with its refresh_token "
        "(grant_type=refresh_token at /token); leave principalId out to get a new one.",
        403,
    )


def _names_a_user_or_application(principal_id: str) -> bool:
    """Users are identified by email or userId (a GUID), applications by a GUID client ID."""
    if "@" in principal_id:
        return True
    try:
        uuid.UUID(principal_id)
    except ValueError:
        return False
    return True


def _guest_account(account_ref: str) -> Account | None:
    """The account, if it is active and allows guest access; None for every other case alike."""
    account = Account.objects.by_ref(account_ref).select_related("parent").first()
    if account is None or not account.is_active or not account.allow_guest_access:
        return None
    return account


def _check_request(*, account_ref: str, principal_id: str, name: str, email: str) -> str:
    """Shape checks first, so their answers do not depend on the account. Returns the name."""
    if not account_ref:
        raise _error("AccountMissing", "accountId is required.", 400)
    name = " ".join((name or "").split())
    if not name or len(name) > NAME_MAX or any(ord(ch) < 32 for ch in name):
        raise _error("NameInvalid", f"name is required (at most {NAME_MAX} characters).", 400)
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise _error("EmailInvalid", "guestEmail is not a valid email address.", 400) from exc
    if len(principal_id) > PRINCIPAL_MAX:
        raise _error(
            "PrincipalMissing", f"principalId is too long (at most {PRINCIPAL_MAX} characters).", 400
        )
    if principal_id and _names_a_user_or_application(principal_id):
        raise _error(
            "NotAllowed",
            "principalId cannot be an email address or a GUID (those name users and applications); "
            "leave it out to get one generated.",
            403,
        )
    return name


def _pair(guest: GuestPrincipal, *, issuer: str, now: datetime | None = None) -> TokenPair:
    """A new access token and refresh token for the guest; the caller has just set ``refresh_jti``.
    ``now`` is the caller's clock reading, so a first token's lifetime is exactly the identity's."""
    access, expires_in = tokens.guest_token_issue(
        account=guest.account,
        principal_id=guest.principal_id,
        name=guest.name,
        email=guest.email,
        client_id=guest.client_id,
        issuer=issuer,
    )
    now = now or timezone.now().replace(microsecond=0)
    refresh = tokens.guest_refresh_token_encode(
        account=guest.account,
        principal_id=guest.principal_id,
        jti=guest.refresh_jti,
        issuer=issuer,
        issued_at=int(now.timestamp()),
        expires_at=int(refresh_expiry(now, guest.expires_at).timestamp()),
    )
    return TokenPair(access_token=access, expires_in=expires_in, refresh_token=refresh)


def guest_token_grant(
    *,
    account_ref: str,
    principal_id: str = "",
    name: str = "",
    email: str = "",
    client_id: str = "",
    issuer: str,
) -> TokenPair:
    """A GUEST token, and the refresh token that alone renews it, for a new guest identity in an
    account that allows guest access. Raises ``SignInError``."""
    principal_id = (principal_id or "").strip()
    name = _check_request(account_ref=account_ref, principal_id=principal_id, name=name, email=email)
    account = _guest_account(account_ref)
    if account is None:
        raise _not_available()
    now = timezone.now().replace(microsecond=0)
    guest = GuestPrincipal(
        account=account,
        principal_id=principal_id or f"guest-{uuid.uuid4()}",
        name=name,
        email=email,
        client_id=client_id[:200],
        created_at=now,
        expires_at=family_end(now),
    )
    try:
        with transaction.atomic():
            guest.save()
    except IntegrityError:  # the account already has this principal (maybe a concurrent first call)
        raise _principal_taken() from None
    return _pair(guest, issuer=issuer, now=now)


def guest_token_renew(*, jti: uuid.UUID, issuer: str) -> TokenPair:
    """``grant_type=refresh_token`` with a guest's refresh token: a new pair for the same
    principal; the presented refresh token stops working. Raises ``SignInError``."""
    with transaction.atomic():
        guest = (
            GuestPrincipal.objects.select_for_update(of=("self",))
            .select_related("account__parent")
            .filter(refresh_jti=jti)
            .first()
        )
        if guest is None or guest.expires_at <= timezone.now():
            raise InvalidRefreshToken()
        account = guest.account
        if not account.is_active or not account.allow_guest_access:
            raise _not_available()
        guest.refresh_jti = uuid.uuid4()
        guest.save(update_fields=["refresh_jti"])
        return _pair(guest, issuer=issuer)
