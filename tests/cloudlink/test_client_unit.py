"""The client's pure parts (retry-after, URLs, PKCE, x-mitel-app, typed results) and its HTTP
behaviour against a scripted local server for what the portal never sends."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from cloudlink import (
    CLOUDLINK_URLS,
    Call,
    Claims,
    CloudLink,
    NotAuthenticated,
    Page,
    RateLimited,
    ServerError,
    Token,
    User,
    default_mitel_app,
    parse_retry_after,
    pkce_pair,
    resolve_link,
    service_urls,
)
from cloudlink.auth import basic_auth_header

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "value, seconds",
    [
        ("1500", 1.5),  # bare integers are milliseconds (this portal, the issue)
        ("0", 0.0),
        ("250ms", 0.25),
        ("2s", 2.0),
        (" 3 seconds ", 3.0),
        ("1.5s", 1.5),
    ],
)
def test_retry_after_numbers_are_milliseconds_unless_a_unit_says_otherwise(value, seconds):
    assert parse_retry_after(value, now=NOW) == pytest.approx(seconds)


def test_retry_after_bare_numbers_can_be_read_as_seconds():
    assert parse_retry_after("2", unit="seconds") == 2.0
    assert parse_retry_after("250ms", unit="seconds") == 0.25


def test_retry_after_http_date_is_the_time_left_until_then():
    later = format_datetime(NOW + timedelta(seconds=7), usegmt=True)  # "Wed, 01 May 2024 12:00:07 GMT"
    assert parse_retry_after(later, now=NOW) == pytest.approx(7.0)
    earlier = format_datetime(NOW - timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(earlier, now=NOW) == 0.0


@pytest.mark.parametrize("value", [None, "", "   ", "soon", "-5", "Mon, 99 Foo 2024"])
def test_retry_after_unreadable_or_missing_is_none(value):
    assert parse_retry_after(value, now=NOW) is None


def test_base_url_points_every_service_at_the_portal_mounts():
    urls = service_urls("http://127.0.0.1:8000/api/")
    assert urls["authentication"] == "http://127.0.0.1:8000/api/authentication/2017-09-01"
    assert urls["media"] == "http://127.0.0.1:8000/api/media/2017-09-01"
    assert service_urls()["admin"] == "https://admin.api.mitel.io/2017-09-01" == CLOUDLINK_URLS["admin"]
    mixed = service_urls(urls={"chat": "https://chat.us.api.mitel.io/2017-09-01/"})
    assert mixed["chat"] == "https://chat.us.api.mitel.io/2017-09-01"
    assert mixed["authentication"] == "https://authentication.api.mitel.io/2017-09-01"
    with pytest.raises(ValueError):
        service_urls(urls={"billing": "https://x"})


def test_links_are_resolved_against_the_service_root():
    base = "http://host/api/admin/2017-09-01"
    assert resolve_link(base, "/accounts") == f"{base}/accounts"
    assert resolve_link(base, "/2017-09-01/accounts?$skip=2&$top=2") == f"{base}/accounts?$skip=2&$top=2"
    assert (
        resolve_link("https://admin.api.mitel.io/2017-09-01", "/2017-09-01/accounts?$skip=2")
        == "https://admin.api.mitel.io/2017-09-01/accounts?$skip=2"
    )
    assert resolve_link(base, "https://elsewhere/x") == "https://elsewhere/x"


def test_pkce_pair_is_s256():
    verifier, challenge = pkce_pair()
    assert 43 <= len(verifier) <= 128
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert challenge == expected


def test_basic_auth_form_encodes_each_part():
    header = basic_auth_header("my client", "s:e/c")
    assert base64.b64decode(header.removeprefix("Basic ")).decode() == "my+client:s%3Ae%2Fc"


def test_default_x_mitel_app_names_the_client_the_platform_and_a_session():
    value = default_mitel_app()
    assert re.fullmatch(r"app=cloudlink-python/[\d.]+;platform=[^/;]+/[^;]*;session=[0-9a-f-]{36};", value)
    assert default_mitel_app() != value  # one session id per client


def test_typed_results_keep_the_whole_answer():
    user = User.from_dict(
        {"userId": "u1", "email": "a@b.c", "sipAddress": "u1@x", "_links": {"self": "/u/1"}}
    )
    assert (user.user_id, user.email, user["sipAddress"], user.self_link) == ("u1", "a@b.c", "u1@x", "/u/1")
    call = Call.from_dict(
        {"callId": "endpoints/2001/calls/1", "from": "2002", "to": "2001", "state": "ringing"}
    )
    assert (call.from_, call.to, call.state) == ("2002", "2001", "ringing")
    claims = Claims.from_dict(
        {"principalId": "p", "accountId": "a", "role": "USER", "exp": "1700000000", "emailVerified": "true"}
    )
    assert claims.exp == 1700000000 and claims.email_verified is True
    page = Page.from_dict(
        {
            "count": 1,
            "_links": {"self": "/x", "next": "/x?$skip=1"},
            "_embedded": {"items": [{"userId": "u2"}]},
        },
        User,
    )
    assert [u.user_id for u in page] == ["u2"] and page.next_link == "/x?$skip=1"


def test_a_token_without_expiry_is_not_refreshed_ahead_of_time():
    assert not Token(access_token="x").expires_within(3600)
    assert Token(access_token="x", expires_in=10).expires_within(30)


def test_calls_before_signing_in_raise_not_authenticated():
    with pytest.raises(NotAuthenticated):
        CloudLink(base_url="http://127.0.0.1:9/api").whoami()


def test_http_date_retry_after_is_waited_then_the_call_succeeds(stub_server):
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=3), usegmt=True)
    base = stub_server(
        [
            (429, {"retry-after": later}, {"name": "TooManyRequests", "message": "slow down"}),
            (200, {}, {"principalId": "p", "accountId": "a", "role": "USER", "exp": "1"}),
        ]
    )
    sleeps: list[float] = []
    client = CloudLink(urls={"authentication": f"{base}/2017-09-01"}, sleep=sleeps.append, jitter=0.5)
    client.use_token("token-1")
    assert client.whoami().principal_id == "p"
    assert len(sleeps) == 1 and 1.5 <= sleeps[0] <= 3.5  # whole-second date, plus jitter
    sent = stub_server.server.requests
    assert [r["path"] for r in sent] == ["/2017-09-01/token"] * 2
    assert all(r["headers"]["Authorization"] == "Bearer token-1" for r in sent)
    assert sent[0]["headers"]["x-mitel-app"].startswith("app=cloudlink-python/")


def test_bare_retry_after_in_seconds_when_configured(stub_server):
    base = stub_server(
        [
            (429, {"retry-after": "4"}, {"name": "TooManyRequests", "message": ""}),
            (200, {}, {"principalId": "p", "accountId": "a", "role": "USER"}),
        ]
    )
    sleeps: list[float] = []
    client = CloudLink(
        urls={"authentication": base}, sleep=sleeps.append, jitter=0, retry_after_unit="seconds"
    )
    client.use_token("t")
    client.whoami()
    assert sleeps == [4.0]


def test_a_retry_after_longer_than_allowed_is_not_waited(stub_server):
    base = stub_server([(429, {"retry-after": "600000"}, {"name": "TooManyRequests", "message": "later"})])
    sleeps: list[float] = []
    client = CloudLink(urls={"authentication": base}, sleep=sleeps.append, max_retry_wait=60)
    client.use_token("t")
    with pytest.raises(RateLimited) as caught:
        client.whoami()
    assert sleeps == [] and caught.value.retry_after == 600.0 and caught.value.attempts == 1


def test_server_errors_are_logged_with_both_request_ids(stub_server, caplog):
    base = stub_server(
        [
            (
                502,
                {"x-mitel-correlation-id": "corr-123", "x-amzn-requestid": "amzn-456"},
                {"message": "Internal server error " + "x" * 5000},
            )
        ]
    )
    client = CloudLink(urls={"admin": base})
    client.use_token("t")
    with caplog.at_level(logging.WARNING, logger="cloudlink"), pytest.raises(ServerError) as caught:
        client.admin.get_account("123")
    error = caught.value
    assert (error.status, error.correlation_id, error.request_id) == (502, "corr-123", "amzn-456")
    assert error.message.startswith("Internal server error")
    [record] = [r for r in caplog.records if r.name == "cloudlink"]
    assert record.levelno == logging.ERROR
    text = record.getMessage()
    assert f"GET {base}/accounts/123 -> 502" in text
    assert "correlation_id=corr-123" in text and "request_id=amzn-456" in text
    assert text.endswith("...(truncated)") and len(record.cloudlink_body) < 1100
    assert json.loads(stub_server.server.requests[0]["body"] or "null") is None


def test_media_calls_use_cloudlinks_paths_and_bodies(stub_server):
    call = {
        "callId": "endpoints/2001/calls/42",
        "from": "2001",
        "to": "2002",
        "state": "connected",
        "direction": "outbound",
    }
    base = stub_server([(200, {}, call)])
    client = CloudLink(urls={"media": f"{base}/2017-09-01"})
    client.use_token("t")
    made = client.media.make_call("2001", "2002")
    assert (made.call_id, made.state, made.direction) == ("endpoints/2001/calls/42", "connected", "outbound")
    client.media.get_call("2001", made.call_id)
    client.media.hold("2001", "42")
    sent = stub_server.server.requests
    assert [(r["method"], r["path"]) for r in sent] == [
        ("POST", "/2017-09-01/endpoints/2001/calls"),
        ("GET", "/2017-09-01/endpoints/2001/calls/42"),
        ("PUT", "/2017-09-01/endpoints/2001/calls/42"),
    ]
    assert json.loads(sent[0]["body"]) == {"to": "2002"} and json.loads(sent[2]["body"]) == {"action": "hold"}
