"""The SHACL shapes of ``shapes/``: every case under ``cases/<shape>/`` and the conventions.

Each folder of ``cases/`` is named after one shape (its local name under ``ssh:``) and
holds ``valid-*.ttl`` and ``invalid-*.ttl`` submissions plus ``expected.toml``, which
says for each invalid file which result it must produce::

    "invalid-negative.ttl" = ["ssh:QuantityValueNonNegativeShape",
                              "sh:MinInclusiveConstraintComponent", "stream/s1#quantity"]

(shape, constraint component, focus node relative to the data base IRI). A case is
validated the way a submission is: pySHACL, no inference, warnings allowed, over the
case plus the vocabulary (here the whole merged ontology, a superset of the context
the loader extracts). A valid case produces no violation and nothing from its own
shape; an invalid case produces exactly the expected result and no other violation,
so a case cannot pass because the data fails for some other reason.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import RDF, SKOS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from catalogue.ingest.columns import NAMES
from catalogue.ingest.exchanges import NAMES as EXCHANGE_NAMES
from catalogue.namespaces import SS
from catalogue.resources import shape_files, shapes_dir
from catalogue.validation.shapes import SHAPES, shapes_graph

CASES_DIR = Path(__file__).parent / "cases"
DATA_BASE = "https://w3id.org/sidestream/data/"

MIN_CASE_FILES = 249
"""The suite may grow but never shrink silently (style.md 2.5)."""
MIN_CASE_FOLDERS = 77

TEMPLATE_QUANTITY_UNITS = frozenset(
    {
        *("t/a", "kt/a", "Mt/a", "t", "kt", "Mt"),
        *("m3/a", "Nm3/a", "MWh/a", "GWh/a", "TWh/a", "GJ/a", "TJ/a", "units/a"),
    }
)
"""The ``unit`` column's values (../shared/spec/interfaces.md section 1)."""

_CURIES = {"ssh": str(SHAPES), "sh": str(SH)}

SHAPE_TYPES = (SH.NodeShape, SH.PropertyShape)
SHAPE_MARKERS = (
    SH.path,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.sparql,
    SH.severity,
)


@dataclass(frozen=True)
class Result:
    shape: URIRef
    component: URIRef
    focus: str
    severity: URIRef


def _expand(curie: str) -> URIRef:
    prefix, _, local = curie.partition(":")
    return URIRef(_CURIES[prefix] + local)


