"""SHACL core constraints evaluated once per submission, on pyoxigraph, with pySHACL's results.

pySHACL walks every focus node and value node in Python over an rdflib graph that
must first be parsed from the submission (at 10,000 streams: 45 s of a 78 s load).
Here each property shape our shapes use becomes a few SPARQL queries run over all
its focus nodes at once (targets as in ``sparql_constraints``, the path as a SPARQL
property path), and they return only *suspect* value nodes: those that are not
certainly conforming by a test that cannot disagree with pySHACL (a literal of the
right datatype with a plain lexical form, a numeric value inside the bound). The
few suspects are then judged in Python with pySHACL's own rules and comparisons,
on rdflib terms, so results (focus, value, shape, severity, messages) are the same
as pySHACL's, including its quirks (string against number, ill-typed literals).

A shape that uses anything else (``sh:node``, ``sh:or``, nested ``sh:property``,
``sh:minCount`` above 1, ...) is not compiled and stays with pySHACL; the
differential tests (tests/catalogue/test_validation_engines.py, tests/shapes)
compare both engines case by case.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache

import pyoxigraph
import rdflib
from rdflib import OWL, RDF, RDFS, XSD, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from catalogue.namespaces import SS
from catalogue.validation.sparql_constraints import UnsupportedConstraint, _target_pattern

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_PLAIN_LEXICAL = {
    # Lexical forms rdflib reads as well-typed values of the datatype, so a literal
    # written this way passes pySHACL's sh:datatype; anything else is checked in Python.
    str(XSD.decimal): r"^[+-]?[0-9]+([.][0-9]+)?$",
    str(XSD.integer): r"^[+-]?[0-9]+$",
    str(XSD.boolean): r"^(true|false)$",
}
_NUMERIC = (str(XSD.integer), str(XSD.decimal))
_NUMBER_PATTERN = r"^[+-]?[0-9]+([.][0-9]+)?$"
_NUMERIC_BOUND = re.compile(_NUMBER_PATTERN)

_SHAPE_KEYS = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.path,
    SH.severity,
    SH.message,
    SH.name,
    SH.description,
    SH.targetClass,
    SH.targetObjectsOf,
    SH.targetSubjectsOf,
    SH.targetNode,
    URIRef(SS.column),
}
_COMPONENTS = {
    SH.minCount,
    SH.maxCount,
    SH["class"],
    SH.datatype,
    SH.minInclusive,
    SH.maxInclusive,
    SH.lessThanOrEquals,
    SH.pattern,
    SH["in"],
    SH.uniqueLang,
}


Check = Callable[[pyoxigraph.Store], list[tuple[str, str | None]]]
"""One constraint of one shape: (focus node, reported value) for each result."""


FOCUS_GRAPH = "urn:sidestream:validation:focus"
"""Where each shape's focus nodes are written once before its checks run: most shapes
share a handful of targets, and pyoxigraph would otherwise evaluate the target
pattern (``rdf:type/rdfs:subClassOf*``, a DISTINCT over a union) again in every
query. The constraints query the default graph, so they never see this one."""


def focus_predicate(targets: str) -> str:
    digest = hashlib.sha256(targets.encode()).hexdigest()[:16]
    return f"urn:sidestream:validation:focus:{digest}"


@dataclass(frozen=True)
class CoreResult:
    """One validation result, as pySHACL's report would give it."""

    shape: str
    focus: str
    value: str | None


@dataclass(frozen=True)
class CoreShape:
    shape: str
    severity: str
    messages: dict[str, str]
    column: str | None
    checks: tuple[Check, ...] = field(default=())
    targets: str = ""
    """The focus nodes' pattern (``sparql_constraints._target_pattern``)."""

    def evaluate(self, data: pyoxigraph.Store) -> list[CoreResult]:
        return [
            CoreResult(self.shape, focus, value)
            for check in self.checks
            for focus, value in check(data)
        ]


Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal


