"""The catalogue's streams back into template rows (``catalogue.ingest.template_export``).

A template is loaded through the command line into a real store, exported as rows over
a caller's view, and the rows are checked cell by cell and by loading them again: the
same asserted statements must come back (the round trip of the whole demo through the
exported files is ``tests/catalogue/test_roundtrip.py``).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyoxigraph import NamedNode

from catalogue.access import ADMINISTRATOR, ANONYMOUS, Caller, Role, view_for
from catalogue.config import Settings
from catalogue.ingest.columns import NAMES
from catalogue.ingest.template import read_template
from catalogue.ingest.template_export import template_rows, write_csv, write_xlsx
from catalogue.publish import load_files
from catalogue.store import opened_store
from tests.backends import Backend

ROWS: list[dict[str, str]] = [
    {
        "identifier": "rt-simn-slag", "kind": "supply", "name": "SiMn slag", "lang": "en",
        "description": "Air-cooled slag, 0-32 mm.", "organisation": "Test Smelter",
        "site": "Kvinesdal", "country": "NO", "latitude": "58.32", "longitude": "6.97",
        "nace": "24.10", "process": "silicomanganese smelting", "material": "SiMn slag",
        "ewc": "10 02 02", "state": "solid", "quantity": "220000", "quantity_min": "200000",
        "quantity_max": "240000", "unit": "t/a", "approximate": "yes", "basis": "flow",
        "reference_year": "2019",
        "composition": "MnO=10 %; SiO2=40-45 %; Cd<2 mg/kg; V>=0.01 %; Ca3(PO4)2=0.5 %",
        "composition_basis": "measured",
        "temperature_c": "25.5", "hazardous": "no", "status": "by-product",
        "treatment": "material-recovery", "confidentiality": "public", "source": "test report",
    },
    {
        "identifier": "rt-fly-ash", "kind": "supply", "name": "Flyveaske", "lang": "nb",
        "description": "=from incineration (a cell that looks like a formula)",
        "organisation": "Test Incinerator", "country": "NO",
        "material": "flyveaske", "ewc": "19 01 13*", "state": "solid", "quantity": "300",
        "unit": "kt/a", "composition": "CaCl2=5 %", "hazardous": "yes", "status": "waste",
        "treatment": "landfill", "confidentiality": "restricted",
    },
    {
        "identifier": "rt-secret-heat", "kind": "supply", "name": "Furnace heat",
        "organisation": "Test Smelter", "material": "high-temperature surplus heat",
        "state": "heat", "quantity": "120", "unit": "GWh/a", "temperature_c": "250",
        "confidentiality": "confidential",
    },
    {
        "identifier": "rt-jarosite-deposit", "kind": "deposit", "name": "Jarosite caverns",
        "organisation": "Test Smelter", "material": "jarosite residue", "state": "sludge",
        "quantity": "3.5", "unit": "Mt", "basis": "stock", "accessibility": "underground",
        "deposit_status": "closed", "confidentiality": "public",
    },
    {
        "identifier": "rt-vanadium-demand", "kind": "demand", "name": "Vanadium wanted",
        "organisation": "Test Metals", "material": "vanadium", "quantity": "5000",
        "unit": "t/a", "composition": "V2O5>=1 %; Cd<=2 mg/kg; Pb=0-0.01 %",
        "confidentiality": "public",
    },
    {
        "identifier": "rt-hree-demand", "kind": "demand", "name": "Heavy rare earths",
        "material": "heavy rare earth elements", "confidentiality": "public",
    },
    {
        "identifier": "rt-neutraliser-demand", "kind": "demand", "name": "Neutraliser",
        "organisation": "Test Fertiliser", "material": "neutralising agent", "basis": "stock",
        "quantity": "10", "unit": "kt", "confidentiality": "public",
    },
]  # fmt: skip


def write_template(rows: list[dict[str, str]], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=NAMES)
        writer.writeheader()
        writer.writerows(rows)
    return path


def asserted(backend: Backend) -> set[str]:
    """Every asserted statement of every submission (not their graphs: the submission is
    named after its file), without the inferred graphs."""
    prefix = backend.settings.data_base + "submission/"
    with backend.opened() as store:
        return {
            f"{quad.subject} {quad.predicate} {quad.object}"
            for graph in store.named_graphs()
            if graph.value.startswith(prefix) and not graph.value.endswith("/inferred")
            for quad in store.quads(graph)
        }


@pytest.fixture
def loaded(backend: Backend, tmp_path: Path) -> Backend:
    assert backend.main("load", str(write_template(ROWS, tmp_path / "streams.csv"))) == 0
    return backend


def rows_for(backend: Backend, caller=ADMINISTRATOR, **options) -> list[dict[str, str]]:
    with backend.opened() as store:
        return template_rows(store, view_for(store, caller), **options)


def test_rows_hold_the_cells_as_written_in_template_order(loaded: Backend) -> None:
    rows = {row["identifier"]: row for row in rows_for(loaded)}
    assert list(rows) == sorted(row["identifier"] for row in ROWS)
    slag = rows["rt-simn-slag"]
    assert list(slag) == [name for name in NAMES if name in slag]
    assert slag["composition"] == "MnO=10 %; SiO2=40-45 %; Cd<=0.0002 %; V>=0.01 %; Ca3(PO4)2=0.5 %"
    for column in ("nace", "ewc", "unit", "quantity", "latitude", "longitude", "state", "basis"):
        assert slag[column] == ROWS[0][column], column
    assert slag["approximate"] == "yes" and slag["hazardous"] == "no"
    assert rows["rt-fly-ash"]["ewc"] == "19 01 13*"
    assert rows["rt-fly-ash"]["lang"] == "nb" and rows["rt-fly-ash"]["name"] == "Flyveaske"
    vanadium = rows["rt-vanadium-demand"]
    assert vanadium["kind"] == "demand"
    assert vanadium["composition"] == "V2O5>=1 %; Cd<=0.0002 %; Pb=0-0.01 %"
    assert "status" not in vanadium and "site" not in vanadium


def test_rows_load_back_to_the_same_statements(loaded: Backend, backends, tmp_path: Path) -> None:
    again = write_template(rows_for(loaded), tmp_path / "again.csv")
    fresh = backends.fresh(loaded.kind, tmp_path / "fresh", purpose="round-trip")
    assert fresh.main("load", str(again)) == 0
    before, after = asserted(loaded), asserted(fresh)
    assert before == after
    assert len(before) > 150


def test_every_column_is_exported(loaded: Backend) -> None:
    given = {column for row in ROWS for column in row}
    assert given == set(NAMES)  # a new template column needs a row here, and an exporter
    exported = {column for row in rows_for(loaded) for column in row}
    assert exported == given


def test_only_what_the_caller_may_see_is_exported(loaded: Backend) -> None:
    public = {row["identifier"] for row in rows_for(loaded, ANONYMOUS)}
    assert public == {"rt-simn-slag", "rt-vanadium-demand", "rt-hree-demand",
                      "rt-neutraliser-demand", "rt-jarosite-deposit"}  # fmt: skip
    assert "rt-fly-ash" in {row["identifier"] for row in rows_for(loaded, Caller(Role.READER))}


def test_one_organisation_s_streams(loaded: Backend) -> None:
    smelter = NamedNode(loaded.settings.data_base + "organisation/test-smelter")
    rows = rows_for(loaded, organisation=smelter)
    assert [row["identifier"] for row in rows] == [
        "rt-jarosite-deposit", "rt-secret-heat", "rt-simn-slag"
    ]  # fmt: skip
    assert [row["identifier"] for row in rows_for(loaded, ANONYMOUS, organisation=smelter)] == [
        "rt-jarosite-deposit", "rt-simn-slag"
    ]  # fmt: skip


def test_csv_and_xlsx_writers_give_files_the_template_reader_reads_as_the_rows(
    tmp_path: Path,
) -> None:
    settings = Settings(store=tmp_path / "store")
    with opened_store(settings) as store:
        load_files([write_template(ROWS, tmp_path / "in.csv")], store, settings, publisher="t")
        rows = template_rows(store, view_for(store, ADMINISTRATOR))
    for path in (write_csv(rows, tmp_path / "out.csv"), write_xlsx(rows, tmp_path / "out.xlsx")):
        table = read_template(path)
        assert table.conforms, table.problems
        assert [row.cells for row in table.rows] == rows, path.name
    nb = read_template(write_csv(rows, tmp_path / "nb.csv", lang="nb"))
    assert nb.delimiter == ";" and [row.cells for row in nb.rows] == rows
    sheet = load_workbook(tmp_path / "out.xlsx")["streams"]
    header = [cell.value for cell in sheet[1]]
    slag = next(row for row in sheet.iter_rows(min_row=2, values_only=True) if "rt-simn" in row[0])
    assert slag[header.index("quantity")] == 220000  # numbers stay numbers in the workbook
    assert slag[header.index("nace")] == "24.10"  # and codes text
