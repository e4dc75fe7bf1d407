"""Every change to an account's gateway, PBX, SIP trunk and setup wizard, and the connect job's work.

Rules (docs/gateway.md):

* One gateway per customer account, none on a partner's own account; one PBX per gateway.
* The wizard's state is a ``GatewaySetup`` row: each step's validated values, and the step to resume
  at. Connect applies the wizard's values to the gateway and its PBX and starts a connect job.
* A connect job (``gateways.tasks.gateway_connect_task``) runs ``csta.check_connection`` against the PBX
  and records each step; success marks the gateway connected (and monitored), sets the account's PBX
  type and closes the wizard; a failure records the actionable error on the job and the gateway.
* The periodic re-check (``gateway_recheck_run``) does the same for monitored gateways, without a job.
* Secrets (CSTA and trunk passwords) are write-only: a blank value keeps the stored one, and no
  snapshot in the audit trail contains them.

Every service called by a person re-checks ``Capability.MANAGE_GATEWAY`` and writes one audit row per
change, inside the change's transaction. Enqueueing happens on commit.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import access
from accounts.access import Capability
from accounts.audit import audit_record
from accounts.models import Account, User
from core.jobs import enqueue
from gateways import wizard
from gateways.forms import DEFAULT_GATEWAY_USERNAME
from gateways.models import ConnectJob, Gateway, GatewaySetup, Pbx, PbxType, SipTrunk
from gateways.pbx import csta

logger = logging.getLogger(__name__)

PARTNER_ACCOUNT_MESSAGE = (
    "A gateway connects a customer's PBX: it can't be added to a partner account. Open one of your "
    "customer accounts and add the gateway there."
)
NO_GATEWAY_MESSAGE = "This account has no gateway yet."
NO_PBX_MESSAGE = "Configure the gateway's PBX before connecting."
JOB_RUNNING_MESSAGE = "A connection check is already running for this gateway: wait for its result."
# A job not finished after this long is taken as lost (its worker died): another may start.
STALE_JOB_AFTER = timedelta(minutes=2)
DISCONNECTED_BY_ADMIN = "Disconnected by an administrator: the gateway is no longer re-checked."


def csta_timeout() -> float:
    return float(getattr(settings, "PORTAL_GATEWAY_CSTA_TIMEOUT", csta.DEFAULT_TIMEOUT))


# --- snapshots (audit before/after; never a secret) ---------------------------------------------------


def gateway_snapshot(gateway: Gateway | None) -> dict[str, Any]:
    if gateway is None:
        return {}
    return {
        "name": gateway.name,
        "serial_number": gateway.serial_number,
        "mac_address": gateway.mac_address,
        "network": gateway.network,
        "ip_address": gateway.ip_address or "",
        "subnet_mask": gateway.subnet_mask or "",
        "default_gateway": gateway.default_gateway or "",
        "dns_servers": list(gateway.dns_servers),
        "internal_dns_server": gateway.internal_dns_server or "",
        "status": gateway.status,
    }


def pbx_snapshot(pbx: Pbx | None) -> dict[str, Any]:
    if pbx is None:
        return {}
    return {
        "type": pbx.type,
        "name": pbx.name,
        "host": pbx.host,
        "csta_port": pbx.csta_port,
        "csta_user": pbx.csta_user,
        "csta_password_set": bool(pbx.csta_password),
    }


def trunk_snapshot(trunk: SipTrunk) -> dict[str, Any]:
    return {
        "address": trunk.address,
        "port": trunk.port,
        "transport": trunk.transport,
        "description": trunk.description,
        "pbx_username": trunk.pbx_username,
        "pbx_password_set": bool(trunk.pbx_password),
        "gateway_username": trunk.gateway_username,
        "gateway_password_set": bool(trunk.gateway_password),
        "gsm_deploy_number": trunk.gsm_deploy_number,
    }


# --- helpers ---------------------------------------------------------------------------------------------


def _require(actor: User | None, account: Account) -> None:
    access.require(actor, Capability.MANAGE_GATEWAY, account)
    if account.is_partner:
        raise ValidationError(PARTNER_ACCOUNT_MESSAGE, code="partner_account")


def _lock(account: Account) -> Account:
    """Lock the account row: changes to one account's gateway run one at a time."""
    return Account.objects.select_for_update().get(pk=account.pk)


