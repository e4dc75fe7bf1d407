"""Validation of every wizard step and of the SIP trunk form (the API binds the same forms)."""

from __future__ import annotations

import pytest

from gateways.forms import CustomerForm, GatewayForm, PbxForm, SipTrunkForm
from tests.gateways.helpers import CUSTOMER, customer_data, gateway_data, pbx_data
from tests.gateways.pbx.tls import self_signed

# --- Customer -------------------------------------------------------------------------------------------


def test_customer_step_accepts_details_with_a_maintainer_and_an_onsite_admin():
    form = CustomerForm(data=customer_data())

    assert form.is_valid(), form.errors
    assert form.values() == CUSTOMER


def test_customer_step_needs_the_mandatory_details():
    form = CustomerForm(data=customer_data(address="", city="", postal_code="", business_type=""))

    assert not form.is_valid()
    assert {"address", "city", "postal_code", "business_type"} <= set(form.errors)


@pytest.mark.parametrize(
    "contacts, missing",
    [
        ([{"type": "maintainer", "name": "M", "email": "m@x.example"}], "Onsite Admin"),
        ([{"type": "onsite_admin", "name": "O", "email": "o@x.example"}], "Maintainer"),
        ([{"type": "other", "name": "X", "email": "x@x.example"}], "Maintainer, Onsite Admin"),
    ],
)
def test_customer_step_needs_at_least_one_maintainer_and_one_onsite_admin(contacts, missing):
    form = CustomerForm(data=customer_data(contacts=contacts))

    assert not form.is_valid()
    assert f"(missing: {missing})" in form.non_field_errors()[0]


def test_a_half_filled_contact_row_is_an_error_and_empty_rows_are_ignored():
    data = customer_data(contacts=[*CUSTOMER["contacts"], {"type": "other", "name": "", "email": "bad"}])
    data |= {"contact_rows": 4}

    form = CustomerForm(data=data)

    assert not form.is_valid()
    assert form.errors["contact-2-name"] == ["Enter the contact's name."]
    assert "contact-2-email" in form.errors
    assert "contact-3-type" not in form.errors


# --- Gateway ---------------------------------------------------------------------------------------------


def test_gateway_step_normalises_serial_and_mac():
    form = GatewayForm(data=gateway_data(serial_number="clgw-000123", mac_address="00-1b-44-11-3a-b7"))

    assert form.is_valid(), form.errors
    assert form.values()["serial_number"] == "CLGW-000123"
    assert form.values()["mac_address"] == "00:1B:44:11:3A:B7"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"serial_number": "", "mac_address": ""}, "serial_number"),
        ({"serial_number": "A!"}, "serial_number"),
        ({"mac_address": "00:1B:44:11:3A"}, "mac_address"),
        ({"mac_address": "01:00:5E:00:00:01"}, "mac_address"),  # multicast
        ({"mac_address": "FF:FF:FF:FF:FF:FF"}, "mac_address"),
    ],
)
def test_gateway_step_validates_serial_and_mac_formats(changes, field):
    form = GatewayForm(data=gateway_data(**changes))

    assert not form.is_valid() and field in form.errors


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"ip_address": ""}, "ip_address", "needs the IP address"),
        ({"ip_address": "300.1.1.1"}, "ip_address", "not a valid IPv4"),
        ({"subnet_mask": "255.0.255.0"}, "subnet_mask", "not a usable subnet mask"),
        ({"subnet_mask": "255.255.255.255"}, "subnet_mask", "not a usable subnet mask"),
        (
            {"default_gateway": "192.168.11.1"},
            "default_gateway",
            "not in the gateway's subnet 192.168.10.0/24",
        ),
        ({"default_gateway": "192.168.10.20"}, "default_gateway", "cannot be the gateway's own IP"),
        ({"ip_address": "192.168.10.0"}, "ip_address", "the network address"),
        ({"ip_address": "192.168.10.255"}, "ip_address", "the broadcast address"),
        ({"default_gateway": "192.168.10.255"}, "default_gateway", "the broadcast address"),
        ({"dns_primary": "dns.example"}, "dns_primary", "not a valid IPv4"),
    ],
)
def test_static_network_addresses_are_validated(changes, field, words):
    form = GatewayForm(data=gateway_data(**changes))

    assert not form.is_valid()
    assert words in " ".join(form.errors[field])


