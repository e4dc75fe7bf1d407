"""Emails are written in their recipient's language (their own, else their account's default)."""

import pytest
from django.core import mail

from accounts import services
from tests.accounts.factories import CustomerAccountFactory, UserFactory

WELCOME = {
    "en": ("Finish building your CloudLink account for", "Hello Ada,", "expires in 7 days"),
    "fr": ("Terminez la création de votre compte CloudLink pour", "Bonjour Ada,", "expire dans 7 jours"),
    "de": ("Schließen Sie die Einrichtung Ihres CloudLink-Kontos für", "Hallo Ada,", "läuft in 7 Tagen ab"),
    "es": ("Termine de crear su cuenta de CloudLink para", "Hola, Ada:", "caduca en 7 días"),
    "it": ("Completa la creazione del tuo account CloudLink per", "Ciao Ada,", "scade tra 7 giorni"),
    "nl": ("Voltooi uw CloudLink-account voor", "Hallo Ada,", "verloopt over 7 dagen"),
    "pt-br": ("Conclua a criação da sua conta CloudLink para", "Olá, Ada,", "expira em 7 dias"),
    "sv": ("Slutför ditt CloudLink-konto för", "Hej Ada,", "går ut om 7 dagar"),
}
RESET = {
    "en": ("Reset your CloudLink password for", "sent you this link to choose a new password"),
    "fr": (
        "Réinitialisez votre mot de passe CloudLink pour",
        "vous a envoyé ce lien pour choisir un nouveau mot de passe",
    ),
    "de": (
        "Setzen Sie Ihr CloudLink-Passwort für",
        "hat Ihnen diesen Link gesendet, um ein neues Passwort zu wählen",
    ),
    "es": (
        "Restablezca su contraseña de CloudLink para",
        "le ha enviado este enlace para elegir una contraseña nueva",
    ),
    "it": (
        "Reimposta la tua password CloudLink per",
        "ti ha inviato questo link per scegliere una nuova password",
    ),
    "nl": (
        "Stel uw CloudLink-wachtwoord opnieuw in voor",
        "heeft u deze link gestuurd om een nieuw wachtwoord te kiezen",
    ),
    "pt-br": (
        "Redefina sua senha do CloudLink para",
        "enviou este link para você escolher uma nova senha",
    ),
    "sv": (
        "Återställ ditt CloudLink-lösenord för",
        "har skickat den här länken till dig för att välja ett nytt lösenord",
    ),
}


@pytest.fixture
def send(db, django_capture_on_commit_callbacks, settings):
    settings.PORTAL_WELCOME_LINK_DAYS = 7

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            action()
        assert len(mail.outbox) == 1
        return mail.outbox.pop()

    return run


@pytest.mark.parametrize("language", ["en", "fr", "de", "es", "it", "nl", "pt-br", "sv"])
def test_the_welcome_email_is_in_the_users_language(account_admin, customer, send, language):
    person = UserFactory(
        account=customer, first_name="Ada", last_name="", is_registered=False, language=language
    )

    message = send(lambda: services.user_welcome_resend(actor=account_admin, user=person))

    subject, hello, expiry = WELCOME[language]
    html = message.alternatives[0][0]
    assert message.subject.startswith(subject)
    assert hello in message.body
    assert expiry in message.body
    assert hello in html
    assert f'<html lang="{language}">' in html


@pytest.mark.parametrize(
    ("account_language", "language"),
    [
        ("fr-CA", "fr"),
        ("de-DE", "de"),
        ("es-ES", "es"),
        ("it-IT", "it"),
        ("nl-NL", "nl"),
        ("pt-BR", "pt-br"),
        ("sv-SE", "sv"),
    ],
)
def test_without_a_choice_the_email_is_in_the_accounts_language(send, account_language, language):
    account = CustomerAccountFactory(default_language=account_language)
    admin = UserFactory(account=account, role="ACCOUNT_ADMIN")
    person = UserFactory(account=account, first_name="Ada", last_name="")

    message = send(lambda: services.user_password_reset_send(actor=admin, user=person))

    subject, sentence = RESET[language]
    assert message.subject.startswith(subject)
    assert sentence in message.body


def test_the_email_follows_the_recipient_not_the_sender(account_admin, customer, send):
    """The admin reads German; the person they reset reads Spanish."""
    services.user_language_set(actor=account_admin, user=account_admin, language="de")
    person = UserFactory(account=customer, first_name="Ada", last_name="", language="es")

    message = send(lambda: services.user_password_reset_send(actor=account_admin, user=person))

    assert message.subject.startswith(RESET["es"][0])
