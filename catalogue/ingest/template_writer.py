"""Writing blank stream templates for data stewards: ``sidestream template``.

``write_templates(folder)`` writes two files:

- ``sidestream-template.csv``: the header row only, UTF-8 with a byte-order mark
  so that Excel shows æøå right. Delimited by ``,`` for ``lang="en"`` and by ``;``
  for ``lang="nb"``, because Excel in Norway and Denmark splits CSV on ``;`` (and
  writes it back that way); ``read_template`` accepts either.
- ``sidestream-template.xlsx``: sheet ``streams`` with the header row (bold,
  frozen, sized columns, text format on the text columns so Excel keeps ``24.10``
  and ``010101`` as written) and drop-down lists on rows 2 to
  ``VALIDATION_LAST_ROW``; sheet ``help`` describing every column (in ``lang``);
  sheet ``examples`` with a supply and a demand filled in; hidden sheet ``lists``
  holding the drop-down values.

The drop-down values come from the ontology by SPARQL (``catalogue/queries/vocabulary/``),
so they follow the vocabularies without a second list to maintain. Code-list
columns, units, ``kind`` and the yes/no columns accept only listed values; the
``material`` list offers the English class labels but accepts any text, because
stewards may write alternative labels, other languages or local names.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pyoxigraph import NamedNode, QuerySolutions

from catalogue import queries
from catalogue.ingest.columns import BOTH, BY_NAME, COLUMNS, NAMES, SUPPLY_ONLY, Column, Kind
from catalogue.ontology import load_store
from catalogue.report import LANGUAGES

CSV_NAME = "sidestream-template.csv"
XLSX_NAME = "sidestream-template.xlsx"
STREAMS_SHEET = "streams"
HELP_SHEET = "help"
EXAMPLES_SHEET = "examples"
LISTS_SHEET = "lists"
VALIDATION_LAST_ROW = 5000
"""Drop-down lists cover rows 2 to this row of the streams sheet."""
YES_NO = ("yes", "no")

NUMBER_COLUMNS = frozenset(
    {
        "latitude",
        "longitude",
        "quantity",
        "quantity_min",
        "quantity_max",
        "reference_year",
        "temperature_c",
    }
)
"""Columns that hold numbers; every other column is formatted as text in the workbook."""
CONDITIONALLY_REQUIRED = {"unit": ("if a quantity is given", "hvis en mengde er oppgitt")}
"""Required-ness that ``Column.required`` cannot express (interfaces.md §1)."""

_EXACT_DIGITS = 15
"""Significant digits a spreadsheet number keeps (IEEE double, as Excel shows it)."""
_TITLE_MAX, _PROMPT_MAX, _ERROR_MAX = 32, 255, 225
"""Excel's limits for validation titles, input messages and error messages; longer text
makes Excel report the workbook as damaged."""

_WIDTHS = {
    "identifier": 24,
    "name": 30,
    "description": 40,
    "organisation": 26,
    "site": 20,
    "process": 26,
    "material": 26,
    "composition": 32,
    "source": 30,
}

EXAMPLES: tuple[dict[str, str | int | float], ...] = (
    {
        "identifier": "example-simn-slag",
        "kind": "supply",
        "name": "SiMn slag from the smelter",
        "lang": "en",
        "description": "Air-cooled slag from silicomanganese smelting, crushed to 0-32 mm.",
        "organisation": "Example Ferroalloys AS",
        "site": "Example works",
        "country": "NO",
        "latitude": 58.32,
        "longitude": 6.95,
        "nace": "24.10",
        "process": "silicomanganese smelting",
        "material": "SiMn slag",
        "ewc": "10 02 02",
        "state": "solid",
        "quantity": 220000,
        "quantity_min": 200000,
        "quantity_max": 240000,
        "unit": "t/a",
        "approximate": "yes",
        "basis": "flow",
        "reference_year": 2023,
        "composition": "MnO=8 %; SiO2=45 %; CaO=22 %",
        "hazardous": "no",
        "status": "by-product",
        "treatment": "material-recovery",
        "confidentiality": "public",
        "source": "Example Ferroalloys environmental report 2023",
    },
    {
        "identifier": "example-vanadium-demand",
        "kind": "demand",
        "name": "Vanadium-bearing residues wanted",
        "lang": "en",
        "description": "Feed for vanadium recovery; slags, ashes or spent catalysts.",
        "organisation": "Example Metals AS",
        "country": "NO",
        "material": "vanadium",
        "state": "solid",
        "quantity": 5000,
        "unit": "t/a",
        "approximate": "yes",
        "composition": "V2O5>=1 %; Cd<=2 mg/kg",
        "confidentiality": "restricted",
    },
)
"""Rows of the ``examples`` sheet: what a filled supply and demand look like."""

_TEXT = {
    "en": {
        "column": "column",
        "required": "required",
        "for": "for",
        "description": "description",
        "values": "values",
        "example": "example",
        "yes": "yes",
        "no": "no",
        "for supply": "for a supply",
        "both": "supply and demand",
        "supply": "supply only",
        "list": "Choose a value from the list",
        "not in list": "Not in the list",
        "material": (
            "a drop-down of {n} English labels; alternative labels, other languages "
            "(flyveaske) and local names (FlyAsh) are accepted too"
        ),
        "material error title": "Not an English label",
        "material error": (
            "This is not one of the English labels in the list. The catalogue also "
            "understands alternative labels, other languages and local names: keep it "
            "if you are sure."
        ),
        "intro": (
            "Fill one row per stream on the sheet 'streams'. Column names are exact and "
            "lower case; column order is free; an empty cell means 'not given'. Save as "
            ".xlsx or as CSV UTF-8."
        ),
    },
    "nb": {
        "column": "kolonne",
        "required": "påkrevd",
        "for": "for",
        "description": "beskrivelse",
        "values": "verdier",
        "example": "eksempel",
        "yes": "ja",
        "no": "nei",
        "for supply": "for tilbud (supply)",
        "both": "tilbud og behov",
        "supply": "bare tilbud (supply)",
        "list": "Velg en verdi fra listen",
        "not in list": "Ikke i listen",
        "material": (
            "en nedtrekksliste med {n} engelske navn; alternative navn, andre språk "
            "(flyveaske) og lokale navn (FlyAsh) godtas også"
        ),
        "material error title": "Ikke et engelsk navn",
        "material error": (
            "Dette er ikke et av de engelske navnene i listen. Katalogen forstår også "
            "alternative navn, andre språk og lokale navn: behold verdien hvis du er sikker."
        ),
        "intro": (
            "Fyll inn én rad per strøm på arket 'streams'. Kolonnenavnene skrives nøyaktig "
            "og med små bokstaver; rekkefølgen er fri; en tom celle betyr 'ikke oppgitt'. "
            "Lagre som .xlsx eller som CSV UTF-8."
        ),
    },
}


@dataclass(frozen=True)
class Dropdown:
    """The values offered for one column; ``strict`` lists reject other values."""

    values: tuple[str, ...]
    strict: bool = True


# --------------------------------------------------------------------------- vocabulary


def _first_column(name: str, values: dict[str, NamedNode] | None = None) -> list[str]:
    """The first variable of every solution of query file ``name``, in query order."""
    solutions = load_store().query(queries.bind(queries.load(name), values))
    assert isinstance(solutions, QuerySolutions)
    return [str(solution[0].value) for solution in solutions if solution[0] is not None]


def code_list_values(code_list: str) -> list[str]:
    """The notations of a code list, as ``Column.code_list`` names it (e.g. ``"state"``)."""
    from catalogue.vocab.codelists import SCHEMES

    namespace, _ = SCHEMES[code_list]
    return _first_column(
        "vocabulary/code_list_values", {"scheme": NamedNode(str(namespace["scheme"]))}
    )


def material_labels() -> list[str]:
    """English labels of all material and energy classes, sorted case-insensitively."""
    return _first_column("vocabulary/material_labels")


def unit_symbols() -> list[str]:
    """Template symbols of the quantity units (``t/a`` ... ; no ``%``, ``ppm``, ``mg/kg``)."""
    return _first_column("vocabulary/unit_symbols")


def dropdowns() -> dict[str, Dropdown]:
    """Column name -> drop-down, for every column that has one, in template order."""
    lists: dict[str, Dropdown] = {}
    for column in COLUMNS:
        if column.name == "kind":
            lists[column.name] = Dropdown(tuple(kind.value for kind in Kind))
        elif column.name in ("approximate", "hazardous"):
            lists[column.name] = Dropdown(YES_NO)
        elif column.name == "unit":
            lists[column.name] = Dropdown(tuple(unit_symbols()))
        elif column.name == "material":
            lists[column.name] = Dropdown(tuple(material_labels()), strict=False)
        elif column.code_list is not None:
            lists[column.name] = Dropdown(tuple(code_list_values(column.code_list)))
    return lists


# --------------------------------------------------------------------------- writing


def write_templates(folder: Path, *, lang: str = "en") -> list[Path]:
    """Write the CSV and XLSX templates into ``folder`` (created if missing).

    Existing files of the same names are replaced. Returns the paths written, CSV
    first. ``lang`` (``en`` or ``nb``) is the language of the help texts; header
    names are always the exact template names.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / CSV_NAME
    xlsx_path = folder / XLSX_NAME
    write_csv_template(csv_path, lang=lang)
    write_xlsx_template(xlsx_path, lang=lang)
    return [csv_path, xlsx_path]


