"""Factories of ``notifications``' models: a user's webhook subscription, a publication, a
delivery attempt. They write rows directly; publishing and delivering go through
``notifications.publish`` and ``notifications.services``."""

from __future__ import annotations

import factory

from notifications.models import TOPIC_CONVERSATIONS, DeliveryAttempt, Publication, Subscription
from tests.accounts.factories import CustomerAccountFactory, UserFactory


class SubscriptionFactory(factory.django.DjangoModelFactory):
    """A user's webhook subscription to the conversations topic of their account."""

    class Meta:
        model = Subscription

    account = factory.SubFactory(CustomerAccountFactory)
    user = factory.SubFactory(UserFactory, account=factory.SelfAttribute("..account"))
    principal_id = factory.LazyAttribute(lambda subscription: str(subscription.user.user_id))
    device_id = factory.Sequence(lambda n: f"https://hooks.example/{n}")
    topic = TOPIC_CONVERSATIONS


class PublicationFactory(factory.django.DjangoModelFactory):
    """A chat message event of an account, for everyone in it."""

    class Meta:
        model = Publication

    account = factory.SubFactory(CustomerAccountFactory)
    topic = TOPIC_CONVERSATIONS
    subject = factory.Sequence(lambda n: f"/2017-09-01/conversations/{n}/messages")
    method = "POST"
    content = factory.LazyFunction(lambda: {"body": "Hello"})
    publisher = factory.LazyAttribute(lambda publication: {"accountId": str(publication.account.account_id)})


class DeliveryAttemptFactory(factory.django.DjangoModelFactory):
    """The first try of delivering a publication to a subscription of its account, under way."""

    class Meta:
        model = DeliveryAttempt

    publication = factory.SubFactory(PublicationFactory)
    account = factory.SelfAttribute("publication.account")
    subscription = factory.SubFactory(SubscriptionFactory, account=factory.SelfAttribute("..account"))
    subscription_ref = factory.SelfAttribute("subscription.subscription_id")
    url = factory.SelfAttribute("subscription.device_id")
    attempt = 1
