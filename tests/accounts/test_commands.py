import pytest
from django.core.management import CommandError, call_command

from accounts.authn import user_authenticate
from accounts.models import Account, User

pytestmark = pytest.mark.django_db


def test_createpartner_creates_partner_and_first_admin_who_can_sign_in(capsys):
    call_command(
        "createpartner",
        "--name",
        "Acme Resellers",
        "--email",
        "Boss@Acme.example",
        "--password",
        "s3cure-pass-42",
    )

    partner = Account.objects.get(name="Acme Resellers")
    admin = User.objects.get(account=partner)
    assert partner.kind == Account.Kind.PARTNER and admin.role == User.Role.PARTNER_ADMIN
    assert user_authenticate(email="boss@acme.example", password="s3cure-pass-42") == admin
    assert partner.account_number in capsys.readouterr().out


def test_createpartner_rejects_weak_password_and_duplicates():
    with pytest.raises(CommandError, match="Password rejected"):
        call_command("createpartner", "--name", "Weak", "--email", "w@x.example", "--password", "123")
    assert not Account.objects.filter(name="Weak").exists()
    call_command("createpartner", "--name", "Twice", "--email", "t@x.example", "--password", "s3cure-pass-42")
    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "createpartner", "--name", "twice", "--email", "t2@x.example", "--password", "s3cure-pass-42"
        )


def test_seed_demo_is_idempotent_and_prints_the_sign_in(capsys):
    call_command("seed_demo")
    counts = Account.objects.count(), User.objects.count()
    call_command("seed_demo")

    assert (Account.objects.count(), User.objects.count()) == counts == (4, 7)
    partner = Account.objects.get(name="Demo Partner")
    assert partner.customers.count() == 2
    out = capsys.readouterr().out
    assert "partner@demo.example" in out and "demo-partner-2026" in out
    assert user_authenticate(email="partner@demo.example", password="demo-partner-2026").account == partner
    # The Outbox holds reset links: the demo says who reads it and signs in an operator who reads all.
    assert "operator@demo.example" in out and "demo-operator-2026" in out and "/outbox/" in out
    operator = user_authenticate(email="operator@demo.example", password="demo-operator-2026")
    assert operator.is_staff and operator.role == User.Role.USER
    assert operator.account.name == "Demo Operations" and operator.account.users.count() == 1


def test_createoperator_makes_a_platform_operator_who_can_sign_in(capsys, monkeypatch):
    monkeypatch.setenv("PORTAL_OPERATOR_PASSWORD", "s3cure-ops-42")
    call_command("createoperator", "--email", "Ops@Platform.example")

    operator = User.objects.get(email="ops@platform.example")
    assert operator.is_staff is True
    assert operator.role == User.Role.USER and operator.account.kind == Account.Kind.PARTNER
    assert operator.account.name == "Platform Operations"
    assert user_authenticate(email="ops@platform.example", password="s3cure-ops-42") == operator
    assert "/operator/apps/" in capsys.readouterr().out

    # Again, with --password: the same operator, the password unchanged.
    call_command("createoperator", "--email", "ops@platform.example", "--password", "0ther-pass-99")
    assert User.objects.filter(email="ops@platform.example").count() == 1
    assert user_authenticate(email="ops@platform.example", password="s3cure-ops-42") == operator


def test_createoperator_needs_a_password_that_passes_the_validators(monkeypatch):
    monkeypatch.delenv("PORTAL_OPERATOR_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="--password"):
        call_command("createoperator", "--email", "ops@platform.example")
    with pytest.raises(CommandError, match="Password rejected"):
        call_command("createoperator", "--email", "ops@platform.example", "--password", "123")
    assert not User.objects.filter(email="ops@platform.example").exists()
