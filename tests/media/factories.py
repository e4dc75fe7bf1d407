"""Factories of ``media``'s model: a call leg on an account's PBX."""

from __future__ import annotations

import factory

from media.models import Call, CallDirection, CallState
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
