"""Admin API shapes of an account's integrations (``/accounts/{accountId}/integrations``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import PolicyOutputSerializer, SelfLinkSerializer
from core.api.collections import collection_serializer, service_relative
from core.api.fields import TypedInputSerializer
from core.api.odata import BOOLEAN, DATETIME, FilterField
from integrations import registry
from integrations.models import Integration
from integrations.selectors import missing_privileges

PRIVILEGE_NAMES = [p.api_name for p in registry.PRIVILEGES]

# What ``$filter`` and ``$orderby`` may name on GET .../integrations.
INTEGRATION_FILTER_FIELDS: dict[str, FilterField] = {
    "type": FilterField("type"),
    "enabled": FilterField("enabled", BOOLEAN),
    "setupComplete": FilterField("setup_complete", BOOLEAN),
    "createdOn": FilterField("created_at", DATETIME),
    "modifiedOn": FilterField("modified_at", DATETIME),
}
INTEGRATION_DEFAULT_ORDERING = ("created_at",)

_privilege_list = extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string"},
        "description": "Account privileges by their `policy` names: " + ", ".join(PRIVILEGE_NAMES) + ".",
    }
)


class IntegrationOutputSerializer(serializers.Serializer):
    """An integration added to an account, with its state. ``missingPrivileges``: privileges it
    brings that are off on the account (it may not work correctly)."""

    type = serializers.CharField()
    name = serializers.CharField(source="label")
    description = serializers.SerializerMethodField()
    tab = serializers.SerializerMethodField()
    enabled = serializers.BooleanField()
    setupComplete = serializers.BooleanField(source="setup_complete")
    needsSetup = serializers.SerializerMethodField()
    config = serializers.SerializerMethodField()
    privileges = serializers.SerializerMethodField()
    missingPrivileges = serializers.SerializerMethodField()
    createdOn = serializers.DateTimeField(source="created_at")
    modifiedOn = serializers.DateTimeField(source="modified_at")
    _links = serializers.SerializerMethodField()

    def get_description(self, integration: Integration) -> str:
        return integration.provider.summary if integration.provider else ""

    def get_tab(self, integration: Integration) -> str:
        return integration.provider.tab.value if integration.provider else ""

    def get_needsSetup(self, integration: Integration) -> bool:
        provider = integration.provider
        return bool(provider and provider.needs_setup and not integration.setup_complete)

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_config(self, integration: Integration) -> dict[str, Any]:
        provider = integration.provider
        return provider.masked(integration.config) if provider else {}

    @_privilege_list
    def get_privileges(self, integration: Integration) -> list[str]:
        provider = integration.provider
        return [p.api_name for p in provider.ordered_privileges] if provider else []

    @_privilege_list
    def get_missingPrivileges(self, integration: Integration) -> list[str]:
        return [p.api_name for p in missing_privileges(integration, self.context["account"])]

    @extend_schema_field(SelfLinkSerializer)
    def get__links(self, integration: Integration) -> dict[str, str]:
        account = self.context["account"]
        path = reverse(
            "integrations-api:integration-detail",
            kwargs={"accountId": account.account_id, "type": integration.type},
        )
        return {"self": service_relative(path)}


IntegrationCollectionOutputSerializer = collection_serializer(
    IntegrationOutputSerializer, "IntegrationCollection"
)


class IntegrationRemovedOutputSerializer(IntegrationOutputSerializer):
    """DELETE's answer: the integration as it was, and what happened to its privileges."""

    privilegesSwitchedOff = serializers.SerializerMethodField()
    privilegesKeptOn = serializers.SerializerMethodField()
    policy = serializers.SerializerMethodField()

    @_privilege_list
    def get_privilegesSwitchedOff(self, integration: Integration) -> list[str]:
        return [p.api_name for p in self.context["removal"].switch_off]

    @_privilege_list
    def get_privilegesKeptOn(self, integration: Integration) -> list[str]:
        return [p.api_name for p, _ in self.context["removal"].stay_on]

    @extend_schema_field(PolicyOutputSerializer)
    def get_policy(self, integration: Integration) -> dict[str, bool]:
        return PolicyOutputSerializer(self.context["account"]).data

    def get_missingPrivileges(self, integration: Integration) -> list[str]:
        return []


class IntegrationCreateInputSerializer(TypedInputSerializer):
    type = serializers.CharField(
        max_length=40, help_text="The catalogue type, e.g. `micc`, `micollab`, `mitel-one`."
    )
    config = serializers.DictField(
        required=False,
        allow_null=True,
        help_text="The integration's settings (completes its setup where one is needed).",
    )


class IntegrationUpdateInputSerializer(TypedInputSerializer):
    enabled = serializers.BooleanField(required=False)
    config = serializers.DictField(required=False, allow_null=True)
