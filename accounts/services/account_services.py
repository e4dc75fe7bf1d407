"""Accounts and their support contacts. Called by the HTML views, the API, management
commands and tasks alike; each re-checks permission and writes its audit row."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from accounts import access, extensions
from accounts.access import Capability
from accounts.audit import AuditAction, audit_record
from accounts.models import MAX_SUPPORT_CONTACTS, Account, SupportContact, User, generate_account_number
from accounts.services.sign_in_policy_services import account_sign_in_policy_set
from accounts.sign_ins import sign_ins_end

__all__ = [
    "account_activate",
    "account_change",
    "account_create",
    "account_deactivate",
    "account_delete",
    "account_update",
    "partner_create",
    "support_contact_add",
    "support_contact_remove",
    "support_contacts_set",
]

ACCOUNT_FIELDS = (
    "name",
    "country",
    "province_state",
    "address",
    "city",
    "postal_code",
    "default_language",
    "business_type",
)


def account_snapshot(account: Account) -> dict[str, Any]:
    data = {field: getattr(account, field) for field in ACCOUNT_FIELDS}
    data["status"] = account.status
    return data


def too_many_support_contacts(count: int) -> str:
    return f"At most {MAX_SUPPORT_CONTACTS} support contacts are allowed; {count} were given."


def _clean_contacts(emails: Iterable[str]) -> list[str]:
    """The distinct emails (lower case), at most ``MAX_SUPPORT_CONTACTS`` of them: a longer list is
    refused before any email is checked or stored."""
    wanted: dict[str, str] = {}  # email -> as sent
    for raw in emails:
        email = (raw or "").strip().lower()
        if email:
            wanted.setdefault(email, raw)
    if len(wanted) > MAX_SUPPORT_CONTACTS:
        raise ValidationError({"support_contacts": too_many_support_contacts(len(wanted))})
    for email, raw in wanted.items():
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ValidationError({"support_contacts": f"{raw!r} is not a valid email address."}) from exc
    return list(wanted)


def _full_clean(instance: Account | User, exclude: list[str] | None = None) -> None:
    instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


def _unique_account_number() -> str:
    for _ in range(20):
        number = generate_account_number()
        if not Account.objects.filter(account_number=number).exists():
            return number
    raise RuntimeError("Could not find a free account number")


@transaction.atomic
def partner_create(*, actor: User | None, name: str, country: str = "US", **fields: Any) -> Account:
    """Create a partner (reseller) account. Only operators and the createpartner command call this."""
    if actor is not None and not actor.is_staff:
        raise ValidationError("Only platform operators create partner accounts.")
    account = Account(kind=Account.Kind.PARTNER, name=name, country=country, **fields)
    account.account_number = _unique_account_number()
    _full_clean(account)
    account.save()
    audit_record(
        actor=actor, account=account, action=AuditAction.ACCOUNT_CREATED, after=account_snapshot(account)
    )
    return account


@transaction.atomic
def account_create(
    *, actor: User, partner: Account, support_contacts: Iterable[str], **fields: Any
) -> Account:
    """Create a customer account under ``partner`` with at least one support contact."""
    access.require(actor, Capability.CREATE_CUSTOMER_ACCOUNTS, partner)
    unknown = set(fields) - set(ACCOUNT_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown account fields: {', '.join(sorted(unknown))}.")
    contacts = _clean_contacts(support_contacts)
    account = Account(
        kind=Account.Kind.CUSTOMER,
        parent=partner,
        created_by=access.acting_user(actor),
        modified_by=access.acting_user(actor),
        **fields,
    )
    account.account_number = _unique_account_number()
    errors: dict[str, list[str]] = {}
    try:
        _full_clean(account, exclude=["parent"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not contacts:
        errors.setdefault("support_contacts", []).append("Add at least one support contact email.")
    if errors:
        raise ValidationError(errors)
    account.save()
    SupportContact.objects.bulk_create(SupportContact(account=account, email=e) for e in contacts)
    after = account_snapshot(account) | {"support_contacts": contacts}
    audit_record(actor=actor, account=account, action=AuditAction.ACCOUNT_CREATED, after=after)
    audit_record(
        actor=actor, account=partner, action=AuditAction.CUSTOMER_ACCOUNT_CREATED, target=account, after=after
    )
    return account


@transaction.atomic
def account_update(*, actor: User, account: Account, **changes: Any) -> Account:
    """Edit the customer information fields. Unchanged fields are not audited."""
    access.require(actor, Capability.EDIT_ACCOUNT, account)
    unknown = set(changes) - set(ACCOUNT_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    account = Account.objects.select_for_update().get(pk=account.pk)
    before = {k: getattr(account, k) for k in changes}
    for key, value in changes.items():
        setattr(account, key, value)
    _full_clean(account, exclude=["parent"])
    after = {k: getattr(account, k) for k in changes}
    changed = {k for k in changes if before[k] != after[k]}
    if not changed:
        return account
    account.modified_by = access.acting_user(actor)
    account.save()
    audit_record(
        actor=actor,
        account=account,
        action=AuditAction.ACCOUNT_UPDATED,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return account


@transaction.atomic
def support_contact_add(*, actor: User, account: Account, email: str) -> SupportContact:
    access.require(actor, Capability.EDIT_ACCOUNT, account)
    (email,) = _clean_contacts([email]) or [""]
    if not email:
        raise ValidationError({"email": "Enter an email address."})
    # Lock the account row so two concurrent additions cannot both pass the count check.
    Account.objects.select_for_update().get(pk=account.pk)
    if account.support_contacts.filter(email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a support contact."})
    if account.support_contacts.count() >= MAX_SUPPORT_CONTACTS:
        raise ValidationError(
            {
                "email": f"An account has at most {MAX_SUPPORT_CONTACTS} support contacts; "
                "remove one before adding another."
            }
        )
    try:
        with transaction.atomic():
            contact = SupportContact.objects.create(account=account, email=email)
    except IntegrityError as exc:
        raise ValidationError({"email": f"{email} is already a support contact."}) from exc
    audit_record(
        actor=actor,
        account=account,
        action=AuditAction.SUPPORT_CONTACT_ADDED,
        target=contact,
        after={"email": email},
    )
    return contact


@transaction.atomic
def support_contact_remove(*, actor: User, account: Account, contact_id: int) -> None:
    access.require(actor, Capability.EDIT_ACCOUNT, account)
    # Lock the account row so two concurrent removals cannot both pass the last-contact check.
    Account.objects.select_for_update().get(pk=account.pk)
    contact = SupportContact.objects.for_account(account).filter(pk=contact_id).first()
    if contact is None:
        raise ValidationError({"contact": "That support contact no longer exists."})
    if SupportContact.objects.for_account(account).count() <= 1:
        raise ValidationError({"contact": "An account needs at least one support contact."})
    contact.delete()
    audit_record(
        actor=actor,
        account=account,
        action=AuditAction.SUPPORT_CONTACT_REMOVED,
        target=contact,
        before={"email": contact.email},
    )


def _require_typed(confirmation: str, word: str) -> None:
    if (confirmation or "").strip().lower() != word:
        raise ValidationError({"confirmation": f"Type {word} to confirm."})


@transaction.atomic
def account_deactivate(*, actor: User, account: Account, confirmation: str) -> Account:
    """Deactivate a customer account: its users can no longer sign in or use tokens."""
    access.require(actor, Capability.MANAGE_ACCOUNT_LIFECYCLE, account)
    _require_typed(confirmation, "deactivate")
    return _set_status(actor=actor, account=account, status=Account.Status.DEACTIVATED)


@transaction.atomic
def account_activate(*, actor: User, account: Account) -> Account:
    access.require(actor, Capability.MANAGE_ACCOUNT_LIFECYCLE, account)
    return _set_status(actor=actor, account=account, status=Account.Status.ACTIVE)


def _set_status(*, actor: User, account: Account, status: str) -> Account:
    account = Account.objects.select_for_update().get(pk=account.pk)
    if account.status == status:
        return account
    before = account.status
    account.status = status
    account.modified_by = access.acting_user(actor)
    account.save(update_fields=["status", "modified_by", "modified_at"])
    if status == Account.Status.DEACTIVATED:  # for good: activating again does not revive them
        sign_ins_end(User.objects.for_account(account))
    active = status == Account.Status.ACTIVE
    audit_record(
        actor=actor,
        account=account,
        action=AuditAction.ACCOUNT_ACTIVATED if active else AuditAction.ACCOUNT_DEACTIVATED,
        before={"status": before},
        after={"status": status},
    )
    return account


@transaction.atomic
def account_delete(*, actor: User, account: Account, confirmation: str) -> None:
    """Delete a customer account with its users. The partner's own account cannot be deleted.

    The audit rows survive (their account link is nulled); the deletion itself is recorded
    on the partner account with a snapshot of what was deleted."""
    if account.is_partner:
        raise ValidationError("A partner account cannot be deleted.")
    access.require(actor, Capability.MANAGE_ACCOUNT_LIFECYCLE, account)
    _require_typed(confirmation, "delete")
    snapshot = account_snapshot(account) | {
        "account_id": str(account.account_id),
        "account_number": account.account_number,
        "users": account.users.count(),
    }
    partner = account.parent
    audit_record(actor=actor, account=account, action=AuditAction.ACCOUNT_DELETED, before=snapshot)
    audit_record(
        actor=actor,
        account=partner,
        action=AuditAction.CUSTOMER_ACCOUNT_DELETED,
        target=account,
        before=snapshot,
    )
    account.delete()


@transaction.atomic
def support_contacts_set(*, actor: User, account: Account, emails: Iterable[str]) -> None:
    """Make the account's support contacts exactly ``emails`` (one audit row per add/remove)."""
    access.require(actor, Capability.EDIT_ACCOUNT, account)
    wanted = _clean_contacts(emails)
    if not wanted:
        raise ValidationError({"support_contacts": "Add at least one support contact email."})
    current = {contact.email.lower(): contact for contact in SupportContact.objects.for_account(account)}
    removals = [contact for email, contact in current.items() if email not in wanted]
    additions = [email for email in wanted if email not in current]
    # Removals first, so the list never grows past the cap; when every current contact goes, the
    # last one leaves right after the first addition (an account never has none).
    last = removals.pop() if removals and len(removals) == len(current) else None
    for contact in removals:
        support_contact_remove(actor=actor, account=account, contact_id=contact.pk)
    for email in additions:
        support_contact_add(actor=actor, account=account, email=email)
        if last is not None:
            support_contact_remove(actor=actor, account=account, contact_id=last.pk)
            last = None


