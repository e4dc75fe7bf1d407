"""Media API bodies: the CloudLink ``createCallRequest`` / ``updateEndpointCallRequest`` inputs, and the
``call`` / ``callCollection`` outputs (shaped by ``call_resource``)."""

from __future__ import annotations

from rest_framework import serializers

from core.api.fields import TypedInputSerializer
from media.models import Call
from media.serializers import call_resource

CREATE_FIELDS = {
    "to",
    "from",
    "fromName",
    "record",
    "timeoutMs",
    "originateTimeout",
    "successUrl",
    "failureUrl",
    "associatedCallId",
    "executeOnAnswer",
}
UPDATE_FIELDS = {"action", "args", "destination", "callId"}


class _Strict(TypedInputSerializer):
    allowed: set[str] = set()

    def to_internal_value(self, data):
        if isinstance(data, dict):
            extra = sorted(set(data) - self.allowed)
            if extra:
                raise serializers.ValidationError(
                    {"non_field_errors": [f"data should NOT have additional properties ({', '.join(extra)})"]}
                )
        return super().to_internal_value(data)


class CallCreateInputSerializer(_Strict):
    allowed = CREATE_FIELDS
    to = serializers.CharField(max_length=64, help_text="The number to dial.")
    fromName = serializers.CharField(max_length=120, required=False, allow_blank=True)
    record = serializers.BooleanField(required=False, help_text="Accepted; recording is not implemented.")
    timeoutMs = serializers.IntegerField(required=False, min_value=3000, max_value=30000)
    originateTimeout = serializers.IntegerField(required=False, min_value=0, max_value=120)
    successUrl = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    failureUrl = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    associatedCallId = serializers.CharField(required=False, allow_blank=True, max_length=200)
    executeOnAnswer = serializers.ChoiceField(choices=["bridge"], required=False)

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword: declare it here. When given it must be the path's extension.
        fields["from"] = serializers.CharField(max_length=64, required=False, allow_blank=True)
        return fields


class CallUpdateInputSerializer(_Strict):
    allowed = UPDATE_FIELDS
    action = serializers.CharField(
        max_length=40,
        help_text="answer, end, hold, retrieve, blindTransfer, consult, supervisedTransfer or conference.",
    )
    args = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="blindTransfer/consult: the destination; supervisedTransfer/conference: the other call id.",
    )
    destination = serializers.CharField(required=False, allow_blank=True, max_length=64)
    callId = serializers.CharField(required=False, allow_blank=True, max_length=200)


class CallOutputSerializer(serializers.Serializer):
    """CloudLink's ``call``."""

    callId = serializers.CharField(help_text="endpoints/{extension}/calls/{PBX call id}")
    endpointId = serializers.CharField()
    fromName = serializers.CharField()
    fromNumberE164 = serializers.BooleanField()
    to = serializers.CharField()
    toName = serializers.CharField()
    toNumberE164 = serializers.BooleanField()
    state = serializers.ChoiceField(
        choices=["unknown", "idle", "ringing", "connected", "held", "outOfService", "completed"]
    )
    cause = serializers.CharField()
    direction = serializers.ChoiceField(choices=["inbound", "outbound"])
    extraPbxData = serializers.DictField()
    createdOn = serializers.DateTimeField()
    endTime = serializers.DateTimeField(required=False)
    completed = serializers.BooleanField(help_text="The call ended and had been answered.")
    ringTime = serializers.FloatField()
    billingTime = serializers.FloatField()
    _links = serializers.DictField(child=serializers.CharField())

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.CharField()
        return fields

    def to_representation(self, instance: Call) -> dict:
        return call_resource(instance)


class CallCollectionOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    _links = serializers.DictField(child=serializers.CharField())
    _embedded = serializers.DictField()


class EndpointUpdateInputSerializer(_Strict):
    """CloudLink's ``updateEndpointRequest``."""

    allowed = {"action", "userAvailability", "enabled", "timeoutMs"}
    action = serializers.ChoiceField(choices=["dnd", "messageWaiting", "pstnRouting"])
    userAvailability = serializers.ChoiceField(choices=["available", "busy", "dnd", "away"])
    enabled = serializers.BooleanField(default=False)
    timeoutMs = serializers.IntegerField(required=False, min_value=3000, max_value=30000)


class EndpointForwardingInputSerializer(_Strict):
    """Call forward on the PBX (not in the CloudLink spec): ``type`` and ``destination`` ("" = off)."""

    allowed = {"type", "destination"}
    type = serializers.ChoiceField(choices=["forwardImmediate", "forwardBusy", "forwardNoAns"])
    destination = serializers.CharField(max_length=64, allow_blank=True)


class EndpointOutputSerializer(serializers.Serializer):
    """CloudLink's ``endpoint`` (plus ``callForwarding``: forwarding type -> destination)."""

    endpointId = serializers.CharField()
    name = serializers.CharField()
    state = serializers.ChoiceField(choices=["idle", "ringing", "connected", "held"])
    userAvailability = serializers.ChoiceField(choices=["available", "busy", "dnd", "away"])
    dnd = serializers.BooleanField()
    messageWaiting = serializers.BooleanField()
    callForwarding = serializers.DictField(child=serializers.CharField())
    _links = serializers.DictField(child=serializers.CharField())
