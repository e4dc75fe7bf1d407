"""The gateway services' rules: the wizard's stored state, one gateway per customer account (none on a
partner's own), one PBX per gateway, write-only secrets, tenancy and roles, and the audit trail."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.models import Account, AuditEvent
from gateways import services
from gateways.models import ConnectJob, Gateway, GatewaySetup, Pbx, SipTrunk
from tests.gateways.helpers import CUSTOMER, GATEWAY, PBX_PASSWORD, pbx_values, run_wizard

pytestmark = pytest.mark.django_db


def submit(actor, account, step, values, **kwargs):
    return services.gateway_setup_step_submit(
        actor=actor, account=account, step=step, values=values, **kwargs
    )


# --- The wizard's state --------------------------------------------------------------------------------


def test_each_step_is_stored_and_the_wizard_moves_on(account_admin, customer):
    setup = submit(account_admin, customer, "customer", CUSTOMER)
    assert (setup.step, setup.data) == ("gateway", {"customer": CUSTOMER})

    setup = submit(account_admin, customer, "gateway", GATEWAY)
    setup = submit(account_admin, customer, "pbx", pbx_values(8882), pbx_password="csta-secret-1")

    assert setup.step == "connect" and setup.pbx_password == "csta-secret-1"
    assert "csta-secret-1" not in json.dumps(setup.data)
    assert not Gateway.objects.filter(account=customer).exists(), "nothing is configured before Connect"


def test_another_admin_resumes_where_the_first_left_off(account_admin, partner_admin, customer):
    submit(account_admin, customer, "customer", CUSTOMER)

    setup = submit(partner_admin, customer, "gateway", GATEWAY)

    assert setup.step == "pbx" and setup.created_by == account_admin and setup.modified_by == partner_admin
    assert setup.data["customer"] == CUSTOMER


def test_going_back_and_resubmitting_keeps_the_furthest_step(account_admin, customer):
    submit(account_admin, customer, "customer", CUSTOMER)
    submit(account_admin, customer, "gateway", GATEWAY)

    setup = submit(account_admin, customer, "customer", CUSTOMER | {"city": "Shelbyville"})

    assert setup.step == "pbx" and setup.data["customer"]["city"] == "Shelbyville"


def test_a_step_cannot_be_skipped(account_admin, customer):
    with pytest.raises(ValidationError, match="Complete the earlier steps first"):
        submit(account_admin, customer, "pbx", pbx_values(8882))
    with pytest.raises(ValidationError, match="Complete the Customer, Gateway and PBX steps"):
        services.gateway_setup_connect(actor=account_admin, account=customer)


def test_connect_applies_the_wizard_to_one_gateway_and_one_pbx_and_queues_the_job(
    account_admin, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        job = run_wizard(account_admin, customer, 8882)

    assert len(callbacks) == 1, "the connect task is queued on commit"
    gateway = Gateway.objects.get(account=customer)
    assert (gateway.name, gateway.serial_number, str(gateway.ip_address)) == (
        "Springfield office",
        "CLGW-000123",
        "192.168.10.20",
    )
    assert gateway.customer == CUSTOMER and gateway.status == Gateway.Status.PENDING
    pbx = Pbx.objects.get(gateway=gateway)
    assert (pbx.type, pbx.host, pbx.csta_port, pbx.csta_password) == (
        "mx-one",
        "127.0.0.1",
        8882,
        PBX_PASSWORD,
    )
    assert SipTrunk.objects.get(gateway=gateway).gateway_username == "officelinkmxone"
    assert GatewaySetup.objects.get(account=customer).pbx_password == "", "the PBX holds the password now"
    assert job.status == ConnectJob.Status.PENDING and job.target == "127.0.0.1:8882"


def test_a_second_connect_while_one_runs_is_refused(
    account_admin, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        run_wizard(account_admin, customer, 8882)

    with pytest.raises(ValidationError, match="already running"):
        services.gateway_check_start(actor=account_admin, account=customer)


def test_cancel_forgets_the_wizard(account_admin, customer):
    submit(account_admin, customer, "customer", CUSTOMER)

    services.gateway_setup_cancel(actor=account_admin, account=customer)

    assert not GatewaySetup.objects.filter(account=customer).exists()


# --- Rules ------------------------------------------------------------------------------------------------


def test_no_gateway_on_a_partners_own_account(partner_admin, partner):
    with pytest.raises(ValidationError, match="can't be added to a partner account"):
        submit(partner_admin, partner, "customer", CUSTOMER)
    with pytest.raises(ValidationError, match="partner account"):
        services.gateway_create(actor=partner_admin, account=partner, customer=CUSTOMER, values=GATEWAY)


def test_one_gateway_per_customer_account(account_admin, customer):
    services.gateway_create(actor=account_admin, account=customer, customer=CUSTOMER, values=GATEWAY)

    with pytest.raises(services.GatewayConflict):
        services.gateway_create(actor=account_admin, account=customer, customer=CUSTOMER, values=GATEWAY)


def test_setting_the_pbx_again_replaces_the_one_pbx_and_blank_keeps_the_password(account_admin, customer):
    services.gateway_create(actor=account_admin, account=customer, customer=CUSTOMER, values=GATEWAY)
    services.pbx_set(actor=account_admin, account=customer, values=pbx_values(8882), password="first")

    services.pbx_set(
        actor=account_admin, account=customer, values=pbx_values(7001, type="mivoice-office-400")
    )

    pbx = Pbx.objects.get(gateway__account=customer)
    assert Pbx.objects.filter(gateway__account=customer).count() == 1
    assert (pbx.type, pbx.csta_port, pbx.csta_password) == ("mivoice-office-400", 7001, "first")


def test_a_pbx_needing_credentials_cannot_be_set_without_a_password(account_admin, customer):
    services.gateway_create(actor=account_admin, account=customer, customer=CUSTOMER, values=GATEWAY)

    with pytest.raises(ValidationError) as error:
        services.pbx_set(actor=account_admin, account=customer, values=pbx_values(8882))
    assert "csta_password" in error.value.message_dict


def test_disconnect_stops_rechecks_and_remove_clears_the_pbx_type(
    account_admin, customer, pbx_simulator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run_wizard(account_admin, customer, pbx_simulator.port)
    assert Account.objects.get(pk=customer.pk).pbx_type == "MiVoice MX-ONE"

    gateway = services.gateway_disconnect(actor=account_admin, account=customer)
    assert gateway.status == Gateway.Status.DISCONNECTED and not gateway.monitored
    assert "Disconnected by an administrator" in gateway.last_error

    services.gateway_remove(actor=account_admin, account=customer)
    assert not Gateway.objects.filter(account=customer).exists()
    assert not Pbx.objects.exists() and not ConnectJob.objects.exists()
    assert Account.objects.get(pk=customer.pk).pbx_type == ""


def test_trunk_update_keeps_blank_secrets(account_admin, customer):
    services.gateway_create(actor=account_admin, account=customer, customer=CUSTOMER, values=GATEWAY)
    values = {
        "address": "gw.example",
        "port": 5061,
        "transport": "tls",
        "description": "to MX-ONE",
        "pbx_username": "pbxuser",
        "gateway_username": "officelinkmxone",
        "gsm_deploy_number": "+4670123",
    }
    services.trunk_update(
        actor=account_admin,
        account=customer,
        values=values,
        secrets={"pbx_password": "p1", "gateway_password": "g1"},
    )

    trunk = services.trunk_update(
        actor=account_admin, account=customer, values=values | {"description": "x"}, secrets={}
    )

    assert (trunk.pbx_password, trunk.gateway_password, trunk.description) == ("p1", "g1", "x")


# --- Tenancy, roles and audit ---------------------------------------------------------------------------


def test_an_outsider_gets_404_and_a_user_403(outsider, member, customer):
    with pytest.raises(Http404):
        submit(outsider, customer, "customer", CUSTOMER)
    with pytest.raises(PermissionDenied):
        submit(member, customer, "customer", CUSTOMER)
    with pytest.raises(PermissionDenied):
        services.gateway_create(actor=member, account=customer, customer=CUSTOMER, values=GATEWAY)


def test_no_secret_ever_reaches_the_audit_trail_or_the_logs(
    account_admin, customer, pbx_simulator_factory, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.DEBUG)
    pbx_simulator = pbx_simulator_factory(password="csta-secret-1")
    with django_capture_on_commit_callbacks(execute=True):
        run_wizard(account_admin, customer, pbx_simulator.port, password="csta-secret-1")
    services.pbx_set(
        actor=account_admin, account=customer, values=pbx_values(pbx_simulator.port), password="new-csta-pw"
    )
    services.trunk_update(
        actor=account_admin,
        account=customer,
        values={
            "address": "",
            "port": 5060,
            "transport": "tcp",
            "description": "",
            "pbx_username": "",
            "gateway_username": "officelinkmxone",
            "gsm_deploy_number": "",
        },
        secrets={"pbx_password": "trunk-pbx-pw", "gateway_password": "trunk-gw-pw"},
    )

    events = list(AuditEvent.objects.filter(account=customer).values_list("action", "before", "after"))
    actions = [action for action, _, _ in events]
    assert {
        "gateway_setup.step_saved",
        "gateway.created",
        "gateway_pbx.created",
        "gateway.check_started",
        "gateway.connected",
        "gateway_pbx.updated",
        "gateway_trunk.updated",
    } <= set(actions)
    dump = json.dumps(events, default=str)
    assert Gateway.objects.get(account=customer).status == Gateway.Status.CONNECTED
    for secret in ("csta-secret-1", "new-csta-pw", "trunk-pbx-pw", "trunk-gw-pw"):
        assert f'"{secret}"' not in dump
        assert secret not in caplog.text
