"""``iexact`` compiles to ``LOWER(col) = LOWER(value)``: the expression of the LOWER(...) indexes."""

from accounts.models import User
from tests.accounts.factories import UserFactory


def test_iexact_compiles_to_lower_on_both_sides(db):
    sql = str(User.objects.filter(email__iexact="Ada@Example.com").query)

    assert 'LOWER("accounts_user"."email") = LOWER(' in sql


def test_iexact_matches_whatever_the_case(db):
    user = UserFactory(email="Ada.Lovelace@Example.com")
    UserFactory(email="someone.else@example.com")

    assert list(User.objects.filter(email__iexact="ada.lovelace@EXAMPLE.COM")) == [user]


def test_iexact_none_still_means_is_null(db):
    UserFactory(name="")

    assert list(User.objects.filter(name__iexact=None)) == []
