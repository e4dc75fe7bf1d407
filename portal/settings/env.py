"""Typed readers for environment variables (12-factor settings)."""

import base64
import hashlib
import ipaddress
import os
from urllib.parse import parse_qs, unquote, urlparse

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            with open(file_path, encoding="utf-8") as fh:
                return fh.read().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE points to an unreadable file: {exc}") from exc
    return os.environ.get(name, default)


def env_required(name: str) -> str:
    value = env_str(name)
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set.")
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from exc


def env_list(name: str, default: str = "") -> list[str]:
    raw = os.environ.get(name, default)
    return [item.strip() for item in raw.split(",") if item.strip()]


GENERATE_FERNET_KEY = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


def env_fernet_keys(name: str) -> list[str]:
    """A required comma-separated list of Fernet keys (32 url-safe base64-encoded bytes each).
    A bad key is named by its position, never echoed: it is a secret."""
    keys = [key.strip() for key in (env_str(name) or "").split(",") if key.strip()]
    if not keys:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be set. Generate a key with: {GENERATE_FERNET_KEY}"
        )
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                f"Key {position} of {name} is not a Fernet key (32 url-safe base64-encoded bytes). "
                f"Generate one with: {GENERATE_FERNET_KEY}"
            ) from None
    return keys


def derived_fernet_key(secret_key: str) -> str:
    """A Fernet key derived from SECRET_KEY: the development and test default, never production's."""
    digest = hashlib.sha256(b"portal-encryption-key:" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def env_networks(name: str, default: str = "") -> list[str]:
    """Comma-separated CIDRs (``10.0.0.0/8, ::1/128``; host bits allowed) -> normalised strings."""
    networks = []
    for entry in env_list(name, default):
        try:
            networks.append(str(ipaddress.ip_network(entry, strict=False)))
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: {entry!r} is not an IP network ({exc}).") from exc
    return networks


def email_settings_from_url(url: str) -> dict:
    """Turn EMAIL_URL into Django email settings.

    Supported: ``outbox://`` (database outbox, visible in the portal), ``console://``,
    ``locmem://``, ``smtp://user:pass@host:port`` and ``smtps://...`` (implicit TLS);
    ``?tls=true`` switches on STARTTLS and ``?from=...`` sets the sender.
    """
    parsed = urlparse(url)
    query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
    backends = {
        "outbox": "core.mail.OutboxBackend",
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
    }
    if parsed.scheme not in backends:
        raise ImproperlyConfigured(f"EMAIL_URL scheme {parsed.scheme!r} is not one of {sorted(backends)}.")
    result: dict = {"EMAIL_BACKEND": backends[parsed.scheme]}
    if parsed.scheme in {"smtp", "smtps"}:
        result.update(
            EMAIL_HOST=parsed.hostname or "localhost",
            EMAIL_PORT=parsed.port or (465 if parsed.scheme == "smtps" else 25),
            EMAIL_HOST_USER=unquote(parsed.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parsed.password or ""),
            EMAIL_USE_SSL=parsed.scheme == "smtps",
            EMAIL_USE_TLS=query.get("tls", "").lower() in _TRUE,
            EMAIL_TIMEOUT=int(query.get("timeout", "10")),
        )
    if "from" in query:
        result["DEFAULT_FROM_EMAIL"] = query["from"]
    return result
