"""Inferences materialised once, when a submission is loaded (docs/data-model.md).

Queries then read plain triples: a resource node carries every superclass of its
material as ``rdf:type``; a stream names the elements (``ss:containsElement``) and
the listed raw materials (``ss:containsListedRawMaterial``) its composition implies.

For element-first matching each supply also carries, per element it contains, one
recoverable-mass estimate ``<stream>#recoverable-SYMBOL`` (``ss:hasRecoverableEstimate``)
with ``ss:recoverableElement``, ``ss:recoverableMass`` (quantity in its base unit times
the summed mass fractions of the element's components, as
:mod:`catalogue.matching.recoverable` computes it; 0 when unknown),
``ss:recoverableMassKnown`` (1 or 0) and ``ss:flowOrder`` (0 for a flow, 1 otherwise):
the ranking keys of ``match/crm_ranking.rq``, so a match sorts and cuts to ``top`` in
SPARQL instead of reading every candidate. Each element, element group and listed raw
material also lists its first ``LEADING`` holders in the graph (``ss:leadingHolding``,
each with ``ss:holder`` and one sortable ``ss:rankKey``), which ``match/crm_leading.rq``
reads instead of every holder when ``top`` is small. Each stream also gets its quality
assessment (:class:`catalogue.quality.Assessor`). All of it goes in the same
inferred graph as the rest, so it is exactly as visible as the supply it describes.
The ontology is read once per process into four small maps.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import cache
from typing import TYPE_CHECKING

from pyoxigraph import Literal, NamedNode, Quad

from catalogue import queries
from catalogue.namespaces import RDF_TYPE, SS
from catalogue.ontology import load_store
from catalogue.quality import Assessor

if TYPE_CHECKING:
    from catalogue.matching.recoverable import QuantityEstimate

HAS_RESOURCE = NamedNode(SS.hasResource)
HAS_COMPOSITION = NamedNode(SS.hasComposition)
HAS_COMPONENT = NamedNode(SS.hasComponent)
ELEMENT = NamedNode(SS.element)
CONTAINS_ELEMENT = NamedNode(SS.containsElement)
CONTAINS_LISTED = NamedNode(SS.containsListedRawMaterial)
TYPE = NamedNode(RDF_TYPE)
SUPPLY = NamedNode(SS.Supply)
HAS_QUANTITY = NamedNode(SS.hasQuantity)
NUMERIC_VALUE = NamedNode(SS.numericValue)
MINIMUM_VALUE = NamedNode(SS.minimumValue)
MAXIMUM_VALUE = NamedNode(SS.maximumValue)
UNIT = NamedNode(SS.unit)
BASIS = NamedNode(SS.basis)
MASS_FRACTION = NamedNode(SS.massFraction)
MINIMUM_MASS_FRACTION = NamedNode(SS.minimumMassFraction)
MAXIMUM_MASS_FRACTION = NamedNode(SS.maximumMassFraction)
HAS_ESTIMATE = NamedNode(SS.hasRecoverableEstimate)
ESTIMATE_ELEMENT = NamedNode(SS.recoverableElement)
ESTIMATE_MASS = NamedNode(SS.recoverableMass)
ESTIMATE_KNOWN = NamedNode(SS.recoverableMassKnown)
FLOW_ORDER = NamedNode(SS.flowOrder)
LEADING_HOLDING = NamedNode(SS.leadingHolding)
HOLDER = NamedNode(SS.holder)
RANK_KEY = NamedNode(SS.rankKey)
KEY_STEP = Decimal(10) ** 15
"""Rank keys: known flows below 0 (minus the mass), known stocks from 1e15, unknown flows
2e15, unknown stocks 3e15; no recoverable mass comes near 1e15 t."""
IDENTIFIER = NamedNode("http://purl.org/dc/terms/identifier")
HAS_GEOMETRY = NamedNode("http://www.opengis.net/ont/geosparql#hasGeometry")
AS_WKT = NamedNode("http://www.opengis.net/ont/geosparql#asWKT")
CANDIDATE_KEY = NamedNode(SS.candidateKey)
GEOCENTRIC_X = NamedNode(SS.geocentricX)
GEOCENTRIC_Y = NamedNode(SS.geocentricY)
GEOCENTRIC_Z = NamedNode(SS.geocentricZ)
BASE_QUANTITY = NamedNode(SS.baseQuantity)
BASE_UNIT = NamedNode(SS.baseUnit)
VERSION = 3
"""The version of these rules (``ss:inferenceVersion`` of each submission): raised when a
query starts to rely on something earlier versions did not materialise. 2: the candidate
keys, geocentric coordinates and base quantities of demand-first matching. 3: each
stream's quality assessment (:mod:`catalogue.quality`)."""
LEADING = 100
"""Holders listed per element, group or raw material and level graph (``ss:leadingHolding``):
an element match with ``top`` up to this reads only them (``match/crm_leading.rq``)."""
XSD_DECIMAL = NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")


