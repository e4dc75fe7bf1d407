"""Reading a bulk-import CSV of users (console-features.md 2.11). Pure functions: no database.

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
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

COLUMNS = ("FIRST NAME", "LAST NAME", "NAME", "EMAIL", "ROLE")
MAX_ROWS = 2_500  # the MX-ONE gateway's limit
MAX_BYTES = 2 * 1024 * 1024
MAX_REQUEST_BYTES = MAX_BYTES + 64 * 1024  # the upload: the file and its form's envelope
NAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 254
ROLES = {"user": "USER", "account admin": "ACCOUNT_ADMIN"}  # blank means User
ROLE_LABELS = {"USER": "User", "ACCOUNT_ADMIN": "Account Admin"}

ALREADY_IN_ACCOUNT = "Already in the account"
NO_NAME = "No name: fill in FIRST NAME, LAST NAME or NAME"
SAVE_AS_UTF8 = "In Excel use File > Save As > “CSV UTF-8 (Comma delimited) (*.csv)”."

_FIELD_OF = {"FIRST NAME": "first_name", "LAST NAME": "last_name", "NAME": "name", "EMAIL": "email"}
_BINARY_SIGNATURES = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another zip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)"),
    (b"%PDF", "a PDF document"),
)
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")


class ImportFileError(ValueError):
    """The whole file is refused; the message says what to fix. ``code`` names the problem."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class ImportRow:
    number: int
    first_name: str = ""
    last_name: str = ""
    name: str = ""
    email: str = ""
    role_text: str = ""
    role: str = ""  # USER or ACCOUNT_ADMIN once understood, else ""
    errors: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


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
    text = _decode(data, max_bytes)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(enumerate(reader, start=1))
    except csv.Error as exc:
        raise ImportFileError(
            f"The file is not valid CSV near row {reader.line_num}: {exc}. Save it again as CSV from "
            f"your spreadsheet program. {SAVE_AS_UTF8}",
            "not_csv",
        ) from exc
    records = [(number, cells) for number, cells in records if any(cell.strip() for cell in cells)]
    if not records:
        raise _empty()
    header_number, header = records[0]
    positions = _read_header(header, delimiter)
    data_records = records[1:]
    if not data_records:
        raise ImportFileError(
            "The file has the column names but no users: add one row per user below the header and "
            "upload it again.",
            "no_rows",
        )
    if len(data_records) > max_rows:
        raise ImportFileError(
            f"The file has {len(data_records):,} users; at most {max_rows:,} can be imported at once. "
            f"Split it into files of {max_rows:,} rows or fewer and import them one after the other.",
            "too_many_rows",
        )
    rows = [_read_row(number, cells, positions) for number, cells in data_records]
    _mark_duplicates(rows)
    return ImportFile(delimiter=delimiter, rows=rows)


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
    if size > max_bytes:
        raise ImportFileError(
            f"The file is {_size(size)} ({size:,} bytes); at most {_size(max_bytes)} can be uploaded. "
            f"Split it into smaller files of at most {MAX_ROWS:,} users each.",
            "too_big",
        )


def _decode(data: bytes, max_bytes: int) -> str:
    check_size(len(data), max_bytes)
    if not data.strip():
        raise _empty()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(
            f"The file is UTF-16 text; save it as UTF-8 instead. {SAVE_AS_UTF8}", "encoding"
        )
    for signature, what in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise ImportFileError(
                f"This is {what}, not a CSV file. {SAVE_AS_UTF8} Then upload the .csv file.", "not_csv"
            )
    if _CONTROL.search(data[:65536]):
        raise ImportFileError(
            f"This is not a CSV text file (it contains binary data). {SAVE_AS_UTF8}", "not_csv"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            f"The file is not UTF-8 encoded: line {line} has characters in another encoding (probably "
            f"Windows-1252 or Latin-1). {SAVE_AS_UTF8} Other programs: choose the UTF-8 encoding when saving.",
            "encoding",
        ) from exc


def _size(n: int) -> str:
    mb = n / (1024 * 1024)
    return f"{mb:.1f}".removesuffix(".0") + " MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _delimiter(text: str) -> str:
    """Comma or semicolon, whichever the first non-blank line (the header) uses more."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if first.count(";") > first.count(",") else ","


def _normalize(cell: str) -> str:
    return " ".join(cell.replace("\ufeff", "").replace("_", " ").split()).upper()


def _read_header(cells: list[str], delimiter: str) -> dict[str, int]:
    names = [_normalize(cell) for cell in cells]
    while names and not names[-1]:  # spreadsheets may add empty trailing columns
        names.pop()
    positions: dict[str, int] = {}
    duplicates, unknown = [], []
    for index, name in enumerate(names):
        if name in COLUMNS:
            if name in positions:
                duplicates.append(name)
            positions[name] = index
        else:
            unknown.append(cells[index].strip() or f"(empty column {index + 1})")
    missing = [column for column in COLUMNS if column not in positions]
    if not (missing or unknown or duplicates):
        return positions
    problems = []
    if missing:
        problems.append(f"Missing: {', '.join(missing)}.")
    if unknown:
        problems.append(f"Not expected: {', '.join(unknown)}.")
    if duplicates:
        problems.append(f"More than once: {', '.join(sorted(set(duplicates)))}.")
    hint = ""
    if len(names) == 1 and "\t" in cells[0]:
        hint = " Separate the columns with commas or semicolons, not tabs."
    raise ImportFileError(
        f"The first row must name the columns {', '.join(COLUMNS)} (in any order). "
        f"{' '.join(problems)}{hint} Download the template to start from the right header.",
        "header",
    )


# --- the rows ------------------------------------------------------------------------------


def _read_row(number: int, cells: list[str], positions: dict[str, int]) -> ImportRow:
    def cell(column: str) -> str:
        index = positions[column]
        return " ".join(cells[index].split()) if index < len(cells) else ""

    row = ImportRow(number=number)
    for column, attribute in _FIELD_OF.items():
        value = cell(column)
        limit = EMAIL_MAX_LENGTH if attribute == "email" else NAME_MAX_LENGTH
        if len(value) > limit:
            row.errors.append(f"{column} is too long (at most {limit} characters)")
            value = value[:limit]
        setattr(row, attribute, value)
    row.email = row.email.lower()
    _check_email(row)
    if not (row.first_name or row.last_name or row.name):
        row.errors.append(NO_NAME)
    _check_role(row, cell("ROLE"))
    if any(value.strip() for value in cells[len(COLUMNS) :]):
        row.errors.append(f"More values than columns: {len(cells)} instead of {len(COLUMNS)}")
    return row


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
    if not key:
        row.role = "USER"
    elif key in ROLES:
        row.role = ROLES[key]
    else:
        row.errors.append(f"Unknown role “{row.role_text}”: use User or Account Admin")


def _mark_duplicates(rows: list[ImportRow]) -> None:
    """The first row with an email is imported; later rows with the same email are errors."""
    first_seen: dict[str, int] = {}
    for row in rows:
        if not row.email:
            continue
        if row.email in first_seen:
            row.errors.append(f"Duplicate in the file: the same email as row {first_seen[row.email]}")
        else:
            first_seen[row.email] = row.number


def _spreadsheet_safe(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
