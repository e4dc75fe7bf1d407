"""The PBX's user list (issue 5): what the PBX side pushes, or an admin uploads, to synchronize an
account's PBX users. Pure functions: no database.

``rows_from_text`` reads a list in the PBX simulator's users-file format (``gateways/pbx/simulator.py``):
CSV with a header naming ``extension``, ``first_name``, ``last_name``, ``email`` (any order and
letter case; ``First Name`` and ``firstName`` are read too; an optional ``role`` column), or JSON:
a list of such objects or ``{"users": [...]}``. ``entries_from_rows`` validates the rows: each user
needs an email, an extension (digits) and a first or last name; an email or an extension may
appear only once. A bad row gets its own errors; only an unreadable list or one of more than
``MAX_USERS`` users is refused as a whole (``PbxListError``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext, gettext_noop, ngettext

from accounts import access
from accounts.access import Role
from core import tables
from core.safe_json import JsonTooDeep, json_loads

MAX_USERS = 2_500  # users per MiVoice MX-ONE connected through a CloudLink Gateway
MAX_BYTES = 2 * 1024 * 1024
# A request carrying the list (upload, paste, the preview's Apply, the API): the list and its envelope.
MAX_REQUEST_BYTES = MAX_BYTES + 64 * 1024
EXTENSION_MAX_LENGTH = 30
NAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 254

NO_NAME = gettext_noop("No name: give a first name or a last name")
REQUIRED_COLUMNS = ("extension", "first_name", "last_name", "email")
_KEYS = {  # normalized column / key -> field
    "extension": "extension",
    "ext": "extension",
    "firstname": "first_name",
    "lastname": "last_name",
    "email": "email",
    "role": "role",
}


class PbxListError(tables.RowsError):
    """The whole list is refused; the message says what to fix. ``code`` names the problem."""


@dataclass
class PbxEntry(tables.Row):
    """One user of the PBX's list; ``number`` is the position in the list (the first user is 1)."""

    extension: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    role: str = Role.USER.name  # blank means User

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


def too_many_message(count: int, limit: int = MAX_USERS) -> str:
    excess = count - limit
    return ngettext(
        "The PBX list has %(count)s users; a MiVoice MX-ONE connects at most %(limit)s users to CloudLink. "
        "Remove %(excess)s user from the list and synchronize again. Nothing was changed.",
        "The PBX list has %(count)s users; a MiVoice MX-ONE connects at most %(limit)s users to CloudLink. "
        "Remove %(excess)s users from the list and synchronize again. Nothing was changed.",
        excess,
    ) % {"count": f"{count:,}", "limit": f"{limit:,}", "excess": f"{excess:,}"}


def rows_from_text(text: str) -> list[dict[str, Any]]:
    """The rows of a pasted or uploaded list: JSON when it starts with ``[`` or ``{``, else CSV."""
    text = (text or "").lstrip("\ufeff").strip()
    if not text:
        raise _empty()
    if text[0] in "[{":
        try:
            data = json_loads(text)
        except JsonTooDeep as exc:
            raise PbxListError(
                gettext("The list is not a list of users: %(problem)s") % {"problem": exc}, "not_a_list"
            ) from None
        except json.JSONDecodeError as exc:
            raise PbxListError(
                gettext("The list is not valid JSON: %(problem)s.") % {"problem": exc}, "not_json"
            ) from None
        rows = data.get("users") if isinstance(data, dict) else data
        if not isinstance(rows, list):
            raise PbxListError(gettext('Expected JSON: a list of users or {"users": [...]}.'), "not_a_list")
        return rows
    try:
        table = tables.read_csv(text)
    except tables.NotCsv as problem:
        raise PbxListError(
            gettext("The list is not valid CSV near line %(line)s: %(reason)s.")
            % {"line": problem.line, "reason": problem.reason},
            "not_csv",
        ) from None
    except tables.Empty:
        raise _empty() from None
    first, *records = table.records
    header = tables.map_header(first.cells, normalize=_normalize, fields=_KEYS)
    missing = header.missing(REQUIRED_COLUMNS)
    if missing:
        raise PbxListError(
            gettext(
                "The first line must name the columns extension, first_name, last_name and email (in any "
                "order; role is optional). Missing: %(missing)s."
            )
            % {"missing": ", ".join(missing)},
            "header",
        )
    return [header.values(record.cells) for record in records]


