"""Notifications API shapes (docs/notifications.md)."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from core.api.collections import collection_serializer, service_relative
from core.api.fields import TypedInputSerializer
from core.api.odata import DATETIME, FilterField
from notifications.models import Subscription

SUBSCRIPTION_FILTER_FIELDS: dict[str, FilterField] = {
    "subscriptionId": FilterField("subscription_id"),
    "topic": FilterField("topic"),
    "applicationId": FilterField("application_id"),
    "deviceId": FilterField("device_id"),
    "transport": FilterField("transport"),
    "createdOn": FilterField("created_on", DATETIME),
}
SUBSCRIPTION_DEFAULT_ORDERING = ("created_on",)


class SubscriptionInputSerializer(TypedInputSerializer):
    applicationId = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    deviceId = serializers.CharField(max_length=2000, help_text="The webhook URL (http or https).")
    transport = serializers.CharField(max_length=40, help_text="`webhook`.")
    topic = serializers.CharField(
        max_length=64, help_text="`platform-api-conversations` or `platform-api-media`."
    )
    subjectFilter = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="Prefix of the publication subject; a `^...$` value is a regular expression.",
    )
    publicationFilter = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        default="",
        help_text="JSONPath, e.g. `$.publications[?(@.content.state == 'ringing')]`.",
    )


class SubscriptionOutputSerializer(serializers.Serializer):
    subscriptionId = serializers.CharField(source="subscription_id")
    applicationId = serializers.CharField(source="application_id")
    deviceId = serializers.CharField(source="device_id")
    transport = serializers.CharField()
    topic = serializers.CharField()
    subjectFilter = serializers.CharField(source="subject_filter")
    publicationFilter = serializers.CharField(source="publication_filter")
    accountId = serializers.SerializerMethodField()
    principalId = serializers.CharField(source="principal_id")
    createdOn = serializers.DateTimeField(source="created_on")
    _links = serializers.SerializerMethodField()

    def get_accountId(self, obj: Subscription) -> str:
        return str(obj.account.account_id)

    def get__links(self, obj: Subscription) -> dict[str, str]:
        path = reverse(
            "notifications-api:subscription-detail", kwargs={"subscriptionId": obj.subscription_id}
        )
        return {"self": service_relative(path)}


class SubscriptionWithSecretSerializer(SubscriptionOutputSerializer):
    """The answer of create and of secret rotation: the only answers that carry the secret."""

    secret = serializers.CharField(
        help_text=(
            "The key of this subscription's delivery signatures (`x-mitel-signature`: "
            '`t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`). Shown only here: store it. '
            "`POST /subscriptions/{subscriptionId}/secret` replaces it."
        )
    )


SubscriptionCollectionSerializer = collection_serializer(
    SubscriptionOutputSerializer, "SubscriptionCollection"
)
