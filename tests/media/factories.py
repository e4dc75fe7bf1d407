"""Factories of ``media``'s models: a call leg on an account's PBX, a listener lease."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from media.models import Call, CallDirection, CallState, PbxListenerLease
from tests.accounts.factories import CustomerAccountFactory


class CallFactory(factory.django.DjangoModelFactory):
    """An outbound leg from extension 2001 to 2002, ringing."""

    class Meta:
        model = Call

    account = factory.SubFactory(CustomerAccountFactory)
    endpoint = "2001"
    call_number = factory.Sequence(lambda n: str(1000 + n))
    direction = CallDirection.OUTBOUND
    from_number = "2001"
    to_number = "2002"
    state = CallState.RINGING


class PbxListenerLeaseFactory(factory.django.DjangoModelFactory):
    """A gateway's listener lease held by worker-a for another minute."""

    class Meta:
        model = PbxListenerLease

    gateway = factory.SubFactory("tests.gateways.factories.GatewayFactory")
    holder = "worker-a"
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=1))
