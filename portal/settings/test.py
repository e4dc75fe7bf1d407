"""Test overrides. SQLite by default; DATABASE_URL / REDIS_URL / CELERY_BROKER_URL switch to the real services."""

import os

from portal.settings.env import derived_fernet_key

os.environ.setdefault("SECRET_KEY", "test-only-insecure-key")
os.environ.setdefault("PORTAL_ENCRYPTION_KEYS", derived_fernet_key(os.environ["SECRET_KEY"]))
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# The PBX simulator of the tests listens on 127.0.0.1; SSRF tests override back to [].
os.environ.setdefault("PORTAL_PBX_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = "sqlite:///:memory:"

# WebAuthn over plain http on localhost (a secure context for the browser; fido2 wants it allowed).
os.environ.setdefault("PORTAL_WEBAUTHN_ALLOW_INSECURE_ORIGIN", "true")

from portal.settings.base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Tasks run in-process unless a test asks for the real worker with the `celery_worker` fixture
# (CI's second run starts one against CELERY_BROKER_URL).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
PORTAL_SHOW_OUTBOX = True
# The tests' identity providers listen on 127.0.0.1 over http.
PORTAL_SSO_ALLOW_LOOPBACK_HTTP = True
# Sign-in throttling runs with the production policy (PORTAL_SIGN_IN_FAILURES); password resets are relaxed.
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "reset_password": "1000/m/ip,100/m/key"}  # noqa: F405

# Serve static files straight from the app/static folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
