"""User services: add, edit, role, delete, welcome emails and their links, registration, password
reset. Every rule of docs/users.md (Rules) and issue 3, the audit rows, and tenancy."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.utils import timezone

from accounts import services
from accounts.models import AuditEvent, User, WelcomeLink
from accounts.services import user_services
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

DUPLICATE = "One or more of the attribute values are already in use"
TOKEN = re.compile(r"/welcome/([A-Za-z0-9_-]+)/")


def token_in(message) -> str:
    return TOKEN.search(message.body)[1]


@pytest.fixture
def add_user(django_capture_on_commit_callbacks):
    """Add a user through the service with the transaction's on_commit work (the email) executed;
    returns the user and the token of the welcome link their email carries."""

    def add(actor, account, email="new@globex.example", **fields):
        fields.setdefault("first_name", "Nia")
        with django_capture_on_commit_callbacks(execute=True):
            user = services.user_create(actor=actor, account=account, email=email, **fields)
        return user, token_in(mail.outbox[-1])

    return add


@pytest.fixture
def resend(django_capture_on_commit_callbacks):
    def send(actor, user) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            services.user_welcome_resend(actor=actor, user=user)
        return token_in(mail.outbox[-1])

    return send


def actions(account) -> list[str]:
    return list(AuditEvent.objects.filter(account=account).order_by("pk").values_list("action", flat=True))


# --- user_create -----------------------------------------------------------------------------


def test_account_admin_adds_an_unregistered_user_and_queues_one_welcome_email(
    account_admin, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        user = services.user_create(
            actor=account_admin,
            account=customer,
            email="  Nia.Novak@Globex.example ",
            first_name="Nia",
            last_name="Novak",
            extension="2104",
            mobile="+46 70 123 45 67",
            phone="+46 8 123 45",
        )
        assert mail.outbox == [], "nothing is sent before the transaction commits"

    user.refresh_from_db()
    assert (user.email, user.display_name, user.extension) == (
        "nia.novak@globex.example",
        "Nia Novak",
        "2104",
    )
    assert (user.role, user.source, user.account) == (User.Role.USER, User.Source.MANUAL, customer)
    assert not user.is_registered and not user.email_verified and not user.has_usable_password()
    assert (user.created_by, user.modified_by) == (account_admin, account_admin)
    assert len(callbacks) == 1 and len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nia.novak@globex.example"]
    assert message.subject == "Finish building your CloudLink account for Globex Corp"
    assert customer.account_number in message.body and "Finish building your account" in message.body
    html = message.alternatives[0][0]
    assert "Finish building your account" in html and customer.account_number in html
    assert token_in(message) in html
    assert WelcomeLink.objects.filter(user=user, used_at=None, revoked_at=None).count() == 1
    event = AuditEvent.objects.get(account=customer, action="user.created")
    assert event.actor == account_admin and event.target_id == str(user.user_id)
    assert event.target_label == "Nia Novak <nia.novak@globex.example>"
    assert event.after == {"email": "nia.novak@globex.example", "role": "USER", "source": "manual"}


def test_the_link_in_the_email_is_absolute_and_expires_after_the_configured_days(
    account_admin, customer, add_user, settings
):
    settings.PORTAL_BASE_URL = "https://console.example"
    settings.PORTAL_WELCOME_LINK_DAYS = 3

    user, token = add_user(account_admin, customer)

    assert f"https://console.example/welcome/{token}/" in mail.outbox[0].body
    assert "expires in 3 days" in mail.outbox[0].body
    link = WelcomeLink.objects.get(user=user)
    assert timedelta(days=3) - timedelta(minutes=1) < link.expires_at - timezone.now() <= timedelta(days=3)
    assert link.token_hash != token and token not in link.token_hash, "only a hash of the token is stored"


def test_text_parts_of_the_email_are_not_html_escaped(partner_admin, partner, add_user):
    account = services.account_create(
        actor=partner_admin,
        partner=partner,
        name="Smith & Sons",
        country="GB",
        support_contacts=["a@b.example"],
    )

    add_user(partner_admin, account, email="tom@smith.example")

    message = mail.outbox[-1]
    assert message.subject == "Finish building your CloudLink account for Smith & Sons"
    assert '"Smith & Sons"' in message.body and "&amp;" not in message.body
    assert "Smith &amp; Sons" in message.alternatives[0][0]


def test_partner_admin_adds_an_account_admin_to_a_customer_account(partner_admin, customer, add_user):
    user, _ = add_user(partner_admin, customer, role=User.Role.ACCOUNT_ADMIN, name="Ann Admin")

    assert user.role == User.Role.ACCOUNT_ADMIN and user.display_name == "Ann Admin"


@pytest.mark.parametrize("email", ["ada@globex.example", "ADA@Globex.Example", " ada@globex.example "])
def test_an_email_already_used_in_the_account_is_refused_with_cloudlinks_message(
    account_admin, customer, email, django_capture_on_commit_callbacks
):
    before = User.objects.count(), AuditEvent.objects.count()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as exc:
        services.user_create(actor=account_admin, account=customer, email=email, first_name="Twin")

    assert exc.value.message_dict == {"email": [DUPLICATE]}
    assert (User.objects.count(), AuditEvent.objects.count()) == before and mail.outbox == []


def test_the_same_email_may_exist_in_another_account(partner_admin, customer, outsider, add_user):
    user, _ = add_user(partner_admin, customer, email=outsider.email)

    assert user.account == customer and User.objects.filter(email=outsider.email).count() == 2


def test_the_database_constraint_turns_a_lost_race_into_the_duplicate_error(account_admin, customer):
    """Two requests can both pass the "is it free?" check; the unique constraint decides."""
    twin = User(account=customer, email=account_admin.email, first_name="Twin")
    twin.set_unusable_password()

    with pytest.raises(ValidationError) as exc:
        user_services._save_unique(twin)

    assert exc.value.message_dict == {"email": [DUPLICATE]}
    assert User.objects.filter(account=customer, email=account_admin.email).count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"email": "x@globex.example", "role": "OWNER"}, "role"),
        ({"email": "x@globex.example", "role": "PARTNER_ADMIN"}, "role"),
        ({"email": "x@globex.example", "extension": "1" * 31}, "extension"),
    ],
    ids=["invalid-email", "no-email", "unknown-role", "partner-admin-in-customer", "long-extension"],
)
def test_invalid_input_names_the_field_and_saves_nothing(account_admin, customer, fields, field):
    before = User.objects.count(), AuditEvent.objects.count(), WelcomeLink.objects.count()

    with pytest.raises(ValidationError) as exc:
        services.user_create(actor=account_admin, account=customer, **fields)

    assert field in exc.value.message_dict
    assert (User.objects.count(), AuditEvent.objects.count(), WelcomeLink.objects.count()) == before


def test_only_user_fields_can_be_given(account_admin, customer):
    with pytest.raises(ValidationError, match="Unknown user fields: is_staff"):
        services.user_create(actor=account_admin, account=customer, email="x@globex.example", is_staff=True)


def test_with_a_password_the_user_is_registered_at_once_and_no_email_is_sent(
    account_admin, customer, django_capture_on_commit_callbacks, password
):
    with django_capture_on_commit_callbacks(execute=True):
        user = services.user_create(
            actor=account_admin, account=customer, email="ops@globex.example", password=password
        )

    assert user.is_registered and user.email_verified and user.check_password(password)
    assert mail.outbox == [] and not WelcomeLink.objects.filter(user=user).exists()


def test_a_plain_user_may_not_add_users(member, customer):
    with pytest.raises(PermissionDenied):
        services.user_create(actor=member, account=customer, email="x@globex.example")


@pytest.mark.parametrize("persona", ["outsider", "other_partner_admin"])
def test_outsiders_cannot_add_users_to_an_account_they_cannot_see(persona, customer, request):
    with pytest.raises(Http404):
        services.user_create(
            actor=request.getfixturevalue(persona), account=customer, email="x@globex.example"
        )
    assert not User.objects.filter(email="x@globex.example").exists()


def test_an_account_admin_cannot_add_users_to_the_partner_account(account_admin, partner):
    with pytest.raises(Http404):
        services.user_create(actor=account_admin, account=partner, email="x@acme.example")


# --- user_update / user_change -------------------------------------------------------------------


def test_update_saves_the_fields_and_audits_only_what_changed(account_admin, member):
    user = services.user_update(
        actor=account_admin, user=member, name="Uma U.", extension="2200", email="UMA@globex.example"
    )

    user.refresh_from_db()
    assert (user.name, user.extension, user.email, user.modified_by) == (
        "Uma U.",
        "2200",
        "uma@globex.example",
        account_admin,
    )
    event = AuditEvent.objects.get(action="user.updated")
    assert event.before == {"name": "Uma User", "extension": ""}
    assert event.after == {"name": "Uma U.", "extension": "2200"}


def test_update_with_nothing_changed_writes_no_audit(account_admin, member):
    services.user_update(actor=account_admin, user=member, name=member.name, email=member.email)

    assert not AuditEvent.objects.filter(action="user.updated").exists()


def test_update_to_an_email_used_by_someone_else_in_the_account_is_refused(account_admin, member):
    with pytest.raises(ValidationError) as exc:
        services.user_update(actor=account_admin, user=member, email="Ada@Globex.example")

    assert exc.value.message_dict == {"email": [DUPLICATE]}
    member.refresh_from_db()
    assert member.email == "uma@globex.example"


@pytest.mark.parametrize("field", ["role", "is_registered", "account", "password"])
def test_update_cannot_change_role_registration_account_or_password(account_admin, member, field):
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.user_update(actor=account_admin, user=member, **{field: "x"})


def test_a_plain_user_cannot_edit_users_even_themselves(member):
    with pytest.raises(PermissionDenied):
        services.user_update(actor=member, user=member, name="Me")


def test_an_outsider_cannot_edit_a_user_they_cannot_see(other_partner_admin, member):
    with pytest.raises(Http404):
        services.user_update(actor=other_partner_admin, user=member, name="Hacked")
    member.refresh_from_db()
    assert member.name == "Uma User"


def test_change_applies_fields_and_role_together(account_admin, member):
    user = services.user_change(actor=account_admin, user=member, role=User.Role.ACCOUNT_ADMIN, name="Uma A.")

    user.refresh_from_db()
    assert (user.name, user.role) == ("Uma A.", User.Role.ACCOUNT_ADMIN)
    assert actions(member.account)[-2:] == ["user.updated", "user.role_changed"]


def test_a_refused_role_change_undoes_the_field_edits_made_with_it(account_admin):
    with pytest.raises(PermissionDenied):
        services.user_change(actor=account_admin, user=account_admin, role=User.Role.USER, name="Ada Renamed")

    account_admin.refresh_from_db()
    assert (account_admin.name, account_admin.role) == ("Ada Admin", User.Role.ACCOUNT_ADMIN)
    assert not AuditEvent.objects.filter(action="user.updated").exists()


def test_change_with_nothing_to_do_still_checks_permission(member):
    with pytest.raises(PermissionDenied):
        services.user_change(actor=member, user=member, role=None)


# --- user_role_set -------------------------------------------------------------------------------


def test_grant_and_withdraw_account_admin_with_audit(account_admin, member):
    services.user_role_set(actor=account_admin, user=member, role=User.Role.ACCOUNT_ADMIN)
    member.refresh_from_db()
    assert member.role == User.Role.ACCOUNT_ADMIN

    services.user_role_set(actor=account_admin, user=member, role=User.Role.USER)
    member.refresh_from_db()
    assert member.role == User.Role.USER and member.modified_by == account_admin
    changes = AuditEvent.objects.filter(action="user.role_changed").order_by("pk")
    assert [(e.before["role"], e.after["role"]) for e in changes] == [
        ("USER", "ACCOUNT_ADMIN"),
        ("ACCOUNT_ADMIN", "USER"),
    ]


def test_setting_the_same_role_changes_nothing(account_admin, member):
    services.user_role_set(actor=account_admin, user=member, role=User.Role.USER)

    assert not AuditEvent.objects.filter(action="user.role_changed").exists()


def test_nobody_withdraws_their_own_admin_rights(account_admin, member):
    services.user_role_set(actor=account_admin, user=member, role=User.Role.ACCOUNT_ADMIN)

    with pytest.raises(PermissionDenied, match="You cannot withdraw your own admin rights."):
        services.user_role_set(actor=account_admin, user=account_admin, role=User.Role.USER)
    account_admin.refresh_from_db()
    assert account_admin.role == User.Role.ACCOUNT_ADMIN


def test_the_last_admin_of_an_account_keeps_their_rights(partner_admin, account_admin):
    with pytest.raises(ValidationError) as exc:
        services.user_role_set(actor=partner_admin, user=account_admin, role=User.Role.USER)

    assert exc.value.message_dict == {
        "role": ["This is the account's last admin; make someone else admin first."]
    }
    account_admin.refresh_from_db()
    assert account_admin.role == User.Role.ACCOUNT_ADMIN


def test_with_a_second_admin_the_first_can_be_withdrawn(partner_admin, account_admin, member):
    services.user_role_set(actor=partner_admin, user=member, role=User.Role.ACCOUNT_ADMIN)

    services.user_role_set(actor=partner_admin, user=account_admin, role=User.Role.USER)

    account_admin.refresh_from_db()
    assert account_admin.role == User.Role.USER


@pytest.mark.parametrize(
    ("target", "role"),
    [("member", User.Role.PARTNER_ADMIN), ("partner_admin", User.Role.USER)],
    ids=["to-partner-admin", "from-partner-admin"],
)
def test_only_user_and_account_admin_can_be_exchanged(partner_admin, member, target, role, request):
    user = request.getfixturevalue(target)
    actor = UserFactory(account=partner_admin.account, role=User.Role.PARTNER_ADMIN)

    with pytest.raises(ValidationError, match="Only User and Account Admin"):
        services.user_role_set(actor=actor, user=user, role=role)


def test_a_plain_user_cannot_make_themselves_admin(member):
    with pytest.raises(PermissionDenied):
        services.user_role_set(actor=member, user=member, role=User.Role.ACCOUNT_ADMIN)


def test_an_outsider_cannot_change_roles(outsider, member):
    with pytest.raises(Http404):
        services.user_role_set(actor=outsider, user=member, role=User.Role.ACCOUNT_ADMIN)


# --- user_delete ---------------------------------------------------------------------------------


def test_delete_removes_the_user_and_keeps_an_audit_record(account_admin, member, customer):
    services.user_delete(actor=account_admin, user=member)

    assert not User.objects.filter(pk=member.pk).exists()
    event = AuditEvent.objects.get(action="user.deleted")
    assert event.account == customer and event.actor == account_admin
    assert event.before == {"email": "uma@globex.example", "role": "USER", "source": "manual"}
    assert "Uma User" in event.target_label


def test_nobody_deletes_themselves(account_admin, member):
    services.user_role_set(actor=account_admin, user=member, role=User.Role.ACCOUNT_ADMIN)

    with pytest.raises(PermissionDenied, match="You cannot delete yourself."):
        services.user_delete(actor=account_admin, user=account_admin)
    assert User.objects.filter(pk=account_admin.pk).exists()


def test_the_last_admin_cannot_be_deleted(partner_admin, account_admin):
    with pytest.raises(ValidationError, match="last admin"):
        services.user_delete(actor=partner_admin, user=account_admin)
    assert User.objects.filter(pk=account_admin.pk).exists()


def test_a_plain_user_cannot_delete_users(member, account_admin):
    with pytest.raises(PermissionDenied):
        services.user_delete(actor=member, user=account_admin)


@pytest.mark.parametrize("persona", ["outsider", "other_partner_admin"])
def test_an_outsider_cannot_delete_users(persona, member, request):
    with pytest.raises(Http404):
        services.user_delete(actor=request.getfixturevalue(persona), user=member)
    assert User.objects.filter(pk=member.pk).exists()


def test_deleting_a_user_kills_their_welcome_link(account_admin, customer, add_user):
    user, token = add_user(account_admin, customer)

    services.user_delete(actor=account_admin, user=user)

    with pytest.raises(services.RegistrationLinkInvalid) as exc:
        services.welcome_link_resolve(token)
    assert exc.value.reason == "unknown"


# --- welcome links and user_welcome_resend ---------------------------------------------------------


def test_a_resent_welcome_email_supersedes_the_previous_link(account_admin, customer, add_user, resend):
    user, first = add_user(account_admin, customer)

    second = resend(account_admin, user)

    assert first != second and len(mail.outbox) == 2 and mail.outbox[1].to == [user.email]
    with pytest.raises(services.RegistrationLinkInvalid) as exc:
        services.welcome_link_resolve(first)
    assert exc.value.reason == "superseded"
    assert services.welcome_link_resolve(second).user == user
    assert actions(customer)[-1] == "user.welcome_sent"


def test_a_registered_user_gets_no_welcome_email(account_admin, member, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError, match="already registered"),
    ):
        services.user_welcome_resend(actor=account_admin, user=member)

    assert mail.outbox == [] and not AuditEvent.objects.filter(action="user.welcome_sent").exists()


def test_a_plain_user_cannot_resend_welcome_emails(member, customer):
    pending = UserFactory(account=customer, is_registered=False, password=False)

    with pytest.raises(PermissionDenied):
        services.user_welcome_resend(actor=member, user=pending)


def test_an_outsider_cannot_resend_welcome_emails(outsider, customer):
    pending = UserFactory(account=customer, is_registered=False, password=False)

    with pytest.raises(Http404):
        services.user_welcome_resend(actor=outsider, user=pending)
    assert not WelcomeLink.objects.exists()


@pytest.mark.parametrize("token", ["", "nope", "x" * 43])
def test_unknown_tokens_are_refused(token):
    with pytest.raises(services.RegistrationLinkInvalid) as exc:
        services.welcome_link_resolve(token)
    assert exc.value.reason == "unknown"


def test_an_expired_link_is_refused(account_admin, customer, add_user):
    user, token = add_user(account_admin, customer)
    WelcomeLink.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(services.RegistrationLinkInvalid) as exc:
        services.user_register(token=token, password="a-long-new-secret")
    assert exc.value.reason == "expired"
    user.refresh_from_db()
    assert not user.is_registered


def test_a_link_of_a_deactivated_account_is_refused(partner_admin, account_admin, customer, add_user):
    _, token = add_user(account_admin, customer)
    services.account_deactivate(actor=partner_admin, account=customer, confirmation="deactivate")

    with pytest.raises(services.RegistrationLinkInvalid) as exc:
        services.welcome_link_resolve(token)
    assert exc.value.reason == "account_deactivated"


# --- user_register ----------------------------------------------------------------------------------


def test_registration_sets_the_password_verifies_the_email_and_uses_up_the_link(
    account_admin, customer, add_user
):
    user, token = add_user(account_admin, customer)

    registered = services.user_register(token=token, password="a-long-new-secret")

    user.refresh_from_db()
    assert registered == user and user.is_registered and user.email_verified
    assert user.check_password("a-long-new-secret")
    assert WelcomeLink.objects.get(user=user).used_at is not None
    event = AuditEvent.objects.get(action="user.registered")
    assert event.actor == user and event.account == customer
    assert len(mail.outbox) == 1, "registering sends nothing more"


def test_a_link_works_only_once(account_admin, customer, add_user):
    user, token = add_user(account_admin, customer)
    services.user_register(token=token, password="a-long-new-secret")

    with pytest.raises(services.RegistrationLinkInvalid) as exc:
        services.user_register(token=token, password="another-secret-99")
    assert exc.value.reason == "used"
    user.refresh_from_db()
    assert user.check_password("a-long-new-secret")


def test_the_registration_race_is_won_by_one_request_only(account_admin, customer, add_user):
    """Two tabs open the same link; both saw a valid link, the second to submit loses."""
    user, token = add_user(account_admin, customer)
    first_tab, second_tab = services.welcome_link_resolve(token), services.welcome_link_resolve(token)
    assert first_tab.user == second_tab.user == user

    services.user_register(token=token, password="first-tab-secret")
    with pytest.raises(services.RegistrationLinkInvalid):
        services.user_register(token=token, password="second-tab-secret")

    user.refresh_from_db()
    assert user.check_password("first-tab-secret") and not user.check_password("second-tab-secret")
    assert AuditEvent.objects.filter(action="user.registered").count() == 1


def test_a_superseded_link_cannot_register(account_admin, customer, add_user, resend):
    user, first = add_user(account_admin, customer)
    resend(account_admin, user)

    with pytest.raises(services.RegistrationLinkInvalid) as exc:
        services.user_register(token=first, password="a-long-new-secret")
    assert exc.value.reason == "superseded"


def test_a_link_stops_working_once_the_password_is_set_another_way(account_admin, customer, add_user):
    user, token = add_user(account_admin, customer)
    User.objects.filter(pk=user.pk).update(is_registered=True)

    with pytest.raises(services.RegistrationLinkInvalid) as exc:
        services.welcome_link_resolve(token)
    assert exc.value.reason == "registered"


# --- user_password_reset_send -----------------------------------------------------------------------


def test_password_reset_emails_a_working_reset_link_and_is_audited(
    account_admin, member, django_capture_on_commit_callbacks, settings
):
    settings.PORTAL_BASE_URL = "http://testserver"
    with django_capture_on_commit_callbacks(execute=True):
        services.user_password_reset_send(actor=account_admin, user=member)

    message = mail.outbox[0]
    assert message.to == [member.email] and message.subject == "Reset your CloudLink password for Globex Corp"
    link = re.search(r"http://testserver(/auth/password/reset/key/\S+/)", message.body)[1]
    assert link in message.alternatives[0][0]
    assert AuditEvent.objects.get(action="user.password_reset_sent").actor == account_admin
    page = Client().get(link, follow=True)
    assert page.status_code == 200 and 'name="password1"' in page.content.decode()


def test_an_unregistered_user_gets_no_password_reset(account_admin, customer):
    pending = UserFactory(account=customer, is_registered=False, password=False)

    with pytest.raises(ValidationError, match="resend the welcome email"):
        services.user_password_reset_send(actor=account_admin, user=pending)


def test_a_plain_user_cannot_send_password_resets(member, account_admin):
    with pytest.raises(PermissionDenied):
        services.user_password_reset_send(actor=member, user=account_admin)


def test_an_outsider_cannot_send_password_resets(outsider, member):
    with pytest.raises(Http404):
        services.user_password_reset_send(actor=outsider, user=member)
