"""Admin API: /api/admin/2017-09-01/accounts/{accountId}/integrations[/{type}]."""

import pytest

from accounts.models import AuditEvent
from integrations import services
from integrations.models import Integration
from tests.integrations.helpers import DELEGATED, GUEST, added, on

pytestmark = pytest.mark.django_db

BASE = "/api/admin/2017-09-01"


def collection(account, by: str = "guid") -> str:
    ref = account.account_id if by == "guid" else account.account_number
    return f"{BASE}/accounts/{ref}/integrations"


def item(account, type_: str) -> str:
    return f"{collection(account)}/{type_}"


def test_post_adds_an_integration_switches_on_its_privileges_and_answers_201(
    api_client_for, account_admin, customer
):
    response = api_client_for(account_admin).post(collection(customer), {"type": "micc"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["type"] == "micc" and body["name"] == "MiCC" and body["enabled"] is True
    assert body["privileges"] == ["allowProxyAuthentication", "allowGuestAccess"]
    assert body["missingPrivileges"] == [] and body["tab"] == "mitel" and body["setupComplete"] is True
    assert body["_links"]["self"] == f"/2017-09-01/accounts/{customer.account_id}/integrations/micc"
    assert response["Location"].endswith(item(customer, "micc"))
    assert on(customer) == {DELEGATED, GUEST}
    assert AuditEvent.objects.filter(account=customer, action="integration.added").count() == 1


def test_post_with_config_completes_the_setup_and_validates_it(api_client_for, account_admin, customer):
    client = api_client_for(account_admin)

    invalid = client.post(
        collection(customer), {"type": "unify-phone", "config": {"mode": "existing"}}, format="json"
    )
    valid = client.post(
        collection(customer),
        {"type": "unify-phone", "config": {"mode": "existing", "api_key": "k-1"}},
        format="json",
    )

    assert invalid.status_code == 400 and invalid.json()["name"] == "ValidationError"
    assert invalid.json()["errors"] == {"config.api_key": ["Enter the API key of the existing tenant."]}
    assert (
        valid.status_code == 201 and valid.json()["setupComplete"] is True and valid.json()["enabled"] is True
    )
    assert valid.json()["config"]["api_key"] == "********", "secrets are never returned"


def test_post_errors_unknown_type_400_already_added_409_partner_account_400(
    api_client_for, partner_admin, partner, customer
):
    client = api_client_for(partner_admin)
    client.post(collection(customer), {"type": "micollab"}, format="json")

    unknown = client.post(collection(customer), {"type": "zoom"}, format="json")
    again = client.post(collection(customer), {"type": "micollab"}, format="json")
    partner_account = client.post(collection(partner), {"type": "micc"}, format="json")
    missing = client.post(collection(customer), {}, format="json")

    assert unknown.status_code == 400 and "no integration called “zoom”" in unknown.json()["message"]
    assert again.status_code == 409 and again.json() == {
        "name": "Conflict",
        "message": "MiCollab is already added to this account.",
    }
    assert partner_account.status_code == 400
    assert "can't be added to a partner account" in partner_account.json()["message"]
    assert missing.status_code == 400 and missing.json()["name"] == "ValidationError"
    assert added(partner) == set()


def test_get_lists_the_integrations_with_their_state_in_the_collection_envelope(
    api_client_for, account_admin, customer
):
    services.integration_add(actor=account_admin, account=customer, type="micc")
    services.integration_add(actor=account_admin, account=customer, type="unify-phone")
    services.privilege_set(actor=account_admin, account=customer, privilege=GUEST, enabled=False)

    response = api_client_for(account_admin).get(collection(customer, by="number"))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and body["_links"]["self"].startswith("/2017-09-01/accounts/")
    micc, unify = body["_embedded"]["items"]
    assert micc["type"] == "micc" and micc["missingPrivileges"] == ["allowGuestAccess"]
    assert unify["needsSetup"] is True and unify["enabled"] is False


def test_get_collection_supports_odata_filter_and_paging(api_client_for, account_admin, customer):
    for type_ in ["micc", "micollab", "mitel-one"]:
        services.integration_add(actor=account_admin, account=customer, type=type_)
    services.integration_disable(actor=account_admin, account=customer, type="micollab")
    client = api_client_for(account_admin)

    enabled = client.get(collection(customer), {"$filter": "enabled eq true", "$orderby": "type desc"}).json()
    first = client.get(collection(customer), {"$top": 2}).json()
    bad = client.get(collection(customer), {"$filter": "secret eq 1"})

    assert [i["type"] for i in enabled["_embedded"]["items"]] == ["mitel-one", "micc"]
    assert first["count"] == 2 and "$skip=2" in first["_links"]["next"]
    assert bad.status_code == 400


def test_get_one_and_404_for_one_not_added(api_client_for, account_admin, customer):
    services.integration_add(actor=account_admin, account=customer, type="micollab")
    client = api_client_for(account_admin)

    assert client.get(item(customer, "micollab")).json()["privileges"] == ["allowProxyAuthentication"]
    missing = client.get(item(customer, "micc"))
    assert missing.status_code == 404 and missing.json()["name"] == "NotFound"
    assert client.get(item(customer, "zoom")).status_code == 404


def test_put_enables_disables_and_configures_without_touching_privileges(
    api_client_for, account_admin, customer
):
    services.integration_add(actor=account_admin, account=customer, type="micollab")
    client = api_client_for(account_admin)

    disabled = client.put(item(customer, "micollab"), {"enabled": False}, format="json")
    configured = client.put(
        item(customer, "micollab"),
        {"enabled": True, "config": {"server": "mc.globex.example", "cloudlink_chat": True}},
        format="json",
    )

    assert disabled.status_code == 200 and disabled.json()["enabled"] is False
    assert configured.json()["enabled"] is True
    assert configured.json()["config"] == {"server": "mc.globex.example", "cloudlink_chat": True}
    assert on(customer) == {DELEGATED}


def test_put_refuses_enabling_before_setup_and_invalid_config_atomically(
    api_client_for, account_admin, customer
):
    services.integration_add(actor=account_admin, account=customer, type="unify-phone")
    client = api_client_for(account_admin)

    early = client.put(item(customer, "unify-phone"), {"enabled": True}, format="json")
    invalid = client.put(item(customer, "unify-phone"), {"config": {"mode": "sideways"}}, format="json")
    not_a_bool = client.put(item(customer, "unify-phone"), {"enabled": "perhaps"}, format="json")

    assert early.status_code == 400 and "Complete the setup of Unify Phone" in early.json()["message"]
    assert invalid.status_code == 400 and "config.mode" in invalid.json()["errors"]
    assert not_a_bool.status_code == 400
    assert not Integration.objects.get(account=customer, type="unify-phone").enabled


def test_delete_answers_with_the_integration_and_the_privileges_switched_off(
    api_client_for, account_admin, customer
):
    services.integration_add(actor=account_admin, account=customer, type="micc")
    services.integration_add(actor=account_admin, account=customer, type="micollab")

    response = api_client_for(account_admin).delete(item(customer, "micc"))

    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "micc" and body["name"] == "MiCC"
    assert body["privilegesSwitchedOff"] == ["allowGuestAccess"]
    assert body["privilegesKeptOn"] == ["allowProxyAuthentication"]
    assert body["policy"] == {
        "allowGuestAccess": False,
        "allowProxyAuthentication": True,
        "adminsRequireSecondFactor": False,
    }
    assert added(customer) == {"micollab"} and on(customer) == {DELEGATED}
    assert api_client_for(account_admin).delete(item(customer, "micc")).status_code == 404


def test_a_plain_user_gets_403_and_no_token_401(api_client_for, member, customer):
    from rest_framework.test import APIClient

    response = api_client_for(member).post(collection(customer), {"type": "micc"}, format="json")

    assert response.status_code == 403 and response.json()["name"] == "Forbidden"
    assert api_client_for(member).get(collection(customer)).status_code == 403
    assert APIClient().get(collection(customer)).status_code == 401
    assert added(customer) == set()


def test_the_admin_spec_documents_the_integration_routes(client):
    spec = client.get(f"{BASE}/_spec").json()

    assert "/accounts/{accountId}/integrations" in spec["paths"]
    assert set(spec["paths"]["/accounts/{accountId}/integrations/{type}"]) >= {"get", "put", "delete"}
    assert "/accounts/{accountId}" in spec["paths"], "the account routes are still there"
