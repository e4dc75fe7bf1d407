"""Webhook deliveries are signed (x-mitel-signature, HMAC-SHA256 of "<t>.<body>" with the
subscription's secret, shown once) and go only where the address policy allows at the moment of
delivery, to the address that was checked (real local HTTP receivers; tasks in-process)."""

from __future__ import annotations

import hashlib
import hmac
import socket
import threading
import time
from http.server import ThreadingHTTPServer

import pytest

from notifications.models import DeliveryAttempt, Subscription
from tests.notifications.conftest import WebhookServer, _handler_for
from tests.notifications.test_delivery import call_event, subscribe

pytestmark = pytest.mark.django_db

BASE = "/api/notifications/2017-09-01"


# The receiver's check, as docs/notifications.md shows it (keep the two the same).
def verify(secret: str, header: str, body: bytes, tolerance: int = 300, now: float | None = None) -> bool:
    """True when `header` (x-mitel-signature) signs the raw `body` with `secret` and is recent."""
    try:
        pairs = [part.split("=", 1) for part in header.split(",")]
        timestamp = int(next(value for key, value in pairs if key == "t"))
    except (StopIteration, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False  # too old (a replay) or from the future
    signed = f"{timestamp}.".encode() + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return any(key == "v1" and hmac.compare_digest(value, expected) for key, value in pairs)


def subscribe_by_api(client, url) -> dict:
    response = client.post(
        f"{BASE}/subscriptions",
        {"applicationId": "app", "deviceId": url, "transport": "webhook", "topic": "platform-api-media"},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


# --- the secret -----------------------------------------------------------------------------------------


def test_the_secret_is_in_the_create_answer_only(api_client_for, member, webhook_server):
    client = api_client_for(member)

    created = subscribe_by_api(client, webhook_server.url)

    assert created["secret"].startswith("whsec_") and len(created["secret"]) >= 40
    assert Subscription.objects.get(subscription_id=created["subscriptionId"]).secret == created["secret"]
    again = client.get(f"{BASE}/subscriptions/{created['subscriptionId']}").json()
    listed = client.get(f"{BASE}/subscriptions").json()["_embedded"]["items"]
    deleted = client.delete(f"{BASE}/subscriptions/{created['subscriptionId']}").json()
    for body in (again, listed[0], deleted):
        assert "secret" not in body and created["secret"] not in str(body)


def test_every_subscription_gets_its_own_secret(api_client_for, member, webhook_server):
    client = api_client_for(member)
    secrets = {subscribe_by_api(client, webhook_server.url)["secret"] for _ in range(3)}
    assert len(secrets) == 3


def test_the_owner_rotates_the_secret_and_others_cannot(
    api_client_for, member, account_admin, webhook_server, publish_now
):
    client = api_client_for(member)
    created = subscribe_by_api(client, webhook_server.url)
    path = f"{BASE}/subscriptions/{created['subscriptionId']}/secret"

    assert api_client_for(account_admin).post(path).status_code == 404
    rotated = client.post(path)

    assert rotated.status_code == 200, rotated.content
    new_secret = rotated.json()["secret"]
    assert new_secret.startswith("whsec_") and new_secret != created["secret"]
    assert rotated.json()["subscriptionId"] == created["subscriptionId"]
    publish_now(call_event, member.account)
    [item] = webhook_server.received
    header = item.headers["x-mitel-signature"]
    assert verify(new_secret, header, item.raw) and not verify(created["secret"], header, item.raw)


# --- the signature ----------------------------------------------------------------------------------------


def test_a_delivery_carries_a_signature_the_documented_check_accepts(
    api_client_for, member, webhook_server, publish_now
):
    secret = subscribe_by_api(api_client_for(member), webhook_server.url)["secret"]

    publish_now(call_event, member.account)

    [item] = webhook_server.received
    header = item.headers["x-mitel-signature"]
    timestamp = int(header.split(",")[0].removeprefix("t="))
    assert abs(time.time() - timestamp) < 60
    assert item.headers["Content-Type"] == "application/json"
    assert verify(secret, header, item.raw)
    assert item.body["content"]["state"] == "ringing"  # the signed bytes are the delivered JSON


def test_a_tampered_body_another_secret_or_an_old_signature_fails_verification(
    api_client_for, member, webhook_server, publish_now
):
    secret = subscribe_by_api(api_client_for(member), webhook_server.url)["secret"]
    publish_now(call_event, member.account)
    [item] = webhook_server.received
    header = item.headers["x-mitel-signature"]
    timestamp = int(header.split(",")[0].removeprefix("t="))

    assert verify(secret, header, item.raw)
    assert not verify(secret, header, item.raw.replace(b"ringing", b"cleared"))
    assert not verify("whsec_someone-else", header, item.raw)
    assert not verify(secret, header, item.raw, now=timestamp + 301)  # replayed five minutes later
    assert not verify(secret, header.replace(f"t={timestamp}", f"t={timestamp + 200}"), item.raw)


def test_each_attempt_is_signed_afresh(member, webhook_server, publish_now):
    webhook_server.statuses = [500]
    subscription = subscribe(member, webhook_server.url)

    publish_now(call_event, member.account)

    first, second = webhook_server.received
    assert verify(subscription.secret, first.headers["x-mitel-signature"], first.raw)
    assert verify(subscription.secret, second.headers["x-mitel-signature"], second.raw)


# --- the address, at delivery time --------------------------------------------------------------------------


def test_the_address_is_checked_again_when_delivering(member, webhook_server, publish_now, settings):
    """Allowed when subscribing; the operator then narrows the setting: nothing is sent, no retry."""
    subscribe(member, webhook_server.url)
    settings.PORTAL_WEBHOOK_ALLOWED_NETWORKS = []

    publish_now(call_event, member.account)

    assert webhook_server.received == []
    [attempt] = DeliveryAttempt.objects.all()
    assert attempt.status == "failed" and attempt.status_code is None
    assert attempt.error == (
        "The webhook URL is refused: 127.0.0.1 is a loopback address, which the portal does not "
        "connect to unless the operator allows it in PORTAL_WEBHOOK_ALLOWED_NETWORKS."
    )


def test_the_delivery_goes_to_the_checked_address_not_a_second_lookup(
    member, monkeypatch, settings, publish_now
):
    """A rebinding name answers 127.0.0.2 (allowed) first and 127.0.0.1 afterwards; the delivery must
    resolve once per attempt and post to what it checked. (The resolver is the one fake here: a
    rebinding DNS server cannot be plugged into the system resolver in a test.)"""
    settings.PORTAL_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.2/32"]
    settings.PORTAL_WEBHOOK_TIMEOUT = 2  # a client that went to the trap would wait for its answer
    receiver = WebhookServer()
    httpd = ThreadingHTTPServer(("127.0.0.2", 0), _handler_for(receiver))
    port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    trap = socket.socket()
    trap.bind(("127.0.0.1", port))
    trap.listen(1)
    trap.setblocking(False)
    real_getaddrinfo = socket.getaddrinfo
    lookups: list[str] = []

    def rebinding(host, *args, **kwargs):
        if host != "hooks.rebind.test":
            return real_getaddrinfo(host, *args, **kwargs)
        lookups.append(host)
        # honest for the subscription's check and the delivery's; any further lookup is rebound
        return real_getaddrinfo("127.0.0.2" if len(lookups) <= 2 else "127.0.0.1", *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    try:
        subscribe(member, f"http://hooks.rebind.test:{port}/hook")
        publish_now(call_event, member.account)
        [item] = receiver.received
        assert item.headers["Host"] == f"hooks.rebind.test:{port}" and item.path == "/hook"
        assert lookups == ["hooks.rebind.test", "hooks.rebind.test"]
        with pytest.raises(BlockingIOError):
            trap.accept()
    finally:
        trap.close()
        httpd.shutdown()
        httpd.server_close()