def to_rdflib(term: Term) -> rdflib.term.Node:
    """The term as pySHACL sees it after rdflib parsed the submission's N-Triples."""
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=URIRef(term.datatype.value))


def _as_written(term: Term) -> bool:
    """Whether pySHACL reads this term's text exactly as written: IRIs, plain and
    language-tagged strings (rdflib normalises nothing about them)."""
    if isinstance(term, pyoxigraph.NamedNode):
        return True
    return isinstance(term, pyoxigraph.Literal) and (
        bool(term.language) or term.datatype.value == _XSD_STRING
    )


def _from_rdflib(node: rdflib.term.Node) -> Term | None:
    if isinstance(node, URIRef):
        return pyoxigraph.NamedNode(str(node))
    if isinstance(node, rdflib.Literal):
        if node.language:
            return pyoxigraph.Literal(str(node), language=node.language)
        datatype = pyoxigraph.NamedNode(str(node.datatype or _XSD_STRING))
        return pyoxigraph.Literal(str(node), datatype=datatype)
    return None


def reported(node: rdflib.term.Node) -> str:
    """The value as pySHACL's report gives it: rdflib normalises well-typed lexical forms,
    and the report's N-Triples read back by pyoxigraph may normalise them again
    (``"1450"^^xsd:double`` comes back as ``1450``, not rdflib's ``1450.0``)."""
    if not isinstance(node, rdflib.Literal):
        return str(node)
    store = pyoxigraph.Store()  # the store, not the parser, stores numbers by value
    line = f"<urn:s> <urn:p> {node.n3()} .\n".encode()
    store.load(line, format=pyoxigraph.RdfFormat.N_TRIPLES)
    (quad,) = store
    return quad.object.value


def _reported(term: Term) -> str:
    return reported(to_rdflib(term))


def sparql_path(shapes: Graph, path: rdflib.term.Node) -> str:
    if isinstance(path, URIRef):
        return f"<{path}>"
    if (path, RDF.first, None) in shapes:
        steps = [sparql_path(shapes, step) for step in Collection(shapes, path)]
        return "(" + "/".join(steps) + ")"
    for predicate, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = shapes.value(path, predicate)
        if inner is not None:
            return "(" + template.format(sparql_path(shapes, inner)) + ")"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        steps = [sparql_path(shapes, a) for a in Collection(shapes, alternatives)]
        return "(" + "|".join(steps) + ")"
    raise UnsupportedConstraint(f"path {path} is not one this evaluator understands")


def path_pattern(shapes: Graph, path: rdflib.term.Node, subject: str, value: str) -> str:
    """Triple patterns from ``subject`` to ``value`` along ``path``.

    A sequence becomes a chain of patterns through fresh variables rather than a
    property path, which pyoxigraph's join ordering handles better.
    """
    if (path, RDF.first, None) in shapes:
        steps = list(Collection(shapes, path))
        nodes = [subject] + [f"{value}Step{i}" for i in range(1, len(steps))] + [value]
        return " ".join(
            path_pattern(shapes, step, nodes[i], nodes[i + 1]) for i, step in enumerate(steps)
        )
    return f"{subject} {sparql_path(shapes, path)} {value} ."


def _rows(data: pyoxigraph.Store, query: str) -> Iterable[pyoxigraph.QuerySolution]:
    solutions = data.query(query)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    return solutions


def _single(shapes: Graph, shape: URIRef, predicate: URIRef) -> rdflib.term.Node:
    values = list(shapes.objects(shape, predicate))
    if len(values) != 1:
        raise UnsupportedConstraint(f"{shape}: {predicate} given {len(values)} times")
    return values[0]


def _count(shapes: Graph, shape: URIRef, predicate: URIRef) -> int:
    value = _single(shapes, shape, predicate)
    if not isinstance(value, rdflib.Literal) or not isinstance(value.value, int):
        raise UnsupportedConstraint(f"{shape}: {predicate} is not an integer")
    return int(value.value)


