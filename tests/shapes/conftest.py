"""Fixtures of the shape tests: how pySHACL validates one case."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph

from catalogue.validation.shapes import shapes_graph


@pytest.fixture(scope="session")
def validate_with_pyshacl(merged_graph: Graph) -> Iterator[Callable[[Path], Graph]]:
    """Validate one case plus the merged ontology as a submission is validated.

    pySHACL with no inference and warnings allowed; returns the report graph. The
    ontology is copied once and each case is added to the copy and removed again,
    which is much faster than copying 30 000 triples per case. Reports are kept per
    case for the session (read-only by convention), so the engine comparison in
    test_topbraid.py reuses the ones test_shapes.py made.
    """
    base = Graph()
    base += merged_graph
    reports: dict[Path, Graph] = {}

    def validate(path: Path) -> Graph:
        if path in reports:
            return reports[path]
        case = Graph().parse(path, format="turtle")
        added = [triple for triple in case if triple not in base]
        for triple in added:
            base.add(triple)
        try:
            _, report, _ = pyshacl.validate(
                base, shacl_graph=shapes_graph(), inference="none", allow_warnings=True
            )
        finally:
            for triple in added:
                base.remove(triple)
        assert isinstance(report, Graph)
        reports[path] = report
        return report

    yield validate
