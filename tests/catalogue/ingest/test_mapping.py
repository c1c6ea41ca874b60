"""Column mappings (``catalogue.ingest.mapping``): a waste report of its own layout is
loaded through ``sidestream load --mapping`` into a real store and validates; a broken
mapping or an unmapped value is reported with the source file's row and column, and
nothing is stored."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyoxigraph import RdfFormat, parse

from catalogue.access import ADMINISTRATOR
from catalogue.cli import main
from catalogue.config import Settings
from catalogue.export import export
from catalogue.ingest.mapping import ColumnMapping, MappingError, read_through
from catalogue.publish import prepare_file
from catalogue.store import opened_store

EXAMPLE = Path(__file__).parents[3] / "examples" / "waste-report"
SAMPLE = EXAMPLE / "avfallsrapport-2024.xlsx"
MAPPING = EXAMPLE / "avfallsrapport.yaml"
DATA = "https://w3id.org/sidestream/data/"
SS = "https://w3id.org/sidestream/ontology/"


def stored(store_path: Path) -> set[str]:
    """Every statement of the catalogue (without graph names), as an administrator sees it."""
    buffer = io.BytesIO()
    settings = Settings(store=store_path)
    with opened_store(settings) as store:
        export(store, settings, buffer, fmt="nq", caller=ADMINISTRATOR)
    return {
        f"{q.subject} {q.predicate} {q.object}"
        for q in parse(buffer.getvalue(), format=RdfFormat.N_QUADS)
    }


def sample_as_csv(path: Path, change: dict[tuple[int, str], str] | None = None) -> Path:
    """The sample's sheet as a ``;``-delimited CSV, with cells changed (row, header)."""
    sheet = load_workbook(SAMPLE, read_only=True)["Avfall"]
    rows = [
        [("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(values_only=True)
    ]
    header = rows[0]
    for (number, column), value in (change or {}).items():
        rows[number - 1][header.index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    return path


def mapping_with(tmp_path: Path, old: str, new: str) -> Path:
    text = MAPPING.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "changed.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_the_waste_report_imports_and_validates(tmp_path: Path, capsys) -> None:
    store = tmp_path / "store"
    assert main(["validate", "--mapping", str(MAPPING), str(SAMPLE), "--store", str(store)]) == 0
    assert "0 error(s)" in capsys.readouterr().out
    assert main(["load", "--mapping", str(MAPPING), str(SAMPLE), "--store", str(store)]) == 0
    assert "(12 streams" in capsys.readouterr().out
    statements = stored(store)
    ash = f"<{DATA}stream/returkraft-as-kristiansand-19-01-13>"
    for expected in (
        f"{ash} <{SS}wasteCode> <https://w3id.org/sidestream/vocab/low/190113>",
        f"{ash} <{SS}currentTreatment> <https://w3id.org/sidestream/vocab/treatment/landfill>",
        f'{ash} <{SS}hazardous> "true"^^<http://www.w3.org/2001/XMLSchema#boolean>',
        f'{ash} <http://www.w3.org/2000/01/rdf-schema#label> "Flyveaske fra avfallsforbrenning"@nb',
        f'{ash} <{SS}countryCode> "NO"',
        f"<{DATA}stream/returkraft-as-kristiansand-19-01-13#resource> "
        f"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{SS}IncinerationFlyAsh>",
        f"<{DATA}stream/returkraft-as-kristiansand-19-01-13#quantity> <{SS}numericValue> "
        '"5000"^^<http://www.w3.org/2001/XMLSchema#decimal>',
    ):
        assert expected in statements, expected
    jarosite = f"<{DATA}stream/boliden-odda-as-odda-11-02-02>"
    assert f"{jarosite} <{SS}physicalState> <https://w3id.org/sidestream/vocab/state/sludge>" in (
        statements
    )


def test_the_same_report_as_csv_gives_the_same_statements(tmp_path: Path) -> None:
    xlsx, csv_store = tmp_path / "xlsx", tmp_path / "csv"
    copy = tmp_path / "csv-copy"
    copy.mkdir()
    path = sample_as_csv(copy / SAMPLE.with_suffix(".csv").name)
    assert main(["load", "--mapping", str(MAPPING), str(SAMPLE), "--store", str(xlsx)]) == 0
    assert main(["load", "--mapping", str(MAPPING), str(path), "--store", str(csv_store)]) == 0
    assert stored(xlsx) == stored(csv_store)
    assert len(stored(xlsx)) > 300


@pytest.mark.parametrize(
    ("old", "new", "column", "row", "words"),
    [
        # a source column the file does not have
        ("organisation: Virksomhet", "organisation: Firma", "Firma", 1, "does not have"),
        # a worksheet the workbook does not have
        ("sheet: Avfall", "sheet: Utslipp", None, None, "reads the sheet 'Utslipp'"),
        # a waste code the material map does not list
        ('"03 03 05": deinking sludge', '"03 03 99": deinking sludge', "Avfallskode (material)",
         13, "'03 03 05' is not among the values"),
        # a treatment word the value map does not list
        ("Energiutnyttelse: energy-recovery", "Forbrenning: energy-recovery",
         "Behandling (treatment)", 13, "add it under columns.treatment.values"),
    ],
)  # fmt: skip
def test_a_broken_mapping_names_the_source_row_and_column_and_stores_nothing(
    tmp_path: Path, capsys, old: str, new: str, column: str | None, row: int | None, words: str
) -> None:
    store = tmp_path / "store"
    mapping = mapping_with(tmp_path, old, new)
    code = main(["load", "--mapping", str(mapping), str(SAMPLE), "--store", str(store),
                 "--format", "json"])  # fmt: skip
    assert code == 1
    report = json.loads(capsys.readouterr().err)
    problems = [p for p in report["problems"] if p["severity"] == "violation"]
    assert any(
        p["file"] == SAMPLE.name and p["row"] == row and p["column"] == column
        and words in p["message"]
        for p in problems
    ), problems  # fmt: skip
    assert stored(store) == set()


def test_a_value_the_vocabulary_refuses_is_named_by_its_source_column(tmp_path: Path) -> None:
    path = sample_as_csv(tmp_path / "rapport.csv", {(4, "Avfallskode"): "10 02 99x"})
    mapping = mapping_with(tmp_path, '"10 02 07*": EAF dust', '"10 02 99x": EAF dust')
    assert read_through(path, mapping).table.conforms  # the mapping itself has no objection
    prepared = prepare_file(path, Settings(store=tmp_path / "store"), mapping=mapping)
    (problem,) = [p for p in prepared.problems if p.rule == "ingest:ewc"]
    assert (problem.row, problem.column) == (4, "Avfallskode (ewc)")


def test_unit_conversion_and_decimal_commas(tmp_path: Path) -> None:
    sheet = tmp_path / "kg.csv"
    sheet.write_text(
        "Anlegg;Avfall;Mengde (kg)\nSmelteverket;slagg;1 500 000\nSmelteverket;støv;2,5\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "kg.yaml"
    mapping.write_text(
        "sidestream-mapping: 1\n"
        "defaults: {kind: supply, organisation: Test AS, unit: t/a, country: NO}\n"
        "columns:\n"
        "  identifier: {pattern: '{Anlegg} {Avfall}', slug: yes}\n"
        "  name: Avfall\n"
        "  material: {from: Avfall, values: {slagg: slag, støv: dust}}\n"
        "  quantity: {from: Mengde (kg), multiply: 0.001}\n",
        encoding="utf-8",
    )
    mapped = read_through(sheet, mapping)
    assert mapped.table.conforms, mapped.table.problems
    assert [row.cells for row in mapped.table.rows] == [
        {"kind": "supply", "organisation": "Test AS", "unit": "t/a", "country": "NO",
         "identifier": "smelteverket-slagg", "name": "slagg", "material": "slag",
         "quantity": "1500"},
        {"kind": "supply", "organisation": "Test AS", "unit": "t/a", "country": "NO",
         "identifier": "smelteverket-stov", "name": "støv", "material": "dust",
         "quantity": "0.0025"},
    ]  # fmt: skip


def test_mapping_file_problems_name_the_key(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "sidestream-mapping: 1\n"
        "colums: {}\n"
        "columns:\n"
        "  organization: Virksomhet\n"
        "  quantity: {from: Mengde, multiply: lots}\n"
        "  name: {from: A, pattern: '{B}'}\n",
        encoding="utf-8",
    )
    with pytest.raises(MappingError) as raised:
        ColumnMapping.read(path)
    where = {p.column: p for p in raised.value.problems}
    assert set(where) == {"colums", "columns.organization", "columns.quantity.multiply",
                          "columns.name"}  # fmt: skip
    assert where["columns.organization"].suggestions[0] == "organisation"
    assert all(p.file == "bad.yaml" for p in raised.value.problems)
    not_yaml = tmp_path / "broken.yaml"
    not_yaml.write_text("columns: [unclosed\n", encoding="utf-8")
    with pytest.raises(MappingError, match="not valid YAML"):
        ColumnMapping.read(not_yaml)


def test_yaml_values_stay_text(tmp_path: Path) -> None:
    """YAML 1.1 reads NO (Norway) as false and 24.10 as 24.1; a mapping must not."""
    path = tmp_path / "text.yaml"
    path.write_text(
        "sidestream-mapping: 1\ndefaults: {country: NO, nace: 24.10, approximate: yes}\n"
        "columns: {name: Navn}\n",
        encoding="utf-8",
    )
    assert dict(ColumnMapping.read(path).defaults) == {
        "country": "NO", "nace": "24.10", "approximate": "yes"
    }  # fmt: skip


def test_the_example_folder_is_complete() -> None:
    assert {p.name for p in EXAMPLE.iterdir()} >= {SAMPLE.name, MAPPING.name, "README.md"}
