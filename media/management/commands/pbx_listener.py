"""``manage.py pbx_listener``: hold long-lived CSTA sessions to connected gateways so calls started or
answered on the phones reach the Media API and webhooks (media/listener.py, docs/calls.md)."""

from __future__ import annotations

import signal

from django.core.management.base import BaseCommand

from media.listener import ListenerWorker


class Command(BaseCommand):
    help = "Listen to every connected gateway's PBX (one lease per gateway; run several for failover)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-gateways", type=int, default=50, help="Gateways this worker holds at most."
        )
        parser.add_argument("--holder", default="", help="Worker id stored in the lease (default host:pid).")
        parser.add_argument(
            "--scan", type=float, default=2.0, help="Seconds between looks for free gateways."
        )

    def handle(self, *args, **options):
        worker = ListenerWorker(
            options["holder"] or None, max_gateways=options["max_gateways"], scan=options["scan"]
        )
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: worker.stop.set())
        self.stdout.write(f"pbx_listener {worker.holder}: up to {worker.max_gateways} gateways")
        worker.run()
        self.stdout.write("pbx_listener stopped; leases released")
