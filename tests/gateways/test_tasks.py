"""The Connect job and the periodic re-check over real sockets: the task runs csta.check_connection against
a running PBX simulator (each misbehaving mode), a closed port and a `.invalid` host, and records the
outcome on the job, the gateway and the account."""

from __future__ import annotations

import pytest

from accounts.models import Account, AuditEvent
from gateways import services, tasks
from gateways.models import ConnectJob, Gateway, GatewaySetup
from tests.gateways.helpers import run_wizard

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _short_csta_timeout(settings):
    settings.PORTAL_GATEWAY_CSTA_TIMEOUT = 0.6


def connect(actor, account, port, capture, host="127.0.0.1", password="cloudlink") -> ConnectJob:
    with capture(execute=True):
        job = run_wizard(actor, account, port, host=host, password=password)
    job.refresh_from_db()
    return job


def test_a_connect_job_against_the_simulator_connects_and_sets_the_pbx_type(
    account_admin, customer, pbx_simulator, django_capture_on_commit_callbacks
):
    job = connect(account_admin, customer, pbx_simulator.port, django_capture_on_commit_callbacks)

    assert job.status == ConnectJob.Status.CONNECTED and job.step == "done" and job.percent == 100
    assert [entry["step"] for entry in job.log] == ["connecting", "session", "status", "closing"]
    assert "ecma-323/csta/ed3" in job.protocol_version
    gateway = Gateway.objects.get(account=customer)
    assert gateway.status == Gateway.Status.CONNECTED and gateway.monitored and gateway.last_check_at
    assert gateway.last_error == "" and gateway.connected_at
    assert Account.objects.get(pk=customer.pk).pbx_type == "MiVoice MX-ONE"
    assert not GatewaySetup.objects.filter(account=customer).exists(), "the wizard is complete"
    names = [name for _, name in pbx_simulator.received]
    assert names[:3] == ["StartApplicationSession", "RequestSystemStatus", "StopApplicationSession"]
    assert AuditEvent.objects.filter(account=customer, action="gateway.connected").count() == 1


@pytest.mark.parametrize(
    "mode, code, words",
    [
        ("refuse", "refused", "closed it without a word"),
        ("stall", "timeout", "did not answer StartApplicationSession"),
        ("reject-credentials", "session_rejected", "check the CSTA user name and password"),
        ("speak-http", "not_csta", "does not speak CSTA: check that the port"),
        ("wrong-version", "version_mismatch", "does not support the requested CSTA protocol version"),
    ],
)
def test_every_simulator_failure_mode_fails_the_job_with_its_actionable_error(
    account_admin, customer, pbx_simulator_factory, django_capture_on_commit_callbacks, mode, code, words
):
    simulator = pbx_simulator_factory(mode=mode)

    job = connect(account_admin, customer, simulator.port, django_capture_on_commit_callbacks)

    assert job.status == ConnectJob.Status.FAILED and job.error_code == code
    assert words in job.error
    gateway = Gateway.objects.get(account=customer)
    assert gateway.status == Gateway.Status.DISCONNECTED
    assert (gateway.last_error_code, gateway.last_error) == (code, job.error)
    assert Account.objects.get(pk=customer.pk).pbx_type == ""
    setup = GatewaySetup.objects.get(account=customer)
    assert setup.step == "connect", "a failed connect leaves the wizard at Connect, to fix and retry"


def test_bad_credentials_are_rejected_by_the_pbx(
    account_admin, customer, pbx_simulator, django_capture_on_commit_callbacks
):
    job = connect(
        account_admin, customer, pbx_simulator.port, django_capture_on_commit_callbacks, password="wrong"
    )

    assert job.error_code == "session_rejected"


def test_a_closed_port_is_refused(account_admin, customer, closed_port, django_capture_on_commit_callbacks):
    job = connect(account_admin, customer, closed_port, django_capture_on_commit_callbacks)

    assert job.error_code == "refused" and "refused the connection" in job.error
    assert [entry["step"] for entry in job.log] == ["connecting"]
    assert job.steps[0]["state"] == "failed"


