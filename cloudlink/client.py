"""The client: service base URLs, sign-in methods that keep the token fresh, and ``request``."""

from __future__ import annotations

import platform
import re
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import requests

from cloudlink.auth import TokenManager, pkce_pair
from cloudlink.http import HttpTransport, response_json
from cloudlink.models import Claims, Token
from cloudlink.services import (
    AdminService,
    AuthenticationService,
    ChatService,
    MediaService,
    NotificationsService,
)
from cloudlink.version import __version__

API_VERSION = "2017-09-01"
SERVICES = ("authentication", "admin", "chat", "notifications", "media")
CLOUDLINK_URLS = {name: f"https://{name}.api.mitel.io/{API_VERSION}" for name in SERVICES}
_VERSION_SUFFIX = re.compile(r"^(.*?)(/\d{4}-\d{2}-\d{2})/?$")


def service_urls(base_url: str | None = None, urls: Mapping[str, str] | None = None) -> dict[str, str]:
    """Base URL of each service: CloudLink's hosts by default; ``<base_url>/<service>/2017-09-01``
    when ``base_url`` is given (this portal mounts every service under ``/api``); ``urls``
    overrides single services."""
    if base_url:
        base = base_url.rstrip("/")
        result = {name: f"{base}/{name}/{API_VERSION}" for name in SERVICES}
    else:
        result = dict(CLOUDLINK_URLS)
    for name, url in (urls or {}).items():
        if name not in SERVICES:
            raise ValueError(f"Unknown service {name!r}; expected one of {', '.join(SERVICES)}")
        result[name] = url.rstrip("/")
    return result


def resolve_link(service_base: str, link: str) -> str:
    """A collection or resource link made absolute. CloudLink writes links relative to the
    service's host (``/2017-09-01/accounts?$skip=2``), so the version in the link replaces the one
    the base ends with; absolute links are used as they are."""
    if link.startswith(("http://", "https://")):
        return link
    if not link.startswith("/"):
        return f"{service_base}/{link}"
    match = _VERSION_SUFFIX.match(service_base)
    if match and re.match(r"^/\d{4}-\d{2}-\d{2}(/|$|\?)", link):
        return match.group(1) + link
    return service_base + link


def default_mitel_app(app: str = f"cloudlink-python/{__version__}") -> str:
    """CloudLink's ``x-mitel-app``: ``app=<name>/<version>;platform=<os>/<release>;session=<uuid>;``."""
    system = platform.system().lower() or "unknown"
    return f"app={app};platform={system}/{platform.release() or 'unknown'};session={uuid.uuid4()};"


