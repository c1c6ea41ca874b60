"""Reading filled templates (CSV, XLSX) and writing blank ones: real files in tmp_path."""

from __future__ import annotations

import codecs
import datetime
import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from catalogue.ingest import template_writer
from catalogue.ingest.columns import NAMES, REQUIRED_HEADERS
from catalogue.ingest.template import (
    MAX_PROBLEMS_PER_RULE,
    RULE_BINARY,
    RULE_CELL_ERROR,
    RULE_DUPLICATE_COLUMN,
    RULE_EMPTY,
    RULE_ENCODING,
    RULE_EXTRA_CELLS,
    RULE_FORMULA,
    RULE_MISSING_COLUMN,
    RULE_NO_HEADER,
    RULE_QUOTING,
    RULE_TOO_MANY,
    RULE_UNKNOWN_COLUMN,
    RULE_UNREADABLE,
    RULE_UNSUPPORTED,
    TemplateTable,
    read_template,
)
from catalogue.report import Problem, Severity

HEADER = ["identifier", "kind", "name", "material"]


def write_text(
    folder: Path, name: str, lines: list[str], *, encoding: str = "utf-8", sep: str = ","
) -> Path:
    """Join ``lines`` (lists are joined with ``sep``) with CRLF and write them encoded."""
    path = folder / name
    path.write_bytes("\r\n".join(lines).encode(encoding) + b"\r\n")
    return path


def csv_lines(rows: list[list[str]], sep: str = ",") -> list[str]:
    return [sep.join(row) for row in rows]


def write_xlsx(folder: Path, name: str, rows: list[list[object]], **sheets: list) -> Path:
    """A workbook whose first sheet holds ``rows``; extra sheets by keyword (title=rows)."""
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "Sheet1"
    for row in rows:
        first.append(row)
    for title, sheet_rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in sheet_rows:
            sheet.append(row)
    path = folder / name
    workbook.save(path)
    return path


def patch_sheet_xml(path: Path, pattern: str, replacement: str) -> None:
    """Rewrite the first worksheet's XML (to give formulas a saved value or none)."""
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    text, count = re.subn(pattern, replacement, members[sheet].decode("utf-8"))
    assert count, f"{pattern!r} not found in {sheet}"
    members[sheet] = text.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)


def cells(table: TemplateTable) -> list[dict[str, str]]:
    return [row.cells for row in table.rows]


def only_problem(table: TemplateTable, rule: str) -> Problem:
    found = [p for p in table.problems if p.rule == rule]
    assert len(found) == 1, table.problems
    return found[0]


def assert_says(problem: Problem, en: str, nb: str) -> None:
    """The problem is a violation whose English and Norwegian messages name the issue."""
    assert problem.severity is Severity.VIOLATION
    assert en in problem.text("en"), problem.text("en")
    assert nb in problem.text("nb"), problem.text("nb")


SUPPLY = ["s-1", "supply", "Slag", "fly ash"]


# --------------------------------------------------------------------------- encodings


def test_utf8_csv_gives_stripped_cells_without_the_empty_ones(tmp_path):
    path = write_text(
        tmp_path,
        "streams.csv",
        ["identifier,kind,name,material,site", "  s-1 , supply,Slagg fra ovn 2,fly ash,  "],
    )
    table = read_template(path)
    assert table.problems == []
    assert table.conforms
    assert table.encoding == "utf-8"
    assert table.columns == ["identifier", "kind", "name", "material", "site"]
    assert [row.number for row in table.rows] == [2]
    assert cells(table) == [
        {"identifier": "s-1", "kind": "supply", "name": "Slagg fra ovn 2", "material": "fly ash"}
    ]


def test_utf8_bom_is_not_part_of_the_first_column_name(tmp_path):
    path = write_text(tmp_path, "bom.csv", csv_lines([HEADER, SUPPLY]), encoding="utf-8-sig")
    table = read_template(path)
    assert table.problems == []
    assert table.columns[0] == "identifier"
    assert cells(table)[0]["identifier"] == "s-1"


