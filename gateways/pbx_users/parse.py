"""The PBX's user list (issue 5): what the PBX side pushes, or an admin uploads, to synchronize an
account's PBX users. Pure functions: no database.

``rows_from_text`` reads a list in the PBX simulator's users-file format (``gateways/simulator.py``):
CSV with a header naming ``extension``, ``first_name``, ``last_name``, ``email`` (any order and
letter case; ``First Name`` and ``firstName`` are read too; an optional ``role`` column), or JSON:
a list of such objects or ``{"users": [...]}``. ``entries_from_rows`` validates the rows: each user
needs an email, an extension (digits) and a first or last name; an email or an extension may
appear only once. A bad row gets its own errors; only an unreadable list or one of more than
``MAX_USERS`` users is refused as a whole (``PbxListError``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from core.safe_json import JsonTooDeep, json_loads

MAX_USERS = 2_500  # users per MiVoice MX-ONE connected through a CloudLink Gateway
MAX_BYTES = 2 * 1024 * 1024
# A request carrying the list (upload, paste, the preview's Apply, the API): the list and its envelope.
MAX_REQUEST_BYTES = MAX_BYTES + 64 * 1024
EXTENSION_MAX_LENGTH = 30
NAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 254
ROLES = {"user": "USER", "account admin": "ACCOUNT_ADMIN"}  # blank means User

NO_NAME = "No name: give a first name or a last name"
_KEYS = {  # normalized column / key -> field
    "extension": "extension",
    "ext": "extension",
    "firstname": "first_name",
    "lastname": "last_name",
    "email": "email",
    "role": "role",
}


class PbxListError(ValueError):
    """The whole list is refused; the message says what to fix. ``code`` names the problem."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class PbxEntry:
    """One user of the PBX's list; ``number`` is the position in the list (the first user is 1)."""

    number: int
    extension: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    role: str = "USER"
    errors: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    def as_row(self) -> dict[str, str]:
        """The entry as a row ``entries_from_rows`` reads back (the console's preview keeps these)."""
        data = asdict(self)
        del data["number"], data["errors"]
        return data


def too_many_message(count: int, limit: int = MAX_USERS) -> str:
    return (
        f"The PBX list has {count:,} users; a MiVoice MX-ONE connects at most {limit:,} users to "
        f"CloudLink. Remove {count - limit:,} user{'s' if count - limit != 1 else ''} from the list and "
        f"synchronize again. Nothing was changed."
    )


def rows_from_text(text: str) -> list[dict[str, Any]]:
    """The rows of a pasted or uploaded list: JSON when it starts with ``[`` or ``{``, else CSV."""
    text = (text or "").lstrip("\ufeff").strip()
    if not text:
        raise PbxListError("The list is empty: paste or upload the PBX's users.", "empty")
    if text[0] in "[{":
        try:
            data = json_loads(text)
        except JsonTooDeep as exc:
            raise PbxListError(f"The list is not a list of users: {exc}", "not_a_list") from None
        except json.JSONDecodeError as exc:
            raise PbxListError(f"The list is not valid JSON: {exc}.", "not_json") from None
        rows = data.get("users") if isinstance(data, dict) else data
        if not isinstance(rows, list):
            raise PbxListError('Expected JSON: a list of users or {"users": [...]}.', "not_a_list")
        return rows
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";" if _semicolons(text) else ",")
    try:
        records = [cells for cells in reader if any(cell.strip() for cell in cells)]
    except csv.Error as exc:
        raise PbxListError(
            f"The list is not valid CSV near line {reader.line_num}: {exc}.", "not_csv"
        ) from None
    if not records:
        raise PbxListError("The list is empty: paste or upload the PBX's users.", "empty")
    header = [_key(cell) for cell in records[0]]
    missing = [name for name in ("extension", "first_name", "last_name", "email") if name not in header]
    if missing:
        raise PbxListError(
            "The first line must name the columns extension, first_name, last_name and email (in any "
            f"order; role is optional). Missing: {', '.join(missing)}.",
            "header",
        )
    return [
        {name: value for name, value in zip(header, cells, strict=False) if name} for cells in records[1:]
    ]


