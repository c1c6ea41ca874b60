"""Reading a filled stream template (CSV or XLSX) into rows of text cells.

``read_template(path)`` is the first step of loading a template: it finds the
header, checks the file-level rules of the contract (``interfaces.md`` §1) and
hands back every data row as ``{column name: text}``. It interprets no values:
numbers, codes and labels stay text for the mapper, which knows what each column
means.

Guarantees:

- It never raises for bad content. Everything wrong with the file is a
  :class:`~catalogue.report.Problem` (``Severity.VIOLATION``, messages in English
  and Norwegian Bokmål, the file name, a row and, where there is one, a column) in
  ``TemplateTable.problems``. Only programming errors raise.
- Row numbers are the rows a steward sees when opening the file in a spreadsheet:
  1-based, the header is row 1 (the header is the first non-blank row, so it is row
  1 unless the sheet starts with blank rows). A quoted CSV cell spanning several
  lines is one row, as in Excel; an Excel ``sep=;`` hint line is not a row.
- Cells are stripped of surrounding white space; empty cells are omitted (an empty
  cell means "not given"); line breaks inside a cell are ``\\n``. Blank rows are
  skipped. Only the template's columns (``catalogue.ingest.columns``) appear in
  ``cells``; values under unknown or duplicate columns are dropped, and those
  columns are problems.
- Numbers are left as text. In a CSV file delimited by ``;`` (what Excel writes
  where the decimal separator is a comma, as in Norway and Denmark) ``"1,5"`` is a
  decimal comma; with a ``,`` delimiter a comma inside a number cannot be told
  from a thousands separator. ``TemplateTable.delimiter`` says which delimiter the
  file uses so that the mapper can decide.
- XLSX cells are rendered from the cell's value: integers without ``.0``, other
  numbers with at most 15 significant digits (Excel's precision, so no float
  noise) and never in exponent notation, dates as ISO 8601, booleans as
  ``yes``/``no``. Formulas are read as their saved results.

CSV files are decoded by their byte-order mark (UTF-8, UTF-16 LE/BE), else as
strict UTF-8, else as Windows-1252 (what Excel writes for "CSV" in Norway and
Denmark). The delimiter is one of ``,`` ``;`` TAB ``|``: the one :class:`csv.Sniffer`
finds in the first lines, unless another splits the header into more known
column names. Quoting follows RFC 4180 strictly (a quoted cell must be closed and
followed by the delimiter), so a cut-off quote is reported at the row where it
opens instead of swallowing the rest of the file. Rows are streamed: a file is read
once (twice when it turns out not to be UTF-8) and only the rows themselves are kept.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import math
import re
import warnings
import xml.etree.ElementTree as ElementTree
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter

from catalogue.ingest.columns import NAMES, REQUIRED_HEADERS
from catalogue.report import Problem, Severity

CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
XLSX_SUFFIXES = frozenset({".xlsx"})
DELIMITERS = (",", ";", "\t", "|")
"""The delimiters a CSV file may use, in order of preference when tied."""
SHEET_NAME = "streams"
"""The worksheet read from a workbook that has one of this name (else the first)."""
MAX_PROBLEMS_PER_RULE = 50
"""Row-level problems reported per rule before the rest are summarised in one problem."""

EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#SPILL!", "#CALC!"}
)

_KNOWN = frozenset(NAMES)


@dataclass(frozen=True)
class Header:
    """The columns a kind of template has: all of them, the required ones, and the name of
    the worksheet read from a workbook that has one of that name (else the first)."""

    names: tuple[str, ...]
    required: tuple[str, ...]
    sheet: str


STREAMS = Header(tuple(NAMES), tuple(REQUIRED_HEADERS), SHEET_NAME)
"""The stream template (``catalogue.ingest.columns``)."""
_SNIFF_CHARS = 8192
_RAW_SAMPLE_BYTES = 8192
# C0 controls other than TAB, LF and CR; DEL; C1 controls (mis-decoded or binary bytes).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SEP_HINT = re.compile(r"^\ufeff?sep=(.)\r?\n?$", re.IGNORECASE)
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")

RULE_UNSUPPORTED = "ingest:unsupported-file-type"
RULE_UNREADABLE = "ingest:unreadable-file"
RULE_ENCODING = "ingest:encoding"
RULE_BINARY = "ingest:binary-content"
RULE_EMPTY = "ingest:empty-file"
RULE_NO_HEADER = "ingest:no-header"
RULE_UNKNOWN_COLUMN = "ingest:unknown-column"
RULE_DUPLICATE_COLUMN = "ingest:duplicate-column"
RULE_MISSING_COLUMN = "ingest:missing-column"
RULE_EXTRA_CELLS = "ingest:extra-cells"
RULE_QUOTING = "ingest:csv-quoting"
RULE_FORMULA = "ingest:formula-without-value"
RULE_CELL_ERROR = "ingest:excel-error"
RULE_TOO_MANY = "ingest:more-problems"


@dataclass(frozen=True, slots=True)
class TemplateRow:
    """One non-blank data row: its spreadsheet row number and its non-empty cells."""

    number: int
    cells: dict[str, str]


@dataclass
class TemplateTable:
    """What ``read_template`` found in one file.

    ``columns`` are the recognised template columns in header order (each once);
    ``rows`` the non-blank data rows in file order; ``problems`` everything wrong
    with the file. The file must be rejected when any problem is a violation.
    """

    path: Path
    columns: list[str]
    rows: list[TemplateRow]
    problems: list[Problem]
    encoding: str | None = None
    """The text encoding a CSV file was decoded with (``None`` for XLSX)."""
    delimiter: str | None = None
    """The CSV delimiter (``None`` for XLSX)."""
    sheet: str | None = None
    """The worksheet read from an XLSX file."""

    @property
    def conforms(self) -> bool:
        """True when no problem is a violation (the file may go on to the mapper)."""
        return not any(p.severity is Severity.VIOLATION for p in self.problems)


def read_template(
    path: Path, *, name: str | None = None, header: Header = STREAMS
) -> TemplateTable:
    """Read a template file; the format is chosen by the file's extension.

    ``name`` is how problems name the file (default: the file name), e.g. the
    original name of an uploaded file stored under a temporary name; ``header`` which
    template it is (the stream template unless said otherwise).
    """
    path = Path(path)
    reader = _Reader(path, name if name is not None else path.name, header)
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        reader.read_csv()
    elif suffix in XLSX_SUFFIXES:
        reader.read_xlsx()
    else:
        reader.unsupported(suffix)
    return reader.table()


# --------------------------------------------------------------------------- messages


def _column_ref(index: int) -> str:
    """0-based position -> the spreadsheet column letter (``0`` -> ``A``)."""
    return get_column_letter(index + 1)


def _normalise(name: str) -> str:
    """A header cell as the column name it was probably meant to be (``Quantity Min``)."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)


