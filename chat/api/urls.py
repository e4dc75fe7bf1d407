"""Chat service (CloudLink ``chat.api.mitel.io/2017-09-01``), mounted at /api/chat/2017-09-01/."""

from django.urls import path

from chat.api import views

app_name = "chat-api"

urlpatterns = [
    path("conversations", views.ConversationCollectionApi.as_view(), name="conversation-list"),
    path("users/me/conversations", views.MyConversationCollectionApi.as_view(), name="my-conversation-list"),
    path(
        "conversations/<str:conversationId>",
        views.ConversationDetailApi.as_view(),
        name="conversation-detail",
    ),
    path(
        "conversations/<str:conversationId>/messages",
        views.MessageCollectionApi.as_view(),
        name="message-list",
    ),
    path(
        "conversations/<str:conversationId>/messages/<str:messageId>",
        views.MessageDetailApi.as_view(),
        name="message-detail",
    ),
    path(
        "conversations/<str:conversationId>/participants",
        views.ParticipantCollectionApi.as_view(),
        name="participant-list",
    ),
    path(
        "conversations/<str:conversationId>/participants/<str:participantId>",
        views.ParticipantDetailApi.as_view(),
        name="participant-detail",
    ),
]