def test_windows_1252_csv_with_norwegian_letters_is_decoded(tmp_path):
    rows = [
        [*HEADER, "organisation"],
        ["s-1", "supply", "Slagg fra smelteverk", "flyveaske", "Ærø Øst Å AS"],
    ]
    path = write_text(tmp_path, "excel.csv", csv_lines(rows, ";"), encoding="cp1252")
    table = read_template(path)
    assert table.problems == []
    assert table.encoding == "cp1252"
    assert cells(table)[0]["organisation"] == "Ærø Øst Å AS"
    assert cells(table)[0]["material"] == "flyveaske"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_csv_is_decoded_with_or_without_a_byte_order_mark(tmp_path, encoding):
    rows = [HEADER, ["s-1", "supply", "Kalkslam æøå", "lime mud"]]
    path = tmp_path / "unicode.txt"
    data = "\r\n".join(csv_lines(rows, "\t")).encode(encoding)
    if encoding == "utf-16-le":  # Excel's "Unicode text" writes a BOM; also accept none
        data = codecs.BOM_UTF16_LE + data
    path.write_bytes(data)
    table = read_template(path)
    assert table.problems == []
    assert table.delimiter == "\t"
    assert cells(table)[0]["name"] == "Kalkslam æøå"


# --------------------------------------------------------------------------- delimiters


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_each_delimiter_is_detected(tmp_path, sep):
    rows = [[*HEADER, "quantity", "unit"], ["s-1", "supply", "Slag", "fly ash", "220000", "t/a"]]
    path = write_text(tmp_path, "streams.csv", csv_lines(rows, sep))
    table = read_template(path)
    assert table.problems == []
    assert table.delimiter == sep
    assert cells(table)[0]["quantity"] == "220000"


def test_semicolon_file_keeps_decimal_commas_and_commas_in_text_as_text(tmp_path):
    rows = [
        [*HEADER, "quantity", "description"],
        ["s-1", "supply", "Slag", "fly ash", "1,5", "crushed, screened, dry"],
    ]
    table = read_template(write_text(tmp_path, "nb.csv", csv_lines(rows, ";")))
    assert table.problems == []
    assert table.delimiter == ";"
    assert cells(table)[0]["quantity"] == "1,5"
    assert cells(table)[0]["description"] == "crushed, screened, dry"


def test_header_names_decide_the_delimiter_when_the_sniffer_is_misled(tmp_path):
    # Quoted bits between commas make csv.Sniffer guess "," for this ";" file.
    rows = [HEADER, ["s-1", "supply", "grades ,'A', and ,'B', only", "fly ash"]]
    table = read_template(write_text(tmp_path, "misled.csv", csv_lines(rows, ";")))
    assert table.delimiter == ";"
    assert table.problems == []
    assert cells(table)[0]["name"] == "grades ,'A', and ,'B', only"


def test_excel_sep_hint_line_sets_the_delimiter_and_is_not_a_row(tmp_path):
    lines = ["sep=;", *csv_lines([HEADER, SUPPLY], ";")]
    table = read_template(write_text(tmp_path, "hint.csv", lines))
    assert table.problems == []
    assert table.delimiter == ";"
    assert [row.number for row in table.rows] == [2]


# --------------------------------------------------------------------------- rows


def test_quoted_newline_in_a_description_stays_in_one_cell_and_one_row(tmp_path):
    lines = [
        "identifier,kind,name,material,description",
        's-1,supply,Slag,fly ash,"First line,\r\nsecond line ""quoted"""',
        "s-2,supply,Ash,bottom ash,plain",
    ]
    table = read_template(write_text(tmp_path, "multi.csv", lines))
    assert table.problems == []
    assert [row.number for row in table.rows] == [2, 3]
    assert cells(table)[0]["description"] == 'First line,\nsecond line "quoted"'


