"""Reading a bulk-import CSV of users (docs/bulk-import.md). Pure functions: no database.

``parse_csv`` turns the uploaded bytes into rows, or refuses the whole file with an
``ImportFileError`` whose message says what to fix (empty, too big, not CSV, not UTF-8, wrong
header, too many rows). Rows that were read get their own errors (invalid email, no name,
duplicate in the file, unknown role, ...); ``mark_existing`` adds "Already in the account".

The file: UTF-8 with or without a BOM, comma or semicolon separated (detected from the header
row), the header ``FIRST NAME,LAST NAME,NAME,EMAIL,ROLE`` in any order and any letter case, at
most ``MAX_ROWS`` users and ``MAX_BYTES`` bytes. Blank rows are ignored. Row numbers are the
spreadsheet's: the header is row 1.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accounts import access
from accounts.access import Role
from core import tables

COLUMNS = ("FIRST NAME", "LAST NAME", "NAME", "EMAIL", "ROLE")
MAX_ROWS = 2_500  # the MX-ONE gateway's limit
MAX_BYTES = 2 * 1024 * 1024
MAX_REQUEST_BYTES = MAX_BYTES + 64 * 1024  # the upload: the file and its form's envelope
NAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 254

ALREADY_IN_ACCOUNT = "Already in the account"
NO_NAME = "No name: fill in FIRST NAME, LAST NAME or NAME"
SAVE_AS_UTF8 = "In Excel use File > Save As > “CSV UTF-8 (Comma delimited) (*.csv)”."

_FIELD_OF = {"FIRST NAME": "first_name", "LAST NAME": "last_name", "NAME": "name", "EMAIL": "email"}


class ImportFileError(tables.RowsError):
    """The whole file is refused; the message says what to fix. ``code`` names the problem."""


@dataclass
class ImportRow(tables.Row):
    first_name: str = ""
    last_name: str = ""
    name: str = ""
    email: str = ""
    role_text: str = ""
    role: str = ""  # USER or ACCOUNT_ADMIN once understood, else ""


@dataclass
class ImportFile:
    delimiter: str
    rows: list[ImportRow]

    @property
    def valid_rows(self) -> int:
        return sum(row.is_valid for row in self.rows)


def template_csv() -> str:
    """The template to download: the header row only (UTF-8 with a BOM so Excel reads it as UTF-8).

    No example row: one left in by mistake would be imported and sent a welcome email."""
    return "\ufeff" + ",".join(COLUMNS) + "\r\n"


def parse_csv(data: bytes, *, max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES) -> ImportFile:
    """Read and validate an uploaded file, or raise ImportFileError saying what to fix."""
    try:
        table = tables.read_csv(_decode(data, max_bytes))
    except tables.NotCsv as problem:
        raise ImportFileError(
            f"The file is not valid CSV near row {problem.line}: {problem.reason}. Save it again as CSV "
            f"from your spreadsheet program. {SAVE_AS_UTF8}",
            "not_csv",
        ) from problem
    except tables.Empty:
        raise _empty() from None
    header, *records = table.records
    columns = _read_header(header.cells)
    if not records:
        raise ImportFileError(
            "The file has the column names but no users: add one row per user below the header and "
            "upload it again.",
            "no_rows",
        )
    if len(records) > max_rows:
        raise ImportFileError(
            f"The file has {len(records):,} users; at most {max_rows:,} can be imported at once. "
            f"Split it into files of {max_rows:,} rows or fewer and import them one after the other.",
            "too_many_rows",
        )
    rows = [_read_row(record, columns) for record in records]
    tables.mark_duplicates(
        rows,
        key=lambda row: row.email,
        message=duplicate_message,
    )
    return ImportFile(delimiter=table.delimiter, rows=rows)


def mark_existing(rows: Iterable[ImportRow], existing_emails: set[str]) -> None:
    """Add "Already in the account" to rows whose email the account already uses (lowercase set)."""
    for row in rows:
        if row.email and row.email in existing_emails:
            row.errors.append(ALREADY_IN_ACCOUNT)


def report_lines(rows: Iterable[tuple[int, str, str, str]]) -> Iterator[str]:
    """The result report as CSV lines: ROW, EMAIL, OUTCOME (created / skipped), DETAIL (why skipped)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        return buffer.getvalue()

    yield "\ufeff" + line(["ROW", "EMAIL", "OUTCOME", "DETAIL"])
    for number, email, outcome, detail in rows:
        yield line([number, _spreadsheet_safe(email), outcome, _spreadsheet_safe(detail)])


# --- the file ------------------------------------------------------------------------------


def _empty() -> ImportFileError:
    return ImportFileError(
        "The file is empty. Download the template, add one row per user and upload it again.", "empty"
    )


def check_size(size: int, max_bytes: int = MAX_BYTES) -> None:
    """Refuse a file by its size in bytes, before reading it."""
    try:
        tables.check_size(size, max_bytes)
    except tables.TooBig as problem:
        raise _too_big(problem) from None


