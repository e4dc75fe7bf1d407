"""The console shell: header, navigation by role, the partner's account switcher, home redirect,
the outbox page and the placeholder Integrations / Gateway pages."""

import re
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.factories import CustomerAccountFactory, UserFactory
from tests.core.factories import OutboxMessageFactory

pytestmark = pytest.mark.django_db


def _sidenav(html: str) -> str:
    return html.split('<nav class="sidenav"', 1)[1].split("</nav>", 1)[0]


def nav(html: str) -> list[str]:
    """The navigation's link labels, in order."""
    return re.findall(r"<a [^>]*>([^<]+)</a>", _sidenav(html))


def current(html: str) -> list[str]:
    """The navigation items marked as the current page."""
    return re.findall(r'aria-current="page">([^<]+)<', _sidenav(html))


# --- Header and navigation --------------------------------------------------------------------------


def test_shell_loads_htmx_from_static_with_csrf_once_on_body(client_for, partner_admin):
    html = client_for(partner_admin).get(reverse("accounts:account_list")).content.decode()

    assert '<script src="/static/django_htmx/htmx-2.min.js" defer></script>' in html
    assert re.search(r"<body [^>]*hx-headers='\{\"X-CSRFToken\": \"\w+\"\}'", html)
    # Scripts and stylesheets come from our static files, none from a CDN (a bare "cdn" test would
    # also match a random CSRF token now and then).
    loaded = re.findall(r'<script[^>]*\ssrc="([^"]*)"', html) + re.findall(
        r'<link[^>]*\shref="([^"]*)"', html
    )
    assert loaded and all(url.startswith(("/static/", "data:")) for url in loaded), loaded
    assert '<a class="skip-link" href="#main">' in html and '<main id="main"' in html


def test_partner_on_the_accounts_list_sees_accounts_in_the_navigation(client_for, partner_admin):
    html = client_for(partner_admin).get(reverse("accounts:account_list")).content.decode()

    assert nav(html) == [
        "Accounts",
        "Developer",
        "Change password",
        "Two-factor authentication",
        "Preferences",
    ]
    assert current(html) == ["Accounts"]
    assert 'data-testid="current-account-name">Acme Partner<' in html


def test_partner_inside_a_customer_account_sees_its_pages(client_for, partner_admin, customer):
    html = (
        client_for(partner_admin)
        .get(reverse("accounts:user_list", args=[customer.account_number]))
        .content.decode()
    )

    assert nav(html) == [
        "Accounts",
        "Developer",
        "Account Information",
        "Users",
        "Integrations",
        "Gateway",
        "Notifications",
        "Conversations",
        "Single sign-on",
        "Activity",
        "Change password",
        "Two-factor authentication",
        "Preferences",
    ]
    assert current(html) == ["Users"]
    assert 'data-testid="current-account-name">Globex Corp<' in html
    assert '<h2 class="sidenav-heading">Globex Corp</h2>' in html


def test_account_admin_always_sees_their_own_accounts_pages(client_for, account_admin):
    html = client_for(account_admin).get("/auth/password/change/").content.decode()

    assert nav(html) == [
        "Account Information",
        "Users",
        "Integrations",
        "Gateway",
        "Notifications",
        "Conversations",
        "Single sign-on",
        "Activity",
        "Change password",
        "Two-factor authentication",
        "Preferences",
    ]
    assert current(html) == ["Change password"]
    assert 'id="account-switcher-input"' not in html


def test_plain_user_sees_only_change_password(client_for, member):
    client = client_for(member)

    home = client.get(reverse("home"))
    html = client.get(home.url).content.decode()

    assert home.url == reverse("account_change_password")
    assert nav(html) == ["Change password", "Two-factor authentication", "Preferences"]


def test_user_menu_has_name_change_password_outbox_and_a_sign_out_form(client_for, partner_admin, settings):
    settings.PORTAL_SHOW_OUTBOX = True
    html = client_for(partner_admin).get(reverse("accounts:account_list")).content.decode()

    menu = html.split('<details class="menu user-menu">', 1)[1].split("</details>", 1)[0]
    assert "Pat Partner" in menu and "pat@acme.example" in menu
    assert 'href="/auth/password/change/"' in menu and 'href="/outbox/"' in menu
    assert '<form method="post" action="/auth/logout/">' in menu and "Sign out</button>" in menu


def test_outbox_link_is_only_for_admins_when_offered_or_operators(client_for, partner_admin, settings):
    settings.PORTAL_SHOW_OUTBOX = False

    assert (
        'href="/outbox/"'
        not in client_for(partner_admin).get(reverse("accounts:account_list")).content.decode()
    )
    partner_admin.is_staff = True
    partner_admin.save()
    assert (
        'href="/outbox/"' in client_for(partner_admin).get(reverse("accounts:account_list")).content.decode()
    )


