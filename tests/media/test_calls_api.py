"""Calls over the Media API against a real CSTA simulator on a socket: make, list, read, answer, end,
hold and retrieve; the PBX's events become call states and platform-api-media publications."""

import pytest

from gateways.pbx.simulator import PbxSimulator
from media.models import Call
from notifications.models import Publication
from tests.gateways.pbx.tls import self_signed
from tests.media.conftest import BASE, USERS, attach_pbx

pytestmark = pytest.mark.django_db


def place(client, ext="2002", to="2001", **body):
    return client.post(f"{BASE}/endpoints/{ext}/calls", {"to": to, **body}, format="json")


def act(client, ext, number, action):
    return client.put(f"{BASE}/endpoints/{ext}/calls/{number}", {"action": action}, format="json")


def number_of(call_json) -> str:
    return call_json["callId"].rsplit("/", 1)[1]


def media_publications(ext, number):
    return Publication.objects.filter(
        topic="platform-api-media", subject=f"/2017-09-01/endpoints/{ext}/calls/{number}"
    ).order_by("pk")


def test_admin_places_a_call_and_the_pbx_rings_the_called_extension(
    admin_api, customer, customer_pbx, call_pbx
):
    response = place(admin_api, "2002", "2001")

    assert response.status_code == 200, response.content
    body = response.json()
    number = number_of(body)
    assert body["callId"] == f"endpoints/2002/calls/{number}"
    assert body["_links"]["self"] == f"/2017-09-01/endpoints/2002/calls/{number}"
    assert (body["from"], body["to"], body["direction"], body["state"]) == (
        "2002",
        "2001",
        "outbound",
        "connected",
    )
    assert body["createdOn"] and body["completed"] is False
    pbx_call = call_pbx.calls[number]
    assert (pbx_call.calling, pbx_call.called, pbx_call.state) == ("2002", "2001", "alerting")
    ringing = Call.objects.get(account=customer, endpoint="2001", call_number=number)
    assert (ringing.direction, ringing.state, ringing.from_number) == ("inbound", "ringing", "2002")


def test_the_ringing_leg_is_published_in_cloudlinks_call_state_shape(admin_api, customer, customer_pbx):
    number = number_of(place(admin_api, "2002", "2001").json())

    publication = media_publications("2001", number).get()
    content = publication.content
    assert publication.method == "PUT" and publication.account == customer
    assert content["state"] == "ringing" and content["direction"] == "inbound"
    assert (content["from"], content["to"], content["endpointId"]) == ("2002", "2001", "2001")
    assert content["callId"] == f"endpoints/2001/calls/{number}"
    assert content["eventType"] == "CallStateNotification" and content["isCtiEvent"] is True
    assert content["accountId"] == str(customer.account_id)
    assert content["extraPbxData"]["eventType"] == "deliveredEvent"
    assert content["extraPbxData"]["alertingDevice"] == "2001"
    assert isinstance(content["timestamp"], int) and content["createdOn"]
    assert content["_links"]["self"] == f"/2017-09-01/endpoints/2001/calls/{number}"
    # The caller's outbound leg is published too, once.
    assert [p.content["state"] for p in media_publications("2002", number)] == ["connected"]


def test_called_extension_lists_its_ringing_call_and_answers_it(admin_api, customer_pbx, call_pbx):
    number = number_of(place(admin_api, "2002", "2001").json())

    listing = admin_api.get(f"{BASE}/endpoints/2001/calls").json()
    assert listing["count"] == 1 and listing["_links"]["self"] == "/2017-09-01/endpoints/2001/calls"
    assert listing["_embedded"]["items"][0]["state"] == "ringing"

    response = act(admin_api, "2001", number, "answer")

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "connected"
    assert call_pbx.calls[number].state == "connected"
    assert [p.content["state"] for p in media_publications("2001", number)] == ["ringing", "connected"]
    detail = admin_api.get(f"{BASE}/endpoints/2001/calls/{number}").json()
    assert detail["state"] == "connected" and detail["extraPbxData"]["eventType"] == "establishedEvent"


