"""One class per CloudLink service. Paths are relative to the service's base URL
(``https://admin.api.mitel.io/2017-09-01`` or ``<portal>/api/admin/2017-09-01``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol
from urllib.parse import quote

from cloudlink.auth import basic_auth_header
from cloudlink.models import (
    Account,
    Call,
    Claims,
    Conversation,
    Message,
    Page,
    Participant,
    R,
    Subscription,
    Token,
    User,
)


class Transport(Protocol):
    """What a service needs of its client (``cloudlink.client.CloudLink``): its base URLs and a way
    to send one request."""

    urls: Mapping[str, str]

    def request(self, method: str, service: str, path: str, **kwargs: Any) -> Any: ...


def seg(value: Any) -> str:
    """One path segment (a GUID, an account number, an email...) safely quoted."""
    return quote(str(value), safe="@")


def odata(
    filter: str | None = None,
    orderby: str | None = None,
    top: int | None = None,
    skip: int | None = None,
    expand: str | None = None,
    **params: Any,
) -> dict[str, Any]:
    """OData query options (``$filter``, ``$orderby``, ``$top``, ``$skip``, ``$expand``) plus any others."""
    options = {"$filter": filter, "$orderby": orderby, "$top": top, "$skip": skip, "$expand": expand}
    return {key: value for key, value in {**options, **params}.items() if value is not None}


class Service:
    name = ""

    def __init__(self, client: Transport):
        self.client = client

    @property
    def base_url(self) -> str:
        return self.client.urls[self.name]

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.client.request(method, self.name, path, **kwargs)

    def page(self, path: str, item_type: type[R], params: dict[str, Any] | None = None) -> Page[R]:
        return Page.from_dict(self.call("GET", path, params=params) or {}, item_type)

    def iterate(self, path: str, item_type: type[R], params: dict[str, Any] | None = None) -> Iterator[R]:
        """Every item of a collection, following ``_links.next`` page after page."""
        page = self.page(path, item_type, params)
        while True:
            yield from page.items
            if not page.next_link or not page.items:
                return
            page = Page.from_dict(self.call("GET", page.next_link) or {}, item_type)


class AuthenticationService(Service):
    """Tokens. These methods only return tokens; ``CloudLink.login*`` also make the client use them."""

    name = "authentication"

    def _grant(self, data: dict[str, Any], headers: dict[str, str] | None = None) -> Token:
        body = {key: value for key, value in data.items() if value is not None}
        return Token.from_dict(self.call("POST", "/token", data=body, auth=False, headers=headers))

    def password(
        self, username: str, password: str, account_id: str | None = None, scope: str | None = None
    ) -> Token:
        """``grant_type=password``. Raises :class:`MultipleMatching` (409) when the email is in
        several accounts and no ``account_id`` was given."""
        return self._grant(
            {
                "grant_type": "password",
                "username": username,
                "password": password,
                "account_id": account_id,
                "scope": scope,
            }
        )

    def refresh(self, refresh_token: str) -> Token:
        """``grant_type=refresh_token``. The answer carries a new refresh token (rotation)."""
        return self._grant({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def _client_auth(
        self, data: dict[str, Any], client_id: str, client_secret: str | None, basic: bool
    ) -> dict[str, str] | None:
        if basic and client_secret is not None:
            return {"Authorization": basic_auth_header(client_id, client_secret)}
        data.update(client_id=client_id, client_secret=client_secret)
        return None

    def client_credentials(
        self, client_id: str, client_secret: str, account_id: str | None = None, *, basic: bool = False
    ) -> Token:
        """``grant_type=client_credentials``: the secret goes in the body, or as HTTP Basic with ``basic=True``."""
        data: dict[str, Any] = {"grant_type": "client_credentials", "account_id": account_id}
        headers = self._client_auth(data, client_id, client_secret, basic)
        return self._grant(data, headers)

    def authorize(
        self,
        client_id: str,
        username: str,
        password: str,
        *,
        account_id: str | None = None,
        redirect_uri: str | None = None,
        scope: str | None = None,
        code_challenge: str | None = None,
    ) -> str:
        """CloudLink's programmatic ``POST /authorize``: the user's credentials for an authorization code."""
        data = {
            "response_type": "code",
            "client_id": client_id,
            "username": username,
            "password": password,
            "account_id": account_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
        }
        if code_challenge:
            data.update(code_challenge=code_challenge, code_challenge_method="S256")
        body = {key: value for key, value in data.items() if value is not None}
        return self.call("POST", "/authorize", data=body, auth=False)["code"]

    def exchange_code(
        self,
        code: str,
        client_id: str,
        client_secret: str | None = None,
        *,
        redirect_uri: str | None = None,
        code_verifier: str | None = None,
        basic: bool = False,
    ) -> Token:
        """``grant_type=authorization_code``."""
        data: dict[str, Any] = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
        headers = self._client_auth(data, client_id, client_secret, basic)
        return self._grant(data, headers)

    def guest_token(
        self,
        account_id: str,
        name: str,
        *,
        principal_id: str | None = None,
        guest_email: str | None = None,
        client_id: str | None = None,
    ) -> Token:
        """``POST /guest/token``: a GUEST token in an account that allows guest access, with the
        refresh token that alone renews it (``refresh``)."""
        data = {
            "accountId": account_id,
            "name": name,
            "principalId": principal_id,
            "guestEmail": guest_email,
            "client_id": client_id,
        }
        body = {key: value for key, value in data.items() if value is not None}
        return Token.from_dict(self.call("POST", "/guest/token", json=body, auth=False))

    def assume_role(self, account_id: str, role: str = "ACCOUNT_ADMIN") -> Token:
        """``POST /assume-role/token`` with the client's current token (a partner admin's): a
        short-lived token as ``role`` in the customer account ``account_id`` (GUID or number).
        No refresh token: ask again when it expires."""
        body = {"accountId": account_id, "role": role}
        return Token.from_dict(self.call("POST", "/assume-role/token", json=body))

    def whoami(self) -> Claims:
        """``GET /token``: the claims of the client's current token."""
        return Claims.from_dict(self.call("GET", "/token"))