def _gateway(account: Account) -> Gateway:
    gateway = Gateway.objects.filter(account=account).select_related("pbx", "trunk").first()
    if gateway is None:
        raise ValidationError(NO_GATEWAY_MESSAGE, code="no_gateway")
    return gateway


def _pbx(gateway: Gateway) -> Pbx | None:
    return Pbx.objects.filter(gateway=gateway).first()


def _apply_gateway(gateway: Gateway, values: dict[str, Any]) -> None:
    for name in ("name", "serial_number", "mac_address", "network", "dns_servers"):
        setattr(gateway, name, values[name])
    for name in ("ip_address", "subnet_mask", "default_gateway", "internal_dns_server"):
        setattr(gateway, name, values.get(name) or None)


def _gateway_save(
    *, actor: User | None, account: Account, customer: dict[str, Any], values: dict[str, Any]
) -> tuple[Gateway, bool]:
    """Create or update the account's gateway from Customer and Gateway step values."""
    gateway = Gateway.objects.filter(account=account).first()
    created = gateway is None
    before = gateway_snapshot(gateway)
    if created:
        gateway = Gateway(account=account, created_by=actor)
    _apply_gateway(gateway, values)
    gateway.customer = customer
    gateway.save()
    if created:
        SipTrunk.objects.create(
            gateway=gateway, address=gateway.ip_address or "", gateway_username=DEFAULT_GATEWAY_USERNAME
        )
    after = gateway_snapshot(gateway)
    if created or before != after:
        audit_record(
            actor=actor,
            account=account,
            action="gateway.created" if created else "gateway.updated",
            target=gateway,
            before=before,
            after=after,
        )
    return gateway, created


def _pbx_save(*, actor: User | None, gateway: Gateway, values: dict[str, Any], password: str) -> Pbx:
    """Create or update the gateway's one PBX; a blank ``password`` keeps the stored one."""
    pbx = _pbx(gateway)
    before = pbx_snapshot(pbx)
    created = pbx is None
    pbx = pbx or Pbx(gateway=gateway)
    for name in ("type", "name", "host", "csta_port", "csta_user"):
        setattr(pbx, name, values[name])
    if password:
        pbx.csta_password = password
    pbx.save()
    after = pbx_snapshot(pbx)
    if created or before != after or password:
        audit_record(
            actor=actor,
            account=gateway.account,
            action="gateway_pbx.created" if created else "gateway_pbx.updated",
            target=gateway,
            before=before,
            after=after | ({"csta_password_changed": True} if password and not created else {}),
        )
    return pbx


def _running_job(gateway: Gateway) -> ConnectJob | None:
    return (
        ConnectJob.objects.filter(
            gateway=gateway, status__in=[ConnectJob.Status.PENDING, ConnectJob.Status.RUNNING]
        )
        .filter(created_at__gte=timezone.now() - STALE_JOB_AFTER)
        .first()
    )


def _job_start(*, actor: User | None, gateway: Gateway, kind: str) -> ConnectJob:

    pbx = _pbx(gateway)
    if pbx is None:
        raise ValidationError(NO_PBX_MESSAGE, code="no_pbx")
    if _running_job(gateway) is not None:
        raise ValidationError(JOB_RUNNING_MESSAGE, code="job_running")
    job = ConnectJob.objects.create(
        account=gateway.account,
        gateway=gateway,
        kind=kind,
        created_by=actor,
        target=f"{pbx.host}:{pbx.csta_port}",
    )
    audit_record(
        actor=actor,
        account=gateway.account,
        action="gateway.check_started",
        target=gateway,
        after={"job": str(job.job_id), "kind": kind, "target": job.target},
    )
    enqueue("gateways.tasks.gateway_connect_task", job.pk)
    return job


# --- the wizard --------------------------------------------------------------------------------------------


