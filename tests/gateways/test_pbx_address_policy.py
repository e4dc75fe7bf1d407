"""SSRF through the PBX host: the gateway's CSTA connection (wizard, connect job, re-check, Media)
goes only where the address policy allows (core.netpolicy: private networks yes; loopback,
link-local, metadata, multicast, reserved no, unless PORTAL_PBX_ALLOWED_NETWORKS lists them), it
connects to the address it checked, and a port that is not CSTA is reported without what it said.

The test settings allow loopback (the simulator runs on 127.0.0.1); `PRODUCTION` restores the
production default (no extra networks)."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from gateways import services
from gateways.forms import PbxForm
from gateways.models import ConnectJob, Gateway
from gateways.pbx.csta import CstaClient, CstaError, check_connection
from gateways.pbx.simulator import PbxSimulator
from tests.gateways.helpers import pbx_data, run_wizard

pytestmark = pytest.mark.django_db

CREDENTIALS = {"user": "cloudlink", "password": "cloudlink"}
PRODUCTION = override_settings(PORTAL_PBX_ALLOWED_NETWORKS=[])


def not_csta_message(address: str) -> str:
    return f"{address} does not speak CSTA: check that the port is the PBX's CSTA port (MX-ONE: 8882)."


class Listener:
    """A listening socket on 127.0.0.1 that answers nothing; `reached()` tells whether anyone connected."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]

    def reached(self) -> bool:
        try:
            conn, _ = self.sock.accept()
        except BlockingIOError:
            return False
        conn.close()
        return True


@pytest.fixture
def listener():
    listening = Listener()
    yield listening
    listening.sock.close()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "127.0.0.53", "::ffff:127.0.0.1"])
def test_loopback_is_refused_by_the_production_default_before_any_connection(listener, host):
    with PRODUCTION, pytest.raises(CstaError) as error:
        check_connection(host, listener.port, **CREDENTIALS, timeout=1)

    assert error.value.code == "address_refused"
    assert "loopback address" in str(error.value) and "PORTAL_PBX_ALLOWED_NETWORKS" in str(error.value)
    assert not listener.reached()