@pytest.mark.parametrize(
    ("persona", "target"),
    [
        ("partner_admin", "/accounts/"),
        ("account_admin", "/accounts/{customer}/"),
        ("member", "/auth/password/change/"),
    ],
)
def test_home_redirects_by_role(client_for, customer, persona, target, request):
    response = client_for(request.getfixturevalue(persona)).get(reverse("home"))

    assert response.url == target.format(customer=customer.account_number)


# --- Account switcher -------------------------------------------------------------------------------


def test_partner_header_has_an_account_switcher_that_works_without_javascript(client_for, partner_admin):
    html = client_for(partner_admin).get(reverse("accounts:account_list")).content.decode()

    assert '<form class="switcher" method="get" action="/accounts/switch/"' in html
    assert '<label class="visually-hidden" for="account-switcher-input">' in html


@pytest.mark.parametrize("entry", ["{number}", "{guid}", "globex corp", "glob"])
def test_switcher_goes_to_the_one_account_the_entry_names(client_for, partner_admin, customer, entry):
    entry = entry.format(number=customer.account_number, guid=customer.account_id)

    response = client_for(partner_admin).get(reverse("accounts:account_switch"), {"account": entry})

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("accounts:account_detail", args=[customer.account_number])


def test_switcher_falls_back_to_the_search_when_several_or_none_match(
    client_for, partner_admin, customer, partner
):
    CustomerAccountFactory(parent=partner, name="Globex Labs")
    client = client_for(partner_admin)

    response = client.get(reverse("accounts:account_switch"), {"account": "globex"})

    assert response.url == "/accounts/?q=globex"
    assert "pick one from the list" in client.get(response.url).content.decode()


def test_switcher_never_reaches_an_account_outside_the_partners_scope(
    client_for, partner_admin, outsider_customer
):
    response = client_for(partner_admin).get(
        reverse("accounts:account_switch"), {"account": outsider_customer.account_number}
    )

    assert response.url.startswith("/accounts/?q=")


