"""The hybrid validator gives exactly pySHACL's results, on every input we have.

The hybrid engine runs SHACL-SPARQL constraints once per submission on pyoxigraph
(catalogue/validation/sparql_constraints.py); pySHACL alone is the reference.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyoxigraph
import pytest

from catalogue.config import Settings
from catalogue.demo import demo_file
from catalogue.ingest.template import read_template
from catalogue.ingest.to_rdf import map_template
from catalogue.validation.sparql_constraints import split_shapes
from catalogue.validation.validate import validate_quads

from .test_publish import BAD_INPUTS, GOOD_ROWS, template_text

SHAPE_CASES = sorted((Path(__file__).parents[1] / "shapes" / "cases").glob("*/*.ttl"))


def outcome(problems) -> set[tuple[str, str, int | None, str | None, str | None]]:
    return {(str(p.severity), p.rule, p.row, p.column, p.value) for p in problems}


def both_engines(quads, rows=None):
    hybrid = validate_quads(quads, rows=rows, engine="hybrid")
    reference = validate_quads(quads, rows=rows, engine="pyshacl")
    return outcome(hybrid), outcome(reference)


def test_every_sparql_constraint_of_the_shapes_runs_set_based():
    _, compiled = split_shapes()
    assert len(compiled) >= 10


def mapped(path: Path):
    table = read_template(path)
    assert table.problems == []
    result = map_template(table, base=Settings().data_base)
    return result.quads, result.rows


def test_engines_agree_on_the_demo_catalogue():
    quads, rows = mapped(demo_file())
    hybrid, reference = both_engines(quads, rows)
    assert hybrid == reference
    assert len(reference) > 50  # the demo has many warnings: the comparison is not empty


def reaches_validation(content: bytes) -> bool:
    """Whether the template reader accepts the file, so that SHACL gets to see it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_bytes(content)
        return not read_template(path).problems


TEMPLATE_CASES = [
    (case, content)
    for case, name, content, *_ in BAD_INPUTS
    if name == "t.csv" and reaches_validation(content)
] + [("good", template_text(GOOD_ROWS).encode())]


@pytest.mark.parametrize(("case", "content"), TEMPLATE_CASES, ids=[c for c, _ in TEMPLATE_CASES])
def test_engines_agree_on_each_bad_template(tmp_path, case, content):
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    result = map_template(read_template(path), base=Settings().data_base)
    hybrid, reference = both_engines(result.quads, result.rows)
    assert hybrid == reference


@pytest.mark.parametrize("case", SHAPE_CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_engines_agree_on_each_shape_case(case):
    quads = [
        pyoxigraph.Quad(q.subject, q.predicate, q.object)
        for q in pyoxigraph.parse(path=case, format=pyoxigraph.RdfFormat.TURTLE)
    ]
    hybrid, reference = both_engines(quads)
    assert hybrid == reference
