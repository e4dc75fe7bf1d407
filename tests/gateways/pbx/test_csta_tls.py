"""CSTA over TLS (MX-ONE's 8883): the simulator serves TLS with a self-signed pair made by the test; the
client trusts the stored certificate, refuses an untrusted one, and the Media API places a call over it."""

import pytest

from gateways.pbx.csta import CstaClient, CstaTlsError, check_connection
from tests.gateways.pbx.tls import self_signed


@pytest.fixture(scope="module")
def pair():
    return self_signed()


@pytest.fixture
def tls_simulator(pbx_simulator_factory, pair, tmp_path):
    return pbx_simulator_factory(tls_context=pair.server_context(tmp_path))


def test_a_client_trusting_the_pbx_certificate_talks_csta_over_tls(tls_simulator, pair):
    with CstaClient(
        "127.0.0.1", tls_simulator.port, timeout=2, tls=True, tls_trust_pem=pair.certificate_pem
    ) as pbx:
        pbx.start_session("Tests", tls_simulator.user, tls_simulator.password)
        status = pbx.system_status()
        version = pbx.tls_version

    assert status.status == "normal"
    assert version.startswith("TLSv1.")


def test_a_certificate_nobody_stored_is_refused_with_an_actionable_message(tls_simulator):
    other = self_signed()

    with pytest.raises(CstaTlsError) as error:
        check_connection(
            "127.0.0.1",
            tls_simulator.port,
            user="cloudlink",
            password="cloudlink",
            tls=True,
            tls_trust_pem=other.certificate_pem,
        )

    assert error.value.code == "tls_failed"
    assert "not trusted" in str(error.value) and "certificate" in str(error.value)


def test_tls_to_a_plain_csta_port_fails_the_handshake(pbx_simulator, pair):
    with pytest.raises(CstaTlsError) as error:
        check_connection(
            "127.0.0.1", pbx_simulator.port, tls=True, tls_trust_pem=pair.certificate_pem, timeout=1
        )

    assert error.value.code == "tls_failed"
