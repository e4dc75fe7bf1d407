"""Token state of a client: the current token, how to renew it, PKCE and client authentication helpers."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from collections.abc import Callable
from urllib.parse import quote_plus

from cloudlink.errors import NotAuthenticated
from cloudlink.models import Token


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 S256: ``base64url(SHA-256(verifier))`` without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def pkce_pair() -> tuple[str, str]:
    """A fresh ``(code_verifier, code_challenge)`` for ``code_challenge_method=S256``."""
    verifier = secrets.token_urlsafe(48)  # 64 characters, within RFC 7636's 43..128
    return verifier, pkce_challenge(verifier)


def basic_auth_header(client_id: str, client_secret: str) -> str:
    """``Authorization: Basic`` for a client, each part form-encoded first (RFC 6749 2.3.1)."""
    raw = f"{quote_plus(client_id)}:{quote_plus(client_secret)}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


class TokenManager:
    """Holds the token and renews it: ahead of expiry (``refresh_margin`` seconds) and once after a 401.

    ``renew`` is the way to a new token: the refresh grant when the token has a refresh token,
    or the grant that made it when that grant can simply be asked again (client_credentials).
    Renewals are serialised, so threads sharing a client rotate a refresh token only once."""

    def __init__(self, refresh_margin: float = 30.0):
        self.refresh_margin = refresh_margin
        self.token: Token | None = None
        self._renew: Callable[[Token], Token] | None = None
        self._lock = threading.RLock()

    def set(self, token: Token | None, renew: Callable[[Token], Token] | None = None) -> None:
        with self._lock:
            self.token, self._renew = token, renew

    @property
    def can_renew(self) -> bool:
        return self.token is not None and self._renew is not None

    def access_token(self) -> str:
        with self._lock:
            if self.token is None:
                raise NotAuthenticated("Sign in first (login, login_client_credentials, ...).")
            if self.can_renew and self.token.expires_within(self.refresh_margin):
                self._renew_now()
            return self.token.access_token

    def renew_after_401(self, rejected_access_token: str) -> bool:
        """Renew after the server refused ``rejected_access_token``; False when there is no way to.
        If another thread already renewed it, the newer token is kept as is."""
        with self._lock:
            if self.token is None or not self.can_renew:
                return False
            if self.token.access_token == rejected_access_token:
                self._renew_now()
            return True

    def _renew_now(self) -> None:
        assert self.token is not None and self._renew is not None
        self.token = self._renew(self.token)
