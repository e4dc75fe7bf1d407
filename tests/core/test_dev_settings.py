"""The embedded default `make run` serves (portal.settings.dev) shows the portal's own error pages
(issue 14, defect 6): DEBUG is off there, static files are still served, and the demo's comforts
(plain http, the Outbox) stay on. Checked in a fresh interpreter, as `make run` starts it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from tests.waiting import wait_until

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
missing = client.get("/no-such-page/")
css = client.get("/static/css/portal.css")
print(json.dumps({
    "debug": settings.DEBUG,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "secure_cookie": settings.SESSION_COOKIE_SECURE,
    "outbox": settings.PORTAL_SHOW_OUTBOX,
    "missing": [missing.status_code, missing.content.decode()],
    "css": css.status_code,
}))
"""


def test_make_run_serves_the_branded_error_pages_and_its_static_files():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    env.pop("DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe["debug"] is False
    assert probe["ssl_redirect"] is False
    assert probe["secure_cookie"] is False
    assert probe["outbox"] is True
    status, body = probe["missing"]
    assert status == 404
    assert "Page not found" in body
    assert "CloudLink Accounts Console" in body
    assert "technical" not in body.lower() and "URLconf" not in body
    assert probe["css"] == 200


FORGOT = """
import django
django.setup()
from django.db import transaction
from accounts.services import user_password_forgot
with transaction.atomic():
    user_password_forgot(email="boss@acme.example")
"""

OUTBOX = """
import django
django.setup()
from core.models import OutboxMessage
print(OutboxMessage.objects.filter(to=["boss@acme.example"]).count())
"""


def test_make_run_hands_long_work_to_a_real_background_worker(tmp_path):
    """Issue 14, defect 3: on the embedded default a task leaves the request as a file under the queue
    folder and a separate `celery worker` process (as `make run` starts it) runs it."""
    queue = tmp_path / "queue"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "PORTAL_QUEUE_DIR": str(queue),
    }
    for name in ("DEBUG", "CELERY_BROKER_URL", "EMAIL_URL"):
        env.pop(name, None)

    def run(*args: str) -> str:
        done = subprocess.run(
            args, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True
        )
        return done.stdout

    manage = [sys.executable, "manage.py"]
    run(*manage, "migrate", "--noinput")
    run(
        *manage,
        "createpartner",
        "--name",
        "Acme",
        "--email",
        "boss@acme.example",
        "--password",
        "s3cure-pass-42",
    )
    run(sys.executable, "-c", FORGOT)
    # Sent, not run: the task waits in the queue folder and no email exists yet.
    assert [path for path in queue.iterdir() if path.is_file()]
    assert run(sys.executable, "-c", OUTBOX).strip() == "0"

    celery = str(Path(sys.executable).with_name("celery"))
    worker = subprocess.Popen(
        [celery, "-A", "portal", "worker", "--pool=solo", "--without-mingle", "--without-gossip",
         "--without-heartbeat", "--loglevel=WARNING"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert wait_until(lambda: run(sys.executable, "-c", OUTBOX).strip() == "1", timeout=60)
        assert wait_until(lambda: not [path for path in queue.iterdir() if path.is_file()], timeout=10)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
