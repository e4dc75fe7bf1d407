"""Valid values for each wizard step and a helper to run the wizard through its services."""

from __future__ import annotations

from gateways import services
from gateways.forms import CustomerForm, GatewayForm, PbxForm

CUSTOMER = {
    "name": "Globex Corp",
    "address": "1 Main Street",
    "city": "Springfield",
    "province_state": "",
    "postal_code": "12345",
    "country": "US",
    "business_type": "technology",
    "contacts": [
        {"type": "maintainer", "name": "Pat Partner", "email": "pat@acme.example"},
        {"type": "onsite_admin", "name": "Ada Admin", "email": "ada@globex.example"},
    ],
}
GATEWAY = {
    "name": "Springfield office",
    "serial_number": "CLGW-000123",
    "mac_address": "",
    "network": "static",
    "ip_address": "192.168.10.20",
    "subnet_mask": "255.255.255.0",
    "default_gateway": "192.168.10.1",
    "dns_servers": ["8.8.8.8", "8.8.4.4"],
    "internal_dns_server": "",
}
PBX_PASSWORD = "cloudlink"


def pbx_values(port: int, host: str = "127.0.0.1", **extra) -> dict:
    return {
        "type": "mx-one",
        "name": "mxone-1",
        "host": host,
        "csta_port": port,
        "csta_user": "cloudlink",
    } | extra


def customer_data(**changes) -> dict:
    return CustomerForm.data_from(CUSTOMER | changes)


def gateway_data(**changes) -> dict:
    return GatewayForm.data_from(GATEWAY) | changes


def pbx_data(port: int, **changes) -> dict:
    return PbxForm.data_from(pbx_values(port)) | {"csta_password": PBX_PASSWORD} | changes


def run_wizard(actor, account, port: int, host: str = "127.0.0.1", password: str = PBX_PASSWORD):
    """Submit the three steps and press Connect (call inside django_capture_on_commit_callbacks)."""
    services.gateway_setup_step_submit(actor=actor, account=account, step="customer", values=CUSTOMER)
    services.gateway_setup_step_submit(actor=actor, account=account, step="gateway", values=GATEWAY)
    services.gateway_setup_step_submit(
        actor=actor, account=account, step="pbx", values=pbx_values(port, host), pbx_password=password
    )
    return services.gateway_setup_connect(actor=actor, account=account)
