"""Typed results. Each resource is a dataclass of the documented fields (snake_case) built from
CloudLink's camelCase JSON; ``raw`` keeps the whole answer, so nothing the server adds is lost
(``user["sipAddress"]`` or ``user.raw`` reach any field)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Generic, TypeVar

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def snake_case(key: str) -> str:
    return _CAMEL.sub("_", key.lstrip("_")).lower()


R = TypeVar("R", bound="Resource")


@dataclass
class Resource:
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False, kw_only=True)

    _ALIASES: ClassVar[dict[str, str]] = {}

    @classmethod
    def from_dict(cls: type[R], data: dict[str, Any]) -> R:
        names = {f.name for f in fields(cls)} - {"raw"}
        values = {}
        for key, value in (data or {}).items():
            name = cls._ALIASES.get(key) or snake_case(key)
            if name in names:
                values[name] = value
        return cls(**values, raw=dict(data or {}))

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)

    @property
    def self_link(self) -> str | None:
        return (self.raw.get("_links") or {}).get("self")


@dataclass
class Token(Resource):
    """``POST /token`` answer. ``obtained_at`` (epoch seconds, local clock) dates ``expires_in``."""

    access_token: str = ""
    token_type: str = "bearer"
    expires_in: int = 0
    refresh_token: str = ""
    scope: str = ""
    issued_token_type: str = ""
    obtained_at: float = field(default_factory=time.time)

    @property
    def expires_at(self) -> float:
        return self.obtained_at + float(self.expires_in or 0)

    def expires_within(self, seconds: float) -> bool:
        """True when the access token is expired or will be in ``seconds``. A token without
        ``expires_in`` is taken to be valid until the server says otherwise (401)."""
        if not self.expires_in:
            return False
        return time.time() + seconds >= self.expires_at

    @property
    def refreshable(self) -> bool:
        return bool(self.refresh_token)


def _to_bool(value: Any) -> Any:
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def _to_int(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


@dataclass
class Claims(Resource):
    """``GET /token``: the caller's claims. CloudLink sends every value as a string; numbers and
    booleans are converted back here (``raw`` keeps the strings)."""

    principal_id: str = ""
    unique_user_id: str | None = None
    user_id: str | None = None
    account_id: str = ""
    account_number: str | None = None
    partner_id: str | None = None
    role: str = ""
    type: str | None = None
    email: str | None = None
    name: str | None = None
    extension: str | None = None
    domain: str | None = None
    sip_address: str | None = None
    language_code: str | None = None
    client_id: str | None = None
    email_verified: bool | None = None
    iss: str | None = None
    sub: str | None = None
    iat: int | None = None
    exp: int | None = None

    def __post_init__(self) -> None:
        self.iat, self.exp = _to_int(self.iat), _to_int(self.exp)
        self.email_verified = _to_bool(self.email_verified)


@dataclass
class Account(Resource):
    account_id: str = ""
    account_number: str | None = None
    name: str = ""
    partner_id: str | None = None
    active: bool | None = None
    status: str | None = None
    language_code: str | None = None
    business_type: str | None = None
    pbx_type: str | None = None
    policy: dict[str, Any] = field(default_factory=dict)
    location: dict[str, Any] = field(default_factory=dict)
    support_contacts: list[Any] = field(default_factory=list)
    created_on: str | None = None
    modified_on: str | None = None


@dataclass
class User(Resource):
    user_id: str = ""
    account_id: str = ""
    unique_user_id: str | None = None
    email: str = ""
    name: str | None = None
    display_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    role: str | None = None
    extension: str | None = None
    mobile: str | None = None
    phone: str | None = None
    email_verified: bool | None = None
    registered: bool | None = None
    source: str | None = None
    created_by: str | None = None
    created_on: str | None = None
    modified_by: str | None = None
    modified_on: str | None = None


@dataclass
class Participant(Resource):
    participant_id: str | None = None
    user_id: str | None = None
    type: str | None = None
    status: str | None = None
    name: str | None = None
    role: str | None = None


@dataclass
class Conversation(Resource):
    conversation_id: str = ""
    account_id: str | None = None
    name: str | None = None
    visibility: str | None = None
    language_code: str | None = None
    stream: bool | None = None
    hidden: bool | None = None
    created_by: str | None = None
    created_on: str | None = None
    modified_on: str | None = None

    @property
    def participants(self) -> list[Participant]:
        """Participants embedded in the conversation (``_embedded.participants``), if any."""
        embedded = (self.raw.get("_embedded") or {}).get("participants") or {}
        items = embedded.get("_embedded", {}).get("items", []) if isinstance(embedded, dict) else embedded
        return [Participant.from_dict(item) for item in items or []]


@dataclass
class Message(Resource):
    message_id: str = ""
    conversation_id: str | None = None
    account_id: str | None = None
    body: str = ""
    content_type: str | None = None
    created_by: str | None = None
    created_on: str | None = None


@dataclass
class Subscription(Resource):
    subscription_id: str = ""
    application_id: str | None = None
    device_id: str | None = None
    transport: str | None = None
    topic: str | None = None
    subject_filter: str | None = None
    publication_filter: str | None = None
    created_on: str | None = None
    secret: str | None = None  # only in the answers of create and rotate_subscription_secret


@dataclass
class Call(Resource):
    _ALIASES: ClassVar[dict[str, str]] = {"from": "from_"}

    call_id: str = ""
    endpoint_id: str | None = None
    from_: str | None = None
    from_name: str | None = None
    to: str | None = None
    to_name: str | None = None
    state: str | None = None
    cause: str | None = None
    direction: str | None = None
    site_id: str | None = None
    completed: bool | None = None
    created_on: str | None = None
    end_time: str | None = None


@dataclass
class Page(Generic[R]):
    """One page of a collection: CloudLink's ``{count, _links, _embedded: {items}}``."""

    items: list[R]
    count: int
    links: dict[str, str]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def next_link(self) -> str | None:
        return self.links.get("next")

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @classmethod
    def from_dict(cls, data: dict[str, Any], item_type: type[R]) -> Page[R]:
        items = [item_type.from_dict(item) for item in (data.get("_embedded") or {}).get("items", [])]
        return cls(
            items=items, count=int(data.get("count", len(items))), links=data.get("_links") or {}, raw=data
        )
