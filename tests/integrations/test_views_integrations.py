"""The Integrations page and the same panel on Account Information: cards, "+ Add new" (a page
without JavaScript, a dialog with htmx), Complete setup, the remove confirmation, the privilege
switches, and the effects on the navigation and header."""

import re
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Account, AuditEvent
from integrations import services
from integrations.models import Integration
from tests.integrations.helpers import DELEGATED, GUEST, added, on

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, account: Account, *args) -> str:
    return reverse(f"integrations:{name}", args=[account.account_number, *args])


def page_url(account: Account) -> str:
    return url("integration_list", account)


def detail_url(account: Account) -> str:
    return reverse("accounts:account_detail", args=[account.account_number])


def add(actor, account, *types):
    for type_ in types:
        services.integration_add(actor=actor, account=account, type=type_)


# --- The page and the panel -------------------------------------------------------------------------


def test_empty_page_offers_add_new_and_both_privilege_switches(client_for, account_admin, customer):
    response = client_for(account_admin).get(page_url(customer))

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "No integrations are configured for this account." in html
    assert "+ Add new" in html and f'href="{url("integration_catalogue", customer)}?next=' in html
    assert 'role="switch" aria-checked="false" aria-label="Delegated Authentication"' in html
    assert 'role="switch" aria-checked="false" aria-label="Allow Guest Access"' in html
    assert "Lets people outside the account join as guests" in html
    assert 'aria-current="page">Integrations' in html


def test_cards_show_what_each_integration_does_its_switch_and_actions(client_for, account_admin, customer):
    add(account_admin, customer, "micc", "unify-phone", "micollab", "cloudlink-gateway")

    html = client_for(account_admin).get(page_url(customer)).content.decode()

    assert 'id="integration-micc"' in html and "Brings: Delegated Authentication, Allow Guest Access" in html
    assert 'aria-checked="true" aria-label="MiCC enabled"' in html
    assert "Setup incomplete" in html and "Complete setup" in html, "Unify Phone needs its setup"
    assert 'aria-label="Unify Phone enabled"' not in html, "no switch before the setup is complete"
    assert (
        "Link an existing Unify Phone tenant" not in html
        and "Existing tenant" in html
        and "New tenant" in html
    )
    assert 'data-testid="micollab-chat-state"><span class="badge badge--muted">Not enabled' in html
    assert f'href="{reverse("gateways:gateway_detail", args=[customer.account_number])}"' in html
    assert 'aria-label="Remove MiCC"' in html
    assert "Needed by MiCC, MiCollab." in html


def test_a_card_warns_when_a_privilege_it_brings_is_off(client_for, account_admin, customer):
    add(account_admin, customer, "micc")
    services.privilege_set(actor=account_admin, account=customer, privilege=GUEST, enabled=False)

    html = client_for(account_admin).get(page_url(customer)).content.decode()

    assert "MiCC may not work correctly:</strong>" in html and "Allow Guest Access is off." in html
    assert "integration-card--warning" in html


def test_account_information_shows_the_same_panel(client_for, partner_admin, customer):
    add(partner_admin, customer, "micollab")

    html = client_for(partner_admin).get(detail_url(customer)).content.decode()

    assert 'id="integrations-panel"' in html and 'id="integration-micollab"' in html
    assert 'aria-checked="true" aria-label="Delegated Authentication"' in html
    assert f'name="next" value="{detail_url(customer)}"' in html, "actions return to Account Information"


def test_htmx_get_returns_the_panel_fragment(client_for, account_admin, customer):
    response = client_for(account_admin).get(page_url(customer), **HX)

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="integrations-panel"') and "<html" not in html


def test_plain_user_gets_403(client_for, member, customer):
    client = client_for(member)

    assert client.get(page_url(customer)).status_code == HTTPStatus.FORBIDDEN
    assert client.post(url("integration_add", customer, "micc")).status_code == HTTPStatus.FORBIDDEN
    assert (
        client.post(url("privilege_toggle", customer, "allow-guest-access"), {"state": "on"}).status_code
        == 403
    )
    assert added(customer) == set() and on(customer) == set()


def test_anonymous_is_sent_to_sign_in(customer):
    for response in (
        Client().get(page_url(customer)),
        Client().post(url("integration_add", customer, "micc")),
    ):
        assert response.status_code == HTTPStatus.FOUND and response.url.startswith("/auth/login/")


# --- + Add new ------------------------------------------------------------------------------------------


