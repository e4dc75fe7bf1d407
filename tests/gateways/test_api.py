"""The gateway resources of the Admin API: gateway (POST/GET/PUT/DELETE), pbx and trunk (GET/PUT, write-only
secrets), checks (POST starts a connection check, GET its progress), validated by the wizard's forms, with
the same envelope, errors and scoping as the other admin resources, and listed in the admin _spec."""

from __future__ import annotations

import json

import pytest

from accounts.models import Account
from gateways.models import Gateway

pytestmark = pytest.mark.django_db

BASE = "/api/admin/2017-09-01/accounts/{}/gateway"

GATEWAY = {
    "name": "Springfield office",
    "serialNumber": "clgw-000123",
    "network": {
        "mode": "static",
        "ipAddress": "192.168.10.20",
        "subnetMask": "255.255.255.0",
        "defaultGateway": "192.168.10.1",
    },
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
}


def base(account, ref="account_id") -> str:
    return BASE.format(getattr(account, ref))


@pytest.fixture
def api(api_client_for, account_admin):
    return api_client_for(account_admin)


def create(api, customer, **changes):
    response = api.post(base(customer), GATEWAY | changes, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_create_then_get_the_gateway(api, customer):
    body = create(api, customer)

    assert body["serialNumber"] == "CLGW-000123" and body["status"] == "pending"
    assert body["network"]["dnsServers"] == ["8.8.8.8", "8.8.4.4"]
    assert body["customer"]["contacts"][1]["type"] == "onsite_admin"
    assert body["_links"]["pbx"] == f"/2017-09-01/accounts/{customer.account_id}/gateway/pbx"
    assert api.get(base(customer, "account_number")).json() == body


def test_values_are_validated_by_the_wizard_forms_with_api_field_names(api, customer):
    bad = GATEWAY | {
        "network": GATEWAY["network"] | {"defaultGateway": "10.0.0.1"},
        "customer": GATEWAY["customer"]
        | {"contacts": [{"type": "other", "name": "X", "email": "x@x.example"}]},
    }

    response = api.post(base(customer), bad, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["name"] == "ValidationError"
    assert "not in the gateway's subnet" in body["errors"]["network.defaultGateway"][0]
    assert "Maintainer" in body["errors"]["customer.contacts"][0]
    assert not Gateway.objects.exists()


def test_one_gateway_per_account_and_none_on_a_partner_account(
    api, api_client_for, partner_admin, partner, customer
):
    create(api, customer)

    assert api.post(base(customer), GATEWAY, format="json").status_code == 409
    response = api_client_for(partner_admin).post(base(partner), GATEWAY, format="json")
    assert response.status_code == 400 and "partner account" in response.json()["message"]


def test_put_replaces_and_delete_removes(api, customer):
    create(api, customer)

    response = api.put(
        base(customer), GATEWAY | {"name": "Renamed", "network": {"mode": "dhcp"}}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Renamed" and response.json()["network"]["ipAddress"] == ""

    assert api.delete(base(customer)).status_code == 204
    assert api.get(base(customer)).status_code == 404


def test_pbx_is_validated_and_its_password_is_write_only(api, customer):
    create(api, customer)
    assert api.get(base(customer) + "/pbx").status_code == 404

    missing = api.put(
        base(customer) + "/pbx", {"type": "mx-one", "name": "mx1", "host": "10.0.0.5"}, format="json"
    )
    assert missing.status_code == 400 and {"cstaUser", "cstaPassword"} <= set(missing.json()["errors"])

    response = api.put(
        base(customer) + "/pbx",
        {"type": "mx-one", "name": "mx1", "host": "10.0.0.5", "cstaUser": "cl", "cstaPassword": "pw-123"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (
        body["cstaPort"] == 8882 and body["cstaPasswordSet"] is True and body["typeName"] == "MiVoice MX-ONE"
    )
    assert "pw-123" not in json.dumps(body) and "cstaPassword" not in body
    kept = api.put(
        base(customer) + "/pbx",
        {"type": "mx-one", "name": "mx1", "host": "pbx.local", "cstaUser": "cl"},
        format="json",
    )
    assert kept.status_code == 200 and kept.json()["cstaPasswordSet"] is True


def test_trunk_defaults_and_write_only_secrets(api, customer):
    create(api, customer)

    body = api.get(base(customer) + "/trunk").json()
    assert (body["transport"], body["port"], body["gatewayUsername"]) == ("tcp", 5060, "officelinkmxone")

    response = api.put(
        base(customer) + "/trunk",
        {"transport": "tls", "pbxPassword": "tp", "gatewayPassword": "tg"},
        format="json",
    )
    body = response.json()
    assert response.status_code == 200 and body["port"] == 5061
    assert body["pbxPasswordSet"] and body["gatewayPasswordSet"] and "tp" not in json.dumps(body)
    bad = api.put(base(customer) + "/trunk", {"gsmDeployNumber": "call me"}, format="json")
    assert bad.status_code == 400 and "gsmDeployNumber" in bad.json()["errors"]


def test_a_check_connects_to_the_simulator_and_reports_progress(
    api, customer, pbx_simulator, django_capture_on_commit_callbacks
):
    create(api, customer)
    api.put(
        base(customer) + "/pbx",
        {
            "type": "mx-one",
            "name": "mx1",
            "host": "127.0.0.1",
            "cstaPort": pbx_simulator.port,
            "cstaUser": "cloudlink",
            "cstaPassword": "cloudlink",
        },
        format="json",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(base(customer) + "/checks")

    assert response.status_code == 202 and response["Location"].endswith(response.json()["checkId"])
    check = api.get(response.json()["_links"]["self"].replace("/2017-09-01", "/api/admin/2017-09-01")).json()
    assert (check["status"], check["progress"], check["errorCode"]) == ("connected", 100, "")
    gateway = api.get(base(customer)).json()
    assert gateway["status"] == "connected" and gateway["lastError"] is None
    assert Account.objects.get(pk=customer.pk).pbx_type == "MiVoice MX-ONE"


def test_a_failed_check_reports_the_error_code_and_message(
    api, customer, closed_port, django_capture_on_commit_callbacks
):
    create(api, customer)
    api.put(
        base(customer) + "/pbx",
        {"type": "mivoice-office-250", "name": "mx1", "host": "127.0.0.1", "cstaPort": closed_port},
        format="json",
    )
    with django_capture_on_commit_callbacks(execute=True):
        check_id = api.post(base(customer) + "/checks").json()["checkId"]

    check = api.get(f"{base(customer)}/checks/{check_id}").json()

    assert check["status"] == "failed" and check["errorCode"] == "refused"
    assert api.get(base(customer)).json()["lastError"]["code"] == "refused"


def test_a_check_without_a_pbx_is_a_400(api, customer):
    create(api, customer)

    response = api.post(base(customer) + "/checks")

    assert response.status_code == 400 and "PBX" in response.json()["message"]


def test_a_user_gets_403(api_client_for, member, customer):
    response = api_client_for(member).get(base(customer))

    assert response.status_code == 403 and response.json()["name"] == "Forbidden"


def test_the_admin_spec_documents_the_gateway_resources(client):
    spec = client.get("/api/admin/2017-09-01/_spec").json()

    paths = spec["paths"]
    for path in ("gateway", "gateway/pbx", "gateway/trunk", "gateway/checks", "gateway/checks/{checkId}"):
        assert f"/accounts/{{accountId}}/{path}" in paths
    assert set(paths["/accounts/{accountId}/gateway"]) >= {"get", "post", "put", "delete"}