def case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*/*.ttl"))


def case_folders() -> list[Path]:
    return sorted(path for path in CASES_DIR.iterdir() if path.is_dir())


def expected_results(folder: Path) -> dict[str, tuple[URIRef, URIRef, str]]:
    with (folder / "expected.toml").open("rb") as handle:
        table = tomllib.load(handle)
    return {
        name: (_expand(shape), _expand(component), DATA_BASE + focus)
        for name, (shape, component, focus) in table.items()
    }


def declared_shapes() -> list[URIRef]:
    """Every node of the shapes graph that is, or acts as, a shape."""
    graph = shapes_graph()
    nodes: set[object] = set()
    for shape_type in SHAPE_TYPES:
        nodes.update(graph.subjects(RDF.type, shape_type))
    for marker in SHAPE_MARKERS:
        nodes.update(graph.subjects(marker, None))
    for link in (SH.property, SH.node, SH.qualifiedValueShape):
        nodes.update(graph.objects(None, link))
    assert all(isinstance(node, URIRef) for node in nodes), [
        node for node in nodes if not isinstance(node, URIRef)
    ]
    return sorted(node for node in nodes if isinstance(node, URIRef))


def validate_case(validate: Callable[[Path], Graph], path: Path) -> list[Result]:
    report = validate(path)
    results = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        shape = report.value(result, SH.sourceShape)
        component = report.value(result, SH.sourceConstraintComponent)
        severity = report.value(result, SH.resultSeverity)
        focus = report.value(result, SH.focusNode)
        assert isinstance(shape, URIRef), f"a result from a blank-node shape: {shape}"
        assert isinstance(component, URIRef) and isinstance(severity, URIRef)
        results.append(Result(shape, component, str(focus), severity))
    return results


# ---------------------------------------------------------------------------
# the cases


@pytest.mark.parametrize(
    "path", case_files(), ids=[f"{p.parent.name}/{p.stem}" for p in case_files()]
)
def test_case(validate_with_pyshacl: Callable[[Path], Graph], path: Path) -> None:
    shape = SHAPES[path.parent.name]
    results = validate_case(validate_with_pyshacl, path)
    violations = {result for result in results if result.severity == SH.Violation}
    if path.name.startswith("valid-"):
        assert not violations, f"a valid case produced violations: {violations}"
        own = [result for result in results if result.shape == shape]
        assert not own, f"a valid case produced results of its own shape: {own}"
        return
    assert path.name.startswith("invalid-"), f"{path.name}: name cases valid-* or invalid-*"
    expected_shape, expected_component, expected_focus = expected_results(path.parent)[path.name]
    assert expected_shape == shape, f"{path}: expected.toml names another shape"
    matching = [
        result
        for result in results
        if (result.shape, result.component, result.focus)
        == (expected_shape, expected_component, expected_focus)
    ]
    assert matching, (
        f"expected {expected_shape} / {expected_component} on {expected_focus}, got {results}"
    )
    others = {
        result
        for result in violations
        if (result.shape, result.component) != (expected_shape, expected_component)
    }
    assert not others, f"an invalid case produced other violations too: {others}"


def test_case_folders_are_complete() -> None:
    shapes = set(declared_shapes())
    for folder in case_folders():
        assert SHAPES[folder.name] in shapes, f"{folder.name} is not a shape of shapes/*.ttl"
        names = {path.name for path in folder.glob("*.ttl")}
        invalid = {name for name in names if name.startswith("invalid-")}
        assert invalid, f"{folder.name} has no invalid case"
        assert names - invalid, f"{folder.name} has no valid case"
        assert set(expected_results(folder)) == invalid, (
            f"{folder.name}/expected.toml must name exactly its invalid cases"
        )


def test_every_shape_has_cases() -> None:
    folders = {SHAPES[folder.name] for folder in case_folders()}
    missing = sorted(set(declared_shapes()) - folders)
    assert not missing, f"shapes without a folder in tests/shapes/cases/: {missing}"


def test_suite_does_not_shrink() -> None:
    assert len(case_files()) >= MIN_CASE_FILES
    assert len(case_folders()) >= MIN_CASE_FOLDERS


# ---------------------------------------------------------------------------
# the conventions of shapes/*.ttl (style.md 2.3)

_JARGON = re.compile(r"https?:|\bss:|\bsh:|\bssh:|\bIRI\b|\bSHACL\b|\bnode\b|\bpredicate\b", re.I)


@pytest.mark.parametrize("shape", declared_shapes(), ids=lambda shape: shape.split("/")[-1])
def test_shape_conventions(shape: URIRef) -> None:
    graph = shapes_graph()
    assert shape.startswith(str(SHAPES)), f"{shape} is not under {SHAPES}"
    assert (shape, RDF.type, None) in graph, f"{shape} has no sh:NodeShape/sh:PropertyShape type"
    assert [*graph.objects(shape, SH.severity)] in ([SH.Violation], [SH.Warning])
    messages = [*graph.objects(shape, SH.message)]
    assert all(isinstance(message, Literal) for message in messages)
    languages = sorted(
        str(message.language) for message in messages if isinstance(message, Literal)
    )
    assert languages == ["en", "nb"], f"{shape}: one message in en and one in nb, got {languages}"
    for message in messages:
        text = str(message)
        assert text[0].isupper() and text.endswith("."), f"not a full sentence: {text}"
        assert not _JARGON.search(text), f"jargon or an IRI in a steward message: {text}"
    columns = [str(column) for column in graph.objects(shape, SS.column)]
    assert len(columns) == 1 and columns[0] in {*NAMES, *EXCHANGE_NAMES}, (
        f"{shape}: ss:column {columns}"
    )
    targets = [graph.value(shape, target) for target in SHAPE_MARKERS[1:5]]
    assert any(target is not None for target in targets), f"{shape} has no target"


def test_sparql_constraints_declare_their_prefixes() -> None:
    graph = shapes_graph()
    for constraint in graph.objects(None, SH.sparql):
        prefixes = graph.value(constraint, SH.prefixes)
        assert prefixes is not None, "a SPARQL constraint without sh:prefixes"
        select = str(graph.value(constraint, SH.select))
        declared = {
            str(graph.value(declaration, SH.prefix))
            for declaration in graph.objects(prefixes, SH.declare)
        }
        used = set(re.findall(r"\b([a-z]+):[A-Za-z]", select))
        assert used <= declared, f"undeclared prefixes {used - declared} in {select}"
        # SHACL-SPARQL pre-binding (section 5.4): no VALUES, MINUS or sub-selects.
        assert not re.search(r"\bVALUES\b|\bMINUS\b", select)
        assert select.count("SELECT") == 1


def test_no_blank_node_shapes() -> None:
    graph = shapes_graph()
    for shape_type in SHAPE_TYPES:
        assert all(isinstance(node, URIRef) for node in graph.subjects(RDF.type, shape_type))
    assert not any(isinstance(node, BNode) for node in graph.objects(None, SH.property))


# ---------------------------------------------------------------------------
# fact lists embedded in the shapes


def _in_list(shape: URIRef) -> list[object]:
    graph = shapes_graph()
    head = graph.value(shape, SH["in"])
    assert head is not None
    return list(Collection(graph, head))


def test_quantity_units_are_the_template_units(merged_graph: Graph) -> None:
    listed = set(_in_list(SHAPES.QuantityUnitShape))
    by_notation = {
        str(notation): unit
        for unit, notation in merged_graph.subject_objects(SKOS.notation)
        if (unit, SS.factorToBase, None) in merged_graph
    }
    assert by_notation.keys() >= TEMPLATE_QUANTITY_UNITS
    assert listed == {by_notation[symbol] for symbol in TEMPLATE_QUANTITY_UNITS}
    for unit in listed:
        assert (unit, SS.compatibleState, None) in merged_graph, f"{unit} has no compatible state"


def test_country_codes_are_iso_3166_alpha_2() -> None:
    codes = [str(code) for code in _in_list(SHAPES.CountryCodeShape)]
    assert len(codes) == len(set(codes)) == 249
    assert all(re.fullmatch(r"[A-Z]{2}", code) for code in codes)
    assert {"NO", "SE", "DK", "FI", "IS", "DE", "GB", "GR", "SS", "CW"} <= set(codes)
    assert not {"UK", "EL", "EU", "XK", "AN"} & set(codes)


# ---------------------------------------------------------------------------
# the loader


def test_shapes_graph_reads_every_file_once() -> None:
    assert shapes_graph() is shapes_graph()
    files = shape_files()
    assert {path.stem for path in files} >= {
        "stream",
        "quantity",
        "composition",
        "location",
        "codes",
        "organisation",
    }
    assert all(path.parent == shapes_dir() for path in files)
    assert len(declared_shapes()) >= MIN_CASE_FOLDERS
