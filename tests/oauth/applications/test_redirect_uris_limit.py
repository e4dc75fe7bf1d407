"""An application has at most ``MAX_REDIRECT_URIS`` (10) redirect URIs of at most 2,000 characters
each: the rule is in the application services, so the Developer page's form and the API refuse the
same lists (issue 9, finding 9)."""

import pytest
from django.core.exceptions import ValidationError

from oauth.applications.services import MAX_REDIRECT_URIS
from oauth.models import Application
from tests.oauth.applications.helpers import register
from tests.oauth.applications.test_views import DEVELOPER, register_form

pytestmark = pytest.mark.django_db


def uris(count: int) -> list[str]:
    return [f"https://planner.example/callback/{n}" for n in range(count)]


def test_registering_11_redirect_uris_is_refused(partner_admin):
    with pytest.raises(ValidationError) as exc:
        register(partner_admin, redirect_uris=uris(11))

    assert exc.value.message_dict == {
        "redirect_uris": ["At most 10 redirect URIs are allowed; 11 were given."]
    }
    assert not Application.objects.exists()


def test_a_redirect_uri_over_2000_characters_is_refused(partner_admin):
    with pytest.raises(ValidationError) as exc:
        register(partner_admin, redirect_uris=["https://planner.example/" + "a" * 2000])

    assert exc.value.message_dict == {"redirect_uris": ["A redirect URI has at most 2000 characters."]}


def test_the_developer_form_refuses_11_lines(client_for, partner_admin):
    response = client_for(partner_admin).post(DEVELOPER, register_form(redirect_uris="\n".join(uris(11))))

    assert response.status_code == 400
    assert response.context["form"].errors["redirect_uris"] == [
        "At most 10 redirect URIs are allowed; 11 were given."
    ]
    assert not Application.objects.exists()


def test_ten_are_fine(partner_admin):
    assert register(partner_admin, redirect_uris=uris(MAX_REDIRECT_URIS)).redirect_uris == uris(10)