class _Builder:
    """The checks of one property shape; every query starts from its focus nodes."""

    def __init__(self, shapes: Graph, shape: URIRef) -> None:
        self.shapes = shapes
        self.shape = shape
        self.targets = _target_pattern(shapes, shape)
        self.focus = f"GRAPH <{FOCUS_GRAPH}> {{ ?this <{focus_predicate(self.targets)}> true }}"
        self.path = path_pattern(shapes, _single(shapes, shape, SH.path), "?this", "?value")
        self.values = f"{self.focus} {self.path}"

    def min_count(self) -> Check:
        count = _count(self.shapes, self.shape, SH.minCount)
        if count == 0:
            return lambda _: []
        if count > 1:
            # rdflib merges literals with equal normalised forms: counts above one could differ
            raise UnsupportedConstraint(f"{self.shape}: sh:minCount above 1")
        # MINUS, not FILTER NOT EXISTS: pyoxigraph runs the latter once per focus node
        # (0.7 s against 2 ms for 1,000 streams); the focus group binds only ?this, so
        # both remove the same focus nodes.
        query = f"SELECT ?this WHERE {{ {self.focus} MINUS {{ {self.path} }} }}"

        def check(data: pyoxigraph.Store) -> list[tuple[str, str | None]]:
            return [(row["this"].value, None) for row in _rows(data, query)]

        return check

    def max_count(self) -> Check:
        count = _count(self.shapes, self.shape, SH.maxCount)
        query = (
            f"SELECT ?this ?value WHERE {{ {{ SELECT ?this WHERE {{ {self.values} }} "
            f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {count}) }} {self.path} }}"
        )

        def check(data: pyoxigraph.Store) -> list[tuple[str, str | None]]:
            # Count again as pySHACL does, over rdflib's normalised terms.
            found: dict[str, set[rdflib.term.Node]] = {}
            for row in _rows(data, query):
                found.setdefault(row["this"].value, set()).add(to_rdflib(row["value"]))
            return [(focus, None) for focus, values in found.items() if len(values) > count]

        return check

    def class_(self) -> Check:
        classes = list(self.shapes.objects(self.shape, SH["class"]))
        # MINUS rather than FILTER NOT EXISTS (which pyoxigraph runs once per row): the
        # removed pattern shares only ?value with the rows, so both keep the same rows.
        if not all(isinstance(c, URIRef) for c in classes):
            raise UnsupportedConstraint(f"{self.shape}: sh:class is not an IRI")
        queries = [
            f"SELECT DISTINCT ?this ?value WHERE {{ {self.values} MINUS {{ ?value "
            f"<{RDF.type}>/<{RDFS.subClassOf}>* <{c}> }} }}"
            for c in classes
        ]

        def check(data: pyoxigraph.Store) -> list[tuple[str, str | None]]:
            return [
                (row["this"].value, _reported(row["value"]))
                for query in queries
                for row in _rows(data, query)
            ]

        return check

    def suspects(self, condition: str, judge: Callable[[rdflib.term.Node], bool]) -> Check:
        """Value nodes failing ``condition`` (errors count as failing), judged by ``judge``."""
        query = (
            f"SELECT DISTINCT ?this ?value WHERE {{ {self.values} "
            f"FILTER(!COALESCE({condition}, false)) }}"
        )

        def check(data: pyoxigraph.Store) -> list[tuple[str, str | None]]:
            results = []
            for row in _rows(data, query):
                value = to_rdflib(row["value"])
                if not judge(value):
                    results.append((row["this"].value, reported(value)))
            return results

        return check

    def datatype(self) -> Check:
        from pyshacl.constraints.core.value_constraints import DatatypeConstraintComponent

        rule = _single(self.shapes, self.shape, SH.datatype)
        if not isinstance(rule, URIRef) or rule in (RDFS.Literal, RDFS.Datatype, RDF.langString):
            raise UnsupportedConstraint(f"{self.shape}: sh:datatype {rule}")
        plain = _PLAIN_LEXICAL.get(str(rule))
        condition = f"isLiteral(?value) && datatype(?value) = <{rule}>"
        if plain is not None:
            condition += f' && REGEX(STR(?value), "{plain}")'
        elif str(rule).startswith((str(XSD), str(RDF))):
            # rdflib knows these and may find a literal ill-typed: not certain from SPARQL
            raise UnsupportedConstraint(f"{self.shape}: sh:datatype {rule}")

        def judge(value: rdflib.term.Node) -> bool:
            # pySHACL's DatatypeConstraintComponent.evaluate for one value node
            if not isinstance(value, rdflib.Literal):
                return False
            if value.datatype == rule:
                if getattr(value, "ill_typed", None) is True:
                    return False
                return bool(DatatypeConstraintComponent._assert_actual_datatype(None, value, rule))  # type: ignore[arg-type]
            if value.datatype is None and value.language is None and rule == XSD.string:
                return bool(DatatypeConstraintComponent._assert_actual_datatype(None, value, rule))  # type: ignore[arg-type]
            return False

        return self.suspects(condition, judge)

    def bound(self, predicate: URIRef) -> Check:
        from pyshacl.rdfutil.compare import compare_literal

        bound = _single(self.shapes, self.shape, predicate)
        if (
            not isinstance(bound, rdflib.Literal)
            or str(bound.datatype) not in _NUMERIC
            or not _NUMERIC_BOUND.match(str(bound))
        ):
            raise UnsupportedConstraint(f"{self.shape}: {predicate} is not a plain number")
        inclusive_min = predicate == SH.minInclusive
        operator = ">=" if inclusive_min else "<="
        condition = (
            f"isLiteral(?value) && datatype(?value) IN (<{XSD.integer}>, <{XSD.decimal}>) "
            f'&& REGEX(STR(?value), "{_NUMBER_PATTERN}") && ?value {operator} {bound}'
        )
        bound_is_string = isinstance(bound.value, str)

        def judge(value: rdflib.term.Node) -> bool:
            # pySHACL's _evaluate_min_rule / _evaluate_max_rule for one value node
            if not isinstance(value, rdflib.Literal):
                return False
            if isinstance(value.value, str) != bound_is_string:
                return False
            try:
                order = compare_literal(value, bound)
            except (TypeError, NotImplementedError):
                return False
            return order >= 0 if inclusive_min else order <= 0

        return self.suspects(condition, judge)

    def less_than_or_equals(self) -> Check:
        from pyshacl.errors import ReportableRuntimeError

        others = list(self.shapes.objects(self.shape, SH.lessThanOrEquals))
        if not all(isinstance(o, URIRef) for o in others):
            raise UnsupportedConstraint(f"{self.shape}: sh:lessThanOrEquals is not an IRI")
        plain = (
            f"isLiteral(?{{0}}) && datatype(?{{0}}) IN (<{XSD.integer}>, <{XSD.decimal}>) "
            f'&& REGEX(STR(?{{0}}), "{_NUMBER_PATTERN}")'
        )
        fine = f"{plain.format('value')} && {plain.format('other')} && ?value <= ?other"
        queries = [
            f"SELECT ?this ?value ?other WHERE {{ {self.values} ?this <{o}> ?other . "
            f"FILTER(!COALESCE({fine}, false)) }}"
            for o in others
        ]

        def comparable(node: rdflib.term.Node) -> tuple[object, bool]:
            if isinstance(node, rdflib.BNode):
                raise ReportableRuntimeError(
                    "Cannot use sh:lessThanOrEquals to compare a BlankNode."
                )
            if isinstance(node, URIRef):
                return str(node), True
            if isinstance(node, rdflib.Literal) and isinstance(node.value, str):
                return node.value, True
            return node, False

        def check(data: pyoxigraph.Store) -> list[tuple[str, str | None]]:
            # pySHACL's _compare_ltoe: one result per (value, other) pair that fails
            results: list[tuple[str, str | None]] = []
            for query in queries:
                pairs: dict[tuple[str, rdflib.term.Node], set[rdflib.term.Node]] = {}
                for row in _rows(data, query):
                    key = (row["this"].value, to_rdflib(row["value"]))
                    pairs.setdefault(key, set()).add(to_rdflib(row["other"]))
                for (focus, value), others_found in pairs.items():
                    left, left_is_string = comparable(value)
                    for other in others_found:
                        right, right_is_string = comparable(other)
                        if left_is_string != right_is_string or not left <= right:  # type: ignore[operator]
                            results.append((focus, reported(value)))
            return results

        return check

    def pattern(self) -> Check:
        from pyshacl.constraints.core.string_based_constraints import PatternConstraintComponent

        if (self.shape, SH.flags, None) in self.shapes:
            raise UnsupportedConstraint(f"{self.shape}: sh:flags")
        matchers = [re.compile(str(p)) for p in self.shapes.objects(self.shape, SH.pattern)]
        query = f"SELECT DISTINCT ?this ?value WHERE {{ {self.values} }}"

        def check(data: pyoxigraph.Store) -> list[tuple[str, str | None]]:
            results: list[tuple[str, str | None]] = []
            for row in _rows(data, query):
                term = row["value"]
                if _as_written(term):
                    text: str | None = term.value
                else:
                    value = to_rdflib(term)
                    text = (
                        None
                        if isinstance(value, rdflib.BNode)
                        else PatternConstraintComponent.value_node_to_string(value)
                    )
                for matcher in matchers:
                    if text is None or not (matcher.match(text) or matcher.search(text)):
                        results.append((row["this"].value, _reported(term)))
            return results

        return check

    def in_(self) -> Check:
        members = _single(self.shapes, self.shape, SH["in"])
        allowed = set(Collection(self.shapes, members))  # type: ignore[arg-type]
        # The same members as pyoxigraph terms: a value equal to one of them is equal in
        # rdflib too, so only the others need converting.
        allowed_terms = {_from_rdflib(member) for member in allowed}
        query = f"SELECT DISTINCT ?this ?value WHERE {{ {self.values} }}"

        def check(data: pyoxigraph.Store) -> list[tuple[str, str | None]]:
            results: list[tuple[str, str | None]] = []
            for row in _rows(data, query):
                term = row["value"]
                if term in allowed_terms:
                    continue
                value = to_rdflib(term)
                if value not in allowed:
                    results.append((row["this"].value, reported(value)))
            return results

        return check

    def unique_lang(self) -> Check:
        flag = _single(self.shapes, self.shape, SH.uniqueLang)
        if not isinstance(flag, rdflib.Literal) or flag.value is not True:
            return lambda _: []
        query = (
            f"SELECT ?this ?lang WHERE {{ {self.values} "
            'FILTER(isLiteral(?value) && LANG(?value) != "") } '
            "GROUP BY ?this (LCASE(LANG(?value)) AS ?lang) HAVING (COUNT(DISTINCT ?value) > 1)"
        )

        def check(data: pyoxigraph.Store) -> list[tuple[str, str | None]]:
            # one result per focus node and duplicated language, without a value
            return [(row["this"].value, None) for row in _rows(data, query)]

        return check