@transaction.atomic
def gateway_setup_step_submit(
    *, actor: User, account: Account, step: str, values: dict[str, Any], pbx_password: str = ""
) -> GatewaySetup:
    """Store one step's validated values (a step form's ``values()``) and move the wizard on.

    The wizard resumes at the furthest step reached; a step can be submitted again once reached."""
    _require(actor, account)
    _lock(account)
    if step not in wizard.FORM_STEPS:
        raise ValidationError(f"“{step}” is not a step with values.", code="invalid_step")
    setup = GatewaySetup.objects.filter(account=account).first()
    if not wizard.reachable(setup, step):
        raise ValidationError("Complete the earlier steps first.", code="step_not_reached")
    created = setup is None
    if created:
        setup = GatewaySetup(account=account, created_by=actor)
    setup.data = {**setup.data, step: values}
    if step == GatewaySetup.Step.PBX and pbx_password:
        setup.pbx_password = pbx_password
    following = wizard.next_step(step)
    if wizard.index(following) > wizard.index(setup.step):
        setup.step = following
    setup.modified_by = actor
    setup.save()
    audit_record(
        actor=actor,
        account=account,
        action="gateway_setup.step_saved",
        target=setup,
        after={"step": step, "values": values, "resume_at": setup.step},
    )
    return setup


@transaction.atomic
def gateway_setup_connect(*, actor: User, account: Account) -> ConnectJob:
    """The Connect step: apply the wizard's values to the gateway and its PBX, then start a connect job."""
    _require(actor, account)
    _lock(account)
    setup = GatewaySetup.objects.filter(account=account).first()
    if setup is None or setup.step != GatewaySetup.Step.CONNECT:
        raise ValidationError("Complete the Customer, Gateway and PBX steps first.", code="step_not_reached")
    missing = [wizard.TITLES[s] for s in wizard.FORM_STEPS if s not in setup.data]
    if missing:
        raise ValidationError(f"Complete these steps first: {', '.join(missing)}.", code="step_not_reached")
    gateway, _ = _gateway_save(
        actor=actor, account=account, customer=setup.data["customer"], values=setup.data["gateway"]
    )
    _pbx_save(actor=actor, gateway=gateway, values=setup.data["pbx"], password=setup.pbx_password)
    if setup.pbx_password:  # the PBX holds it now; the wizard keeps no copy
        setup.pbx_password = ""
        setup.save(update_fields=["pbx_password", "modified_at"])
    return _job_start(actor=actor, gateway=gateway, kind=ConnectJob.Kind.CONNECT)


@transaction.atomic
def gateway_setup_cancel(*, actor: User, account: Account) -> None:
    """Forget the wizard's state (the configured gateway, if any, is kept)."""
    _require(actor, account)
    deleted, _ = GatewaySetup.objects.filter(account=account).delete()
    if deleted:
        audit_record(actor=actor, account=account, action="gateway_setup.cancelled")


# --- the gateway, its PBX and trunk (API and gateway page) -------------------------------------------------


@transaction.atomic
def gateway_create(
    *, actor: User, account: Account, customer: dict[str, Any], values: dict[str, Any]
) -> Gateway:
    """Add the account's gateway (the API's POST; the wizard's Connect does the same)."""
    _require(actor, account)
    _lock(account)
    if Gateway.objects.filter(account=account).exists():
        raise GatewayConflict("This account already has a gateway: one gateway per customer account.")
    gateway, _ = _gateway_save(actor=actor, account=account, customer=customer, values=values)
    return gateway


@transaction.atomic
def gateway_update(
    *, actor: User, account: Account, customer: dict[str, Any], values: dict[str, Any]
) -> Gateway:
    _require(actor, account)
    _lock(account)
    _gateway(account)
    gateway, _ = _gateway_save(actor=actor, account=account, customer=customer, values=values)
    return gateway


