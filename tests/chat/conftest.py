"""Chat test helpers: conversations made through the API, guests holding real GUEST tokens."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from integrations import services as integrations
from tests.accounts.factories import UserFactory

BASE = "/api/chat/2017-09-01"
GUEST_URL = "/api/authentication/2017-09-01/guest/token"


@pytest.fixture
def colleague(customer):
    """Carl, a USER of ``customer`` besides Uma (``member``)."""
    return UserFactory(
        account=customer, role=User.Role.USER, email="carl@globex.example", name="Carl Colleague"
    )


@pytest.fixture
def guests_allowed(partner_admin, customer):
    """Allow Guest Access switched on for ``customer`` (as the console's switch does)."""
    integrations.privilege_set(
        actor=partner_admin, account=customer, privilege="allowGuestAccess", enabled=True
    )


def guest_token(account, principal_id: str = "guest-gail", name: str = "Gail Guest") -> str:
    """A GUEST token from the real endpoint (POST /guest/token)."""
    response = APIClient().post(
        GUEST_URL,
        {"accountId": str(account.account_id), "name": name, "principalId": principal_id},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()["access_token"]


def client_with(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def guest_client():
    def make(account, principal_id: str = "guest-gail", name: str = "Gail Guest") -> APIClient:
        return client_with(guest_token(account, principal_id, name))

    return make


def create_conversation(client: APIClient, *participants, **fields) -> dict:
    """POST /conversations with ``participants`` (users, or ``("GUEST", principalId)``)."""
    original = []
    for p in participants:
        if isinstance(p, tuple):
            original.append({"type": p[0], "participantId": p[1]})
        else:
            original.append({"type": "USER", "participantId": str(p.user_id)})
    response = client.post(
        f"{BASE}/conversations", {"originalParticipants": original, **fields}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def post_message(client: APIClient, conversation_id: str, body: str = "Hello", **extra):
    return client.post(
        f"{BASE}/conversations/{conversation_id}/messages",
        {"body": body, "contentType": "text/plain", **extra},
        format="json",
    )


def assert_error(response, status: int, name: str, message: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert body["name"] == name, body
    if message is not None:
        assert body["message"] == message, body
    return body


# An approved application deployed in ``customer`` (application tokens are refused by chat).
from tests.oauth.helpers import app  # noqa: E402, F401