def compile_shape(shapes: Graph, shape: URIRef) -> CoreShape:
    """The checks of one property shape, or ``UnsupportedConstraint`` if pySHACL must keep it."""
    predicates = set(shapes.predicates(shape, None))
    if SH.path not in predicates:
        raise UnsupportedConstraint(f"{shape} is not a property shape")
    unknown = predicates - _SHAPE_KEYS - _COMPONENTS
    if unknown:
        raise UnsupportedConstraint(f"{shape} uses {sorted(unknown)}")
    if set(shapes.objects(shape, RDF.type)) - {SH.PropertyShape}:
        raise UnsupportedConstraint(f"{shape} is also a class or a node shape")
    if (shape, SH.deactivated, None) in shapes:
        raise UnsupportedConstraint(f"{shape} is deactivated")
    builder = _Builder(shapes, shape)
    makers: dict[URIRef, Callable[[], Check]] = {
        SH.minCount: builder.min_count,
        SH.maxCount: builder.max_count,
        SH["class"]: builder.class_,
        SH.datatype: builder.datatype,
        SH.minInclusive: lambda: builder.bound(SH.minInclusive),
        SH.maxInclusive: lambda: builder.bound(SH.maxInclusive),
        SH.lessThanOrEquals: builder.less_than_or_equals,
        SH.pattern: builder.pattern,
        SH["in"]: builder.in_,
        SH.uniqueLang: builder.unique_lang,
    }
    checks = tuple(makers[p]() for p in sorted(predicates & _COMPONENTS))
    messages = {
        message.language or "en": str(message)
        for message in shapes.objects(shape, SH.message)
        if isinstance(message, rdflib.Literal) and message.language
    }
    severity = shapes.value(shape, SH.severity)
    column = shapes.value(shape, URIRef(SS.column))
    return CoreShape(
        shape=str(shape),
        severity=str(severity or SH.Violation),
        messages=messages,
        column=str(column) if column is not None else None,
        checks=checks,
        targets=builder.targets,
    )