def write_csv_template(
    path: Path, *, lang: str = "en", rows: Iterable[Mapping[str, str]] = ()
) -> None:
    """The header row, UTF-8 with BOM; ``;``-delimited for ``nb`` (see module doc).

    ``rows`` (``{column: text}``, absent columns empty) are written under it: a filled
    template (``catalogue.ingest.template_export``)."""
    delimiter = ";" if lang == "nb" else ","
    with Path(path).open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(NAMES)
        writer.writerows([row.get(name, "") for name in NAMES] for row in rows)


def write_xlsx_template(
    path: Path, *, lang: str = "en", rows: Iterable[Mapping[str, str]] = ()
) -> None:
    """The workbook described in the module docstring, with ``rows`` (``{column: text}``)
    filled in on the streams sheet (:func:`cell_value` says how each is written)."""
    text = _TEXT[lang]
    lists = dropdowns()
    workbook = Workbook()
    streams = workbook.active
    assert isinstance(streams, Worksheet)
    streams.title = STREAMS_SHEET
    _header(streams, NAMES)
    for index, name in enumerate(NAMES, start=1):
        letter = get_column_letter(index)
        dimension = streams.column_dimensions[letter]
        dimension.width = _WIDTHS.get(name, max(12, len(name) + 4))
        if name not in NUMBER_COLUMNS:
            dimension.number_format = "@"
    for number, row in enumerate(rows, start=2):
        for index, name in enumerate(NAMES, start=1):
            value = cell_value(name, row.get(name))
            if value is not None:
                cell = streams.cell(row=number, column=index, value=value)
                if cell.data_type == "f":  # text that starts with "=" is text, not a formula
                    cell.data_type = "s"

    _help_sheet(workbook.create_sheet(HELP_SHEET), lists, lang)
    _examples_sheet(workbook.create_sheet(EXAMPLES_SHEET))

    store = workbook.create_sheet(LISTS_SHEET)
    store.sheet_state = "hidden"
    for list_index, (name, dropdown) in enumerate(lists.items(), start=1):
        letter = get_column_letter(list_index)
        store.cell(row=1, column=list_index, value=name).font = Font(bold=True)
        for row, value in enumerate(dropdown.values, start=2):
            store.cell(row=row, column=list_index, value=value)
        target = get_column_letter(NAMES.index(name) + 1)
        last = len(dropdown.values) + 1
        validation = DataValidation(
            type="list",
            formula1=f"{LISTS_SHEET}!${letter}$2:${letter}${last}",
            allow_blank=True,
            showInputMessage=True,
            promptTitle=name[:_TITLE_MAX],
            prompt=_description(BY_NAME[name], lang)[:_PROMPT_MAX],
            showErrorMessage=True,
        )
        if dropdown.strict:
            validation.errorStyle = "stop"
            validation.errorTitle = text["not in list"][:_TITLE_MAX]
            validation.error = f"{text['list']}: {', '.join(dropdown.values)}"[:_ERROR_MAX]
        else:
            validation.errorStyle = "information"
            validation.errorTitle = text["material error title"][:_TITLE_MAX]
            validation.error = text["material error"][:_ERROR_MAX]
        validation.add(f"{target}2:{target}{VALIDATION_LAST_ROW}")
        streams.add_data_validation(validation)
    workbook.active = 0
    workbook.save(path)


