"""Second factors at sign-in (docs/mfa.md): who has one, who must have one, and what the API says.

allauth's MFA holds the factors (``allauth.mfa``: an authenticator app with recovery codes, passkeys)
and asks for one after the password on the console's sign-in. This module adds the account's
policy (``Account.admins_require_second_factor``: its admins must have a factor) and the answer of
the password grant, which cannot ask for a second factor."""

from __future__ import annotations

from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.db import transaction
from django.urls import reverse

from accounts import access
from accounts.authn import SignInError
from accounts.models import User

# Recovery codes only stand in for a factor: they alone are no second factor (as allauth's own stage).
FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
FACTOR_NAMES = {
    Authenticator.Type.TOTP: "Authenticator app",
    Authenticator.Type.WEBAUTHN: "Passkey or security key",
    Authenticator.Type.RECOVERY_CODES: "Recovery codes",
}


def has_second_factor(user: User) -> bool:
    return is_mfa_enabled(user, list(FACTOR_TYPES))


def policy_requires_second_factor(user: User) -> bool:
    """The user's account requires its admins to use a second factor, and the user is an admin."""
    return access.is_admin(user) and user.account.admins_require_second_factor


def must_set_up_second_factor(user: User) -> bool:
    """An admin of a policy account without a factor: sent to set one up before using the console."""
    return policy_requires_second_factor(user) and not has_second_factor(user)


def signs_in_with_second_factor(user: User) -> bool:
    """A password alone does not sign this user in: they have a factor, or their account requires one."""
    return has_second_factor(user) or policy_requires_second_factor(user)


class SecondFactorRequired(SignInError):
    """The password grant (and ``POST /authorize`` with a password) for a user who signs in with a
    second factor: only the browser flow can ask for it."""

    def __init__(self) -> None:
        authorize = reverse("authentication-api:authorize")
        super().__init__(
            "SecondFactorRequired",
            "This user signs in with a second factor, which a password alone cannot provide. "
            f"Use the browser sign-in: GET {authorize} (authorization code flow, PKCE "
            "recommended), then exchange the code at /token with grant_type=authorization_code.",
            403,
        )


def audit_second_factor_changes() -> None:
    """Record each factor a user adds or removes on their account's audit trail (the Activity page):
    ``user.second_factor_added`` / ``user.second_factor_removed`` with the factor's kind."""
    mfa_signals.authenticator_added.connect(_factor_added, dispatch_uid="accounts.second_factor.added")
    mfa_signals.authenticator_removed.connect(_factor_removed, dispatch_uid="accounts.second_factor.removed")


def _factor_added(sender, user: User, authenticator: Authenticator, **kwargs) -> None:
    _audit(user, authenticator, added=True)


def _factor_removed(sender, user: User, authenticator: Authenticator, **kwargs) -> None:
    _audit(user, authenticator, added=False)


def _audit(user: User, authenticator: Authenticator, *, added: bool) -> None:
    from accounts.audit import AuditAction, audit_record

    factor = {"factor": FACTOR_NAMES.get(authenticator.type, authenticator.type)}
    with transaction.atomic():
        audit_record(
            actor=user,
            account=user.account,
            action=AuditAction.USER_SECOND_FACTOR_ADDED if added else AuditAction.USER_SECOND_FACTOR_REMOVED,
            target=user,
            before=None if added else factor,
            after=factor if added else None,
        )