def test_columns_may_come_in_any_order(tmp_path):
    rows = [["material", "name", "identifier", "kind"], ["fly ash", "Slag", "s-1", "supply"]]
    table = read_template(write_text(tmp_path, "order.csv", csv_lines(rows)))
    assert table.problems == []
    assert table.columns == ["material", "name", "identifier", "kind"]
    assert cells(table) == [dict(zip(HEADER, SUPPLY, strict=True))]


def test_blank_rows_are_skipped_and_rows_keep_their_sheet_numbers(tmp_path):
    lines = [
        ",".join(HEADER),
        ",".join(SUPPLY),
        "",
        ",,,",
        "  ,\t, ,",
        "s-2,demand,Vanadium wanted,vanadium",
    ]
    table = read_template(write_text(tmp_path, "blank.csv", lines))
    assert table.problems == []
    assert [row.number for row in table.rows] == [2, 6]


def test_trailing_empty_cells_beyond_the_header_are_not_a_problem(tmp_path):
    lines = [",".join(HEADER) + ",,", ",".join(SUPPLY) + ",,,"]
    table = read_template(write_text(tmp_path, "trailing.csv", lines))
    assert table.problems == []
    assert len(table.rows) == 1


def test_ten_thousand_csv_rows_read_in_well_under_a_second(tmp_path):
    path = tmp_path / "large.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(";".join(NAMES) + "\r\n")
        for i in range(10_000):
            values = [f"value {i}-{j}" for j in range(len(NAMES))]
            values[NAMES.index("description")] = f'"line one\r\nline two; {i}"'
            handle.write(";".join(values) + "\r\n")
    start = time.perf_counter()
    table = read_template(path)
    elapsed = time.perf_counter() - start
    assert table.problems == []
    assert len(table.rows) == 10_000
    assert table.rows[-1].number == 10_001
    assert elapsed < 0.75, f"{elapsed:.2f} s"


# --------------------------------------------------------------------------- XLSX


def test_xlsx_numbers_dates_and_booleans_render_as_a_steward_wrote_them(tmp_path):
    header = [*HEADER, "quantity", "quantity_min", "quantity_max", "latitude"]
    header += ["reference_year", "approximate", "nace", "temperature_c"]
    row = [*SUPPLY, 220000, 0.5, 220000.0, 0.1 + 0.2, datetime.datetime(2023, 1, 1), True]
    row += ["24.10", 1.2e-7]
    path = write_xlsx(tmp_path, "numbers.xlsx", [header, row])
    table = read_template(path)
    assert table.problems == []
    assert table.sheet == "Sheet1"
    got = cells(table)[0]
    assert got["quantity"] == "220000"
    assert got["quantity_min"] == "0.5"
    assert got["quantity_max"] == "220000"
    assert got["latitude"] == "0.3"
    assert got["reference_year"] == "2023-01-01"
    assert got["approximate"] == "yes"
    assert got["nace"] == "24.10"
    assert got["temperature_c"] == "0.00000012"


def test_xlsx_reads_the_sheet_named_streams_even_when_it_is_not_first(tmp_path):
    path = write_xlsx(tmp_path, "two.xlsx", [["notes"], ["nothing here"]], streams=[HEADER, SUPPLY])
    table = read_template(path)
    assert table.problems == []
    assert table.sheet == "streams"
    assert cells(table) == [dict(zip(HEADER, SUPPLY, strict=True))]


def test_xlsx_blank_rows_are_skipped_and_rows_keep_their_sheet_numbers(tmp_path):
    path = write_xlsx(
        tmp_path,
        "gaps.xlsx",
        [HEADER, SUPPLY, [None, None, None, None], ["s-2", "demand", "V", "vanadium"]],
    )
    table = read_template(path)
    assert table.problems == []
    assert [row.number for row in table.rows] == [2, 4]


