"""Issue 6 acceptance, end to end against a live server: an application's users sign in through
``/authorize`` + code, chat, and a ringing call on the account's (simulated) PBX reaches a webhook.

Everything goes over real sockets: the Python client (cloudlink/) talks HTTP to the live portal,
the portal talks CSTA to a PBX simulator, and the webhook is POSTed to an HTTP server run by this test.
Tasks run eagerly (also in CI's PostgreSQL + Redis run), so by the time the make-call request has
answered, the webhook has been delivered.
"""

from __future__ import annotations

import json
import queue
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from cloudlink import CloudLink
from gateways.models import Gateway
from gateways.pbx.simulator import PbxSimulator
from tests.gateways.helpers import run_wizard
from tests.oauth.helpers import make_app
from tests.waiting import request_threads_ended, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

CALLER, CALLED = "1001", "1002"  # two of the simulator's demo extensions
RINGING_FILTER = "$.publications[?(@.content.state == 'ringing')]"


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 that records every POST (headers + JSON body) and answers 200."""

    def __init__(self) -> None:
        self.received: queue.Queue[dict] = queue.Queue()
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                received.put({"path": self.path, "headers": dict(self.headers), "body": json.loads(body)})
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cloudlink/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, name="e2e-webhook", daemon=True)
        self.thread.start()

    def next(self, timeout: float) -> dict:
        return self.received.get(timeout=timeout)

    def drain(self, wait: float) -> list[dict]:
        """What arrives until ``wait`` seconds pass without a delivery."""
        items = []
        while True:
            try:
                items.append(self.received.get(timeout=wait))
            except queue.Empty:
                return items

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def pbx() -> Iterator[PbxSimulator]:
    """The customer's PBX: the simulator's demo users 1001-1005 on a free port; nobody answers."""
    with PbxSimulator("127.0.0.1", 0) as simulator:
        yield simulator


@pytest.fixture
def portal(live_server, settings):
    settings.PORTAL_BASE_URL = live_server.url
    settings.PORTAL_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]  # the webhook server is on 127.0.0.1
    settings.MEDIA_CALL_FOLLOW_SECONDS = 0  # no follow-up session outliving the test
    clients: list[CloudLink] = []

    def client() -> CloudLink:
        clients.append(CloudLink(base_url=f"{live_server.url}/api"))
        return clients[-1]

    client.url = live_server.url  # type: ignore[attr-defined]
    yield client
    for each in clients:
        each.close()
    request_threads_ended()  # the live server's request threads saw the closed connections


def test_users_of_an_application_chat_and_a_ringing_call_reaches_the_webhook(
    portal, pbx, webhook, partner_admin, customer, account_admin, member, password
):
    # The customer: an approved application deployed in it, its gateway connected to the PBX through the
    # wizard's Connect step, and two users on two of the PBX's extensions.
    app = make_app(partner_admin, customer)
    run_wizard(account_admin, customer, pbx.port)
    # Connect runs as a task: in-process on SQLite, in the Celery worker on PostgreSQL + Redis.
    assert wait_until(lambda: Gateway.objects.get(account=customer).status == Gateway.Status.CONNECTED)
    account_admin.extension, member.extension = CALLER, CALLED
    account_admin.save(update_fields=["extension"])
    member.save(update_fields=["extension"])

    # (a) Both users sign in to the application through /authorize + code and read their claims.
    ada, uma = portal(), portal()
    for client, user in ((ada, account_admin), (uma, member)):
        token = client.login_authorization_code(app.client_id, user.email, password, client_secret=app.secret)
        assert token.access_token and token.refresh_token
    ada_claims, uma_claims = ada.whoami(), uma.whoami()
    assert (ada_claims.user_id, ada_claims.role, ada_claims.extension) == (
        str(account_admin.user_id),
        "ACCOUNT_ADMIN",
        CALLER,
    )
    assert (uma_claims.user_id, uma_claims.role, uma_claims.extension) == (
        str(member.user_id),
        "USER",
        CALLED,
    )
    assert ada_claims.account_id == uma_claims.account_id == str(customer.account_id)

    # ... create a conversation, each posts a message, one deletes it.
    conversation = ada.chat.create_conversation([ada_claims.user_id, uma_claims.user_id], name="Launch")
    ada.chat.post_message(conversation.conversation_id, "Calling you now")
    uma.chat.post_message(conversation.conversation_id, "Ready")
    assert sorted(m.body for m in uma.chat.iter_messages(conversation.conversation_id)) == [
        "Calling you now",
        "Ready",
    ]
    deleted = requests.delete(
        ada.url("chat", f"/conversations/{conversation.conversation_id}"),
        headers={"Authorization": f"Bearer {ada.token.access_token}"},
        timeout=10,
    )
    assert deleted.status_code == 200, deleted.text
    assert deleted.headers["content-type"].startswith("application/json") and deleted.json()
    assert conversation.conversation_id not in {c.conversation_id for c in uma.chat.iter_conversations()}

    # (b) Uma subscribes to ringing events on endpoints; Ada calls her from the other extension.
    subscription = uma.notifications.create_subscription(
        application_id=str(uuid.uuid4()),
        device_id=webhook.url,
        topic="platform-api-media",
        subject_filter="/2017-09-01/endpoints/",
        publication_filter=RINGING_FILTER,
    )

    call = ada.media.make_call(CALLER, to=CALLED)

    assert (call.state, call.direction) == ("connected", "outbound")
    number = call.call_id.rsplit("/", 1)[-1]
    assert call.call_id == f"endpoints/{CALLER}/calls/{number}" and number in pbx.calls
    delivery = webhook.next(timeout=10)
    assert webhook.drain(0.3) == [], "only the called extension's ringing leg passes the filter"

    body, headers = delivery["body"], delivery["headers"]
    assert delivery["path"] == "/cloudlink/hook"
    assert set(body) == {
        "publicationId",
        "topic",
        "method",
        "subject",
        "content",
        "publisher",
        "subscription",
        "notification",
    }
    assert uuid.UUID(body["publicationId"])
    assert (body["topic"], body["method"]) == ("platform-api-media", "PUT")
    assert body["subject"] == f"/2017-09-01/endpoints/{CALLED}/calls/{number}"
    assert body["subscription"] == {"subscriptionId": subscription.subscription_id}
    assert body["notification"]["createdOn"] and uuid.UUID(body["notification"]["correlationId"])
    assert body["publisher"]["accountId"] == str(customer.account_id)
    assert headers["x-mitel-correlation-id"] and headers["x-cloudlink-delivery-attempt"] == "1"

    content = body["content"]
    assert content["state"] == "ringing" and content["cause"] == "newCall"
    assert (content["endpointId"], content["to"], content["from"], content["direction"]) == (
        CALLED,
        CALLED,
        CALLER,
        "inbound",
    )
    assert content["callId"] == f"endpoints/{CALLED}/calls/{number}"
    assert content["_links"]["self"] == f"/2017-09-01/endpoints/{CALLED}/calls/{number}"
    assert content["eventType"] == "CallStateNotification" and content["isCtiEvent"] is True
    assert content["accountId"] == str(customer.account_id)
    assert content["principalId"] == content["userId"] == str(member.user_id)
    assert isinstance(content["timestamp"], int) and content["createdOn"] and content["eventId"]
    assert content["extraPbxData"]["eventType"] == "deliveredEvent"
    assert content["extraPbxData"]["alertingDevice"] == CALLED

    # The called side sees the same ringing call through the Media API.
    assert uma.media.get_call(CALLED, number).state == "ringing"