def _too_big(problem: tables.TooBig) -> ImportFileError:
    return ImportFileError(
        f"The file is {tables.size_text(problem.size)} ({problem.size:,} bytes); at most "
        f"{tables.size_text(problem.limit)} can be uploaded. Split it into smaller files of at most "
        f"{MAX_ROWS:,} users each.",
        "too_big",
    )


def _decode(data: bytes, max_bytes: int) -> str:
    try:
        return tables.decode(data, max_bytes=max_bytes)
    except tables.TooBig as problem:
        raise _too_big(problem) from None
    except tables.Empty:
        raise _empty() from None
    except tables.NotText as problem:
        if problem.what:
            message = f"This is {problem.what}, not a CSV file. {SAVE_AS_UTF8} Then upload the .csv file."
        else:
            message = f"This is not a CSV text file (it contains binary data). {SAVE_AS_UTF8}"
        raise ImportFileError(message, "not_csv") from None
    except tables.NotUtf8 as problem:
        if problem.encoding:
            message = f"The file is {problem.encoding} text; save it as UTF-8 instead. {SAVE_AS_UTF8}"
        else:
            message = (
                f"The file is not UTF-8 encoded: line {problem.line} has characters in another encoding "
                f"(probably Windows-1252 or Latin-1). {SAVE_AS_UTF8} Other programs: choose the UTF-8 "
                "encoding when saving."
            )
        raise ImportFileError(message, "encoding") from problem


def _normalize(cell: str) -> str:
    return " ".join(cell.replace("_", " ").split()).upper()


def _read_header(cells: list[str]) -> tables.Header:
    header = tables.map_header(cells, normalize=_normalize, fields={column: column for column in COLUMNS})
    missing = header.missing(COLUMNS)
    if not (missing or header.unknown or header.repeated):
        return header
    problems = []
    if missing:
        problems.append(f"Missing: {', '.join(missing)}.")
    if header.unknown:
        problems.append(f"Not expected: {', '.join(header.unknown)}.")
    if header.repeated:
        problems.append(f"More than once: {', '.join(sorted(set(header.repeated)))}.")
    hint = ""
    if header.width == 1 and "\t" in cells[0]:
        hint = " Separate the columns with commas or semicolons, not tabs."
    raise ImportFileError(
        f"The first row must name the columns {', '.join(COLUMNS)} (in any order). "
        f"{' '.join(problems)}{hint} Download the template to start from the right header.",
        "header",
    )


# --- the rows ------------------------------------------------------------------------------


def _read_row(record: tables.Record, header: tables.Header) -> ImportRow:
    row = read_values(record.number, header.values(record.cells))
    if header.surplus(record.cells):
        row.errors.append(f"More values than columns: {len(record.cells)} instead of {len(COLUMNS)}")
    return row


def read_values(number: int, values: dict[str, str]) -> ImportRow:
    """One row from its values by column name (``COLUMNS``), checked as a row of a file is; the
    preview's inline fixing checks an edited row with it."""
    row = ImportRow(number=number)
    for column, attribute in _FIELD_OF.items():
        limit = EMAIL_MAX_LENGTH if attribute == "email" else NAME_MAX_LENGTH
        setattr(row, attribute, row.text(column, values.get(column), limit))
    row.email = row.email.lower()
    _check_email(row)
    if not (row.first_name or row.last_name or row.name):
        row.errors.append(NO_NAME)
    _check_role(row, " ".join((values.get("ROLE") or "").split()))
    return row


def duplicate_message(first: int) -> str:
    return f"Duplicate in the file: the same email as row {first}"


def error_field(message: str) -> str:
    """Which cell an error is about: ``email``, ``name``, ``role`` or ``row`` (the whole row)."""
    if message.startswith(("Invalid email", "Duplicate in the file", ALREADY_IN_ACCOUNT, "EMAIL ")):
        return "email"
    if message.startswith((NO_NAME, "FIRST NAME ", "LAST NAME ", "NAME ")):
        return "name"
    if message.startswith("Unknown role"):
        return "role"
    return "row"


def _check_email(row: ImportRow) -> None:
    if not row.email:
        row.errors.append("Invalid email: EMAIL is empty")
        return
    try:
        validate_email(row.email)
    except ValidationError:
        row.errors.append(f"Invalid email: “{row.email}” is not an email address")


def _check_role(row: ImportRow, text: str) -> None:
    row.role_text = text[:40]
    key = " ".join(text.replace("_", " ").split()).lower()
    role = access.exchangeable_role_for_label(key)  # "User" or "Account Admin"; blank means User
    if not key:
        row.role = Role.USER.name
    elif role is not None:
        row.role = role
    else:
        row.errors.append(f"Unknown role “{row.role_text}”: use User or Account Admin")


def _spreadsheet_safe(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
