"""SHACL-SPARQL constraints evaluated once per submission, on pyoxigraph.

pySHACL parses and runs a SPARQL-based constraint once per focus node (661 parses
for the 75-row demo catalogue, 12 of its 13 seconds). Here each constraint runs
once over all its focus nodes: the shape's targets become a graph pattern joined
at the start of the query's outermost WHERE group, with ``$this`` as the variable
``?this``. For constraints whose ``$this`` is bound by that outer group (all of
ours: none nests it in a sub-select or uses ``$PATH``), this gives the same
results as pre-binding; ``tests/shapes`` checks it against pySHACL case by case.
The other constraints stay with pySHACL, which gets the shapes without ``sh:sparql``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import pyoxigraph
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from catalogue.namespaces import SS

_COMMENT = re.compile(r"(?:(?<=\s)|^)#[^\n]*", re.MULTILINE)
_OUTER_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_UNSUPPORTED = ("$PATH", "$value", "$currentShape", "$shapesGraph")


class UnsupportedConstraint(ValueError):
    """A constraint this evaluator cannot run set-based; pySHACL must keep it."""


@dataclass(frozen=True)
class SparqlConstraint:
    shape: str
    query: str
    severity: str
    messages: dict[str, str]
    column: str | None


def _prefix_lines(shapes: Graph, constraint: URIRef) -> str:
    lines = []
    for prefixes in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(prefixes, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines)))


def _target_pattern(shapes: Graph, shape: URIRef) -> str:
    alternatives = [
        f"?this <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/"
        f"<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{target}> ."
        for target in shapes.objects(shape, SH.targetClass)
    ]
    alternatives += [
        f"?this <{predicate}> ?sidestreamTargetObject ."
        for predicate in shapes.objects(shape, SH.targetSubjectsOf)
    ]
    alternatives += [
        f"?sidestreamTargetSubject <{predicate}> ?this ."
        for predicate in shapes.objects(shape, SH.targetObjectsOf)
    ]
    alternatives += [
        f"VALUES ?this {{ <{node}> }}" for node in shapes.objects(shape, SH.targetNode)
    ]
    if not alternatives:
        raise UnsupportedConstraint(f"{shape} has no target this evaluator understands")
    union = " UNION ".join(f"{{ {pattern} }}" for pattern in alternatives)
    # Distinct: a node reached by two targets is one focus node, and aggregates such as
    # SUM over its components must not see it twice.
    return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"


def compile_constraint(shapes: Graph, shape: URIRef, constraint: URIRef) -> SparqlConstraint:
    select = shapes.value(constraint, SH.select)
    if select is None:
        raise UnsupportedConstraint(f"{shape}: only sh:select constraints are evaluated here")
    text = str(select)
    if any(token in text for token in _UNSUPPORTED):
        raise UnsupportedConstraint(f"{shape}: uses a pre-bound variable other than $this")
    body = text.replace("$this", "?this")
    masked = _COMMENT.sub(lambda m: " " * len(m.group()), body)
    where = _OUTER_WHERE.search(masked)
    if where is None:
        raise UnsupportedConstraint(f"{shape}: the query has no explicit WHERE group")
    targets = _target_pattern(shapes, shape)
    query = (
        _prefix_lines(shapes, constraint)
        + "\n"
        + body[: where.end()]
        + f"\n  {targets}\n"
        + body[where.end() :]
    )
    messages = {
        message.language or "en": str(message)
        for source in (constraint, shape)
        for message in shapes.objects(source, SH.message)
        if isinstance(message, Literal)
    }
    severity = shapes.value(constraint, SH.severity) or shapes.value(shape, SH.severity)
    column = shapes.value(shape, URIRef(SS.column))
    return SparqlConstraint(
        shape=str(shape),
        query=query,
        severity=str(severity or SH.Violation),
        messages=messages,
        column=str(column) if column is not None else None,
    )


@cache
def split_shapes() -> tuple[Graph, tuple[SparqlConstraint, ...]]:
    """The shapes for pySHACL (without the constraints run here) and the compiled ones."""
    from catalogue.validation.shapes import shapes_graph

    shapes = shapes_graph()
    core = Graph()
    for triple in shapes:
        core.add(triple)
    compiled = []
    for shape, constraint in shapes.subject_objects(SH.sparql):
        assert isinstance(shape, URIRef) and isinstance(constraint, URIRef | object)
        try:
            compiled.append(compile_constraint(shapes, shape, constraint))  # type: ignore[arg-type]
        except UnsupportedConstraint:
            continue  # pySHACL keeps it
        core.remove((shape, SH.sparql, constraint))
        for triple in list(core.triples((constraint, None, None))):
            core.remove(triple)
    return core, tuple(sorted(compiled, key=lambda c: c.shape))


@dataclass(frozen=True)
class SparqlResult:
    constraint: SparqlConstraint
    focus: str
    value: str | None


def evaluate(data: pyoxigraph.Store, constraints: Iterable[SparqlConstraint]) -> list[SparqlResult]:
    """Every (constraint, focus node, value) the constraints' queries return over ``data``."""
    results: dict[tuple[str, str, str | None], SparqlResult] = {}
    for constraint in constraints:
        solutions = data.query(constraint.query)
        assert isinstance(solutions, pyoxigraph.QuerySolutions)
        names = {variable.value for variable in solutions.variables}
        for row in solutions:
            focus = row["this"]
            if focus is None:
                continue
            value = row["value"] if "value" in names else None
            key = (constraint.shape, focus.value, value.value if value is not None else None)
            results.setdefault(key, SparqlResult(constraint, focus.value, key[2]))
    return list(results.values())