def cell_value(column: str, text: str | None) -> str | int | float | None:
    """A template cell as the workbook holds it: a number in a number column when Excel
    keeps it exactly (at most 15 significant digits, which the template reader renders
    back to the same text), else the text, which a text cell keeps as written."""
    if text is None or text == "":
        return None
    if column not in NUMBER_COLUMNS:
        return text
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    if not value.is_finite() or len(value.as_tuple().digits) > _EXACT_DIGITS:
        return text
    number = int(value) if value == value.to_integral_value() else float(value)
    return number if format(Decimal(repr(number)), "f") == format(value, "f") else text


def _header(sheet: Worksheet, names: tuple[str, ...] | list[str]) -> None:
    """Bold, shaded, frozen first row."""
    sheet.append(list(names))
    fill = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = fill
    sheet.freeze_panes = "A2"


def _description(column: Column, lang: str) -> str:
    return column.description_nb if lang == "nb" else column.description_en


def _required(column: Column, lang: str) -> str:
    text = _TEXT[lang]
    if column.required == BOTH:
        return text["yes"]
    if column.required == SUPPLY_ONLY:
        return text["for supply"]
    conditional = CONDITIONALLY_REQUIRED.get(column.name)
    if conditional is not None:
        return conditional[1] if lang == "nb" else conditional[0]
    return text["no"]


