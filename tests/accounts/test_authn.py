import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from accounts import authn
from accounts.authn import user_authenticate
from tests.accounts.factories import CustomerAccountFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_right_credentials_return_the_user(account_admin, password):
    assert user_authenticate(email="ADA@globex.example ", password=password) == account_admin


@pytest.mark.parametrize(
    ("email", "pw", "account"),
    [
        ("ada@globex.example", "wrong-password", None),
        ("nobody@globex.example", "correct-horse-battery", None),
        ("ada@globex.example", "correct-horse-battery", "999999999"),
        ("ada@globex.example", "correct-horse-battery", "not-a-ref"),
    ],
)
def test_wrong_credentials_all_look_the_same(account_admin, email, pw, account):
    with pytest.raises(authn.InvalidCredentials) as exc:
        user_authenticate(email=email, password=pw, account_ref=account)
    assert exc.value.status == 401 and exc.value.name == "InvalidLoginCredentials"


def test_email_in_two_accounts_asks_for_the_account_only_with_the_right_password(
    account_admin, partner, password
):
    other = CustomerAccountFactory(parent=partner)
    twin = UserFactory(account=other, email=account_admin.email)

    with pytest.raises(authn.InvalidCredentials):
        user_authenticate(email=account_admin.email, password="wrong-password")
    with pytest.raises(authn.MultipleAccountsMatch) as exc:
        user_authenticate(email=account_admin.email, password=password)
    assert exc.value.status == 409

    assert user_authenticate(email=twin.email, password=password, account_ref=other.account_number) == twin
    assert user_authenticate(email=twin.email, password=password, account_ref=str(other.account_id)) == twin


def test_an_invited_user_without_a_password_is_invalid_credentials_like_an_unknown_email(customer):
    pending = UserFactory(account=customer, is_registered=False, password=False)
    with pytest.raises(authn.InvalidCredentials):
        user_authenticate(email=pending.email, password="anything-at-all")


def test_disabled_user_cannot_sign_in(member, password):
    member.is_active = False
    member.save()
    with pytest.raises(authn.UserNotActive):
        user_authenticate(email=member.email, password=password)


PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


def test_a_pbkdf2_hash_is_rehashed_with_argon2id_at_sign_in(member, password, settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    member.password = PBKDF2PasswordHasher().encode(password, "pbkdf2salt", iterations=1000)
    member.save(update_fields=["password"])

    assert user_authenticate(email=member.email, password=password) == member

    member.refresh_from_db()
    assert member.password.startswith("argon2$argon2id$")
    assert user_authenticate(email=member.email, password=password) == member