def test_a_wider_subnet_accepts_a_gateway_elsewhere_in_it():
    form = GatewayForm(data=gateway_data(subnet_mask="255.255.0.0", default_gateway="192.168.0.1"))

    assert form.is_valid(), form.errors


def test_dhcp_needs_no_addresses_and_drops_any_typed():
    form = GatewayForm(
        data=gateway_data(network="dhcp", ip_address="1.2.3.4", subnet_mask="", default_gateway="")
    )

    assert form.is_valid(), form.errors
    assert form.values()["ip_address"] == "" and form.values()["network"] == "dhcp"


def test_dns_servers_are_prefilled_and_an_internal_one_can_be_added():
    assert GatewayForm()["dns_primary"].value() == "8.8.8.8"
    assert GatewayForm()["dns_secondary"].value() == "8.8.4.4"
    form = GatewayForm(data=gateway_data(internal_dns_server="10.0.0.53"))

    assert form.is_valid()
    assert form.values()["internal_dns_server"] == "10.0.0.53"
    assert form.values()["dns_servers"] == ["8.8.8.8", "8.8.4.4"]


# --- PBX -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pbx_type, port", [("mx-one", 8882), ("mivoice-office-400", 7001), ("mivoice-business", 8882)]
)
def test_a_blank_csta_port_is_the_types_default(pbx_type, port):
    form = PbxForm(data=pbx_data(1, type=pbx_type, csta_port=""))

    assert form.is_valid(), form.errors
    assert form.values()["csta_port"] == port


def test_pbx_types_that_need_credentials_require_them_unless_a_password_is_stored():
    form = PbxForm(data=pbx_data(8882, csta_user="", csta_password=""))
    assert not form.is_valid()
    assert {"csta_user", "csta_password"} <= set(form.errors)

    kept = PbxForm(data=pbx_data(8882, csta_password=""), has_password=True)
    assert kept.is_valid() and kept.password == ""

    assert PbxForm(data=pbx_data(8882, type="mivoice-office-250", csta_user="", csta_password="")).is_valid()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"host": "pbx_1.example"}, "host"),
        ({"host": "999.1.1.1"}, "host"),
        ({"csta_port": "70000"}, "csta_port"),
        ({"name": "pbx one"}, "name"),
        ({"type": "asterisk"}, "type"),
    ],
)
def test_pbx_step_validates_its_fields(changes, field):
    assert field in PbxForm(data=pbx_data(8882, **changes)).errors


def test_the_csta_password_is_never_rendered_back():
    form = PbxForm(data=pbx_data(8882, csta_password="s3cret", host="bad host"))

    assert not form.is_valid()
    assert "s3cret" not in str(form)


# --- SIP trunk --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("transport, port", [("tcp", 5060), ("udp", 5060), ("tls", 5061)])
def test_the_sip_port_defaults_from_the_transport(transport, port):
    form = SipTrunkForm(data={"transport": transport, "port": ""})

    assert form.is_valid(), form.errors
    assert form.values()["port"] == port
    assert form.values()["gateway_username"] == "officelinkmxone"


def test_trunk_transport_defaults_to_tcp_and_secrets_are_write_only():
    assert SipTrunkForm()["transport"].value() == "tcp"
    form = SipTrunkForm(
        data={
            "transport": "tls",
            "pbx_password": "p1",
            "gateway_password": "",
            "gsm_deploy_number": "+46 70-123",
        }
    )

    assert form.is_valid(), form.errors
    assert form.secrets() == {"pbx_password": "p1"}
    assert form.values()["gsm_deploy_number"] == "+4670123"
    assert "p1" not in str(form)


def test_pbx_step_takes_csta_over_tls_with_the_pbx_certificate():
    pem = self_signed().certificate_pem
    form = PbxForm(pbx_data(8883, csta_tls="on", csta_tls_certificate=pem))

    assert form.is_valid(), form.errors
    values = form.values()
    assert (values["csta_tls"], values["csta_tls_certificate"]) == (True, pem.strip())


def test_pbx_step_refuses_a_certificate_that_is_not_pem():
    form = PbxForm(pbx_data(8883, csta_tls="on", csta_tls_certificate="not a certificate"))

    assert form.is_valid() is False
    assert "PEM" in form.errors["csta_tls_certificate"][0]