class CloudLink:
    """A CloudLink API client (also this portal's API).

    >>> cl = CloudLink(base_url="http://127.0.0.1:8000/api")
    >>> cl.login("ada@globex.example", "...")
    >>> for user in cl.admin.iter_users(cl.whoami().account_id, top=50): ...
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        urls: Mapping[str, str] | None = None,
        mitel_app: str | None = None,
        session: requests.Session | None = None,
        timeout: float = 30.0,
        max_retries: int = 3,
        max_retry_wait: float = 60.0,
        retry_after_unit: str = "ms",
        default_retry_after: float = 2.0,
        jitter: float = 0.25,
        refresh_margin: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.urls = service_urls(base_url, urls)
        self.transport = HttpTransport(
            mitel_app=mitel_app or default_mitel_app(),
            session=session,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            retry_after_unit=retry_after_unit,
            default_retry_after=default_retry_after,
            jitter=jitter,
            sleep=sleep,
        )
        self.tokens = TokenManager(refresh_margin)
        self.authentication = AuthenticationService(self)
        self.admin = AdminService(self)
        self.chat = ChatService(self)
        self.notifications = NotificationsService(self)
        self.media = MediaService(self)

    def close(self) -> None:
        """Close the HTTP session's connections."""
        self.transport.session.close()

    def __enter__(self) -> CloudLink:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- token state ------------------------------------------------------------------------

    @property
    def token(self) -> Token | None:
        return self.tokens.token

    @property
    def mitel_app(self) -> str:
        return self.transport.mitel_app

    def use_token(self, token: Token | str, renew: Callable[[Token], Token] | None = None) -> Token:
        """Use a token obtained elsewhere (a ``Token`` or a bare access token). A token with a
        refresh token is refreshed automatically unless ``renew`` says otherwise."""
        if isinstance(token, str):
            token = Token(access_token=token)
        if renew is None and token.refreshable:
            renew = self._refresh_grant
        self.tokens.set(token, renew)
        return token

    def logout(self) -> None:
        """Forget the token (the server keeps it valid until it expires)."""
        self.tokens.set(None)

    def _refresh_grant(self, token: Token) -> Token:
        return self.authentication.refresh(token.refresh_token)

    # -- sign-in ----------------------------------------------------------------------------

    def login(
        self, username: str, password: str, account_id: str | None = None, scope: str | None = None
    ) -> Token:
        """Password grant. Raises :class:`MultipleMatching` when ``account_id`` is needed. The
        password is not kept: the refresh token keeps the session going."""
        return self.use_token(self.authentication.password(username, password, account_id, scope))

    def login_refresh_token(self, refresh_token: str) -> Token:
        """Start from a stored refresh token (e.g. one saved by a previous run)."""
        return self.use_token(self.authentication.refresh(refresh_token))

    def login_client_credentials(
        self, client_id: str, client_secret: str, account_id: str | None = None, *, basic: bool = False
    ) -> Token:
        """The application's own token. There is no refresh token: the client asks again with
        the same credentials when the token is about to expire."""

        def renew(_: Token) -> Token:
            return self.authentication.client_credentials(client_id, client_secret, account_id, basic=basic)

        return self.use_token(renew(Token()), renew)

    def login_authorization_code(
        self,
        client_id: str,
        username: str,
        password: str,
        *,
        client_secret: str | None = None,
        account_id: str | None = None,
        redirect_uri: str | None = None,
        scope: str | None = None,
        pkce: bool = True,
        basic: bool = False,
    ) -> Token:
        """CloudLink's programmatic flow: ``POST /authorize`` for a code (with a PKCE S256
        challenge unless ``pkce=False``), then the code exchange."""
        verifier, challenge = pkce_pair() if pkce else (None, None)
        code = self.authentication.authorize(
            client_id,
            username,
            password,
            account_id=account_id,
            redirect_uri=redirect_uri,
            scope=scope,
            code_challenge=challenge,
        )
        return self.login_code(
            code, client_id, client_secret, redirect_uri=redirect_uri, code_verifier=verifier, basic=basic
        )

    def login_code(
        self,
        code: str,
        client_id: str,
        client_secret: str | None = None,
        *,
        redirect_uri: str | None = None,
        code_verifier: str | None = None,
        basic: bool = False,
    ) -> Token:
        """Exchange a code (e.g. from the browser flow's redirect) and use the user's tokens."""
        token = self.authentication.exchange_code(
            code,
            client_id,
            client_secret,
            redirect_uri=redirect_uri,
            code_verifier=code_verifier,
            basic=basic,
        )
        return self.use_token(token)

    def login_assumed_role(self, account_id: str, role: str = "ACCOUNT_ADMIN") -> Token:
        """Signed in as a partner admin, act as ``role`` in one customer account from now on
        (``POST /assume-role/token``; short-lived, not renewed: sign in and assume again)."""
        return self.use_token(self.authentication.assume_role(account_id, role))

    def login_guest(self, account_id: str, name: str, **fields: Any) -> Token:
        """A guest token (role ``GUEST``). Its refresh token is the guest's only way to more tokens
        for the same ``principalId``; the client refreshes it like any other."""
        return self.use_token(self.authentication.guest_token(account_id, name, **fields))

    def whoami(self) -> Claims:
        return self.authentication.whoami()

    # -- requests ---------------------------------------------------------------------------

    def url(self, service: str, path: str) -> str:
        return resolve_link(self.urls[service], path)

    def request(
        self,
        method: str,
        service: str,
        path: str,
        *,
        auth: bool = True,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Call ``path`` of ``service`` and return the JSON answer (None when empty). With
        ``auth`` the bearer token is sent, renewed ahead of expiry and once after a 401."""
        url = self.url(service, path)
        all_headers = dict(headers or {})
        access_token = None
        if auth:
            access_token = self.tokens.access_token()
            all_headers["Authorization"] = f"Bearer {access_token}"
        response = self.transport.send(method, url, headers=all_headers, **kwargs)
        if response.status_code == 401 and access_token and self.tokens.renew_after_401(access_token):
            all_headers["Authorization"] = f"Bearer {self.tokens.access_token()}"
            response = self.transport.send(method, url, headers=all_headers, **kwargs)
        self.transport.raise_for_error(response)
        return response_json(response)