def test_an_unknown_host_is_reported_as_not_found(
    account_admin, customer, django_capture_on_commit_callbacks
):
    job = connect(
        account_admin, customer, 8882, django_capture_on_commit_callbacks, host="pbx.example.invalid"
    )

    assert job.error_code == "host_not_found" and "could not be resolved" in job.error


def test_a_failed_connect_can_be_retried_and_then_connects(
    account_admin, customer, pbx_simulator_factory, closed_port, django_capture_on_commit_callbacks
):
    connect(account_admin, customer, closed_port, django_capture_on_commit_callbacks)
    simulator = pbx_simulator_factory()
    services.gateway_setup_step_submit(
        actor=account_admin,
        account=customer,
        step="pbx",
        values={
            "type": "mx-one",
            "name": "mxone-1",
            "host": "127.0.0.1",
            "csta_port": simulator.port,
            "csta_user": "cloudlink",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = services.gateway_setup_connect(actor=account_admin, account=customer)

    job.refresh_from_db()
    assert job.status == ConnectJob.Status.CONNECTED, "the stored password was kept"
    assert Gateway.objects.get(account=customer).status == Gateway.Status.CONNECTED


def test_the_task_leaves_a_finished_job_alone(
    account_admin, customer, closed_port, django_capture_on_commit_callbacks
):
    job = connect(account_admin, customer, closed_port, django_capture_on_commit_callbacks)

    result = tasks.gateway_connect_task(job.pk)

    assert result == {"status": "failed", "error_code": "refused"}
    assert ConnectJob.objects.get(pk=job.pk).finished_at == job.finished_at


# --- The periodic re-check ------------------------------------------------------------------------------


def test_the_periodic_recheck_keeps_a_reachable_gateway_connected_without_auditing(
    account_admin, customer, pbx_simulator, django_capture_on_commit_callbacks
):
    connect(account_admin, customer, pbx_simulator.port, django_capture_on_commit_callbacks)
    before = Gateway.objects.get(account=customer).last_check_at
    audits = AuditEvent.objects.count()

    assert tasks.gateways_recheck_task() == 1

    gateway = Gateway.objects.get(account=customer)
    assert gateway.status == Gateway.Status.CONNECTED and gateway.last_check_at > before
    assert AuditEvent.objects.count() == audits


def test_a_stopped_pbx_turns_the_gateway_disconnected_with_the_error_and_back(
    account_admin, customer, pbx_simulator_factory, django_capture_on_commit_callbacks
):
    simulator = pbx_simulator_factory()
    connect(account_admin, customer, simulator.port, django_capture_on_commit_callbacks)
    port = simulator.port
    simulator.stop()

    tasks.gateways_recheck_task()

    gateway = Gateway.objects.get(account=customer)
    assert gateway.status == Gateway.Status.DISCONNECTED and gateway.last_error_code == "refused"
    assert f"127.0.0.1:{port} refused the connection" in gateway.last_error
    assert gateway.monitored, "still re-checked, so it reconnects when the PBX is back"
    event = AuditEvent.objects.filter(account=customer, action="gateway.connection_failed").get()
    assert event.actor is None and event.after["error_code"] == "refused"

    back = pbx_simulator_factory()
    gateway.pbx.csta_port = back.port
    gateway.pbx.save()
    tasks.gateway_recheck_task(gateway.pk)
    assert Gateway.objects.get(pk=gateway.pk).status == Gateway.Status.CONNECTED


def test_disconnected_gateways_are_not_rechecked(
    account_admin, customer, pbx_simulator, django_capture_on_commit_callbacks
):
    connect(account_admin, customer, pbx_simulator.port, django_capture_on_commit_callbacks)
    services.gateway_disconnect(actor=account_admin, account=customer)
    requests = len(pbx_simulator.received)

    assert tasks.gateways_recheck_task() == 0
    assert len(pbx_simulator.received) == requests
