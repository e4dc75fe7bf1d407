"""Third-party applications: register (partner), approve / reject / block (operator), rotate the
secret, deploy into a customer account. Secrets are shown once and stored hashed."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import access
from accounts.access import Capability
from accounts.audit import audit_record
from accounts.models import Account, User

from .models import Application, ApplicationDeployment

__all__ = [
    "application_approve",
    "application_block",
    "application_deploy",
    "application_for_client",
    "application_register",
    "application_reject",
    "application_secret_rotate",
    "application_secret_verify",
]

_validate_url = URLValidator(schemes=["http", "https"])


def _clean_redirect_uris(uris: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for uri in uris or []:
        uri = (uri or "").strip()
        if not uri:
            continue
        try:
            _validate_url(uri)
        except ValidationError as exc:
            raise ValidationError({"redirect_uris": f"{uri!r} is not a valid http(s) URL."}) from exc
        if "#" in uri:
            raise ValidationError({"redirect_uris": f"{uri!r}: a redirect URI cannot contain a fragment."})
        if uri not in cleaned:
            cleaned.append(uri)
    return cleaned


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
    client_type: str = Application.ClientType.CONFIDENTIAL,
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
    if Application.objects.filter(mitel_app__iexact=app.mitel_app).exists():
        raise ValidationError({"mitel_app": "Another application already sends this x-mitel-app value."})
    try:
        with transaction.atomic():
            app.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"mitel_app": "Another application already sends this x-mitel-app value."}
        ) from exc
    audit_record(
        actor=actor, account=partner, action="application.registered", target=app, after=_snapshot(app)
    )
    return app


def _new_secret(app: Application) -> str | None:
    if not app.is_confidential:
        app.client_secret_hash = ""
        return None
    secret = secrets.token_urlsafe(32)
    app.client_secret_hash = make_password(secret)
    app.secret_rotated_at = timezone.now()
    return secret


@transaction.atomic
def application_approve(*, actor: User | None, application: Application) -> tuple[Application, str | None]:
    """Operator approval: issues the client ID and, for confidential clients, a secret that is
    returned here once and never again. ``actor=None`` is the approveapp command."""
    if actor is not None:
        access.require_operator(actor)
    app = Application.objects.select_for_update().get(pk=application.pk)
    if app.status == Application.Status.APPROVED:
        raise ValidationError("This application is already approved; rotate its secret instead.")
    before = _snapshot(app)
    app.status = Application.Status.APPROVED
    app.status_reason = ""
    app.client_id = app.client_id or uuid.uuid4().hex
    secret = _new_secret(app) if not app.client_secret_hash else None
    app.reviewed_by, app.reviewed_at = actor, timezone.now()
    app.save()
    audit_record(
        actor=actor,
        account=app.owner,
        action="application.approved",
        target=app,
        before=before,
        after=_snapshot(app),
    )
    return app, secret


@transaction.atomic
def application_reject(*, actor: User, application: Application, reason: str) -> Application:
    access.require_operator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the partner a reason for the rejection."})
    return _set_status(
        actor=actor, application=application, status=Application.Status.REJECTED, reason=reason
    )


@transaction.atomic
def application_block(*, actor: User, application: Application, reason: str = "") -> Application:
    """Block an application: its tokens and requests (by x-mitel-app) are refused from now on."""
    access.require_operator(actor)
    return _set_status(actor=actor, application=application, status=Application.Status.BLOCKED, reason=reason)


def _set_status(*, actor: User, application: Application, status: str, reason: str) -> Application:
    app = Application.objects.select_for_update().get(pk=application.pk)
    before = _snapshot(app)
    app.status, app.status_reason = status, reason
    app.reviewed_by, app.reviewed_at = actor, timezone.now()
    app.save()
    audit_record(
        actor=actor,
        account=app.owner,
        action=f"application.{status}",
        target=app,
        before=before,
        after=_snapshot(app) | {"reason": reason},
    )
    return app


@transaction.atomic
def application_secret_rotate(*, actor: User, application: Application) -> str:
    """A new client secret (shown once); the old one stops working at once."""
    access.require(actor, Capability.MANAGE_APPLICATIONS, application.owner)
    app = Application.objects.select_for_update().get(pk=application.pk)
    if app.status != Application.Status.APPROVED or not app.is_confidential:
        raise ValidationError("Only approved confidential applications have a secret to rotate.")
    secret = _new_secret(app)
    app.save(update_fields=["client_secret_hash", "secret_rotated_at"])
    audit_record(actor=actor, account=app.owner, action="application.secret_rotated", target=app)
    return secret


def application_for_client(client_id: str) -> Application | None:
    """The approved application with this client ID, or None (pending, rejected, blocked, unknown)."""
    if not client_id:
        return None
    return Application.objects.filter(client_id=client_id, status=Application.Status.APPROVED).first()


def application_secret_verify(application: Application, secret: str) -> bool:
    return bool(application.client_secret_hash) and check_password(
        secret or "", application.client_secret_hash
    )


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
) -> ApplicationDeployment:
    """Enable (or update, or deactivate with ``active=False``) an approved application in a
    customer account: the console's Integrations -> Third party, and PUT /applications/{clientId}."""
    access.require(actor, Capability.MANAGE_INTEGRATIONS, account)
    if account.is_partner:
        raise ValidationError(
            "Applications are deployed to customer accounts, not to the partner's own account."
        )
    if application.status != Application.Status.APPROVED:
        raise ValidationError("Only approved applications can be deployed.")
    uris = _clean_redirect_uris(redirect_uris) if redirect_uris is not None else None
    if uris is not None and application.redirect_uris and not set(uris) <= set(application.redirect_uris):
        raise ValidationError(
            {"redirect_uris": "Redirect URIs must be among those registered for the application."}
        )
    deployment, created = ApplicationDeployment.objects.select_for_update().get_or_create(
        application=application, account=account, defaults={"created_by": actor}
    )
    before = {"active": deployment.active, "name": deployment.name, "redirect_uris": deployment.redirect_uris}
    deployment.active = active
    deployment.name = (name or deployment.name or application.name).strip()
    deployment.description = description if description else deployment.description
    if uris is not None:
        deployment.redirect_uris = uris
    deployment.save()
    after = {"active": deployment.active, "name": deployment.name, "redirect_uris": deployment.redirect_uris}
    if created or before != after:
        audit_record(
            actor=actor,
            account=account,
            action="application.deployed" if created else "application.deployment_changed",
            target=application,
            before={} if created else before,
            after=after,
        )
    return deployment
