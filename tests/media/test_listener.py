"""The long-lived listener (media/listener.py) against the CSTA simulator on a real socket: calls dialled
and answered on (scripted) handsets reach the Media API and a webhook; a worker that dies loses its
gateway to another one within seconds, with no event lost or published twice."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from media.listener import GatewayListener, ListenerWorker, lease_acquire
from media.models import Call, PbxListenerLease
from tests.media.conftest import BASE
from tests.media.factories import PbxListenerLeaseFactory
from tests.media.test_calls_api import media_publications
from tests.media.test_endpoints import endpoint_publications, update
from tests.notifications.test_delivery import subscribe
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def extensions(account_admin, member):
    """Ada on 2001 and Uma on 2002: the users whose devices the listener monitors."""
    account_admin.extension = "2001"
    account_admin.save(update_fields=["extension"])
    return account_admin, member


def states(ext, number) -> list[str]:
    return [p.content["state"] for p in media_publications(ext, number)]


def run_for(listener: GatewayListener, seconds: float) -> None:
    """Give the listener ``seconds`` of events (one step, which returns when the time is up)."""
    assert listener.step(seconds) is True


def test_a_call_dialled_and_answered_on_the_handsets_reaches_the_api_and_a_webhook(
    customer_pbx,
    call_pbx,
    extensions,
    admin_api,
    account_admin,
    webhook_server,
    django_capture_on_commit_callbacks,
):
    subscribe(account_admin, webhook_server.url)
    listener = GatewayListener(customer_pbx.gateway_id, "worker-a", lease=5.0)
    try:
        run_for(listener, 0.05)  # connects, monitors 2001 and 2002, catches up (nothing yet)
        with django_capture_on_commit_callbacks(execute=True):
            number = call_pbx.dial("2002", "2001")
            run_for(listener, 0.3)
            call_pbx.answer("2001")
            run_for(listener, 0.3)
    finally:
        listener.close(release=True)

    listing = admin_api.get(f"{BASE}/endpoints/2001/calls").json()
    assert [(item["from"], item["state"]) for item in listing["_embedded"]["items"]] == [
        ("2002", "connected")
    ]
    assert states("2001", number) == ["ringing", "connected"]
    assert states("2002", number) == ["connected"]
    assert Call.objects.get(endpoint="2002").to_number == "2001"
    delivered = sorted(
        (b["content"]["endpointId"], b["content"]["state"])
        for b in webhook_server.bodies()
        if "callId" in b["content"]  # the call legs; the endpoints' presence is tested below
    )
    assert delivered == [("2001", "connected"), ("2001", "ringing"), ("2002", "connected")]
    assert PbxListenerLease.objects.get().holder == ""


def test_another_worker_takes_a_dead_workers_gateway_over_without_losing_or_doubling_events(
    customer_pbx, call_pbx, extensions
):
    first = GatewayListener(customer_pbx.gateway_id, "worker-a", lease=1.0)
    second = GatewayListener(customer_pbx.gateway_id, "worker-b", lease=1.0)
    run_for(first, 0.05)
    number = call_pbx.dial("2002", "2001")
    run_for(first, 0.3)
    assert second.step(0.01) is False  # the gateway is held

    first.bridge.client.close()  # worker A dies: its socket goes, its lease stays until it expires
    died = time.monotonic()
    call_pbx.answer("2001")  # nobody listens while this happens
    wait_until(lambda: second.step(0.05), timeout=5)
    took_over = time.monotonic() - died
    call_pbx.hangup("2002")
    try:
        run_for(second, 0.3)
    finally:
        second.close(release=True)

    assert took_over < 3
    assert states("2001", number) == ["ringing", "connected", "completed"]
    assert states("2002", number) == ["connected", "completed"]
    assert PbxListenerLease.objects.get().holder == ""


def test_the_listener_reconnects_with_backoff_and_resumes_its_monitors(customer_pbx, call_pbx, extensions):
    listener = GatewayListener(customer_pbx.gateway_id, "worker-a", lease=5.0)
    try:
        run_for(listener, 0.05)
        call_pbx.drop_connections()  # the PBX drops the session
        run_for(listener, 0.2)
        assert (listener.bridge, listener.backoff) == (None, 1.0)
        wait_until(lambda: listener.step(0.05) and listener.bridge is not None, timeout=5)
        number = call_pbx.dial("2002", "2001")
        run_for(listener, 0.3)
    finally:
        listener.close(release=True)

    assert listener.reconnects == 2
    assert states("2001", number) == ["ringing"]


def test_a_worker_holds_at_most_its_share_of_gateways(customer_pbx, extensions):
    worker = ListenerWorker("worker-a", max_gateways=0)
    worker.scan_once()

    assert worker.threads == {}
    assert lease_acquire(customer_pbx.gateway_id, "worker-b", 1.0) is True
    assert lease_acquire(customer_pbx.gateway_id, "worker-a", 1.0) is False


def test_an_expired_lease_is_taken_and_a_live_one_is_not(extensions):
    live = PbxListenerLeaseFactory(holder="worker-a")
    expired = PbxListenerLeaseFactory(holder="worker-a", expires_at=timezone.now() - timedelta(seconds=1))

    assert lease_acquire(live.gateway_id, "worker-b") is False
    assert lease_acquire(expired.gateway_id, "worker-b") is True
    assert PbxListenerLease.objects.get(pk=expired.pk).holder == "worker-b"


def test_the_listener_publishes_presence_and_feature_changes_once_each(
    customer_pbx, call_pbx, extensions, admin_api
):
    listener = GatewayListener(customer_pbx.gateway_id, "worker-a", lease=5.0)
    try:
        run_for(listener, 0.05)
        assert update(admin_api, "2001", "dnd", True).status_code == 200  # the API PUT publishes it
        run_for(listener, 0.3)  # the listener's DoNotDisturbEvent: the same endpoint, not published again
        call_pbx.set_dnd("2001", False)  # the handset's DND key
        run_for(listener, 0.3)
        call_pbx.set_forwarding("2001", "forwardNoAns", "2002")  # set on the PBX, not through the API
        run_for(listener, 0.3)
        call_pbx.dial("2002", "2001")
        run_for(listener, 0.3)
        call_pbx.answer("2001")
        run_for(listener, 0.3)
        call_pbx.hangup("2002")
        run_for(listener, 0.3)
    finally:
        listener.close(release=True)

    assert [
        (p.content["state"], p.content["userAvailability"], p.content["callForwarding"])
        for p in endpoint_publications("2001")
    ] == [
        ("idle", "dnd", {}),
        ("idle", "available", {}),
        ("idle", "available", {"forwardNoAns": "2002"}),
        ("ringing", "busy", {"forwardNoAns": "2002"}),
        ("connected", "busy", {"forwardNoAns": "2002"}),
        ("idle", "available", {"forwardNoAns": "2002"}),
    ]
    assert [p.content["state"] for p in endpoint_publications("2002")] == ["connected", "idle"]
    assert {p.content["eventType"] for p in endpoint_publications("2001")} == {"EndpointStateNotification"}
