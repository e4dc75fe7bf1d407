"""Outgoing email: rendered in the request, sent by a Celery task with retries.

In the embedded default the ``OutboxBackend`` stores each message in ``OutboxMessage``
so it can be read on the portal's Outbox page; production uses SMTP (``EMAIL_URL``).
"""

from __future__ import annotations

import re
import threading

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
    which are then written into each copy (HTML-escaped where the template escapes): 2,500
    welcome emails in 0.1 s instead of 1.7 s. That holds for values the template prints as they
    are (``{{ user.email }}``, ``{% blocktranslate with name=user.display_name %}``). A template
    that tests a recipient's value (``{% if %}``, a comparison) or filters it, a value that is not
    text, or a first recipient of the language whose full rendering differs: the recipients of
    that language (or that one recipient) are rendered in full, one by one (slower, never wrong)."""
    from django.conf import settings

    from core.i18n import user_language

    messages: list[EmailMultiAlternatives] = [None] * len(recipients)  # type: ignore[list-item]
    by_language: dict[str, list[int]] = {}
    for position, (_, _, reader) in enumerate(recipients):  # as language_of(reader) chooses
        by_language.setdefault(user_language(reader) or settings.LANGUAGE_CODE, []).append(position)
    for language, positions in by_language.items():
        with translation.override(language):
            first = recipients[positions[0]][1]
            slots = _Slots(_email_texts(name, {**context, **_Slots.stand_ins(first)}))
            if slots.fill(first) != _email_texts(name, {**context, **first}):
                slots.usable = False
            for position in positions:
                to, own, _ = recipients[position]
                texts = slots.fill(own) or _email_texts(name, {**context, **own})
                messages[position] = _email_build(to, texts)
    return messages


_MARK, _END = "\ue000", "\ue001"  # private-use characters: no escaping touches them
_SLOT = re.compile(f"{_MARK}(\\d+)([re]){_END}")


class _Slots:
    """One rendering with stand-ins (``stand_ins``: each prints a marker naming its path into a
    recipient's own context, such as ``user.display_name``, raw ``r`` or escaped ``e``), and
    each recipient's copy of it (``fill``)."""

    def __init__(self, rendered: tuple[str, ...]) -> None:
        self.paths, self.usable = _rendering.paths, not _rendering.tested
        # Each text as: text, slot number, r or e, text, slot number, r or e, ..., text
        self.parts = [_SLOT.split(text) for text in rendered]
        if any(_MARK in part or _END in part for parts in self.parts for part in parts[::3]):
            self.usable = False  # a marker was changed on the way (a filter): not a plain print

    @staticmethod
    def stand_ins(sample: dict) -> dict:
        _rendering.paths, _rendering.tested = [], False
        return {key: _Slot((key,)) for key in sample}

    def fill(self, own: dict) -> tuple[str, ...] | None:
        """The texts with this recipient's values; None when they cannot be written in."""
        if not self.usable:
            return None
        values, escaped = [], []
        for key, *attributes in self.paths:
            value = own.get(key)
            for attribute in attributes:
                value = getattr(value, attribute, None)
            if not isinstance(value, str):
                return None
            values.append(value)
            escaped.append(escape(value))
        filled = []
        for parts in self.parts:
            pieces = parts[:]
            for at in range(1, len(parts), 3):
                pieces[at] = (escaped if parts[at + 1] == "e" else values)[int(parts[at])]
                pieces[at + 1] = ""
            filled.append("".join(pieces))
        return tuple(filled)


class _Rendering(threading.local):
    """The paths the stand-ins of the rendering under way printed, and whether one was tested."""

    paths: list[tuple[str, ...]]
    tested = False


_rendering = _Rendering()


class _Slot:
    """A recipient's own value (or an object holding it) while the shared text is rendered."""

    def __init__(self, path: tuple[str, ...]) -> None:
        self._path = path

    def __getattr__(self, attribute: str) -> _Slot:
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        return _Slot((*self._path, attribute))

    def __str__(self) -> str:
        paths = _rendering.paths
        if self._path not in paths:
            paths.append(self._path)
        return _Marker(f"{_MARK}{paths.index(self._path)}r{_END}")

    def _tested(self, *_) -> bool:
        _rendering.tested = True  # {% if %}, ==, length, loops: the value matters, not just its text
        return True

    __bool__ = __eq__ = __ne__ = __lt__ = __gt__ = __le__ = __ge__ = __contains__ = _tested
    __hash__ = object.__hash__

    def __len__(self) -> int:
        _rendering.tested = True
        return 1

    def __iter__(self):
        _rendering.tested = True
        return iter(())


class _Marker(str):
    """Printed raw: the ``r`` marker; escaped by the template (``conditional_escape``): ``e``."""

    def __html__(self) -> str:
        return self.replace(f"r{_END}", f"e{_END}")
