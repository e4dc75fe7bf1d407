"""Factories of ``chat``'s models: a conversation, a user participant, a message. They write rows
directly; the API's flow (``tests/chat/conftest.create_conversation``) goes through the services."""

from __future__ import annotations

import factory

from chat.models import Conversation, Message, Participant, PrincipalType
from tests.accounts.factories import CustomerAccountFactory, UserFactory


class ConversationFactory(factory.django.DjangoModelFactory):
    """A private conversation of an account, started by one of its users."""

    class Meta:
        model = Conversation

    class Params:
        creator = factory.SubFactory(UserFactory, account=factory.SelfAttribute("..account"))

    account = factory.SubFactory(CustomerAccountFactory)
    name = factory.Sequence(lambda n: f"Conversation {n}")
    created_by = factory.LazyAttribute(lambda conversation: str(conversation.creator.user_id))
    modified_by = factory.SelfAttribute("created_by")


class ParticipantFactory(factory.django.DjangoModelFactory):
    """A user of the conversation's account taking part in it."""

    class Meta:
        model = Participant

    conversation = factory.SubFactory(ConversationFactory)
    type = PrincipalType.USER
    user = factory.SubFactory(UserFactory, account=factory.SelfAttribute("..conversation.account"))
    participant_id = factory.LazyAttribute(lambda participant: str(participant.user.user_id))
    name = factory.LazyAttribute(lambda participant: participant.user.get_full_name())
    added_by = factory.SelfAttribute("conversation.created_by")


class MessageFactory(factory.django.DjangoModelFactory):
    """A text message by the conversation's creator."""

    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    body = factory.Sequence(lambda n: f"Message {n}")
    created_by = factory.SelfAttribute("conversation.created_by")
    created_by_type = PrincipalType.USER