def test_xlsx_formula_is_read_as_its_saved_result(tmp_path):
    path = write_xlsx(tmp_path, "formula.xlsx", [[*HEADER, "quantity"], [*SUPPLY, "=1000*220"]])
    patch_sheet_xml(path, r"<f>1000\*220</f><v\s*/>", "<f>1000*220</f><v>220000</v>")
    table = read_template(path)
    assert table.problems == []
    assert cells(table)[0]["quantity"] == "220000"


def test_xlsx_formula_whose_saved_result_is_empty_text_is_not_a_problem(tmp_path):
    path = write_xlsx(tmp_path, "empty.xlsx", [[*HEADER, "site"], [*SUPPLY, '=IF(1,"","x")']])
    patch_sheet_xml(path, r'<c r="E2"><f>', '<c r="E2" t="str"><f>')
    table = read_template(path)
    assert table.problems == []
    assert "site" not in cells(table)[0]


def test_xlsx_formula_without_a_saved_result_names_row_and_column(tmp_path):
    path = write_xlsx(tmp_path, "nocache.xlsx", [[*HEADER, "quantity"], [*SUPPLY, "=1000*220"]])
    table = read_template(path)
    problem = only_problem(table, RULE_FORMULA)
    assert (problem.row, problem.column, problem.value) == (2, "quantity", "=1000*220")
    assert_says(problem, "no saved result", "ikke noe lagret resultat")
    assert not table.conforms


def test_xlsx_excel_error_value_names_row_and_column(tmp_path):
    path = write_xlsx(tmp_path, "error.xlsx", [[*HEADER, "quantity"], [*SUPPLY, "#DIV/0!"]])
    table = read_template(path)
    problem = only_problem(table, RULE_CELL_ERROR)
    assert (problem.row, problem.column, problem.value) == (2, "quantity", "#DIV/0!")
    assert_says(problem, "Excel error #DIV/0!", "Excel-feilen #DIV/0!")
    assert "quantity" not in cells(table)[0]


