"""Chat service (CloudLink ``chat.api.mitel.io/2017-09-01``), mounted at /api/chat/2017-09-01/.

Thin views: the caller becomes a ``ChatPrincipal`` (a user, or a guest holding a GUEST token:
these views opt in with ``accepts_token_principals``; an application's own token acts with its
deployment's role), the
conversation is resolved through the selectors (404 when the caller may not see it), the body is
checked by a strict serializer (CloudLink's ``BadRequestError`` wording), one service or selector
does the work. See docs/chat.md.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from chat import selectors, services
from chat.api.serializers import (
    ConversationCollectionOutputSerializer,
    ConversationCreateSerializer,
    ConversationDetailOutputSerializer,
    ConversationOutputSerializer,
    MessageCollectionOutputSerializer,
    MessageCreateSerializer,
    MessageOutputSerializer,
    ParticipantCollectionOutputSerializer,
    ParticipantInputSerializer,
    ParticipantOutputSerializer,
    conversation_resource,
    message_resource,
    participant_resource,
    validated,
)
from chat.models import Conversation
from chat.principals import ChatPrincipal, principal_for
from core.api.collections import ODATA_PARAMETERS, collection_page, service_relative
from core.api.errors import ApiError, error_responses, service_errors
from core.api.odata import BOOLEAN, DATETIME, DEFAULT_TOP, GUID, FilterField, QueryOptions

CONVERSATION_ID = OpenApiParameter(
    "conversationId", str, OpenApiParameter.PATH, description="The conversation's GUID."
)
MESSAGE_ID = OpenApiParameter("messageId", str, OpenApiParameter.PATH, description="The message's GUID.")
PARTICIPANT_ID = OpenApiParameter(
    "participantId", str, OpenApiParameter.PATH, description="A user's userId or a guest's principalId."
)

CONVERSATION_FILTER_FIELDS = {
    "conversationId": FilterField("conversation_id", GUID),
    "accountId": FilterField("account__account_id", GUID),
    "name": FilterField("name"),
    "visibility": FilterField("visibility"),
    "languageCode": FilterField("language_code"),
    "stream": FilterField("stream", BOOLEAN),
    "hidden": FilterField("hidden", BOOLEAN),
    "createdBy": FilterField("created_by"),
    "createdOn": FilterField("created_on", DATETIME),
    "modifiedOn": FilterField("modified_on", DATETIME),
}
MESSAGE_FILTER_FIELDS = {
    "messageId": FilterField("message_id", GUID),
    "conversationId": FilterField("conversation__conversation_id", GUID),
    "body": FilterField("body"),
    "contentType": FilterField("content_type"),
    "createdBy": FilterField("created_by"),
    "createdOn": FilterField("created_on", DATETIME),
}
PARTICIPANT_FILTER_FIELDS = {
    "participantId": FilterField("participant_id"),
    "type": FilterField("type"),
    "status": FilterField("status"),
    "createdOn": FilterField("created_on", DATETIME),
}


def _service_errors():
    """Service ValidationErrors are CloudLink Chat's 400 ``BadRequestError``; the rest answer
    through ``core.api.errors`` (a duplicate participant is a ``Conflict``: 409)."""
    return service_errors(validation_name="BadRequestError")


class ChatApiView(APIView):
    """Users, guests (GUEST tokens) and applications on their own (service tokens) call chat routes."""

    accepts_token_principals = True
    principal: ChatPrincipal

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        try:
            self.principal = principal_for(access.request_principal(request))
        except PermissionDenied as exc:
            raise ApiError("InsufficientPermissions", str(exc), status.HTTP_403_FORBIDDEN) from exc

    def conversation(self, conversation_ref: str) -> Conversation:
        return selectors.conversation_get_or_404(principal=self.principal, conversation_ref=conversation_ref)


def _embedded(path: str, items: list[dict], *, has_more: bool, top: int) -> dict:
    links = {"self": path}
    if has_more:
        links["next"] = f"{path}?$skip={top}&$top={top}"
    return {"count": len(items), "_links": links, "_embedded": {"items": items}}


def conversation_detail(conversation: Conversation) -> dict:
    """A conversation with ``_embedded`` participants (all) and messages (first page), as CloudLink answers (docs/chat.md, Responses)."""
    body = conversation_resource(conversation)
    base = service_relative(
        reverse("chat-api:conversation-detail", kwargs={"conversationId": conversation.conversation_id})
    )
    participants = [participant_resource(p) for p in selectors.participant_list(conversation=conversation)]
    messages = list(
        selectors.message_list(conversation=conversation).order_by("created_on", "pk")[: DEFAULT_TOP + 1]
    )
    body["_embedded"] = {
        "participants": _embedded(f"{base}/participants", participants, has_more=False, top=DEFAULT_TOP),
        "messages": _embedded(
            f"{base}/messages",
            [message_resource(m) for m in messages[:DEFAULT_TOP]],
            has_more=len(messages) > DEFAULT_TOP,
            top=DEFAULT_TOP,
        ),
    }
    return body


# --- /conversations ----------------------------------------------------------------------------------


class ConversationCollectionApi(ChatApiView):
    @extend_schema(
        operation_id="conversations_list",
        summary="List the conversations you participate in",
        description="Also at `/users/me/conversations`. `$filter`/`$orderby` fields: conversationId, "
        "accountId, name, visibility, languageCode, stream, hidden, createdBy, createdOn, modifiedOn "
        "(e.g. `stream eq false`). Default order: createdOn desc. Admins read other conversations of "
        "their accounts by id, and on the console's Conversations page.",
        parameters=ODATA_PARAMETERS,
        responses={200: ConversationCollectionOutputSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        options = QueryOptions.parse(
            request.query_params, fields=CONVERSATION_FILTER_FIELDS, default_ordering=("-created_on",)
        )
        conversations = selectors.conversation_list(principal=self.principal)
        return Response(
            collection_page(
                request, conversations, options, lambda rows: [conversation_resource(c) for c in rows]
            )
        )

    @extend_schema(
        operation_id="conversations_create",
        summary="Create a conversation",
        description='In your account, with you and `originalParticipants` in it: `{type: "USER", '
        'participantId: <userId or email>}` for users of your account, `{type: "GUEST", '
        "participantId: <principalId>}` for guests while the account allows guest access. Unknown "
        "properties are 400. Guests cannot create conversations (403).",
        request=ConversationCreateSerializer,
        responses={201: ConversationDetailOutputSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        data = validated(ConversationCreateSerializer, request.data)
        with _service_errors():
            conversation = services.conversation_create(
                principal=self.principal,
                participants=[
                    services.ParticipantSpec(p["type"], p["participantId"], p.get("name", ""))
                    for p in data["originalParticipants"]
                ],
                name=data["name"],
                visibility=data["visibility"],
                language_code=data.get("languageCode", ""),
                thumbnail_url=data["thumbnailUrl"],
                stream=data["stream"],
                hidden=data["hidden"],
                generate_system_messages=data["generateSystemMessages"],
            )
        body = conversation_detail(conversation)
        location = request.build_absolute_uri(
            reverse("chat-api:conversation-detail", kwargs={"conversationId": conversation.conversation_id})
        )
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


@extend_schema_view(
    get=extend_schema(operation_id="my_conversations_list", summary="List your conversations (alias)")
)
class MyConversationCollectionApi(ConversationCollectionApi):
    """``/users/me/conversations``: the same collection (the ``me`` alias), read only."""

    http_method_names = ["get", "head", "options"]


class ConversationDetailApi(ChatApiView):
    @extend_schema(
        operation_id="conversations_retrieve",
        summary="Get a conversation with its participants and first messages",
        parameters=[CONVERSATION_ID],
        responses={200: ConversationDetailOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, conversationId: str) -> Response:
        return Response(conversation_detail(self.conversation(conversationId)))

    @extend_schema(
        operation_id="conversations_destroy",
        summary="Delete a conversation (its creator or an account admin)",
        description="Answers 200 with the conversation as it was (never 204: CloudLink's samples parse "
        "the body). Audited as `conversation.deleted`.",
        parameters=[CONVERSATION_ID],
        responses={200: ConversationOutputSerializer, **error_responses(401, 403, 404)},
    )
    def delete(self, request: Request, conversationId: str) -> Response:
        conversation = self.conversation(conversationId)
        body = conversation_resource(conversation)
        services.conversation_delete(principal=self.principal, conversation=conversation)
        return Response(body)


# --- /conversations/{id}/messages ----------------------------------------------------------------------


class MessageCollectionApi(ChatApiView):
    @extend_schema(
        operation_id="messages_list",
        summary="List a conversation's messages (oldest first)",
        description="Paged with `$top`/`$skip`; `_links.next` repeats `$filter` and advances `$skip`. "
        "Fields: messageId, conversationId, body, contentType, createdBy, createdOn.",
        parameters=[CONVERSATION_ID, *ODATA_PARAMETERS],
        responses={200: MessageCollectionOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request, conversationId: str) -> Response:
        conversation = self.conversation(conversationId)
        options = QueryOptions.parse(
            request.query_params, fields=MESSAGE_FILTER_FIELDS, default_ordering=("created_on",)
        )
        messages = selectors.message_list(conversation=conversation)
        return Response(
            collection_page(request, messages, options, lambda rows: [message_resource(m) for m in rows])
        )

    @extend_schema(
        operation_id="messages_create",
        summary="Post a message (participants, guests included)",
        description="`{body, contentType}`; only `body` is required (`contentType` defaults to "
        "text/plain; an optional `tag` string is kept). Published on topic "
        "`platform-api-conversations`, subject `/2017-09-01/conversations/{id}/messages`.",
        parameters=[CONVERSATION_ID],
        request=MessageCreateSerializer,
        responses={201: MessageOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, conversationId: str) -> Response:
        conversation = self.conversation(conversationId)
        data = validated(MessageCreateSerializer, request.data)
        message = services.message_post(
            principal=self.principal,
            conversation=conversation,
            body=data["body"],
            content_type=data["contentType"],
            tag=data["tag"],
        )
        return Response(message_resource(message), status=status.HTTP_201_CREATED)


class MessageDetailApi(ChatApiView):
    @extend_schema(
        operation_id="messages_retrieve",
        summary="Get one message",
        parameters=[CONVERSATION_ID, MESSAGE_ID],
        responses={200: MessageOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, conversationId: str, messageId: str) -> Response:
        conversation = self.conversation(conversationId)
        return Response(
            message_resource(selectors.message_get_or_404(conversation=conversation, message_ref=messageId))
        )


# --- /conversations/{id}/participants --------------------------------------------------------------------


class ParticipantCollectionApi(ChatApiView):
    @extend_schema(
        operation_id="participants_list",
        summary="List a conversation's participants",
        description="Fields: participantId, type, status, createdOn.",
        parameters=[CONVERSATION_ID, *ODATA_PARAMETERS],
        responses={200: ParticipantCollectionOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request, conversationId: str) -> Response:
        conversation = self.conversation(conversationId)
        options = QueryOptions.parse(
            request.query_params, fields=PARTICIPANT_FILTER_FIELDS, default_ordering=("created_on",)
        )
        participants = selectors.participant_list(conversation=conversation)
        return Response(
            collection_page(
                request, participants, options, lambda rows: [participant_resource(p) for p in rows]
            )
        )

    @extend_schema(
        operation_id="participants_create",
        summary="Add a participant (participants and account admins; not guests)",
        description="`{participantId, type}`: USER (a userId or email of the conversation's account) or "
        "GUEST (a guest's principalId, while the account allows guest access). 409 when already in.",
        parameters=[CONVERSATION_ID],
        request=ParticipantInputSerializer,
        responses={201: ParticipantOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, conversationId: str) -> Response:
        conversation = self.conversation(conversationId)
        data = validated(ParticipantInputSerializer, request.data)
        with _service_errors():
            participant = services.participant_add(
                principal=self.principal,
                conversation=conversation,
                spec=services.ParticipantSpec(data["type"], data["participantId"], data.get("name", "")),
            )
        return Response(participant_resource(participant), status=status.HTTP_201_CREATED)


class ParticipantDetailApi(ChatApiView):
    @extend_schema(
        operation_id="participants_retrieve",
        summary="Get one participant",
        parameters=[CONVERSATION_ID, PARTICIPANT_ID],
        responses={200: ParticipantOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, conversationId: str, participantId: str) -> Response:
        conversation = self.conversation(conversationId)
        participant = selectors.participant_get_or_404(
            conversation=conversation, participant_ref=participantId
        )
        return Response(participant_resource(participant))
