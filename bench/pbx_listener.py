"""The PBX listener (``manage.py pbx_listener``) with 1,000 monitored devices on one gateway: time to take
the gateway (MonitorStart + snapshot of every device), the listener's memory per monitored device, events
per second, and the median delay from a handset's call to the called user's ringing webhook.

Run: ``.venv/bin/python bench/pbx_listener.py [--devices N] [--calls C]`` (defaults 1000 / 100, under a
minute). Test settings and a throw-away database (SQLite in memory unless DATABASE_URL is set); the
listener runs in a thread as in the worker, webhooks go over real HTTP to a local http.server thread, and
the PBX is the simulator over CSTA on TCP. Each call is dialled on a scripted handset (``sim.dial``), so
the clock starts when the PBX sends its events; the call is hung up once the ringing webhook arrived, and
the next call waits until the listener has completed both legs (calls one after the other, no backlog).
"""

import argparse
import json
import logging
import statistics
import threading
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import harness  # noqa: E402,I001  (sets up Django: keep it before the Django imports)
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

RINGING: dict[str, float] = {}  # PBX call id -> monotonic receipt of the called user's ringing webhook
COMPLETED: dict[str, int] = {}  # PBX call id -> completed legs' webhooks received
ARRIVED = threading.Condition()
FIRST_EXTENSION = 20000


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        at = time.monotonic()
        content = body.get("content") or {}
        if "callId" not in content:  # an endpoint's publication (presence, DND): not a call's
            self._answer()
            return
        number, state = content["callId"].rsplit("/", 1)[-1], content["state"]
        with ARRIVED:
            if state == "ringing":
                RINGING.setdefault(number, at)
            elif state == "completed":
                COMPLETED[number] = COMPLETED.get(number, 0) + 1
            ARRIVED.notify_all()
        self._answer()

    def _answer(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def seed(url: str, devices: int, pbx_port: int):
    from accounts.models import Account, User
    from gateways.models import Gateway, Pbx, PbxType
    from notifications import services

    partner = Account.objects.create(
        kind="partner", name="Bench Partner", country="US", account_number="100000001"
    )
    customer = Account.objects.create(
        kind="customer", parent=partner, name="Bench Customer", country="US", account_number="200000001"
    )
    User.objects.bulk_create(
        [
            User(
                account=customer,
                email=f"user{i}@customer.example",
                role=User.Role.USER,
                extension=str(FIRST_EXTENSION + i),
            )
            for i in range(devices)
        ],
        batch_size=500,
    )
    admin = User.objects.create(
        account=customer, email="admin@customer.example", role=User.Role.ACCOUNT_ADMIN
    )
    services.subscription_create(
        account=customer,
        principal_id=str(admin.user_id),
        user=admin,
        device_id=url,
        topic="platform-api-media",
        subject_filter="/2017-09-01/endpoints/",
    )
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
    return gateway


def post_round_trips(url: str, count: int) -> list[float]:
    """The baseline, in the same run: milliseconds of a bare HTTP POST of a webhook-sized body to the
    same receiver (no PBX, no listener, no database): the floor under any delivery."""
    import requests

    body = {"content": {"callId": "/2017-09-01/calls/baseline", "state": "baseline"}}
    times = []
    with requests.Session() as session:
        for _ in range(max(count, 20)):
            started = time.monotonic()
            session.post(url, json=body, timeout=5)
            times.append((time.monotonic() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=100)
    args = parser.parse_args()

    logging.disable(logging.WARNING)
    settings.PORTAL_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/hook"

    from gateways.pbx.simulator import PbxSimulator, PbxUser
    from media.listener import GatewayListener

    users = [PbxUser(str(FIRST_EXTENSION + i)) for i in range(args.devices)]
    with harness.throwaway_database(), PbxSimulator("127.0.0.1", 0, users=users) as pbx:
        gateway = seed(url, args.devices, pbx.port)
        listener = GatewayListener(gateway.pk, "bench-worker", lease=60)

        tracemalloc.start()
        before = tracemalloc.take_snapshot()
        started = time.perf_counter()
        listener.step(0.01)  # take the lease, connect, MonitorStart x N, SnapshotDevice x N
        took = time.perf_counter() - started
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
        grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
        monitored = len(listener.bridge.monitors)

        stop = threading.Event()

        def listen() -> None:
            try:
                listener.run(stop, slice_seconds=0.5)
            finally:
                connection.close()  # this thread's own connection: the throw-away database is dropped next

        thread = threading.Thread(target=listen, daemon=True)
        thread.start()
        delays, dialled = [], time.perf_counter()
        for i in range(args.calls):
            caller = str(FIRST_EXTENSION + (2 * i) % args.devices)
            called = str(FIRST_EXTENSION + (2 * i + 1) % args.devices)
            at = time.monotonic()
            number = pbx.dial(caller, called)
            with ARRIVED:
                ARRIVED.wait_for(lambda number=number: number in RINGING, timeout=5)
            if number in RINGING:
                delays.append((RINGING[number] - at) * 1000)
            pbx.hangup(caller)
            # Let the listener finish this call's clearing before the next one, so no call waits behind it.
            settle = time.monotonic() + 5
            with ARRIVED:
                ARRIVED.wait_for(
                    lambda number=number: COMPLETED.get(number, 0) >= 2, timeout=settle - time.monotonic()
                )
        elapsed = time.perf_counter() - dialled
        stop.set()
        thread.join(timeout=10)
        baseline = post_round_trips(url, args.calls)

    # Per call: ServiceInitiated, Originated, Delivered (x2 monitors), ConnectionCleared (x2 x2 monitors).
    events = args.calls * 8
    print(f"{monitored} monitored devices on one gateway, PBX simulator over CSTA/TCP, {connection.vendor}")
    print(f"take the gateway (lease, MonitorStart + SnapshotDevice each) {took:>7.2f} s")
    print(f"listener memory per monitored device     {grown / max(monitored, 1):>9.0f} bytes (tracemalloc)")
    print(f"ringing webhooks received                {len(delays):>9d} of {args.calls}")
    print(f"CSTA events applied per second           {events / elapsed:>9.1f}")
    if delays:
        print(f"median handset call -> ringing webhook   {statistics.median(delays):>9.2f} ms")
        print(f"p95                                      {statistics.quantiles(delays, n=20)[-1]:>9.2f} ms")
        floor = statistics.median(baseline)
        print(f"baseline: bare POST to the same receiver {floor:>9.2f} ms (median)")
        print(f"median delay / baseline                  {statistics.median(delays) / floor:>9.1f}x")


if __name__ == "__main__":
    main()