@cache
def split_core() -> tuple[Graph, tuple[CoreShape, ...]]:
    """The shapes left for pySHACL (neither SHACL-SPARQL nor compiled here), and ours."""
    from catalogue.validation.sparql_constraints import split_shapes

    shapes, _ = split_shapes()
    rest = Graph()
    for triple in shapes:
        rest.add(triple)
    compiled = []
    for shape in sorted(set(shapes.subjects(SH.path, None))):
        if not isinstance(shape, URIRef):
            continue
        if (None, None, shape) in shapes:
            continue  # referenced from another shape (sh:property, sh:node): pySHACL keeps it
        try:
            compiled.append(compile_shape(shapes, shape))
        except UnsupportedConstraint:
            continue
        rest.remove((shape, None, None))
    return rest, tuple(compiled)


@cache
def pyshacl_needed() -> bool:
    """Whether any shape left for pySHACL still has a constraint: node shapes whose only
    constraints were SHACL-SPARQL keep their targets but can produce no result."""
    shapes, _ = split_core()
    for subject in set(shapes.subjects()):
        predicates = set(shapes.predicates(subject, None))
        targeted = predicates & {
            SH.targetClass,
            SH.targetNode,
            SH.targetObjectsOf,
            SH.targetSubjectsOf,
        }
        if targeted and predicates - _SHAPE_KEYS:
            return True
        is_class = (subject, RDF.type, RDFS.Class) in shapes or (
            subject,
            RDF.type,
            OWL.Class,
        ) in shapes
        if is_class and predicates - _SHAPE_KEYS - {RDFS.subClassOf}:
            return True
    return False


def evaluate(
    data: pyoxigraph.Store, shapes: Iterable[CoreShape]
) -> list[tuple[CoreShape, CoreResult]]:
    """Every result of ``shapes`` over ``data`` (a store holding one submission and its
    vocabulary context in the default graph; the focus graph is added to it)."""
    shapes = list(shapes)
    for targets in sorted({shape.targets for shape in shapes}):
        data.update(
            f"INSERT {{ GRAPH <{FOCUS_GRAPH}> {{ ?this <{focus_predicate(targets)}> true }} }} "
            f"WHERE {{ {targets} }}"
        )
    return [(shape, result) for shape in shapes for result in shape.evaluate(data)]