class AdminService(Service):
    name = "admin"

    # accounts
    def list_accounts(self, **options: Any) -> Page[Account]:
        return self.page("/accounts", Account, odata(**options))

    def iter_accounts(self, **options: Any) -> Iterator[Account]:
        return self.iterate("/accounts", Account, odata(**options))

    def get_account(self, account_id: str) -> Account:
        return Account.from_dict(self.call("GET", f"/accounts/{seg(account_id)}"))

    def create_account(self, **fields: Any) -> Account:
        """Fields as CloudLink names them: ``name``, ``country`` (or ``location``), ``supportContacts``..."""
        return Account.from_dict(self.call("POST", "/accounts", json=fields))

    def update_account(self, account_id: str, **fields: Any) -> Account:
        """Partial update (``PUT``): only the fields given change."""
        return Account.from_dict(self.call("PUT", f"/accounts/{seg(account_id)}", json=fields))

    def delete_account(self, account_id: str) -> Account:
        return Account.from_dict(self.call("DELETE", f"/accounts/{seg(account_id)}"))

    # users
    def list_users(self, account_id: str, **options: Any) -> Page[User]:
        return self.page(f"/accounts/{seg(account_id)}/users", User, odata(**options))

    def iter_users(self, account_id: str, **options: Any) -> Iterator[User]:
        return self.iterate(f"/accounts/{seg(account_id)}/users", User, odata(**options))

    def get_user(self, account_id: str, user_id: str) -> User:
        return User.from_dict(self.call("GET", f"/accounts/{seg(account_id)}/users/{seg(user_id)}"))

    def create_user(self, account_id: str, email: str, **fields: Any) -> User:
        """``email`` is the only required field; also ``name``, ``firstName``, ``role``, ``extension``..."""
        body = {"email": email, **fields}
        return User.from_dict(self.call("POST", f"/accounts/{seg(account_id)}/users", json=body))

    def update_user(self, account_id: str, user_id: str, **fields: Any) -> User:
        path = f"/accounts/{seg(account_id)}/users/{seg(user_id)}"
        return User.from_dict(self.call("PUT", path, json=fields))

    def delete_user(self, account_id: str, user_id: str) -> User:
        return User.from_dict(self.call("DELETE", f"/accounts/{seg(account_id)}/users/{seg(user_id)}"))


class ChatService(Service):
    name = "chat"

    def create_conversation(
        self,
        participants: list[str] | None = None,
        *,
        name: str | None = None,
        stream: bool | None = False,
        hidden: bool | None = None,
        generate_system_messages: bool | None = None,
        language_code: str | None = None,
        visibility: str | None = None,
        **fields: Any,
    ) -> Conversation:
        """``participants`` are user ids (sent as ``originalParticipants`` of type ``USER``)."""
        body: dict[str, Any] = {
            "name": name,
            "stream": stream,
            "hidden": hidden,
            "generateSystemMessages": generate_system_messages,
            "languageCode": language_code,
            "visibility": visibility,
            **fields,
        }
        if participants is not None:
            body["originalParticipants"] = [{"type": "USER", "participantId": pid} for pid in participants]
        body = {key: value for key, value in body.items() if value is not None}
        return Conversation.from_dict(self.call("POST", "/conversations", json=body))

    def list_conversations(self, **options: Any) -> Page[Conversation]:
        return self.page("/conversations", Conversation, odata(**options))

    def iter_conversations(self, **options: Any) -> Iterator[Conversation]:
        return self.iterate("/conversations", Conversation, odata(**options))

    def get_conversation(self, conversation_id: str) -> Conversation:
        return Conversation.from_dict(self.call("GET", f"/conversations/{seg(conversation_id)}"))

    def delete_conversation(self, conversation_id: str) -> dict[str, Any]:
        """CloudLink answers 200 with a JSON body (returned as is)."""
        return self.call("DELETE", f"/conversations/{seg(conversation_id)}") or {}

    def post_message(
        self, conversation_id: str, body: str, content_type: str = "text/plain", **fields
    ) -> Message:
        payload = {"body": body, "contentType": content_type, **fields}
        return Message.from_dict(
            self.call("POST", f"/conversations/{seg(conversation_id)}/messages", json=payload)
        )

    def list_messages(self, conversation_id: str, **options: Any) -> Page[Message]:
        return self.page(f"/conversations/{seg(conversation_id)}/messages", Message, odata(**options))

    def iter_messages(self, conversation_id: str, **options: Any) -> Iterator[Message]:
        return self.iterate(f"/conversations/{seg(conversation_id)}/messages", Message, odata(**options))

    def list_participants(self, conversation_id: str, **options: Any) -> Page[Participant]:
        path = f"/conversations/{seg(conversation_id)}/participants"
        return self.page(path, Participant, odata(**options))

    def iter_participants(self, conversation_id: str, **options: Any) -> Iterator[Participant]:
        path = f"/conversations/{seg(conversation_id)}/participants"
        return self.iterate(path, Participant, odata(**options))

    def add_participant(
        self, conversation_id: str, participant_id: str, type: str = "USER", **fields
    ) -> Participant:
        body = {"participantId": participant_id, "type": type, **fields}
        path = f"/conversations/{seg(conversation_id)}/participants"
        return Participant.from_dict(self.call("POST", path, json=body))


