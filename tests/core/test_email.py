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
def test_a_batch_is_queued_as_one_task_and_lands_in_the_outbox_in_one_statement(
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
    one_statement = "COPY" if connection.vendor == "postgresql" else "INSERT"  # core.db.rows_insert
    assert [query["sql"].split()[0] for query in queries.captured_queries] == [one_statement]


# --- one email for many recipients (core.mail.email_render_many) ----------------------------


def _welcome_recipients(people):
    from accounts.models import Account, User

    account = Account(name='Acme & <Sons> "Q"', account_number="200000001", default_language="fr")
    users = [
        User(account=account, email=email, name=name, language=language) for email, name, language in people
    ]
    return [
        ([user.email], {"user": user, "account": account, "link": f"https://x.example/welcome/t{n}/"}, user)
        for n, user in enumerate(users)
    ]


def _texts(message):
    return (message.to, message.subject, message.body, message.alternatives[0][0])


def test_many_welcome_emails_are_each_what_rendering_it_alone_gives():
    """Names with markup and quotes, users in several languages and in their account's."""
    from core.mail import email_render, email_render_many

    recipients = _welcome_recipients(
        [
            ("ada@globex.example", "Ada <b>Lovelace</b> & co", ""),
            ("o'brien@globex.example", 'Seán O\'Brien "the 2nd"', "de"),
            ("grace@globex.example", "", "en"),
            ("alan@globex.example", "Alan {{ link }} %(name)s", ""),
            ("hedy@globex.example", "Hedy", "es"),
        ]
    )

    many = email_render_many("welcome", context={"days": 7}, recipients=recipients)

    alone = [
        email_render("welcome", to=to, context={"days": 7, **own}, reader=reader)
        for to, own, reader in recipients
    ]
    assert [_texts(message) for message in many] == [_texts(message) for message in alone]
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt; &amp; co" in many[0].alternatives[0][0]
    assert "Ada <b>Lovelace</b> & co" in many[0].body


@pytest.mark.parametrize(
    "body",
    [
        "{% if user.name %}Dear {{ user.name }}{% else %}Hello{% endif %}",
        "Dear {{ user.name|upper }}, {{ user.email }}",
        "{% if user.name == 'Ada' %}Hi Ada{% endif %} {{ user.email }}",
        "Dear {{ user.name|default:user.email }}",
    ],
)
def test_a_template_that_tests_or_filters_a_recipients_value_is_rendered_for_each(settings, body):
    """The first recipient has a name, the second none: a shared rendering would be wrong."""
    from core.mail import email_render, email_render_many

    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {
                            "emails/t_subject.txt": "Hi",
                            "emails/t_body.txt": body,
                            "emails/t_body.html": f"<p>{body}</p>",
                        },
                    )
                ]
            },
        }
    ]
    recipients = _welcome_recipients([("ada@globex.example", "Ada", ""), ("bob@globex.example", "", "")])

    many = email_render_many("t", context={}, recipients=recipients)

    alone = [email_render("t", to=to, context=own, reader=reader) for to, own, reader in recipients]
    assert [_texts(message) for message in many] == [_texts(message) for message in alone]
    assert many[0].body != many[1].body


def test_a_recipient_value_that_is_not_text_is_rendered_in_full():
    from core.mail import email_render, email_render_many

    recipients = _welcome_recipients([("ada@globex.example", "Ada", ""), ("bob@globex.example", "Bob", "")])
    recipients[1][1]["link"] = 12345  # printed by the template as the number it is

    many = email_render_many("welcome", context={"days": 1}, recipients=recipients)

    alone = [
        email_render("welcome", to=to, context={"days": 1, **own}, reader=reader)
        for to, own, reader in recipients
    ]
    assert [_texts(message) for message in many] == [_texts(message) for message in alone]
    assert "12345" in many[1].body
