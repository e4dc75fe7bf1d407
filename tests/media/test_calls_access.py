"""Who may place and control calls on which extension, and what the API says when the PBX is missing,
down or refuses the session."""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from integrations import services as integrations
from media.models import Call
from oauth.tokens import delegated_token_issue, guest_token_issue
from tests.media.conftest import BASE, attach_pbx
from tests.oauth.helpers import make_app

pytestmark = pytest.mark.django_db


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def place(client, ext, to="2001"):
    return client.post(f"{BASE}/endpoints/{ext}/calls", {"to": to}, format="json")


def test_a_user_places_calls_from_their_own_extension(api_client_for, member, customer_pbx, call_pbx):
    response = place(api_client_for(member), "2002")

    assert response.status_code == 200, response.content
    assert Call.objects.get(endpoint="2002").placed_by == member


def test_a_user_may_not_use_another_extension(api_client_for, member, customer_pbx, call_pbx):
    client = api_client_for(member)

    response = place(client, "2003")

    assert response.status_code == 403 and response.json()["name"] == "Forbidden"
    assert "own extension" in response.json()["message"]
    assert call_pbx.calls == {}
    assert client.get(f"{BASE}/endpoints/2001/calls").status_code == 403


def test_a_user_may_not_answer_a_call_ringing_elsewhere(api_client_for, account_admin, member, customer_pbx):
    number = place(api_client_for(account_admin), "2003", "2001").json()["callId"].rsplit("/", 1)[1]

    response = api_client_for(member).put(
        f"{BASE}/endpoints/2001/calls/{number}", {"action": "answer"}, format="json"
    )

    assert response.status_code == 403
    assert Call.objects.get(endpoint="2001").state == "ringing"


def test_a_user_without_an_extension_cannot_place_calls(api_client_for, customer, customer_pbx):
    from tests.accounts.factories import UserFactory

    response = place(api_client_for(UserFactory(account=customer)), "2002")

    assert response.status_code == 403


def test_another_accounts_admin_does_not_see_our_calls(api_client_for, account_admin, outsider, customer_pbx):
    number = place(api_client_for(account_admin), "2002").json()["callId"].rsplit("/", 1)[1]
    client = api_client_for(outsider)

    assert client.get(f"{BASE}/endpoints/2002/calls/{number}").status_code == 404
    response = client.put(f"{BASE}/endpoints/2002/calls/{number}", {"action": "end"}, format="json")
    assert response.status_code == 404
    assert client.get(f"{BASE}/endpoints/2002/calls").json()["count"] == 0


def test_a_delegated_token_may_place_calls_for_any_extension(partner_admin, customer, member, customer_pbx):
    app = make_app(partner_admin, customer)
    integrations.privilege_set(
        actor=partner_admin, account=customer, privilege="allowProxyAuthentication", enabled=True
    )
    token, _ = delegated_token_issue(member, client_id=app.client_id)

    response = place(bearer(token), "2003", "2001")

    assert response.status_code == 200, response.content
    assert response.json()["from"] == "2003"


def test_guest_tokens_are_refused(customer, customer_pbx, call_pbx):
    customer.allow_guest_access = True
    customer.save(update_fields=["allow_guest_access"])
    token, _ = guest_token_issue(account=customer, principal_id="guest-1", name="Gus")

    response = place(bearer(token), "2002")

    assert response.status_code == 403
    assert call_pbx.calls == {}


def test_no_pbx_configured_is_409(api_client_for, account_admin):
    response = place(api_client_for(account_admin), "2002")

    assert response.status_code == 409
    assert response.json()["name"] == "PbxNotConfigured" and "gateway" in response.json()["message"].lower()


def test_pbx_down_is_502_with_the_reason(api_client_for, account_admin, customer, closed_port):
    attach_pbx(customer, port=closed_port)

    response = place(api_client_for(account_admin), "2002")

    assert response.status_code == 502
    body = response.json()
    assert body["name"] == "PbxUnavailable"
    assert "cannot be reached" in body["message"] and "refused the connection" in body["message"]
    assert not Call.objects.exists()


def test_a_pbx_address_the_policy_refuses_is_502_and_nothing_is_dialled(
    api_client_for, account_admin, customer, call_pbx
):
    """The Media bridge goes through the same address policy as the gateway check (SSRF)."""
    attach_pbx(customer, port=call_pbx.port)

    with override_settings(PORTAL_PBX_ALLOWED_NETWORKS=[]):
        response = place(api_client_for(account_admin), "2002")

    assert response.status_code == 502
    body = response.json()
    assert body["name"] == "PbxUnavailable" and "loopback address" in body["message"]
    assert "PORTAL_PBX_ALLOWED_NETWORKS" in body["message"]
    assert call_pbx.received == [] and not Call.objects.exists()


def test_pbx_refusing_the_csta_credentials_is_502(api_client_for, account_admin, customer, call_pbx):
    attach_pbx(customer, port=call_pbx.port, password="wrong")

    response = place(api_client_for(account_admin), "2002")

    assert response.status_code == 502 and "password" in response.json()["message"]


def test_pbx_not_answering_is_504(api_client_for, account_admin, customer, pbx_simulator_factory):
    stalled = pbx_simulator_factory(mode="stall")
    attach_pbx(customer, port=stalled.port)

    response = place(api_client_for(account_admin), "2002")

    assert response.status_code == 504 and response.json()["name"] == "PbxTimeout"


def test_session_console_user_works_too(client_for, account_admin, customer_pbx):
    # Signed-in console session (no token): same rules as an admin token.
    response = client_for(account_admin).get(f"{BASE}/endpoints/2002/calls")

    assert response.status_code == 200