@dataclass(frozen=True)
class InferenceMaps:
    ancestors: dict[NamedNode, frozenset[NamedNode]]
    """Material or energy class -> itself and all its superclasses up to ss:Resource."""
    raw_materials: dict[NamedNode, frozenset[NamedNode]]
    """Element -> the listed raw materials it is a constituent of."""
    units: dict[NamedNode, tuple[Decimal, str]]
    """Unit -> its factor to the base unit and the base unit's notation."""
    terms: dict[NamedNode, frozenset[NamedNode]]
    """Element -> the element groups and listed raw materials that stand for it."""


def _pairs(name: str, left: str, right: str) -> dict[NamedNode, frozenset[NamedNode]]:
    grouped: dict[NamedNode, set[NamedNode]] = defaultdict(set)
    for row in load_store().query(queries.bind(queries.load(name))):
        key, value = row[left], row[right]
        if isinstance(key, NamedNode) and isinstance(value, NamedNode):
            grouped[key].add(value)
    return {key: frozenset(values) for key, values in grouped.items()}


def _units() -> dict[NamedNode, tuple[Decimal, str]]:
    found: dict[NamedNode, tuple[Decimal, str]] = {}
    for row in load_store().query(queries.bind(queries.load("inference/unit_factors"))):
        unit, factor, base = row["unit"], row["factor"], row["baseUnit"]
        if isinstance(unit, NamedNode) and factor is not None and base is not None:
            found[unit] = (Decimal(factor.value), base.value)
    return found


@cache
def inference_maps() -> InferenceMaps:
    return InferenceMaps(
        ancestors=_pairs("inference/resource_ancestors", "class", "ancestor"),
        raw_materials=_pairs("inference/element_raw_materials", "element", "rawMaterial"),
        units=_units(),
        terms=_pairs("inference/term_elements", "element", "term"),
    )


def _number(facts: list[Quad], predicate: NamedNode) -> Decimal | None:
    for fact in facts:
        if fact.predicate == predicate and isinstance(fact.object, Literal):
            try:
                return Decimal(fact.object.value)
            except ArithmeticError:
                return None
    return None


def _decimal(value: Decimal) -> Literal:
    # Twelve decimals: SPARQL engines compute with at most 18 (pyoxigraph), and a
    # product of two 15-decimal numbers has more. Plain notation: str() may give
    # "1E+3", which is no xsd:decimal lexical form.
    with localcontext() as context:
        context.prec = 60
        text = format(value.quantize(Decimal("1e-12")).normalize(), "f")
    return Literal(text if "." in text else text + ".0", datatype=XSD_DECIMAL)