def _help_sheet(sheet: Worksheet, lists: dict[str, Dropdown], lang: str) -> None:
    """One row per column: name, required, for which kinds, description, values, example."""
    text = _TEXT[lang]
    headings = [text[key] for key in ("column", "required", "for", "description", "values")]
    _header(sheet, [*headings, text["example"]])
    wrap = Alignment(wrap_text=True, vertical="top")
    for column in COLUMNS:
        dropdown = lists.get(column.name)
        if dropdown is None:
            values = ""
        elif dropdown.strict:
            values = ", ".join(dropdown.values)
        else:
            values = text["material"].format(n=len(dropdown.values))
        example = EXAMPLES[0].get(column.name, "")
        sheet.append(
            [
                column.name,
                _required(column, lang),
                text["both"] if column.for_kinds == BOTH else text["supply"],
                _description(column, lang),
                values,
                str(example),
            ]
        )
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
    sheet.append([])
    sheet.append([text["intro"]])
    for letter, width in zip("ABCDEF", (18, 20, 20, 50, 50, 30), strict=True):
        sheet.column_dimensions[letter].width = width


def _examples_sheet(sheet: Worksheet) -> None:
    """The streams header with the example rows under it."""
    _header(sheet, NAMES)
    for example in EXAMPLES:
        sheet.append([example.get(name) for name in NAMES])
    for index, name in enumerate(NAMES, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(
            name, max(12, len(name) + 4)
        )
