"""Secrets at rest: Fernet encryption with the keys of ``PORTAL_ENCRYPTION_KEYS``.

Fernet (``cryptography``) is AES-128-CBC with an HMAC-SHA256 tag: a wrong key or a tampered value
fails to decrypt, it never yields garbage. ``MultiFernet`` holds every configured key: the first
encrypts, each one decrypts, and ``rotate`` re-encrypts with the first (``manage.py
reencrypt_secrets``). A stored value is ``fernet:`` + the token, so an encrypted column is
recognisable in a dump and a plain-text leftover is never mistaken for a token.
"""

from __future__ import annotations

import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

PREFIX = "fernet:"


class DecryptionError(Exception):
    """A stored secret could not be decrypted: no configured key fits, or it is not encrypted."""


@functools.cache
def _keys(keys: tuple[str, ...]) -> tuple[Fernet, MultiFernet]:
    fernets = [Fernet(key) for key in keys]
    return fernets[0], MultiFernet(fernets)


def _configured() -> tuple[Fernet, MultiFernet]:
    return _keys(tuple(settings.PORTAL_ENCRYPTION_KEYS))


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX)


def encrypt(plaintext: str) -> str:
    """The stored form of ``plaintext``, encrypted with the first key."""
    return PREFIX + _configured()[1].encrypt(plaintext.encode()).decode()


def decrypt(stored: str, *, label: str = "A stored secret") -> str:
    """The plaintext of a stored value. ``label`` names it in the error (never the value itself)."""
    if not is_encrypted(stored):
        raise DecryptionError(
            f"{label} is not encrypted: run `manage.py migrate`, which encrypts the values stored "
            "before encryption, or `manage.py reencrypt_secrets`."
        )
    try:
        return _configured()[1].decrypt(stored.removeprefix(PREFIX).encode()).decode()
    except InvalidToken:
        raise DecryptionError(
            f"{label} cannot be decrypted with any key in PORTAL_ENCRYPTION_KEYS: the key that "
            "encrypted it was removed or changed (docs/production.md, rotating the encryption key)."
        ) from None


def reencrypt(stored: str) -> str | None:
    """``stored`` encrypted with the first key, or None when it already is. A plain-text value is
    encrypted; one that no key opens raises DecryptionError."""
    if not is_encrypted(stored):
        return encrypt(stored)
    first, every = _configured()
    token = stored.removeprefix(PREFIX).encode()
    try:
        first.decrypt(token)
        return None
    except InvalidToken:
        pass
    try:
        return PREFIX + every.rotate(token).decode()
    except InvalidToken:
        raise DecryptionError("cannot be decrypted with any key in PORTAL_ENCRYPTION_KEYS") from None
