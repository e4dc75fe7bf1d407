"""POST /token with grant_type=refresh_token: rotation, reuse detection, expiry, account state."""

from datetime import timedelta

import jwt
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from oauth.models import RefreshToken
from oauth.tokens import access_token_decode
from tests.oauth.statements import statements
from tests.oauth.token_helpers import TOKEN_URL, assert_error, post_form, sign_in

pytestmark = pytest.mark.django_db


def refresh(token, key="refresh_token", post=post_form, **headers):
    return post({"grant_type": "refresh_token", key: token}, **headers)


def row_of(refresh_token: str) -> RefreshToken:
    return RefreshToken.objects.get(jti=jwt.decode(refresh_token, options={"verify_signature": False})["jti"])


@pytest.mark.parametrize("key", ["refresh_token", "token"])
def test_refresh_returns_a_new_pair_under_either_key(post, member, password, key):
    first = sign_in(member, password)

    response = refresh(first["refresh_token"], key=key, post=post)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"token_type", "expires_in", "access_token", "refresh_token", "scope"}
    assert body["token_type"] == "bearer"
    assert body["refresh_token"] != first["refresh_token"]
    assert access_token_decode(body["access_token"])["userId"] == str(member.user_id)


def test_grant_type_is_matched_case_insensitively(member, password):
    first = sign_in(member, password)

    response = post_form({"grant_type": "Refresh_Token", "refresh_token": first["refresh_token"]})

    assert response.status_code == 201


def test_rotation_marks_the_old_token_used_and_keeps_the_family(member, password):
    first = sign_in(member, password)

    second = refresh(first["refresh_token"]).json()

    old, new = row_of(first["refresh_token"]), row_of(second["refresh_token"])
    assert old.used_at is not None and old.revoked_at is None
    assert new.used_at is None and new.revoked_at is None
    assert new.family == old.family
    assert new.user == member


def test_the_new_refresh_token_works_and_rotates_again(member, password):
    first = sign_in(member, password)
    second = refresh(first["refresh_token"]).json()

    third = refresh(second["refresh_token"])

    assert third.status_code == 201
    assert RefreshToken.objects.filter(family=row_of(first["refresh_token"]).family).count() == 3


def test_each_sign_in_starts_its_own_family(member, password):
    a, b = sign_in(member, password), sign_in(member, password)

    assert row_of(a["refresh_token"]).family != row_of(b["refresh_token"]).family


def test_reusing_a_used_refresh_token_is_401_and_revokes_the_whole_family(member, password):
    first = sign_in(member, password)
    second = refresh(first["refresh_token"]).json()

    replay = refresh(first["refresh_token"])

    body = assert_error(replay, 401, "InvalidLoginCredentials")
    assert "revoked" in body["message"]
    family = row_of(first["refresh_token"]).family
    assert not RefreshToken.objects.filter(family=family, revoked_at__isnull=True).exists()
    # The legitimate holder's newer token is dead too: the family is gone.
    assert_error(refresh(second["refresh_token"]), 401, "InvalidLoginCredentials")


def test_revoking_a_family_also_ends_its_access_tokens(member, password):
    first = sign_in(member, password)
    second = refresh(first["refresh_token"]).json()
    other_device = sign_in(member, password)

    refresh(first["refresh_token"])  # replay: the family is revoked

    def whoami(access_token):
        return APIClient().get(TOKEN_URL, HTTP_AUTHORIZATION=f"Bearer {access_token}")

    assert whoami(first["access_token"]).status_code == 401
    assert whoami(second["access_token"]).status_code == 401
    assert whoami(other_device["access_token"]).status_code == 200


def test_reuse_revokes_only_that_family(member, password):
    stolen = sign_in(member, password)
    other_device = sign_in(member, password)
    refresh(stolen["refresh_token"])

    refresh(stolen["refresh_token"])

    assert refresh(other_device["refresh_token"]).status_code == 201


def test_expired_refresh_token_row_is_401(member, password):
    first = sign_in(member, password)
    RefreshToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert_error(refresh(first["refresh_token"]), 401, "InvalidLoginCredentials")


def test_refresh_token_whose_jwt_has_expired_is_401(member, password, settings):
    settings.PORTAL_REFRESH_TOKEN_SECONDS = -5
    first = sign_in(member, password)
    RefreshToken.objects.update(expires_at=timezone.now() + timedelta(days=1))  # only the JWT says so

    assert_error(refresh(first["refresh_token"]), 401, "InvalidLoginCredentials")


def test_a_revoked_refresh_token_is_401(member, password):
    first = sign_in(member, password)
    RefreshToken.objects.update(revoked_at=timezone.now())

    assert_error(refresh(first["refresh_token"]), 401, "InvalidLoginCredentials")


