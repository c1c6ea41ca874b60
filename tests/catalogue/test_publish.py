"""Publishing into a real store: the acceptance points of the catalogue issue.

Each bad input is a whole file with one defect; the command must exit 1, name the row
and column in its report, and leave the catalogue's export byte-for-byte as it was.
Every test that stores runs on each backend (``tests/backends.py``: embedded, Oxigraph
server, Virtuoso), through the command line's own store options.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph
import pytest

from catalogue.access import ADMINISTRATOR, ANONYMOUS
from catalogue.cli import main
from catalogue.config import Settings
from catalogue.demo import demo_rounds
from catalogue.export import export
from catalogue.publish import load_files
from catalogue.store.oxigraph import OxigraphStore
from tests.backends import Backend, Backends

HEADER = [
    "identifier", "kind", "name", "organisation", "site", "country", "latitude", "longitude",
    "nace", "process", "material", "ewc", "state", "quantity", "quantity_min", "quantity_max",
    "unit", "approximate", "reference_year", "composition", "hazardous", "status",
    "treatment", "confidentiality", "source",
]  # fmt: skip
GOOD_ROWS = [
    {
        "identifier": "test-simn-slag", "kind": "supply", "name": "SiMn slag",
        "organisation": "Test Smelter", "site": "Kvinesdal", "country": "NO",
        "latitude": "58.32", "longitude": "6.97", "nace": "24.10",
        "process": "silicomanganese smelting", "material": "SiMn slag", "ewc": "10 02 02",
        "state": "solid", "quantity": "220000", "quantity_min": "200000",
        "quantity_max": "240000", "unit": "t/a", "approximate": "yes",
        "reference_year": "2019", "composition": "MnO=10 %; SiO2=40-45 %; Cd<2 mg/kg",
        "hazardous": "no", "status": "by-product", "treatment": "material-recovery",
        "confidentiality": "public", "source": "test",
    },
    {
        "identifier": "test-fly-ash", "kind": "supply", "name": "Fly ash",
        "organisation": "Test Incinerator", "country": "NO", "latitude": "59.49",
        "longitude": "10.35", "material": "flyveaske", "ewc": "19 01 13*", "state": "solid",
        "quantity": "300", "unit": "kt/a", "reference_year": "2019",
        "composition": "CaCl2=5 %; NaCl=3 %", "hazardous": "yes", "status": "waste",
        "treatment": "landfill", "confidentiality": "restricted",
    },
    {
        "identifier": "test-secret-heat", "kind": "supply", "name": "Furnace heat",
        "organisation": "Test Smelter", "country": "NO", "latitude": "58.32",
        "longitude": "6.97", "material": "high-temperature surplus heat", "state": "heat",
        "quantity": "120", "unit": "GWh/a", "reference_year": "2019",
        "temperature_c": "250", "status": "by-product", "confidentiality": "confidential",
    },
    {
        "identifier": "test-phosphorus-demand", "kind": "demand", "name": "Phosphorus",
        "organisation": "Test Fertiliser", "country": "NO", "material": "phosphorus fertiliser",
        "quantity": "5000", "unit": "t/a", "reference_year": "2020",
        "composition": "P>=5 %; Cd<=2 mg/kg", "confidentiality": "public",
    },
]  # fmt: skip


def template_text(rows: list[dict[str, str]], header: list[str] = HEADER) -> str:
    columns = header + [c for row in rows for c in row if c not in header]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(dict.fromkeys(columns)), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def with_cell(row: int, column: str, value: str) -> bytes:
    """The good template with one cell changed (``row`` is 0-based among data rows)."""
    rows = [dict(r) for r in GOOD_ROWS]
    rows[row][column] = value
    return template_text(rows).encode("utf-8")


def exported(backend: Backend, caller=ANONYMOUS) -> bytes:
    """The catalogue's export as N-Quads (``caller``'s part of it: the public part)."""
    buffer = io.BytesIO()
    with backend.opened() as store:
        export(store, backend.settings, buffer, fmt="nq", caller=caller)
    return buffer.getvalue()


@pytest.fixture
def seeded_store(backend: Backend, tmp_path: Path) -> Backend:
    """A catalogue holding the good template, loaded through the command line."""
    path = tmp_path / "good.csv"
    path.write_text(template_text(GOOD_ROWS), encoding="utf-8")
    assert backend.main("load", str(path)) == 0
    return backend


def count(backend: Backend, query: str) -> int:
    with backend.opened() as store:
        (row,) = store.select(query)
    return int(row["n"].value)


SUPPLIES = """PREFIX ss: <https://w3id.org/sidestream/ontology/>
SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ss:Supply }"""
DEMANDS = """PREFIX ss: <https://w3id.org/sidestream/ontology/>
SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ss:Demand }"""


def test_demo_catalogue_loads_whole_into_a_fresh_store(backend, capsys):
    assert backend.main("load", "--demo") == 0
    kinds: dict[str, str] = {}  # identifier -> kind, over every reporting round's streams
    for path in (path for files in demo_rounds() for path in files):
        with path.open(encoding="utf-8") as handle:
            # stream files only: the exchanges file has no identifier or kind column
            kinds |= {r["identifier"]: r["kind"] for r in csv.DictReader(handle) if r.get("kind")}
    supplies = sum(1 for kind in kinds.values() if kind in ("supply", "deposit"))
    demands = sum(1 for kind in kinds.values() if kind == "demand")
    assert supplies >= 45 and demands >= 12
    assert count(backend, SUPPLIES) == supplies
    assert count(backend, DEMANDS) == demands
    assert "0 error(s)" in capsys.readouterr().err


def test_loaded_streams_carry_materialised_inferences(seeded_store):
    # The resource of the SiMn slag is a slag (superclass), and the stream contains Mn
    # (from MnO) and Mn's critical-raw-material entry, without any query-time reasoning.
    ask = """PREFIX ss: <https://w3id.org/sidestream/ontology/>
    PREFIX elem: <https://w3id.org/sidestream/vocab/element/>
    PREFIX crm: <https://w3id.org/sidestream/vocab/crm/>
    SELECT (COUNT(*) AS ?n) WHERE {
      <https://w3id.org/sidestream/data/stream/test-simn-slag> ss:hasResource ?r ;
          ss:containsElement elem:Mn , elem:Si ;
          ss:containsListedRawMaterial crm:crm-2023-manganese .
      ?r a ss:Slag , ss:MineralResidue , ss:Resource .
    }"""
    assert count(seeded_store, ask) == 1


def test_oxide_composition_is_converted_to_element_fractions(seeded_store):
    query = """PREFIX ss: <https://w3id.org/sidestream/ontology/>
    PREFIX elem: <https://w3id.org/sidestream/vocab/element/>
    SELECT ?f (COUNT(*) AS ?n) WHERE {
      <https://w3id.org/sidestream/data/stream/test-simn-slag#component-1-Mn>
          ss:element elem:Mn ; ss:massFraction ?f ;
          ss:derivedFrom <https://w3id.org/sidestream/data/stream/test-simn-slag#component-1> .
    } GROUP BY ?f"""
    with seeded_store.opened() as store:
        (row,) = store.select(query)
    # Mn in MnO: 54.938 / 70.937 of 10 %
    assert abs(float(row["f"].value) - 0.10 * 54.938044 / 70.937) < 1e-6


def test_restricted_and_confidential_streams_are_stored_but_never_exported(seeded_store, tmp_path):
    with seeded_store.opened() as everything:
        stored = {q.subject.value for q in everything.quads()}
    assert "https://w3id.org/sidestream/data/stream/test-fly-ash" in stored
    assert "https://w3id.org/sidestream/data/stream/test-secret-heat" in stored
    for fmt in ("ttl", "nq", "jsonld"):
        text = (tmp_path / f"export.{fmt}").as_posix()
        assert seeded_store.main("export", "--format", fmt, "--output", text) == 0
        content = Path(text).read_text(encoding="utf-8")
        assert "test-simn-slag" in content
        assert "test-phosphorus-demand" in content
        assert "test-fly-ash" not in content
        assert "test-secret-heat" not in content
        assert "Test Incinerator" not in content  # named only by a restricted stream


def test_round_trip_template_load_export_load_gives_the_same_triples(
    seeded_store: Backend, backends: Backends, tmp_path: Path
) -> None:
    exported_ttl = tmp_path / "public.ttl"
    assert seeded_store.main("export", "--output", str(exported_ttl)) == 0
    # A second empty catalogue of the same kind (a server of its own when remote).
    fresh = backends.fresh(seeded_store.kind, tmp_path / "fresh", purpose="round-trip")
    assert fresh.main("load", str(exported_ttl)) == 0

    def stream_triples(backend: Backend, caller) -> set[str]:
        return {
            str(pyoxigraph.Triple(q.subject, q.predicate, q.object))
            for q in pyoxigraph.parse(
                exported(backend, caller), format=pyoxigraph.RdfFormat.N_QUADS
            )
        }

    before = stream_triples(seeded_store, ANONYMOUS)
    after = stream_triples(fresh, ADMINISTRATOR)
    assert before == after
    assert len(before) > 50


def test_loading_the_same_file_again_changes_nothing(seeded_store, tmp_path, capsys):
    before = exported(seeded_store)
    path = tmp_path / "good.csv"
    assert seeded_store.main("load", str(path)) == 0
    assert "unchanged: good.csv" in capsys.readouterr().out
    assert exported(seeded_store) == before


def test_changed_file_needs_replace_and_then_replaces_in_one_go(seeded_store, tmp_path):
    path = tmp_path / "good.csv"
    path.write_bytes(with_cell(0, "quantity", "230000"))
    before = exported(seeded_store)
    assert seeded_store.main("load", str(path)) == 1
    assert exported(seeded_store) == before
    assert seeded_store.main("load", str(path), "--replace") == 0
    after = exported(seeded_store)
    assert b'"230000"' in after and b'"220000"' not in after


def test_withdraw_removes_the_submission_and_its_inferences(seeded_store):
    assert seeded_store.main("withdraw", "good") == 0
    with seeded_store.opened() as store:
        assert list(store.quads()) == []
    assert seeded_store.main("withdraw", "good") == 1


def test_validate_stores_nothing_and_reports_json(backend, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(with_cell(0, "unit", "GWh/a"))
    assert backend.main("validate", str(path), "--format", "json") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["conforms"] is False
    assert any(p["row"] == 2 and p["column"] == "unit" for p in report["problems"])
    with backend.opened() as store:
        assert not list(store.quads())


def test_report_in_norwegian(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(with_cell(0, "material", "flyash2"))
    assert main(["validate", str(path), "--lang", "nb"]) == 1
    out = capsys.readouterr().out
    assert "rad 2, kolonne material" in out
    assert "ukjent" in out.lower()


# -- the table of bad inputs -------------------------------------------------------------

BROKEN_TURTLE = b"""@prefix ss: <https://w3id.org/sidestream/ontology/> .
<https://w3id.org/sidestream/data/stream/x> a ss:Supply ;
    ss:hasQuantity .
