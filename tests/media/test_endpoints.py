"""Endpoints over the Media API against the CSTA simulator: DND, message waiting and call forward set and
read through the CSTA feature services, presence derived from the device's calls, publications."""

import pytest

from notifications.models import Publication
from tests.accounts.factories import UserFactory
from tests.media.conftest import BASE, attach_pbx
from tests.media.test_calls_api import act, number_of, place

pytestmark = pytest.mark.django_db


def endpoint(client, ext="2001"):
    return client.get(f"{BASE}/endpoints/{ext}")


def update(client, ext, action, enabled):
    return client.put(
        f"{BASE}/endpoints/{ext}",
        {"action": action, "userAvailability": "available", "enabled": enabled},
        format="json",
    )


def endpoint_publications(ext):
    return Publication.objects.filter(topic="platform-api-media", subject=f"/2017-09-01/endpoints/{ext}")


def test_an_idle_extension_is_available_with_nothing_set(admin_api, customer_pbx):
    response = endpoint(admin_api)

    assert response.status_code == 200, response.content
    assert response.json() == {
        "endpointId": "2001",
        "name": "",
        "state": "idle",
        "userAvailability": "available",
        "dnd": False,
        "messageWaiting": False,
        "callForwarding": {},
        "_links": {"self": "/2017-09-01/endpoints/2001"},
    }


def test_do_not_disturb_is_set_on_the_pbx_and_published(admin_api, customer_pbx, call_pbx):
    response = update(admin_api, "2001", "dnd", True)

    assert response.status_code == 200, response.content
    assert (response.json()["dnd"], response.json()["userAvailability"]) == (True, "dnd")
    assert call_pbx.dnd == {"2001"}
    publication = endpoint_publications("2001").get()
    assert publication.content["eventType"] == "EndpointStateNotification"
    assert publication.content["dnd"] is True

    assert update(admin_api, "2001", "dnd", False).json()["dnd"] is False
    assert call_pbx.dnd == set()


def test_message_waiting_follows_the_pbx_lamp(admin_api, customer_pbx, call_pbx):
    assert update(admin_api, "2002", "messageWaiting", True).json()["messageWaiting"] is True
    assert call_pbx.message_waiting == {"2002"}

    call_pbx.set_message_waiting("2002", False)  # the voicemail was listened to

    assert endpoint(admin_api, "2002").json()["messageWaiting"] is False


@pytest.mark.parametrize("kind", ["forwardImmediate", "forwardBusy", "forwardNoAns"])
def test_call_forward_is_set_and_cleared(admin_api, customer_pbx, call_pbx, kind):
    url = f"{BASE}/endpoints/2001/forwarding"

    on = admin_api.put(url, {"type": kind, "destination": "2003"}, format="json")
    off = admin_api.put(url, {"type": kind, "destination": ""}, format="json")
    nowhere = admin_api.put(url, {"type": kind, "destination": "7777"}, format="json")

    assert on.status_code == 200, on.content
    assert on.json()["callForwarding"] == {kind: "2003"}
    assert off.json()["callForwarding"] == {}
    assert nowhere.status_code == 400
    assert call_pbx.forwarding == {"2001": {}}


def test_presence_follows_the_device_calls(admin_api, customer_pbx):
    number = number_of(place(admin_api, "2002", "2001").json())
    ringing = endpoint(admin_api, "2001").json()
    act(admin_api, "2001", number, "answer")
    talking = endpoint(admin_api, "2001").json()

    assert (ringing["state"], ringing["userAvailability"]) == ("ringing", "busy")
    assert (talking["state"], talking["userAvailability"]) == ("connected", "busy")


def test_unknown_extension_unsupported_action_and_plain_users(
    admin_api, customer_pbx, api_client_for, member
):
    assert endpoint(admin_api, "9999").status_code == 404
    assert update(admin_api, "2001", "pstnRouting", True).status_code == 400
    assert endpoint(api_client_for(member), "2001").status_code == 403
    assert endpoint(api_client_for(member), "2002").status_code == 200


def test_an_account_admin_cannot_change_a_partner_admins_phone(partner_admin, api_client_for, call_pbx):
    """Over HTTP, in a partner account with a PBX: its account admin changes a USER's phone but
    not the partner admin's, whose role is above theirs (``access.require_not_above``)."""
    partner = partner_admin.account
    attach_pbx(partner, port=call_pbx.port)
    partner_admin.extension = "2001"
    partner_admin.save(update_fields=["extension"])
    UserFactory(account=partner, role="USER", extension="2002")
    admin = api_client_for(UserFactory(account=partner, role="ACCOUNT_ADMIN"))

    refused = update(admin, "2001", "dnd", True)
    allowed = update(admin, "2002", "dnd", True)

    assert refused.status_code == 403, refused.content
    assert "above yours" in refused.json()["message"]
    assert allowed.status_code == 200, allowed.content
    assert call_pbx.dnd == {"2002"}
