"""Third-party applications: register (partner), approve / reject / block / delete (operator),
rotate the secret, deploy into a customer account. Secrets are shown once and stored hashed.

The ``x-mitel-app`` header is self-declared: it only counts requests towards the approved
application of that name. Refusing an application is done on its *authenticated* client
(``oauth.grants``): its client ID at /token and the tokens issued to it."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.access import Capability
from accounts.audit import AuditAction, audit_record
from accounts.models import Account, User
from core.errors import Conflict
from oauth.models import Application, ApplicationDeployment, ApplicationUsage
from oauth.refresh import refresh_families_revoke_for_client

__all__ = [
    "RESERVED_MITEL_APP_NAMES",
    "ApplicationNotActive",
    "MitelAppTaken",
    "application_approve",
    "application_block",
    "application_delete",
    "application_deploy",
    "application_for_client",
    "application_counted_for_mitel_app",
    "application_register",
    "application_reject",
    "application_resolve",
    "application_secret_rotate",
    "application_secret_verify",
    "application_usage_count",
    "mitel_app_name",
]

_validate_url = URLValidator(schemes=["http", "https"])

# What an application may register as its x-mitel-app name: the part before ``/<version>``.
MITEL_APP_NAME = re.compile(r"^[A-Za-z0-9@][A-Za-z0-9@._+ -]{0,99}$")
MITEL_APP_NAME_HELP = _(
    "Letters, digits, spaces and . _ - + @ (no / ; or =): the name before /<version> in x-mitel-app."
)

# Names that many unrelated callers send, so no partner may register them (compared without
# case): this portal's own Python client (cloudlink/, ``default_mitel_app``; a test checks
# it stays listed), Mitel's Postman collection and Mitel's Node samples.
RESERVED_MITEL_APP_NAMES = frozenset(
    {
        "cloudlink-python",
        "br-appregistry",
        "authentication-sample-code",
        "chat-sample-code",
        "notification-sample-code",
        "media-sample-code",
    }
)


class ApplicationNotActive(Conflict, ValidationError):
    """Only an approved application can be deployed (the API's 409 ``ApplicationNotActive``)."""

    name = "ApplicationNotActive"


class MitelAppTaken(Conflict, ValidationError):
    """An approved application already uses this x-mitel-app name (the API's 409). ``holder``
    (that application) is named for operators only."""

    def __init__(self, name: str, holder: Application | None = None):
        who = (
            f"Another approved application, {holder.name} (#{holder.pk}),"
            if holder
            else "Another approved application"
        )
        message = f"{who} already uses the x-mitel-app name {name!r}; approved names are unique."
        super().__init__({"mitel_app": message})


def _approved_with_name(name: str):
    return Application.objects.alias(key=Lower("mitel_app")).filter(
        key=name.lower(), status=Application.Status.APPROVED
    )


MAX_REDIRECT_URIS = 10
MAX_REDIRECT_URI_LENGTH = 2000
MAX_DESCRIPTION_LENGTH = 2000


def _clean_redirect_uris(uris: Iterable[str]) -> list[str]:
    """The distinct http(s) URIs, at most ``MAX_REDIRECT_URIS`` of at most ``MAX_REDIRECT_URI_LENGTH``
    characters each (a longer list is refused before any URI is checked)."""
    given = list(dict.fromkeys(uri.strip() for uri in uris or [] if uri and uri.strip()))
    if len(given) > MAX_REDIRECT_URIS:
        raise ValidationError(
            {
                "redirect_uris": f"At most {MAX_REDIRECT_URIS} redirect URIs are allowed; {len(given)} were given."
            }
        )
    for uri in given:
        if len(uri) > MAX_REDIRECT_URI_LENGTH:
            raise ValidationError(
                {"redirect_uris": f"A redirect URI has at most {MAX_REDIRECT_URI_LENGTH} characters."}
            )
        try:
            _validate_url(uri)
        except ValidationError as exc:
            raise ValidationError({"redirect_uris": f"{uri!r} is not a valid http(s) URL."}) from exc
        if "#" in uri:
            raise ValidationError({"redirect_uris": f"{uri!r}: a redirect URI cannot contain a fragment."})
    return given


def _snapshot(app: Application) -> dict[str, Any]:
    return {
        "name": app.name,
        "status": app.status,
        "client_id": app.client_id,
        "client_type": app.client_type,
        "mitel_app": app.mitel_app,
        "redirect_uris": app.redirect_uris,
    }


@transaction.atomic
def application_register(
    *,
    actor: User,
    partner: Account,
    name: str,
    contact_email: str,
    mitel_app: str,
    description: str = "",
    redirect_uris: Iterable[str] = (),
    client_type: str = Application.ClientType.PUBLIC,
) -> Application:
    """A partner registers an application; it stays pending until an operator approves it."""
    access.require(actor, Capability.MANAGE_APPLICATIONS, partner)
    app = Application(
        owner=partner,
        name=(name or "").strip(),
        description=(description or "").strip(),
        contact_email=(contact_email or "").strip().lower(),
        mitel_app=(mitel_app or "").strip(),
        redirect_uris=_clean_redirect_uris(redirect_uris),
        client_type=client_type,
        created_by=actor,
    )
    app.full_clean(exclude=["client_id"], validate_unique=False, validate_constraints=False)
    if not MITEL_APP_NAME.match(app.mitel_app):
        raise ValidationError({"mitel_app": MITEL_APP_NAME_HELP})
    if app.mitel_app.lower() in RESERVED_MITEL_APP_NAMES:
        raise ValidationError(
            {"mitel_app": f"The x-mitel-app name {app.mitel_app!r} is reserved: many other clients send it."}
        )
    # Only an approved application holds its name; pending ones may share it until one is approved.
    if _approved_with_name(app.mitel_app).exists():
        raise MitelAppTaken(app.mitel_app)
    app.save()
    audit_record(
        actor=actor,
        account=partner,
        action=AuditAction.APPLICATION_REGISTERED,
        target=app,
        after=_snapshot(app),
    )
    return app


def _new_secret(app: Application) -> str | None:
    if not app.is_confidential:
        app.client_secret_hash = ""
        return None
    secret = secrets.token_urlsafe(32)
    app.client_secret_hash = client_secret_hash(secret)
    app.secret_rotated_at = timezone.now()
    return secret


@transaction.atomic
def application_approve(
    *, actor: User | None, application: Application, issue_secret: bool = True
) -> tuple[Application, str | None]:
    """Operator approval: issues the client ID and, for confidential clients without a secret
    yet, a secret that is returned here once and never again. ``actor=None`` is the approveapp
    command (which prints it). The operator page passes ``issue_secret=False``: the operator
    never sees the partner's secret; the partner generates it on the application's page.
    Approving a blocked application again keeps its client ID and secret (but not the sign-ins
    that blocking revoked). Refused while another approved application uses the same
    x-mitel-app name; two approvals racing for one name leave exactly one approved."""
    if actor is not None:
        access.require_operator(actor)
    app = Application.objects.select_for_update().get(pk=application.pk)
    if app.status == Application.Status.APPROVED:
        raise ValidationError(_("This application is already approved; rotate its secret instead."))
    holder = _approved_with_name(app.mitel_app).first()
    if holder is not None:
        raise MitelAppTaken(holder.mitel_app, holder)
    before = _snapshot(app)
    app.status = Application.Status.APPROVED
    app.status_reason = ""
    app.client_id = app.client_id or uuid.uuid4().hex
    secret = _new_secret(app) if issue_secret and not app.client_secret_hash else None
    app.reviewed_by, app.reviewed_at = actor, timezone.now()
    try:
        with transaction.atomic():  # the partial unique index settles a race the check above lost
            app.save()
    except IntegrityError as exc:
        raise MitelAppTaken(app.mitel_app) from exc
    audit_record(
        actor=actor,
        account=app.owner,
        action=AuditAction.APPLICATION_APPROVED,
        target=app,
        before=before,
        after=_snapshot(app),
    )
    return app, secret


@transaction.atomic
def application_reject(*, actor: User, application: Application, reason: str) -> Application:
    """Only a pending application is rejected (an approved one is blocked instead)."""
    access.require_operator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the partner a reason for the rejection."})
    if application.status != Application.Status.PENDING:
        raise ValidationError(_("Only pending applications can be rejected; block an approved one."))
    return _set_status(
        actor=actor, application=application, status=Application.Status.REJECTED, reason=reason
    )


@transaction.atomic
def application_block(*, actor: User, application: Application, reason: str = "") -> Application:
    """Block an application: its client ID is refused at /token and every token issued to it
    (its own, and the users' tokens of its authorization-code flow) on the next request. The
    sign-ins it obtained are revoked, so approving it again does not revive them."""
    access.require_operator(actor)
    if application.status == Application.Status.BLOCKED:
        raise ValidationError(_("This application is already blocked."))
    app = _set_status(
        actor=actor, application=application, status=Application.Status.BLOCKED, reason=(reason or "").strip()
    )
    if app.client_id:
        refresh_families_revoke_for_client(app.client_id)
    return app


@transaction.atomic
def application_delete(*, actor: User, application: Application) -> None:
    """An operator deletes a registration in any state, with its deployments and usage counts.
    Its client ID stops working at once (tokens issued to it included); the audit trail of the
    partner and of every customer account it was deployed to keeps what it was."""
    access.require_operator(actor)
    app = Application.objects.select_for_update().select_related("owner").get(pk=application.pk)
    before = _snapshot(app)
    customers = [d.account for d in app.deployments.select_related("account").order_by("account_id")]
    for account in [app.owner, *customers]:
        audit_record(
            actor=actor, account=account, action=AuditAction.APPLICATION_DELETED, target=app, before=before
        )
    if app.client_id:
        refresh_families_revoke_for_client(app.client_id)
    app.delete()


_STATUS_ACTIONS = {
    Application.Status.REJECTED: AuditAction.APPLICATION_REJECTED,
    Application.Status.BLOCKED: AuditAction.APPLICATION_BLOCKED,
}


def _set_status(*, actor: User, application: Application, status: str, reason: str) -> Application:
    app = Application.objects.select_for_update().get(pk=application.pk)
    before = _snapshot(app)
    app.status, app.status_reason = status, reason
    app.reviewed_by, app.reviewed_at = actor, timezone.now()
    app.save()
    audit_record(
        actor=actor,
        account=app.owner,
        action=_STATUS_ACTIONS[status],
        target=app,
        before=before,
        after=_snapshot(app) | {"reason": reason},
    )
    return app


@transaction.atomic
def application_secret_rotate(*, actor: User, application: Application) -> str:
    """A new client secret (shown once); the old one stops working at once. Also how the partner
    gets the first secret of an application the operator approved on the operator page."""
    access.require(actor, Capability.MANAGE_APPLICATIONS, application.owner)
    app = Application.objects.select_for_update().get(pk=application.pk)
    if app.status != Application.Status.APPROVED or not app.is_confidential:
        raise ValidationError(_("Only approved confidential applications have a secret to rotate."))
    secret = _new_secret(app)
    app.save(update_fields=["client_secret_hash", "secret_rotated_at"])
    audit_record(actor=actor, account=app.owner, action=AuditAction.APPLICATION_SECRET_ROTATED, target=app)
    application.client_secret_hash, application.secret_rotated_at = (
        app.client_secret_hash,
        app.secret_rotated_at,
    )
    return secret


def application_resolve(ref: str) -> Application | None:
    """The application an operator names on the command line: its client ID, its registration
    number (``id``; pending applications have no client ID yet) or its x-mitel-app name (the
    approved one of that name, else the only one; several unapproved ones: ValidationError)."""
    ref = (ref or "").strip()
    if not ref:
        return None
    app = Application.objects.filter(client_id=ref).first()
    if app is None and ref.isdigit() and len(ref) < 19:
        app = Application.objects.filter(pk=int(ref)).first()
    if app is None:
        app = _approved_with_name(ref).first()
    if app is None:
        named = list(Application.objects.alias(key=Lower("mitel_app")).filter(key=ref.lower())[:2])
        if len(named) > 1:
            raise ValidationError(
                f"Several applications registered the x-mitel-app name {ref!r}: "
                "give the registration number (#id on the operator page) instead."
            )
        app = named[0] if named else None
    return app


def application_for_client(client_id: str) -> Application | None:
    """The approved application with this client ID, or None (pending, rejected, blocked, unknown)."""
    if not client_id:
        return None
    return Application.objects.filter(client_id=client_id, status=Application.Status.APPROVED).first()


SECRET_DIGEST = "sha256$"


def client_secret_hash(secret: str) -> str:
    """How a client secret is stored: its SHA-256. A secret is 256 random bits (never a
    person's password), so no dictionary attack applies and a slow password hash would only
    make every client_credentials grant slow."""
    return SECRET_DIGEST + hashlib.sha256(secret.encode()).hexdigest()


def application_secret_verify(application: Application, secret: str) -> bool:
    """``secret`` is the application's; secrets stored before ``client_secret_hash`` (Django
    password hashes) still verify."""
    stored = application.client_secret_hash
    if not stored:
        return False
    if stored.startswith(SECRET_DIGEST):
        return hmac.compare_digest(stored, client_secret_hash(secret or ""))
    return check_password(secret or "", stored)


def _deployment_redirect_uris(uris: Iterable[str]) -> list[str]:
    """The account's own redirect URIs, saved as given (CloudLink's examples send placeholders
    such as ``"string"``): distinct, at most ``MAX_REDIRECT_URIS`` of at most
    ``MAX_REDIRECT_URI_LENGTH`` characters. Whether one is a usable URL is checked when /authorize
    uses it (``oauth.grants.redirect_uri_check``)."""
    given = list(dict.fromkeys(uri.strip() for uri in uris or [] if uri and uri.strip()))
    if len(given) > MAX_REDIRECT_URIS:
        raise ValidationError(
            {
                "redirect_uris": f"At most {MAX_REDIRECT_URIS} redirect URIs are allowed; {len(given)} were given."
            }
        )
    if any(len(uri) > MAX_REDIRECT_URI_LENGTH for uri in given):
        raise ValidationError(
            {"redirect_uris": f"A redirect URI has at most {MAX_REDIRECT_URI_LENGTH} characters."}
        )
    return given


def _deployment_snapshot(deployment: ApplicationDeployment) -> dict[str, Any]:
    return {
        "active": deployment.active,
        "name": deployment.name,
        "redirect_uris": deployment.redirect_uris,
        "role": deployment.role,
    }


@transaction.atomic
def application_deploy(
    *,
    actor: User,
    account: Account,
    application: Application,
    active: bool = True,
    name: str = "",
    description: str = "",
    redirect_uris: Iterable[str] | None = None,
    role: str | None = None,
) -> ApplicationDeployment:
    """Enable (or update, or deactivate with ``active=False``) an approved application in a
    customer account: the console's Integrations -> Third party, and PUT /applications/{clientId}.
    ``redirect_uris`` are the account's own (saved as given); ``role`` is what the application's
    own token may do there (USER, the default, or ACCOUNT_ADMIN; never above the actor's role)."""
    access.require(actor, Capability.MANAGE_INTEGRATIONS, account)
    if application.status != Application.Status.APPROVED:
        raise ApplicationNotActive(
            f"The application is {application.get_status_display().lower()} and cannot be deployed."
        )
    if account.is_partner:
        raise ValidationError(
            "Applications are deployed to customer accounts, not to the partner's own account."
        )
    if role is not None:
        if role not in ApplicationDeployment.Role.values:
            raise ValidationError({"role": "role must be USER or ACCOUNT_ADMIN."})
        access.require_grant_role(actor, role)
    uris = _deployment_redirect_uris(redirect_uris) if redirect_uris is not None else None
    deployment, created = ApplicationDeployment.objects.select_for_update().get_or_create(
        application=application, account=account, defaults={"created_by": access.acting_user(actor)}
    )
    before = _deployment_snapshot(deployment)
    deployment.active = active
    deployment.name = (name or deployment.name or application.name).strip()
    deployment.description = description if description else deployment.description
    if uris is not None:
        deployment.redirect_uris = uris
    if role is not None:
        deployment.role = role
    deployment.save()
    after = _deployment_snapshot(deployment)
    if created or before != after:
        audit_record(
            actor=actor,
            account=account,
            action=AuditAction.APPLICATION_DEPLOYED
            if created
            else AuditAction.APPLICATION_DEPLOYMENT_CHANGED,
            target=application,
            before={} if created else before,
            after=after,
        )
    return deployment


# --- x-mitel-app usage counting ------------------------------------------------------------------


def mitel_app_name(header: str) -> str:
    """The application name in an ``x-mitel-app`` header, read leniently: ``app=<Name>/<version>;...``,
    ``<Name>/<version>;platform=...;`` or a bare ``<Name>``. Empty when there is none."""
    parts = [part.strip() for part in (header or "").split(";")]
    value = ""
    for part in parts:
        key, sep, rest = part.partition("=")
        if sep and key.strip().lower() == "app":
            value = rest
            break
    else:
        value = next((part for part in parts if part and "=" not in part.split("/", 1)[0]), "")
    return value.split("/", 1)[0].strip()


def application_counted_for_mitel_app(header: str) -> Application | None:
    """The approved application an ``x-mitel-app`` header names (case-insensitively), whose usage
    the request counts towards; None for any other name. Never a refusal: the header is
    self-declared, so a registration in any state changes nothing for the callers that send its
    name. One query on the partial unique index of approved names."""
    name = mitel_app_name(header)
    if not name:
        return None
    return _approved_with_name(name).only("pk", "status", "mitel_app", "client_id", "owner_id").first()


def application_usage_count(application_id: int, day=None) -> None:
    """Count one request of an application today: one UPDATE (F() + 1), an INSERT on the first
    request of the day (racing inserts fall back to the UPDATE)."""
    day = day or timezone.localdate()
    rows = ApplicationUsage.objects.filter(application_id=application_id, day=day)
    if rows.update(requests=F("requests") + 1):
        return
    try:
        with transaction.atomic():
            ApplicationUsage.objects.create(application_id=application_id, day=day, requests=1)
    except IntegrityError:
        rows.update(requests=F("requests") + 1)