# --------------------------------------------------------------------------- reading


class _Unreadable(Exception):
    """Internal: the parser of an untrusted file failed; carries the reason."""


class _Reader:
    """Collects the header, rows and problems of one file."""

    def __init__(self, path: Path, file_name: str, header: Header = STREAMS) -> None:
        self.path = path
        self.file = file_name
        self.spec = header
        self._known = frozenset(header.names)
        self._clear()

    def _clear(self) -> None:
        """Start afresh (also after a failed decoding attempt)."""
        self.problems: list[Problem] = []
        self.rows: list[TemplateRow] = []
        self.columns: list[str] = []
        self.encoding: str | None = None
        self.delimiter: str | None = None
        self.sheet: str | None = None
        self._names: list[str | None] = []
        """Per header position: the column name, or None where values are dropped."""
        self._unnamed: list[int] = []
        """Header positions with an empty header cell (values there are stray)."""
        self._width = 0
        self._counts: Counter[str] = Counter()

    def table(self) -> TemplateTable:
        for rule, count in self._counts.items():
            if count > MAX_PROBLEMS_PER_RULE:
                more = count - MAX_PROBLEMS_PER_RULE
                self.problem(
                    RULE_TOO_MANY,
                    f"… and {more} more row(s) with the same problem ({rule})",
                    f"… og {more} rad(er) til med samme problem ({rule})",
                    row=None,
                )
        return TemplateTable(
            path=self.path,
            columns=self.columns,
            rows=self.rows,
            problems=self.problems,
            encoding=self.encoding,
            delimiter=self.delimiter,
            sheet=self.sheet,
        )

    # ---- problems

    def problem(
        self,
        rule: str,
        en: str,
        nb: str,
        *,
        row: int | None = 1,
        column: str | None = None,
        value: str | None = None,
        suggestions: tuple[str, ...] = (),
    ) -> None:
        self.problems.append(
            Problem(
                severity=Severity.VIOLATION,
                message={"en": en, "nb": nb},
                rule=rule,
                file=self.file,
                row=row,
                column=column,
                value=value,
                suggestions=suggestions,
            )
        )

    def row_problem(self, rule: str, en: str, nb: str, **where: Any) -> None:
        """A problem of one data row; beyond ``MAX_PROBLEMS_PER_RULE`` only counted."""
        self._counts[rule] += 1
        if self._counts[rule] <= MAX_PROBLEMS_PER_RULE:
            self.problem(rule, en, nb, **where)

    def unsupported(self, suffix: str) -> None:
        shown = suffix or "(none)"
        hint_en = hint_nb = ""
        if suffix in {".xls", ".xlsm", ".xlsb", ".ods", ".numbers"}:
            hint_en = "; save the sheet as an Excel workbook (.xlsx) or as CSV UTF-8"
            hint_nb = "; lagre arket som Excel-arbeidsbok (.xlsx) eller som CSV UTF-8"
        self.problem(
            RULE_UNSUPPORTED,
            f"unsupported file type {shown}: a template is a CSV file (.csv, .tsv, .txt) "
            f"or an Excel workbook (.xlsx){hint_en}",
            f"filtypen {shown} støttes ikke: en mal er en CSV-fil (.csv, .tsv, .txt) "
            f"eller en Excel-arbeidsbok (.xlsx){hint_nb}",
            value=suffix or None,
        )

    def unreadable(self, xlsx: bool, reason_en: object, reason_nb: object | None = None) -> None:
        """The file as a whole cannot be read (``reason_nb`` defaults to ``reason_en``)."""
        kind_en, kind_nb = (
            ("an Excel workbook (.xlsx)", "en Excel-arbeidsbok (.xlsx)")
            if xlsx
            else ("a text file", "en tekstfil")
        )
        self.problem(
            RULE_UNREADABLE,
            f"the file cannot be read as {kind_en}: {reason_en}",
            f"filen kan ikke leses som {kind_nb}: {reason_nb or reason_en}",
        )

    def empty(self) -> None:
        self.problem(
            RULE_EMPTY,
            "the file is empty: a template needs a header row with the column names "
            f"(at least {', '.join(self.spec.required)})",
            "filen er tom: en mal trenger en overskriftsrad med kolonnenavnene "
            f"(minst {', '.join(self.spec.required)})",
        )

    # ---- header and rows (shared by CSV and XLSX)

    def header(self, number: int, cells: Sequence[str]) -> bool:
        """Take ``cells`` as the header row; False when it names no template column."""
        names = [cell.strip().lstrip("\ufeff").strip() for cell in cells]
        if not any(_normalise(name) in self._known for name in names):
            shown = ", ".join(name for name in names if name)
            self.problem(
                RULE_NO_HEADER,
                f"row {number} is not a header row: it names none of the template columns "
                f"(such as {', '.join(self.spec.required)}); the first row must hold the "
                "column names",
                f"rad {number} er ikke en overskriftsrad: den har ingen av malens kolonnenavn "
                f"(som {', '.join(self.spec.required)}); første rad må inneholde kolonnenavnene",
                row=number,
                value=shown[:200] or None,
            )
            return False
        first_at: dict[str, int] = {}
        for index, name in enumerate(names):
            if not name:
                self._names.append(None)
                self._unnamed.append(index)
            elif name in self._known and name not in first_at:
                first_at[name] = index
                self._names.append(name)
                self.columns.append(name)
            elif name in self._known:
                self._names.append(None)
                first, here = _column_ref(first_at[name]), _column_ref(index)
                self.problem(
                    RULE_DUPLICATE_COLUMN,
                    f"column '{name}' appears more than once in the header "
                    f"(columns {first} and {here})",
                    f"kolonnen '{name}' står mer enn én gang i overskriftsraden "
                    f"(kolonne {first} og {here})",
                    row=number,
                    column=name,
                    value=name,
                )
            else:
                self._names.append(None)
                self._unknown_column(number, index, name)
        self._width = len(names)
        # Trailing empty header cells are not columns; a value under one is an extra cell.
        while self._unnamed and self._unnamed[-1] == self._width - 1:
            self._unnamed.pop()
            self._names.pop()
            self._width -= 1
        for required in self.spec.required:
            if required not in first_at:
                self.problem(
                    RULE_MISSING_COLUMN,
                    f"the required column '{required}' is missing from the header",
                    f"den påkrevde kolonnen '{required}' mangler i overskriftsraden",
                    row=number,
                    column=required,
                )
        return True

    def _unknown_column(self, number: int, index: int, name: str) -> None:
        letter = _column_ref(index)
        normalised = _normalise(name)
        if normalised in self._known:
            self.problem(
                RULE_UNKNOWN_COLUMN,
                f"unknown column '{name}' (column {letter}): column names are exact and "
                f"lower case; write '{normalised}'",
                f"ukjent kolonne '{name}' (kolonne {letter}): kolonnenavn skrives nøyaktig "
                f"og med små bokstaver; skriv '{normalised}'",
                row=number,
                column=name,
                value=name,
                suggestions=(normalised,),
            )
            return
        close = tuple(difflib.get_close_matches(normalised, self.spec.names, n=3, cutoff=0.6))
        hint_en = f"; did you mean {_quoted(close)}?" if close else ""
        hint_nb = f"; mente du {_quoted(close)}?" if close else ""
        self.problem(
            RULE_UNKNOWN_COLUMN,
            f"unknown column '{name}' (column {letter}){hint_en}",
            f"ukjent kolonne '{name}' (kolonne {letter}){hint_nb}",
            row=number,
            column=name,
            value=name,
            suggestions=close,
        )

    def data_row(self, number: int, values: Sequence[str]) -> None:
        """Keep one data row (``values`` by header position); blank rows are skipped."""
        cells: dict[str, str] = {}
        for name, value in zip(self._names, values, strict=False):
            if name is not None and value:
                value = value.strip()
                if value:
                    if "\r" in value:
                        value = value.replace("\r\n", "\n").replace("\r", "\n")
                    cells[name] = value
        if len(values) > self._width or self._unnamed:
            self._stray_cells(number, values)
        if cells:
            self.rows.append(TemplateRow(number, cells))
        elif any(value.strip() for value in values):
            # Only values under unknown or duplicate columns: reported with the header.
            self.rows.append(TemplateRow(number, cells))

    def _stray_cells(self, number: int, values: Sequence[str]) -> None:
        for index in self._unnamed:
            if index < len(values) and values[index].strip():
                letter = _column_ref(index)
                self.row_problem(
                    RULE_EXTRA_CELLS,
                    f"row {number} has a value in column {letter}, which has no name in the header",
                    f"rad {number} har en verdi i kolonne {letter}, som ikke har noe navn i "
                    "overskriftsraden",
                    row=number,
                    value=values[index].strip()[:200],
                )
        extra = [(i, v) for i, v in enumerate(values[self._width :], self._width) if v.strip()]
        if extra:
            index, value = extra[0]
            last = _column_ref(self._width - 1)
            self.row_problem(
                RULE_EXTRA_CELLS,
                f"row {number} has more cells than the header: a value in column "
                f"{_column_ref(index)}, beyond the last header column {last} (is a delimiter "
                "or a quote missing?)",
                f"rad {number} har flere celler enn overskriftsraden: en verdi i kolonne "
                f"{_column_ref(index)}, etter siste overskriftskolonne {last} (mangler et "
                "skilletegn eller et anførselstegn?)",
                row=number,
                value=value.strip()[:200],
            )

    def column_name(self, index: int) -> str | None:
        """The template column at a 0-based position, if the header names one there."""
        return self._names[index] if index < len(self._names) else None

    # ---- CSV

    def read_csv(self) -> None:
        try:
            with self.path.open("rb") as handle:
                head = handle.read(_RAW_SAMPLE_BYTES)
        except OSError as error:
            self.unreadable(False, error.strerror or error)
            return
        encoding, bom = _encoding_from_bytes(head)
        if len(head) == len(bom):
            self.empty()
            return
        if encoding is None:
            self._binary_file(head)
            return
        candidates = [encoding] if encoding != "utf-8" else ["utf-8", "cp1252"]
        for candidate in candidates:
            try:
                self._read_csv_text(candidate)
            except UnicodeDecodeError:
                self._clear()
                if candidate == candidates[-1]:
                    self._undecodable(candidate)
                continue
            except OSError as error:
                self._clear()
                self.unreadable(False, error.strerror or error)
            return

    def _binary_file(self, head: bytes) -> None:
        if head.startswith(b"PK\x03\x04"):
            en = "this is an Excel workbook (or another zip file), not CSV text; save it as .xlsx"
            nb = "dette er en Excel-arbeidsbok (eller en annen zip-fil), ikke CSV-tekst; "
            nb += "lagre den som .xlsx"
        else:
            en = "this is not a text file (it contains NUL bytes); save the sheet as CSV UTF-8"
            nb = "dette er ikke en tekstfil (den inneholder NUL-byte); lagre arket som CSV UTF-8"
        self.problem(RULE_BINARY, en, nb)

    def _undecodable(self, encoding: str) -> None:
        """Report where the file stops being ``encoding`` text (reads it whole: rare path)."""
        raw = self.path.read_bytes()
        try:
            raw.decode(encoding)
            start = 0  # only the streaming decoder failed; no better place to point at
        except UnicodeDecodeError as error:
            start = error.start
        byte = raw[start : start + 1].hex().upper() or "?"
        row = raw[:start].decode(encoding, errors="replace").count("\n") + 1
        if encoding == "cp1252":
            en = (
                f"the file is neither UTF-8 nor Windows-1252 text (byte 0x{byte} in or near row "
                f"{row}); save the sheet as CSV UTF-8"
            )
            nb = (
                f"filen er verken UTF-8- eller Windows-1252-tekst (byte 0x{byte} i eller nær rad "
                f"{row}); lagre arket som CSV UTF-8"
            )
        else:
            name = {"utf-8-sig": "UTF-8", "utf-16": "UTF-16"}.get(encoding, encoding.upper())
            en = (
                f"the file starts with a {name} byte-order mark but is not valid {name} text "
                f"(in or near row {row}); save the sheet as CSV UTF-8"
            )
            nb = (
                f"filen starter med et {name}-byte-rekkefølgemerke, men er ikke gyldig "
                f"{name}-tekst (i eller nær rad {row}); lagre arket som CSV UTF-8"
            )
        self.problem(RULE_ENCODING, en, nb, row=row)

    def _read_csv_text(self, encoding: str) -> None:
        """Read the file as ``encoding``; raises UnicodeDecodeError to try another."""
        self.encoding = encoding
        with self.path.open(encoding=encoding, errors="strict", newline="") as handle:
            sample = handle.read(_SNIFF_CHARS)
            handle.seek(0)
            lines: Iterator[str] = iter(handle)
            first = next(lines, "")
            hint = _SEP_HINT.match(first)
            if hint is not None and hint.group(1) in DELIMITERS:
                self.delimiter = hint.group(1)
            else:
                self.delimiter = _choose_delimiter(sample, self._known)
                lines = _chain_first(first, lines)
            reader = csv.reader(lines, delimiter=self.delimiter, quotechar='"', strict=True)
            self._read_records(reader)

    def _read_records(self, reader: Iterator[list[str]]) -> None:
        have_header = False
        number = 0
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                self._quoting_problem(number + 1, error)
                return
            number += 1
            if not record:
                continue
            if _CONTROL.search("".join(record)):
                self._control_characters(number, record)
            if not have_header:
                if not any(cell.strip() for cell in record):
                    continue
                if not self.header(number, record):
                    return
                have_header = True
            else:
                self.data_row(number, record)
        if not have_header:
            self.empty()

    def _quoting_problem(self, number: int, error: csv.Error) -> None:
        self.problem(
            RULE_QUOTING,
            f"row {number} cannot be split into cells ({error}): a cell that starts with a "
            '" must end with a " followed by the delimiter or the end of the line',
            f"rad {number} kan ikke deles i celler ({error}): en celle som begynner med "
            '" må slutte med " etterfulgt av skilletegnet eller linjeslutt',
            row=number,
        )

    def _control_characters(self, number: int, record: Sequence[str]) -> None:
        for index, cell in enumerate(record):
            found = _CONTROL.search(cell)
            if found is None:
                continue
            code = f"U+{ord(found.group()):04X}"
            name = self.column_name(index) if self._names else None
            where_en = f"column {_column_ref(index)}" if name is None else f"column '{name}'"
            where_nb = f"kolonne {_column_ref(index)}" if name is None else f"kolonnen '{name}'"
            self.row_problem(
                RULE_BINARY,
                f"row {number}, {where_en} contains the control character {code}, which a "
                "text file should not hold (is this a binary file?)",
                f"rad {number}, {where_nb} inneholder kontrolltegnet {code}, som en tekstfil "
                "ikke skal ha (er dette en binærfil?)",
                row=number,
                column=name,
                value=repr(cell[:60]),
            )

    # ---- XLSX

    def read_xlsx(self) -> None:
        missing: dict[tuple[int, int], str] = {}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                # Untrusted input: any failure of the parser means the file is unreadable.
                try:
                    workbook = load_workbook(self.path, read_only=True, data_only=True)
                except Exception as error:
                    self._bad_workbook(error)
                    return
                try:
                    self._read_workbook(workbook)
                finally:
                    workbook.close()
                if self.sheet is not None and self._names:  # only once there is a header
                    missing = self._formulas_without_value(self.sheet)
        except _Unreadable as error:
            self._clear()
            self.unreadable(True, error)
            return
        for (row, column), formula in sorted(missing.items()):
            name = self.column_name(column - 1)
            shown = f" ={formula}" if formula else ""
            self.row_problem(
                RULE_FORMULA,
                f"row {row}, column {get_column_letter(column)}: the formula{shown} has no "
                "saved result; open the file in Excel, recalculate and save it again (or paste "
                "the values)",
                f"rad {row}, kolonne {get_column_letter(column)}: formelen{shown} har ikke "
                "noe lagret resultat; åpne filen i Excel, beregn og lagre den på nytt (eller lim "
                "inn verdiene)",
                row=row,
                column=name,
                value=f"={formula}" if formula else None,
            )

    def _bad_workbook(self, error: Exception) -> None:
        try:
            with self.path.open("rb") as handle:
                head = handle.read(8)
        except OSError as os_error:
            self.unreadable(True, os_error.strerror or os_error)
            return
        if not head:
            self.empty()
        elif head.startswith(b"\xd0\xcf\x11\xe0"):
            self.unreadable(
                True,
                "it is an old-style .xls workbook; save it as .xlsx",
                "det er en gammel .xls-arbeidsbok; lagre den som .xlsx",
            )
        elif isinstance(error, zipfile.BadZipFile):
            self.unreadable(
                True,
                "it is not a zip archive, as every .xlsx file is",
                "den er ikke et zip-arkiv, slik alle .xlsx-filer er",
            )
        else:
            self.unreadable(True, error)

    def _read_workbook(self, workbook: Any) -> None:
        sheets = list(workbook.worksheets)
        if not sheets:
            self.empty()
            return
        sheet = next((s for s in sheets if s.title.strip().lower() == self.spec.sheet), sheets[0])
        self.sheet = sheet.title
        sheet.reset_dimensions()  # the stored dimension may be wrong; read every row
        have_header = False
        number = 0
        for number, raw in enumerate(_guarded(sheet.iter_rows(min_row=1, values_only=True)), 1):
            if not raw:
                continue
            values = [_render(value) for value in raw]
            if not have_header:
                if not any(values):
                    continue
                if not self.header(number, values):
                    return
                have_header = True
                continue
            for index, value in enumerate(values):
                if value in EXCEL_ERRORS:
                    name = self.column_name(index)
                    letter = get_column_letter(index + 1)
                    self.row_problem(
                        RULE_CELL_ERROR,
                        f"row {number}, column {letter} shows the Excel error {value}",
                        f"rad {number}, kolonne {letter} viser Excel-feilen {value}",
                        row=number,
                        column=name,
                        value=value,
                    )
                    values[index] = ""
            self.data_row(number, values)
        if not have_header:
            self.empty()

    def _formulas_without_value(self, title: str) -> dict[tuple[int, int], str]:
        """Formula cells of sheet ``title`` that have no saved result, by (row, column).

        openpyxl's values-only reading cannot tell such a cell from an empty one, so
        the sheet's XML is scanned directly, and only when it contains a formula.
        """
        try:
            with zipfile.ZipFile(self.path) as archive:
                member = _sheet_member(archive, title)
                if member is None or not _contains_formula(archive, member):
                    return {}
                with archive.open(member) as source:
                    return _scan_formulas(source)
        except Exception as error:  # untrusted input: any parser failure is "unreadable"
            raise _Unreadable(error) from error