def test_ending_a_call_clears_it_on_the_pbx_and_completes_both_legs(admin_api, customer_pbx, call_pbx):
    number = number_of(place(admin_api, "2002", "2001").json())
    act(admin_api, "2001", number, "answer")

    response = act(admin_api, "2002", number, "end")

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "completed" and response.json()["completed"] is True
    assert number not in call_pbx.calls
    assert "ClearConnection" in [name for _, name in call_pbx.received]
    assert set(Call.objects.values_list("state", flat=True)) == {"completed"}
    assert admin_api.get(f"{BASE}/endpoints/2001/calls").json()["count"] == 0
    assert media_publications("2001", number).last().content["state"] == "completed"
    assert act(admin_api, "2002", number, "end").status_code == 409


def test_hold_and_retrieve_a_connected_call(admin_api, customer_pbx, call_pbx):
    number = number_of(place(admin_api, "2002", "2001").json())
    act(admin_api, "2001", number, "answer")

    held = act(admin_api, "2002", number, "hold")

    assert held.status_code == 200, held.content
    assert held.json()["state"] == "held"
    assert call_pbx.calls[number].held == {"2002"}
    assert admin_api.get(f"{BASE}/endpoints/2001/calls/{number}").json()["state"] == "connected"
    assert act(admin_api, "2002", number, "hold").status_code == 409

    retrieved = act(admin_api, "2002", number, "retrieve")

    assert retrieved.status_code == 200 and retrieved.json()["state"] == "connected"
    assert call_pbx.calls[number].held == set()
    assert act(admin_api, "2002", number, "retrieve").status_code == 409


def test_actions_that_do_not_fit_the_call_are_refused(admin_api, customer_pbx):
    number = number_of(place(admin_api, "2002", "2001").json())

    outbound_answer = act(admin_api, "2002", number, "answer")
    ringing_hold = act(admin_api, "2001", number, "hold")

    assert outbound_answer.status_code == 409 and outbound_answer.json()["name"] == "Conflict"
    assert ringing_hold.status_code == 409


@pytest.mark.parametrize("action", ["dance", "dtmf"])
def test_unknown_and_unsupported_actions_are_400(admin_api, customer_pbx, action):
    number = number_of(place(admin_api, "2002", "2001").json())

    response = act(admin_api, "2002", number, action)

    assert response.status_code == 400
    assert set(response.json()) >= {"name", "message"} and action in response.json()["message"]


def test_unknown_call_is_404(admin_api, customer_pbx):
    response = act(admin_api, "2002", "999", "end")

    assert response.status_code == 404 and response.json()["name"] == "NotFound"
    assert admin_api.get(f"{BASE}/endpoints/2002/calls/999").status_code == 404


@pytest.mark.parametrize(
    "body",
    [{}, {"to": "2001", "colour": "blue"}, {"to": "2001", "from": "2003"}],
    ids=["no-to", "unknown-property", "other-from"],
)
def test_malformed_make_call_bodies_are_400(admin_api, customer_pbx, call_pbx, body):
    response = admin_api.post(f"{BASE}/endpoints/2002/calls", body, format="json")

    assert response.status_code == 400, response.content
    assert set(response.json()) >= {"name", "message"}
    assert call_pbx.calls == {}


def test_a_number_the_pbx_cannot_call_is_400_and_an_unknown_extension_404(admin_api, customer_pbx):
    assert place(admin_api, "2002", "7777").status_code == 400
    assert place(admin_api, "9999", "2001").status_code == 404
    assert not Call.objects.exists()


def test_a_call_is_placed_over_csta_with_tls(admin_api, customer, tmp_path):
    pair = self_signed()
    with PbxSimulator("127.0.0.1", 0, users=USERS, tls_context=pair.server_context(tmp_path)) as simulator:
        pbx = attach_pbx(customer, port=simulator.port)
        pbx.csta_tls, pbx.csta_tls_certificate = True, pair.certificate_pem
        pbx.save(update_fields=["csta_tls", "csta_tls_certificate"])

        response = place(admin_api, "2002", "2001")

        assert response.status_code == 200, response.content
        assert simulator.calls[number_of(response.json())].state == "alerting"
    assert Call.objects.get(endpoint="2001").state == "ringing"
