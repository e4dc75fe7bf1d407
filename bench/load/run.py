"""The load suite: two web instances (gunicorn, production settings) and a Celery worker on one
PostgreSQL and one Redis, driven by locust (headless) with the mix of ``locustfile.py``; prints one table per run and
checks in the database that every acknowledged write is there.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/load REDIS_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python bench/load/run.py --short        # `make bench`: ~1 minute of load
    ... bench/load/run.py                                 # the long run (docs/production.md, Load)

DATABASE_URL names a database the suite may drop and re-create (and ``<name>_tpl_...`` templates
beside it); REDIS_URL a Redis database it flushes. Everything listens on and targets 127.0.0.1
only. The seeded database (``seed.py``, through the services) is kept as a PostgreSQL template,
so each size is seeded once; ``--reseed`` drops it."""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
import requests

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = ROOT / ".venv" / "bin"
OUT = ROOT / "var" / "load"
HERE = Path(__file__).resolve().parent

SHORT = {"accounts": 1000, "big": "1000,10000", "users": 8, "seconds": 40, "requests": 6000}
LONG = {"accounts": 1000, "big": "10000,100000", "users": 16, "seconds": 300, "requests": 200000}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def admin_sql(url: str, *statements: str) -> None:
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def database_exists(url: str, name: str) -> bool:
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def portal_env(database_url: str, redis_url: str) -> dict[str, str]:
    """Production settings (portal.settings.base), as `make serve` runs them, on loopback http."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    return env | {
        "DJANGO_SETTINGS_MODULE": "portal.settings.base",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": os.environ.get("LOAD_SECRET_KEY", "load-suite-secret-key-" + "x" * 40),
        "PORTAL_ENCRYPTION_KEYS": os.environ.get(
            "LOAD_ENCRYPTION_KEY", "bG9hZC1zdWl0ZS1mZXJuZXQta2V5LTMyLWJ5dGVzISE="
        ),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",  # the console over loopback http
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
        # The webhook receiver of the run listens on loopback.
        "PORTAL_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
    }


def seeded_template(args, base_url: str, redis_url: str) -> tuple[str, dict]:
    """The template database of this size, seeded through the services once; its seed JSON."""
    name = urlsplit(base_url).path.lstrip("/")
    template = f"{name}_tpl_{args.accounts}_{args.big.replace(',', '_')}"
    seed_file = OUT / f"{template}.json"
    if args.reseed or not (database_exists(base_url, template) and seed_file.exists()):
        admin_sql(base_url, f'DROP DATABASE IF EXISTS "{template}"', f'CREATE DATABASE "{template}"')
        env = portal_env(with_database(base_url, template), redis_url)
        subprocess.run(
            [str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        print(f"seeding {template} through the services (once per size) ...", flush=True)
        seed = subprocess.run(
            [str(BIN / "python"), str(HERE / "seed.py"), "--accounts", str(args.accounts), "--big", args.big],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        seed_file.write_text(seed.stdout.strip().splitlines()[-1])
    return template, json.loads(seed_file.read_text())


class Receiver(BaseHTTPRequestHandler):
    """The webhook receiver: counts the deliveries of chat messages, answers 204."""

    deliveries = 0
    lock = threading.Lock()

    def do_POST(self):  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with Receiver.lock:
            Receiver.deliveries += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def subscribe(host: str, seed: dict, receiver_url: str) -> None:
    """Each big account's admin subscribes (through the API) to the messages of its conversations."""
    for big in seed["big"]:
        data = {"grant_type": "password", "username": big["admin"], "password": seed["password"]}
        token = requests.post(f"{host}/api/authentication/2017-09-01/token", data=data, timeout=120).json()
        body = {
            "applicationId": "load-suite",
            "deviceId": receiver_url,
            "transport": "webhook",
            "topic": "platform-api-conversations",
            "subjectFilter": "^/2017-09-01/conversations/[^/]+/messages$",
        }
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        answer = requests.post(
            f"{host}/api/notifications/2017-09-01/subscriptions", json=body, headers=headers, timeout=120
        )
        answer.raise_for_status()


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    command = [str(BIN / "celery"), "-A", "portal", "worker", "--concurrency", "2", "--loglevel", "WARNING"]
    command += ["--without-gossip", "--without-mingle", "--hostname", f"load-{os.getpid()}@%h"]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )


