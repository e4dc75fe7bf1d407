"""Webhook deliveries per second, the median delay from publishing an event to its receipt, and the
median delay from a call's PBX event to the ringing webhook.

Run: ``.venv/bin/python bench/webhooks.py [--events N] [--subscriptions K] [--calls C]``. Uses the test
settings and a throw-away database (SQLite in memory unless DATABASE_URL is set); tasks run
in-process (no broker), webhooks go over real HTTP to a local http.server thread.

1. Publications: each event is a ``platform-api-media`` "ringing" publication on extension 2001; K
   subscriptions match it (plus K that filter it out).
2. Calls: C calls from 1001 to 1002 placed through the Media service (``call_make``, what
   ``POST /endpoints/1001/calls`` runs) against a PBX simulator over CSTA; one subscription on
   ringing events. Measured per call: from the PBX's DeliveredEvent (the simulator stamps it when it
   sends it) and from the start of the make-call to the webhook's arrival.
"""

import argparse
import json
import logging
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import harness  # noqa: E402,I001  (sets up Django: keep it before the Django imports)
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402

RECEIVED: dict[str, float] = {}  # publicationId + subscriptionId -> monotonic receipt time
CALL_RECEIVED: dict[str, float] = {}  # PBX call id -> monotonic receipt of its ringing webhook
LOCK = threading.Lock()


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        at = time.monotonic()
        with LOCK:
            RECEIVED[body["publicationId"] + body["subscription"]["subscriptionId"]] = at
            if self.path.startswith("/hook/calls"):
                CALL_RECEIVED.setdefault(body["content"]["callId"].rsplit("/", 1)[-1], at)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def seed(url: str, subscriptions: int):
    from accounts.models import Account, User
    from notifications import services

    partner = Account.objects.create(
        kind="partner", name="Bench Partner", country="US", account_number="100000001"
    )
    customer = Account.objects.create(
        kind="customer", parent=partner, name="Bench Customer", country="US", account_number="200000001"
    )
    user = User.objects.create(account=customer, email="bench@customer.example", role=User.Role.ACCOUNT_ADMIN)
    for i in range(subscriptions):
        for state in ("ringing", "connected"):  # half of them filter the event out
            services.subscription_create(
                account=customer,
                principal_id=str(user.user_id),
                user=user,
                device_id=f"{url}/{state}/{i}",
                topic="platform-api-media",
                subject_filter="/2017-09-01/endpoints/2001/",
                publication_filter=f"$.publications[?(@.content.state == '{state}')]",
            )
    return customer


def seed_calls(url: str, customer, pbx_port: int):
    """The customer's gateway and PBX (the simulator), users on 1001 and 1002, and 1002's ringing subscription."""
    from accounts.models import User
    from gateways.models import Gateway, Pbx, PbxType
    from notifications import services

    gateway = Gateway.objects.create(
        account=customer, name="Bench gateway", serial_number="CLGW-BENCH", status=Gateway.Status.CONNECTED
    )
    Pbx.objects.create(
        gateway=gateway,
        type=PbxType.MX_ONE,
        name="bench",
        host="127.0.0.1",
        csta_port=pbx_port,
        csta_user="cloudlink",
        csta_password="cloudlink",
    )
    caller = User.objects.create(
        account=customer, email="caller@customer.example", role=User.Role.USER, extension="1001"
    )
    called = User.objects.create(
        account=customer, email="called@customer.example", role=User.Role.USER, extension="1002"
    )
    services.subscription_create(  # the called user's: a ringing leg is published to its extension's user
        account=customer,
        principal_id=str(called.user_id),
        user=called,
        device_id=f"{url}/calls",
        topic="platform-api-media",
        subject_filter="/2017-09-01/endpoints/1002/",
        publication_filter="$.publications[?(@.content.state == 'ringing')]",
    )
    return caller