class NotificationsService(Service):
    name = "notifications"

    def create_subscription(
        self,
        *,
        application_id: str,
        device_id: str,
        topic: str,
        subject_filter: str | None = None,
        publication_filter: str | None = None,
        transport: str = "webhook",
        **fields: Any,
    ) -> Subscription:
        """``device_id`` is the webhook URL for ``transport="webhook"``."""
        body = {
            "applicationId": application_id,
            "deviceId": device_id,
            "transport": transport,
            "topic": topic,
            "subjectFilter": subject_filter,
            "publicationFilter": publication_filter,
            **fields,
        }
        body = {key: value for key, value in body.items() if value is not None}
        return Subscription.from_dict(self.call("POST", "/subscriptions", json=body))

    def list_subscriptions(self, **options: Any) -> Page[Subscription]:
        return self.page("/subscriptions", Subscription, odata(**options))

    def iter_subscriptions(self, **options: Any) -> Iterator[Subscription]:
        return self.iterate("/subscriptions", Subscription, odata(**options))

    def delete_subscription(self, subscription_id: str) -> dict[str, Any]:
        return self.call("DELETE", f"/subscriptions/{seg(subscription_id)}") or {}

    def rotate_subscription_secret(self, subscription_id: str) -> Subscription:
        """A new signing secret (``.secret``); deliveries are signed with it only from now on."""
        return Subscription.from_dict(self.call("POST", f"/subscriptions/{seg(subscription_id)}/secret"))


class MediaService(Service):
    name = "media"

    @staticmethod
    def _call_path(extension: str, call_id: str) -> str:
        """Live call ids may be whole paths (``endpoints/2001/calls/33656066``): use them as they are."""
        call_id = str(call_id)
        if call_id.startswith("endpoints/"):
            return "/" + "/".join(seg(part) for part in call_id.split("/"))
        return f"/endpoints/{seg(extension)}/calls/{seg(call_id)}"

    def make_call(self, extension: str, to: str, **fields: Any) -> Call:
        """``POST /endpoints/{extension}/calls`` ``{to}`` (MakeCall on the PBX)."""
        body = {"to": to, **fields}
        return Call.from_dict(self.call("POST", f"/endpoints/{seg(extension)}/calls", json=body))

    def list_calls(self, extension: str, **options: Any) -> Page[Call]:
        return self.page(f"/endpoints/{seg(extension)}/calls", Call, odata(**options))

    def iter_calls(self, extension: str, **options: Any) -> Iterator[Call]:
        return self.iterate(f"/endpoints/{seg(extension)}/calls", Call, odata(**options))

    def get_call(self, extension: str, call_id: str) -> Call:
        return Call.from_dict(self.call("GET", self._call_path(extension, call_id)))

    def call_action(self, extension: str, call_id: str, action: str, **args: Any) -> Call | dict[str, Any]:
        """``PUT`` a call action: ``answer``, ``end``, ``hold``, ``retrieve`` (others are passed through)."""
        result = self.call("PUT", self._call_path(extension, call_id), json={"action": action, **args})
        return Call.from_dict(result) if isinstance(result, dict) and result.get("callId") else (result or {})

    def answer(self, extension: str, call_id: str) -> Call | dict[str, Any]:
        return self.call_action(extension, call_id, "answer")

    def end(self, extension: str, call_id: str) -> Call | dict[str, Any]:
        return self.call_action(extension, call_id, "end")

    def hold(self, extension: str, call_id: str) -> Call | dict[str, Any]:
        return self.call_action(extension, call_id, "hold")

    def retrieve(self, extension: str, call_id: str) -> Call | dict[str, Any]:
        return self.call_action(extension, call_id, "retrieve")
