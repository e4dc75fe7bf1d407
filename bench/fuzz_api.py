"""Fuzz every operation of every service's OpenAPI document (``<base>/_spec``) with schemathesis.

Run: ``make bench`` (or ``.venv/bin/python bench/fuzz_api.py [--examples N] [--seed N]``). Starts the
portal on 127.0.0.1 (Django's live server thread over a throw-away database, test settings), seeds
a partner admin, a customer account with users, a deployed application, an integration, a gateway
with its PBX and a conversation with a message (their ids fill the path parameters), and runs
``st run`` once per ``_spec`` with the partner admin's token, a fixed seed and at most N examples per
operation, in both modes: valid requests (positive) and requests that break the document (negative). It prints the figures per service and fails (exit 1) on any:

- server error (check ``not_a_server_error``: a 5xx answer);
- request that breaks the document but was accepted (``negative_data_rejection``: a 2xx answer);
- answer whose status the document does not list (``status_code_conformance``).

While it runs, the process reaches nothing but loopback (``loopback_only``): fuzzed webhook
addresses and PBX hosts are refused as unreachable, never contacted. ``tests/core/api/test_fuzz_specs.py``
runs the same with a few examples per operation, in CI.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import json
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SERVICES = ("authentication", "admin", "chat", "notifications", "media")
CHECKS = ("not_a_server_error", "negative_data_rejection", "status_code_conformance")
API_VERSION = "2017-09-01"
ST = Path(sys.executable).with_name("st")


@dataclass
class Target:
    """What the fuzz run calls with: a token, and real ids for the path parameters (so operations
    reach their objects instead of answering 404 to random ids)."""

    token: str
    path_parameters: dict[str, str]
    # Per operation (method, path template) -> parameters, e.g. a spare account for DELETE.
    overrides: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)


@dataclass
class ServiceResult:
    service: str
    operations: int
    cases: int
    failures: list[dict]
    errors: list[dict]
    seconds: float
    output: str

    @property
    def failure_count(self) -> int:
        return sum(group["count"] for group in self.failures)


def seed() -> Target:
    """A partner admin and everything its token may reach (needs Django set up and a database)."""
    from accounts import services as account_services
    from accounts.models import User
    from integrations.services import integration_add
    from oauth.applications import services as apps
    from oauth.tokens import access_token_issue

    partner = account_services.partner_create(actor=None, name="Fuzz Partner", country="US")
    admin = User.objects.create(
        account=partner, email="fuzz@partner.example", role=User.Role.PARTNER_ADMIN, is_registered=True
    )
    customer = account_services.account_create(
        actor=admin,
        partner=partner,
        support_contacts=["help@fuzz.example"],
        name="Fuzz Customer",
        country="SE",
    )
    spare = account_services.account_create(
        actor=admin, partner=partner, support_contacts=["help@spare.example"], name="Spare", country="SE"
    )
    member = User.objects.create(
        account=customer, email="member@fuzz.example", role=User.Role.USER, is_registered=True
    )
    spare_user = User.objects.create(account=customer, email="spare@fuzz.example", role=User.Role.USER)
    app = apps.application_register(
        actor=admin,
        partner=partner,
        name="Fuzz App",
        contact_email="dev@fuzz.example",
        mitel_app="FuzzApp",
        redirect_uris=["https://app.fuzz.example/callback"],
    )
    app, _ = apps.application_approve(actor=None, application=app)
    apps.application_deploy(actor=admin, account=customer, application=app)
    integration_add(actor=admin, account=customer, type="mitel-one")
    colleague = User.objects.create(
        account=partner, email="colleague@partner.example", role=User.Role.USER, is_registered=True
    )
    token, _ = access_token_issue(admin)
    account_id = str(customer.account_id)
    _gateway_seed(token, account_id)
    conversation_id, message_id = _conversation_seed(token)
    return Target(
        token=token,
        path_parameters={
            "accountId": account_id,
            "account_ref": account_id,
            "userId": str(member.user_id),
            "email": member.email,
            "applicationId": app.client_id,
            "type": "mitel-one",
            "extension": "1001",
            "conversationId": conversation_id,
            "messageId": message_id,
            "participantId": str(admin.user_id),
        },
        overrides={
            ("DELETE", "/accounts/{accountId}"): {"accountId": str(spare.account_id)},
            ("DELETE", "/accounts/{accountId}/users/{userId}"): {"userId": str(spare_user.user_id)},
            ("GET", "/users/{userId}"): {"userId": str(colleague.user_id)},  # the caller's own account
            ("PUT", "/users/{userId}"): {"userId": str(colleague.user_id)},
        },
    )


GATEWAY = {
    "name": "Fuzz office",
    "serialNumber": "clgw-000123",
    "network": {
        "mode": "static",
        "ipAddress": "192.0.2.20",
        "subnetMask": "255.255.255.0",
        "defaultGateway": "192.0.2.1",
    },
    "customer": {
        "name": "Fuzz Customer",
        "address": "1 Main Street",
        "city": "Springfield",
        "postalCode": "12345",
        "country": "SE",
        "businessType": "technology",
        "contacts": [
            {"type": "maintainer", "name": "Pat", "email": "pat@fuzz.example"},
            {"type": "onsite_admin", "name": "Ada", "email": "ada@fuzz.example"},
        ],
    },
}


def _conversation_seed(token: str) -> tuple[str, str]:
    """A conversation of the caller's with one message, for the chat routes."""
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    base = f"/api/chat/{API_VERSION}/conversations"
    conversation = client.post(base, {"name": "Fuzz"}, content_type="application/json").json()
    message = client.post(
        f"{base}/{conversation['conversationId']}/messages",
        {"body": "Hello"},
        content_type="application/json",
    ).json()
    return conversation["conversationId"], message["messageId"]


