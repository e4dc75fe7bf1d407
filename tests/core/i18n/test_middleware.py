"""Which language a page comes in: the user's own choice, else their account's default language;
signed out, the footer's choice (cookie), else the browser's Accept-Language, else English."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Account
from core.i18n import supported_language
from tests.accounts.factories import CustomerAccountFactory, UserFactory

SIGN_IN_HEADING = {
    "en": "<h1>Sign in</h1>",
    "fr": "<h1>Se connecter</h1>",
    "de": "<h1>Anmelden</h1>",
    "es": "<h1>Iniciar sesión</h1>",
    "it": "<h1>Accedi</h1>",
    "nl": "<h1>Aanmelden</h1>",
    "pt-br": "<h1>Entrar</h1>",
    "sv": "<h1>Logga in</h1>",
}
USERS_HEADING = {
    "en": "<h1>Users</h1>",
    "fr": "<h1>Utilisateurs</h1>",
    "de": "<h1>Benutzer</h1>",
    "es": "<h1>Usuarios</h1>",
    "it": "<h1>Utenti</h1>",
    "nl": "<h1>Gebruikers</h1>",
    "pt-br": "<h1>Usuários</h1>",
    "sv": "<h1>Användare</h1>",
}


@pytest.mark.parametrize("language", ["en", "fr", "de", "es", "it", "nl", "pt-br", "sv"])
def test_signed_out_the_browser_language_is_used(client, db, language):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE=f"{language};q=1, en;q=0.5")
    html = response.content.decode()

    assert SIGN_IN_HEADING[language] in html
    assert f'<html lang="{language}">' in html
    assert response.headers["Content-Language"] == language


def test_signed_out_the_footer_choice_beats_the_browser_language(client, db):
    client.post(reverse("language_set"), {"language": "es", "next": reverse("account_login")})

    html = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert SIGN_IN_HEADING["es"] in html


@pytest.mark.parametrize(
    ("account_language", "page_language"),
    [
        ("fr-CA", "fr"),
        ("fr-FR", "fr"),
        ("de-DE", "de"),
        ("es-ES", "es"),
        ("en-GB", "en"),
        ("it-IT", "it"),
        ("nl-NL", "nl"),
        ("pt-BR", "pt-br"),
        ("sv-SE", "sv"),
    ],
)
def test_a_user_without_a_choice_reads_their_accounts_default_language(
    db, client_for, account_language, page_language
):
    """The account's default language beats the browser's (German here): ``pt-BR`` reads Brazilian
    Portuguese (``pt-br``), ``sv-SE`` Swedish."""
    account = CustomerAccountFactory(default_language=account_language)
    admin = UserFactory(account=account, role="ACCOUNT_ADMIN")

    html = (
        client_for(admin)
        .get(reverse("accounts:user_list", args=[account.account_number]), HTTP_ACCEPT_LANGUAGE="de")
        .content.decode()
    )

    assert USERS_HEADING[page_language] in html


def test_the_users_own_language_beats_the_accounts_and_the_browsers(db, client_for):
    account = CustomerAccountFactory(default_language="fr-FR")
    admin = UserFactory(account=account, role="ACCOUNT_ADMIN", language="es")

    html = (
        client_for(admin)
        .get(reverse("accounts:user_list", args=[account.account_number]), HTTP_ACCEPT_LANGUAGE="de")
        .content.decode()
    )

    assert USERS_HEADING["es"] in html


def test_every_offered_language_is_one_the_console_is_translated_into():
    assert [code for code, _ in settings.LANGUAGES] == ["en", "fr", "de", "es", "it", "nl", "pt-br", "sv"]


def test_every_account_default_language_is_one_the_console_is_translated_into():
    """No account's readers fall through to their browser's language: each Account.Language value
    (``pt-BR``, ``sv-SE``...) maps to a language of settings.LANGUAGES."""
    untranslated = [code for code in Account.Language.values if supported_language(code) is None]

    assert untranslated == []


@pytest.mark.parametrize("language", ["fr", "de", "es"])
def test_the_api_answers_in_english_whatever_the_browser_asks(client, db, language):
    """CloudLink clients parse the API's error texts: a French Accept-Language changes nothing."""
    response = client.get("/api/admin/2017-09-01/accounts/0/integrations", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 401
    assert response.headers["Content-Language"] == "en"


def test_the_api_docs_page_is_in_the_readers_language(client, db):
    response = client.get(reverse("api-docs"), HTTP_ACCEPT_LANGUAGE="fr")

    assert response.headers["Content-Language"] == "fr"
