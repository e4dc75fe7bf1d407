"""Chat and notifications through the client against the live portal (issue 6 services)."""

from __future__ import annotations

import uuid

import pytest

from cloudlink import BadRequest, Conversation, Message, NotFound, Subscription

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_users_chat_in_a_conversation(cloudlink, account_admin, member, password):
    ada, uma = cloudlink(), cloudlink()
    ada.login(account_admin.email, password)
    uma.login(member.email, password)
    ada_id, uma_id = ada.whoami().user_id, uma.whoami().user_id

    conversation = ada.chat.create_conversation([ada_id, uma_id], name="Planning", hidden=True)
    assert isinstance(conversation, Conversation) and conversation.conversation_id
    first = ada.chat.post_message(conversation.conversation_id, "Hi from Ada")
    second = uma.chat.post_message(conversation.conversation_id, "Hi from Uma")
    third = uma.chat.post_message(conversation.conversation_id, "Anyone?")
    assert isinstance(first, Message) and first.body == "Hi from Ada" and second.message_id

    bodies = [m.body for m in uma.chat.iter_messages(conversation.conversation_id, top=1)]
    assert sorted(bodies) == sorted([first.body, second.body, third.body])
    participants = {
        p.participant_id or p.user_id for p in ada.chat.iter_participants(conversation.conversation_id)
    }
    assert {ada_id, uma_id} <= participants
    assert conversation.conversation_id in {c.conversation_id for c in uma.chat.iter_conversations()}
    assert ada.chat.get_conversation(conversation.conversation_id).name == "Planning"

    assert isinstance(ada.chat.delete_conversation(conversation.conversation_id), dict)
    with pytest.raises(NotFound):
        ada.chat.get_conversation(conversation.conversation_id)


def test_unknown_conversation_property_is_a_bad_request(cloudlink, member, password):
    client = cloudlink()
    client.login(member.email, password)
    with pytest.raises(BadRequest) as caught:
        client.chat.create_conversation([], colour="blue")
    assert caught.value.message and caught.value.correlation_id


def test_subscriptions_create_list_delete(cloudlink, account_admin, password, settings):
    settings.PORTAL_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    client = cloudlink()
    client.login(account_admin.email, password)
    created = client.notifications.create_subscription(
        application_id=str(uuid.uuid4()),
        device_id="http://127.0.0.1:9/hook",
        topic="platform-api-media",
        subject_filter="/2017-09-01/endpoints/",
        publication_filter="$.publications[?(@.content.state == 'ringing')]",
    )
    assert isinstance(created, Subscription) and created.subscription_id
    assert created.secret.startswith("whsec_")
    rotated = client.notifications.rotate_subscription_secret(created.subscription_id)
    assert rotated.subscription_id == created.subscription_id and rotated.secret != created.secret
    assert created.topic == "platform-api-media" and created.device_id == "http://127.0.0.1:9/hook"
    assert created.subscription_id in {s.subscription_id for s in client.notifications.iter_subscriptions()}
    client.notifications.delete_subscription(created.subscription_id)
    assert created.subscription_id not in {
        s.subscription_id for s in client.notifications.iter_subscriptions()
    }
