"""Admin API shapes of an account's gateway, PBX, SIP trunk and connection checks.

Input serializers check only the JSON shape; the values are validated by the console's Forms
(``gateways.forms``), through ``to_form_data`` below, so both faces refuse the same things. Secrets are
write-only: outputs say whether one is set (``cstaPasswordSet``), never what it is.
"""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.collections import service_relative
from core.api.fields import BoundedListField, TypedInputSerializer
from gateways.forms import MAX_CONTACTS, ContactType, CustomerForm, GatewayForm, PbxForm, SipTrunkForm
from gateways.models import ConnectJob, Gateway, Pbx, PbxType, SipTrunk


def _link(name: str, account, **kwargs) -> str:
    return service_relative(
        reverse(f"gateways-api:{name}", kwargs={"accountId": account.account_id, **kwargs})
    )


def _limits(form_class, name: str) -> dict[str, Any]:
    """The console form field's bounds, so the API (and its OpenAPI document) refuses the same values."""
    field = form_class.base_fields[name]
    if isinstance(field, django_forms.IntegerField):
        return {"min_value": field.min_value, "max_value": field.max_value}
    return {"max_length": field.max_length}


# --- gateway ------------------------------------------------------------------------------------------


class ContactSerializer(TypedInputSerializer):
    type = serializers.ChoiceField(choices=[key for key, _ in ContactType.CHOICES])
    name = serializers.CharField(allow_blank=True, max_length=100)
    email = serializers.CharField(allow_blank=True, max_length=254)


class CustomerSerializer(TypedInputSerializer):
    name = serializers.CharField(allow_blank=True, **_limits(CustomerForm, "name"))
    address = serializers.CharField(allow_blank=True, **_limits(CustomerForm, "address"))
    city = serializers.CharField(allow_blank=True, **_limits(CustomerForm, "city"))
    provinceState = serializers.CharField(
        allow_blank=True, required=False, default="", **_limits(CustomerForm, "province_state")
    )
    postalCode = serializers.CharField(allow_blank=True, **_limits(CustomerForm, "postal_code"))
    country = serializers.CharField(
        allow_blank=True, max_length=2, help_text="ISO 3166 alpha-2 code, e.g. SE."
    )
    businessType = serializers.CharField(allow_blank=True, max_length=40)
    contacts = BoundedListField(
        child=ContactSerializer(),
        max_length=MAX_CONTACTS,
        error_messages={"max_length": "At most {max_length} contacts are allowed; {count} were given."},
        help_text=f"Admin and support contacts: at least one `maintainer` and one `onsite_admin`, at most "
        f"{MAX_CONTACTS}.",
    )


class NetworkSerializer(TypedInputSerializer):
    mode = serializers.ChoiceField(
        choices=Gateway.Network.values, help_text="`dhcp` or `static` (recommended)."
    )
    ipAddress = serializers.CharField(
        allow_blank=True, required=False, default="", **_limits(GatewayForm, "ip_address")
    )
    subnetMask = serializers.CharField(
        allow_blank=True, required=False, default="", **_limits(GatewayForm, "subnet_mask")
    )
    defaultGateway = serializers.CharField(
        allow_blank=True, required=False, default="", **_limits(GatewayForm, "default_gateway")
    )
    dnsServers = BoundedListField(
        child=serializers.CharField(**_limits(GatewayForm, "dns_primary")),
        max_length=2,
        required=False,
        help_text="One or two; default 8.8.8.8, 8.8.4.4.",
    )
    internalDnsServer = serializers.CharField(
        allow_blank=True, required=False, default="", **_limits(GatewayForm, "internal_dns_server")
    )


