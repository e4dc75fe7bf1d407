"""The main pages rendered in every language the console offers but English (settings.LANGUAGES) show
no English text of the console's catalogue: every visible text node and label attribute is compared
with the English msgids whose translation differs (the same English would be a string left out of
{% translate %} or gettext).

A msgid with placeholders (``Import %(count)s users``) is looked for as a pattern, its placeholders
matching any text: English left around a variable shows up even though the variable's value varies."""

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.translation import to_locale

from accounts.models import User
from tests.accounts.factories import UserFactory

LANGUAGES = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
LABEL_ATTRIBUTES = {"placeholder", "aria-label", "title", "alt", "data-busy"}
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


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
TAG = re.compile(r"<[^>]+>")
MIN_LETTERS = 8  # a pattern with fewer English letters around its placeholders says too little
NUMBERS = {
    "count",
    "total",
    "rows",
    "processed",
    "valid",
    "invalid",
    "create",
    "update",
    "remove",
    "number",
    "pages",
}


def english_patterns(language: str) -> dict[str, re.Pattern]:
    """The English msgids (and plural msgids) with placeholders whose translation differs, as patterns
    over the page's visible text with its spaces removed (tags split a sentence into text nodes)."""
    po = polib.pofile(
        str(Path(settings.BASE_DIR) / "locale" / to_locale(language) / "LC_MESSAGES" / "django.po")
    )
    patterns = {}
    for entry in po:
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for english in filter(None, (entry.msgid, entry.msgid_plural)):
            if not PLACEHOLDER.search(english) or english in translations:
                continue
            text = "".join(TAG.sub("", english).replace("%%", "%").split())
            pieces = PLACEHOLDER.split(text)  # literal text, placeholder name, literal text, ...
            parts, names = pieces[::2], pieces[1::2]
            if sum(ch.isalpha() for part in parts for ch in part) < MIN_LETTERS:
                continue
            pattern = re.escape(parts[0])
            for name, part in zip(names, parts[1:], strict=True):
                pattern += (r"[\d.,]{1,12}" if name in NUMBERS else ".{1,60}?") + re.escape(part)
            patterns[english] = re.compile(pattern)
    return patterns


def english_fragments_left(html: str, patterns: dict[str, re.Pattern]) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    visible = "".join("".join(parser.texts).split())
    return sorted(english for english, pattern in patterns.items() if pattern.search(visible))


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


def render(client, user, url, language, data=None):
    if user is not None:
        client.force_login(user)
    user_language = language
    if user is not None:
        user.language = user_language
        user.save(update_fields=["language"])
    if data is None:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    else:
        response = client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_main_pages_have_no_english_left(client, main_pages, language):
    assert pages_with_english_left(client, main_pages, language) == {}


def pages_with_english_left(client, pages, language) -> dict[str, list[str]]:
    english = english_with_other_translation(language)
    patterns = english_patterns(language)
    left = {}
    for name, page in pages.items():
        user, url, data = (*page, None)[:3]
        html = render(client, user, url, language, data=data)
        assert f'<html lang="{language}">' in html, name
        if found := english_left(html, english) + english_fragments_left(html, patterns):
            left[name] = found
        client.logout()
    return left


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