# --------------------------------------------------------------------------- file-level problems


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("empty.csv", b""),
        ("bom-only.csv", codecs.BOM_UTF8),
        ("blank-lines.csv", b"\r\n  \r\n\r\n"),
        ("empty.xlsx", b""),
    ],
)
def test_empty_file_is_reported_at_row_1(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    table = read_template(path)
    problem = only_problem(table, RULE_EMPTY)
    assert (problem.file, problem.row, problem.column) == (name, 1, None)
    assert_says(problem, "the file is empty", "filen er tom")
    assert table.rows == []


def test_empty_worksheet_is_an_empty_file(tmp_path):
    table = read_template(write_xlsx(tmp_path, "blank.xlsx", []))
    assert_says(only_problem(table, RULE_EMPTY), "the file is empty", "filen er tom")


def test_data_without_a_header_row_is_reported_as_no_header(tmp_path):
    table = read_template(write_text(tmp_path, "noheader.csv", csv_lines([SUPPLY, SUPPLY])))
    problem = only_problem(table, RULE_NO_HEADER)
    assert (problem.row, problem.column) == (1, None)
    assert_says(problem, "not a header row", "ikke en overskriftsrad")
    assert len(table.problems) == 1  # not one problem per unknown "column"
    assert table.rows == []


def test_unknown_column_is_named_with_the_closest_known_column(tmp_path):
    rows = [[*HEADER, "quantiy"], [*SUPPLY, "5"]]
    table = read_template(write_text(tmp_path, "typo.csv", csv_lines(rows)))
    problem = only_problem(table, RULE_UNKNOWN_COLUMN)
    assert (problem.row, problem.column, problem.value) == (1, "quantiy", "quantiy")
    assert problem.suggestions[0] == "quantity"
    assert_says(problem, "unknown column 'quantiy' (column E)", "ukjent kolonne 'quantiy'")
    assert "quantity" in problem.text("en") and "mente du" in problem.text("nb")
    assert "quantiy" not in cells(table)[0]


def test_capitalised_column_name_is_unknown_and_says_names_are_lower_case(tmp_path):
    rows = [["Identifier", "kind", "name", "material"], SUPPLY]
    table = read_template(write_text(tmp_path, "case.csv", csv_lines(rows)))
    unknown = only_problem(table, RULE_UNKNOWN_COLUMN)
    assert (unknown.row, unknown.column, unknown.suggestions) == (1, "Identifier", ("identifier",))
    assert_says(unknown, "lower case", "små bokstaver")
    missing = only_problem(table, RULE_MISSING_COLUMN)
    assert missing.column == "identifier"


def test_capitalised_header_is_still_a_header_with_a_hint_per_column(tmp_path):
    rows = [["Identifier", "Kind", "Name", "Material"], SUPPLY]
    table = read_template(write_text(tmp_path, "caps.csv", csv_lines(rows)))
    assert not [p for p in table.problems if p.rule == RULE_NO_HEADER]
    unknown = [p for p in table.problems if p.rule == RULE_UNKNOWN_COLUMN]
    assert [p.suggestions for p in unknown] == [(name,) for name in HEADER]


def test_blank_lines_before_the_header_keep_the_sheet_row_numbers(tmp_path):
    lines = ["", ",,,", ",".join(HEADER), ",".join(SUPPLY)]
    table = read_template(write_text(tmp_path, "late.csv", lines))
    assert table.problems == []
    assert [row.number for row in table.rows] == [4]


def test_duplicate_column_names_are_reported_with_both_positions(tmp_path):
    rows = [[*HEADER, "name"], [*SUPPLY, "Second name"]]
    table = read_template(write_text(tmp_path, "dup.csv", csv_lines(rows)))
    problem = only_problem(table, RULE_DUPLICATE_COLUMN)
    assert (problem.row, problem.column) == (1, "name")
    assert_says(problem, "more than once", "mer enn én gang")
    assert "columns C and E" in problem.text("en") and "kolonne C og E" in problem.text("nb")
    assert cells(table)[0]["name"] == "Slag"  # the first one is kept


def test_each_missing_required_header_column_is_reported(tmp_path):
    rows = [["identifier", "name"], ["s-1", "Slag"]]
    table = read_template(write_text(tmp_path, "missing.csv", csv_lines(rows)))
    missing = [p for p in table.problems if p.rule == RULE_MISSING_COLUMN]
    assert [(p.row, p.column) for p in missing] == [(1, "kind"), (1, "material")]
    for problem in missing:
        assert_says(problem, f"required column '{problem.column}' is missing", "mangler")
    assert set(REQUIRED_HEADERS) == {"identifier", "kind", "name", "material"}


def test_row_with_more_cells_than_the_header_is_named(tmp_path):
    lines = [",".join(HEADER), ",".join(SUPPLY), "s-2,supply,Slag, crushed,fly ash"]
    table = read_template(write_text(tmp_path, "extra.csv", lines))
    problem = only_problem(table, RULE_EXTRA_CELLS)
    assert (problem.row, problem.column, problem.value) == (3, None, "fly ash")
    assert_says(problem, "row 3 has more cells than the header", "rad 3 har flere celler")
    assert not table.conforms


def test_value_under_an_empty_header_cell_is_reported(tmp_path):
    lines = ["identifier,kind,,name,material", "s-1,supply,oops,Slag,fly ash"]
    table = read_template(write_text(tmp_path, "gap.csv", lines))
    problem = only_problem(table, RULE_EXTRA_CELLS)
    assert (problem.row, problem.value) == (2, "oops")
    assert_says(problem, "column C, which has no name", "kolonne C, som ikke har noe navn")


def test_unclosed_quote_is_reported_at_the_row_where_it_opens(tmp_path):
    lines = [",".join(HEADER), ",".join(SUPPLY), 's-2,supply,"Slag,fly ash']
    table = read_template(write_text(tmp_path, "quote.csv", lines))
    problem = only_problem(table, RULE_QUOTING)
    assert problem.row == 3
    assert_says(problem, "cannot be split into cells", "kan ikke deles i celler")


def test_bad_zip_xlsx_is_reported_as_unreadable(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"identifier,kind,name,material\r\n")
    problem = only_problem(read_template(path), RULE_UNREADABLE)
    assert (problem.file, problem.row) == ("broken.xlsx", 1)
    assert_says(problem, "not a zip archive", "ikke et zip-arkiv")


def test_truncated_xlsx_is_reported_as_unreadable(tmp_path):
    path = write_xlsx(tmp_path, "cut.xlsx", [HEADER, SUPPLY])
    path.write_bytes(path.read_bytes()[:300])
    problem = only_problem(read_template(path), RULE_UNREADABLE)
    assert_says(problem, "cannot be read as an Excel workbook", "kan ikke leses som en Excel")


def test_old_xls_workbook_renamed_to_xlsx_says_to_save_as_xlsx(tmp_path):
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    problem = only_problem(read_template(path), RULE_UNREADABLE)
    assert_says(problem, "old-style .xls", "gammel .xls")


def test_binary_junk_named_csv_is_rejected_as_not_text(tmp_path):
    path = tmp_path / "junk.csv"
    path.write_bytes(bytes(range(256)) * 4)
    table = read_template(path)
    problem = only_problem(table, RULE_BINARY)
    assert (problem.row, problem.column) == (1, None)
    assert_says(problem, "not a text file", "ikke en tekstfil")
    assert table.rows == []


def test_xlsx_workbook_named_csv_says_it_is_a_workbook(tmp_path):
    source = write_xlsx(tmp_path, "book.xlsx", [HEADER, SUPPLY])
    path = tmp_path / "book.csv"
    path.write_bytes(source.read_bytes())
    problem = only_problem(read_template(path), RULE_BINARY)
    assert_says(problem, "Excel workbook", "Excel-arbeidsbok")


def test_control_character_in_a_cell_names_row_and_column(tmp_path):
    lines = [",".join(HEADER), "s-1,supply,Sl\x07ag,fly ash"]
    table = read_template(write_text(tmp_path, "bell.csv", lines))
    problem = only_problem(table, RULE_BINARY)
    assert (problem.row, problem.column) == (2, "name")
    assert_says(problem, "control character U+0007", "kontrolltegnet U+0007")


def test_bytes_that_are_neither_utf8_nor_windows_1252_are_rejected_with_the_row(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        b"identifier,kind,name,material\r\ns-1,supply,Slag,fly ash\r\ns-2,x,\x81\x8d,y\r\n"
    )
    table = read_template(path)
    problem = only_problem(table, RULE_ENCODING)
    assert problem.row == 3
    assert_says(problem, "neither UTF-8 nor Windows-1252", "verken UTF-8- eller Windows-1252")
    assert table.rows == []


@pytest.mark.parametrize("name", ["streams.xls", "streams.json", "streams.ods", "streams"])
def test_unsupported_extension_is_reported(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"identifier,kind,name,material\r\n")
    problem = only_problem(read_template(path), RULE_UNSUPPORTED)
    assert (problem.file, problem.row, problem.column) == (name, 1, None)
    assert_says(problem, "unsupported file type", "filtypen")


def test_extension_is_matched_without_regard_to_case(tmp_path):
    path = write_text(tmp_path, "STREAMS.CSV", csv_lines([HEADER, SUPPLY]))
    assert read_template(path).problems == []


def test_missing_file_is_a_problem_not_an_exception(tmp_path):
    problem = only_problem(read_template(tmp_path / "absent.csv"), RULE_UNREADABLE)
    assert_says(problem, "cannot be read", "kan ikke leses")


def test_problems_name_the_file_as_the_caller_says(tmp_path):
    path = write_text(tmp_path, "upload-1234.csv", csv_lines([["identifier", "bogus"]]))
    table = read_template(path, name="clusters-2024.csv")
    assert {p.file for p in table.problems} == {"clusters-2024.csv"}


def test_many_bad_rows_are_reported_up_to_a_cap_and_then_counted(tmp_path):
    bad = MAX_PROBLEMS_PER_RULE + 7
    lines = [",".join(HEADER)] + [f"s-{i},supply,Slag,fly ash,extra" for i in range(bad)]
    table = read_template(write_text(tmp_path, "many.csv", lines))
    assert len([p for p in table.problems if p.rule == RULE_EXTRA_CELLS]) == MAX_PROBLEMS_PER_RULE
    summary = only_problem(table, RULE_TOO_MANY)
    assert_says(summary, "7 more row(s)", "7 rad(er) til")


# --------------------------------------------------------------------------- template writer


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, list[Path]]:
    """The templates in both languages, written once for the writer tests."""
    return {
        lang: template_writer.write_templates(tmp_path_factory.mktemp(lang), lang=lang)
        for lang in ("en", "nb")
    }


