"""Which language a page comes in: the user's own choice, else their account's default language;
signed out, the footer's choice (cookie), else the browser's Accept-Language, else English."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.accounts.factories import CustomerAccountFactory, UserFactory

SIGN_IN_HEADING = {
    "en": "<h1>Sign in</h1>",
    "fr": "<h1>Se connecter</h1>",
    "de": "<h1>Anmelden</h1>",
    "es": "<h1>Iniciar sesión</h1>",
}
USERS_HEADING = {
    "en": "<h1>Users</h1>",
    "fr": "<h1>Utilisateurs</h1>",
    "de": "<h1>Benutzer</h1>",
    "es": "<h1>Usuarios</h1>",
}


@pytest.mark.parametrize("language", ["en", "fr", "de", "es"])
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
    [("fr-CA", "fr"), ("fr-FR", "fr"), ("de-DE", "de"), ("es-ES", "es"), ("en-GB", "en"), ("it-IT", "de")],
)
def test_a_user_without_a_choice_reads_their_accounts_default_language(
    db, client_for, account_language, page_language
):
    """Italian is not translated: the browser's language (German here) is used instead."""
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
    assert [code for code, _ in settings.LANGUAGES] == ["en", "fr", "de", "es"]


@pytest.mark.parametrize("language", ["fr", "de", "es"])
def test_the_api_answers_in_english_whatever_the_browser_asks(client, db, language):
    """CloudLink clients parse the API's error texts: a French Accept-Language changes nothing."""
    response = client.get("/api/admin/2017-09-01/accounts/0/integrations", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code in {401, 403, 404}
    assert response.headers["Content-Language"] == "en"


def test_the_api_docs_page_is_in_the_readers_language(client, db):
    response = client.get(reverse("api-docs"), HTTP_ACCEPT_LANGUAGE="fr")

    assert response.headers["Content-Language"] == "fr"
