"""Guest chat: a GUEST token (POST /guest/token while Allow Guest Access is on) reads and posts only
in conversations of its account it was added to; everything else is refused; switching Allow
Guest Access off ends its tokens on the next request."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from integrations import services as integrations
from notifications.models import Publication
from tests.chat.conftest import BASE, GUEST_URL, assert_error, client_with, create_conversation, post_message
from tests.oauth.helpers import client_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def guest_conversation(api_client_for, member, guests_allowed):
    return create_conversation(api_client_for(member), ("GUEST", "guest-gail"), name="Help desk")


def test_a_guest_added_to_a_conversation_reads_and_posts_in_it(
    guest_client, customer, guest_conversation, member
):
    guest = guest_client(customer, "guest-gail", "Gail Guest")
    conversation_id = guest_conversation["conversationId"]

    posted = post_message(guest, conversation_id, "Hello, I need help")

    assert posted.status_code == 201, posted.content
    assert posted.json()["createdBy"] == "guest-gail"
    assert guest.get(f"{BASE}/conversations/{conversation_id}").status_code == 200
    assert [
        m["body"]
        for m in guest.get(f"{BASE}/conversations/{conversation_id}/messages").json()["_embedded"]["items"]
    ] == ["Hello, I need help"]
    mine = guest.get(f"{BASE}/conversations").json()
    assert [c["conversationId"] for c in mine["_embedded"]["items"]] == [conversation_id]
    participants = guest.get(f"{BASE}/conversations/{conversation_id}/participants").json()["_embedded"][
        "items"
    ]
    gail = next(p for p in participants if p["participantId"] == "guest-gail")
    assert gail["type"] == "GUEST" and gail["name"] == "Gail Guest" and gail["userId"] is None
    publication = Publication.objects.get()
    assert publication.publisher == {"accountId": str(customer.account_id), "principalId": "guest-gail"}


def test_a_participant_adds_a_guest_later(api_client_for, member, guest_client, customer, guests_allowed):
    conversation = create_conversation(api_client_for(member))
    guest = guest_client(customer, "guest-late")
    assert_error(post_message(guest, conversation["conversationId"]), 404, "NotFound")

    added = api_client_for(member).post(
        f"{BASE}/conversations/{conversation['conversationId']}/participants",
        {"participantId": "guest-late", "type": "GUEST"},
        format="json",
    )

    assert added.status_code == 201 and added.json()["type"] == "GUEST"
    assert post_message(guest, conversation["conversationId"]).status_code == 201


def test_a_guest_sees_no_other_conversation(
    api_client_for, member, guest_client, customer, guest_conversation
):
    other = create_conversation(api_client_for(member), name="Internal")
    guest = guest_client(customer, "guest-gail")

    assert_error(guest.get(f"{BASE}/conversations/{other['conversationId']}"), 404, "NotFound")
    assert_error(guest.get(f"{BASE}/conversations/{other['conversationId']}/messages"), 404, "NotFound")
    assert_error(post_message(guest, other["conversationId"]), 404, "NotFound")
    assert guest.get(f"{BASE}/conversations").json()["count"] == 1


def test_another_guest_of_the_account_cannot_use_the_conversation(guest_client, customer, guest_conversation):
    intruder = guest_client(customer, "guest-eve")

    assert_error(post_message(intruder, guest_conversation["conversationId"]), 404, "NotFound")
    assert intruder.get(f"{BASE}/conversations").json()["count"] == 0


def test_a_guest_cannot_take_the_principal_id_of_another_guest_from_the_participants_list(
    api_client_for, member, guest_client, customer, guests_allowed
):
    """Eve shares a conversation with Gail, reads Gail's principalId from the participants list and
    asks /guest/token for it: refused, so Gail's other conversations stay hers."""
    gail = guest_client(customer, "guest-gail", "Gail Guest")
    eve = guest_client(customer, "guest-eve", "Eve")
    shared = create_conversation(api_client_for(member), ("GUEST", "guest-gail"), ("GUEST", "guest-eve"))
    private = create_conversation(api_client_for(member), ("GUEST", "guest-gail"), name="Gail only")
    assert post_message(gail, private["conversationId"], "my order number is 42").status_code == 201
    participants = eve.get(f"{BASE}/conversations/{shared['conversationId']}/participants").json()
    stolen_id = next(
        p["participantId"]
        for p in participants["_embedded"]["items"]
        if p["participantId"] != "guest-eve" and p["type"] == "GUEST"
    )

    taken = APIClient().post(
        GUEST_URL,
        {"accountId": str(customer.account_id), "name": "Gail Guest", "principalId": stolen_id},
        format="json",
    )

    assert_error(taken, 403, "NotAllowed")
    assert_error(eve.get(f"{BASE}/conversations/{private['conversationId']}/messages"), 404, "NotFound")


def test_the_same_principal_id_in_another_account_gets_404(
    guest_client, guest_conversation, outsider_customer, other_partner_admin
):
    integrations.privilege_set(
        actor=other_partner_admin, account=outsider_customer, privilege="allowGuestAccess", enabled=True
    )
    elsewhere = guest_client(outsider_customer, "guest-gail")

    assert_error(post_message(elsewhere, guest_conversation["conversationId"]), 404, "NotFound")


def test_a_guest_cannot_create_delete_or_add_participants(guest_client, customer, guest_conversation, member):
    guest = guest_client(customer, "guest-gail")
    url = f"{BASE}/conversations/{guest_conversation['conversationId']}"

    assert_error(guest.post(f"{BASE}/conversations", {}, format="json"), 403, "Forbidden")
    assert_error(guest.delete(url), 403, "Forbidden")
    response = guest.post(
        f"{url}/participants", {"participantId": "guest-friend", "type": "GUEST"}, format="json"
    )
    assert_error(response, 403, "Forbidden")
    assert guest.get(url).status_code == 200


def test_guest_tokens_stop_working_when_guest_access_is_switched_off(
    guest_client, customer, partner_admin, guest_conversation
):
    guest = guest_client(customer, "guest-gail")
    assert post_message(guest, guest_conversation["conversationId"], "before").status_code == 201

    integrations.privilege_set(
        actor=partner_admin, account=customer, privilege="allowGuestAccess", enabled=False
    )

    assert_error(post_message(guest, guest_conversation["conversationId"], "after"), 401, "UnauthorizedError")
    assert_error(guest.get(f"{BASE}/conversations"), 401, "UnauthorizedError")


def test_guests_cannot_be_added_once_guest_access_is_off(
    api_client_for, member, partner_admin, customer, guest_conversation
):
    integrations.privilege_set(
        actor=partner_admin, account=customer, privilege="allowGuestAccess", enabled=False
    )

    response = api_client_for(member).post(
        f"{BASE}/conversations/{guest_conversation['conversationId']}/participants",
        {"participantId": "guest-new", "type": "GUEST"},
        format="json",
    )

    assert "does not allow guest access" in assert_error(response, 400, "BadRequestError")["message"]


def test_application_tokens_use_chat_as_themselves(app, customer):
    token = client_token(app)
    assert token.status_code == 201, token.content

    response = client_with(token.json()["access_token"]).get(f"{BASE}/conversations")

    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0
