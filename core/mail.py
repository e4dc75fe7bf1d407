"""Outgoing email: rendered in the request, sent by a Celery task with retries.

In the embedded default the ``OutboxBackend`` stores each message in ``OutboxMessage``
so it can be read on the portal's Outbox page; production uses SMTP (``EMAIL_URL``).
"""

from __future__ import annotations

import re

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import translation
from django.utils.html import escape

from core.context import current_correlation_id
from core.db import rows_insert
from core.tasks import email_send_many_task, email_send_task, message_to_payload


class OutboxBackend(BaseEmailBackend):
    atomic_batches = True  # a batch is one statement (INSERT, or COPY on PostgreSQL): all stored or none

    def send_messages(self, email_messages) -> int:
        from core.models import OutboxMessage

        rows = []
        for message in email_messages:
            html = ""
            for content, mimetype in getattr(message, "alternatives", []) or []:
                if mimetype == "text/html":
                    html = content
            rows.append(
                OutboxMessage(
                    recipient_user_id=getattr(message, "recipient_user_id", None),
                    to=list(message.to),
                    cc=list(message.cc),
                    subject=message.subject,
                    from_email=message.from_email,
                    body_text=message.body,
                    body_html=html,
                    correlation_id=message.extra_headers.get("X-Mitel-Correlation-Id", ""),
                )
            )
        rows_insert(rows)  # a bulk import's welcome emails: some 12 MB of HTML, one COPY
        return len(rows)


def email_queue(*, message: EmailMessage, recipient=None) -> None:
    """Queue a rendered message; it is sent only if the surrounding transaction commits.

    ``recipient`` is the user the message is written for (a welcome or reset link): in the Outbox
    their admins may read it; without one, only platform operators can. It never leaves the portal."""
    payload = _payload(message, recipient)
    transaction.on_commit(lambda: email_send_task.delay(payload))


def email_queue_many(messages: list[tuple[EmailMessage, object]]) -> None:
    """``email_queue`` for a batch of ``(message, recipient)``: one task sends them all."""
    payloads = [_payload(message, recipient) for message, recipient in messages]
    if payloads:
        transaction.on_commit(lambda: email_send_many_task.delay(payloads))


def _payload(message: EmailMessage, recipient) -> dict:
    if getattr(recipient, "user_id", None):
        message.recipient_user_id = str(recipient.user_id)
    if current_correlation_id():
        message.extra_headers.setdefault("X-Mitel-Correlation-Id", current_correlation_id())
    return message_to_payload(message)


def email_render(name: str, *, to: list[str], context: dict, reader=None) -> EmailMultiAlternatives:
    """Render ``emails/<name>_subject.txt``, ``_body.txt`` and ``_body.html`` into one message, in
    the language of ``reader`` (the user it is written for: their own, else their account's)."""
    from core.i18n import language_of

    with language_of(reader):
        return _email_render(name, to=to, context=context)


def _email_render(name: str, *, to: list[str], context: dict) -> EmailMultiAlternatives:
    return _email_build(to, _email_texts(name, context))


def _email_texts(name: str, context: dict) -> tuple[str, str, str]:
    from django.template.loader import render_to_string

    return tuple(render_to_string(f"emails/{name}_{part}", context) for part in _PARTS)


_PARTS = ("subject.txt", "body.txt", "body.html")


def _email_build(to: list[str], texts: tuple[str, str, str]) -> EmailMultiAlternatives:
    from django.conf import settings

    subject, body, html = texts
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    message.attach_alternative(html, "text/html")
    return message


def email_render_many(
    name: str, *, context: dict, recipients: list[tuple[list[str], dict, object]]
) -> list[EmailMultiAlternatives]:
    """``email_render`` of one email for many recipients (a bulk import's welcome emails): the
    messages in the order of ``recipients``, each ``(to, its own context, reader)``; ``context``
    is what they share.

    The templates are rendered once per language with stand-ins for the recipients' own values,
    which are then written into each copy (HTML-escaped where the template escapes). So a
    recipient's own value must be text that the template prints as it is (``{{ user.email }}``,
    ``{% blocktranslate with name=user.display_name %}``), not test (``{% if %}``) or filter. A
    recipient whose value is not text is rendered in full; and the first recipient of each language
    is rendered in full too and compared, so a template that does more with them is rendered in
    full for every recipient of that language (slower, never wrong)."""
    from django.conf import settings

    from core.i18n import user_language

    messages: list[EmailMultiAlternatives] = [None] * len(recipients)  # type: ignore[list-item]
    by_language: dict[str, list[int]] = {}
    for position, (_, _, reader) in enumerate(recipients):  # as language_of(reader) chooses
        by_language.setdefault(user_language(reader) or settings.LANGUAGE_CODE, []).append(position)
    for language, positions in by_language.items():
        with translation.override(language):
            slots = _Slots()
            first = recipients[positions[0]][1]
            shared = _email_texts(name, {**context, **slots.context(first)})
            in_full = _email_texts(name, {**context, **first})
            trusted = slots.fill(shared, first) == in_full
            for position in positions:
                to, own, _ = recipients[position]
                texts = slots.fill(shared, own) if trusted else None
                messages[position] = _email_build(to, texts or _email_texts(name, {**context, **own}))
    return messages


_SLOT = re.compile("\ue000(\\d+)([re])\ue001")


class _Slots:
    """The stand-ins of one rendering: each is a path into a recipient's own context (``user``,
    ``display_name``) and prints as a marker, raw (``r``) or, where the template escapes, ``e``."""

    def __init__(self) -> None:
        self.paths: list[tuple[str, ...]] = []
        self._parts: tuple[tuple[str, str, str], list[list[str]]] | None = None

    def context(self, sample: dict) -> dict:
        return {key: _Slot(self, (key,)) for key in sample}

    def marker(self, path: tuple[str, ...]) -> int:
        if path not in self.paths:
            self.paths.append(path)
        return self.paths.index(path)

    def fill(self, texts: tuple[str, str, str], own: dict) -> tuple[str, str, str] | None:
        """``texts`` with this recipient's values written in; None when one of them is not text."""
        values, escaped = [], []
        for key, *attributes in self.paths:
            value = own.get(key)
            for attribute in attributes:
                value = getattr(value, attribute, None)
            if not isinstance(value, str):
                return None
            values.append(value)
            escaped.append(escape(value))
        if self._parts is None or self._parts[0] is not texts:
            self._parts = (texts, [_SLOT.split(text) for text in texts])
        filled = []
        for parts in self._parts[1]:
            # parts: text, slot number, r or e, text, slot number, r or e, ..., text
            pieces = parts[:]
            for at in range(1, len(parts), 3):
                pieces[at] = (escaped if parts[at + 1] == "e" else values)[int(parts[at])]
                pieces[at + 1] = ""
            filled.append("".join(pieces))
        return tuple(filled)


class _Slot:
    """A recipient's own value (or an object holding it) while the shared text is rendered."""

    def __init__(self, slots: _Slots, path: tuple[str, ...]) -> None:
        self._slots, self._path = slots, path

    def __getattr__(self, attribute: str) -> _Slot:
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        return _Slot(self._slots, (*self._path, attribute))

    def __str__(self) -> str:
        return _Marker(f"\ue000{self._slots.marker(self._path)}r\ue001")


class _Marker(str):
    """Printed raw: the ``r`` marker; escaped by the template (``conditional_escape``): ``e``."""

    def __html__(self) -> str:
        return self.replace("r\ue001", "e\ue001")
