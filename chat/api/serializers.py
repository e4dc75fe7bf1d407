"""Chat API bodies, in CloudLink's wire shapes (docs/chat.md, Bodies and Responses).

Input is checked like CloudLink's own JSON-schema validation: an unknown property anywhere is
``400 {name: "BadRequestError", message: "data should NOT have additional properties"}``, a missing
one ``data should have required property 'body'``, a bad value ``data.languageCode should match
pattern ...`` (``bad_request`` turns a serializer's errors into that message).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from chat.models import Conversation, Message, Participant, PrincipalType
from core.api.collections import collection_serializer, service_relative
from core.api.errors import ApiError

LANGUAGE_CODE_PATTERN = r"^[a-z]{2,3}(-[A-Z]{2})?$"
ADDITIONAL_PROPERTIES = "should NOT have additional properties"
MAX_PARTICIPANTS = 100
MAX_BODY = 20_000


# --- input -----------------------------------------------------------------------------------------


class StrictSerializer(serializers.Serializer):
    """A serializer refusing properties it does not declare (JSON schema ``additionalProperties: false``)."""

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            raise serializers.ValidationError(
                {"non_field_errors": [ErrorDetail("should be object", code="type")]}
            )
        if set(data) - set(self.fields):
            raise serializers.ValidationError(
                {"non_field_errors": [ErrorDetail(ADDITIONAL_PROPERTIES, code="additional")]}
            )
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """JSON ``true``/``false`` only (DRF would also take "yes", 1, "on"...)."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            raise serializers.ValidationError(ErrorDetail("should be boolean", code="type"))
        return data


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError(ErrorDetail("should be string", code="type"))
        return super().to_internal_value(data)


def _text(max_length: int, error_messages: dict | None = None, **kwargs) -> StrictCharField:
    messages = {"max_length": f"should NOT be longer than {max_length} characters", **(error_messages or {})}
    return StrictCharField(max_length=max_length, trim_whitespace=False, error_messages=messages, **kwargs)


_ENUM = {"invalid_choice": "should be equal to one of the allowed values"}


class ParticipantInputSerializer(StrictSerializer):
    type = serializers.ChoiceField(
        choices=PrincipalType.choices, default=PrincipalType.USER, error_messages=_ENUM
    )
    participantId = _text(255, help_text="A USER's userId (or email), or a GUEST's principalId.")
    name = _text(150, required=False, allow_blank=True, help_text="A guest's display name (optional).")


class ConversationCreateSerializer(StrictSerializer):
    stream = StrictBooleanField(required=False, default=False)
    hidden = StrictBooleanField(required=False, default=False)
    generateSystemMessages = StrictBooleanField(required=False, default=False)
    name = _text(200, required=False, allow_blank=True, default="")
    languageCode = _text(10, required=False, help_text="e.g. en-US")
    visibility = serializers.ChoiceField(
        choices=Conversation.Visibility.choices,
        required=False,
        default=Conversation.Visibility.PRIVATE,
        error_messages=_ENUM,
    )
    thumbnailUrl = serializers.URLField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        error_messages={"invalid": 'should match format "uri"'},
    )
    originalParticipants = serializers.ListField(
        child=ParticipantInputSerializer(),
        required=False,
        default=list,
        max_length=MAX_PARTICIPANTS,
        error_messages={
            "not_a_list": "should be array",
            "max_length": f"should NOT have more than {MAX_PARTICIPANTS} items",
        },
    )

    def validate_languageCode(self, value: str) -> str:
        if not re.fullmatch(LANGUAGE_CODE_PATTERN, value):
            raise serializers.ValidationError(f'should match pattern "{LANGUAGE_CODE_PATTERN}"')
        return value


class MessageCreateSerializer(StrictSerializer):
    body = _text(
        MAX_BODY, allow_blank=False, error_messages={"blank": "should NOT be shorter than 1 characters"}
    )
    contentType = _text(100, required=False, default="text/plain")
    tag = _text(2000, required=False, allow_blank=True, default="")


def bad_request(errors: Any, path: str = "data") -> ApiError:
    """The first of a serializer's errors as CloudLink's ``BadRequestError`` (AJV wording)."""

    def first(detail: Any, where: str) -> str:
        if isinstance(detail, dict):
            for key, value in detail.items():
                if key in ("non_field_errors", "__all__"):
                    return first(value, where)
                item = value[0] if isinstance(value, list) and value else value
                if isinstance(item, ErrorDetail) and item.code == "required":
                    return f"{where} should have required property '{key}'"
                return first(value, f"{where}[{key}]" if isinstance(key, int) else f"{where}.{key}")
        if isinstance(detail, list):
            for index, value in enumerate(detail):
                if isinstance(value, (dict, list)) and value:
                    return first(value, f"{where}[{index}]")
                if value:
                    return first(value, where)
            return f"{where} is invalid"
        text = str(detail)
        if getattr(detail, "code", "") == "null":
            text = "should not be null"
        return f"{where} {text}"

    return ApiError("BadRequestError", first(errors, path), 400)


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict:
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise bad_request(serializer.errors)
    return serializer.validated_data


