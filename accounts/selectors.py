"""Scoped reads shared by the console pages and the API collections."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower

from . import access
from .access import Capability
from .models import Account, AuditEvent, User

ACCOUNT_ORDERINGS = {
    "name": (Lower("name").asc(), "pk"),
    "-name": (Lower("name").desc(), "-pk"),
    "number": ("account_number",),
    "-number": ("-account_number",),
    "created": ("created_at", "pk"),
    "-created": ("-created_at", "-pk"),
    "status": ("status", Lower("name").asc()),
    "-status": ("-status", Lower("name").asc()),
}


def customer_account_list(
    *, actor: User, search: str = "", status: str = "", ordering: str = "name"
) -> QuerySet[Account]:
    """Customer accounts a partner owns, filtered by a name / account-number search and status."""
    if not access.can(actor, Capability.LIST_CUSTOMER_ACCOUNTS, actor.account):
        return Account.objects.none()
    qs = Account.objects.visible_to(actor).customers().annotate(user_count=Count("users"))
    search = (search or "").strip()
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(account_number__startswith=search))
    if status in {Account.Status.ACTIVE, Account.Status.DEACTIVATED}:
        qs = qs.filter(status=status)
    return qs.order_by(*ACCOUNT_ORDERINGS.get(ordering, ACCOUNT_ORDERINGS["name"]))


def api_account_list(*, actor: User) -> QuerySet[Account]:
    """Every account the actor can see through the API (partner: own + customers)."""
    return Account.objects.visible_to(actor).select_related("parent").prefetch_related("support_contacts")


def switchable_account_list(*, actor: User) -> QuerySet[Account]:
    return (
        Account.objects.visible_to(actor)
        .only("name", "account_number", "kind", "status")
        .order_by("-kind", Lower("name"))
    )


def audit_event_list(*, actor: User, account: Account) -> QuerySet[AuditEvent]:
    access.require(actor, Capability.VIEW_ACTIVITY, account)
    return AuditEvent.objects.filter(account=account).order_by("-created_at", "-pk")


def account_user_list(*, actor: User, account: Account) -> QuerySet[User]:
    access.require(actor, Capability.MANAGE_USERS, account)
    return User.objects.for_account(account).order_by(Lower("email"))


def account_switch_search(*, actor: User, search: str = "", limit: int = 10) -> list[Account]:
    """The first few accounts in scope whose name or number matches: the account switcher's suggestions."""
    qs = switchable_account_list(actor=actor)
    search = (search or "").strip()
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(account_number__startswith=search))
    return list(qs[:limit])


def account_switch_resolve(*, actor: User, ref: str) -> Account | None:
    """The one account in scope a switcher entry means: its number or GUID, its exact name,
    or the only account whose name or number matches; None when nothing or several match."""
    ref = (ref or "").strip()
    if not ref:
        return None
    scoped = switchable_account_list(actor=actor)
    exact = scoped.by_ref(ref).first() or scoped.filter(name__iexact=ref).first()
    if exact is not None:
        return exact
    matches = account_switch_search(actor=actor, search=ref, limit=2)
    return matches[0] if len(matches) == 1 else None


def api_account_collection(*, actor: User) -> QuerySet[Account]:
    """GET /accounts of the Admin API: a partner admin's customer accounts (as on the console's
    Accounts page); for anyone else who may view their account, just that account; a USER: 403."""
    access.require(actor, Capability.VIEW_ACCOUNT, actor.account)
    accounts = api_account_list(actor=actor)
    if access.can(actor, Capability.LIST_CUSTOMER_ACCOUNTS, actor.account):
        return accounts.customers()
    return accounts.filter(pk=actor.account_id)