"""
LATIN1_TURTLE = (
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    '<https://w3id.org/sidestream/data/stream/x> rdfs:label "Sm\u00f8rslagg" .\n'
).encode("latin-1")

GOOD = template_text(GOOD_ROWS)
UNKNOWN_COLUMN = template_text(GOOD_ROWS, [*HEADER, "colour"]).encode()
NO_IDENTIFIER_COLUMN = "\n".join(line.split(",", 1)[1] for line in GOOD.splitlines()).encode()
UNCLOSED_QUOTE = GOOD.replace("SiMn slag,", '"SiMn slag,', 1).encode()
REMOTE_CONTEXT = (
    b'{"@context": "https://example.org/c.jsonld", '
    b'"@id": "https://w3id.org/sidestream/data/stream/x"}'
)
TOO_MUCH = "CaO=60 %; SiO2=50 %"


def cell(row: int, column: str, value: str, expect_row: int | None = None, expect=None):
    """A template case: one cell changed; the report must name that row and column."""
    return ("t.csv", with_cell(row, column, value), expect_row or row + 2, expect or column)


# case -> (file name, content, expected row or None, expected column or None)
BAD_INPUT_CASES: dict[str, tuple[str, bytes, int | None, str | None]] = {
    "missing identifier": cell(0, "identifier", ""),
    "unsafe identifier": cell(0, "identifier", "a b/c"),
    "duplicate identifier": cell(1, "identifier", "test-simn-slag"),
    "bad kind": cell(0, "kind", "offer"),
    "missing name": cell(0, "name", ""),
    "supply without organisation": cell(0, "organisation", ""),
    "unknown material": cell(0, "material", "flyash2"),
    "element as supply material": cell(0, "material", "vanadium"),
    "unknown process": cell(0, "process", "alchemy"),
    "unknown NACE code": cell(0, "nace", "99.99"),
    "unknown waste code": cell(0, "ewc", "10 02 77"),
    "hazardous code marked not hazardous": cell(1, "hazardous", "no"),
    "negative quantity": cell(0, "quantity", "-5"),
    "value above maximum": cell(0, "quantity", "250000", expect="quantity_max"),
    "quantity not a number": cell(0, "quantity", "lots"),
    "unknown unit": cell(0, "unit", "bags/a"),
    "energy unit on a slag": cell(0, "unit", "GWh/a"),
    "quantity without unit": cell(0, "unit", ""),
    "composition above 100 %": cell(0, "composition", TOO_MUCH),
    "unknown element in formula": cell(0, "composition", "Xx2O3=5 %"),
    "composition not a number": cell(0, "composition", "MnO=abc %"),
    "latitude out of range": cell(0, "latitude", "95"),
    "longitude without latitude": cell(0, "latitude", ""),
    "unknown country": cell(0, "country", "XX"),
    "implausible reference year": cell(0, "reference_year", "1066"),
    "reference year not a year": cell(0, "reference_year", "2019/20"),
    "unknown state": cell(0, "state", "plasma"),
    "unknown status": cell(0, "status", "rubbish"),
    "unknown confidentiality": cell(0, "confidentiality", "internal-only"),
    "yes/no not yes or no": cell(0, "approximate", "maybe"),
    "one bad row among good ones": cell(3, "material", "unobtainium"),
    "unknown column": ("t.csv", UNKNOWN_COLUMN, 1, "colour"),
    "missing required column": ("t.csv", NO_IDENTIFIER_COLUMN, 1, "identifier"),
    "malformed CSV: unclosed quote": ("t.csv", UNCLOSED_QUOTE, 2, None),
    "binary junk as CSV": ("t.csv", b"\x00\x01\x02PK\x03\x04" * 50, None, None),
    "broken Turtle": ("t.ttl", BROKEN_TURTLE, None, None),
    "Turtle that is not UTF-8": ("t.ttl", LATIN1_TURTLE, None, None),
    "JSON-LD with a remote context": ("t.jsonld", REMOTE_CONTEXT, None, None),
    "empty file": ("t.csv", b"", None, None),
    "unsupported file type": ("t.pdf", b"%PDF-1.4", None, None),
}
BAD_INPUTS = [(case, *spec) for case, spec in BAD_INPUT_CASES.items()]


def test_bad_input_table_has_at_least_25_cases():
    assert len(BAD_INPUTS) >= 25


@pytest.mark.parametrize(
    ("case", "name", "content", "row", "column"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_is_rejected_and_leaves_the_catalogue_as_it_was(
    seeded_store, tmp_path, capsys, case, name, content, row, column
):
    before = exported(seeded_store)
    capsys.readouterr()
    bad = tmp_path / "incoming" / name
    bad.parent.mkdir()
    bad.write_bytes(content)
    code = seeded_store.main("load", str(bad), "--format", "json")
    err = capsys.readouterr().err
    assert code == 1, err
    report = json.loads(err)
    violations = [p for p in report["problems"] if p["severity"] == "violation"]
    assert violations, report
    if row is not None:
        assert any(
            p["row"] == row and (column is None or p["column"] == column) for p in violations
        ), violations
    assert all(p["message"] for p in violations)
    assert exported(seeded_store) == before


class FailsHalfway:
    """A pyoxigraph store whose bulk write breaks after half of the quads went in."""

    def __init__(self, real: pyoxigraph.Store) -> None:
        self.real = real

    def __getattr__(self, name: str):
        return getattr(self.real, name)

    def extend(self, quads) -> None:
        quads = list(quads)

        def half_then_fail():
            yield from quads[: len(quads) // 2]
            raise OSError("disk full")

        self.real.extend(half_then_fail())


def test_a_store_failure_leaves_nothing_half_written(tmp_path):
    """Whatever fails inside the write, the store keeps no part of the submission.

    Embedded only: it breaks pyoxigraph's bulk write from inside. The remote stores' own
    case (a failing update request changes nothing) is in store/test_contract.py."""
    path = tmp_path / "good.csv"
    path.write_text(template_text(GOOD_ROWS), encoding="utf-8")
    settings = Settings(store=tmp_path / "store")
    store = OxigraphStore(settings.store)
    store._store = FailsHalfway(store.raw)  # type: ignore[assignment]
    with pytest.raises(OSError, match="disk full"):
        load_files([path], store, settings, publisher="test")
    assert list(store.quads()) == []


class BulkFailsHalfway(FailsHalfway):
    """A pyoxigraph store whose bulk load of content graphs breaks after some quads went in
    (``bulk_extend`` is not transactional: what it wrote stays unless removed)."""

    def extend(self, quads) -> None:
        self.real.extend(quads)

    def bulk_extend(self, quads) -> None:
        quads = list(quads)
        self.real.bulk_extend(quads[: len(quads) // 2])
        raise OSError("disk full")


def test_a_failing_bulk_load_of_a_new_submission_leaves_nothing(tmp_path):
    """A new submission's content goes in by bulk load before its registration; when the
    bulk load fails, the content graphs written so far are dropped again."""
    path = tmp_path / "good.csv"
    path.write_text(template_text(GOOD_ROWS), encoding="utf-8")
    settings = Settings(store=tmp_path / "store")
    store = OxigraphStore(settings.store)
    store._store = BulkFailsHalfway(store.raw)  # type: ignore[assignment]
    with pytest.raises(OSError, match="disk full"):
        load_files([path], store, settings, publisher="test")
    assert list(store.quads()) == []


def test_content_left_by_an_interrupted_load_does_not_mix_with_the_next(tmp_path):
    """A crash between bulk load and registration leaves unregistered content graphs;
    loading the submission again replaces them rather than adding to them."""
    path = tmp_path / "good.csv"
    path.write_text(template_text(GOOD_ROWS), encoding="utf-8")
    settings = Settings(store=tmp_path / "store")
    store = OxigraphStore(settings.store)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    load_files([path], store, settings, publisher="test", now=now)
    expected = sorted(str(q) for q in store.quads())
    catalogue = pyoxigraph.NamedNode(settings.data_base + "catalogue")
    graphs = {q.graph_name for q in store.quads()} - {catalogue}
    store.raw.clear()
    leftover = pyoxigraph.NamedNode("https://example.org/left-over")
    store.add_quads(pyoxigraph.Quad(leftover, leftover, leftover, g) for g in graphs)
    load_files([path], store, settings, publisher="test", now=now)
    assert sorted(str(q) for q in store.quads()) == expected


def test_the_embedded_bulk_write_reports_progress_batch_by_batch(tmp_path):
    """A large new submission goes in by batches, and the progress bar hears each one."""
    path = tmp_path / "good.csv"
    path.write_text(template_text(GOOD_ROWS), encoding="utf-8")
    settings = Settings(store=tmp_path / "store")
    store = OxigraphStore(settings.store, batch_quads=50)
    heard: list[tuple[int, int]] = []
    load_files([path], store, settings, publisher="test", write_progress=lambda *p: heard.append(p))
    assert len(heard) > 1
    sent, whole = heard[-1]
    assert sent == whole >= len(list(store.quads()))  # a quad written twice is stored once
    assert [sent for sent, _ in heard] == sorted(sent for sent, _ in heard)