# --- output ----------------------------------------------------------------------------------------


def _link(name: str, **kwargs: Any) -> str:
    return service_relative(reverse(f"chat-api:{name}", kwargs=kwargs))


class MessageOutputSerializer(serializers.Serializer):
    messageId = serializers.UUIDField(source="message_id")
    conversationId = serializers.UUIDField(source="conversation.conversation_id")
    accountId = serializers.UUIDField(source="conversation.account.account_id")
    body = serializers.CharField()
    contentType = serializers.CharField(source="content_type")
    tag = serializers.CharField(required=False)
    createdBy = serializers.CharField(
        source="created_by", help_text="The author's principalId (userId for users)."
    )
    createdOn = serializers.DateTimeField(source="created_on")
    _links = serializers.SerializerMethodField()

    def get__links(self, message: Message) -> dict[str, str]:
        return {
            "self": _link(
                "message-detail",
                conversationId=message.conversation.conversation_id,
                messageId=message.message_id,
            )
        }

    def to_representation(self, message: Message) -> dict[str, Any]:
        data = super().to_representation(message)
        if not message.tag:
            data.pop("tag", None)
        return data


class ParticipantOutputSerializer(serializers.Serializer):
    participantId = serializers.CharField(source="participant_id")
    type = serializers.CharField()
    userId = serializers.SerializerMethodField()
    name = serializers.CharField(source="display_name")
    status = serializers.CharField()
    conversationId = serializers.UUIDField(source="conversation.conversation_id")
    createdOn = serializers.DateTimeField(source="created_on")
    _links = serializers.SerializerMethodField()

    def get_userId(self, participant: Participant) -> str | None:
        return participant.participant_id if participant.type == PrincipalType.USER else None

    def get__links(self, participant: Participant) -> dict[str, str]:
        return {
            "self": _link(
                "participant-detail",
                conversationId=participant.conversation.conversation_id,
                participantId=participant.participant_id,
            )
        }


MessageCollectionOutputSerializer = collection_serializer(MessageOutputSerializer, "MessageCollection")
ParticipantCollectionOutputSerializer = collection_serializer(
    ParticipantOutputSerializer, "ParticipantCollection"
)


class _ConversationEmbeddedSerializer(serializers.Serializer):
    participants = ParticipantCollectionOutputSerializer()
    messages = MessageCollectionOutputSerializer()


class ConversationOutputSerializer(serializers.Serializer):
    conversationId = serializers.UUIDField(source="conversation_id")
    accountId = serializers.UUIDField(source="account.account_id")
    name = serializers.CharField()
    visibility = serializers.CharField()
    languageCode = serializers.CharField(source="language_code")
    thumbnailUrl = serializers.CharField(source="thumbnail_url")
    stream = serializers.BooleanField()
    hidden = serializers.BooleanField()
    generateSystemMessages = serializers.BooleanField(source="generate_system_messages")
    createdBy = serializers.CharField(source="created_by")
    createdOn = serializers.DateTimeField(source="created_on")
    modifiedBy = serializers.CharField(source="modified_by")
    modifiedOn = serializers.DateTimeField(source="modified_on")
    _links = serializers.SerializerMethodField()

    def get__links(self, conversation: Conversation) -> dict[str, str]:
        return {"self": _link("conversation-detail", conversationId=conversation.conversation_id)}


class ConversationDetailOutputSerializer(ConversationOutputSerializer):
    """A single conversation (OpenAPI description): with ``_embedded`` participants and messages."""

    _embedded = _ConversationEmbeddedSerializer(
        help_text="Its participants and the first page of its messages, each in the collection envelope."
    )


ConversationCollectionOutputSerializer = collection_serializer(
    ConversationOutputSerializer, "ConversationCollection"
)


def message_resource(message: Message) -> dict[str, Any]:
    """A message's API JSON (also the content of its ``platform-api-conversations`` publication)."""
    return dict(MessageOutputSerializer(message).data)


def participant_resource(participant: Participant) -> dict[str, Any]:
    return dict(ParticipantOutputSerializer(participant).data)


def conversation_resource(conversation: Conversation) -> dict[str, Any]:
    return dict(ConversationOutputSerializer(conversation).data)
