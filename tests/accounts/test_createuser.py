"""``manage.py createuser``: a registered user in an existing account, created through the same
service as the console, without any email."""

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from accounts.authn import user_authenticate
from accounts.models import AuditEvent, User, WelcomeLink

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "s3cure-pass-42"


def createuser(*args: str) -> None:
    call_command("createuser", *args)


def test_creates_a_registered_user_who_can_sign_in_at_once(
    customer, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        createuser(
            "--account",
            customer.account_number,
            "--email",
            "New.Hire@Globex.example",
            "--password",
            GOOD_PASSWORD,
            "--name",
            "New Hire",
            "--extension",
            "2001",
        )

    user = User.objects.get(account=customer, email="new.hire@globex.example")
    assert (user.role, user.name, user.extension) == (User.Role.USER, "New Hire", "2001")
    assert user.is_registered and user.email_verified
    assert user_authenticate(email="new.hire@globex.example", password=GOOD_PASSWORD) == user
    assert not mail.outbox and not callbacks and not WelcomeLink.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action="user.created", account=customer)
    assert event.actor is None and event.actor_label == "system"
    out = capsys.readouterr().out
    assert "new.hire@globex.example" in out and customer.account_number in out and str(user.user_id) in out


@pytest.mark.parametrize("role", ["ACCOUNT_ADMIN", "account_admin"])
def test_role_account_admin(customer, role):
    createuser(
        "--account",
        str(customer.account_id),
        "--email",
        "boss@globex.example",
        "--password",
        GOOD_PASSWORD,
        "--role",
        role,
    )
    assert User.objects.get(email="boss@globex.example").role == User.Role.ACCOUNT_ADMIN


def test_unknown_account_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No account with number or ID '999999999'"):
        createuser("--account", "999999999", "--email", "x@y.example", "--password", GOOD_PASSWORD)
    assert not User.objects.exists()


def test_duplicate_email_in_the_account_is_refused(customer, member):
    with pytest.raises(CommandError, match="One or more of the attribute values are already in use"):
        createuser(
            "--account", customer.account_number, "--email", member.email.upper(), "--password", GOOD_PASSWORD
        )
    assert User.objects.filter(account=customer).count() == 1


def test_the_same_email_in_another_account_is_fine(customer, outsider_customer, member):
    createuser(
        "--account", outsider_customer.account_number, "--email", member.email, "--password", GOOD_PASSWORD
    )
    assert User.objects.filter(email=member.email).count() == 2


@pytest.mark.parametrize(
    "password, says",
    [("short1", "too short"), ("12345678901", "entirely numeric"), ("password123", "too common")],
)
def test_weak_password_is_refused_by_djangos_validators(customer, password, says):
    with pytest.raises(CommandError, match=f"Password rejected: .*{says}"):
        createuser(
            "--account", customer.account_number, "--email", "weak@globex.example", "--password", password
        )
    assert not User.objects.filter(email="weak@globex.example").exists()


@pytest.mark.parametrize("role", ["PARTNER_ADMIN", "GOD", ""])
def test_bad_role_is_refused(customer, role):
    with pytest.raises(CommandError, match="--role must be one of USER, ACCOUNT_ADMIN"):
        createuser(
            "--account",
            customer.account_number,
            "--email",
            "r@globex.example",
            "--password",
            GOOD_PASSWORD,
            "--role",
            role,
        )
    assert not User.objects.filter(email="r@globex.example").exists()


def test_invalid_email_is_refused(customer):
    with pytest.raises(CommandError, match="email"):
        createuser(
            "--account", customer.account_number, "--email", "not-an-email", "--password", GOOD_PASSWORD
        )
    assert not User.objects.filter(account=customer).exists()
