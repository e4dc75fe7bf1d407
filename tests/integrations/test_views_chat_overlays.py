"""Chat Overlays (Contact Center Admin, MiCC): list, create, delete."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from integrations import services
from integrations.models import ChatOverlay

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
OVERLAY = {
    "name": "Website",
    "greeting": "Hi! How can we help?",
    "background_colour": "#123456",
    "text_colour": "#ffffff",
    "target_queue": "P1000",
}


def url(account, *args) -> str:
    name = "chat_overlay_delete" if args else "chat_overlay_list"
    return reverse(f"integrations:{name}", args=[account.account_number, *args])


@pytest.fixture
def micc(account_admin, customer):
    return services.integration_add(actor=account_admin, account=customer, type="micc")


def test_without_micc_the_page_explains_and_offers_no_form(client_for, account_admin, customer):
    html = client_for(account_admin).get(url(customer)).content.decode()

    assert "Chat overlays need the MiCC integration." in html and "Create overlay" not in html


def test_create_then_list_and_delete_without_javascript(client_for, account_admin, customer, micc):
    client = client_for(account_admin)

    created = client.post(url(customer), OVERLAY)
    assert created.status_code == HTTPStatus.FOUND and created.url == url(customer)
    html = client.get(created.url).content.decode()
    assert "Chat overlay Website created." in html and "Hi! How can we help?" in html and "P1000" in html
    assert 'type="color"' in html

    overlay = ChatOverlay.objects.get(account=customer)
    deleted = client.post(url(customer, overlay.pk))
    assert deleted.status_code == HTTPStatus.FOUND and not ChatOverlay.objects.exists()


def test_invalid_overlay_shows_field_errors(client_for, account_admin, customer, micc):
    response = client_for(account_admin).post(
        url(customer), OVERLAY | {"text_colour": "white", "target_queue": ""}
    )

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors.keys() == {"text_colour", "target_queue"}
    assert not ChatOverlay.objects.exists()


def test_duplicate_name_is_reported_on_the_name_field(client_for, account_admin, customer, micc):
    client = client_for(account_admin)
    client.post(url(customer), OVERLAY)

    response = client.post(url(customer), OVERLAY | {"name": "website"}, **HX)

    assert "A chat overlay called “website” already exists." in response.content.decode()
    assert ChatOverlay.objects.count() == 1


def test_htmx_create_and_delete_return_the_fragment(client_for, account_admin, customer, micc):
    client = client_for(account_admin)

    created = client.post(url(customer), OVERLAY, **HX).content.decode()
    assert created.lstrip().startswith('<div id="chat-overlays"') and "Website" in created
    assert 'hx-swap-oob="true"' in created and "Chat overlay Website created." in created

    overlay = ChatOverlay.objects.get()
    deleted = client.post(url(customer, overlay.pk), **HX).content.decode()
    assert deleted.lstrip().startswith('<div id="chat-overlays"') and "No chat overlays yet." in deleted


def test_plain_user_403_outsider_404_anonymous_sign_in(client_for, member, outsider, customer, micc):
    assert client_for(member).get(url(customer)).status_code == HTTPStatus.FORBIDDEN
    assert client_for(outsider).post(url(customer), OVERLAY).status_code == HTTPStatus.NOT_FOUND
    assert Client().get(url(customer)).url.startswith("/auth/login/")
    assert not ChatOverlay.objects.exists()