@transaction.atomic
def account_change(
    *,
    actor: User,
    account: Account,
    fields: dict[str, Any] | None = None,
    support_contacts: Iterable[str] | None = None,
    active: bool | None = None,
    policy: dict[str, bool] | None = None,
) -> Account:
    """Apply an API-style partial update as one unit: fields, contact list, privileges
    (``policy`` with the API names ``allowGuestAccess`` / ``allowProxyAuthentication``, through
    the integrations privilege rules, and ``adminsRequireSecondFactor``, the sign-in policy) and status all succeed or none does (e.g. an account admin's
    ``active: false`` is refused with 403 and their field edits in the same request are undone).
    Unchanged values are no-ops, so a client may send back what it read. Returns the account
    read again once every part is saved."""
    if fields:
        account = account_update(actor=actor, account=account, **fields)
    if support_contacts is not None:
        support_contacts_set(actor=actor, account=account, emails=support_contacts)
    policy = dict(policy or {})
    second_factor = policy.pop("adminsRequireSecondFactor", None)
    if second_factor is not None and second_factor != account.admins_require_second_factor:
        account = account_sign_in_policy_set(
            actor=actor, account=account, admins_require_second_factor=second_factor
        )
    if policy:
        current = {
            "allowGuestAccess": account.allow_guest_access,
            "allowProxyAuthentication": account.delegated_authentication,
        }
        changed = {key: value for key, value in policy.items() if current.get(key) != value}
        if changed:
            account = extensions.policy_set(actor=actor, account=account, values=changed)
    if active is not None and active != account.is_active:
        if active:
            account = account_activate(actor=actor, account=account)
        else:
            account = account_deactivate(actor=actor, account=account, confirmation="deactivate")
    # As the change leaves it (each step above saved its part; the contacts are rows of their own).
    return Account.objects.select_related("parent").get(pk=account.pk)