def dropdown_values(workbook: openpyxl.Workbook) -> dict[str, tuple[object, list[str]]]:
    """Column name -> (validation, listed values) for the streams sheet's drop-downs."""
    streams = workbook["streams"]
    header = {cell.column_letter: cell.value for cell in streams[1]}
    found: dict[str, tuple[object, list[str]]] = {}
    for validation in streams.data_validations.dataValidation:
        assert validation.type == "list"
        (cell_range,) = str(validation.sqref).split()
        start, end = cell_range.split(":")
        letter = start.rstrip("0123456789")
        assert (start, end) == (f"{letter}2", f"{letter}5000")
        sheet, area = validation.formula1.split("!")
        values = [c.value for (c,) in workbook[sheet][area.replace("$", "")]]
        found[header[letter]] = (validation, values)
    return found


def test_written_files_have_the_template_names(written):
    csv_path, xlsx_path = written["en"]
    assert (csv_path.name, xlsx_path.name) == (
        "sidestream-template.csv",
        "sidestream-template.xlsx",
    )


def test_written_csv_is_the_header_alone_in_utf8_with_bom(written):
    data = written["en"][0].read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    assert data[3:].decode("utf-8") == ",".join(NAMES) + "\r\n"
    assert written["nb"][0].read_bytes()[3:].decode("utf-8") == ";".join(NAMES) + "\r\n"


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_reading_the_written_templates_back_gives_no_rows_and_no_problems(written, lang):
    for path in written[lang]:
        table = read_template(path)
        assert table.problems == []
        assert table.rows == []
        assert table.columns == list(NAMES)


