"""Webhook deliveries per second and the median delay from publishing an event to its receipt.

Run: ``.venv/bin/python bench/webhooks.py [--events N] [--subscriptions K]``. Uses the test
settings and a throw-away database (SQLite in memory unless DATABASE_URL is set); tasks run
in-process (no broker), webhooks go over real HTTP to a local http.server thread. Each event is a
``platform-api-media`` "ringing" publication; K subscriptions match it (plus K that filter it out).
"""

import argparse
import json
import logging
import os
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

RECEIVED: dict[str, float] = {}  # publicationId + subscriptionId -> monotonic receipt time
LOCK = threading.Lock()


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        at = time.monotonic()
        with LOCK:
            RECEIVED[body["publicationId"] + body["subscription"]["subscriptionId"]] = at
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def seed(url: str, subscriptions: int):
    from accounts.models import Account, User
    from integrations.notifications import services

    partner = Account.objects.create(
        kind="partner", name="Bench Partner", country="US", account_number="100000001"
    )
    customer = Account.objects.create(
        kind="customer", parent=partner, name="Bench Customer", country="US", account_number="200000001"
    )
    user = User.objects.create(account=customer, email="bench@customer.example", role="ACCOUNT_ADMIN")
    for i in range(subscriptions):
        for state in ("ringing", "connected"):  # half of them filter the event out
            services.subscription_create(
                account=customer,
                principal_id=str(user.user_id),
                user=user,
                device_id=f"{url}/{state}/{i}",
                topic="platform-api-media",
                subject_filter="/2017-09-01/endpoints/",
                publication_filter=f"$.publications[?(@.content.state == '{state}')]",
            )
    return customer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--subscriptions", type=int, default=2, help="matching subscriptions per event")
    args = parser.parse_args()

    logging.disable(logging.WARNING)
    setup_test_environment()
    settings.PORTAL_WEBHOOK_ALLOW_PRIVATE = True
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/hook"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from integrations.notifications.models import DeliveryAttempt
        from integrations.notifications.publish import publication_publish

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
        delays = [(RECEIVED[key] - published[key[:36]]) * 1000 for key in RECEIVED if key[:36] in published]
        deliveries = len(delays)
        expected = args.events * args.subscriptions
        succeeded = DeliveryAttempt.objects.filter(status="succeeded").count()
        print(
            f"{args.events} events x {args.subscriptions} matching subscriptions "
            f"(+{args.subscriptions} filtered out), in-process tasks, {connection.vendor}"
        )
        print(f"deliveries received       {deliveries:>8d} of {expected} (attempts recorded: {succeeded})")
        print(f"deliveries per second     {deliveries / elapsed:>8.1f}")
        print(f"median publish->webhook   {statistics.median(delays):>8.2f} ms")
        print(f"p95 publish->webhook      {sorted(delays)[int(len(delays) * 0.95) - 1]:>8.2f} ms")
    finally:
        httpd.shutdown()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