@transaction.atomic
def pbx_set(*, actor: User, account: Account, values: dict[str, Any], password: str = "") -> Pbx:
    """Set the gateway's one PBX (a PbxForm's ``values()``); a blank password keeps the stored one."""
    _require(actor, account)
    _lock(account)
    gateway = _gateway(account)
    pbx = _pbx(gateway)
    from gateways.models import PBX_NEEDS_CREDENTIALS

    if values["type"] in PBX_NEEDS_CREDENTIALS and not password and not (pbx and pbx.csta_password):
        raise ValidationError(
            {"csta_password": f"{PbxType(values['type']).label} needs the CSTA user's password."}
        )
    return _pbx_save(actor=actor, gateway=gateway, values=values, password=password)


@transaction.atomic
def trunk_update(
    *, actor: User, account: Account, values: dict[str, Any], secrets: dict[str, str]
) -> SipTrunk:
    """Save the SIP trunk section (a SipTrunkForm's ``values()`` and ``secrets()``: blank keeps)."""
    _require(actor, account)
    _lock(account)
    gateway = _gateway(account)
    trunk, _ = SipTrunk.objects.get_or_create(gateway=gateway)
    before = trunk_snapshot(trunk)
    for name, value in values.items():
        setattr(trunk, name, value)
    for name in ("pbx_password", "gateway_password"):
        if secrets.get(name):
            setattr(trunk, name, secrets[name])
    trunk.save()
    after = trunk_snapshot(trunk)
    changed_secrets = sorted(name for name in secrets if secrets[name])
    if before != after or changed_secrets:
        audit_record(
            actor=actor,
            account=account,
            action="gateway_trunk.updated",
            target=gateway,
            before=before,
            after=after | ({"passwords_changed": changed_secrets} if changed_secrets else {}),
        )
    return trunk


@transaction.atomic
def gateway_check_start(*, actor: User, account: Account) -> ConnectJob:
    """Re-check: connect to the PBX again now (the gateway page's Re-check and the API's POST checks)."""
    _require(actor, account)
    _lock(account)
    gateway = _gateway(account)
    kind = ConnectJob.Kind.RECHECK if gateway.connected_at else ConnectJob.Kind.CONNECT
    return _job_start(actor=actor, gateway=gateway, kind=kind)


@transaction.atomic
def gateway_disconnect(*, actor: User, account: Account) -> Gateway:
    """Mark the gateway disconnected and stop re-checking it (Re-check connects it again)."""
    _require(actor, account)
    _lock(account)
    gateway = _gateway(account)
    before = gateway_snapshot(gateway)
    gateway.status = Gateway.Status.DISCONNECTED
    gateway.monitored = False
    gateway.last_error_code = "disconnected"
    gateway.last_error = DISCONNECTED_BY_ADMIN
    gateway.save(update_fields=["status", "monitored", "last_error_code", "last_error", "modified_at"])
    audit_record(
        actor=actor,
        account=account,
        action="gateway.disconnected",
        target=gateway,
        before=before,
        after=gateway_snapshot(gateway),
    )
    return gateway


@transaction.atomic
def gateway_remove(*, actor: User, account: Account) -> None:
    """Remove the gateway, its PBX, trunk, jobs and wizard state; the account no longer shows a PBX type."""
    _require(actor, account)
    account = _lock(account)
    gateway = _gateway(account)
    before = gateway_snapshot(gateway) | {"pbx": pbx_snapshot(_pbx(gateway))}
    gateway.delete()
    GatewaySetup.objects.filter(account=account).delete()
    if account.pbx_type:
        Account.objects.filter(pk=account.pk).update(pbx_type="")
    audit_record(actor=actor, account=account, action="gateway.removed", before=before)


class GatewayConflict(ValidationError):
    """The account has a gateway already (the API answers 409)."""


# --- the connect job and the periodic re-check (no person: called by tasks) ------------------------------