def _gateway_seed(token: str, account_id: str) -> None:
    """A gateway with a PBX (at a private address the network guard never lets it reach) for the
    gateway routes."""
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    base = f"/api/admin/{API_VERSION}/accounts/{account_id}/gateway"
    created = client.post(base, GATEWAY, content_type="application/json")
    pbx = {
        "type": "mx-one",
        "name": "FUZZ",
        "host": "10.255.255.10",
        "cstaUser": "csta",
        "cstaPassword": "secret",
    }
    configured = client.put(f"{base}/pbx", pbx, content_type="application/json")
    if created.status_code != 201 or configured.status_code != 200:
        raise RuntimeError(f"gateway seed: {created.content[:300]!r} {configured.content[:300]!r}")


# --- network guard ---------------------------------------------------------------------------------


def _loopback(host) -> bool:
    if not isinstance(host, str) or host == "localhost":
        return True  # AF_UNIX paths, and the name of loopback
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@contextmanager
def loopback_only() -> Iterator[None]:
    """No connection and no name lookup leaves the machine while the fuzzed server runs: a fuzzed
    webhook address or PBX host is refused as unreachable, never contacted."""
    real = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
            raise ConnectionRefusedError(errno.ECONNREFUSED, f"fuzz run: {address[0]} is not loopback")
        return real[0](sock, address)

    def connect_ex(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
            return errno.ECONNREFUSED
        return real[1](sock, address)

    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not _loopback(host.decode() if isinstance(host, bytes) else host):
            raise socket.gaierror(socket.EAI_NONAME, f"fuzz run: {host} is not looked up")
        return real[2](host, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
    try:
        yield
    finally:
        socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = real


# --- the run ---------------------------------------------------------------------------------------


def _toml(value) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def _config(target: Target, examples: int, seed: int) -> str:
    lines = [
        f"seed = {seed}",
        "workers = 1",
        # A slow machine must not turn into a failed run: no timing health checks, a generous timeout.
        'suppress-health-check = ["all"]',
        "request-timeout = 60",
        "[headers]",
        f"Authorization = {_toml('Bearer ' + target.token)}",
        "[generation]",
        'mode = "all"',
        f"max-examples = {examples}",
        'database = "none"',
        "[parameters]",
        *(f"{_toml('path.' + name)} = {_toml(value)}" for name, value in target.path_parameters.items()),
    ]
    for (method, path), values in target.overrides.items():
        lines += [
            "[[operations]]",
            f"include-method = {_toml(method)}",
            f"include-path = {_toml(path)}",
            "[operations.parameters]",
            *(f"{_toml('path.' + name)} = {_toml(value)}" for name, value in values.items()),
        ]
    return "\n".join(lines) + "\n"


def fuzz_service(
    base_url: str, service: str, target: Target, *, examples: int, seed: int, phases: tuple[str, ...] = ()
) -> ServiceResult:
    """One ``st run`` over the service's ``_spec``; ``phases`` (default: all of schemathesis') e.g.
    ``("examples", "fuzzing")`` for a quick pass."""
    with tempfile.TemporaryDirectory(prefix="fuzz-") as workdir:
        config, report = Path(workdir, "schemathesis.toml"), Path(workdir, "report.json")
        config.write_text(_config(target, examples, seed))
        command = [
            str(ST),
            "--config-file",
            str(config),
            "run",
            f"{base_url}/api/{service}/{API_VERSION}/_spec",
            "--checks",
            ",".join(CHECKS),
            "--report",
            "json",
            "--report-json-path",
            str(report),
            "--no-color",
            "--output-truncate",
            "false",
            *(["--phases", ",".join(phases)] if phases else []),
        ]
        started = time.monotonic()
        run = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=workdir)
        seconds = time.monotonic() - started
        if not report.exists():
            raise RuntimeError(f"schemathesis wrote no report for {service}:\n{run.stdout}\n{run.stderr}")
        data = json.loads(report.read_text())
    return ServiceResult(
        service=service,
        operations=(data.get("operations") or {}).get("tested", 0),
        cases=data["test_cases"]["generated"],
        failures=data["failures"],
        errors=data["errors"],
        seconds=seconds,
        output=run.stdout,
    )


def fuzz(
    base_url: str, target: Target, *, examples: int, seed: int, services: tuple[str, ...] = SERVICES
) -> list[ServiceResult]:
    return [fuzz_service(base_url, service, target, examples=examples, seed=seed) for service in services]


def report_lines(results: list[ServiceResult]) -> list[str]:
    lines = [f"{'service':<16}{'operations':>11}{'cases':>8}{'failures':>10}{'errors':>8}{'seconds':>9}"]
    for r in results:
        lines.append(
            f"{r.service:<16}{r.operations:>11}{r.cases:>8}{r.failure_count:>10}"
            f"{sum(e['count'] for e in r.errors):>8}{r.seconds:>9.1f}"
        )
        for group in r.failures:
            lines.append(f"    {group['count']} x {group['title']}: {', '.join(group['operations'])}")
        for error in r.errors:
            lines.append(f"    error: {error['count']} x {error['title']}")
    return lines


@contextmanager
def live_server() -> Iterator[str]:
    """The portal on 127.0.0.1 in a thread, sharing this process's (in-memory) database."""
    from django.db import connections
    from django.test.testcases import LiveServerThread, _StaticFilesHandler

    shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    for connection in shared.values():
        connection.inc_thread_sharing()
    thread = LiveServerThread("127.0.0.1", _StaticFilesHandler, connections_override=shared, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        for connection in shared.values():
            connection.dec_thread_sharing()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=25, help="at most this many cases per operation")
    parser.add_argument("--seed", type=int, default=20170901)
    parser.add_argument("--service", action="append", choices=SERVICES, help="default: every service")
    args = parser.parse_args()

    import logging

    import harness  # noqa: F401  (sets up Django)

    logging.disable(logging.WARNING)
    with harness.throwaway_database(), loopback_only():
        target = seed()
        with live_server() as base_url:
            results = fuzz(
                base_url,
                target,
                examples=args.examples,
                seed=args.seed,
                services=tuple(args.service or SERVICES),
            )
    print(f"schemathesis over every _spec: seed {args.seed}, at most {args.examples} cases per operation")
    print("\n".join(report_lines(results)))
    failed = [r for r in results if r.failures or r.errors]
    for r in failed:
        print(f"\n== {r.service}\n{r.output}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
