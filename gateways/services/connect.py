"""The connect job and the periodic re-check: connect to the PBX over CSTA, record each step and
the outcome.

A connect job (``gateways.tasks.gateway_connect_task``) runs ``csta.check_connection`` against the
PBX and records each step; success marks the gateway connected (and monitored), sets the account's
PBX type and closes the wizard; a failure records the actionable error on the job and the gateway.
The periodic re-check (``gateway_recheck_run``) does the same for monitored gateways, without a job.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import AuditAction, audit_record
from accounts.models import Account, User
from core.jobs import enqueue
from gateways.models import ConnectJob, Gateway, GatewaySetup, Pbx, PbxType
from gateways.pbx import csta
from gateways.services.gateway import (
    NO_PBX_MESSAGE,
    gateway_of,
    gateway_snapshot,
    lock_account,
    pbx_of,
    require_manager,
)

JOB_RUNNING_MESSAGE = "A connection check is already running for this gateway: wait for its result."
# A job not finished after this long is taken as lost (its worker died): another may start.
STALE_JOB_AFTER = timedelta(minutes=2)


def csta_timeout() -> float:
    return float(getattr(settings, "PORTAL_GATEWAY_CSTA_TIMEOUT", csta.DEFAULT_TIMEOUT))


def _running_job(gateway: Gateway) -> ConnectJob | None:
    return (
        ConnectJob.objects.filter(
            gateway=gateway, status__in=[ConnectJob.Status.PENDING, ConnectJob.Status.RUNNING]
        )
        .filter(created_at__gte=timezone.now() - STALE_JOB_AFTER)
        .first()
    )


def connect_job_start(*, actor: User | None, gateway: Gateway, kind: str) -> ConnectJob:
    """Start a connect job against the gateway's PBX, one at a time per gateway; the task runs on
    commit. The caller has checked the permission and holds the account's lock."""
    pbx = pbx_of(gateway)
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
        action=AuditAction.GATEWAY_CHECK_STARTED,
        target=gateway,
        after={"job": str(job.job_id), "kind": kind, "target": job.target},
    )
    enqueue("gateways.tasks.gateway_connect_task", job.pk)
    return job


def gateway_check_start(*, actor: User, account: Account) -> ConnectJob:
    """Re-check: connect to the PBX again now (the gateway page's Re-check and the API's POST checks).
    Returns the job as it is once committed (a worker that runs tasks at once may have moved it on)."""
    with transaction.atomic():
        require_manager(actor, account)
        lock_account(account)
        gateway = gateway_of(account)
        kind = ConnectJob.Kind.RECHECK if gateway.connected_at else ConnectJob.Kind.CONNECT
        job = connect_job_start(actor=actor, gateway=gateway, kind=kind)
    job.refresh_from_db()
    return job


# --- the job's work and the periodic re-check (no person: called by tasks) -------------------------------


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
            action=AuditAction.GATEWAY_CONNECTED if error is None else AuditAction.GATEWAY_CONNECTION_FAILED,
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
            tls=pbx.csta_tls,
            tls_trust_pem=pbx.csta_tls_certificate,
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
            action=AuditAction.GATEWAY_CONNECTION_FAILED,
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