# The endpoint's name (locustfile.py sends it), the time the worker spent on the request in
# milliseconds, and the status: the server time, without the wait in the listen queue.
ACCESS_FORMAT = "load|%({x-load-name}i)s|%(M)s|%(s)s"


def server_times(logs: list[Path]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    for log in logs:
        for line in log.read_text(errors="replace").splitlines():
            parts = line.split("|")
            if len(parts) == 4 and parts[0] == "load" and parts[2].isdigit():
                times.setdefault(parts[1], []).append(float(parts[2]))
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def start_instance(env: dict, port: int, log: Path) -> subprocess.Popen:
    command = [str(BIN / "gunicorn"), "portal.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(env.get("WEB_CONCURRENCY", 2)), "--access-logfile", "-"]
    command += ["--access-logformat", ACCESS_FORMAT]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_healthy(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(f"{url}/healthz", timeout=10).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} did not come up")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def table(stats_csv: Path, server: dict[str, list[float]]) -> tuple[str, int]:
    """Per endpoint: requests, req/s, client p50/p95/p99 (what locust saw, queueing included),
    errors, the server's p50/p95 (access log), and the server p50 as a multiple of /healthz's."""
    rows = [row for row in csv.DictReader(stats_csv.open()) if row["Name"] != "Aggregated"]
    base = percentile(server.get("GET /healthz", []), 0.5) or 1.0
    lines = [
        f"{'endpoint':<32} {'reqs':>5} {'req/s':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>6}"
        f" {'srv p50':>8} {'srv p95':>8} {'x healthz':>9}",
    ]
    errors = 0
    for row in sorted(rows, key=lambda r: r["Name"]):
        errors += int(row["Failure Count"])
        times = server.get(row["Name"], [])
        p50 = percentile(times, 0.5)
        lines.append(
            f"{row['Name']:<32} {row['Request Count']:>5} {float(row['Requests/s']):>6.1f} {row['50%']:>6} "
            f"{row['95%']:>6} {row['99%']:>6} {row['Failure Count']:>6} {p50:>8.0f} {percentile(times, 0.95):>8.0f}"
            f" {p50 / base:>9.1f}"
        )
    lines.append("(times in ms; p50/p95/p99 as the client saw them, srv = time in the gunicorn worker)")
    return "\n".join(lines), errors


def imported(database_url: str, ledger: dict) -> int:
    with psycopg.connect(database_url) as conn:
        return conn.execute(
            "SELECT count(*) FROM accounts_user WHERE email = ANY(%s)", [ledger["imported"]]
        ).fetchone()[0]


def lost_writes(database_url: str, ledger: dict) -> list[str]:
    """What the ledger says was acknowledged and the database does not hold."""
    problems = []
    with psycopg.connect(database_url) as conn:
        emails = ledger["users_created"]
        found = conn.execute("SELECT count(*) FROM accounts_user WHERE email = ANY(%s)", [emails]).fetchone()[
            0
        ]
        if found != len(emails):
            problems.append(f"users: {len(emails)} created, {found} in the database")
        for user_id, value in ledger["last_update"].items():
            row = conn.execute("SELECT last_name FROM accounts_user WHERE user_id = %s", [user_id]).fetchone()
            if not row or row[0] != value:
                problems.append(f"user {user_id}: last acknowledged lastName {value!r}, database {row}")
        messages = conn.execute(
            "SELECT count(*) FROM chat_message WHERE body = 'hello under load'"
        ).fetchone()[0]
        if messages != ledger["messages"]:
            problems.append(f"messages: {ledger['messages']} posted, {messages} in the database")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--short", action="store_true", help="the `make bench` run: small sizes, bounded to about a minute"
    )
    parser.add_argument("--accounts", type=int)
    parser.add_argument("--big", help="users of each big account, comma-separated")
    parser.add_argument("--users", type=int, help="locust virtual users")
    parser.add_argument("--seconds", type=int, help="load duration (upper bound)")
    parser.add_argument("--requests", type=int, help="request count (upper bound)")
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    for key, value in (SHORT if args.short else LONG).items():
        if getattr(args, key) is None:
            setattr(args, key, value)

    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url:
        print("bench/load: skipped, needs DATABASE_URL (PostgreSQL) and REDIS_URL (docs/production.md, Load)")
        return 0
    for url in (database_url, redis_url):
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost"):
            raise SystemExit(f"bench/load only targets this machine: {url}")
    OUT.mkdir(parents=True, exist_ok=True)
    template, seed = seeded_template(args, database_url, redis_url)
    run_db = urlsplit(database_url).path.lstrip("/")
    admin_sql(
        database_url,
        f'DROP DATABASE IF EXISTS "{run_db}"',
        f'CREATE DATABASE "{run_db}" TEMPLATE "{template}"',
    )
    redis.Redis.from_url(redis_url).flushdb()

    # The production shape: tasks (welcome emails, webhook fan-out) go through Redis to a worker.
    env = portal_env(database_url, redis_url) | {
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", redis_url),
        "STATIC_ROOT": str(OUT / "static"),
    }
    # Production settings serve hashed static files from a manifest, as `make serve` collects them.
    subprocess.run(
        [str(BIN / "python"), "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT, env=env, check=True, timeout=300,
    )  # fmt: skip
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    ports = [free_port(), free_port()]
    hosts = [f"http://127.0.0.1:{port}" for port in ports]
    instances = [start_instance(env, port, OUT / f"instance-{i}.log") for i, port in enumerate(ports)]
    instances.append(start_worker(env, OUT / "worker.log"))
    try:
        for host, process in zip(hosts, instances, strict=False):
            wait_healthy(host, process)
        subscribe(hosts[0], seed, f"http://127.0.0.1:{receiver.server_address[1]}/hook")
        ledger_file, prefix = OUT / "ledger.json", OUT / "run"
        locust_env = os.environ | {
            "LOAD_SEED": json.dumps(seed),
            "LOAD_HOSTS": ",".join(hosts),
            "LOAD_LEDGER": str(ledger_file),
            "LOAD_MAX_REQUESTS": str(args.requests),
        }
        command = [
            str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless", "--only-summary",
            "-u", str(args.users), "-r", str(args.users), "--run-time", f"{args.seconds}s",
            "--host", hosts[0], "--csv", str(prefix), "--stop-timeout", "10", "--loglevel", "WARNING",
        ]  # fmt: skip
        started = time.monotonic()
        subprocess.run(
            command, cwd=ROOT, env=locust_env, timeout=args.seconds + 120, stdout=subprocess.DEVNULL
        )
        elapsed = time.monotonic() - started
        ledger = json.loads((OUT / "ledger.json").read_text())
        deadline = time.monotonic() + 90  # the worker drains the fan-out queued during the run
        while time.monotonic() < deadline and (
            Receiver.deliveries < ledger["messages"]
            or imported(database_url, ledger) < len(ledger["imported"])
        ):
            time.sleep(0.5)
    finally:
        receiver.shutdown()
        for process in instances:
            stop(process)

    report, errors = table(
        Path(f"{prefix}_stats.csv"), server_times([OUT / f"instance-{i}.log" for i in range(2)])
    )
    problems = lost_writes(database_url, ledger)
    if imported(database_url, ledger) != len(ledger["imported"]):
        problems.append(
            f"import: {len(ledger['imported'])} rows started, {imported(database_url, ledger)} users"
        )
    if Receiver.deliveries != ledger["messages"]:
        problems.append(f"webhooks: {ledger['messages']} messages posted, {Receiver.deliveries} delivered")
    sizes = ", ".join(str(b["size"]) for b in seed["big"])
    print(
        f"two instances x {env.get('WEB_CONCURRENCY', 2)} gunicorn workers + a Celery worker, production settings, PostgreSQL + Redis; "
        f"{args.accounts} customer accounts, big accounts of {sizes} users; {args.users} locust users, {elapsed:.0f} s"
    )
    print(report)
    print(
        f"errors: {errors}; writes acknowledged: {len(ledger['users_created'])} users created, "
        f"{len(ledger['last_update'])} users updated, {ledger['messages']} messages ({Receiver.deliveries} webhook deliveries), "
        f"{len(ledger['imported'])} users imported; lost: {len(problems)}"
    )
    for problem in problems[:20]:
        print("  LOST", problem)
    return 1 if errors or problems else 0


if __name__ == "__main__":
    sys.exit(main())
