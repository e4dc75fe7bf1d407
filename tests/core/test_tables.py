"""The row pipeline both uploads use (core/tables.py): byte caps, encodings, binary files, CSV
records and their numbers, header mapping, capped values and duplicates. Hostile input is read or
refused with a RowsError, never anything else."""

import codecs
import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import tables

FIELDS = {"email": "email", "ext": "extension", "extension": "extension", "firstname": "first_name"}


def key(title: str) -> str:
    return "".join(ch for ch in title.lower() if ch.isalnum())


def header(*titles: str) -> tables.Header:
    return tables.map_header(list(titles), normalize=key, fields=FIELDS)


# --- 1. bytes to text: caps, encodings, binary files ---------------------------------------


def test_the_byte_cap_is_inclusive_and_says_size_and_limit():
    assert tables.decode(b"a" * 100, max_bytes=100) == "a" * 100

    with pytest.raises(tables.TooBig) as caught:
        tables.decode(b"a" * 101, max_bytes=100)

    assert (caught.value.code, caught.value.size, caught.value.limit) == ("too_big", 101, 100)


def test_the_size_alone_is_checked_before_anything_is_read():
    tables.check_size(2 * 1024 * 1024, 2 * 1024 * 1024)
    with pytest.raises(tables.TooBig) as caught:
        tables.check_size(3 * 1024 * 1024, 2 * 1024 * 1024)

    assert str(caught.value) == "The file is 3 MB; at most 2 MB can be read."


@pytest.mark.parametrize(
    ("size", "text"), [(2 * 1024 * 1024, "2 MB"), (1536 * 1024, "1.5 MB"), (300 * 1024, "300 KB")]
)
def test_sizes_read_as_people_say_them(size, text):
    assert tables.size_text(size) == text


@pytest.mark.parametrize("data", [b"", b"  \r\n\t\n"])
def test_nothing_but_white_space_is_empty(data):
    with pytest.raises(tables.Empty) as caught:
        tables.decode(data, max_bytes=100)

    assert caught.value.code == "empty"


def test_utf8_is_read_with_or_without_a_bom():
    text = "email\nzoë@example.com\n"

    assert tables.decode(text.encode(), max_bytes=100) == text
    assert tables.decode(codecs.BOM_UTF8 + text.encode(), max_bytes=100) == text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_named(encoding):
    data = (("\ufeff" if encoding != "utf-16" else "") + "email\na@example.com\n").encode(encoding)

    with pytest.raises(tables.NotUtf8) as caught:
        tables.decode(data, max_bytes=1000)

    assert (caught.value.code, caught.value.encoding) == ("encoding", "UTF-16")


def test_another_encoding_names_the_first_line_that_is_not_utf8():
    data = "email\na@example.com\nzoë@example.com\n".encode("cp1252")

    with pytest.raises(tables.NotUtf8) as caught:
        tables.decode(data, max_bytes=1000)

    assert (caught.value.code, caught.value.encoding, caught.value.line) == ("encoding", "", 3)


def workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (workbook(), "an Excel workbook (.xlsx) or another zip archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "an old Excel workbook (.xls)"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF document"),
        (b"email\x00\x01\x02\nrest", ""),
    ],
)
def test_binary_files_are_refused_saying_what_they_are(data, what):
    with pytest.raises(tables.NotText) as caught:
        tables.decode(data, max_bytes=10_000)

    assert (caught.value.code, caught.value.what) == ("not_csv", what)


def test_tabs_form_feeds_and_newlines_are_text():
    assert tables.decode(b"a\tb\x0c\r\nc\n", max_bytes=100) == "a\tb\x0c\r\nc\n"


# --- 2. text to records: delimiter, numbering, broken CSV ----------------------------------


def test_records_are_numbered_as_a_spreadsheet_counts_rows_blank_ones_included():
    table = tables.read_csv('\nemail,name\n\n,,\na@example.com,"Ada\nLovelace"\nb@example.com,Bob\n')

    assert [(record.number, record.cells) for record in table.records] == [
        (2, ["email", "name"]),
        (5, ["a@example.com", "Ada\nLovelace"]),  # a quoted line break stays in its row
        (6, ["b@example.com", "Bob"]),
    ]


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("email;name\na@example.com;Ada, Countess\n", ";"),
        ("email,name\na@example.com,Ada; Countess\n", ","),
        ("\n  \nemail;name;role,x\n", ";"),  # the first non-blank line decides
        ("email\n", ","),
    ],
)
def test_the_header_line_decides_comma_or_semicolon(text, delimiter):
    table = tables.read_csv(text)

    assert table.delimiter == delimiter and table.records[0].cells[0] == "email"


