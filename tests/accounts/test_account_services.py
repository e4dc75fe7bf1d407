import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts import services
from accounts.authn import AccountDeactivated, user_authenticate
from accounts.models import Account, AuditEvent, SupportContact

pytestmark = pytest.mark.django_db

VALID = {"name": "Umbrella Inc", "country": "GB", "city": "London", "default_language": "en-GB"}


def test_partner_creates_customer_account_with_guid_number_contacts_and_audit(partner_admin, partner):
    account = services.account_create(
        actor=partner_admin, partner=partner, support_contacts=["Help@Umbrella.example"], **VALID
    )

    assert account.parent == partner and account.kind == Account.Kind.CUSTOMER
    assert len(account.account_number) == 9 and account.account_number.isdigit()
    assert account.account_id is not None
    assert list(account.support_contacts.values_list("email", flat=True)) == ["help@umbrella.example"]
    actions = set(AuditEvent.objects.values_list("action", "account_id"))
    assert ("account.created", account.pk) in actions
    assert ("customer_account.created", partner.pk) in actions


def test_account_numbers_are_unique(partner_admin, partner):
    numbers = {
        services.account_create(
            actor=partner_admin,
            partner=partner,
            support_contacts=["a@b.example"],
            **(VALID | {"name": f"C{i}"}),
        ).account_number
        for i in range(30)
    }
    assert len(numbers) == 30


@pytest.mark.parametrize(
    ("fields", "contacts", "error_field"),
    [
        ({"name": ""}, ["a@b.example"], "name"),
        ({"country": ""}, ["a@b.example"], "country"),
        ({"default_language": "xx-XX"}, ["a@b.example"], "default_language"),
        ({}, [], "support_contacts"),
        ({}, ["not-an-email"], "support_contacts"),
    ],
)
def test_invalid_input_names_the_field_and_saves_nothing(
    partner_admin, partner, fields, contacts, error_field
):
    before = Account.objects.count(), SupportContact.objects.count(), AuditEvent.objects.count()

    with pytest.raises(ValidationError) as exc:
        services.account_create(
            actor=partner_admin, partner=partner, support_contacts=contacts, **(VALID | fields)
        )

    assert error_field in exc.value.message_dict
    assert (Account.objects.count(), SupportContact.objects.count(), AuditEvent.objects.count()) == before


def test_account_admin_cannot_create_accounts(account_admin, partner):
    with pytest.raises(Http404):
        services.account_create(
            actor=account_admin, partner=partner, support_contacts=["a@b.example"], **VALID
        )


def test_update_audits_only_changed_fields(partner_admin, customer):
    services.account_update(actor=partner_admin, account=customer, name="Globex Intl", city=customer.city)

    event = AuditEvent.objects.get(action="account.updated")
    assert event.before == {"name": "Globex Corp"} and event.after == {"name": "Globex Intl"}
    assert event.actor == partner_admin


def test_update_with_nothing_changed_writes_no_audit(partner_admin, customer):
    services.account_update(actor=partner_admin, account=customer, name=customer.name)
    assert not AuditEvent.objects.filter(action="account.updated").exists()


def test_account_admin_edits_own_account_but_not_others(account_admin, customer, outsider_customer):
    services.account_update(actor=account_admin, account=customer, city="Uppsala")
    customer.refresh_from_db()
    assert customer.city == "Uppsala"
    with pytest.raises(Http404):
        services.account_update(actor=account_admin, account=outsider_customer, city="X")


def test_plain_user_cannot_edit_own_account(member, customer):
    with pytest.raises(PermissionDenied):
        services.account_update(actor=member, account=customer, city="X")


def test_support_contacts_add_remove_and_last_one_stays(partner_admin, customer):
    first = customer.support_contacts.get()
    added = services.support_contact_add(actor=partner_admin, account=customer, email="noc@globex.example")
    with pytest.raises(ValidationError):
        services.support_contact_add(actor=partner_admin, account=customer, email="NOC@globex.example")

    services.support_contact_remove(actor=partner_admin, account=customer, contact_id=first.pk)
    with pytest.raises(ValidationError) as exc:
        services.support_contact_remove(actor=partner_admin, account=customer, contact_id=added.pk)

    assert "at least one" in str(exc.value)
    assert list(customer.support_contacts.all()) == [added]