@dataclass
class Holder:
    """One supply's ranking keys for element-first matching (as crm.py ranks)."""

    stream: NamedNode
    identifier: str
    flow_order: int
    masses: dict[NamedNode, Decimal | None]

    def key(self, elements: frozenset[NamedNode]) -> tuple[Decimal, str]:
        """Known masses first, flows first, largest summed mass first, then identifier:
        the first three in one number, so a query sorts on one inlined literal."""
        known = [
            mass
            for element, mass in self.masses.items()
            if mass is not None and element in elements
        ]
        total = min(sum(known, Decimal(0)), KEY_STEP - 1)
        rank = ((0 if known else 2) + self.flow_order) * KEY_STEP - total
        return (rank, self.identifier)


def _leading(holders: list[Holder], maps: InferenceMaps) -> set[tuple[object, NamedNode, object]]:
    """``term ss:leadingHolding <stream#holding-…>`` (with ``ss:holder`` and ``ss:rankKey``)
    for the first ``LEADING`` holders of every element, group and raw material in this
    graph: the global first ``top`` of any view are among the union of its graphs' leading
    holders, since a holder's keys do not depend on the graph."""
    by_term: dict[NamedNode, list[Holder]] = defaultdict(list)
    members: dict[NamedNode, set[NamedNode]] = defaultdict(set)
    for holder in holders:
        seen: set[NamedNode] = set()
        for element in holder.masses:
            for term in (element, *maps.terms.get(element, ())):
                members[term].add(element)
                if term not in seen:
                    seen.add(term)
                    by_term[term].append(holder)
    found: set[tuple[object, NamedNode, object]] = set()
    for term, held in by_term.items():
        # Only the term's own elements count: a group's total sums its members' masses.
        elements = frozenset(members[term])
        name = "-".join(term.value.rstrip("/").rsplit("/", 2)[-2:])
        keyed = sorted((holder.key(elements), holder.stream) for holder in held)
        for (rank, _), stream in keyed[:LEADING]:
            node = NamedNode(f"{stream.value}#holding-{name}")
            found |= {
                (term, LEADING_HOLDING, node),
                (node, HOLDER, stream),
                (node, RANK_KEY, _decimal(rank)),
            }
    return found


def _quantity(
    quads: list[Quad], by_subject: dict[object, list[Quad]], maps: InferenceMaps
) -> tuple[QuantityEstimate | None, str | None, str | None]:
    """A supply's quantity in its base unit, its stated basis and the base unit."""
    from catalogue.matching.recoverable import quantity_estimate

    quantity = None
    given_basis: str | None = None
    base_unit: str | None = None
    for quad in quads:
        if quad.predicate != HAS_QUANTITY:
            continue
        facts = by_subject.get(quad.object, [])
        for fact in facts:
            if fact.predicate == BASIS and isinstance(fact.object, NamedNode):
                given_basis = fact.object.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            if fact.predicate == UNIT and fact.object in maps.units:
                factor, base_unit = maps.units[fact.object]  # type: ignore[index]
                quantity = quantity_estimate(
                    _number(facts, NUMERIC_VALUE),
                    _number(facts, MINIMUM_VALUE),
                    _number(facts, MAXIMUM_VALUE),
                    factor=factor,
                    base_unit=base_unit,
                )
    return quantity, given_basis, base_unit


