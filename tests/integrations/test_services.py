"""The privilege rules (integrations/services.py), one example at a time. The property test
(test_privilege_properties.py) checks the same rules over random sequences."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.models import Account, AuditEvent
from integrations import services
from integrations.models import ChatOverlay, Integration
from tests.integrations.helpers import DELEGATED, GUEST, added, audit_count, on

pytestmark = pytest.mark.django_db


def add(actor, account, *types):
    for type_ in types:
        services.integration_add(actor=actor, account=account, type=type_)


def remove(actor, account, type_):
    return services.integration_remove(actor=actor, account=account, type=type_)


def set_privilege(actor, account, privilege, value):
    return services.privilege_set(actor=actor, account=account, privilege=privilege, enabled=value)


# --- Adding ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "expected"),
    [
        ("mitel-one", {GUEST}),
        ("miteam-meetings", {GUEST}),
        ("micc", {DELEGATED, GUEST}),
        ("micollab", {DELEGATED}),
        ("mitel-one-workgroups", set()),
        ("cloudlink-gateway", set()),
    ],
)
def test_adding_an_integration_switches_on_exactly_the_privileges_it_brings(
    account_admin, customer, type_, expected
):
    integration = services.integration_add(actor=account_admin, account=customer, type=type_)

    assert on(customer) == expected
    assert integration.enabled and integration.setup_complete


def test_adding_keeps_privileges_that_are_already_on(account_admin, customer):
    set_privilege(account_admin, customer, DELEGATED, True)

    add(account_admin, customer, "mitel-one")

    assert on(customer) == {DELEGATED, GUEST}


def test_adding_twice_is_a_conflict_and_changes_nothing(account_admin, customer):
    add(account_admin, customer, "micollab")
    set_privilege(account_admin, customer, DELEGATED, False)
    before = audit_count(customer)

    with pytest.raises(services.IntegrationConflict, match="MiCollab is already added"):
        add(account_admin, customer, "micollab")

    assert on(customer) == set() and audit_count(customer) == before


def test_an_unknown_type_is_refused(account_admin, customer):
    with pytest.raises(ValidationError, match="no integration called “zoom”"):
        add(account_admin, customer, "zoom")


def test_integrations_cannot_be_added_to_a_partners_own_account(partner_admin, partner):
    with pytest.raises(ValidationError) as error:
        add(partner_admin, partner, "micc")

    assert "can't be added to a partner account" in error.value.message_dict["type"][0]
    assert added(partner) == set() and on(partner) == set()


def test_an_integration_that_needs_setup_is_added_disabled_until_its_setup_is_complete(
    account_admin, customer
):
    integration = services.integration_add(actor=account_admin, account=customer, type="unify-phone")
    assert not integration.enabled and not integration.setup_complete

    with pytest.raises(ValidationError, match="Complete the setup of Unify Phone"):
        services.integration_enable(actor=account_admin, account=customer, type="unify-phone")

    configured = services.integration_configure(
        actor=account_admin,
        account=customer,
        type="unify-phone",
        config={"mode": "new", "tenant_name": "Globex", "admin_email": "ops@globex.example"},
    )
    assert configured.enabled and configured.setup_complete
    assert configured.config == {
        "mode": "new",
        "api_key": "",
        "tenant_name": "Globex",
        "admin_email": "ops@globex.example",
    }


def test_adding_with_its_config_completes_the_setup_at_once(account_admin, customer):
    integration = services.integration_add(
        actor=account_admin,
        account=customer,
        type="unify-phone",
        config={"mode": "existing", "api_key": "k-1"},
    )

    assert integration.enabled and integration.setup_complete


def test_invalid_config_is_refused_with_the_forms_field_errors(account_admin, customer):
    add(account_admin, customer, "unify-phone")

    with pytest.raises(ValidationError) as error:
        services.integration_configure(
            actor=account_admin, account=customer, type="unify-phone", config={"mode": "existing"}
        )

    assert error.value.message_dict == {"api_key": ["Enter the API key of the existing tenant."]}
    assert not Integration.objects.get(account=customer, type="unify-phone").setup_complete


def test_configuring_an_integration_without_settings_is_refused(account_admin, customer):
    add(account_admin, customer, "micc")

    with pytest.raises(ValidationError, match="no settings"):
        services.integration_configure(actor=account_admin, account=customer, type="micc", config={})


# --- Removing -------------------------------------------------------------------------------------


def test_removing_switches_off_only_the_privileges_no_remaining_integration_brings(account_admin, customer):
    add(account_admin, customer, "micc", "micollab")
    assert on(customer) == {DELEGATED, GUEST}

    result = remove(account_admin, customer, "micc")

    assert on(customer) == {DELEGATED}, "MiCollab still brings Delegated Authentication"
    assert result.switch_off == [GUEST]
    assert result.stay_on == [(DELEGATED, ["MiCollab"])]
    assert added(customer) == {"micollab"}


def test_removing_the_last_integration_that_brings_a_privilege_switches_it_off(account_admin, customer):
    add(account_admin, customer, "mitel-one", "miteam-meetings")

    remove(account_admin, customer, "mitel-one")
    assert on(customer) == {GUEST}
    remove(account_admin, customer, "miteam-meetings")
    assert on(customer) == set()


def test_removing_does_not_touch_privileges_it_does_not_bring(account_admin, customer):
    set_privilege(account_admin, customer, DELEGATED, True)
    add(account_admin, customer, "mitel-one")

    remove(account_admin, customer, "mitel-one")

    assert on(customer) == {DELEGATED}, "switched on by hand, not brought by Mitel One"


def test_a_privilege_switched_off_by_hand_stays_off_when_an_integration_is_removed(account_admin, customer):
    add(account_admin, customer, "micc", "micollab")
    set_privilege(account_admin, customer, DELEGATED, False)

    result = remove(account_admin, customer, "micollab")

    assert on(customer) == {GUEST} and result.already_off == [DELEGATED]


def test_a_disabled_integration_still_holds_its_privileges_on_removal_of_another(account_admin, customer):
    add(account_admin, customer, "micc", "mitel-one")
    services.integration_disable(actor=account_admin, account=customer, type="mitel-one")

    remove(account_admin, customer, "micc")

    assert on(customer) == {GUEST}


def test_removing_an_integration_that_is_not_added_is_refused(account_admin, customer):
    with pytest.raises(ValidationError, match="MiCC is not added"):
        remove(account_admin, customer, "micc")


def test_removal_preview_matches_what_removal_does(account_admin, customer):
    add(account_admin, customer, "micc", "micollab", "miteam-meetings")
    set_privilege(account_admin, customer, DELEGATED, False)

    preview = services.removal_preview(customer, "micc")
    Account.objects.get(pk=customer.pk)  # the preview reads, it does not change anything
    result = remove(account_admin, customer, "micc")

    assert preview.stay_on == [(GUEST, ["MiTeam Meetings"])] and preview.already_off == [DELEGATED]
    assert preview.switch_off == [] and result == preview


# --- Toggles ----------------------------------------------------------------------------------------


def test_privileges_can_be_toggled_by_hand_and_integrations_stay(account_admin, customer):
    add(account_admin, customer, "micc")

    set_privilege(account_admin, customer, GUEST, False)
    set_privilege(account_admin, customer, DELEGATED, False)

    assert on(customer) == set() and added(customer) == {"micc"}
    set_privilege(account_admin, customer, GUEST, True)
    assert on(customer) == {GUEST}


def test_enabling_and_disabling_never_changes_privileges(account_admin, customer):
    add(account_admin, customer, "micc")
    set_privilege(account_admin, customer, GUEST, False)

    services.integration_disable(actor=account_admin, account=customer, type="micc")
    assert on(customer) == {DELEGATED}
    services.integration_enable(actor=account_admin, account=customer, type="micc")
    assert on(customer) == {DELEGATED}
    assert Integration.objects.get(account=customer, type="micc").enabled


def test_privileges_set_applies_several_at_once(account_admin, customer):
    services.privileges_set(
        actor=account_admin, account=customer, values={"allow_guest_access": True, DELEGATED: True}
    )
    assert on(customer) == {DELEGATED, GUEST}

    services.privileges_set(
        actor=account_admin,
        account=customer,
        values={"allowGuestAccess": False, "allowProxyAuthentication": True},
    )
    assert on(customer) == {DELEGATED}


def test_an_unknown_privilege_is_refused(account_admin, customer):
    with pytest.raises(ValidationError, match="no privilege"):
        set_privilege(account_admin, customer, "superpowers", True)


# --- Audit trail ----------------------------------------------------------------------------------------


def test_every_effective_change_writes_one_audit_row_with_the_state_before_and_after(account_admin, customer):
    add(account_admin, customer, "micc")
    set_privilege(account_admin, customer, GUEST, False)
    set_privilege(account_admin, customer, GUEST, False)  # no change, no row
    services.integration_disable(actor=account_admin, account=customer, type="micc")
    services.integration_disable(actor=account_admin, account=customer, type="micc")  # no change
    remove(account_admin, customer, "micc")

    events = list(AuditEvent.objects.filter(account=customer).order_by("pk"))
    assert [e.action for e in events] == [
        "integration.added",
        "privilege.disabled",
        "integration.disabled",
        "integration.removed",
    ]
    added_event = events[0]
    assert added_event.before == {
        "integrations": [],
        "enabled": [],
        "allow_guest_access": False,
        "delegated_authentication": False,
    }
    assert added_event.after == {
        "integrations": ["micc"],
        "enabled": ["micc"],
        "allow_guest_access": True,
        "delegated_authentication": True,
    }
    assert added_event.target_label == "MiCC" and added_event.actor == account_admin
    for previous, event in zip(events, events[1:], strict=False):
        assert event.before == previous.after
    assert events[-1].after == {
        "integrations": [],
        "enabled": [],
        "allow_guest_access": False,
        "delegated_authentication": False,
    }


def test_configuring_is_audited_with_secrets_masked(account_admin, customer):
    add(account_admin, customer, "unify-phone")

    services.integration_configure(
        actor=account_admin,
        account=customer,
        type="unify-phone",
        config={"mode": "existing", "api_key": "s3cret"},
    )

    event = AuditEvent.objects.get(account=customer, action="integration.configured")
    assert event.after["config"]["api_key"] == "********" and "s3cret" not in str(event.before)
    assert event.before["enabled"] is False and event.after["enabled"] is True


# --- Who may ------------------------------------------------------------------------------------------------


def test_partner_admin_manages_integrations_of_its_customers(partner_admin, customer):
    add(partner_admin, customer, "micollab")

    assert on(customer) == {DELEGATED}


def test_a_plain_user_is_refused_and_an_outsider_finds_nothing(member, outsider, customer):
    with pytest.raises(PermissionDenied):
        add(member, customer, "micc")
    with pytest.raises(PermissionDenied):
        set_privilege(member, customer, GUEST, True)
    with pytest.raises(Http404):
        add(outsider, customer, "micc")
    with pytest.raises(Http404):
        set_privilege(outsider, customer, GUEST, True)

    assert added(customer) == set() and on(customer) == set()


# --- Chat overlays (MiCC) -----------------------------------------------------------------------------------


OVERLAY = {
    "name": "Website",
    "greeting": "Hi! How can we help?",
    "background_colour": "#0B5CAD",
    "text_colour": "#ffffff",
    "target_queue": "P1000",
}


def test_chat_overlays_need_micc(account_admin, customer):
    with pytest.raises(ValidationError, match="need the MiCC integration"):
        services.chat_overlay_create(actor=account_admin, account=customer, **OVERLAY)

    add(account_admin, customer, "micc")
    overlay = services.chat_overlay_create(actor=account_admin, account=customer, **OVERLAY)

    assert overlay.background_colour == "#0b5cad"
    assert AuditEvent.objects.filter(account=customer, action="chat_overlay.created").count() == 1


def test_chat_overlay_names_are_unique_per_account_and_colours_are_checked(account_admin, customer):
    add(account_admin, customer, "micc")
    services.chat_overlay_create(actor=account_admin, account=customer, **OVERLAY)

    with pytest.raises(ValidationError, match="already exists"):
        services.chat_overlay_create(actor=account_admin, account=customer, **(OVERLAY | {"name": "WEBSITE"}))
    with pytest.raises(ValidationError) as error:
        services.chat_overlay_create(
            actor=account_admin, account=customer, **(OVERLAY | {"name": "Other", "text_colour": "red"})
        )
    assert "text_colour" in error.value.message_dict


def test_chat_overlays_are_deleted_only_through_their_own_account(
    account_admin, customer, partner_admin, partner
):
    from tests.accounts.factories import CustomerAccountFactory

    add(account_admin, customer, "micc")
    overlay = services.chat_overlay_create(actor=account_admin, account=customer, **OVERLAY)
    other = CustomerAccountFactory(parent=partner)

    with pytest.raises(ValidationError, match="no longer exists"):
        services.chat_overlay_delete(actor=partner_admin, account=other, overlay_id=overlay.pk)
    services.chat_overlay_delete(actor=account_admin, account=customer, overlay_id=overlay.pk)

    assert not ChatOverlay.objects.exists()
