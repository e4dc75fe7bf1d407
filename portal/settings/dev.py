"""Development defaults: the embedded setup `make run` serves (SQLite, a Celery worker on kombu's
filesystem transport under var/queue/, the outbox)."""

import os
from pathlib import Path

from portal.settings.env import derived_fernet_key

os.environ.setdefault("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
os.environ.setdefault("PORTAL_ENCRYPTION_KEYS", derived_fernet_key(os.environ["SECRET_KEY"]))
# DEBUG off, as a partner trying the demo should see it: the portal's own 404/403/500 pages, not
# Django's technical ones. What DEBUG would otherwise switch on for production is set below.
os.environ.setdefault("DEBUG", "false")
# The demo is served over plain http on loopback, and shows the emails it sends (the Outbox).
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("SECURE_HSTS_PRELOAD", "false")
os.environ.setdefault("PORTAL_SHOW_OUTBOX", "true")
# Long work (imports, gateway connects, emails) runs in a real background worker, as in production:
# `make run` starts `celery -A portal worker` beside runserver, and both pass the tasks through files
# under var/queue/ (kombu's filesystem transport: no broker to install). CELERY_BROKER_URL= (empty)
# runs tasks inside the request instead.
os.environ.setdefault("CELERY_BROKER_URL", "filesystem://")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
# The demo PBX simulator of `make run` / seed_demo listens on loopback (docs/gateway.md).
os.environ.setdefault("PORTAL_PBX_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128")

# WebAuthn over plain http on localhost (a secure context for the browser; fido2 wants it allowed).
os.environ.setdefault("PORTAL_WEBAUTHN_ALLOW_INSECURE_ORIGIN", "true")

from portal.settings.base import *  # noqa: E402,F403

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405

# Serve static files straight from the app/static folders (no collectstatic needed), DEBUG or not.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# kombu's filesystem transport: the web process writes each task into var/queue/, the worker reads it.
QUEUE_DIR = Path(os.environ.get("PORTAL_QUEUE_DIR", str(VAR_DIR / "queue")))  # noqa: F405
if CELERY_BROKER_URL.startswith("filesystem://"):  # noqa: F405
    for folder in ("processed", "control"):
        (QUEUE_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(QUEUE_DIR),
        "data_folder_out": str(QUEUE_DIR),
        "processed_folder": str(QUEUE_DIR / "processed"),
        "control_folder": str(QUEUE_DIR / "control"),
        "store_processed": False,
    }
    # No result backend: pages read a job's progress from its row, never from a task result.
    CELERY_TASK_IGNORE_RESULT = True

# SQLite in WAL mode: the worker writes (an import's progress) while the web process reads it.
if DATABASES["default"]["ENGINE"].endswith("sqlite3") and DATABASES["default"]["NAME"] != ":memory:":  # noqa: F405
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"  # noqa: F405
