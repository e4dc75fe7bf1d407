"""Run the MX-ONE-like CSTA PBX simulator until interrupted (see gateways/pbx/simulator.py, docs/csta.md)."""

import ssl
import threading

from django.core.management.base import BaseCommand, CommandError

from gateways.pbx.csta import MXONE_CSTA_XML_PORT
from gateways.pbx.simulator import (
    DEFAULT_PASSWORD,
    DEFAULT_USER,
    Mode,
    PbxSimulator,
    UsersFileError,
    load_users,
)


class Command(BaseCommand):
    help = "Run a PBX that answers CSTA III XML over TCP like an MX-ONE CSTA server (for tests and demos)."
    requires_system_checks: list = []
    requires_migrations_checks = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set by handle() once listening; setting `stop` ends the command (tests run it in a thread).
        self.simulator: PbxSimulator | None = None
        self.ready = threading.Event()
        self.stop = threading.Event()

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument(
            "--port",
            type=int,
            default=MXONE_CSTA_XML_PORT,
            help=f"TCP port (default {MXONE_CSTA_XML_PORT}, MX-ONE's CSTA XML port; 0 picks a free one)",
        )
        parser.add_argument(
            "--users", metavar="FILE", help="PBX users, CSV or JSON (default: demo users 1001-1005)"
        )
        parser.add_argument(
            "--mode",
            choices=[mode.value for mode in Mode],
            default=Mode.NORMAL.value,
            help="misbehave on purpose: refuse, stall, reject-credentials, speak-http, wrong-version",
        )
        parser.add_argument("--user", default=DEFAULT_USER, help=f"CSTA user name (default {DEFAULT_USER})")
        parser.add_argument(
            "--password", default=DEFAULT_PASSWORD, help=f"CSTA password (default {DEFAULT_PASSWORD})"
        )
        parser.add_argument(
            "--answer-after",
            type=float,
            default=2.0,
            metavar="SECONDS",
            help="called extensions answer this long after MakeCall (default 2; negative: never)",
        )
        parser.add_argument(
            "--tls-cert", default="", help="PEM certificate: serve CSTA over TLS (MX-ONE: 8883)"
        )
        parser.add_argument("--tls-key", default="", help="PEM private key of --tls-cert")

    def handle(self, *args, **options):
        users = None
        if options["users"]:
            try:
                users = load_users(options["users"])
            except UsersFileError as exc:
                raise CommandError(str(exc)) from None
        answer_after = options["answer_after"]
        tls_context = None
        if options["tls_cert"]:
            tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            try:
                tls_context.load_cert_chain(options["tls_cert"], options["tls_key"] or None)
            except (OSError, ssl.SSLError) as exc:
                raise CommandError(f"cannot load the TLS certificate: {exc}") from None
        simulator = PbxSimulator(
            options["host"],
            options["port"],
            mode=options["mode"],
            users=users,
            user=options["user"],
            password=options["password"],
            auto_answer_after=answer_after if answer_after >= 0 else None,
            tls_context=tls_context,
        )
        try:
            port = simulator.start()
        except OSError as exc:
            raise CommandError(
                f"cannot listen on {options['host']}:{options['port']}: {exc.strerror or exc}"
            ) from None
        self.simulator = simulator
        self.stdout.write(
            f"PBX simulator listening on {options['host']}:{port} (mode {simulator.mode}, "
            f"{len(simulator.users)} users, CSTA user {simulator.user!r}). Ctrl-C stops it."
        )
        self.stdout.flush()
        self.ready.set()
        try:
            while not self.stop.wait(0.2):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            simulator.stop()
            self.stdout.write("PBX simulator stopped.")