def test_a_refresh_token_whose_row_is_gone_is_401(member, password):
    first = sign_in(member, password)
    RefreshToken.objects.all().delete()

    assert_error(refresh(first["refresh_token"]), 401, "InvalidLoginCredentials")


@pytest.mark.parametrize("garbage", ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.eyJ0eXAiOiJyZWZyZXNoIn0."])
def test_garbage_refresh_token_is_401(post, db, garbage):
    assert_error(refresh(garbage, post=post), 401, "InvalidLoginCredentials")


def test_a_forged_refresh_token_is_401(member, password):
    first = sign_in(member, password)
    claims = jwt.decode(first["refresh_token"], options={"verify_signature": False})
    forged = jwt.encode(claims, "attacker-secret-" * 4, algorithm="HS256")

    assert_error(refresh(forged), 401, "InvalidLoginCredentials")


def test_an_access_token_is_not_a_refresh_token(member, password):
    first = sign_in(member, password)

    assert_error(refresh(first["access_token"]), 401, "InvalidLoginCredentials")


def test_a_refresh_token_is_not_an_access_token(member, password):
    first = sign_in(member, password)

    response = APIClient().get(TOKEN_URL, HTTP_AUTHORIZATION=f"Bearer {first['refresh_token']}")

    assert response.status_code == 401


def test_missing_refresh_token_is_400_missing_parameters(post, db):
    body = assert_error(post({"grant_type": "refresh_token"}), 400, "MissingParameters")

    assert "refresh_token" in body["message"]


def test_refresh_after_the_account_was_deactivated_is_403_inactive_account(
    post, partner_admin, customer, member, password
):
    first = sign_in(member, password)
    services.account_deactivate(actor=partner_admin, account=customer, confirmation="deactivate")

    assert_error(refresh(first["refresh_token"], post=post), 403, "InactiveAccount")
    assert row_of(first["refresh_token"]).used_at is None


def test_refresh_after_the_user_was_disabled_is_403_user_not_active(member, password):
    first = sign_in(member, password)
    member.is_active = False
    member.save(update_fields=["is_active"])

    assert_error(refresh(first["refresh_token"]), 403, "UserNotActive")


def test_refreshed_access_token_carries_the_users_current_role(member, password):
    first = sign_in(member, password)
    member.role = member.Role.ACCOUNT_ADMIN
    member.save(update_fields=["role"])

    body = refresh(first["refresh_token"]).json()

    assert access_token_decode(body["access_token"])["role"] == "ACCOUNT_ADMIN"


def test_x_mitel_app_is_recorded_on_the_rotated_token(member, password):
    first = sign_in(member, password, HTTP_X_MITEL_APP="first-app/1.0")

    second = refresh(first["refresh_token"], HTTP_X_MITEL_APP="app=MyApp/1.0;platform=Linux;session=abc123;")

    assert row_of(first["refresh_token"]).mitel_app == "first-app/1.0"
    assert row_of(second.json()["refresh_token"]).mitel_app == "app=MyApp/1.0;platform=Linux;session=abc123;"


def test_authorization_header_is_ignored_on_refresh(member, password):
    first = sign_in(member, password)

    response = refresh(first["refresh_token"], HTTP_AUTHORIZATION="Bearer stale.garbage.token")

    assert response.status_code == 201


def test_refresh_responses_carry_a_correlation_id(member, password):
    first = sign_in(member, password)

    ok = refresh(first["refresh_token"])
    replay = refresh(first["refresh_token"])

    assert ok["x-mitel-correlation-id"] and replay["x-mitel-correlation-id"]


def test_refresh_token_carries_cloudlinks_refresh_claims(member, password):
    first = sign_in(member, password)

    header = jwt.get_unverified_header(first["refresh_token"])
    claims = jwt.decode(first["refresh_token"], options={"verify_signature": False})

    assert header["alg"] == "RS256" and header["kid"]
    assert claims["accountId"] == str(member.account.account_id)
    assert claims["type"] == "user"
    assert claims["id"] == str(member.user_id)
    assert claims["assumedRole"] == member.role
    assert claims["authProvider"] == "cloudlink"
    assert claims["iss"] == "http://testserver/api/authentication/cloudlink"
    assert claims["typ"] == "refresh"
    row = RefreshToken.objects.get(user=member)
    assert claims["jti"] == str(row.jti)
    assert claims["exp"] == int(row.expires_at.timestamp())
    assert claims["exp"] - claims["iat"] == 14 * 24 * 3600


def test_a_rotation_is_one_select_one_update_one_insert(member, password):
    first = sign_in(member, password)

    with statements() as verbs:
        response = refresh(first["refresh_token"])

    assert response.status_code == 201
    assert dict(verbs) == {"SELECT": 1, "UPDATE": 1, "INSERT": 1}
