"""PBX users (issue 5): the PBX side pushes its users, and Synchronize reconciles the PBX's full
list with the account's PBX users (``source=pbx``). See docs/pbx-users.md.

* ``pbx_user_push`` adds one PBX user (the API's ``POST .../users`` with ``"source": "PBX"``):
  email, extension and a first or last name required; welcome email as for any user.
* ``pbx_sync_preview`` computes the plan for a full list without writing anything: users to
  create, to update (name, extension, email; deactivated ones come back), to remove, and the
  problems (invalid rows, conflicts). ``pbx_sync_apply`` computes the plan again against the
  current state, under a lock on the account, and carries it out. Applying the same list twice
  changes nothing the second time.

Matching: a listed user is the account's PBX user with the same email, else the one with the same
extension (so a changed extension or a changed email is an update, not a new user). Users gone
from the PBX are deactivated, not deleted: nothing is lost, they cannot sign in, and they come
back as they were when the PBX lists them again. A listed email that belongs to a user who did
not come from the PBX is a conflict: that user is left alone (never taken over). The actor and
the account's last active admin are never deactivated, and a user whose role is above the actor's
is neither changed nor deactivated (a conflict).

Database work is batched (one lookup of the PBX users, one of conflicting emails, then bulk
inserts / updates of ``BATCH_SIZE`` rows, audit events included), so the queries grow with the
number of batches, not of users.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts import access
from accounts.access import Capability
from accounts.audit import AuditAction, audit_event_build, audit_record, audit_record_many
from accounts.models import Account, User, WelcomeLink
from accounts.services.user_services import (
    DUPLICATE_EMAIL,
    user_create,
    user_create_many,
    welcome_email_queue,
    welcome_links_issue,
)
from accounts.sign_ins import sign_ins_end
from core.errors import Conflict
from gateways.pbx_users import parse as pbx

__all__ = [
    "PbxSyncPlan",
    "PbxSyncPlanChanged",
    "pbx_sync_apply",
    "pbx_sync_preview",
    "pbx_user_push",
]

BATCH_SIZE = 500
SYNC_FIELDS = ("email", "extension", "first_name", "last_name")
NOT_FROM_PBX = gettext_noop("Already used by a user who was not added by the PBX; that user is left as is")
KEEP_SELF = gettext_noop("Not in the PBX list, but you cannot deactivate yourself")
KEEP_LAST_ADMIN = gettext_noop("Not in the PBX list, but it is the account's last admin")
ABOVE_YOUR_ROLE = gettext_noop("This user's role is above yours; that user is left as is")


@dataclass(frozen=True)
class SyncProblem:
    """Why a listed user (``number`` > 0) or an existing user (``number`` None) is left as is."""

    kind: str  # "invalid" (the row) or "conflict" (with the account's users)
    message: str
    number: int | None
    email: str
    extension: str


@dataclass
class PlannedUpdate:
    user: User
    entry: pbx.PbxEntry
    changes: dict[str, tuple[Any, Any]]  # field -> (now, after); ``is_active`` when coming back

    @property
    def reactivates(self) -> bool:
        return "is_active" in self.changes


@dataclass
class PbxSyncPlan:
    """What synchronizing a list does (preview) or did (``applied``)."""

    account: Account
    entries: list[pbx.PbxEntry]
    creates: list[pbx.PbxEntry] = field(default_factory=list)
    updates: list[PlannedUpdate] = field(default_factory=list)
    removals: list[User] = field(default_factory=list)
    unchanged: int = 0
    errors: list[SyncProblem] = field(default_factory=list)
    conflicts: list[SyncProblem] = field(default_factory=list)
    applied: bool = False

    @property
    def counts(self) -> dict[str, int]:
        return {
            "listed": len(self.entries),
            "create": len(self.creates),
            "update": len(self.updates),
            "remove": len(self.removals),
            "unchanged": self.unchanged,
            "errors": len(self.errors),
            "conflicts": len(self.conflicts),
        }

    @property
    def has_changes(self) -> bool:
        return bool(self.creates or self.updates or self.removals)

    @property
    def digest(self) -> str:
        """Names the plan's changes: apply with the preview's digest to refuse a plan that changed."""
        canonical = {
            "create": sorted((e.email, e.extension, e.first_name, e.last_name, e.role) for e in self.creates),
            "update": sorted(
                (str(u.user.user_id), sorted((k, str(a), str(b)) for k, (a, b) in u.changes.items()))
                for u in self.updates
            ),
            "remove": sorted(str(user.user_id) for user in self.removals),
        }
        return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()[:32]


class PbxSyncPlanChanged(Conflict):
    """The account changed since the preview: ``plan`` is the new one, nothing was applied."""

    def __init__(self, plan: PbxSyncPlan) -> None:
        super().__init__("The PBX users changed since the preview; check the new plan and apply it again.")
        self.plan = plan


# --- push --------------------------------------------------------------------------------------


@transaction.atomic
def pbx_user_push(
    *,
    actor: User,
    account: Account,
    email: str,
    extension: str = "",
    first_name: str = "",
    last_name: str = "",
    role: str = User.Role.USER,
    **fields: Any,
) -> User:
    """Add one user pushed by the PBX (source PBX), with the welcome email. The PBX's rules: an
    email, an extension not used by another active PBX user, a first or last name, and at most
    ``pbx.MAX_USERS`` active PBX users in the account."""
    access.require(actor, Capability.MANAGE_USERS, account)
    Account.objects.select_for_update().filter(pk=account.pk).values_list("pk").get()
    email = (email or "").strip().lower()
    extension = (extension or "").strip()
    errors: dict[str, list[str]] = {}
    for key, problem in pbx.user_problems(email, extension, first_name or "", last_name or ""):
        errors.setdefault(key, []).append(problem)
    if errors:
        raise ValidationError(errors)
    active = _pbx_users(account).filter(is_active=True)
    holder = active.filter(extension=extension).exclude(email__iexact=email).first()
    if holder is not None:
        raise ValidationError(
            {"extension": f"Extension {extension} is already used by PBX user {holder.email}."}
        )
    if active.count() >= pbx.MAX_USERS:
        raise ValidationError({"users": pbx.too_many_message(active.count() + 1)}, code="too_many_users")
    return user_create(
        actor=actor,
        account=account,
        email=email,
        role=role,
        source=User.Source.PBX,
        extension=extension,
        first_name=first_name or "",
        last_name=last_name or "",
        **fields,
    )


# --- synchronize -------------------------------------------------------------------------------


def pbx_sync_preview(*, actor: User, account: Account, users: Any) -> PbxSyncPlan:
    """The plan for the PBX's full list ``users`` (rows as ``pbx.entries_from_rows`` reads them);
    writes nothing. A list that cannot be read or has too many users raises ValidationError
    on ``users``."""
    access.require(actor, Capability.MANAGE_USERS, account)
    return _plan(actor, account, _entries(users))


def pbx_sync_apply(
    *, actor: User, account: Account, users: Any, expected_digest: str | None = None
) -> PbxSyncPlan:
    """Synchronize: plan again against the current state and carry it out, in one transaction.

    With ``expected_digest`` (the preview's ``digest``) a plan that differs from the preview is
    not applied: PbxSyncPlanChanged carries the new plan."""
    access.require(actor, Capability.MANAGE_USERS, account)
    entries = _entries(users)  # a refused list writes nothing, not even a lock
    with transaction.atomic():
        Account.objects.select_for_update().filter(pk=account.pk).values_list("pk").get()
        plan = _plan(actor, account, entries)
        if expected_digest and plan.digest != expected_digest:
            raise PbxSyncPlanChanged(plan)
        if plan.has_changes:
            _execute(actor, plan)
        plan.applied = True
    return plan


def _entries(users: Any) -> list[pbx.PbxEntry]:
    try:
        return pbx.entries_from_rows(users)
    except pbx.PbxListError as exc:
        raise ValidationError({"users": str(exc)}, code=exc.code) from None


def _pbx_users(account: Account):
    return User.objects.for_account(account).filter(source=User.Source.PBX)


def _plan(actor: User, account: Account, entries: list[pbx.PbxEntry]) -> PbxSyncPlan:
    plan = PbxSyncPlan(account=account, entries=entries)
    existing = list(_pbx_users(account).order_by("pk"))
    by_email = {user.email.lower(): user for user in existing}
    by_extension: dict[str, list[User]] = {}
    for user in existing:
        if user.extension:
            by_extension.setdefault(user.extension, []).append(user)
    taken_elsewhere = _emails_of_other_users(
        account, [e.email for e in entries if e.email and e.email not in by_email]
    )

    # Every listed user claims its existing PBX user (by email, else by extension), even a row
    # with errors: the PBX still has that person, so they are neither removed nor changed.
    match: dict[int, User] = {}
    claimed: set[int] = set()
    for entry in entries:
        user = by_email.get(entry.email) if entry.email else None
        if user is not None:
            match[entry.number] = user
            claimed.add(user.pk)
    for entry in entries:
        if entry.number in match or not entry.extension:
            continue
        user = next((u for u in by_extension.get(entry.extension, ()) if u.pk not in claimed), None)
        if user is not None:
            match[entry.number] = user
            claimed.add(user.pk)

    for entry in entries:
        if not entry.is_valid:
            plan.errors.append(_problem("invalid", "; ".join(entry.errors), entry))
            continue
        if entry.email in taken_elsewhere:
            plan.conflicts.append(_problem("conflict", gettext(NOT_FROM_PBX), entry))
            continue
        user = match.get(entry.number)
        if user is None:
            plan.creates.append(entry)
            continue
        if access.role_is_above(user.role, actor):
            plan.conflicts.append(_problem("conflict", gettext(ABOVE_YOUR_ROLE), entry))
            continue
        changes = {
            name: (getattr(user, name), getattr(entry, name))
            for name in SYNC_FIELDS
            if getattr(user, name) != getattr(entry, name)
        }
        if not user.is_active:
            changes["is_active"] = (False, True)
        if changes:
            plan.updates.append(PlannedUpdate(user=user, entry=entry, changes=changes))
        else:
            plan.unchanged += 1

    gone = [user for user in existing if user.pk not in claimed and user.is_active]
    admins_left = _active_admin_count(account) if any(access.is_admin(u) for u in gone) else 0
    for user in gone:
        if user.pk == actor.pk:
            plan.conflicts.append(
                SyncProblem("conflict", gettext(KEEP_SELF), None, user.email, user.extension)
            )
        elif access.role_is_above(user.role, actor):
            plan.conflicts.append(
                SyncProblem("conflict", gettext(ABOVE_YOUR_ROLE), None, user.email, user.extension)
            )
        elif access.is_admin(user) and admins_left <= 1:
            plan.conflicts.append(
                SyncProblem("conflict", gettext(KEEP_LAST_ADMIN), None, user.email, user.extension)
            )
        else:
            admins_left -= access.is_admin(user)
            plan.removals.append(user)
    return plan


def _problem(kind: str, message: str, entry: pbx.PbxEntry) -> SyncProblem:
    return SyncProblem(kind, message, entry.number, entry.email, entry.extension)


def _emails_of_other_users(account: Account, emails: list[str], chunk: int = BATCH_SIZE) -> set[str]:
    """Which of ``emails`` (lowercase) the account's users who are not PBX users have."""
    wanted = sorted(set(emails))
    found: set[str] = set()
    for start in range(0, len(wanted), chunk):
        found.update(
            User.objects.for_account(account)
            .exclude(source=User.Source.PBX)
            .annotate(email_lower=Lower("email"))
            .filter(email_lower__in=wanted[start : start + chunk])
            .values_list("email_lower", flat=True)
        )
    return found


def _active_admin_count(account: Account) -> int:
    return (
        User.objects.for_account(account).filter(role__in=access.admin_role_names(), is_active=True).count()
    )


def _execute(actor: User, plan: PbxSyncPlan) -> None:
    account = plan.account
    now = timezone.now()
    events = []
    if plan.creates:
        result = user_create_many(
            actor=actor,
            account=account,
            people=[
                {
                    "email": e.email,
                    "role": e.role,
                    "extension": e.extension,
                    "first_name": e.first_name,
                    "last_name": e.last_name,
                }
                for e in plan.creates
            ],
            source=User.Source.PBX,
        )
        for position, reason in result.rejected.items():  # only a race can get here: we hold the lock
            entry = plan.creates[position]
            message = gettext(NOT_FROM_PBX) if reason == DUPLICATE_EMAIL else reason
            plan.conflicts.append(_problem("conflict", message, entry))
        plan.creates = [plan.creates[position] for position in result.created]

    if plan.updates:
        changed_fields = {"modified_by", "modified_at"}
        for update in plan.updates:
            for name, (_, after) in update.changes.items():
                setattr(update.user, name, after)
                changed_fields.add(name)
            update.user.modified_by, update.user.modified_at = actor, now
            events.append(
                audit_event_build(
                    actor=actor,
                    account=account,
                    action=AuditAction.USER_REACTIVATED if update.reactivates else AuditAction.USER_UPDATED,
                    target=update.user,
                    before={name: before for name, (before, _) in update.changes.items()},
                    after={name: after for name, (_, after) in update.changes.items()},
                )
            )
        User.objects.bulk_update(
            [u.user for u in plan.updates], sorted(changed_fields), batch_size=BATCH_SIZE
        )
        # Users who come back unregistered get a new welcome email (their link died with the removal).
        back = [u.user for u in plan.updates if u.reactivates and not u.user.is_registered]
        for start in range(0, len(back), BATCH_SIZE):
            batch = back[start : start + BATCH_SIZE]
            for user, token in zip(batch, welcome_links_issue(batch), strict=True):
                welcome_email_queue(user, token)

    if plan.removals:
        for user in plan.removals:
            user.is_active, user.modified_by, user.modified_at = False, actor, now
            events.append(
                audit_event_build(
                    actor=actor,
                    account=account,
                    action=AuditAction.USER_DEACTIVATED,
                    target=user,
                    before={"is_active": True},
                    after={"is_active": False, "reason": "Not in the PBX's user list"},
                )
            )
        User.objects.bulk_update(
            plan.removals, ["is_active", "modified_by", "modified_at"], batch_size=BATCH_SIZE
        )
        for start in range(0, len(plan.removals), BATCH_SIZE):
            sign_ins_end(plan.removals[start : start + BATCH_SIZE])
            WelcomeLink.objects.filter(
                user__in=plan.removals[start : start + BATCH_SIZE],
                used_at__isnull=True,
                revoked_at__isnull=True,
            ).update(revoked_at=now)

    for start in range(0, len(events), BATCH_SIZE):
        audit_record_many(events[start : start + BATCH_SIZE])
    audit_record(
        actor=actor,
        account=account,
        action=AuditAction.PBX_USERS_SYNCHRONIZED,
        after={
            key: value
            for key, value in plan.counts.items()
            if key in ("listed", "create", "update", "remove")
        },
    )
