"""Scoped reads shared by the console pages and the API collections."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim

from accounts import access
from accounts.access import Capability
from accounts.models import Account, AuditEvent, User

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
    qs = access.accounts_for(actor).customers().annotate(user_count=Count("users"))
    search = (search or "").strip()
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(account_number__startswith=search))
    if status in {Account.Status.ACTIVE, Account.Status.DEACTIVATED}:
        qs = qs.filter(status=status)
    return qs.order_by(*ACCOUNT_ORDERINGS.get(ordering, ACCOUNT_ORDERINGS["name"]))


def same_name_account_list(*, actor: User, account: Account) -> list[Account]:
    """The other customer accounts in the actor's scope named like ``account`` (case aside): a new
    account with a name already in use is created, with a warning naming the others."""
    return list(
        access.accounts_for(actor)
        .customers()
        .filter(name__iexact=account.name.strip())
        .exclude(pk=account.pk)
        .order_by("account_number")
    )


def api_account_list(*, actor: User) -> QuerySet[Account]:
    """Every account the actor can see through the API (partner: own + customers)."""
    return access.accounts_for(actor).select_related("parent").prefetch_related("support_contacts")


def switchable_account_list(*, actor: User) -> QuerySet[Account]:
    return (
        access.accounts_for(actor)
        .only("name", "account_number", "kind", "status")
        .order_by("-kind", Lower("name"))
    )


def audit_event_list(
    *,
    actor: User,
    account: Account,
    search: str = "",
    actor_label: str = "",
    actions: list[str] | None = None,
    since=None,
    until=None,
) -> QuerySet[AuditEvent]:
    """The account's activity, newest first: ``search`` in the actor, action, target and correlation
    id; ``actor_label`` exactly; ``actions`` any of these codes; ``since``/``until`` dates (inclusive)."""
    access.require(actor, Capability.VIEW_ACTIVITY, account)
    events = AuditEvent.objects.filter(account=account)
    search = search.strip()
    if search:
        events = events.filter(
            Q(actor_label__icontains=search)
            | Q(action__icontains=search)
            | Q(target_label__icontains=search)
            | Q(correlation_id__icontains=search)
        )
    if actor_label:
        events = events.filter(actor_label=actor_label)
    if actions:
        events = events.filter(action__in=actions)
    if since:
        events = events.filter(created_at__date__gte=since)
    if until:
        events = events.filter(created_at__date__lte=until)
    return events.order_by("-created_at", "-pk")


def audit_event_actors(*, actor: User, account: Account) -> list[str]:
    """Who acted in the account (the Activity page's actor filter)."""
    access.require(actor, Capability.VIEW_ACTIVITY, account)
    labels = AuditEvent.objects.filter(account=account).values_list("actor_label", flat=True).distinct()
    return sorted(set(labels), key=str.lower)


USER_FILTERS = {
    "admins": Q(role__in=access.admin_role_names()),
    "users": Q(role=User.Role.USER),
    "registered": Q(is_registered=True),
    "unregistered": Q(is_registered=False),
    "pbx": Q(source=User.Source.PBX),
}

USER_FILTER_GROUPS = (("admins", "users"), ("registered", "unregistered"), ("pbx",))

USER_ORDERINGS = {
    "name": (Lower("name"), Lower("first_name"), Lower("last_name"), "pk"),
    "-name": (Lower("name").desc(), Lower("first_name").desc(), Lower("last_name").desc(), "-pk"),
    "email": (Lower("email"), "pk"),
    "-email": (Lower("email").desc(), "-pk"),
    "extension": ("extension", "pk"),
    "-extension": ("-extension", "-pk"),
    "role": ("role", Lower("email")),
    "-role": ("-role", Lower("email")),
    "modified": ("modified_at", "pk"),
    "-modified": ("-modified_at", "-pk"),
}

# The name the console shows (Name, else First + Last, else the email), for the Users page's Name column.
_DISPLAY_NAME = Coalesce(
    NullIf(Lower("name"), Value("")),
    NullIf(Lower(Trim(Concat("first_name", Value(" "), "last_name"))), Value("")),
    Lower("email"),
)
USER_ORDERINGS |= {
    "display_name": (_DISPLAY_NAME.asc(), "pk"),
    "-display_name": (_DISPLAY_NAME.desc(), "-pk"),
    "registered": ("is_registered", Lower("email")),
    "-registered": ("-is_registered", Lower("email")),
    "source": ("source", Lower("email")),
    "-source": ("-source", Lower("email")),
}


def user_list(
    *,
    actor: User,
    account: Account,
    search: str = "",
    filters: list[str] | tuple = (),
    ordering: str = "email",
) -> QuerySet[User]:
    """Users of an account for the Users page and GET users: type-ahead search on name, email
    and extension; property filters (admins, users, registered, unregistered, pbx): OR within a group, AND across."""
    access.require(actor, Capability.MANAGE_USERS, account)
    qs = User.objects.for_account(account).select_related("modified_by")
    search = (search or "").strip()
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(email__icontains=search)
            | Q(extension__startswith=search)
        )
    # Chips of one group (role, registration, source) widen each other (OR); groups narrow (AND):
    # "Admins" + "Users" is everyone, "Admins" + "Registered" the registered admins.
    for group in USER_FILTER_GROUPS:
        chosen = [key for key in group if key in filters]
        if chosen:
            either = Q()
            for key in chosen:
                either |= USER_FILTERS[key]
            qs = qs.filter(either)
    return qs.order_by(*USER_ORDERINGS.get(ordering, USER_ORDERINGS["email"]))


def user_get_or_404(*, actor: User, account: Account, user_ref: object) -> User:
    """A user of ``account`` by userId (GUID) or, failing that, by email; 404 otherwise."""
    import uuid

    from django.http import Http404

    access.require(actor, Capability.MANAGE_USERS, account)
    users = User.objects.for_account(account).select_related("account")
    text = str(user_ref or "").strip()
    try:
        user = users.filter(user_id=uuid.UUID(text)).first()
    except ValueError:
        user = users.filter(email__iexact=text).first() if "@" in text else None
    if user is None:
        raise Http404("No such user in this account.")
    return user


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


def support_contact_candidate_list(*, actor: User, search: str = "", limit: int = 10) -> list[User]:
    """The first few users, in the actor's scope only, whose name or email matches ``search``:
    the suggestions of the support contacts control (nothing for an empty search)."""
    search = (search or "").strip()
    if not search:
        return []
    return list(
        User.objects.filter(access.support_contact_candidates_q(actor))
        .filter(
            Q(name__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(email__icontains=search)
        )
        .only("name", "first_name", "last_name", "email")
        .order_by(Lower("email"), "pk")[:limit]
    )