@pytest.mark.parametrize("text", ["", "\n\n", ",,,\n,,\n", ";;;\n ; \n"])
def test_records_without_a_value_are_empty(text):
    with pytest.raises(tables.Empty):
        tables.read_csv(text)


def test_broken_csv_says_where():
    text = 'email,name\na@example.com,Ada\nb@example.com,"' + "x" * 200_000 + '"\n'

    with pytest.raises(tables.NotCsv) as caught:
        tables.read_csv(text)

    assert caught.value.code == "not_csv" and caught.value.line == 3 and "field larger" in caught.value.reason


# --- 3. the header -------------------------------------------------------------------------


def test_columns_map_to_fields_in_any_order_spelling_and_letter_case():
    mapped = header("\ufeffE-Mail", "First Name", "EXT")

    assert mapped.positions == {"email": 0, "first_name": 1, "extension": 2}
    assert (mapped.unknown, mapped.repeated, mapped.width) == ([], [], 3)
    assert mapped.missing(["extension", "email", "role"]) == ["role"]


def test_unknown_columns_are_named_as_written_and_blank_titles_by_position():
    mapped = header("email", " Surname ", "", "ext", "", "  ")

    assert mapped.unknown == ["Surname", "(empty column 3)"]
    assert mapped.width == 4, "empty trailing columns are not columns"
    assert mapped.positions == {"email": 0, "extension": 3}


def test_a_field_named_twice_is_reported_and_the_last_column_holds_it():
    mapped = header("ext", "email", "Extension", "EMAIL")

    assert mapped.repeated == ["extension", "email"]
    assert mapped.positions == {"extension": 2, "email": 3}


def test_values_leave_out_what_a_short_row_lacks_and_surplus_sees_values_past_the_header():
    mapped = header("email", "ext", "first name")

    assert mapped.values(["a@example.com"]) == {"email": "a@example.com"}
    assert mapped.values(["a@example.com", "1001", "Ada", "extra"]) == {
        "email": "a@example.com",
        "extension": "1001",
        "first_name": "Ada",
    }
    assert not mapped.surplus(["a@example.com", "1001", "Ada", "", "  "])
    assert mapped.surplus(["a@example.com", "1001", "Ada", "", "extra"])


# --- 4. rows -------------------------------------------------------------------------------


def test_a_value_is_one_line_with_single_spaces_and_capped_with_the_rows_error():
    row = tables.Row(number=7)

    assert row.text("Name", "  Ada \n  Lovelace\t", 20) == "Ada Lovelace"
    assert row.text("Name", None, 20) == "" and row.text("Extension", 1001, 20) == "1001"
    assert row.is_valid

    assert row.text("Name", "x" * 21, 20) == "x" * 20
    assert row.errors == ["Name is too long (at most 20 characters)"] and not row.is_valid


def test_duplicates_point_at_the_first_row_and_blank_keys_are_not_compared():
    rows = [tables.Row(number=n) for n in (2, 3, 5, 6, 8)]
    emails = dict(zip([2, 3, 5, 6, 8], ["a@x", "", "a@x", "", "a@x"], strict=True))

    tables.mark_duplicates(rows, key=lambda row: emails[row.number], message=lambda first: f"same as {first}")

    assert [row.errors for row in rows] == [[], [], ["same as 2"], [], ["same as 2"]]


# --- the whole pipeline against anything ---------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode)))
def test_any_bytes_are_read_into_numbered_records_or_refused_with_a_rows_error(data):
    try:
        table = tables.read_csv(tables.decode(data, max_bytes=300))
    except tables.RowsError as error:
        assert str(error) and error.code in {"too_big", "empty", "not_csv", "encoding"}
    else:
        numbers = [record.number for record in table.records]
        assert numbers == sorted(set(numbers)) and numbers[0] >= 1
        assert all(any(cell.strip() for cell in record.cells) for record in table.records)
        assert table.delimiter in {",", ";"}
        mapped = tables.map_header(table.records[0].cells, normalize=key, fields=FIELDS)
        assert set(mapped.positions.values()) <= set(range(mapped.width))
