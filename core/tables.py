"""Reading a table of rows from an upload or a paste: the machinery the bulk user import
(``accounts.user_import.parse``) and the PBX user list (``gateways.pbx_users.parse``) share.
Pure functions: no database.

The pipeline, each step usable on its own:

1. ``decode`` the uploaded bytes: at most ``max_bytes``, not a binary file (a workbook, a PDF),
   UTF-8 with or without a BOM;
2. ``read_csv`` the text: comma or semicolon (whichever the first non-blank line uses more), blank
   rows dropped, each record numbered as a spreadsheet numbers it (the first line is 1);
3. ``map_header`` the first record: which column holds which field, which columns are not
   understood, which fields are named twice;
4. the room builds one ``Row`` per record (``Row.text`` trims a value and caps its length, with the
   row's error) and calls ``mark_duplicates``.

Which columns there are and what makes a row valid stay with each room. So do the words: what
makes the whole input unreadable raises a ``RowsError`` subclass carrying the facts (the size,
the line, what the file really is), which the room turns into the message its people read.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

# Files people upload by mistake instead of a CSV, known by their first bytes.
BINARY_SIGNATURES = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another zip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)"),
    (b"%PDF", "a PDF document"),
)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
SNIFF_BYTES = 65_536  # how much of a file is searched for control characters
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")  # never in text (tab, newlines, form feed are)


# --- the whole input refused ---------------------------------------------------------------


class RowsError(ValueError):
    """The whole input is refused; the message says what to fix, ``code`` names the problem."""

    code = "invalid"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class TooBig(RowsError):
    code = "too_big"

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"The file is {size_text(size)}; at most {size_text(limit)} can be read.")
        self.size, self.limit = size, limit


class Empty(RowsError):
    code = "empty"

    def __init__(self) -> None:
        super().__init__("The file is empty.")


class NotText(RowsError):
    """A binary file: ``what`` it is when its first bytes say so ("" when only its content does)."""

    code = "not_csv"

    def __init__(self, what: str = "") -> None:
        super().__init__(f"This is {what or 'binary data'}, not a text file.")
        self.what = what


class NotUtf8(RowsError):
    """Text in another encoding: ``encoding`` when known (UTF-16), else the first ``line`` that is
    not UTF-8."""

    code = "encoding"

    def __init__(self, *, encoding: str = "", line: int = 0) -> None:
        where = f"{encoding} text" if encoding else f"line {line} is not UTF-8"
        super().__init__(f"The file is not UTF-8: {where}.")
        self.encoding, self.line = encoding, line


class NotCsv(RowsError):
    code = "not_csv"

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"Not valid CSV near line {line}: {reason}.")
        self.line, self.reason = line, reason


def size_text(n: int) -> str:
    """A size as people read it: "2 MB", "1.5 MB", "300 KB"."""
    mb = n / (1024 * 1024)
    return f"{mb:.1f}".removesuffix(".0") + " MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


# --- 1. bytes to text ----------------------------------------------------------------------


def check_size(size: int, limit: int) -> None:
    """Refuse an input by its size in bytes alone (before reading it)."""
    if size > limit:
        raise TooBig(size, limit)


def decode(data: bytes, *, max_bytes: int) -> str:
    """The text of an uploaded file, or TooBig, Empty (nothing but white space), NotText,
    NotUtf8. A UTF-8 BOM is dropped."""
    check_size(len(data), max_bytes)
    if not data.strip():
        raise Empty()
    if data.startswith(UTF16_BOMS):
        raise NotUtf8(encoding="UTF-16")
    for signature, what in BINARY_SIGNATURES:
        if data.startswith(signature):
            raise NotText(what)
    if _CONTROL.search(data[:SNIFF_BYTES]):
        raise NotText()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotUtf8(line=data[: exc.start].count(b"\n") + 1) from exc


# --- 2. text to records --------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One non-blank CSV record: ``number`` counts every record of the file, blank ones too."""

    number: int
    cells: list[str]


@dataclass(frozen=True)
class Table:
    delimiter: str
    records: list[Record]  # at least one: the header


def delimiter_of(text: str) -> str:
    """Comma or semicolon, whichever the first non-blank line (the header) uses more."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if first.count(";") > first.count(",") else ","


def read_csv(text: str) -> Table:
    """The non-blank records of a CSV text, numbered; or Empty (no record with a value), NotCsv."""
    delimiter = delimiter_of(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = [
            Record(number, cells)
            for number, cells in enumerate(reader, start=1)
            if any(cell.strip() for cell in cells)
        ]
    except csv.Error as exc:
        raise NotCsv(reader.line_num, str(exc)) from exc
    if not records:
        raise Empty()
    return Table(delimiter, records)


# --- 3. the header -------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    positions: dict[str, int]  # field -> the index of its column (the last one, if named twice)
    unknown: list[str]  # columns not understood, as written ("(empty column 3)" for a blank title)
    repeated: list[str]  # fields named by more than one column, once per extra column
    width: int  # the columns named, empty trailing ones left out

    def missing(self, fields: Iterable[str]) -> list[str]:
        return [name for name in fields if name not in self.positions]

    def values(self, cells: list[str]) -> dict[str, str]:
        """A record's cells by field; a field whose column the (short) record lacks is left out."""
        return {name: cells[index] for name, index in self.positions.items() if index < len(cells)}

    def surplus(self, cells: list[str]) -> bool:
        """Whether the record has values to the right of the last named column."""
        return any(cell.strip() for cell in cells[self.width :])


def map_header(cells: list[str], *, normalize: Callable[[str], str], fields: Mapping[str, str]) -> Header:
    """Read a header record: ``normalize`` turns a column title into a key ("" for a blank title),
    ``fields`` maps keys to field names. Empty columns at the end (spreadsheets add them) are
    ignored."""
    names = [normalize(cell.replace("\ufeff", "")) for cell in cells]
    while names and not names[-1]:
        names.pop()
    positions: dict[str, int] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    for index, name in enumerate(names):
        field_name = fields.get(name) if name else None
        if field_name is None:
            unknown.append(cells[index].strip() or f"(empty column {index + 1})")
            continue
        if field_name in positions:
            repeated.append(field_name)
        positions[field_name] = index
    return Header(positions, unknown, repeated, len(names))


# --- 4. rows -------------------------------------------------------------------------------


@dataclass
class Row:
    """One row as read, with what is wrong with it. ``number`` is how the person counts it: the
    spreadsheet's row, or the position in the list."""

    number: int
    errors: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def text(self, label: str, value: object, limit: int) -> str:
        """``value`` as one line with single spaces (None is ""); longer than ``limit`` characters it
        is cut, and the row gets the error."""
        text = " ".join(str(value).split()) if value is not None else ""
        if len(text) > limit:
            self.errors.append(f"{label} is too long (at most {limit} characters)")
            text = text[:limit]
        return text


R = TypeVar("R", bound=Row)


def mark_duplicates(rows: Iterable[R], key: Callable[[R], str], message: Callable[[int], str]) -> None:
    """The first row with a ``key`` counts; a later row with the same key gets the error
    ``message(number of the first)``. Rows with a blank key are not compared."""
    first_seen: dict[str, int] = {}
    for row in rows:
        value = key(row)
        if not value:
            continue
        if value in first_seen:
            row.errors.append(message(first_seen[value]))
        else:
            first_seen[value] = row.number
