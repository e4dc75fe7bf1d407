"""Account Information: viewing and editing the customer information, support contacts, and the
partner-only lifecycle (deactivate, activate, delete) — without JavaScript and with htmx."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import Account, AuditEvent, SupportContact
from tests.accounts.factories import SupportContactFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, account: Account, *args) -> str:
    return reverse(f"accounts:{name}", args=[account.account_number, *args])


def info(**overrides) -> dict:
    return {
        "name": "Globex Corporation",
        "country": "SE",
        "province_state": "Stockholms län",
        "address": "Drottninggatan 1",
        "city": "Stockholm",
        "postal_code": "111 51",
        "default_language": "sv-SE",
        "business_type": "technology",
    } | overrides


# --- The page ------------------------------------------------------------------------------


def test_partner_sees_every_field_the_read_only_ids_with_copy_buttons_and_the_lifecycle(
    client_for, partner_admin, customer
):
    response = client_for(partner_admin).get(url("account_detail", customer))

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    for field in ["name", "country", "province_state", "address", "city", "postal_code", "default_language"]:
        assert f'name="{field}"' in html
    assert str(customer.account_id) in html and customer.account_number in html
    assert 'aria-label="Copy Account ID"' in html and 'aria-label="Copy account number"' in html
    assert "Deactivate this account" in html and "Delete this account" in html
    assert 'aria-current="page">Account Information' in html


def test_pbx_type_is_shown_read_only_once_set(client_for, partner_admin, customer):
    client = client_for(partner_admin)
    assert "PBX Type" not in client.get(url("account_detail", customer)).content.decode()

    Account.objects.filter(pk=customer.pk).update(pbx_type="MiVoice Business")
    html = client.get(url("account_detail", customer)).content.decode()

    assert "<dt>PBX Type</dt><dd>MiVoice Business</dd>" in html and 'name="pbx_type"' not in html


def test_account_admin_sees_and_edits_their_own_account_but_no_lifecycle(client_for, account_admin, customer):
    client = client_for(account_admin)

    html = client.get(url("account_detail", customer)).content.decode()
    response = client.post(url("account_update", customer), info(name="Globex by Ada"))

    assert "Save changes" in html and "Deactivate" not in html and "Delete this account" not in html
    assert response.status_code == HTTPStatus.FOUND
    customer.refresh_from_db()
    assert customer.name == "Globex by Ada"


def test_partner_account_page_offers_no_deactivate_or_delete(client_for, partner_admin, partner):
    html = client_for(partner_admin).get(url("account_detail", partner)).content.decode()

    assert "Partner account" in html and "Delete this account" not in html and "Deactivate" not in html


def test_plain_user_gets_403(client_for, member, customer):
    client = client_for(member)

    assert client.get(url("account_detail", customer)).status_code == HTTPStatus.FORBIDDEN
    assert client.post(url("account_update", customer), info()).status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("persona", ["outsider", "other_partner_admin"])
def test_outsiders_get_404(client_for, customer, persona, request):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(url("account_detail", customer)).status_code == HTTPStatus.NOT_FOUND
    assert client.post(url("account_update", customer), info()).status_code == HTTPStatus.NOT_FOUND


def test_an_unknown_account_number_is_404(client_for, partner_admin):
    assert client_for(partner_admin).get("/accounts/999999999/").status_code == HTTPStatus.NOT_FOUND


def test_anonymous_is_sent_to_sign_in(customer):
    response = Client().post(url("account_update", customer), info())

    assert response.status_code == HTTPStatus.FOUND and response.url.startswith("/auth/login/")


# --- Editing the customer information ---------------------------------------------------------------


def test_partner_edits_every_field_and_the_change_is_audited(client_for, partner_admin, customer):
    client = client_for(partner_admin)

    response = client.post(url("account_update", customer), info())

    assert response.status_code == HTTPStatus.FOUND and response.url == url("account_detail", customer)
    customer.refresh_from_db()
    assert (customer.name, customer.default_language, customer.business_type) == (
        "Globex Corporation",
        "sv-SE",
        "technology",
    )
    event = AuditEvent.objects.get(account=customer, action="account.updated")
    assert event.before["name"] == "Globex Corp" and event.after["name"] == "Globex Corporation"
    assert "Account information saved." in client.get(response.url).content.decode()


def test_invalid_edit_shows_field_errors_and_changes_nothing(client_for, partner_admin, customer):
    response = client_for(partner_admin).post(url("account_update", customer), info(name="", country="ZZ"))

    assert response.status_code == HTTPStatus.OK
    form = response.context["info_form"]
    assert form.errors["name"] and form.errors["country"]
    customer.refresh_from_db()
    assert customer.name == "Globex Corp"
    assert "<h1>Globex Corp" in response.content.decode(), "the heading keeps the saved name"


def test_htmx_rename_shows_the_whole_page_again(client_for, partner_admin, customer):
    """The name is in the breadcrumb and the side navigation too (issue 14): the page, not a fragment."""
    response = client_for(partner_admin).post(url("account_update", customer), info(), **HX)

    assert response.status_code == HTTPStatus.OK
    assert response["HX-Redirect"] == f"/accounts/{customer.account_number}/"


def test_htmx_edit_returns_the_fragment_with_the_heading_and_flash_out_of_band(
    client_for, partner_admin, customer
):
    response = client_for(partner_admin).post(url("account_update", customer), info(name=customer.name), **HX)

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK and "<html" not in html
    assert html.lstrip().startswith('<section id="account-info"')
    assert 'id="account-heading" class="page-header" hx-swap-oob="true"' in html
    assert (
        'id="messages" class="messages" hx-swap-oob="true"' in html and "Account information saved." in html
    )
    assert 'id="current-account" class="topbar-account" hx-swap-oob="true"' in html
    assert html.count(customer.name) >= 3


def test_htmx_invalid_edit_returns_the_fragment_with_errors(client_for, partner_admin, customer):
    response = client_for(partner_admin).post(url("account_update", customer), info(name=""), **HX)

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK and html.lstrip().startswith('<section id="account-info"')
    assert "This field is required." in html


# --- Support contacts -------------------------------------------------------------------------------


def test_add_a_support_contact(client_for, partner_admin, customer):
    response = client_for(partner_admin).post(
        url("support_contact_add", customer), {"email": "Noc@Globex.example"}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert customer.support_contacts.filter(email="noc@globex.example").exists()


def test_adding_a_duplicate_or_invalid_contact_shows_the_error(client_for, partner_admin, customer):
    client = client_for(partner_admin)
    existing = customer.support_contacts.get().email

    duplicate = client.post(url("support_contact_add", customer), {"email": existing.upper()})
    invalid = client.post(url("support_contact_add", customer), {"email": "not-an-email"})

    assert f"{existing} is already a support contact." in duplicate.context["contact_form"].errors["email"]
    assert invalid.context["contact_form"].errors["email"]
    assert customer.support_contacts.count() == 1


def test_remove_a_support_contact_with_htmx(client_for, partner_admin, customer):
    extra = SupportContactFactory(account=customer, email="extra@globex.example")

    response = client_for(partner_admin).post(url("support_contact_remove", customer, extra.pk), **HX)

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="support-contacts"') and "Support contact removed." in html
    assert "extra@globex.example" not in html
    assert not SupportContact.objects.filter(pk=extra.pk).exists()


def test_the_last_support_contact_cannot_be_removed(client_for, partner_admin, customer):
    last = customer.support_contacts.get()

    response = client_for(partner_admin).post(url("support_contact_remove", customer, last.pk), **HX)

    assert "An account needs at least one support contact." in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert SupportContact.objects.filter(pk=last.pk).exists()


def test_a_contact_of_another_account_cannot_be_removed_through_this_one(
    client_for, partner_admin, customer, partner
):
    from tests.accounts.factories import CustomerAccountFactory

    other = CustomerAccountFactory(parent=partner)
    SupportContactFactory(account=other, email="second@other.example")
    victim = other.support_contacts.first()
    SupportContactFactory(account=customer, email="second@globex.example")

    response = client_for(partner_admin).post(url("support_contact_remove", customer, victim.pk))

    assert response.status_code == HTTPStatus.OK and "no longer exists" in response.content.decode()
    assert SupportContact.objects.filter(pk=victim.pk).exists()


def test_plain_user_cannot_touch_contacts(client_for, member, customer):
    contact = customer.support_contacts.get()
    client = client_for(member)

    assert client.post(url("support_contact_add", customer), {"email": "x@y.example"}).status_code == 403
    assert client.post(url("support_contact_remove", customer, contact.pk)).status_code == 403


# --- Lifecycle: deactivate, activate, delete ------------------------------------------------------------


def test_deactivate_needs_the_typed_word(client_for, partner_admin, customer):
    response = client_for(partner_admin).post(
        url("account_deactivate", customer), {"deactivate-confirmation": "yes"}
    )

    assert response.status_code == HTTPStatus.OK
    assert "Type deactivate to confirm." in response.content.decode()
    assert '<details class="danger-row" open>' in response.content.decode()
    customer.refresh_from_db()
    assert customer.is_active


def test_deactivate_then_activate(client_for, partner_admin, customer):
    client = client_for(partner_admin)

    deactivated = client.post(url("account_deactivate", customer), {"deactivate-confirmation": "deactivate"})
    customer.refresh_from_db()
    assert deactivated.status_code == HTTPStatus.FOUND and not customer.is_active
    page = client.get(deactivated.url).content.decode()
    assert "Globex Corp is deactivated" in page and "Activate account" in page

    activated = client.post(url("account_activate", customer))
    customer.refresh_from_db()
    assert activated.status_code == HTTPStatus.FOUND and customer.is_active


def test_htmx_deactivate_returns_the_lifecycle_fragment_and_the_new_status(
    client_for, partner_admin, customer
):
    response = client_for(partner_admin).post(
        url("account_deactivate", customer), {"deactivate-confirmation": "Deactivate"}, **HX
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="account-lifecycle"')
    assert "Activate account" in html and 'hx-swap-oob="true"' in html and "Deactivated" in html


def test_delete_needs_the_typed_word(client_for, partner_admin, customer):
    response = client_for(partner_admin).post(
        url("account_delete", customer), {"delete-confirmation": "deactivate"}, **HX
    )

    assert "Type delete to confirm." in response.content.decode()
    assert Account.objects.filter(pk=customer.pk).exists()


def test_delete_goes_back_to_the_accounts_list_with_a_flash(client_for, partner_admin, customer):
    client = client_for(partner_admin)

    response = client.post(url("account_delete", customer), {"delete-confirmation": "delete"})

    assert response.status_code == HTTPStatus.FOUND and response.url == reverse("accounts:account_list")
    assert not Account.objects.filter(pk=customer.pk).exists()
    assert "Account Globex Corp was deleted." in client.get(response.url).content.decode()


def test_htmx_delete_redirects_the_browser(client_for, partner_admin, customer):
    response = client_for(partner_admin).post(
        url("account_delete", customer), {"delete-confirmation": "delete"}, **HX
    )

    assert response["HX-Redirect"] == reverse("accounts:account_list")


def test_the_partner_account_itself_cannot_be_deleted_or_deactivated(client_for, partner_admin, partner):
    client = client_for(partner_admin)

    assert client.post(url("account_delete", partner), {"delete-confirmation": "delete"}).status_code == 403
    assert (
        client.post(url("account_deactivate", partner), {"deactivate-confirmation": "deactivate"}).status_code
        == 403
    )
    assert Account.objects.get(pk=partner.pk).is_active


def test_account_admin_cannot_deactivate_activate_or_delete(client_for, account_admin, customer):
    client = client_for(account_admin)

    assert (
        client.post(
            url("account_deactivate", customer), {"deactivate-confirmation": "deactivate"}
        ).status_code
        == 403
    )
    assert client.post(url("account_activate", customer)).status_code == 403
    assert client.post(url("account_delete", customer), {"delete-confirmation": "delete"}).status_code == 403
    assert Account.objects.get(pk=customer.pk).is_active


@pytest.mark.parametrize("action", ["account_deactivate", "account_activate", "account_delete"])
def test_outsider_gets_404_for_lifecycle_actions(client_for, outsider, customer, action):
    assert client_for(outsider).post(url(action, customer), {}).status_code == HTTPStatus.NOT_FOUND


def test_lifecycle_actions_refuse_get(client_for, partner_admin, customer):
    assert client_for(partner_admin).get(url("account_delete", customer)).status_code == 405


def test_activate_of_a_deactivated_account_with_htmx(client_for, partner_admin, customer):
    services.account_deactivate(actor=partner_admin, account=customer, confirmation="deactivate")

    response = client_for(partner_admin).post(url("account_activate", customer), **HX)

    assert "Deactivate this account" in response.content.decode()
    customer.refresh_from_db()
    assert customer.is_active
