"""Malformed and hostile bearer tokens: each is a 401 that says why, never a 500, and a token
signed by us with its header tampered with is refused."""

import base64
import json

import pytest
from rest_framework.test import APIClient

from oauth.tokens import TokenError, access_token_decode, access_token_issue

pytestmark = pytest.mark.django_db

CLAIMS = "/api/authentication/2017-09-01/token"


def segment(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


NOT_A_JWT = "The token is not a valid JWT."
UNKNOWN_KEY = "The token was not signed by a current key."


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("not-a-jwt.x.y", NOT_A_JWT),
        ("%%%.e30.sig", NOT_A_JWT),
        (f"{segment([1, 2])}.e30.sig", NOT_A_JWT),
        (f"{segment('text')}.e30.sig", NOT_A_JWT),
        (f"{segment({'alg': 'RS256'})}.e30.sig.extra", NOT_A_JWT),
        (base64.urlsafe_b64encode(b"\xff\xfe").decode().rstrip("=") + ".e30.sig", NOT_A_JWT),
        (f"{segment({'alg': 'RS256', 'kid': 12})}.e30.sig", UNKNOWN_KEY),
        (f"{segment({'alg': 'none', 'kid': 'unknown'})}.e30.", UNKNOWN_KEY),
    ],
)
def test_a_malformed_token_is_a_401_that_says_so(token, message):
    with pytest.raises(TokenError, match=message):
        access_token_decode(token)

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.get(CLAIMS)

    assert response.status_code == 401, response.content
    assert response.json()["message"] == message


def test_our_token_with_its_header_swapped_for_alg_none_is_refused(member):
    token, _ = access_token_issue(member)
    header, payload, _signature = token.split(".")
    kid = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]
    forged = f"{segment({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{payload}."

    with pytest.raises(TokenError, match="not valid"):
        access_token_decode(forged)
    assert access_token_decode(token)["userId"] == str(member.user_id)
