"""The embedded default `make run` serves (portal.settings.dev) shows the portal's own error pages
(issue 14, defect 6): DEBUG is off there, static files are still served, and the demo's comforts
(plain http, the Outbox) stay on. Checked in a fresh interpreter, as `make run` starts it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings

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
