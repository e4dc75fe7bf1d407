"""``POST /assume-role/token``: a partner admin takes ACCOUNT_ADMIN (or USER) in one of its
customer accounts, for a short time (``PORTAL_ASSUMED_ROLE_SECONDS``), audited in that account.

Never above the caller's own scope: only a partner admin's own token (not an application's, a
guest's, a delegated or an already assumed one) may ask, only for a customer account under the
caller's partner account, and only for a role below PARTNER_ADMIN. The token it gives is
confined to that account and role by ``accounts.access`` (``PrincipalKind.ASSUMED``), and
``oauth.authentication`` checks the caller's scope again on every request."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts import access
from accounts.audit import AuditAction, audit_record
from accounts.authn import SignInError
from accounts.models import Account, User
from oauth import tokens


def _error(name: str, message: str, status: int) -> SignInError:
    return SignInError(name, message, status)


def assumed_role_token_grant(
    *, user: User, claims: dict[str, Any], account_ref: str, role: str, issuer: str
) -> tuple[str, int]:
    """``(token, expires_in)`` for ``user`` (the caller, whose token's ``claims`` are given) as
    ``role`` in ``account_ref`` (GUID or number). Raises ``SignInError`` with the spec's names."""
    if tokens.token_kind(claims) != "user":
        raise _error(
            "InsufficientPermissions",
            "Only a user's own token can assume a role (not this kind of token).",
            403,
        )
    if not access.is_partner_admin(user):
        raise _error(
            "InsufficientPermissions", "Only partner admins can assume a role in a customer account.", 403
        )
    role = (role or "").strip().upper()
    if not role:
        raise _error("MissingRoleInRequest", "role is required (ACCOUNT_ADMIN or USER).", 400)
    if access.role_rank(role) is None:
        raise _error("InvalidRole", f"{role[:40]!r} is not a role.", 400)
    if not access.is_exchangeable_role(role) or access.role_is_above(role, user):
        raise _error(
            "AssumeRoleHigh", "The role to assume must be ACCOUNT_ADMIN or USER, and not above your own.", 400
        )
    account_ref = (account_ref or "").strip()
    if not account_ref:
        raise _error(
            "MissingBodyInRequest", "accountId (the customer account's GUID or number) is required.", 400
        )
    account = access.accounts_for(user).by_ref(account_ref).select_related("parent").first()
    if account is None or account.is_partner:
        raise _error("AccountNotFound", "No customer account with this accountId is in your scope.", 404)
    if not account.is_active:
        raise _error("InactiveAccount", "This account has been deactivated.", 403)
    token, expires_in = tokens.assumed_role_token_issue(
        user, account=account, role=role, sid=str(claims.get("sid", "")), issuer=issuer
    )
    with transaction.atomic():
        audit_record(
            actor=user,
            account=account,
            action=AuditAction.ROLE_ASSUMED,
            target=user,
            after={"role": role, "expires_in": expires_in},
        )
    return token, expires_in


def assumed_role_problem(user: User, account: Account | None) -> str | None:
    """Why an assumed-role token no longer works (checked on every request), or None: the
    account is gone or deactivated, or it left the caller's scope (the caller is no longer a
    partner admin of its partner)."""
    if account is None or not account.is_active:
        return "The account of this assumed role is no longer active."
    if not access.is_partner_admin(user) or not access.in_scope(user, account) or account.is_partner:
        return "The account of this assumed role is no longer in your scope."
    return None
