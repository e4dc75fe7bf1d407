"""Acceptance (issue 6): guest token -> post in a conversation it was added to -> Allow Guest
Access switched off -> refused. Every step goes through the HTTP API and the console's switch."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.chat.conftest import BASE, client_with, create_conversation, guest_token, post_message

pytestmark = pytest.mark.django_db


def test_guest_flow(client_for, api_client_for, partner_admin, member, customer):
    admin = client_for(partner_admin)
    switch = reverse("integrations:privilege_toggle", args=[customer.account_number, "allow-guest-access"])
    admin.post(switch, {"state": "on"})
    customer.refresh_from_db()
    assert customer.allow_guest_access

    token = guest_token(customer, "visitor-7", "Vera Visitor")
    conversation = create_conversation(api_client_for(member), ("GUEST", "visitor-7"), name="Web chat")
    guest = client_with(token)

    posted = post_message(guest, conversation["conversationId"], "Hi, is anyone there?")
    assert posted.status_code == 201
    assert post_message(api_client_for(member), conversation["conversationId"], "Yes!").status_code == 201

    admin.post(switch, {"state": "off"})
    customer.refresh_from_db()
    assert not customer.allow_guest_access

    refused = post_message(guest, conversation["conversationId"], "Still there?")
    assert refused.status_code == 401
    assert refused.json()["name"] == "UnauthorizedError"
    history = (
        api_client_for(member).get(f"{BASE}/conversations/{conversation['conversationId']}/messages").json()
    )
    assert [m["body"] for m in history["_embedded"]["items"]] == ["Hi, is anyone there?", "Yes!"]
