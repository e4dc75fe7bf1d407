"""The main pages rendered in every language the console offers but English (settings.LANGUAGES) show
no English text of the console's catalogue: every visible text node and label attribute is compared
with the English msgids whose translation differs (the same English would be a string left out of
{% translate %} or gettext)."""

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.translation import to_locale

from tests.accounts.factories import UserFactory

LANGUAGES = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
LABEL_ATTRIBUTES = {"placeholder", "aria-label", "title", "alt"}
NOT_TEXT = {"script", "style", "code", "pre", "kbd", "samp"}
LONG = 25  # a msgid this long is also looked for inside longer text (a sentence wrapped in part)


def english_with_other_translation(language: str) -> set[str]:
    po = polib.pofile(
        str(Path(settings.BASE_DIR) / "locale" / to_locale(language) / "LC_MESSAGES" / "django.po")
    )
    return {
        entry.msgid
        for entry in po
        if not entry.msgid_plural and "%(" not in entry.msgid and entry.msgstr.strip() != entry.msgid.strip()
    }


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in NOT_TEXT:
            self.hidden_depth += 1
        for name, value in attrs:
            if name in LABEL_ATTRIBUTES and value:
                self.texts.append(value)
            if tag == "input" and name == "value" and ("type", "submit") in attrs and value:
                self.texts.append(value)

    def handle_endtag(self, tag):
        if tag in NOT_TEXT and self.hidden_depth:
            self.hidden_depth -= 1

    def handle_data(self, data):
        if not self.hidden_depth and data.strip():
            self.texts.append(data)


def english_left(html: str, english: set[str]) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    texts = [" ".join(text.split()) for text in parser.texts]
    long_ones = [msgid for msgid in english if len(msgid) >= LONG]
    found = {text for text in texts if text in english}
    found |= {msgid for msgid in long_ones for text in texts if msgid in text}
    return sorted(found)


@pytest.fixture
def main_pages(partner, customer, partner_admin, account_admin):
    person = UserFactory(account=customer, first_name="Ada", last_name="Lovelace")
    number = customer.account_number
    return {
        "accounts": (partner_admin, reverse("accounts:account_list")),
        "account": (account_admin, reverse("accounts:account_detail", args=[number])),
        "users": (account_admin, reverse("accounts:user_list", args=[number])),
        "user": (account_admin, reverse("accounts:user_detail", args=[number, person.user_id])),
        "add user": (account_admin, reverse("accounts:user_create", args=[number])),
        "account create": (partner_admin, reverse("accounts:account_create")),
        "activity": (account_admin, reverse("accounts:account_activity", args=[number])),
        "integrations": (account_admin, reverse("integrations:integration_list", args=[number])),
        "gateway": (account_admin, reverse("gateways:gateway_detail", args=[number])),
        "outbox": (account_admin, reverse("outbox")),
        "preferences": (account_admin, reverse("preferences")),
        "sign-in": (None, reverse("account_login")),
    }


def render(client, user, url, language):
    if user is not None:
        client.force_login(user)
    user_language = language
    if user is not None:
        user.language = user_language
        user.save(update_fields=["language"])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_main_pages_have_no_english_left(client, main_pages, language):
    english = english_with_other_translation(language)
    left = {}
    for name, (user, url) in main_pages.items():
        html = render(client, user, url, language)
        assert f'<html lang="{language}">' in html
        if found := english_left(html, english):
            left[name] = found
        client.logout()

    assert left == {}


def test_the_scan_finds_the_english_of_a_page_rendered_in_english(client, main_pages):
    """The check above is only worth something if it sees English where there is some."""
    english = english_with_other_translation("fr")
    user, url = main_pages["users"]

    found = english_left(render(client, user, url, "en"), english)

    assert {"Users", "Add user", "Import users", "Search", "Skip to main content", "Change language"} <= set(
        found
    )


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "fr",
            ["Utilisateurs", "Ajouter un utilisateur", "Rechercher des utilisateurs", "Changer de langue"],
        ),
        ("de", ["Benutzer hinzufügen", "Benutzer importieren", "Zum Hauptinhalt springen", "Sprache ändern"]),
        ("es", ["Añadir usuario", "Importar usuarios", "Saltar al contenido principal", "Cambiar el idioma"]),
        ("it", ["Aggiungi utente", "Importa utenti", "Vai al contenuto principale", "Cambia lingua"]),
        ("nl", ["Gebruiker toevoegen", "Gebruikers importeren", "Naar de hoofdinhoud", "Taal wijzigen"]),
        (
            "pt-br",
            ["Adicionar usuário", "Importar usuários", "Pular para o conteúdo principal", "Alterar idioma"],
        ),
        ("sv", ["Lägg till användare", "Importera användare", "Hoppa till huvudinnehållet", "Byt språk"]),
    ],
)
def test_the_users_page_reads_in_each_language(client, main_pages, language, texts):
    user, url = main_pages["users"]
    html = render(client, user, url, language)

    for text in texts:
        assert text in html


def test_dates_follow_the_languages_order(client, main_pages, customer):
    """``DATETIME_FORMAT`` per language (portal/formats): day before month in French and German."""
    user, url = main_pages["user"]
    html = {language: render(client, user, url, language) for language in ["en", "de"]}
    person_added = re.compile(r'<time datetime="[^"]+">([^<]+) UTC</time>')

    assert re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}, \d{4} \d{2}:\d{2}", person_added.search(html["en"]).group(1))
    assert re.fullmatch(r"\d{1,2}\. \w{3,4}\.? \d{4} \d{2}:\d{2}", person_added.search(html["de"]).group(1))