class GatewayInputSerializer(TypedInputSerializer):
    name = serializers.CharField(allow_blank=True, **_limits(GatewayForm, "name"))
    serialNumber = serializers.CharField(
        allow_blank=True, required=False, default="", **_limits(GatewayForm, "serial_number")
    )
    macAddress = serializers.CharField(
        allow_blank=True, required=False, default="", **_limits(GatewayForm, "mac_address")
    )
    network = NetworkSerializer()
    customer = CustomerSerializer()

    def gateway_form_data(self) -> dict[str, Any]:
        data, network = self.validated_data, self.validated_data["network"]
        dns = list(network.get("dnsServers") or ["8.8.8.8", "8.8.4.4"])
        return {
            "name": data["name"],
            "serial_number": data["serialNumber"],
            "mac_address": data["macAddress"],
            "network": network["mode"],
            "ip_address": network["ipAddress"],
            "subnet_mask": network["subnetMask"],
            "default_gateway": network["defaultGateway"],
            "dns_primary": dns[0] if dns else "",
            "dns_secondary": dns[1] if len(dns) > 1 else "",
            "internal_dns_server": network["internalDnsServer"],
        }

    def customer_values(self) -> dict[str, Any]:
        customer = self.validated_data["customer"]
        return {
            "name": customer["name"],
            "address": customer["address"],
            "city": customer["city"],
            "province_state": customer["provinceState"],
            "postal_code": customer["postalCode"],
            "country": customer["country"],
            "business_type": customer["businessType"],
            "contacts": [dict(contact) for contact in customer["contacts"]],
        }


# Form field -> API field, to name validation errors.
GATEWAY_ERROR_NAMES = {
    "serial_number": "serialNumber",
    "mac_address": "macAddress",
    "network": "network.mode",
    "ip_address": "network.ipAddress",
    "subnet_mask": "network.subnetMask",
    "default_gateway": "network.defaultGateway",
    "dns_primary": "network.dnsServers",
    "dns_secondary": "network.dnsServers",
    "internal_dns_server": "network.internalDnsServer",
}
CUSTOMER_ERROR_NAMES = {
    "province_state": "customer.provinceState",
    "postal_code": "customer.postalCode",
    "business_type": "customer.businessType",
    "__all__": "customer.contacts",
}


class GatewayOutputSerializer(serializers.Serializer):
    accountId = serializers.SerializerMethodField()
    name = serializers.CharField()
    serialNumber = serializers.CharField(source="serial_number")
    macAddress = serializers.CharField(source="mac_address")
    network = serializers.SerializerMethodField()
    customer = serializers.SerializerMethodField()
    status = serializers.ChoiceField(
        choices=Gateway.Status.values, help_text="pending, connected or disconnected."
    )
    monitored = serializers.BooleanField(help_text="Re-checked periodically (off after a disconnect).")
    lastCheckOn = serializers.DateTimeField(source="last_check_at", allow_null=True)
    lastError = serializers.SerializerMethodField()
    connectedOn = serializers.DateTimeField(source="connected_at", allow_null=True)
    createdOn = serializers.DateTimeField(source="created_at")
    modifiedOn = serializers.DateTimeField(source="modified_at")
    _links = serializers.SerializerMethodField()

    def get_accountId(self, gateway: Gateway) -> str:
        return str(gateway.account.account_id)

    @extend_schema_field(NetworkSerializer)
    def get_network(self, gateway: Gateway) -> dict[str, Any]:
        return {
            "mode": gateway.network,
            "ipAddress": gateway.ip_address or "",
            "subnetMask": gateway.subnet_mask or "",
            "defaultGateway": gateway.default_gateway or "",
            "dnsServers": list(gateway.dns_servers),
            "internalDnsServer": gateway.internal_dns_server or "",
        }

    @extend_schema_field(CustomerSerializer)
    def get_customer(self, gateway: Gateway) -> dict[str, Any]:
        c = gateway.customer or {}
        return {
            "name": c.get("name", ""),
            "address": c.get("address", ""),
            "city": c.get("city", ""),
            "provinceState": c.get("province_state", ""),
            "postalCode": c.get("postal_code", ""),
            "country": c.get("country", ""),
            "businessType": c.get("business_type", ""),
            "contacts": c.get("contacts", []),
        }

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            "description": "The last check's error: address_refused, refused, timeout, host_not_found, "
            "unreachable, not_csta, session_rejected, version_mismatch, connection_lost, protocol_error, "
            "or disconnected.",
        }
    )
    def get_lastError(self, gateway: Gateway) -> dict[str, str] | None:
        if not gateway.last_error:
            return None
        return {"code": gateway.last_error_code, "message": gateway.last_error}

    @extend_schema_field(
        {"type": "object", "properties": {k: {"type": "string"} for k in ("self", "pbx", "trunk", "checks")}}
    )
    def get__links(self, gateway: Gateway) -> dict[str, str]:
        account = gateway.account
        return {
            "self": _link("gateway", account),
            "pbx": _link("pbx", account),
            "trunk": _link("trunk", account),
            "checks": _link("check-list", account),
        }