def test_written_xlsx_reopens_with_a_bold_frozen_header_and_a_hidden_lists_sheet(written):
    workbook = openpyxl.load_workbook(written["en"][1])
    assert workbook.sheetnames[0] == "streams"
    assert {"help", "lists"} <= set(workbook.sheetnames)
    streams = workbook["streams"]
    assert [cell.value for cell in streams[1]] == list(NAMES)
    assert all(cell.font.bold for cell in streams[1])
    assert streams.freeze_panes == "A2"
    assert streams.column_dimensions["A"].width >= 12
    nace = get_column_letter(NAMES.index("nace") + 1)
    assert streams.column_dimensions[nace].number_format == "@"  # 24.10 stays 24.10
    assert workbook["lists"].sheet_state == "hidden"


def test_written_xlsx_has_dropdowns_with_the_vocabulary_values(written):
    lists = dropdown_values(openpyxl.load_workbook(written["en"][1]))
    assert set(lists) == {
        "kind",
        "state",
        "status",
        "treatment",
        "confidentiality",
        "basis",
        "composition_basis",
        "accessibility",
        "deposit_status",
        "approximate",
        "hazardous",
        "unit",
        "material",
    }
    values = {name: found[1] for name, found in lists.items()}
    assert set(values["accessibility"]) == {
        *("open", "covered", "capped", "submerged", "underground", "built-over", "unknown")
    }
    assert set(values["deposit_status"]) == {
        *("planned", "active", "closed", "remediated", "being-excavated")
    }
    assert set(values["composition_basis"]) == {"measured", "calculated", "literature", "estimated"}
    assert values["kind"] == ["supply", "demand", "deposit"]
    assert values["approximate"] == values["hazardous"] == ["yes", "no"]
    assert set(values["state"]) == {"solid", "liquid", "gas", "sludge", "heat", "electricity"}
    assert set(values["status"]) == {"waste", "by-product", "end-of-waste", "product"}
    assert set(values["treatment"]) == {
        "landfill",
        "energy-recovery",
        "material-recovery",
        "export",
        "discharge",
        "internal-reuse",
        "none",
    }
    assert set(values["confidentiality"]) == {"public", "restricted", "confidential"}
    assert set(values["basis"]) == {"flow", "stock"}
    assert values["unit"][0] == "t/a"
    assert set(values["unit"]) == {
        "t/a", "kt/a", "Mt/a", "t", "kt", "Mt", "m3/a", "Nm3/a",
        "MWh/a", "GWh/a", "TWh/a", "TJ/a", "GJ/a", "units/a",
    }  # fmt: skip
    assert {"fly ash", "SiMn slag", "steam"} <= set(values["material"])
    assert values["material"] == sorted(values["material"], key=str.lower)