def test_catalogue_page_lists_the_mitel_tab_with_privileges_and_added_state(
    client_for, account_admin, customer
):
    add(account_admin, customer, "micollab")

    response = client_for(account_admin).get(url("integration_catalogue", customer))

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK and "<html" in html and "<dialog" not in html
    assert 'aria-current="page">Mitel</a>' in html
    for label in [
        "Mitel One",
        "Mitel One Workgroups",
        "CloudLink Gateway",
        "MiCC",
        "MiTeam Meetings",
        "Unify Phone",
    ]:
        assert f'aria-label="Add {label}"' in html
    assert 'aria-label="Add MiCollab"' not in html and "Added" in html
    assert "Privileges it switches on: Delegated Authentication, Allow Guest Access." in html
    assert "hx-post" not in html, "without the dialog, the forms are plain forms"


def test_third_party_tab_explains_applications_come_from_the_developer_page(
    client_for, account_admin, customer
):
    html = (
        client_for(account_admin)
        .get(url("integration_catalogue", customer), {"tab": "third_party"})
        .content.decode()
    )

    assert 'aria-current="page">Third party</a>' in html and "Developer page" in html
    assert "No third-party applications can be deployed" in html


def test_htmx_catalogue_is_a_dialog(client_for, account_admin, customer):
    response = client_for(account_admin).get(
        url("integration_catalogue", customer), {"next": detail_url(customer)}, **HX
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<dialog id="integrations-dialog"') and "data-modal" in html
    assert 'hx-post="' + url("integration_add", customer, "micc") + '"' in html
    assert f'name="next" value="{detail_url(customer)}"' in html


def test_add_without_javascript_returns_to_the_page_it_came_from_with_a_flash(
    client_for, account_admin, customer
):
    client = client_for(account_admin)

    response = client.post(url("integration_add", customer, "micc"), {"next": detail_url(customer)})

    assert response.status_code == HTTPStatus.FOUND and response.url == detail_url(customer)
    assert added(customer) == {"micc"} and on(customer) == {DELEGATED, GUEST}
    html = client.get(response.url).content.decode()
    assert "MiCC added. Switched on: Delegated Authentication, Allow Guest Access." in html


def test_add_refuses_a_foreign_next_url(client_for, account_admin, customer):
    response = client_for(account_admin).post(
        url("integration_add", customer, "micc"), {"next": "https://evil.example/"}
    )

    assert response.url == page_url(customer)


def test_htmx_add_returns_the_panel_with_flash_nav_and_header_out_of_band(
    client_for, account_admin, customer
):
    response = client_for(account_admin).post(url("integration_add", customer, "micc"), **HX)

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="integrations-panel"')
    assert 'id="integration-micc"' in html and '<div id="integrations-dialog"></div>' in html
    assert 'id="messages" class="messages" hx-swap-oob="true"' in html and "MiCC added." in html
    assert 'class="sidenav" id="sidenav" aria-label="Main" hx-swap-oob="true"' in html
    assert 'id="contact-center-admin" class="contact-center-admin" hx-swap-oob="true"' in html
    assert url("chat_overlay_list", customer) in html


def test_adding_on_a_partner_account_shows_the_clear_message(client_for, partner_admin, partner):
    client = client_for(partner_admin)

    panel = client.get(page_url(partner)).content.decode()
    catalogue = client.get(url("integration_catalogue", partner)).content.decode()
    response = client.post(url("integration_add", partner, "micc"), **HX)

    message = "Integrations can&#x27;t be added to a partner account."
    assert message in panel and message in catalogue
    assert message in response.content.decode() and 'class="flash flash--error"' in response.content.decode()
    assert added(partner) == set()


def test_adding_an_unknown_type_is_404(client_for, account_admin, customer):
    assert client_for(account_admin).post(url("integration_add", customer, "zoom")).status_code == 404


def test_adding_twice_shows_the_error(client_for, account_admin, customer):
    add(account_admin, customer, "micc")
    client = client_for(account_admin)

    response = client.post(url("integration_add", customer, "micc"), follow=True)

    assert "MiCC is already added to this account." in response.content.decode()


# --- Switches -------------------------------------------------------------------------------------------


def test_integration_switch_disables_and_enables_without_touching_privileges(
    client_for, account_admin, customer
):
    add(account_admin, customer, "micc")
    client = client_for(account_admin)

    off = client.post(url("integration_toggle", customer, "micc"), {"state": "off"}, **HX)
    assert not Integration.objects.get(account=customer, type="micc").enabled
    assert 'aria-checked="false" aria-label="MiCC enabled"' in off.content.decode()
    assert "MiCC disabled." in off.content.decode()
    assert on(customer) == {DELEGATED, GUEST}

    back = client.post(url("integration_toggle", customer, "micc"), {"state": "on"})
    assert back.status_code == HTTPStatus.FOUND
    assert Integration.objects.get(account=customer, type="micc").enabled


def test_switch_without_a_state_changes_nothing(client_for, account_admin, customer):
    add(account_admin, customer, "micc")

    response = client_for(account_admin).post(
        url("integration_toggle", customer, "micc"), {"state": "maybe"}, **HX
    )

    assert "Choose on or off." in response.content.decode()
    assert Integration.objects.get(account=customer, type="micc").enabled


def test_privilege_switches_work_at_any_time_and_keep_integrations(client_for, account_admin, customer):
    add(account_admin, customer, "micollab")
    client = client_for(account_admin)

    response = client.post(
        url("privilege_toggle", customer, "delegated-authentication"), {"state": "off"}, **HX
    )

    html = response.content.decode()
    assert on(customer) == set() and added(customer) == {"micollab"}
    assert "Delegated Authentication switched off." in html and "MiCollab may not work correctly" in html
    assert AuditEvent.objects.filter(account=customer, action="privilege.disabled").count() == 1

    client.post(url("privilege_toggle", customer, "allow-guest-access"), {"state": "on"})
    assert on(customer) == {GUEST}


def privilege_switches(html: str) -> dict[str, bool]:
    """The panel's privilege switches: label -> on."""
    found = re.findall(r'role="switch" aria-checked="(true|false)" aria-label="([^"]+)"', html)
    return {label: checked == "true" for checked, label in found if label in PRIVILEGE_LABELS}


PRIVILEGE_LABELS = {GUEST.label, DELEGATED.label}


def test_the_htmx_panel_shows_the_privileges_as_each_change_left_them(client_for, account_admin, customer):
    """The panel answering an action is drawn from the account the service returns, not from the
    account the page read before the change."""
    client = client_for(account_admin)

    html = client.post(url("integration_add", customer, "micc"), **HX).content.decode()
    assert privilege_switches(html) == {GUEST.label: True, DELEGATED.label: True}

    html = client.post(
        url("privilege_toggle", customer, "allow-guest-access"), {"state": "off"}, **HX
    ).content.decode()
    assert privilege_switches(html) == {GUEST.label: False, DELEGATED.label: True}

    html = client.post(url("integration_remove", customer, "micc"), **HX).content.decode()
    assert "Switched off: Delegated Authentication." in html
    assert privilege_switches(html) == {GUEST.label: False, DELEGATED.label: False}


def test_an_unknown_privilege_is_404(client_for, account_admin, customer):
    response = client_for(account_admin).post(
        url("privilege_toggle", customer, "superpowers"), {"state": "on"}
    )

    assert response.status_code == HTTPStatus.NOT_FOUND


# --- Complete setup ----------------------------------------------------------------------------------------


def test_complete_setup_page_without_javascript(client_for, account_admin, customer):
    add(account_admin, customer, "unify-phone")
    client = client_for(account_admin)

    page = client.get(url("integration_setup", customer, "unify-phone"))
    invalid = client.post(url("integration_setup", customer, "unify-phone"), {"config-mode": "existing"})
    valid = client.post(
        url("integration_setup", customer, "unify-phone"),
        {"config-mode": "existing", "config-api_key": "k-1", "next": detail_url(customer)},
    )

    assert "Complete setup" in page.content.decode() and 'name="config-mode"' in page.content.decode()
    assert (
        invalid.status_code == HTTPStatus.OK
        and "Enter the API key of the existing tenant." in invalid.content.decode()
    )
    assert valid.status_code == HTTPStatus.FOUND and valid.url == detail_url(customer)
    integration = Integration.objects.get(account=customer, type="unify-phone")
    assert integration.setup_complete and integration.enabled and integration.config["api_key"] == "k-1"


def test_htmx_setup_is_a_dialog_and_an_invalid_post_retargets_it(client_for, account_admin, customer):
    add(account_admin, customer, "unify-phone")
    client = client_for(account_admin)

    dialog = client.get(url("integration_setup", customer, "unify-phone"), **HX).content.decode()
    invalid = client.post(url("integration_setup", customer, "unify-phone"), {"config-mode": "new"}, **HX)
    valid = client.post(
        url("integration_setup", customer, "unify-phone"),
        {"config-mode": "new", "config-tenant_name": "Globex", "config-admin_email": "ops@globex.example"},
        **HX,
    )

    assert dialog.lstrip().startswith('<dialog id="integrations-dialog"') and "Unify Phone setup" in dialog
    assert invalid["HX-Retarget"] == "#integrations-dialog" and invalid["HX-Reswap"] == "outerHTML"
    assert "This field is required for a new tenant." in invalid.content.decode()
    assert valid.content.decode().lstrip().startswith('<section id="integrations-panel"')
    assert "Tenant: Globex" in valid.content.decode()


def test_micollab_configure_shows_the_cloudlink_chat_state(client_for, account_admin, customer):
    add(account_admin, customer, "micollab")
    client = client_for(account_admin)

    client.post(
        url("integration_setup", customer, "micollab"),
        {"config-server": "micollab.globex.example", "config-cloudlink_chat": "on"},
    )

    html = client.get(page_url(customer)).content.decode()
    assert 'data-testid="micollab-chat-state"><span class="badge badge--success">Enabled' in html
    assert "micollab.globex.example" in html


def test_setup_of_an_integration_without_settings_or_not_added_is_404(client_for, account_admin, customer):
    add(account_admin, customer, "micc")
    client = client_for(account_admin)

    assert client.get(url("integration_setup", customer, "micc")).status_code == 404
    assert client.get(url("integration_setup", customer, "micollab")).status_code == 404


# --- Remove ---------------------------------------------------------------------------------------------


def test_remove_confirmation_lists_what_switches_off_and_what_stays_on(client_for, account_admin, customer):
    add(account_admin, customer, "micc", "micollab")

    html = client_for(account_admin).get(url("integration_remove", customer, "micc")).content.decode()

    assert "Remove MiCC integration" in html and "Remove integration" in html
    off = html.split('data-testid="privileges-switching-off"')[1].split("</div>")[0]
    stay = html.split('data-testid="privileges-staying-on"')[1].split("</div>")[0]
    assert "Allow Guest Access" in off and "Delegated Authentication" not in off
    assert "Delegated Authentication (needed by MiCollab)" in stay


def test_htmx_remove_confirmation_is_a_dialog(client_for, account_admin, customer):
    add(account_admin, customer, "mitel-one")

    html = (
        client_for(account_admin).get(url("integration_remove", customer, "mitel-one"), **HX).content.decode()
    )

    assert (
        html.lstrip().startswith('<dialog id="integrations-dialog"')
        and "Remove Mitel One integration" in html
    )


def test_removing_applies_the_rule_and_says_what_switched_off(client_for, account_admin, customer):
    add(account_admin, customer, "micc", "micollab")
    client = client_for(account_admin)

    response = client.post(url("integration_remove", customer, "micc"), {"next": detail_url(customer)})

    assert response.status_code == HTTPStatus.FOUND and response.url == detail_url(customer)
    assert added(customer) == {"micollab"} and on(customer) == {DELEGATED}
    assert "MiCC removed. Switched off: Allow Guest Access." in client.get(response.url).content.decode()


def test_removing_what_is_not_added_is_404_on_the_confirmation_and_an_error_on_post(
    client_for, account_admin, customer
):
    client = client_for(account_admin)

    assert client.get(url("integration_remove", customer, "micc")).status_code == 404
    response = client.post(url("integration_remove", customer, "micc"), **HX)
    assert "MiCC is not added to this account." in response.content.decode()


# --- Effects on the shell: Customer Care and Contact Center Admin ------------------------------------------


def test_mitel_one_workgroups_adds_customer_care_to_the_navigation_while_enabled(
    client_for, account_admin, customer
):
    client = client_for(account_admin)
    care = url("customer_care", customer)
    assert f'href="{care}"' not in client.get(detail_url(customer)).content.decode()

    add(account_admin, customer, "mitel-one-workgroups")
    html = client.get(detail_url(customer)).content.decode()
    assert f'<a href="{care}">Customer Care</a>' in html
    page = client.get(care).content.decode()
    assert "Customer Care is provided by <strong>Mitel One Workgroups</strong>" in page

    services.integration_disable(actor=account_admin, account=customer, type="mitel-one-workgroups")
    assert f'<a href="{care}">Customer Care</a>' not in client.get(detail_url(customer)).content.decode()
    assert "Customer Care needs Mitel One Workgroups." in client.get(care).content.decode()


def test_micc_adds_the_contact_center_admin_icon_leading_to_chat_overlays(
    client_for, account_admin, customer
):
    client = client_for(account_admin)
    assert "Contact Center Admin" not in client.get(detail_url(customer)).content.decode()

    add(account_admin, customer, "micc")

    html = client.get(reverse("accounts:user_list", args=[customer.account_number])).content.decode()
    header = html.split('id="contact-center-admin"')[1].split("</details>")[0]
    assert "Contact Center Admin" in header and f'href="{url("chat_overlay_list", customer)}"' in header


def test_the_contact_center_icon_follows_the_account_being_viewed(
    client_for, partner_admin, customer, partner
):
    add(partner_admin, customer, "micc")
    client = client_for(partner_admin)

    assert "Chat Overlays" in client.get(detail_url(customer)).content.decode()
    assert "Chat Overlays" not in client.get(reverse("accounts:account_list")).content.decode()
