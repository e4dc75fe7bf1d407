"""Factories of ``gateways``' models: the wizard's state, a gateway with its PBX and SIP trunk, a
connect job. They write rows directly; the wizard's flow is ``tests/gateways/helpers.run_wizard``."""

from __future__ import annotations

import factory

from gateways.models import ConnectJob, Gateway, GatewaySetup, Pbx, PbxType, SipTrunk
from gateways.pbx.csta import MXONE_CSTA_XML_PORT
from tests.accounts.factories import CustomerAccountFactory
from tests.core.factories import JobFactory


class GatewaySetupFactory(factory.django.DjangoModelFactory):
    """An account's wizard at its first step."""

    class Meta:
        model = GatewaySetup

    account = factory.SubFactory(CustomerAccountFactory)


class GatewayFactory(factory.django.DjangoModelFactory):
    """A customer's gateway, known by its serial number, waiting to connect."""

    class Meta:
        model = Gateway

    account = factory.SubFactory(CustomerAccountFactory)
    name = factory.Sequence(lambda n: f"Gateway {n}")
    serial_number = factory.Sequence(lambda n: f"CLGW-{n:06d}")


class PbxFactory(factory.django.DjangoModelFactory):
    """A MiVoice MX-ONE behind a gateway, reached over CSTA (the simulator's credentials)."""

    class Meta:
        model = Pbx

    gateway = factory.SubFactory(GatewayFactory)
    type = PbxType.MX_ONE
    name = factory.Sequence(lambda n: f"mxone-{n}")
    host = "127.0.0.1"
    csta_port = MXONE_CSTA_XML_PORT
    csta_user = "cloudlink"
    csta_password = "cloudlink"


class SipTrunkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SipTrunk

    gateway = factory.SubFactory(GatewayFactory)
    address = "gateway.example"


class ConnectJobFactory(JobFactory):
    """A connect of a gateway's PBX, queued."""

    class Meta:
        model = ConnectJob

    gateway = factory.SubFactory(GatewayFactory)
    account = factory.SelfAttribute("gateway.account")
