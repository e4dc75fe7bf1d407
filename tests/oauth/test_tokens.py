"""Signing and verifying read the active keys from the shared cache; a rotation drops them."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from oauth.tokens import (
    SIGNING_KEYS_CACHE_KEY,
    TokenError,
    access_token_decode,
    access_token_issue,
    public_jwks,
    signing_key_rotate,
)
from tests.oauth.statements import statements
from tests.oauth.token_helpers import TOKEN_URL, sign_in

pytestmark = pytest.mark.django_db


def test_once_the_keys_are_cached_signing_and_verifying_read_no_row(member):
    access_token_decode(access_token_issue(member)[0])  # the first token creates the first key

    with statements() as verbs:
        token, _ = access_token_issue(member)
        access_token_decode(token)

    assert dict(verbs) == {}


def test_a_rotation_drops_the_cached_keys_and_the_new_key_signs(member):
    before, _ = access_token_issue(member)
    assert cache.get(SIGNING_KEYS_CACHE_KEY) is not None

    key = signing_key_rotate()

    assert cache.get(SIGNING_KEYS_CACHE_KEY) is None
    after, _ = access_token_issue(member)
    assert APIClient().get(TOKEN_URL, HTTP_AUTHORIZATION=f"Bearer {after}").json()["userId"] == str(
        member.user_id
    )
    assert [jwk["kid"] for jwk in public_jwks()["keys"]][0] == key.kid
    assert access_token_decode(before)["userId"] == str(member.user_id)  # the old key still verifies


def test_retiring_the_previous_keys_refuses_their_tokens_at_once(member):
    before, _ = access_token_issue(member)
    access_token_decode(before)  # the key set is cached now

    signing_key_rotate(retire_previous=True)

    with pytest.raises(TokenError):
        access_token_decode(before)


def test_get_token_reads_one_row_for_a_user_token(member, password):
    token = sign_in(member, password)["access_token"]
    client = APIClient()

    with statements() as verbs:
        response = client.get(TOKEN_URL, HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200
    assert dict(verbs) == {"SELECT": 1}