def bench_calls(url: str, customer, calls: int) -> None:
    from gateways.pbx.simulator import PbxSimulator
    from media import services as media

    class TimedSimulator(PbxSimulator):
        """Stamps the moment each call's DeliveredEvents go out (the PBX event)."""

        delivered_at: dict[str, float] = {}

        def _notify(self, call, render, devices=None):
            if call.state == "alerting":
                self.delivered_at.setdefault(call.call_id, time.monotonic())
            super()._notify(call, render, devices)

    with TimedSimulator("127.0.0.1", 0) as pbx:
        caller = seed_calls(url, customer, pbx.port)
        requested: dict[str, float] = {}
        start = time.perf_counter()
        for _ in range(calls):
            at = time.monotonic()
            call = media.call_make(actor=caller, extension="1001", to="1002")
            requested[call.call_number] = at
            pbx.clear(call.call_number)  # hang up on the PBX (nobody follows it: tasks in-process)
        elapsed = time.perf_counter() - start
        deadline = time.monotonic() + 5
        while len(CALL_RECEIVED) < calls and time.monotonic() < deadline:
            time.sleep(0.01)
        numbers = [n for n in requested if n in CALL_RECEIVED]
        from_event = [(CALL_RECEIVED[n] - pbx.delivered_at[n]) * 1000 for n in numbers]
        from_request = [(CALL_RECEIVED[n] - requested[n]) * 1000 for n in numbers]
    print(f"{calls} calls 1001 -> 1002 through the Media service against the PBX simulator (CSTA over TCP)")
    print(f"ringing webhooks received {len(numbers):>8d} of {calls}")
    print(f"calls per second          {calls / elapsed:>8.1f}")
    if numbers:
        print(
            f"median call event->webhook  {statistics.median(from_event):>6.2f} ms (PBX DeliveredEvent sent)"
        )
        print(f"median make call->webhook   {statistics.median(from_request):>6.2f} ms (call_make started)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--subscriptions", type=int, default=2, help="matching subscriptions per event")
    parser.add_argument("--calls", type=int, default=50, help="calls placed through the Media service")
    args = parser.parse_args()

    logging.disable(logging.WARNING)
    settings.PORTAL_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.MEDIA_CALL_FOLLOW_SECONDS = 0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/hook"
    with harness.throwaway_database():
        try:
            from notifications.models import DeliveryAttempt
            from notifications.publish import publication_publish

            customer = seed(url, args.subscriptions)
            published: dict[str, float] = {}
            start = time.perf_counter()
            for i in range(args.events):
                at = time.monotonic()
                with transaction.atomic():  # delivery is queued on commit, as in a request
                    publication = publication_publish(
                        account=customer,
                        topic="platform-api-media",
                        method="PUT",
                        subject=f"/2017-09-01/endpoints/2001/calls/{i}",
                        content={
                            "state": "ringing",
                            "to": "2001",
                            "from": "2002",
                            "callId": f"endpoints/2001/calls/{i}",
                        },
                    )
                published[str(publication.publication_id)] = at
            elapsed = time.perf_counter() - start
            delays = [
                (RECEIVED[key] - published[key[:36]]) * 1000 for key in RECEIVED if key[:36] in published
            ]
            deliveries = len(delays)
            expected = args.events * args.subscriptions
            succeeded = DeliveryAttempt.objects.filter(status="succeeded").count()
            print(
                f"{args.events} events x {args.subscriptions} matching subscriptions "
                f"(+{args.subscriptions} filtered out), in-process tasks, {connection.vendor}"
            )
            print(
                f"deliveries received       {deliveries:>8d} of {expected} (attempts recorded: {succeeded})"
            )
            print(f"deliveries per second     {deliveries / elapsed:>8.1f}")
            print(f"median publish->webhook   {statistics.median(delays):>8.2f} ms")
            print(f"p95 publish->webhook      {sorted(delays)[int(len(delays) * 0.95) - 1]:>8.2f} ms")
            if args.calls > 0:
                print()
                bench_calls(url, customer, args.calls)
        finally:
            httpd.shutdown()


if __name__ == "__main__":
    main()
