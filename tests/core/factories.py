"""Factories of ``core``'s models: the email outbox, and the base of every polled job."""

from __future__ import annotations

import factory

from core.models import OutboxMessage


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    """An email the outbox backend kept (to one address, text only)."""

    class Meta:
        model = OutboxMessage

    to = factory.Sequence(lambda n: [f"reader{n}@example.com"])
    subject = factory.Sequence(lambda n: f"Message {n}")
    from_email = "no-reply@example.com"
    body_text = "Hello."


class JobFactory(factory.django.DjangoModelFactory):
    """What every job (``core.models.Job``) has; each app's job factory extends it."""

    class Meta:
        abstract = True

    created_by = None
    error = ""
