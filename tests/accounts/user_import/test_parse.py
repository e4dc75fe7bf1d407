"""Reading bulk-import CSV files: row statuses, and the files refused before anything is written."""

import csv
import io
import os
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.user_import import parse as imports
from accounts.user_import.parse import ImportFileError, mark_existing, parse_csv, report_lines, template_csv

HEADER = "FIRST NAME,LAST NAME,NAME,EMAIL,ROLE"


def csv_bytes(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\r\n".join([header, *lines]).encode(encoding) + b"\r\n"


def refused(data: bytes, **limits) -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        parse_csv(data, **limits)
    return caught.value


# --- the template --------------------------------------------------------------------------


def test_template_is_the_header_row_only_with_a_bom_for_excel():
    assert template_csv() == "\ufeffFIRST NAME,LAST NAME,NAME,EMAIL,ROLE\r\n"


def test_the_template_filled_in_is_accepted():
    data = (template_csv() + "Ada,Lovelace,,ada@example.com,Account Admin\r\n").encode()

    [row] = parse_csv(data).rows

    assert (row.first_name, row.last_name, row.email, row.role, row.errors) == (
        "Ada",
        "Lovelace",
        "ada@example.com",
        "ACCOUNT_ADMIN",
        [],
    )


# --- rows ------------------------------------------------------------------------------------


def test_a_clean_file_has_no_errors_and_spreadsheet_row_numbers():
    parsed = parse_csv(
        csv_bytes(
            "Ada,Lovelace,,ada@example.com,User",
            ",,Grace Hopper,grace@example.com,",
            "Alan,,,alan@example.com,",
        )
    )

    assert [row.number for row in parsed.rows] == [2, 3, 4]
    assert all(row.is_valid for row in parsed.rows) and parsed.valid_rows == 3
    assert parsed.rows[1].name == "Grace Hopper" and parsed.rows[1].role == "USER"


def test_each_row_error_is_reported():
    parsed = parse_csv(
        csv_bytes(
            "Ada,,,not-an-email,",
            "Bob,,,,",
            ",,,nameless@example.com,",
            "Cy,,,cy@example.com,Boss",
            "Di,,,di@example.com,",
            "Dee,,,DI@example.com,",
        )
    )
    errors = {row.number: row.errors for row in parsed.rows}

    assert errors[2] == ["Invalid email: “not-an-email” is not an email address"]
    assert errors[3] == ["Invalid email: EMAIL is empty"]
    assert errors[4] == [imports.NO_NAME]
    assert errors[5] == ["Unknown role “Boss”: use User or Account Admin"]
    assert errors[6] == [], "the first row with an email is imported"
    assert errors[7] == ["Duplicate in the file: the same email as row 6"]
    assert parsed.valid_rows == 1


def test_a_row_can_have_several_errors():
    [row] = parse_csv(csv_bytes(",,,@,Partner Admin")).rows

    assert len(row.errors) == 3 and not row.is_valid


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("", "USER"),
        ("User", "USER"),
        ("user", "USER"),
        ("  USER ", "USER"),
        ("Account Admin", "ACCOUNT_ADMIN"),
        ("account   admin", "ACCOUNT_ADMIN"),
        ("ACCOUNT_ADMIN", "ACCOUNT_ADMIN"),
    ],
)
def test_role_is_user_or_account_admin_in_any_letter_case_and_blank_means_user(text, role):
    [row] = parse_csv(csv_bytes(f"Ada,,,ada@example.com,{text}")).rows

    assert row.role == role and row.errors == []


@pytest.mark.parametrize("text", ["Partner Admin", "Admin", "Owner"])
def test_other_roles_are_unknown(text):
    [row] = parse_csv(csv_bytes(f"Ada,,,ada@example.com,{text}")).rows

    assert row.errors == [f"Unknown role “{text}”: use User or Account Admin"] and row.role == ""


def test_emails_are_trimmed_and_lowercased_and_names_trimmed():
    [row] = parse_csv(csv_bytes("  Ada  , Love  lace ,,  Ada@Example.COM ,")).rows

    assert (row.first_name, row.last_name, row.email) == ("Ada", "Love lace", "ada@example.com")


def test_too_long_values_are_row_errors():
    [row] = parse_csv(csv_bytes(f"{'x' * 151},,,ada@example.com,")).rows

    assert row.errors == ["FIRST NAME is too long (at most 150 characters)"]
    assert len(row.first_name) == 150


def test_extra_values_beyond_the_columns_are_a_row_error_but_empty_ones_are_not():
    parsed = parse_csv(csv_bytes("Ada,,,ada@example.com,,surplus", "Bob,,,bob@example.com,,,"))

    assert parsed.rows[0].errors == ["More values than columns: 6 instead of 5"]
    assert parsed.rows[1].errors == []


def test_short_rows_are_padded_with_empty_cells():
    [row] = parse_csv(csv_bytes("Ada,,,ada@example.com")).rows

    assert row.role == "USER" and row.errors == []


def test_blank_rows_are_ignored_but_keep_the_numbering():
    parsed = parse_csv(csv_bytes("Ada,,,ada@example.com,", ",,,,", "", "Bob,,,bob@example.com,"))

    assert [row.number for row in parsed.rows] == [2, 5]


def test_quoted_values_with_delimiters_and_newlines_are_read():
    [row] = parse_csv(csv_bytes('"Ada","Lovelace, Countess",,"ada@example.com",')).rows

    assert row.last_name == "Lovelace, Countess"