@pytest.mark.parametrize(
    ("host", "category"),
    [
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("169.254.170.2", "cloud metadata"),
        ("::ffff:169.254.169.254", "cloud metadata"),
        ("64:ff9b::a9fe:a9fe", "cloud metadata"),
        ("169.254.10.20", "link-local"),
        ("fe80::1", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("192.0.2.10", "reserved"),
    ],
)
def test_metadata_link_local_and_other_special_addresses_are_refused_even_with_loopback_allowed(
    host, category
):
    """The test settings allow loopback; that opens nothing else."""
    with pytest.raises(CstaError) as error:
        check_connection(host, 8882, **CREDENTIALS, timeout=1)

    assert error.value.code == "address_refused"
    assert f" {category} address" in str(error.value)


def test_the_setting_allows_exactly_the_networks_it_lists(pbx_simulator):
    with override_settings(PORTAL_PBX_ALLOWED_NETWORKS=["127.0.0.1/32"]):
        assert check_connection("127.0.0.1", pbx_simulator.port, **CREDENTIALS, timeout=1).session
        with pytest.raises(CstaError) as error:
            check_connection("127.0.0.2", pbx_simulator.port, **CREDENTIALS, timeout=1)
    assert error.value.code == "address_refused"


def test_the_client_itself_enforces_the_policy_for_every_caller(listener):
    """CstaClient (used by the Media bridge too) checks, not only check_connection."""
    with PRODUCTION, pytest.raises(CstaError) as error:
        CstaClient("127.0.0.1", listener.port, timeout=1).connect()

    assert error.value.code == "address_refused" and not listener.reached()


def test_the_connect_job_refuses_a_host_name_that_resolves_to_loopback(
    account_admin, customer, listener, django_capture_on_commit_callbacks
):
    with PRODUCTION, django_capture_on_commit_callbacks(execute=True):
        job = run_wizard(account_admin, customer, listener.port, host="localhost")
    job.refresh_from_db()

    assert (job.status, job.error_code) == (ConnectJob.Status.FAILED, "address_refused")
    assert job.error == (
        "localhost resolves to a loopback address, which the portal does not connect to unless the "
        "operator allows it in PORTAL_PBX_ALLOWED_NETWORKS."
    )
    gateway = Gateway.objects.get(account=customer)
    assert (gateway.status, gateway.last_error_code) == (Gateway.Status.DISCONNECTED, "address_refused")
    assert not listener.reached()


def test_the_periodic_recheck_applies_the_policy_of_now(
    account_admin, customer, pbx_simulator, django_capture_on_commit_callbacks
):
    """A PBX saved while loopback was allowed is refused once the operator removes it."""
    with django_capture_on_commit_callbacks(execute=True):
        run_wizard(account_admin, customer, pbx_simulator.port)
    assert Gateway.objects.get(account=customer).status == Gateway.Status.CONNECTED

    with PRODUCTION:
        gateway = services.gateway_recheck_run(Gateway.objects.get(account=customer).pk)

    assert (gateway.status, gateway.last_error_code) == (Gateway.Status.DISCONNECTED, "address_refused")


@pytest.mark.parametrize("host", ["127.0.0.1", "169.254.169.254", "::1", "0.0.0.0"])
def test_the_pbx_step_refuses_a_literal_address_the_policy_refuses(host):
    with PRODUCTION:
        form = PbxForm(data=pbx_data(8882, host=host))
        assert not form.is_valid()
    assert "PORTAL_PBX_ALLOWED_NETWORKS" in form.errors["host"][0]


@pytest.mark.parametrize(
    "host", ["10.0.0.5", "172.20.1.2", "192.168.1.10", "fd12:3456::10", "pbx.example.com"]
)
def test_the_pbx_step_accepts_private_addresses_and_host_names_by_default(host):
    with PRODUCTION:
        assert PbxForm(data=pbx_data(8882, host=host)).is_valid()


def test_the_api_refuses_a_metadata_pbx_host(api_client_for, account_admin, customer):
    api = api_client_for(account_admin)
    base = f"/api/admin/2017-09-01/accounts/{customer.account_id}/gateway"
    api.post(
        base,
        {
            "name": "Springfield office",
            "serialNumber": "CLGW-000123",
            "network": {"mode": "dhcp"},
            "customer": {
                "name": "Globex Corp",
                "address": "1 Main Street",
                "city": "Springfield",
                "postalCode": "12345",
                "country": "US",
                "businessType": "technology",
                "contacts": [
                    {"type": "maintainer", "name": "Pat", "email": "pat@acme.example"},
                    {"type": "onsite_admin", "name": "Ada", "email": "ada@globex.example"},
                ],
            },
        },
        format="json",
    )

    response = api.put(
        f"{base}/pbx",
        {
            "type": "mx-one",
            "name": "mx1",
            "host": "169.254.169.254",
            "cstaPort": 80,
            "cstaUser": "cl",
            "cstaPassword": "pw",
        },
        format="json",
    )

    assert response.status_code == 400, response.content
    assert response.json()["errors"]["host"] == [
        "169.254.169.254 is a cloud metadata address, which the portal does not connect to unless the "
        "operator allows it in PORTAL_PBX_ALLOWED_NETWORKS."
    ]


# --- no banner: what a non-CSTA port answered never reaches the error -------------------------------


@pytest.fixture
def http_server():
    """A real HTTP server on 127.0.0.1 with a telling banner and page."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "InternalAdmin/7.1"
        sys_version = "secret-build-42"

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_a_port_that_speaks_http_is_reported_with_the_generic_message_only(http_server):
    port = http_server.server_address[1]

    with pytest.raises(CstaError) as error:
        check_connection("127.0.0.1", port, **CREDENTIALS, timeout=2)

    assert error.value.code == "not_csta"
    assert str(error.value) == not_csta_message(f"127.0.0.1:{port}")
    assert error.value.detail == ""


def test_the_connect_job_and_the_gateway_keep_only_the_generic_message(
    account_admin, customer, http_server, django_capture_on_commit_callbacks
):
    port = http_server.server_address[1]

    with django_capture_on_commit_callbacks(execute=True):
        job = run_wizard(account_admin, customer, port)
    job.refresh_from_db()

    assert (job.error_code, job.error) == ("not_csta", not_csta_message(f"127.0.0.1:{port}"))
    gateway = Gateway.objects.get(account=customer)
    assert gateway.last_error == not_csta_message(f"127.0.0.1:{port}")


# --- DNS rebinding: the connection goes to the address that was checked --------------------------------


def test_the_connection_goes_to_the_checked_address_not_a_second_lookup(monkeypatch):
    """A rebinding name answers 127.0.0.2 (allowed) first and 127.0.0.1 (refused) afterwards; the
    client must resolve once and connect to what it checked. (The resolver is the one fake here: a
    rebinding DNS server cannot be plugged into the system resolver in a test.)"""
    simulator = PbxSimulator("127.0.0.2", 0)
    simulator.start()
    trap = socket.socket()
    trap.bind(("127.0.0.1", simulator.port))
    trap.listen(1)
    trap.setblocking(False)
    real_getaddrinfo = socket.getaddrinfo
    answers = iter(["127.0.0.2"])
    lookups: list[str] = []

    def rebinding(host, port, *args, **kwargs):
        if host != "pbx.rebind.test":
            return real_getaddrinfo(host, port, *args, **kwargs)
        lookups.append(host)
        return real_getaddrinfo(next(answers, "127.0.0.1"), port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    try:
        with override_settings(PORTAL_PBX_ALLOWED_NETWORKS=["127.0.0.2/32"]):
            result = check_connection("pbx.rebind.test", simulator.port, **CREDENTIALS, timeout=1)
        assert result.session.session_id
        assert lookups == ["pbx.rebind.test"]
        with pytest.raises(BlockingIOError):
            trap.accept()
    finally:
        trap.close()
        simulator.stop()
