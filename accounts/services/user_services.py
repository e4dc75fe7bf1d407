"""Users of an account: add, edit, role, welcome email and registration, password reset, delete.

Rules that are the product (docs/users.md, Rules): only User <-> Account Admin role
changes; nobody withdraws their own admin rights or deletes themselves; an account always keeps at
least one admin; welcome links are single-use, expire, and die when superseded. Nobody acts on a
user whose role is above their own, nor gives a role above their own (``access.require_manage_user``,
``access.require_grant_role``)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.access import Capability
from accounts.audit import AuditAction, audit_record
from accounts.models import Account, User, WelcomeLink
from accounts.sign_ins import sign_ins_end
from core.db import rows_insert
from core.errors import Conflict
from core.mail import email_queue, email_queue_many, email_render, email_render_many

__all__ = [
    "USER_FIELDS",
    "RegistrationLinkInvalid",
    "user_change",
    "user_create",
    "user_delete",
    "user_language_set",
    "user_password_change",
    "user_password_reset_send",
    "user_register",
    "user_role_set",
    "user_update",
    "user_welcome_resend",
    "welcome_link_resolve",
]

USER_FIELDS = ("email", "name", "first_name", "last_name", "extension", "mobile", "phone")
DUPLICATE_EMAIL = "One or more of the attribute values are already in use"  # the CloudLink API's wording
ROLE_ABOVE_YOURS = _("This role is above yours; you cannot give it.")


class DuplicateEmail(Conflict, ValidationError):
    """Another user of the account has this email (the API's 409; the form's email error)."""


def _snapshot(user: User, keys) -> dict[str, Any]:
    return {key: getattr(user, key) for key in keys}


def _check_email_free(account: Account, email: str, *, exclude_pk: int | None = None) -> None:
    taken = User.objects.for_account(account).filter(email__iexact=email)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise DuplicateEmail({"email": DUPLICATE_EMAIL}, code="duplicate")


def _full_clean(user: User) -> None:
    user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)


def _save_unique(user: User, **kwargs: Any) -> None:
    """Save; a concurrent request that took the same email first loses with the duplicate error,
    not a 500 (the database's per-account unique constraint is the final judge)."""
    try:
        with transaction.atomic():
            user.save(**kwargs)
    except IntegrityError:
        raise DuplicateEmail({"email": DUPLICATE_EMAIL}, code="duplicate") from None


# --- welcome links ---------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def welcome_url(token: str) -> str:
    return settings.PORTAL_BASE_URL + reverse("register", args=[token])


def _welcome_link_issue(user: User) -> str:
    """Supersede the user's open links and issue a new one; returns the raw token."""
    return welcome_links_issue([user])[0]


def _welcome_email(user: User, token: str):
    return email_render(
        "welcome",
        to=[user.email],
        context={
            "user": user,
            "account": user.account,
            "link": welcome_url(token),
            "days": settings.PORTAL_WELCOME_LINK_DAYS,
        },
        reader=user,
    )


def welcome_email_queue(user: User, token: str) -> None:
    email_queue(message=_welcome_email(user, token), recipient=user)


def welcome_emails_queue(users_and_tokens: list[tuple[User, str]]) -> None:
    """``welcome_email_queue`` for a batch (bulk import): rendered once per language
    (``core.mail.email_render_many``), one task sends them all."""
    link = welcome_url("\x00")  # the URL resolved once, each token written in (tokens are URL-safe)
    messages = email_render_many(
        "welcome",
        context={"days": settings.PORTAL_WELCOME_LINK_DAYS},
        recipients=[
            ([user.email], {"user": user, "account": user.account, "link": link.replace("%00", token)}, user)
            for user, token in users_and_tokens
        ],
    )
    email_queue_many(list(zip(messages, (user for user, _ in users_and_tokens), strict=True)))


@dataclass
class RegistrationLinkInvalid(Exception):
    """Why a welcome link cannot be used: ``unknown``, ``used``, ``expired``, ``superseded``, ``registered``."""

    reason: str


def welcome_link_resolve(token: str) -> WelcomeLink:
    """The usable link behind ``token``, or RegistrationLinkInvalid saying why not."""
    link = WelcomeLink.objects.select_related("user__account").filter(token_hash=_hash(token or "")).first()
    if link is None:
        raise RegistrationLinkInvalid("unknown")
    if link.used_at is not None:
        raise RegistrationLinkInvalid("used")
    if link.revoked_at is not None:
        raise RegistrationLinkInvalid("superseded")
    if link.user.is_registered:
        raise RegistrationLinkInvalid("registered")
    if link.expires_at <= timezone.now():
        raise RegistrationLinkInvalid("expired")
    if not link.user.account.is_active:
        raise RegistrationLinkInvalid("account_deactivated")
    return link


@transaction.atomic
def user_register(*, token: str, password: str) -> User:
    """Finish registration through a welcome link: set the password, verify the email, use up
    the link. The caller validated the password against Django's validators."""
    link = welcome_link_resolve(token)
    link = WelcomeLink.objects.select_for_update().select_related("user__account").get(pk=link.pk)
    if link.used_at is not None or link.revoked_at is not None:  # lost a race with another request
        raise RegistrationLinkInvalid("used")
    user = link.user
    if not user.account.is_active:
        raise RegistrationLinkInvalid("account_deactivated")
    now = timezone.now()
    link.used_at = now
    link.save(update_fields=["used_at"])
    WelcomeLink.objects.filter(user=user, used_at__isnull=True).exclude(pk=link.pk).update(revoked_at=now)
    user.set_password(password)
    user.is_registered = True
    user.email_verified = True
    user.save(update_fields=["password", "is_registered", "email_verified", "modified_at"])
    audit_record(actor=user, account=user.account, action=AuditAction.USER_REGISTERED, target=user)
    return user


# --- users -----------------------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    account: Account,
    email: str,
    role: str = User.Role.USER,
    password: str | None = None,
    source: str = User.Source.MANUAL,
    send_welcome: bool = True,
    **fields: Any,
) -> User:
    """Add a user to an account and queue their welcome email.

    With ``password`` the user is registered at once and no email is sent (createpartner,
    createuser, the demo seed). ``actor=None`` is the system (commands, PBX sync)."""
    if actor is not None:
        access.require(actor, Capability.MANAGE_USERS, account)
    unknown = set(fields) - set(USER_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown user fields: {', '.join(sorted(unknown))}.")
    email = (email or "").strip().lower()
    if not access.is_user_role(role):
        raise ValidationError({"role": f"Role must be one of {', '.join(User.Role.values)}."})
    if not access.role_fits_account(role, account):
        raise ValidationError({"role": "Partner admins belong to a partner account."})
    if actor is not None:
        access.require_grant_role(actor, role)
    user = User(
        account=account,
        email=email,
        role=role,
        source=source,
        created_by=access.acting_user(actor),
        modified_by=access.acting_user(actor),
        **fields,
    )
    if password:
        user.set_password(password)
        user.is_registered = True
        user.email_verified = True
    else:
        user.set_unusable_password()
    _full_clean(user)
    _check_email_free(account, email)
    _save_unique(user)
    audit_record(
        actor=actor,
        account=account,
        action=AuditAction.USER_CREATED,
        target=user,
        after={"email": user.email, "role": user.role, "source": user.source},
    )
    if not password and send_welcome:
        welcome_email_queue(user, _welcome_link_issue(user))
    return user


@transaction.atomic
def user_update(*, actor: User | None, user: User, **changes: Any) -> User:
    """Edit a user's contact fields. Role changes go through ``user_role_set``."""
    if actor is not None:
        access.require_manage_user(actor, user)
    unknown = set(changes) - set(USER_FIELDS)
    if unknown:
        raise ValidationError(f"These user fields cannot be changed: {', '.join(sorted(unknown))}.")
    user = User.objects.select_for_update().select_related("account").get(pk=user.pk)
    if "email" in changes:
        changes["email"] = (changes["email"] or "").strip().lower()
    before = _snapshot(user, changes)
    for key, value in changes.items():
        setattr(user, key, value)
    _full_clean(user)
    changed = [k for k in changes if before[k] != getattr(user, k)]
    if not changed:
        return user
    if "email" in changed:
        _check_email_free(user.account, user.email, exclude_pk=user.pk)
    user.modified_by = access.acting_user(actor)
    _save_unique(user)
    audit_record(
        actor=actor,
        account=user.account,
        action=AuditAction.USER_UPDATED,
        target=user,
        before={k: before[k] for k in changed},
        after=_snapshot(user, changed),
    )
    return user


@transaction.atomic
def user_language_set(*, actor: User | None, user: User, language: str) -> User:
    """Choose the console language ``user`` reads (pages and emails); blank: their account's default.
    The user themselves or an admin who manages them (``access.require_set_preferences``)."""
    if actor is not None:
        access.require_set_preferences(actor, user)
    if language not in {"", *dict(settings.LANGUAGES)}:
        raise ValidationError(
            {"language": _("The console is not available in %(language)s.") % {"language": language}}
        )
    user = User.objects.select_for_update().select_related("account").get(pk=user.pk)
    if user.language == language:
        return user
    before = user.language
    user.language = language
    user.save(update_fields=["language", "modified_at"])
    audit_record(
        actor=actor,
        account=user.account,
        action=AuditAction.USER_UPDATED,
        target=user,
        before={"language": before},
        after={"language": language},
    )
    return user


@transaction.atomic
def user_change(*, actor: User, user: User, role: str | None = None, **changes: Any) -> User:
    """Edit fields and, if ``role`` differs, grant or withdraw Account Admin, as one unit: the
    User page's Save and the API's partial PUT. A refused role change undoes the field edits.
    A user above the actor's role is refused even when nothing would change."""
    access.require_manage_user(actor, user)
    if changes:
        user = user_update(actor=actor, user=user, **changes)
    if role is not None and role != user.role:
        user = user_role_set(actor=actor, user=user, role=role)
    return user


def _lock_admins(account: Account) -> int:
    """Lock the account's admin rows and count them, so two concurrent removals cannot both
    leave the account without an admin."""
    Account.objects.select_for_update().get(pk=account.pk)
    return (
        User.objects.for_account(account).filter(role__in=access.admin_role_names(), is_active=True).count()
    )


@transaction.atomic
def user_role_set(*, actor: User, user: User, role: str) -> User:
    """Grant or withdraw Account Admin: the only role change there is (User <-> Account Admin)."""
    access.require_manage_user(actor, user)
    if not (access.is_exchangeable_role(role) and access.is_exchangeable_role(user)):
        raise ValidationError({"role": "Only User and Account Admin can be exchanged for each other."})
    access.require_grant_role(actor, role)
    if role == user.role:
        return user
    if not access.is_admin(role):
        if user.pk == actor.pk:
            raise PermissionDenied("You cannot withdraw your own admin rights.")
        if _lock_admins(user.account) <= 1:
            raise ValidationError(
                {"role": "This is the account's last admin; make someone else admin first."}
            )
    before = user.role
    user.role = role
    user.modified_by = access.acting_user(actor)
    user.save(update_fields=["role", "modified_by", "modified_at"])
    if not access.is_admin(role):  # rights withdrawn: the sign-ins made with them end
        sign_ins_end([user])
    audit_record(
        actor=actor,
        account=user.account,
        action=AuditAction.USER_ROLE_CHANGED,
        target=user,
        before={"role": before},
        after={"role": role},
    )
    return user


@transaction.atomic
def user_delete(*, actor: User, user: User) -> None:
    """Delete a user (their welcome links die with them); never yourself, never the last admin."""
    access.require_manage_user(actor, user)
    if user.pk == actor.pk:
        raise PermissionDenied("You cannot delete yourself.")
    if access.is_admin(user) and _lock_admins(user.account) <= 1:
        raise ValidationError("This is the account's last admin; make someone else admin first.")
    audit_record(
        actor=actor,
        account=user.account,
        action=AuditAction.USER_DELETED,
        target=user,
        before={"email": user.email, "role": user.role, "source": user.source},
    )
    user.delete()


@transaction.atomic
def user_welcome_resend(*, actor: User, user: User) -> None:
    """Send a new welcome email; the previous link stops working. Unregistered users only."""
    access.require_manage_user(actor, user)
    if user.is_registered:
        raise ValidationError("This user is already registered; send a password reset instead.")
    welcome_email_queue(user, _welcome_link_issue(user))
    audit_record(actor=actor, account=user.account, action=AuditAction.USER_WELCOME_SENT, target=user)


@transaction.atomic
def user_password_reset_send(*, actor: User, user: User) -> None:
    """Email a registered user a password-reset link (the admin never sees or sets a password)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    access.require_manage_user(actor, user)
    if not user.is_registered:
        raise ValidationError("This user has not registered yet; resend the welcome email instead.")
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    message = email_render(
        "password_reset_by_admin",
        to=[user.email],
        context={
            "user": user,
            "account": user.account,
            "link": settings.PORTAL_BASE_URL + path,
            "actor": actor,
        },
        reader=user,
    )
    email_queue(message=message, recipient=user)
    audit_record(actor=actor, account=user.account, action=AuditAction.USER_PASSWORD_RESET_SENT, target=user)


@transaction.atomic
def user_password_change(*, actor: User, user: User, new_password: str) -> None:
    """A person sets their own password: change while signed in, or a reset link (the form
    ran the password validators). Audited without the password, of course."""
    if actor.pk != user.pk:
        raise ValidationError("You can only change your own password.")
    user.set_password(new_password)
    user.modified_at = timezone.now()
    user.save(update_fields=["password", "modified_at"])
    sign_ins_end([user])  # every other sign-in ends; allauth re-hashes the session that changed it
    audit_record(actor=actor, account=user.account, action=AuditAction.USER_PASSWORD_CHANGED, target=user)


# --- batches (bulk import) ---------------------------------------------------------------------


def welcome_links_issue(users: list[User]) -> list[str]:
    """Supersede the users' open links and issue one new link each, in two queries; returns the
    raw tokens in the order of ``users``."""
    WelcomeLink.objects.filter(user__in=users, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return _welcome_links_add(users)


def _welcome_links_add(users: list[User]) -> list[str]:
    """One new link per user (who has no open link: new users) in one statement; the raw tokens."""
    now = timezone.now()
    tokens = [secrets.token_urlsafe(32) for _ in users]
    expires_at = now + timedelta(days=settings.PORTAL_WELCOME_LINK_DAYS)
    rows_insert(
        [
            WelcomeLink(user=user, token_hash=_hash(token), created_at=now, expires_at=expires_at)
            for user, token in zip(users, tokens, strict=True)
        ]
    )
    return tokens


@dataclass
class UserBatchResult:
    """What ``user_create_many`` did with each person, by position in its input."""

    created: dict[int, User]
    rejected: dict[int, str]  # position -> why (e.g. DUPLICATE_EMAIL)


@transaction.atomic
def user_create_many(
    *,
    actor: User | None,
    account: Account,
    people: list[dict[str, Any]],
    source: str = User.Source.IMPORT,
) -> UserBatchResult:
    """``user_create`` for a batch (bulk import): the same rules, unregistered users with a welcome
    email each, in a constant number of queries whatever the batch size (one lookup of taken
    emails, then one insert each for users, welcome links and audit events).

    Each person is a dict with ``email``, optional ``role`` and ``USER_FIELDS``. People whose
    email is already used in the account (or earlier in the batch), or who break a field rule,
    are not created but rejected with the reason."""
    from django.db.models.functions import Lower

    from accounts.audit import audit_event_build, audit_record_many

    if actor is not None:
        access.require(actor, Capability.MANAGE_USERS, account)
    emails = [(person.get("email") or "").strip().lower() for person in people]
    taken = set(
        User.objects.for_account(account)
        .annotate(email_lower=Lower("email"))
        .filter(email_lower__in=set(emails))
        .values_list("email_lower", flat=True)
    )
    result = UserBatchResult(created={}, rejected={})
    # Only what the people bring is validated; the rest is set here (source, account, defaults).
    given = {"role", *USER_FIELDS}
    exclude = [field.name for field in User._meta.concrete_fields if field.name not in given]
    for position, (person, email) in enumerate(zip(people, emails, strict=True)):
        fields = {key: value for key, value in person.items() if key in USER_FIELDS and key != "email"}
        role = person.get("role") or User.Role.USER
        if email in taken:
            result.rejected[position] = DUPLICATE_EMAIL
            continue
        if not access.is_exchangeable_role(role):
            result.rejected[position] = "Role must be User or Account Admin."
            continue
        if actor is not None and not access.can_grant_role(actor, role):
            result.rejected[position] = ROLE_ABOVE_YOURS
            continue
        user = User(
            account=account,
            email=email,
            role=role,
            source=source,
            created_by=access.acting_user(actor),
            modified_by=access.acting_user(actor),
            **fields,
        )
        # set_unusable_password() draws its 40 random characters one by one: one draw instead.
        user.password = UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)
        try:
            user.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            result.rejected[position] = "; ".join(exc.messages)
            continue
        taken.add(email)
        result.created[position] = user
    users = User.objects.bulk_create(list(result.created.values()))
    if not users:
        return result
    tokens = _welcome_links_add(users)  # new users have no link to supersede
    audit_record_many(
        [
            audit_event_build(
                actor=actor,
                account=account,
                action=AuditAction.USER_CREATED,
                target=user,
                after={"email": user.email, "role": user.role, "source": user.source},
            )
            for user in users
        ]
    )
    welcome_emails_queue(list(zip(users, tokens, strict=True)))
    return result