def _estimates(
    stream: object,
    quads: list[Quad],
    by_subject: dict[object, list[Quad]],
    maps: InferenceMaps,
    holders: list[Holder],
) -> set[tuple[object, NamedNode, Literal | NamedNode]]:
    """The recoverable-mass estimates of one supply, one per element it contains."""
    # Imported here: catalogue.matching imports this package's neighbours at load.
    from catalogue.matching.recoverable import basis_of, estimate

    quantity, given_basis, base_unit = _quantity(quads, by_subject, maps)
    flow_order = 0 if basis_of(given_basis, base_unit) == "flow" else 1
    masses: dict[NamedNode, Decimal | None] = {}
    for quad in quads:
        if quad.predicate != HAS_COMPOSITION:
            continue
        for link in by_subject.get(quad.object, ()):
            if link.predicate != HAS_COMPONENT:
                continue
            facts = by_subject.get(link.object, [])
            for fact in facts:
                if fact.predicate != ELEMENT or not isinstance(fact.object, NamedNode):
                    continue
                fraction = estimate(
                    _number(facts, MASS_FRACTION),
                    _number(facts, MINIMUM_MASS_FRACTION),
                    _number(facts, MAXIMUM_MASS_FRACTION),
                )
                known = masses.get(fact.object)
                if quantity is not None and quantity.is_mass and fraction is not None:
                    mass = quantity.estimate.value * fraction.value
                    masses[fact.object] = mass if known is None else known + mass
                else:
                    masses.setdefault(fact.object, None)
    found: set[tuple[object, NamedNode, Literal | NamedNode]] = set()
    if masses and isinstance(stream, NamedNode):
        identifier = next(
            (q.object.value for q in quads if q.predicate == IDENTIFIER),
            stream.value.rsplit("/", 1)[-1],
        )
        holders.append(Holder(stream, identifier, flow_order, masses))
    base = stream.value  # type: ignore[attr-defined]
    for element, mass in masses.items():
        node = NamedNode(f"{base}#recoverable-{element.value.rsplit('/', 1)[-1]}")
        found |= {
            (stream, HAS_ESTIMATE, node),
            (node, ESTIMATE_ELEMENT, element),
            (node, ESTIMATE_MASS, _decimal(mass or Decimal(0))),
            (node, ESTIMATE_KNOWN, Literal(str(int(mass is not None)), datatype=XSD_INTEGER)),
            (node, FLOW_ORDER, Literal(str(flow_order), datatype=XSD_INTEGER)),
        }
    return found


def _elements(composition: object, by_subject: dict[object, list[Quad]]) -> Iterator[NamedNode]:
    """The ``ss:element`` of each component of ``composition``."""
    for link in by_subject.get(composition, ()):
        if link.predicate != HAS_COMPONENT:
            continue
        for fact in by_subject.get(link.object, ()):
            if fact.predicate == ELEMENT and isinstance(fact.object, NamedNode):
                yield fact.object


def _candidate_facts(
    stream: object,
    quads: list[Quad],
    by_subject: dict[object, list[Quad]],
    maps: InferenceMaps,
) -> set[tuple[object, NamedNode, Literal]]:
    """What demand-first matching finds and bounds a supply by (``match/candidates_near.rq``).

    ``ss:candidateKey`` per class of its resource (the ones ``candidates_by_class.rq``
    finds, superclasses too) and per element it contains (``candidates_by_element.rq``):
    once in the cell of each of its locations and once for anywhere; its location as a
    unit vector (``ss:geocentricX``/``Y``/``Z``, when it has exactly one), and its
    quantity in the base unit (``ss:baseQuantity``, ``ss:baseUnit``) as scoring reads it.
    """
    from catalogue.matching.cells import ANYWHERE, Cell, candidate_key, cell_of, point_of

    terms: set[str] = set()
    points: set[tuple[float, float]] = set()
    for quad in quads:
        if quad.predicate == HAS_RESOURCE:
            for fact in by_subject.get(quad.object, ()):
                if fact.predicate == TYPE and isinstance(fact.object, NamedNode):
                    for term in maps.ancestors.get(fact.object, (fact.object,)):
                        terms.add(term.value)
        elif quad.predicate == CONTAINS_ELEMENT and isinstance(quad.object, NamedNode):
            terms.add(quad.object.value)
        elif quad.predicate == HAS_COMPOSITION:
            terms.update(element.value for element in _elements(quad.object, by_subject))
        elif quad.predicate == HAS_GEOMETRY:
            for fact in by_subject.get(quad.object, ()):
                point = point_of(fact.object.value) if fact.predicate == AS_WKT else None
                if point is not None:
                    points.add(point)
    # A location matching cannot read scores as unknown, as no location does.
    cells: set[Cell | str | None] = {cell_of(point) for point in points} or {None}
    found: set[tuple[object, NamedNode, Literal]] = {
        (stream, CANDIDATE_KEY, Literal(candidate_key(cell, term)))
        for cell in cells | {ANYWHERE}
        for term in terms
    }
    if len(points) == 1:
        ((lon, lat),) = points
        lon, lat = math.radians(lon), math.radians(lat)
        for predicate, value in (
            (GEOCENTRIC_X, math.cos(lat) * math.cos(lon)),
            (GEOCENTRIC_Y, math.cos(lat) * math.sin(lon)),
            (GEOCENTRIC_Z, math.sin(lat)),
        ):
            # Decimals of twelve places, not doubles: Virtuoso answers doubles with six
            # significant digits (openlink/virtuoso-opensource#1006), so a double read back
            # is not the one written; twelve places are nanometres on the Earth's surface.
            found.add((stream, predicate, _decimal(Decimal(repr(value)))))
    quantity, _, _ = _quantity(quads, by_subject, maps)
    if quantity is not None:
        value = _decimal(Decimal(quantity.estimate.value))
        found |= {(stream, BASE_QUANTITY, value), (stream, BASE_UNIT, Literal(quantity.unit))}
    return found