# --- PBX -------------------------------------------------------------------------------------------------


class PbxInputSerializer(TypedInputSerializer):
    type = serializers.CharField(
        max_length=40, help_text="One of: " + ", ".join(f"`{t}`" for t in PbxType.values) + "."
    )
    name = serializers.CharField(allow_blank=True, help_text="The PBX ID.", **_limits(PbxForm, "name"))
    host = serializers.CharField(
        allow_blank=True, help_text="IP address or host name.", **_limits(PbxForm, "host")
    )
    cstaPort = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Default: the type's CSTA port.",
        **_limits(PbxForm, "csta_port"),
    )
    cstaUser = serializers.CharField(
        allow_blank=True, required=False, default="", **_limits(PbxForm, "csta_user")
    )
    cstaPassword = serializers.CharField(
        **_limits(PbxForm, "csta_password"),
        allow_blank=True,
        required=False,
        default="",
        write_only=True,
        help_text="Write-only; omit or blank keeps it.",
    )

    def form_data(self) -> dict[str, Any]:
        data = self.validated_data
        return {
            "type": data["type"],
            "name": data["name"],
            "host": data["host"],
            "csta_port": data.get("cstaPort") or "",
            "csta_user": data["cstaUser"],
            "csta_password": data["cstaPassword"],
        }


PBX_ERROR_NAMES = {"csta_port": "cstaPort", "csta_user": "cstaUser", "csta_password": "cstaPassword"}


class PbxOutputSerializer(serializers.Serializer):
    type = serializers.CharField()
    typeName = serializers.CharField(source="get_type_display")
    name = serializers.CharField()
    host = serializers.CharField()
    cstaPort = serializers.IntegerField(source="csta_port")
    cstaUser = serializers.CharField(source="csta_user")
    cstaPasswordSet = serializers.SerializerMethodField()
    modifiedOn = serializers.DateTimeField(source="modified_at")
    _links = serializers.SerializerMethodField()

    def get_cstaPasswordSet(self, pbx: Pbx) -> bool:
        return bool(pbx.csta_password)

    @extend_schema_field(
        {"type": "object", "properties": {"self": {"type": "string"}, "gateway": {"type": "string"}}}
    )
    def get__links(self, pbx: Pbx) -> dict[str, str]:
        account = pbx.gateway.account
        return {"self": _link("pbx", account), "gateway": _link("gateway", account)}


# --- SIP trunk -------------------------------------------------------------------------------------------

TRUNK_API_NAMES = {
    "address": "address",
    "port": "port",
    "transport": "transport",
    "description": "description",
    "pbx_username": "pbxUsername",
    "pbx_password": "pbxPassword",
    "gateway_username": "gatewayUsername",
    "gateway_password": "gatewayPassword",
    "gsm_deploy_number": "gsmDeployNumber",
}