def rows_from_bytes(data: bytes) -> list[dict[str, Any]]:
    """``rows_from_text`` for an uploaded file (UTF-8, with or without a BOM)."""
    try:
        text = tables.decode(data, max_bytes=MAX_BYTES)
    except tables.TooBig:
        raise PbxListError(
            gettext("The file is larger than %(size)s.") % {"size": tables.size_text(MAX_BYTES)}, "too_big"
        ) from None
    except tables.Empty:
        raise _empty() from None
    except tables.NotText as problem:
        raise PbxListError(
            gettext("This is %(what)s, not a list of users: save it as UTF-8 text (CSV or JSON).")
            % {"what": problem.what or gettext("binary data")},
            "encoding",
        ) from None
    except tables.NotUtf8:
        raise PbxListError(
            gettext("The file is not UTF-8 text; save it as UTF-8 (CSV or JSON)."), "encoding"
        ) from None
    return rows_from_text(text)


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
        entry.errors.append(gettext("Not a user object"))
        return entry
    values = {_KEYS.get(_normalize(str(key)), ""): value for key, value in row.items()}
    for name, limit in (
        ("extension", EXTENSION_MAX_LENGTH),
        ("first_name", NAME_MAX_LENGTH),
        ("last_name", NAME_MAX_LENGTH),
        ("email", EMAIL_MAX_LENGTH),
    ):
        label = name.replace("_", " ").capitalize()
        setattr(entry, name, entry.text(label, values.get(name), limit))
    entry.email = entry.email.lower()
    entry.errors.extend(
        message
        for _, message in user_problems(entry.email, entry.extension, entry.first_name, entry.last_name)
    )
    role_text = " ".join(str(values.get("role") or "").replace("_", " ").split()).lower()
    if role_text:
        role = access.exchangeable_role_for_label(role_text)  # "User" or "Account Admin"
        if role is not None:
            entry.role = role
        else:
            entry.errors.append(
                gettext("Unknown role “%(role)s”: use User or Account Admin") % {"role": role_text}
            )
    return entry


def user_problems(email: str, extension: str, first_name: str, last_name: str) -> list[tuple[str, str]]:
    """What keeps one PBX user from being valid, as (field, message) pairs; the push of a single
    user checks the same."""
    problems = []
    if not email:
        problems.append(("email", gettext("No email")))
    else:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(
                ("email", gettext("Invalid email: “%(email)s” is not an email address") % {"email": email})
            )
    if not extension:
        problems.append(("extension", gettext("No extension")))
    elif not extension.isdigit():
        problems.append(
            (
                "extension",
                gettext("Invalid extension “%(extension)s”: digits only") % {"extension": extension},
            )
        )
    if not (first_name or last_name):
        problems.append(("first_name", gettext(NO_NAME)))
    return problems


def _empty() -> PbxListError:
    return PbxListError(gettext("The list is empty: paste or upload the PBX's users."), "empty")


def _normalize(name: str) -> str:
    """A column or key as compared: letters and digits in lowercase (First Name, first_name, firstName)."""
    return "".join(ch for ch in name.replace("\ufeff", "").lower() if ch.isalnum())


def _mark_duplicates(entries: list[PbxEntry]) -> None:
    """The first user with an email or an extension counts; later ones are errors."""
    tables.mark_duplicates(
        entries,
        key=lambda entry: entry.email,
        message=lambda first: (
            gettext("Duplicate in the list: the same email as user %(first)s") % {"first": first}
        ),
    )
    tables.mark_duplicates(
        entries,
        key=lambda entry: entry.extension,
        message=lambda first: (
            gettext("Duplicate in the list: the same extension as user %(first)s") % {"first": first}
        ),
    )
