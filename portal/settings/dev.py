"""Development defaults: the embedded setup `make run` serves (SQLite, in-process tasks, outbox)."""

import os

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
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
# The demo PBX simulator of `make run` / seed_demo listens on loopback (docs/gateway.md).
os.environ.setdefault("PORTAL_PBX_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128")

from portal.settings.base import *  # noqa: E402,F403

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405

# Serve static files straight from the app/static folders (no collectstatic needed), DEBUG or not.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
