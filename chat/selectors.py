"""Scoped reads of chat: what a principal may see, and the console's per-account list.

Visibility: a principal sees the conversations of its own account it participates in; admins who
manage an account's users (``Capability.MANAGE_USERS``) may also read any conversation of that
account by id (moderation). Anything else does not exist for the caller (404).
"""

from __future__ import annotations

import uuid

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from accounts import access
from accounts.access import Capability
from accounts.models import Account, User
from chat.models import Conversation, Message, Participant
from chat.principals import ChatPrincipal


def conversation_list(*, principal: ChatPrincipal) -> QuerySet[Conversation]:
    """The conversations ``principal`` participates in (the API collection)."""
    return Conversation.objects.filter(
        account=principal.account,
        participants__participant_id=principal.principal_id,
        participants__type=principal.type,
    ).select_related("account")


def is_participant(*, principal: ChatPrincipal, conversation: Conversation) -> bool:
    return conversation.account_id == principal.account.pk and (
        conversation.participants.filter(participant_id=principal.principal_id, type=principal.type).exists()
    )


def conversation_get_or_404(*, principal: ChatPrincipal, conversation_ref: str) -> Conversation:
    """One conversation the principal participates in, or (admins) of an account they manage."""
    try:
        conversation_id = uuid.UUID(str(conversation_ref))
    except ValueError:
        raise Http404("No such conversation.") from None
    conversation = (
        Conversation.objects.select_related("account", "account__parent")
        .filter(conversation_id=conversation_id)
        .first()
    )
    if conversation is None:
        raise Http404("No such conversation.")
    if is_participant(principal=principal, conversation=conversation):
        return conversation
    if not principal.is_guest and principal.moderates(conversation.account):
        return conversation
    raise Http404("No such conversation.")


def participant_list(*, conversation: Conversation) -> QuerySet[Participant]:
    return conversation.participants.select_related("user", "conversation__account")


def participant_get_or_404(*, conversation: Conversation, participant_ref: str) -> Participant:
    participant = participant_list(conversation=conversation).filter(participant_id=participant_ref).first()
    if participant is None:
        raise Http404("No such participant.")
    return participant


def message_list(*, conversation: Conversation) -> QuerySet[Message]:
    return conversation.messages.select_related("conversation__account")


def message_get_or_404(*, conversation: Conversation, message_ref: str) -> Message:
    try:
        message_id = uuid.UUID(str(message_ref))
    except ValueError:
        raise Http404("No such message.") from None
    message = message_list(conversation=conversation).filter(message_id=message_id).first()
    if message is None:
        raise Http404("No such message.")
    return message


def account_conversation_list(*, actor: User, account: Account) -> QuerySet[Conversation]:
    """Every conversation of ``account`` with its participants and message count, newest first,
    for the console page (read only). Three queries whatever the number of rows."""
    access.require(actor, Capability.MANAGE_USERS, account)
    return (
        Conversation.objects.for_account(account)
        .annotate(message_count=Count("messages", distinct=True))
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.select_related("user").order_by("created_on", "pk"),
            )
        )
        .order_by("-created_on", "pk")
    )
