"""Who reads the Outbox: it holds welcome and password-reset links, so an email is readable only by
platform operators (every email) and by the admins of its recipient — those who manage that user:
in their scope, with a role not above their own, never a platform operator. Nobody else, signed
in or not, in development too (PORTAL_SHOW_OUTBOX only decides whether admins get the page)."""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import User
from core.models import OutboxMessage
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

UNKNOWN_ADDRESS = "nobody@nowhere.example"


@pytest.fixture(autouse=True)
def _outbox_backend(settings):
    """Emails go through the real queue and task into the portal's outbox (pytest-django sets locmem)."""
    settings.EMAIL_BACKEND = "core.mail.OutboxBackend"
    settings.PORTAL_SHOW_OUTBOX = True


@pytest.fixture
def operator(partner):
    """A platform operator who happens to live in the partner's account, as a plain user."""
    return UserFactory(account=partner, email="op@acme.example", is_staff=True)


@pytest.fixture
def partner_account_admin(partner):
    """An ACCOUNT_ADMIN inside the partner account: below the partner admin."""
    return UserFactory(account=partner, role=User.Role.ACCOUNT_ADMIN, email="pam@acme.example")


@pytest.fixture
def mail(
    django_capture_on_commit_callbacks,
    partner,
    partner_admin,
    partner_account_admin,
    customer,
    account_admin,
    member,
    outsider,
    operator,
):
    """One email of each kind to people all over the platform; returns {address: message}."""
    with django_capture_on_commit_callbacks(execute=True):
        services.user_create(actor=account_admin, account=customer, email="nia@globex.example")
        services.user_create(actor=partner_admin, account=partner, email="paul@acme.example")
        services.user_create(actor=outsider, account=outsider.account, email="ivan@initech.example")
        services.user_password_reset_send(actor=account_admin, user=member)
    for address in (partner_admin.email, operator.email, UNKNOWN_ADDRESS):
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(reverse("account_reset_password"), {"email": address})
            assert response.status_code == HTTPStatus.FOUND
    messages = {message.to[0]: message for message in OutboxMessage.objects.all()}
    # A reset asked for an address no user has sends nothing (issue 9: no existence oracle).
    assert set(messages) == {
        "nia@globex.example",
        "paul@acme.example",
        "ivan@initech.example",
        member.email,
        partner_admin.email,
        operator.email,
    }
    return messages


def addresses_on(html: str) -> set[str]:
    return set(re.findall(r'class="outbox-meta">To ([^<\s]+) ', html))


EVERYONE = {
    "nia@globex.example",
    "paul@acme.example",
    "ivan@initech.example",
    "uma@globex.example",
    "pat@acme.example",
    "op@acme.example",
}
# Who reads which emails: recipients by the reader's persona.
READS = {
    "operator": EVERYONE,
    # The partner's own account and its customers; not the operator (who lives in the partner's
    # account), not the other partner's customer.
    "partner_admin": {"nia@globex.example", "paul@acme.example", "uma@globex.example", "pat@acme.example"},
    # Their own account, and never a role above their own (the partner admin's reset link).
    "partner_account_admin": {"paul@acme.example"},
    "account_admin": {"nia@globex.example", "uma@globex.example"},
    "outsider": {"ivan@initech.example"},
}


@pytest.mark.parametrize("persona", sorted(READS))
def test_each_reader_sees_exactly_the_emails_of_the_people_they_manage(client_for, mail, persona, request):
    client = client_for(request.getfixturevalue(persona))

    response = client.get(reverse("outbox"))

    assert response.status_code == HTTPStatus.OK
    assert addresses_on(response.content.decode()) == READS[persona]
    for address, message in mail.items():
        expected = HTTPStatus.OK if address in READS[persona] else HTTPStatus.NOT_FOUND
        assert client.get(reverse("outbox_message_html", args=[message.pk])).status_code == expected, address


def test_a_user_who_is_not_an_admin_reads_nothing(client_for, mail, member):
    client = client_for(member)

    assert client.get(reverse("outbox")).status_code == HTTPStatus.FORBIDDEN
    for message in mail.values():
        assert (
            client.get(reverse("outbox_message_html", args=[message.pk])).status_code == HTTPStatus.NOT_FOUND
        )


def test_signed_out_nobody_reads_the_outbox_even_in_development(mail, settings):
    settings.DEBUG = True
    client = Client()

    assert client.get(reverse("outbox")).url.startswith("/auth/login/")
    html_url = reverse("outbox_message_html", args=[mail["uma@globex.example"].pk])
    assert client.get(html_url).url.startswith("/auth/login/")


def test_without_portal_show_outbox_only_operators_read_it(
    client_for, mail, settings, account_admin, operator
):
    settings.PORTAL_SHOW_OUTBOX = False
    admin = client_for(account_admin)
    message = mail["nia@globex.example"]

    assert admin.get(reverse("outbox")).status_code == HTTPStatus.FORBIDDEN
    assert admin.get(reverse("outbox_message_html", args=[message.pk])).status_code == HTTPStatus.NOT_FOUND
    assert addresses_on(client_for(operator).get(reverse("outbox")).content.decode()) == EVERYONE


def test_the_outbox_link_is_offered_only_to_its_readers(
    client_for, partner_admin, member, operator, settings
):
    for user, offered in ((partner_admin, True), (member, False), (operator, True)):
        html = client_for(user).get("/auth/password/change/").content.decode()
        assert ('href="/outbox/"' in html) is offered, user.email
    settings.PORTAL_SHOW_OUTBOX = False
    assert 'href="/outbox/"' not in client_for(partner_admin).get("/auth/password/change/").content.decode()
    assert 'href="/outbox/"' not in Client().get("/auth/login/").content.decode()


def test_a_deleted_recipients_emails_stay_for_operators_only(client_for, mail, account_admin, operator):
    User.objects.get(email="nia@globex.example").delete()

    assert "nia@globex.example" not in addresses_on(
        client_for(account_admin).get(reverse("outbox")).content.decode()
    )
    assert "nia@globex.example" in addresses_on(client_for(operator).get(reverse("outbox")).content.decode())


def test_the_html_body_opens_in_a_sandbox_of_its_own(client_for, mail, account_admin):
    message = mail["nia@globex.example"]

    response = client_for(account_admin).get(reverse("outbox_message_html", args=[message.pk]))

    assert response.content.decode() == message.body_html
    csp = response.headers["Content-Security-Policy"]
    assert "sandbox" in csp.split("; ") and "default-src 'none'" in csp and "script-src" not in csp
    assert "frame-ancestors 'self'" in csp and response.headers["X-Frame-Options"] == "SAMEORIGIN"
    page = client_for(account_admin).get(reverse("outbox")).content.decode()
    assert (
        f'<iframe class="outbox-html" title="HTML body of {message.subject}" sandbox src="/outbox/{message.pk}/html/"'
        in page
    )