def test_code_dropdowns_reject_other_values_and_material_allows_them(written):
    lists = dropdown_values(openpyxl.load_workbook(written["en"][1]))
    for name, (validation, _) in lists.items():
        assert validation.showErrorMessage, name
        expected = "information" if name == "material" else "stop"
        assert validation.errorStyle == expected, name


def test_dropdown_texts_fit_excels_limits(written):
    for lang in ("en", "nb"):
        for name, (validation, _) in dropdown_values(
            openpyxl.load_workbook(written[lang][1])
        ).items():
            assert len(validation.errorTitle or "") <= 32, name
            assert len(validation.promptTitle or "") <= 32, name
            assert len(validation.error or "") <= 225, name
            assert len(validation.prompt or "") <= 255, name


def test_number_columns_are_template_columns():
    assert set(NAMES) >= template_writer.NUMBER_COLUMNS
    assert set(NAMES) >= set(template_writer.CONDITIONALLY_REQUIRED)


def test_unit_dropdown_leaves_out_composition_units(written):
    symbols = template_writer.unit_symbols()
    assert not {"%", "ppm", "mg/kg", "g/t", "kg/kg"} & set(symbols)


def test_help_sheet_describes_every_column_in_the_chosen_language(written):
    for lang, required_word in (("en", "yes"), ("nb", "ja")):
        help_sheet = openpyxl.load_workbook(written[lang][1])["help"]
        rows = {row[0]: row for row in help_sheet.iter_rows(min_row=2, values_only=True) if row[0]}
        assert set(NAMES) <= set(rows)
        assert rows["identifier"][1] == required_word
        assert rows["organisation"][1] in ("for a supply", "for tilbud (supply)")
    nb_rows = {
        row[0]: row
        for row in openpyxl.load_workbook(written["nb"][1])["help"].iter_rows(values_only=True)
    }
    assert nb_rows["name"][3] == "navn på strømmen"
    assert "by-product" in nb_rows["status"][4]


def test_example_rows_use_template_columns_and_listed_values(written):
    lists = dropdown_values(openpyxl.load_workbook(written["en"][1]))
    for example in template_writer.EXAMPLES:
        assert set(example) <= set(NAMES)
        for name, (validation, values) in lists.items():
            if name in example and validation.errorStyle == "stop":
                assert example[name] in values, (name, example[name])


def test_write_templates_refuses_an_unknown_language(tmp_path):
    with pytest.raises(ValueError, match="lang"):
        template_writer.write_templates(tmp_path, lang="de")
