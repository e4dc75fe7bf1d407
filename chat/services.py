"""Every change to chat: create and delete conversations, add participants, post messages.

Each service takes the calling ``ChatPrincipal`` (a user or a guest, see ``principals.py``),
re-checks what it may do, and runs in one transaction. Rules:

* Conversations live in the creator's account; participants are users of that account or, while
  the account allows guest access, guests (by the ``principalId`` of their GUEST token).
* Guests only read and post in conversations they were added to: they cannot create or delete
  conversations nor add participants.
* Any participant may add participants and post messages; the creator, or an admin who manages
  the account's users, may delete the conversation (audited).
* A posted message is published on topic ``platform-api-conversations`` in the same transaction
  (delivered to webhooks once it commits).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.audit import AuditAction, audit_record
from accounts.models import Account, User
from chat import selectors
from chat.api.serializers import message_resource
from chat.models import Conversation, Message, Participant, PrincipalType
from chat.principals import ChatPrincipal
from core.errors import Conflict
from notifications.publish import publication_publish

TOPIC = "platform-api-conversations"
PARTICIPANT_ID_MAX = 255


class AlreadyParticipant(Conflict):
    """The principal is already a participant of the conversation (409)."""


@dataclass(frozen=True)
class ParticipantSpec:
    type: str
    participant_id: str
    name: str = ""


@dataclass(frozen=True)
class _Resolved:
    type: str
    participant_id: str
    user: User | None
    name: str


def _user_q(ref: str) -> Q:
    try:
        return Q(user_id=uuid.UUID(ref))
    except ValueError:
        return Q(email__iexact=ref) if "@" in ref else Q(pk__in=[])


def _resolve(account: Account, spec: ParticipantSpec, field: str) -> _Resolved:
    ref = (spec.participant_id or "").strip()
    if not ref or len(ref) > PARTICIPANT_ID_MAX:
        raise ValidationError(
            {field: f"participantId is required (at most {PARTICIPANT_ID_MAX} characters)."}
        )
    if spec.type == PrincipalType.USER:
        user = User.objects.filter(_user_q(ref), account=account, is_active=True).first()
        if user is None:
            raise ValidationError({field: f"{ref} is not a user of this account."})
        return _Resolved(PrincipalType.USER, str(user.user_id), user, user.display_name)
    if spec.type == PrincipalType.GUEST:
        if not account.allow_guest_access:
            raise ValidationError({field: "This account does not allow guest access."})
        if User.objects.filter(_user_q(ref), account=account).exists():
            raise ValidationError({field: f"{ref} is a user of this account, not a guest."})
        return _Resolved(PrincipalType.GUEST, ref, None, (spec.name or "").strip()[:150])
    raise ValidationError({field: "type must be USER or GUEST."})


def _require_member(principal: ChatPrincipal, action: str) -> None:
    if principal.is_guest:
        raise PermissionDenied(f"Guests cannot {action}.")


def conversation_create(
    *,
    principal: ChatPrincipal,
    participants: list[ParticipantSpec],
    name: str = "",
    visibility: str = Conversation.Visibility.PRIVATE,
    language_code: str = "",
    thumbnail_url: str = "",
    stream: bool = False,
    hidden: bool = False,
    generate_system_messages: bool = False,
) -> Conversation:
    """A conversation in the caller's account with the caller and ``participants`` in it."""
    _require_member(principal, "create conversations")
    account = principal.account
    creator = _Resolved(principal.type, principal.principal_id, principal.user, principal.name)
    resolved: dict[str, _Resolved] = {creator.participant_id: creator}
    for spec in participants:
        item = _resolve(account, spec, "originalParticipants")
        resolved.setdefault(item.participant_id, item)
    with transaction.atomic():
        conversation = Conversation.objects.create(
            account=account,
            name=name,
            visibility=visibility,
            language_code=language_code,
            thumbnail_url=thumbnail_url,
            stream=stream,
            hidden=hidden,
            generate_system_messages=generate_system_messages,
            created_by=principal.principal_id,
            modified_by=principal.principal_id,
        )
        Participant.objects.bulk_create(
            Participant(
                conversation=conversation,
                type=item.type,
                participant_id=item.participant_id,
                user=item.user,
                name=item.name,
                added_by=principal.principal_id,
            )
            for item in resolved.values()
        )
    return conversation


def conversation_delete(*, principal: ChatPrincipal, conversation: Conversation) -> None:
    """Delete with its participants and messages: the creator, or an admin of the account."""
    _require_member(principal, "delete conversations")
    if conversation.created_by != principal.principal_id and not principal.moderates(conversation.account):
        raise PermissionDenied("Only the conversation's creator or an account admin can delete it.")
    with transaction.atomic():
        before = {
            "name": conversation.name,
            "createdBy": conversation.created_by,
            "participants": conversation.participants.count(),
            "messages": conversation.messages.count(),
        }
        audit_record(
            actor=principal.user,
            account=conversation.account,
            action=AuditAction.CONVERSATION_DELETED,
            target=conversation,
            before=before,
        )
        conversation.delete()


def participant_add(
    *, principal: ChatPrincipal, conversation: Conversation, spec: ParticipantSpec
) -> Participant:
    """Add a user of the conversation's account, or a guest; by a participant or an account admin."""
    _require_member(principal, "add participants")
    if not (
        selectors.is_participant(principal=principal, conversation=conversation)
        or principal.moderates(conversation.account)
    ):
        raise PermissionDenied("Only participants can add participants.")
    item = _resolve(conversation.account, spec, "participantId")
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                conversation=conversation,
                type=item.type,
                participant_id=item.participant_id,
                user=item.user,
                name=item.name,
                added_by=principal.principal_id,
            )
            Conversation.objects.filter(pk=conversation.pk).update(
                modified_by=principal.principal_id, modified_on=timezone.now()
            )
    except IntegrityError as exc:
        raise AlreadyParticipant(f"{item.participant_id} is already a participant.") from exc
    return participant


def message_post(
    *,
    principal: ChatPrincipal,
    conversation: Conversation,
    body: str,
    content_type: str = "text/plain",
    tag: str = "",
) -> Message:
    """Post as a participant (user or guest) and publish it on ``platform-api-conversations``
    with the message's API JSON as content, addressed to the conversation's participants."""

    with transaction.atomic():
        participant = (
            Participant.objects.select_for_update()
            .filter(conversation=conversation, participant_id=principal.principal_id, type=principal.type)
            .first()
        )
        if participant is None:
            raise PermissionDenied("Only participants can post messages.")
        if principal.is_guest and principal.name and participant.name != principal.name:
            participant.name = principal.name  # the guest's name, as given on /guest/token
            participant.save(update_fields=["name"])
        now = timezone.now()
        message = Message.objects.create(
            conversation=conversation,
            body=body,
            content_type=content_type or "text/plain",
            tag=tag,
            created_by=principal.principal_id,
            created_by_type=principal.type,
            created_on=now,
        )
        Conversation.objects.filter(pk=conversation.pk).update(
            modified_by=principal.principal_id, modified_on=now
        )
        audience = conversation.participants.values_list("participant_id", flat=True)
        publication_publish(
            account=conversation.account,
            topic=TOPIC,
            subject=f"/2017-09-01/conversations/{conversation.conversation_id}/messages",
            method="POST",
            content=message_resource(message),
            publisher={"accountId": str(principal.account.account_id), "principalId": principal.principal_id},
            audience=list(audience),
        )
    return message
