"""SHACL validation of one submission, with no inference, against only what it references.

The data graph pySHACL sees is the submission plus the vocabulary facts about the
terms it uses (``validation/vocabulary_context.rq``), so its cost follows the size
of the submission, not of the catalogue. Results become steward-readable problems
through ``validation/report_results.rq``: the shape's ``ss:column`` names the
template column, and the focus node's stream names the row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache

import pyoxigraph
from pyoxigraph import NamedNode, Quad, RdfFormat
from rdflib import Graph

from catalogue import queries
from catalogue.namespaces import BASE
from catalogue.ontology import load_store
from catalogue.report import Problem, Severity

SH_VIOLATION = "http://www.w3.org/ns/shacl#Violation"
_VOCABULARY_PREFIXES = (BASE + "ontology/", BASE + "vocab/", "http://qudt.org/vocab/unit/")


def referenced_terms(quads: Iterable[Quad]) -> list[NamedNode]:
    """The ontology and vocabulary IRIs a submission uses as objects (types included)."""
    # distinct objects first: a submission repeats the same few thousand terms
    objects = {quad.object for quad in quads}
    terms = {
        term
        for term in objects
        if isinstance(term, NamedNode) and term.value.startswith(_VOCABULARY_PREFIXES)
    }
    return sorted(terms, key=lambda term: term.value)


def vocabulary_context(terms: list[NamedNode]) -> list[pyoxigraph.Triple]:
    if not terms:
        return []
    query = queries.bind(queries.load("validation/vocabulary_context"), {"term": terms})
    result = load_store().query(query)
    assert isinstance(result, pyoxigraph.QueryTriples)
    return list(result)


@cache
def _shapes_ntriples() -> bytes:
    from catalogue.validation.shapes import shapes_graph

    return shapes_graph().serialize(format="nt", encoding="utf-8")


def _to_rdflib(triples: Iterable[pyoxigraph.Triple | Quad]) -> Graph:
    data = pyoxigraph.serialize(
        [pyoxigraph.Triple(t.subject, t.predicate, t.object) for t in triples],
        format=RdfFormat.N_TRIPLES,
    )
    graph = Graph()
    if data:
        graph.parse(data=data, format="nt")
    return graph


def stream_of(focus: str) -> str:
    """The stream IRI a focus node belongs to: fragments (#quantity, #component-2) drop off."""
    return focus.split("#", 1)[0]


def validate_quads(
    quads: list[Quad],
    *,
    file: str | None = None,
    rows: Mapping[str, int] | None = None,
    engine: str = "hybrid",
) -> list[Problem]:
    """Validate one submission's quads; each result becomes a problem naming row and column.

    ``rows`` maps stream IRIs to their template row (absent for RDF input, where the
    problem names the focus node instead). ``engine="hybrid"`` runs the SPARQL-based
    constraints set-based on pyoxigraph (``sparql_constraints``) and the rest with
    pySHACL; ``engine="pyshacl"`` gives pySHACL everything, as the reference.
    """
    import pyshacl  # heavy: imported on first validation

    from catalogue.validation.shapes import shapes_graph
    from catalogue.validation.sparql_constraints import evaluate, split_shapes

    context = vocabulary_context(referenced_terms(quads))
    rows = rows or {}
    problems: list[Problem] = []
    if engine == "hybrid":
        from catalogue.validation import core_constraints

        core_shapes, compiled = core_constraints.split_core()
        _, constraints = split_shapes()
        store = pyoxigraph.Store()
        # the mapped quads are in the default graph already: only the context needs wrapping
        store.bulk_extend(
            q if isinstance(q.graph_name, pyoxigraph.DefaultGraph) else Quad(*q.triple)
            for q in quads
        )
        store.bulk_extend(Quad(t.subject, t.predicate, t.object) for t in context)
        for shape, core in core_constraints.evaluate(store, compiled):
            problems.append(
                _problem(
                    focus=core.focus,
                    value=core.value,
                    severity=shape.severity,
                    shape=shape.shape,
                    messages=dict(shape.messages),
                    column=shape.column,
                    file=file,
                    rows=rows,
                )
            )
        for result in evaluate(store, constraints):
            problems.append(
                _problem(
                    focus=result.focus,
                    value=result.value,
                    severity=result.constraint.severity,
                    shape=result.constraint.shape,
                    messages=dict(result.constraint.messages),
                    column=result.constraint.column,
                    file=file,
                    rows=rows,
                )
            )
        if not core_constraints.pyshacl_needed():
            # every shape ran here: pySHACL (and rdflib parsing the submission) has no work
            return problems
    elif engine == "pyshacl":
        core_shapes = shapes_graph()
    else:
        raise ValueError(f"unknown validation engine {engine!r}")
    _, results, _ = pyshacl.validate(
        _to_rdflib([*quads, *context]),
        shacl_graph=core_shapes,
        inference="none",
        allow_warnings=True,
        abort_on_first=False,
    )
    report_store = pyoxigraph.Store()
    report_store.load(results.serialize(format="nt", encoding="utf-8"), format=RdfFormat.N_TRIPLES)
    report_store.load(_shapes_ntriples(), format=RdfFormat.N_TRIPLES)
    return problems + problems_from_report(report_store, file=file, rows=rows)


def _problem(
    *,
    focus: str,
    value: str | None,
    severity: str,
    shape: str,
    messages: dict[str, str],
    column: str | None,
    file: str | None,
    rows: Mapping[str, int],
) -> Problem:
    if "en" not in messages:
        messages["en"] = f"{shape} is not satisfied"
    row = rows.get(stream_of(focus))
    if row is None:  # RDF input: name the node, there is no row to point at
        messages = {lang: f"{text} ({focus})" for lang, text in messages.items()}
    return Problem(
        severity=Severity.VIOLATION if severity == SH_VIOLATION else Severity.WARNING,
        message=messages,
        rule=shape,
        file=file,
        row=row,
        column=column,
        # SPARQL-based constraints report the focus node as the value: not a cell value
        value=value if value is not None and value != focus else None,
        focus=focus,
    )


def problems_from_report(
    report: pyoxigraph.Store, *, file: str | None, rows: Mapping[str, int]
) -> list[Problem]:
    """One problem per SHACL result, messages gathered by language."""
    collected: dict[str, dict[str, object]] = {}
    for row in report.query(queries.bind(queries.load("validation/report_results"))):
        entry = collected.setdefault(
            str(row["result"]),
            {
                "focus": row["focus"].value,
                "value": row["value"].value if row["value"] is not None else None,
                "severity": row["severity"].value,
                "shape": row["shape"].value,
                "column": row["column"].value if row["column"] is not None else None,
                "messages": {},
            },
        )
        # Untagged messages are skipped: pySHACL strips the tags of SPARQL-constraint
        # messages, and the shape's own tagged ones say the same.
        for name in ("message", "shapeMessage"):
            message = row[name]
            if isinstance(message, pyoxigraph.Literal) and message.language:
                messages = entry["messages"]
                messages.setdefault(message.language, message.value)  # type: ignore[union-attr]
    return [
        _problem(
            focus=str(entry["focus"]),
            value=entry["value"] if isinstance(entry["value"], str) else None,
            severity=str(entry["severity"]),
            shape=str(entry["shape"]),
            messages=dict(entry["messages"]),  # type: ignore[call-overload]
            column=entry["column"] if isinstance(entry["column"], str) else None,
            file=file,
            rows=rows,
        )
        for entry in collected.values()
    ]
