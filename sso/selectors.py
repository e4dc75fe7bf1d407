"""Reads of identity providers: in an actor's scope, and the one a sign-in goes through."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts import access
from accounts.authn import SsoRequired
from accounts.models import Account, User
from sso.models import IdentityProvider


def identity_providers_visible_to(actor: User) -> QuerySet[IdentityProvider]:
    return IdentityProvider.objects.filter(account__in=access.accounts_for(actor)).select_related("account")


def identity_provider_of(account: Account) -> IdentityProvider | None:
    return IdentityProvider.objects.filter(account=account).first()


def active_identity_provider_of(account: Account) -> IdentityProvider | None:
    return IdentityProvider.objects.filter(account=account, active=True).select_related("account").first()


def identity_provider_for_email(email: str, account_ref: str | None = None) -> IdentityProvider | None:
    """The active provider a sign-in with this email goes through: the email names users in exactly
    one account (or in the account given) and that account has an active provider."""
    users = User.objects.filter(email__iexact=(email or "").strip(), is_active=True)
    if account_ref:
        users = users.filter(account__in=Account.objects.by_ref(account_ref))
    account_ids = set(users.values_list("account_id", flat=True)[:2])
    if len(account_ids) != 1:
        return None
    return (
        IdentityProvider.objects.filter(account_id=account_ids.pop(), active=True)
        .select_related("account")
        .first()
    )


def password_sign_in_refusal(user: User) -> SsoRequired | None:
    """``accounts.authn``'s rule: refuse a password sign-in where the account requires SSO."""
    return SsoRequired() if password_sign_in_refused(user) else None


def password_sign_in_refused(user: User) -> bool:
    """The account requires SSO and this user is not an admin (admins keep a break-glass password)."""
    if access.is_admin(user):
        return False
    return IdentityProvider.objects.filter(
        account_id=user.account_id, active=True, sso_required=True
    ).exists()