# --------------------------------------------------------------------------- helpers


def _encoding_from_bytes(head: bytes) -> tuple[str | None, bytes]:
    """(codec name, byte-order mark) from the first bytes; codec None for binary content."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", codecs.BOM_UTF8
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", head[:2]
    if b"\x00" in head:
        # UTF-16 without a byte-order mark: ASCII header names leave every other byte NUL.
        probe = head[: min(len(head), 64) & ~1]
        if probe and not any(probe[1::2]) and all(probe[0::2]):
            return "utf-16-le", b""
        if probe and not any(probe[0::2]) and all(probe[1::2]):
            return "utf-16-be", b""
        return None, b""
    return "utf-8", b""


def _chain_first(first: str, rest: Iterator[str]) -> Iterator[str]:
    if first:
        yield first
    yield from rest


def _choose_delimiter(sample: str, known_names: frozenset[str] = _KNOWN) -> str:
    """The delimiter of a CSV sample (see the module docstring for the rule)."""
    lines = sample.splitlines()
    if len(sample) >= _SNIFF_CHARS and len(lines) > 1:
        lines = lines[:-1]  # the last line of a full sample may be cut short
    header = next((line for line in lines if line.strip("\ufeff \t")), "")
    known = {
        delimiter: sum(
            1
            for cell in next(csv.reader([header], delimiter=delimiter), [])
            if _normalise(cell.lstrip("\ufeff")) in known_names
        )
        for delimiter in DELIMITERS
    }
    best = max(DELIMITERS, key=lambda d: known[d])  # first of the tied, in DELIMITERS order
    try:
        sniffed = csv.Sniffer().sniff("\n".join(lines[:20]), "".join(DELIMITERS)).delimiter
    except csv.Error:
        return best
    if sniffed in DELIMITERS and (known[sniffed] >= known[best] or known[best] == 0):
        return sniffed
    return best


def _guarded(rows: Iterator[Any]) -> Iterator[Any]:
    """Rows from openpyxl; a parser failure on the untrusted file becomes ``_Unreadable``."""
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as error:  # untrusted input: any parser failure is "unreadable"
            raise _Unreadable(error) from error
        yield row


def _render(value: object) -> str:
    """One XLSX cell value as template text (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _number_text(value: float) -> str:
    """A float as Excel shows it at full precision: ``220000``, ``0.5``, ``0.0000012``."""
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = format(value, ".15g")
    if "e" in text:
        text = format(Decimal(text), "f")
    return text


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _sheet_member(archive: zipfile.ZipFile, title: str) -> str | None:
    """The zip member holding the worksheet called ``title`` (via workbook.xml and its rels)."""
    names = set(archive.namelist())
    workbook_part = "xl/workbook.xml"
    if workbook_part not in names:
        return None
    relation_id = None
    for element in ElementTree.fromstring(archive.read(workbook_part)).iter():
        if _local(element.tag) == "sheet" and element.get("name") == title:
            relation_id = next(
                (v for k, v in element.attrib.items() if _local(k) == "id" and "}" in k), None
            )
            break
    rels_part = "xl/_rels/workbook.xml.rels"
    if relation_id is None or rels_part not in names:
        return None
    for element in ElementTree.fromstring(archive.read(rels_part)).iter():
        if _local(element.tag) == "Relationship" and element.get("Id") == relation_id:
            target = element.get("Target", "")
            if target.startswith("/"):
                member = target.lstrip("/")
            else:
                parts: list[str] = []
                for part in PurePosixPath("xl", target).parts:
                    if part == "..":
                        if parts:
                            parts.pop()
                    elif part != ".":
                        parts.append(part)
                member = "/".join(parts)
            return member if member in names else None
    return None


def _contains_formula(archive: zipfile.ZipFile, member: str) -> bool:
    """Whether the worksheet XML has any formula element (a fast byte scan)."""
    tail = b""
    with archive.open(member) as source:
        while chunk := source.read(1 << 20):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def _scan_formulas(source: Any) -> dict[tuple[int, int], str]:
    """(row, column) -> formula text, for formula cells without a saved value."""
    missing: dict[tuple[int, int], str] = {}
    row_number = 0
    column_number = 0
    for event, element in ElementTree.iterparse(source, events=("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            if tag == "row":
                row_number = int(element.get("r") or row_number + 1)
                column_number = 0
            continue
        if tag == "c":
            reference = element.get("r")
            if reference:
                row_number, column_number = coordinate_to_tuple(reference)
            else:
                column_number += 1
            formula = value = None
            for child in element:
                if _local(child.tag) == "f":
                    formula = child
                elif _local(child.tag) == "v":
                    value = child
            if formula is not None:
                kind = element.get("t", "n")
                saved = value is not None and (bool(value.text) or kind in ("str", "s"))
                if not saved:
                    missing[(row_number, column_number)] = (formula.text or "").strip()
            element.clear()
        elif tag == "row":
            element.clear()
    return missing