def _apply_result(
    gateway_id: int, *, actor: User | None, error: csta.CstaError | None, pbx: Pbx, kind: str
) -> Gateway:
    """Record a check's outcome on the gateway (and the account's PBX type). Audits status changes."""
    now = timezone.now()
    gateway = Gateway.objects.select_for_update().select_related("account").get(pk=gateway_id)
    before = gateway_snapshot(gateway)
    gateway.last_check_at = now
    if error is None:
        if gateway.status != Gateway.Status.CONNECTED:
            gateway.connected_at = now
        gateway.status, gateway.monitored = Gateway.Status.CONNECTED, True
        gateway.last_error_code, gateway.last_error = "", ""
    else:
        gateway.status = Gateway.Status.DISCONNECTED
        gateway.last_error_code, gateway.last_error = error.code, str(error)
    gateway.save()
    account = gateway.account
    pbx_type = PbxType(pbx.type).label
    if error is None and account.pbx_type != pbx_type:
        Account.objects.filter(pk=account.pk).update(pbx_type=pbx_type)
    if error is None and kind == ConnectJob.Kind.CONNECT:
        GatewaySetup.objects.filter(account=account).delete()
    if before["status"] != gateway.status or kind != "periodic":
        audit_record(
            actor=actor,
            account=account,
            action="gateway.connected" if error is None else "gateway.connection_failed",
            target=gateway,
            before={"status": before["status"]},
            after={
                "status": gateway.status,
                "target": f"{pbx.host}:{pbx.csta_port}",
                "check": kind,
                **({"error_code": error.code, "error": str(error)} if error else {"pbx_type": pbx_type}),
            },
        )
    return gateway


def _check(pbx: Pbx, progress=None) -> tuple[csta.ConnectCheck | None, csta.CstaError | None]:
    try:
        result = csta.check_connection(
            pbx.host,
            pbx.csta_port,
            user=pbx.csta_user,
            password=pbx.csta_password,
            timeout=csta_timeout(),
            progress=progress,
        )
    except csta.CstaError as exc:
        return None, exc
    return result, None


def gateway_connect_run(job_id: int) -> ConnectJob | None:
    """Run a connect job: check the PBX over CSTA, recording each step on the job row as it begins (each
    write commits, so the polling page sees it), then record the outcome. A finished job is left alone."""
    with transaction.atomic():
        job = ConnectJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return job
        job.status, job.started_at = ConnectJob.Status.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
    pbx = Pbx.objects.filter(gateway_id=job.gateway_id).first()
    if pbx is None:
        return gateway_connect_fail(job_id=job_id, code="no_pbx", error=NO_PBX_MESSAGE)
    log: list[dict[str, str]] = []

    def progress(step: str) -> None:
        log.append({"step": step, "at": timezone.now().isoformat()})
        ConnectJob.objects.filter(pk=job_id).update(step=step, log=list(log))

    result, error = _check(pbx, progress)
    with transaction.atomic():
        job = ConnectJob.objects.select_for_update().get(pk=job_id)
        job.finished_at = timezone.now()
        job.log = log
        if error is None:
            job.status, job.step = ConnectJob.Status.CONNECTED, ConnectJob.Step.DONE
            job.protocol_version = result.session.protocol_version
        else:
            job.status, job.error_code, job.error = ConnectJob.Status.FAILED, error.code, str(error)
        job.save()
        _apply_result(job.gateway_id, actor=job.created_by, error=error, pbx=pbx, kind=job.kind)
    return job


def gateway_connect_fail(*, job_id: int, code: str = "internal", error: str) -> ConnectJob | None:
    """Mark a job failed (the task's last resort: a crash, a time limit)."""
    with transaction.atomic():
        job = ConnectJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return job
        job.status, job.error_code, job.error = ConnectJob.Status.FAILED, code, error
        job.finished_at = timezone.now()
        job.save()
        audit_record(
            actor=job.created_by,
            account=job.account,
            action="gateway.connection_failed",
            target=job.gateway,
            after={"error_code": code, "error": error, "check": job.kind},
        )
    return job


def gateway_recheck_run(gateway_id: int) -> Gateway | None:
    """The periodic re-check of one monitored gateway: connect, query, close; record the outcome. Only a
    change of status is audited (a gateway that stays connected writes nothing but its last check)."""
    gateway = Gateway.objects.filter(pk=gateway_id, monitored=True).first()
    pbx = Pbx.objects.filter(gateway_id=gateway_id).first() if gateway else None
    if gateway is None or pbx is None:
        return None
    _, error = _check(pbx)
    with transaction.atomic():
        return _apply_result(gateway_id, actor=None, error=error, pbx=pbx, kind="periodic")
