"""Factories of ``integrations``' models: an integration added to an account, a chat overlay,
a user's Mitel One settings. They write rows directly (no privilege rules run); a test of the
rules goes through ``integrations.services``."""

from __future__ import annotations

import factory

from integrations.models import ChatOverlay, Integration, MitelOneUserSettings
from tests.accounts.factories import CustomerAccountFactory, UserFactory


class IntegrationFactory(factory.django.DjangoModelFactory):
    """A catalogue integration (MiCC unless ``type`` says otherwise) in a customer account."""

    class Meta:
        model = Integration

    account = factory.SubFactory(CustomerAccountFactory)
    type = "micc"


class ChatOverlayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatOverlay

    account = factory.SubFactory(CustomerAccountFactory)
    name = factory.Sequence(lambda n: f"Overlay {n}")
    greeting = "Hello! How can we help?"
    target_queue = "Support"


class MitelOneUserSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MitelOneUserSettings

    user = factory.SubFactory(UserFactory)
