import pytest
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.mail import email_queue, email_queue_many
from core.models import OutboxMessage
from portal.settings.env import email_settings_from_url
from tests.waiting import wait_until


def _message(subject="Welcome"):
    msg = EmailMultiAlternatives(subject, "plain body", "noreply@example.com", ["ada@globex.example"])
    msg.attach_alternative("<p>html body</p>", "text/html")
    return msg


@pytest.fixture(autouse=True)
def _outbox_backend(settings):
    """Django's test setup swaps in locmem email; these tests are about the portal's own outbox."""
    settings.EMAIL_BACKEND = "core.mail.OutboxBackend"


@pytest.mark.django_db
def test_queued_email_lands_in_the_outbox_once_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email_queue(message=_message())
        assert not OutboxMessage.objects.exists()

    assert len(callbacks) == 1
    sent = OutboxMessage.objects.get()
    assert sent.to == ["ada@globex.example"]
    assert sent.body_text == "plain body" and sent.body_html == "<p>html body</p>"


@pytest.mark.django_db
def test_email_of_a_rolled_back_change_is_never_sent(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        email_queue(message=_message())
        raise RuntimeError("change failed")
    assert not OutboxMessage.objects.exists()


def test_real_worker_sends_queued_email(celery_worker):
    with transaction.atomic():
        email_queue(message=_message(subject="Sent by the worker"))

    sent = wait_until(lambda: OutboxMessage.objects.filter(subject="Sent by the worker").first())
    assert sent is not None, "the Celery worker did not deliver the email"


def test_email_url_parsing():
    smtp = email_settings_from_url("smtp://mailer:s%40cret@mail.example:2525?tls=true&from=noreply@x.example")
    assert smtp["EMAIL_HOST"] == "mail.example" and smtp["EMAIL_PORT"] == 2525
    assert smtp["EMAIL_HOST_PASSWORD"] == "s@cret" and smtp["EMAIL_USE_TLS"] is True
    assert smtp["DEFAULT_FROM_EMAIL"] == "noreply@x.example"
    assert email_settings_from_url("outbox://")["EMAIL_BACKEND"] == "core.mail.OutboxBackend"
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        email_settings_from_url("pigeon://coop")


@pytest.mark.django_db
def test_a_batch_is_queued_as_one_task_and_lands_in_the_outbox_in_one_insert(
    django_capture_on_commit_callbacks,
):
    messages = [(_message(f"Welcome {n}"), None) for n in range(3)]

    with django_capture_on_commit_callbacks() as callbacks:
        email_queue_many(messages)
    with CaptureQueriesContext(connection) as queries:
        for send in callbacks:
            send()

    assert len(callbacks) == 1
    assert sorted(OutboxMessage.objects.values_list("subject", flat=True)) == [
        "Welcome 0",
        "Welcome 1",
        "Welcome 2",
    ]
    assert [query["sql"].split()[0] for query in queries.captured_queries] == ["INSERT"]