def materialise(
    asserted: Iterable[Quad], graph: NamedNode, *, holders: list[Holder] | None = None
) -> list[Quad]:
    """The inferred quads, in ``graph``, for the asserted quads of one submission.

    With ``holders``, the supplies' ranking keys are added to it instead of listing the
    leading holders here: a submission materialised a chunk at a time lists them once, from
    all its chunks (:func:`leading_holdings`), as the whole file at once would.
    """
    maps = inference_maps()
    by_subject: dict[object, list[Quad]] = defaultdict(list)
    for quad in asserted:
        by_subject[quad.subject].append(quad)

    inferred: set[tuple[object, NamedNode, object]] = set()
    own: list[Holder] = []
    assessor = Assessor(by_subject, maps.ancestors)
    for stream, quads in assessor.streams():

        def flow(quads: list[Quad] = quads) -> Decimal | None:
            quantity, _, _ = _quantity(quads, by_subject, maps)
            return quantity.estimate.value if quantity and quantity.unit == "t/a" else None

        inferred |= assessor.assess(stream, quads, flow)
    for subject, quads in by_subject.items():
        if any(quad.predicate == TYPE and quad.object == SUPPLY for quad in quads):
            inferred |= _estimates(subject, quads, by_subject, maps, own)
            inferred |= _candidate_facts(subject, quads, by_subject, maps)
        for quad in quads:
            if quad.predicate == HAS_RESOURCE:
                for resource_type in by_subject.get(quad.object, ()):
                    if resource_type.predicate == TYPE and isinstance(
                        resource_type.object, NamedNode
                    ):
                        for ancestor in maps.ancestors.get(resource_type.object, ()):
                            inferred.add((quad.object, TYPE, ancestor))
            elif quad.predicate == HAS_COMPOSITION:
                for element in _elements(quad.object, by_subject):
                    inferred.add((subject, CONTAINS_ELEMENT, element))
                    for listed in maps.raw_materials.get(element, ()):
                        inferred.add((subject, CONTAINS_LISTED, listed))
    if holders is None:
        inferred |= _leading(own, maps)
    else:
        holders.extend(own)
    asserted_keys = {(q.subject, q.predicate, q.object) for qs in by_subject.values() for q in qs}
    return [
        Quad(s, p, o, graph)  # type: ignore[arg-type]
        for s, p, o in sorted(inferred, key=str)
        if (s, p, o) not in asserted_keys
    ]


def leading_holdings(holders: list[Holder], graph: NamedNode) -> list[Quad]:
    """The leading holders, in ``graph``, of the supplies whose keys ``materialise``
    collected in ``holders``."""
    return [
        Quad(s, p, o, graph) for s, p, o in sorted(_leading(holders, inference_maps()), key=str)
    ]  # type: ignore[arg-type]