def test_switcher_suggestions_fragment_lists_matching_accounts_in_scope(
    client_for, partner_admin, customer, outsider_customer
):
    response = client_for(partner_admin).get(
        reverse("accounts:account_switch_options_hx"), {"account": "in"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<datalist id="account-switcher-options">')
    assert "Initech" not in html  # the outsider's account matches "in" but is out of scope
    everything = client_for(partner_admin).get(reverse("accounts:account_switch_options_hx")).content.decode()
    assert f'<option value="{customer.account_number}">Globex Corp</option>' in everything


@pytest.mark.parametrize("name", ["accounts:account_switch", "accounts:account_switch_options_hx"])
def test_switcher_is_for_partners_only(client_for, account_admin, name):
    assert client_for(account_admin).get(reverse(name), {"account": "x"}).status_code == HTTPStatus.FORBIDDEN


def test_switcher_needs_sign_in():
    assert Client().get(reverse("accounts:account_switch")).url.startswith("/auth/login/")


# --- The account page frame (templates/accounts/_account_page.html) ---------------------------------


def breadcrumb(html: str) -> list[str] | None:
    """The breadcrumb's items (links and the current page), or None when the page shows none."""
    if 'class="breadcrumbs"' not in html:
        return None
    trail = html.split('class="breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    return [label.strip() for label in re.findall(r"<li><(?:a [^>]*|span [^>]*)>([^<]+)<", trail)]


def header(html: str) -> tuple[str, str, str]:
    """The page header's eyebrow, heading and subtitle."""
    block = html.split('<div class="page-header">', 1)[1]
    eyebrow = re.search(r'<p class="eyebrow">([^<]*)</p>', block).group(1)
    heading = re.search(r"<h1>([^<]*)</h1>", block).group(1)
    subtitle = re.search(r'<p class="page-subtitle">([^<]*)</p>', block)
    return eyebrow, heading, subtitle.group(1) if subtitle else ""


@pytest.mark.parametrize(
    ("name", "partner_sees", "admin_sees"),
    [
        ("accounts:account_detail", ["Accounts", "Globex Corp"], None),
        ("accounts:account_activity", ["Accounts", "Globex Corp", "Activity"], None),
        ("accounts:user_list", ["Accounts", "Globex Corp", "Users"], None),
        (
            "accounts:user_import",
            ["Accounts", "Globex Corp", "Users", "Import users"],
            ["Users", "Import users"],
        ),
        (
            "pbx_users:pbx_sync",
            ["Accounts", "Globex Corp", "Users", "Synchronize PBX users"],
            ["Users", "Synchronize PBX users"],
        ),
        ("chat:conversation_list", ["Accounts", "Globex Corp", "Conversations"], None),
    ],
)
def test_the_breadcrumb_shows_the_way_back_when_there_is_one(
    client_for, partner_admin, account_admin, customer, name, partner_sees, admin_sees
):
    """A partner inside a customer account always sees it; anyone else only below another page."""
    path = reverse(name, args=[customer.account_number])

    assert breadcrumb(client_for(partner_admin).get(path).content.decode()) == partner_sees
    assert breadcrumb(client_for(account_admin).get(path).content.decode()) == admin_sees


def test_a_partner_in_its_own_account_sees_no_breadcrumb(client_for, partner_admin, partner):
    html = client_for(partner_admin).get(reverse("accounts:account_activity", args=[partner.account_number]))

    assert breadcrumb(html.content.decode()) is None


def test_every_account_page_has_the_same_header(client_for, account_admin, customer):
    path = reverse("notifications:notification_list", args=[customer.account_number])

    html = client_for(account_admin).get(path).content.decode()

    assert header(html) == (
        "Globex Corp",
        "Notifications",
        "Webhook subscriptions of this account and every delivery attempt.",
    )


# --- Integrations and Gateway placeholders ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("integrations:integration_list", "No integrations are configured for this account."),
        ("gateways:gateway_detail", "No gateway is connected to this account."),
    ],
)
def test_integrations_and_gateway_pages_say_nothing_is_configured_yet(
    client_for, partner_admin, account_admin, member, outsider, customer, name, text
):
    path = reverse(name, args=[customer.account_number])

    for user in (partner_admin, account_admin):
        response = client_for(user).get(path)
        assert response.status_code == HTTPStatus.OK and text in response.content.decode()
    assert client_for(member).get(path).status_code == HTTPStatus.FORBIDDEN
    assert client_for(outsider).get(path).status_code == HTTPStatus.NOT_FOUND


# --- Outbox -----------------------------------------------------------------------------------------


@pytest.fixture
def sent_email(account_admin):
    return OutboxMessageFactory(
        to=["ada@globex.example"],
        recipient_user_id=account_admin.user_id,
        subject="Reset your password",
        from_email="no-reply@example.com",
        body_text="Open https://console.example/auth/password/reset/key/abc-123/ to continue.",
        body_html='<p>Hello <script>alert("x")</script><a href="https://console.example/x">reset</a></p>',
        correlation_id="corr-0001-abcd",
    )


def test_outbox_lists_sent_emails_with_html_in_a_sandboxed_frame(
    client_for, partner_admin, sent_email, settings
):
    settings.PORTAL_SHOW_OUTBOX = True

    html = client_for(partner_admin).get(reverse("outbox")).content.decode()

    assert "Reset your password" in html and "ada@globex.example" in html and "corr-0001-abcd" in html
    assert '<a href="https://console.example/auth/password/reset/key/abc-123/"' in html
    assert re.search(rf'<iframe [^>]*sandbox src="/outbox/{sent_email.pk}/html/"', html)
    assert "<script>" not in html and "&lt;script&gt;" not in html  # the body is only in the frame


def test_outbox_asks_to_sign_in_even_in_development(sent_email, settings):
    settings.PORTAL_SHOW_OUTBOX = True
    settings.DEBUG = True

    response = Client().get(reverse("outbox"))

    assert response.status_code == HTTPStatus.FOUND and response.url.startswith("/auth/login/")


def test_outbox_is_for_operators_only_in_production(client_for, partner_admin, sent_email, settings):
    settings.PORTAL_SHOW_OUTBOX = False
    operator = UserFactory(account=partner_admin.account, is_staff=True, email="op@acme.example")

    assert Client().get(reverse("outbox")).url.startswith("/auth/login/")
    assert client_for(partner_admin).get(reverse("outbox")).status_code == HTTPStatus.FORBIDDEN
    assert client_for(operator).get(reverse("outbox")).status_code == HTTPStatus.OK


# --- Error pages ------------------------------------------------------------------------------------


def test_404_and_403_pages_use_the_shell(client_for, member, customer):
    client = client_for(member)

    missing = client.get("/accounts/999999999/").content.decode()
    forbidden = client.get(
        reverse("accounts:account_detail", args=[customer.account_number])
    ).content.decode()

    assert "Page not found" in missing and 'class="sidenav"' in missing
    assert "You do not have access to this page" in forbidden