def test_already_in_the_account_is_marked_from_the_accounts_emails():
    parsed = parse_csv(csv_bytes("Ada,,,ada@example.com,", "Bob,,,bob@example.com,"))

    mark_existing(parsed.rows, {"bob@example.com"})

    assert [row.errors for row in parsed.rows] == [[], [imports.ALREADY_IN_ACCOUNT]]


# --- the file ------------------------------------------------------------------------------


def test_semicolons_are_detected():
    parsed = parse_csv(
        csv_bytes("Ada;Lovelace;;ada@example.com;Account Admin", header=HEADER.replace(",", ";"))
    )

    assert parsed.delimiter == ";" and parsed.rows[0].last_name == "Lovelace" and parsed.rows[0].is_valid


def test_utf8_with_and_without_bom_is_read():
    plain = csv_bytes("Zoë,Ångström,,zoe@example.com,")
    with_bom = b"\xef\xbb\xbf" + plain

    assert parse_csv(plain).rows[0].first_name == parse_csv(with_bom).rows[0].first_name == "Zoë"
    assert parse_csv(with_bom).rows[0].is_valid


def test_header_columns_may_come_in_any_order_and_letter_case_with_empty_trailing_columns():
    data = csv_bytes("ada@example.com,User,Ada,,,,", header="email,Role,first name,Last Name,NAME,,")

    [row] = parse_csv(data).rows

    assert (row.email, row.first_name, row.errors) == ("ada@example.com", "Ada", [])


def test_wrong_header_says_what_is_expected_missing_and_unknown():
    error = refused(csv_bytes("Ada,,ada@example.com,", header="FIRST NAME,SURNAME,E-MAIL,ROLE"))

    assert error.code == "header"
    message = str(error)
    assert "FIRST NAME, LAST NAME, NAME, EMAIL, ROLE" in message
    assert "Missing: LAST NAME, NAME, EMAIL." in message
    assert "Not expected: SURNAME, E-MAIL." in message


def test_a_column_twice_is_a_header_error():
    error = refused(csv_bytes("a,b,c,d,e,f", header=HEADER + ",EMAIL"))

    assert "More than once: EMAIL." in str(error)


def test_tab_separated_files_get_a_hint():
    error = refused(csv_bytes("Ada\t\t\tada@example.com\t", header=HEADER.replace(",", "\t")))

    assert error.code == "header" and "not tabs" in str(error)


@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n", b"\xef\xbb\xbf", b",,,,\r\n,,,,\r\n", b";;;;\n;;;;\n"])
def test_an_empty_file_is_refused(data):
    error = refused(data)

    assert error.code == "empty" and "The file is empty" in str(error)


def test_a_header_without_rows_is_refused():
    error = refused(csv_bytes())

    assert error.code == "no_rows" and "no users" in str(error)


def test_at_most_2500_rows():
    rows = [f"U{i},,,u{i}@example.com," for i in range(2_500)]

    assert len(parse_csv(csv_bytes(*rows)).rows) == 2_500
    error = refused(csv_bytes(*rows, "One,,,more@example.com,"))
    assert error.code == "too_many_rows"
    assert "2,501 users; at most 2,500" in str(error) and "Split it" in str(error)


def test_a_file_too_big_in_bytes_is_refused():
    error = refused(csv_bytes("Ada,,,ada@example.com,"), max_bytes=20)

    assert error.code == "too_big" and "at most" in str(error) and "Split it" in str(error)


def test_check_size_refuses_by_the_size_alone():
    imports.check_size(imports.MAX_BYTES)
    with pytest.raises(ImportFileError, match=r"The file is 3 MB \(3,145,728 bytes\); at most 2 MB"):
        imports.check_size(3 * 1024 * 1024)


def test_an_excel_workbook_is_refused_with_how_to_save_as_csv():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as workbook:
        workbook.writestr("xl/workbook.xml", "<workbook/>")

    error = refused(buffer.getvalue())

    assert error.code == "not_csv" and "Excel workbook (.xlsx)" in str(error) and "CSV UTF-8" in str(error)


def test_binary_garbage_is_refused():
    error = refused(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(200))

    assert error.code == "not_csv" and "not a CSV text file" in str(error)


def test_latin1_is_refused_with_the_line_to_look_at():
    data = csv_bytes("Ada,,,ada@example.com,", "Zoë,,,zoe@example.com,", encoding="cp1252")

    error = refused(data)

    assert error.code == "encoding"
    assert "not UTF-8" in str(error) and "line 3" in str(error) and "CSV UTF-8" in str(error)


def test_utf16_is_refused():
    error = refused(csv_bytes("Ada,,,ada@example.com,", encoding="utf-16"))

    assert error.code == "encoding" and "UTF-16" in str(error)


def test_prose_is_refused_by_its_header():
    error = refused(b"Dear admin,\nplease add these people to the account.\n")

    assert error.code == "header"


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode)))
def test_any_input_is_read_or_refused_never_crashes(data):
    try:
        parsed = parse_csv(data)
    except ImportFileError as error:
        assert str(error) and error.code
    else:
        assert all(row.number >= 2 for row in parsed.rows)


# --- the report ----------------------------------------------------------------------------


def test_report_lines_are_csv_with_formulas_defused():
    text = "".join(
        report_lines(
            [(2, "ada@example.com", "created", ""), (3, "=HYPERLINK(1)", "skipped", "Invalid email")]
        )
    )

    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff")))) == [
        ["ROW", "EMAIL", "OUTCOME", "DETAIL"],
        ["2", "ada@example.com", "created", ""],
        ["3", "'=HYPERLINK(1)", "skipped", "Invalid email"],
    ]