@pytest.fixture
def more_pages(partner, customer, partner_admin, account_admin):
    """The import job, PBX sync, gateway wizard and integrations pages, each with data that shows
    its texts around variables (counts, names, steps)."""
    from gateways import services as gateway_services
    from tests.accounts.factories import UserImportJobFactory, UserImportRowFactory
    from tests.gateways.factories import ConnectJobFactory, GatewayFactory, PbxFactory
    from tests.gateways.helpers import CUSTOMER, GATEWAY, pbx_values
    from tests.integrations.factories import ChatOverlayFactory, IntegrationFactory
    from tests.oauth.factories import ApplicationDeploymentFactory, ApplicationFactory

    number = customer.account_number
    preview = UserImportJobFactory(account=customer, created_by=account_admin, total_rows=3, valid_rows=2)
    UserImportRowFactory.create_batch(2, job=preview)
    UserImportRowFactory(job=preview, email="", errors=["Invalid email: EMAIL is empty"], is_valid=False)
    done = UserImportJobFactory(
        account=customer,
        status="done",
        total_rows=3,
        valid_rows=2,
        processed_rows=3,
        created_count=2,
        skipped_count=1,
    )
    failed = UserImportJobFactory(
        account=customer, status="failed", total_rows=3, valid_rows=3, processed_rows=1, created_count=1
    )
    import_job = "accounts:user_import_job"

    # The wizard stands at Connect (a gateway is configured too: the wizard then edits it).
    gateway_services.gateway_setup_step_submit(
        actor=account_admin, account=customer, step="customer", values=CUSTOMER
    )
    gateway_services.gateway_setup_step_submit(
        actor=account_admin,
        account=customer,
        step="gateway",
        values=GATEWAY | {"internal_dns_server": "10.0.0.53"},
    )
    gateway_services.gateway_setup_step_submit(
        actor=account_admin, account=customer, step="pbx", values=pbx_values(6000), pbx_password="cloudlink"
    )
    gateway = GatewayFactory(
        account=customer,
        network="static",
        ip_address="192.168.10.20",
        subnet_mask="255.255.255.0",
        default_gateway="192.168.10.1",
        dns_servers=["8.8.8.8"],
        internal_dns_server="10.0.0.53",
    )
    PbxFactory(gateway=gateway)
    failed_check = ConnectJobFactory(
        gateway=gateway, status="failed", step="session", target="127.0.0.1:6000", error="Refused."
    )
    connected = ConnectJobFactory(gateway=gateway, status="connected", step="done", target="127.0.0.1:6000")

    IntegrationFactory(account=customer, type="micc", enabled=True)
    IntegrationFactory(account=customer, type="unify-phone", config={"mode": "new", "tenant_name": "Globex"})
    ChatOverlayFactory(account=customer, target_queue="ACD 4711")
    app = ApplicationFactory(owner=partner, name="Wallboard")
    ApplicationDeploymentFactory(
        application=ApplicationFactory(owner=partner, approved=True), account=customer
    )
    operator = UserFactory(account=partner, role=User.Role.PARTNER_ADMIN, is_staff=True)
    csv = "extension,first_name,last_name,email\n1001,Alice,Andersson,alice@globex.example\n1002,,,bob\n"

    return {
        "import upload": (account_admin, reverse("accounts:user_import", args=[number])),
        "import preview": (account_admin, reverse(import_job, args=[number, preview.job_id])),
        "import problems": (
            account_admin,
            reverse(import_job, args=[number, preview.job_id]) + "?show=problems",
        ),
        "import done": (account_admin, reverse(import_job, args=[number, done.job_id])),
        "import failed": (account_admin, reverse(import_job, args=[number, failed.job_id])),
        "pbx sync": (account_admin, reverse("pbx_users:pbx_sync", args=[number])),
        "pbx sync preview": (account_admin, reverse("pbx_users:pbx_sync", args=[number]), {"text": csv}),
        **{
            f"wizard {step}": (account_admin, reverse("gateways:gateway_setup_step", args=[number, step]))
            for step in ("customer", "gateway", "pbx", "connect")
        },
        "gateway": (account_admin, reverse("gateways:gateway_detail", args=[number])),
        "connect failed": (
            account_admin,
            reverse("gateways:gateway_job", args=[number, failed_check.job_id]),
        ),
        "connected": (account_admin, reverse("gateways:gateway_job", args=[number, connected.job_id])),
        "integrations": (account_admin, reverse("integrations:integration_list", args=[number])),
        "catalogue": (account_admin, reverse("integrations:integration_catalogue", args=[number])),
        "third party": (
            account_admin,
            reverse("integrations:integration_catalogue", args=[number]) + "?tab=third_party",
        ),
        "setup": (account_admin, reverse("integrations:integration_setup", args=[number, "unify-phone"])),
        "remove": (account_admin, reverse("integrations:integration_remove", args=[number, "micc"])),
        "chat overlays": (account_admin, reverse("integrations:chat_overlay_list", args=[number])),
        "customer care": (account_admin, reverse("integrations:customer_care", args=[number])),
        "developer": (partner_admin, reverse("developer:home")),
        "developer application": (partner_admin, reverse("developer:application_detail", args=[app.pk])),
        "operator": (operator, reverse("operator:application_list")),
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_import_sync_gateway_and_integrations_pages_have_no_english_left(client, more_pages, language):
    assert pages_with_english_left(client, more_pages, language) == {}


def test_the_fragment_scan_finds_english_around_variables(client, more_pages):
    """Rendered in English, the import preview shows texts around its counts that the scan knows."""
    patterns = english_patterns("fr")
    user, url = more_pages["import preview"]

    found = english_fragments_left(render(client, user, url, "en"), patterns)

    assert {"Import %(count)s users", "Import users · %(name)s"} <= set(found)