def test_deactivate_needs_the_typed_word_and_blocks_sign_in(partner_admin, customer, account_admin, password):
    with pytest.raises(ValidationError):
        services.account_deactivate(actor=partner_admin, account=customer, confirmation="yes")
    customer.refresh_from_db()
    assert customer.is_active

    services.account_deactivate(actor=partner_admin, account=customer, confirmation="Deactivate ")

    with pytest.raises(AccountDeactivated):
        user_authenticate(email=account_admin.email, password=password)
    services.account_activate(actor=partner_admin, account=customer)
    assert user_authenticate(email=account_admin.email, password=password) == account_admin
    actions = list(AuditEvent.objects.filter(account=customer).values_list("action", flat=True))
    assert actions[:2] == ["account.activated", "account.deactivated"]


def test_account_admin_cannot_deactivate_or_delete(account_admin, customer):
    with pytest.raises(PermissionDenied):
        services.account_deactivate(actor=account_admin, account=customer, confirmation="deactivate")
    with pytest.raises(PermissionDenied):
        services.account_delete(actor=account_admin, account=customer, confirmation="delete")


def test_partner_account_cannot_be_deleted_or_deactivated(partner_admin, partner):
    with pytest.raises(ValidationError, match="partner account cannot be deleted"):
        services.account_delete(actor=partner_admin, account=partner, confirmation="delete")
    with pytest.raises(PermissionDenied):
        services.account_deactivate(actor=partner_admin, account=partner, confirmation="deactivate")


def test_delete_removes_account_and_users_but_keeps_the_audit_trail(partner_admin, customer, account_admin):
    account_id = customer.account_id
    with pytest.raises(ValidationError):
        services.account_delete(actor=partner_admin, account=customer, confirmation="remove")

    services.account_delete(actor=partner_admin, account=customer, confirmation="delete")

    assert not Account.objects.filter(account_id=account_id).exists()
    assert not type(account_admin).objects.filter(pk=account_admin.pk).exists()
    kept = AuditEvent.objects.filter(account_ref=account_id)
    assert kept.filter(action="account.deleted", account__isnull=True).exists()
    on_partner = AuditEvent.objects.get(action="customer_account.deleted")
    assert on_partner.before["name"] == "Globex Corp" and on_partner.target_id == str(account_id)


def test_outsider_cannot_touch_another_partners_account(other_partner_admin, customer):
    with pytest.raises(Http404):
        services.account_delete(actor=other_partner_admin, account=customer, confirmation="delete")
    assert Account.objects.filter(pk=customer.pk).exists()


def test_support_contacts_set_makes_the_list_exact(partner_admin, customer):
    services.support_contacts_set(
        actor=partner_admin, account=customer, emails=["B@x.example", "c@x.example"]
    )

    assert sorted(customer.support_contacts.values_list("email", flat=True)) == ["b@x.example", "c@x.example"]
    with pytest.raises(ValidationError):
        services.support_contacts_set(actor=partner_admin, account=customer, emails=[])


def test_account_change_is_all_or_nothing(account_admin, customer):
    with pytest.raises(PermissionDenied):
        services.account_change(actor=account_admin, account=customer, fields={"city": "Malmo"}, active=False)

    customer.refresh_from_db()
    assert customer.city == "Stockholm" and customer.is_active
    assert not AuditEvent.objects.filter(action="account.updated").exists()


def test_audit_rows_name_users_and_accounts_by_their_public_ids(partner_admin, customer):
    user = services.user_create(actor=partner_admin, account=customer, email="new@globex.example", name="New")

    event = AuditEvent.objects.get(action="user.created")
    assert event.target_id == str(user.user_id) and event.target_type == "user"
    services.account_update(actor=partner_admin, account=customer, city="Lund")
    assert AuditEvent.objects.get(action="account.updated").target_id == str(customer.account_id)
