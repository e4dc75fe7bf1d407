"""Email through real SMTP: a local aiosmtpd server receives the welcome email the Add user service
queues, and an unreachable server makes the send task retry. No mocks of SMTP."""

from __future__ import annotations

import email
import email.policy
import re
import socket

import pytest
from aiosmtpd.controller import Controller
from celery import signals
from celery.exceptions import Retry

from accounts import services
from core.mail import email_render
from core.tasks import email_send_task, message_to_payload

pytestmark = pytest.mark.django_db


class Inbox:
    """aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def smtp_settings(settings, smtp_port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "CloudLink Console <no-reply@console.example>"
    settings.PORTAL_BASE_URL = "https://console.example"
    return settings


@pytest.fixture
def smtp_server(smtp_settings, smtp_port):
    """A real SMTP server on 127.0.0.1 that the portal's settings point at."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield inbox
    controller.stop()


def test_the_welcome_email_arrives_over_smtp_with_both_parts_and_the_link(
    smtp_server, account_admin, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = services.user_create(
            actor=account_admin, account=customer, email="nia@globex.example", first_name="Nia"
        )

    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.mail_from == "no-reply@console.example" and envelope.rcpt_tos == ["nia@globex.example"]
    message = smtp_server.messages[0]
    assert message["Subject"] == "Finish building your CloudLink account for Globex Corp"
    assert message["To"] == "nia@globex.example"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    link = re.search(r"https://console\.example/welcome/[\w-]+/", text)[0]
    assert link in html and "Finish building your account" in text and "Finish building your account" in html
    assert customer.account_number in text and customer.account_number in html
    assert services.welcome_link_resolve(link.rsplit("/", 2)[1]).user == user


def _welcome_payload(user) -> dict:
    return message_to_payload(
        email_render(
            "welcome",
            to=[user.email],
            context={
                "user": user,
                "account": user.account,
                "link": "https://x.example/welcome/t/",
                "days": 7,
            },
        )
    )


def test_an_unreachable_smtp_server_makes_the_task_retry(smtp_settings, member):
    """Nothing listens on the port: the send fails with an OSError and the task asks to be retried."""
    email_send_task.push_request(id="smtp-down", retries=0, is_eager=True, called_directly=False)
    try:
        with pytest.raises(Retry) as retry:
            email_send_task.run(_welcome_payload(member))
    finally:
        email_send_task.pop_request()

    assert isinstance(retry.value.exc, OSError)
    assert retry.value.when == email_send_task.default_retry_delay


@pytest.fixture
def retries_chain_in_process():
    """Run retries in-process as the embedded default does (no broker, eager tasks that do not
    propagate errors); the test settings propagate them, which would stop at the first retry."""
    conf = email_send_task.app.conf
    before = conf.task_eager_propagates
    conf.task_eager_propagates = False
    yield
    conf.task_eager_propagates = before


@pytest.fixture
def retries():
    """The reasons of every retry of the send task while the test runs (Celery's task_retry signal)."""
    reasons = []

    def record(**kwargs):
        reasons.append(kwargs["reason"])

    signals.task_retry.connect(record, sender=email_send_task, weak=False)
    yield reasons
    signals.task_retry.disconnect(record, sender=email_send_task)


def test_the_retried_task_delivers_once_the_server_is_back(
    smtp_settings, smtp_port, member, retries_chain_in_process, retries
):
    """The first attempt finds no server; the server starts; the retry delivers the message."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)

    def server_comes_back(**kwargs):
        controller.start()

    signals.task_retry.connect(server_comes_back, sender=email_send_task, weak=False)
    try:
        result = email_send_task.apply(args=[_welcome_payload(member)])
    finally:
        signals.task_retry.disconnect(server_comes_back, sender=email_send_task)
    controller.stop()

    assert len(retries) == 1 and isinstance(retries[0].exc, OSError)
    assert result.successful() and result.result == 1
    assert [e.rcpt_tos for e in inbox.envelopes] == [[member.email]]


def test_a_server_that_stays_down_fails_the_task_after_its_retries(
    smtp_settings, member, retries_chain_in_process, retries
):
    result = email_send_task.apply(args=[_welcome_payload(member)])

    assert result.failed() and isinstance(result.result, OSError)
    assert len(retries) == email_send_task.max_retries == 5