class TrunkInputSerializer(TypedInputSerializer):
    address = serializers.CharField(
        allow_blank=True, required=False, default="", **_limits(SipTrunkForm, "address")
    )
    port = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Default: 5060 (TCP, UDP), 5061 (TLS).",
        **_limits(SipTrunkForm, "port"),
    )
    transport = serializers.CharField(
        required=False, default="tcp", max_length=10, help_text="`tcp` (default), `udp` or `tls`."
    )
    description = serializers.CharField(
        allow_blank=True, required=False, default="", **_limits(SipTrunkForm, "description")
    )
    pbxUsername = serializers.CharField(
        allow_blank=True, required=False, default="", **_limits(SipTrunkForm, "pbx_username")
    )
    pbxPassword = serializers.CharField(
        allow_blank=True, required=False, default="", write_only=True, **_limits(SipTrunkForm, "pbx_password")
    )
    gatewayUsername = serializers.CharField(
        allow_blank=True, required=False, default="", **_limits(SipTrunkForm, "gateway_username")
    )
    gatewayPassword = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        write_only=True,
        **_limits(SipTrunkForm, "gateway_password"),
    )
    gsmDeployNumber = serializers.CharField(
        allow_blank=True, required=False, default="", **_limits(SipTrunkForm, "gsm_deploy_number")
    )

    def form_data(self) -> dict[str, Any]:
        data = self.validated_data
        return {
            form: ("" if data.get(api) is None else data.get(api)) for form, api in TRUNK_API_NAMES.items()
        }


class TrunkOutputSerializer(serializers.Serializer):
    address = serializers.CharField()
    port = serializers.IntegerField()
    transport = serializers.CharField()
    description = serializers.CharField()
    pbxUsername = serializers.CharField(source="pbx_username")
    pbxPasswordSet = serializers.SerializerMethodField()
    gatewayUsername = serializers.CharField(source="gateway_username")
    gatewayPasswordSet = serializers.SerializerMethodField()
    gsmDeployNumber = serializers.CharField(source="gsm_deploy_number")
    modifiedOn = serializers.DateTimeField(source="modified_at")
    _links = serializers.SerializerMethodField()

    def get_pbxPasswordSet(self, trunk: SipTrunk) -> bool:
        return bool(trunk.pbx_password)

    def get_gatewayPasswordSet(self, trunk: SipTrunk) -> bool:
        return bool(trunk.gateway_password)

    @extend_schema_field({"type": "object", "properties": {"self": {"type": "string"}}})
    def get__links(self, trunk: SipTrunk) -> dict[str, str]:
        return {"self": _link("trunk", trunk.gateway.account)}


# --- connection checks -----------------------------------------------------------------------------------


class CheckOutputSerializer(serializers.Serializer):
    """One connect / re-check job. Poll it until ``status`` is `connected` or `failed`."""

    checkId = serializers.UUIDField(source="job_id")
    kind = serializers.ChoiceField(choices=ConnectJob.Kind.values)
    status = serializers.ChoiceField(
        choices=ConnectJob.Status.values, help_text="pending, running, connected, failed."
    )
    step = serializers.ChoiceField(
        choices=ConnectJob.Step.values, help_text="queued, connecting, session, status, closing, done."
    )
    progress = serializers.IntegerField(source="percent", help_text="0-100.")
    target = serializers.CharField(help_text="host:port of the PBX's CSTA server.")
    protocolVersion = serializers.CharField(source="protocol_version")
    errorCode = serializers.CharField(source="error_code")
    errorMessage = serializers.CharField(source="error")
    createdOn = serializers.DateTimeField(source="created_at")
    startedOn = serializers.DateTimeField(source="started_at", allow_null=True)
    finishedOn = serializers.DateTimeField(source="finished_at", allow_null=True)
    _links = serializers.SerializerMethodField()

    @extend_schema_field(
        {"type": "object", "properties": {"self": {"type": "string"}, "gateway": {"type": "string"}}}
    )
    def get__links(self, job: ConnectJob) -> dict[str, str]:
        return {
            "self": _link("check-detail", job.account, checkId=job.job_id),
            "gateway": _link("gateway", job.account),
        }
