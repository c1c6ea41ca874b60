"""Write the seed corpora of the fuzz targets: ``python tests/fuzz/seeds.py``.

Seeds are small valid and near-valid inputs taken from the demo catalogue and the
documented cell syntax; the first byte of each chooses the format or parser, as in
``targets.py``. The fuzzers add what they find to the same folders.
"""

from __future__ import annotations

import csv
import io
import sys
import tempfile
from pathlib import Path

import openpyxl
import pyoxigraph
from pyoxigraph import RdfFormat

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from catalogue.config import DEFAULT_DATA_BASE
from catalogue.demo import demo_file
from catalogue.ingest.template import read_template
from catalogue.ingest.to_rdf import map_template
from tests.fuzz import targets

DEMO_ROWS = 4
"""Enough rows for a supply and a demand; more only makes every run slower."""

COMPOSITION = [
    "V=1.5 %; Fe=20-30 %",
    "P>=5 %; Cd<=2 mg/kg",
    "CaSO4·2H2O=80 %; Ca3(PO4)2=1,5 wt%",
    "vanadium=0.5\u20131.2 %; jern<40 %",  # an en dash
    "Sc=120 ppm; Ga=50 g/t",
]
NUMBERS = ["220000", "0.5", "1,5", "1e3", "-2", "1 000", "12,000", "1.5,2"]
UNITS = ["t/a", "tpa", "wt%", "m³/a", "kg", "MWh/a"]
YEARS = ["2024", "24"]
YES_NO = ["yes", "nei", "maybe"]
ELEMENTS = ["V", "vanadium", "HREE", "rare earth elements", "phosphate rock", "Xx"]


def _write(target: str, name: str, first: int, content: bytes) -> None:
    folder = targets.corpus(target)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(bytes([first]) + content)


def _demo_records() -> list[list[str]]:
    with demo_file().open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    supply = next(row for row in body if row[1] == "supply" and row[22])
    demand = next(row for row in body if row[1] == "demand")
    others = [row for row in body if row not in (supply, demand)][: DEMO_ROWS - 2]
    return [header, supply, demand, *others]


def template_seeds(records: list[list[str]]) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(records)
    data = text.getvalue().encode("utf-8")
    _write("template", "demo.csv", 0, data)
    semicolons = io.StringIO()
    csv.writer(semicolons, delimiter=";").writerows(records[:2])
    _write(
        "template", "semicolons-latin1.csv", 0, semicolons.getvalue().encode("latin-1", "replace")
    )
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for record in records:
        sheet.append(record)
    buffer = io.BytesIO()
    workbook.save(buffer)
    _write("template", "demo.xlsx", 1, buffer.getvalue())
    return data


def rdf_seeds(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.csv"
        path.write_bytes(data)
        mapped = map_template(read_template(path), base=DEFAULT_DATA_BASE)
    triples = [pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in mapped.quads]
    for index, (suffix, rdf_format) in enumerate(
        zip(
            targets.RDF_SUFFIXES,
            (RdfFormat.TURTLE, RdfFormat.N_TRIPLES, RdfFormat.JSON_LD, RdfFormat.RDF_XML),
            strict=True,
        )
    ):
        content = pyoxigraph.serialize(triples, format=rdf_format)
        assert content is not None
        _write("rdf", f"demo{suffix}", index, content)
    context = b'{"@context": "https://w3id.org/sidestream/context.jsonld", "@id": "x"}'
    _write("rdf", "shipped-context.jsonld", 2, context)


def quantity_seeds() -> None:
    groups = [
        ("supply", COMPOSITION),
        ("demand", COMPOSITION),
        ("formula", ["V2O5", "CaSO4·2H2O", "Ca3(PO4)2", "fe2o3"]),
        ("number", NUMBERS),
        ("unit", UNITS),
        ("year", YEARS),
        ("yes-no", YES_NO),
    ]
    for parser, texts in groups:
        for number, text in enumerate(texts):
            first = targets.PARSERS.index(parser)
            _write("quantities", f"{parser}-{number}", first, text.encode("utf-8"))


def match_seeds(records: list[list[str]]) -> None:
    supply, demand = records[1][0], records[2][0]
    for number, text in enumerate(ELEMENTS):
        _write(
            "match", f"element-{number}", targets.MATCHERS.index("element"), b"\x00" + text.encode()
        )
    _write("match", "element-top", targets.MATCHERS.index("element"), b"\x03V")
    _write("match", "demand", targets.MATCHERS.index("demand"), b"\x05" + demand.encode())
    _write("match", "supply", targets.MATCHERS.index("supply"), b"\x00" + supply.encode())
    _write("match", "supply-as-demand", targets.MATCHERS.index("demand"), b"\x00" + supply.encode())


def main() -> None:
    records = _demo_records()
    data = template_seeds(records)
    rdf_seeds(data)
    quantity_seeds()
    match_seeds(records)


if __name__ == "__main__":
    main()