def rows_from_bytes(data: bytes) -> list[dict[str, Any]]:
    """``rows_from_text`` for an uploaded file (UTF-8, with or without a BOM)."""
    if len(data) > MAX_BYTES:
        raise PbxListError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.", "too_big")
    try:
        return rows_from_text(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise PbxListError(
            "The file is not UTF-8 text; save it as UTF-8 (CSV or JSON).", "encoding"
        ) from None


def entries_from_rows(rows: Any, *, limit: int = MAX_USERS) -> list[PbxEntry]:
    """Validate the PBX's full list, or raise PbxListError (not a list, more than ``limit`` users)."""
    if not isinstance(rows, list):
        raise PbxListError('Expected "users": a list of user objects.', "not_a_list")
    if len(rows) > limit:
        raise PbxListError(too_many_message(len(rows), limit), "too_many_users")
    entries = [entry_from_row(number, row) for number, row in enumerate(rows, start=1)]
    _mark_duplicates(entries)
    return entries


def entry_from_row(number: int, row: Any) -> PbxEntry:
    """One user, with its errors. Keys are read in any letter case, snake_case or camelCase."""
    entry = PbxEntry(number=number)
    if not isinstance(row, dict):
        entry.errors.append("Not a user object")
        return entry
    values = {_key(str(key)): value for key, value in row.items()}
    for name, limit in (
        ("extension", EXTENSION_MAX_LENGTH),
        ("first_name", NAME_MAX_LENGTH),
        ("last_name", NAME_MAX_LENGTH),
        ("email", EMAIL_MAX_LENGTH),
    ):
        value = values.get(name)
        value = " ".join(str(value).split()) if value is not None else ""
        if len(value) > limit:
            entry.errors.append(
                f"{name.replace('_', ' ').capitalize()} is too long (at most {limit} characters)"
            )
            value = value[:limit]
        setattr(entry, name, value)
    entry.email = entry.email.lower()
    entry.errors.extend(
        message
        for _, message in user_problems(entry.email, entry.extension, entry.first_name, entry.last_name)
    )
    role_text = " ".join(str(values.get("role") or "").replace("_", " ").split()).lower()
    if role_text:
        if role_text in ROLES:
            entry.role = ROLES[role_text]
        else:
            entry.errors.append(f"Unknown role “{role_text}”: use User or Account Admin")
    return entry


def user_problems(email: str, extension: str, first_name: str, last_name: str) -> list[tuple[str, str]]:
    """What keeps one PBX user from being valid, as (field, message) pairs; the push of a single
    user checks the same."""
    problems = []
    if not email:
        problems.append(("email", "No email"))
    else:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(("email", f"Invalid email: “{email}” is not an email address"))
    if not extension:
        problems.append(("extension", "No extension"))
    elif not extension.isdigit():
        problems.append(("extension", f"Invalid extension “{extension}”: digits only"))
    if not (first_name or last_name):
        problems.append(("first_name", NO_NAME))
    return problems


def _key(name: str) -> str:
    normalized = "".join(ch for ch in name.replace("\ufeff", "").lower() if ch.isalnum())
    return _KEYS.get(normalized, "")


def _semicolons(text: str) -> bool:
    first = text.splitlines()[0]
    return first.count(";") > first.count(",")


def _mark_duplicates(entries: Iterable[PbxEntry]) -> None:
    """The first user with an email or an extension counts; later ones are errors."""
    emails: dict[str, int] = {}
    extensions: dict[str, int] = {}
    for entry in entries:
        if entry.email:
            if entry.email in emails:
                entry.errors.append(f"Duplicate in the list: the same email as user {emails[entry.email]}")
            else:
                emails[entry.email] = entry.number
        if entry.extension:
            if entry.extension in extensions:
                entry.errors.append(
                    f"Duplicate in the list: the same extension as user {extensions[entry.extension]}"
                )
            else:
                extensions[entry.extension] = entry.number
