"""Preferences: each user chooses their console language (blank: the account's default); the
footer's picker keeps a signed-in user's choice too."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts import services
from tests.accounts.factories import UserFactory


def test_a_plain_user_chooses_their_language_on_the_preferences_page(client_for, member):
    client = client_for(member)

    response = client.post(reverse("preferences"), {"language": "de"}, follow=True)

    member.refresh_from_db()
    assert member.language == "de"
    html = response.content.decode()
    assert "Ihre Einstellungen wurden gespeichert." in html
    assert "<h1>Einstellungen</h1>" in html


def test_blank_goes_back_to_the_accounts_default_language(client_for, customer):
    customer.default_language = "fr-CA"
    customer.save(update_fields=["default_language"])
    person = UserFactory(account=customer, language="es")

    response = client_for(person).post(reverse("preferences"), {"language": ""}, follow=True)

    person.refresh_from_db()
    assert person.language == ""
    assert "Vos préférences ont été enregistrées." in response.content.decode()


def test_the_preferences_page_names_the_accounts_default(client_for, member):
    html = client_for(member).get(reverse("preferences")).content.decode()

    assert '<option value="" selected>Account default (English)</option>' in html


def test_an_unknown_language_is_refused(client_for, member):
    response = client_for(member).post(reverse("preferences"), {"language": "ja"})

    member.refresh_from_db()
    assert response.status_code == 200
    assert member.language == ""
    assert "field--invalid" in response.content.decode()


def test_the_footer_picker_keeps_a_signed_in_users_choice(client_for, member):
    client = client_for(member)

    response = client.post(reverse("language_set"), {"language": "fr", "next": reverse("preferences")})

    member.refresh_from_db()
    assert member.language == "fr"
    assert response.url == reverse("preferences")
    assert "<h1>Préférences</h1>" in client.get(reverse("preferences")).content.decode()


def test_the_footer_picker_signed_out_sets_only_the_cookie(client, db):
    response = client.post(reverse("language_set"), {"language": "de", "next": reverse("account_login")})

    assert response.cookies["django_language"].value == "de"
    assert "<h1>Anmelden</h1>" in client.get(reverse("account_login")).content.decode()


def test_every_console_page_has_the_footer_picker(client_for, account_admin, customer):
    html = (
        client_for(account_admin)
        .get(reverse("accounts:user_list", args=[customer.account_number]))
        .content.decode()
    )

    assert f'action="{reverse("language_set")}"' in html
    assert '<option value="es" lang="es">Español</option>' in html


def test_a_user_sets_their_own_language_and_an_admin_theirs(account_admin, member):
    services.user_language_set(actor=member, user=member, language="es")
    services.user_language_set(actor=account_admin, user=member, language="de")

    member.refresh_from_db()
    assert member.language == "de"


def test_a_plain_user_cannot_set_another_users_language(member, customer):
    colleague = UserFactory(account=customer)

    with pytest.raises(PermissionDenied):
        services.user_language_set(actor=member, user=colleague, language="fr")


def test_nobody_outside_the_account_sets_a_users_language(outsider, member):
    from django.http import Http404

    with pytest.raises(Http404):
        services.user_language_set(actor=outsider, user=member, language="fr")
