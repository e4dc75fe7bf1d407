"""A Python client for CloudLink's REST APIs and this portal's compatible API.

Only ``requests`` is needed: the package imports nothing from the portal, so it can be copied
out as a stand-alone ``cloudlink`` package. See docs/python-client.md.
"""

from cloudlink.auth import pkce_challenge, pkce_pair  # noqa: E402
from cloudlink.client import CLOUDLINK_URLS, CloudLink, default_mitel_app, resolve_link, service_urls  # noqa: E402
from cloudlink.errors import (
    ApiError,
    BadRequest,
    CloudLinkError,
    Conflict,
    Forbidden,
    MultipleMatching,
    NotAuthenticated,
    NotFound,
    RateLimited,
    ServerError,
    Unauthorized,
)
from cloudlink.http import parse_retry_after  # noqa: E402
from cloudlink.models import (
    Account,
    Call,
    Claims,
    Conversation,
    Message,
    Page,
    Participant,
    Subscription,
    Token,
    User,
)
from cloudlink.version import __version__

__all__ = [
    "CLOUDLINK_URLS",
    "Account",
    "ApiError",
    "BadRequest",
    "Call",
    "Claims",
    "CloudLink",
    "CloudLinkError",
    "Conflict",
    "Conversation",
    "Forbidden",
    "Message",
    "MultipleMatching",
    "NotAuthenticated",
    "NotFound",
    "Page",
    "Participant",
    "RateLimited",
    "ServerError",
    "Subscription",
    "Token",
    "Unauthorized",
    "User",
    "__version__",
    "default_mitel_app",
    "parse_retry_after",
    "pkce_challenge",
    "pkce_pair",
    "resolve_link",
    "service_urls",
]
