"""Demand-first matching: the supplies that could meet a demand, best first.

``match_demand(store, "lindum-sor-neutralising-agent")`` reads what the demand asks for
(``match/demand_facts.rq``) and finds candidates on four routes:

- **direct**: supplies whose resource is typed (with materialised superclasses) with
  the demanded class, or with a sibling or cousin class close enough in the material
  hierarchy (Wu-Palmer similarity, ``score.NEAR_CLASS_MINIMUM``); and, for a demanded
  application, supplies of the classes whose ``ss:typicalApplication`` is it or a
  narrower one, with the application's ``ss:qualifyingCriterion`` checked;
- **composition**: for a demanded element, raw material or element group, supplies
  that contain one of its elements, with the recoverable mass (``recoverable``);
- **technology**: supplies of a typical input class of a technology whose typical
  output is (a subclass of) the demanded class, or which recovers a demanded element.

Each candidate is checked against the demand's own requirements (a broken maximum
multiplies the score by ``score.VIOLATION_FACTOR`` and is named in the explanation),
its state and temperature, and scored with :class:`catalogue.matching.score.Fits`.
With a ``top``, candidates are first ranked by the highest score they could reach
(``_bound``, from ``match/supply_profile.rq``: a few facts per candidate), and only the
best are read in full and scored, batch by batch, until no unread candidate could
enter the first ``top``: the same list as scoring every candidate, for a fraction of
the reading.
The ontology queries run on :func:`catalogue.ontology.load_store`, the candidate queries
on the catalogue store, over the dataset the caller may see (``access.view_for``;
anonymous by default).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Protocol

import pyoxigraph
from pyoxigraph import Literal, NamedNode

from catalogue import queries
from catalogue.access import ANONYMOUS, Caller, view_for
from catalogue.errors import SidestreamError
from catalogue.ingest.resolve import Vocabulary, local_name
from catalogue.matching import score as weights
from catalogue.matching.cells import ANYWHERE, Cell, candidate_key, cells_within, point_of
from catalogue.matching.explain import amount_text, fraction_text, number, percent
from catalogue.matching.recoverable import (
    Estimate,
    Qualifier,
    QuantityEstimate,
    basis_of,
    estimate,
    quantity_estimate,
)
from catalogue.matching.results import MatchResult, Recoverable, Route
from catalogue.store.base import EVERYTHING, CatalogueStore, Row, View

SS = "https://w3id.org/sidestream/ontology/"
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
XSD_DOUBLE = NamedNode("http://www.w3.org/2001/XMLSchema#double")
RESOURCE = SS + "Resource"
SUPPLY = NamedNode(SS + "Supply")
DEMAND = NamedNode(SS + "Demand")
_NEAR_PARENT_MIN_DEPTH = 4
"""A parent class at least this deep (ss:Resource is 1) is narrow enough to offer siblings."""
FIRST_BATCH = 32
"""Candidates read in full at first (at least; four times ``top`` if more), best bound
first; each further batch is twice the last. A few dozen rows cost little next to a
second round trip."""
NEAR_KM = 100.0
"""Radius of the first search for candidates around a demand (``_nearest_first``); each
further search doubles it. At 100,000 streams a broad class has a few candidates per
1-degree cell, so the first search finds about a hundred."""
MAX_KEYS = 150
"""Candidate keys one search may ask for; a wider search asks for the keys of anywhere
instead (a rare class, or a demand whose best supplies are far away). Virtuoso 7.2 took
up to 6 s for a query with 900 keys where the keys of anywhere took 0.1 s."""


class DemandNotFound(SidestreamError):
    """The identifier names no demand (no stream at all, or a supply)."""


# --------------------------------------------------------------------------- ontology


@dataclass(frozen=True, eq=False)
class Hierarchy:
    """The material class hierarchy: direct parents, depths and labels."""

    parents: dict[str, frozenset[str]]
    labels: dict[str, str]

    @cache  # noqa: B019 - one Hierarchy per process
    def ancestors(self, term: str) -> frozenset[str]:
        """``term`` and all its named superclasses."""
        found = {term}
        todo = [term]
        while todo:
            for parent in self.parents.get(todo.pop(), ()):
                if parent not in found:
                    found.add(parent)
                    todo.append(parent)
        return frozenset(found)

    @cache  # noqa: B019 - one Hierarchy per process
    def depth(self, term: str) -> int:
        """1 for ss:Resource, one more per step down (shortest path)."""
        if term == RESOURCE or term not in self.parents:
            return 1
        return 1 + min(self.depth(parent) for parent in self.parents[term])

    def similarity(self, supply_classes: frozenset[str], demanded: str) -> float:
        """1 when a supply class is the demanded one or under it, else best Wu-Palmer."""
        if demanded in supply_classes:
            return 1.0
        best = 0.0
        mine = self.ancestors(demanded)
        for term in supply_classes:
            if term not in self.parents:
                continue
            common = mine & self.ancestors(term)
            if not common:
                continue
            deepest = max(self.depth(c) for c in common)
            best = max(best, weights.wu_palmer(self.depth(term), self.depth(demanded), deepest))
        return best

    def most_specific(self, classes: frozenset[str]) -> str | None:
        """The deepest of ``classes`` in the hierarchy."""
        known = [term for term in classes if term in self.parents]
        return max(known, key=lambda t: (self.depth(t), t)) if known else None

    def label(self, term: str) -> str:
        """The English label, else the local name."""
        return self.labels.get(term) or local_name(term)


@dataclass(frozen=True)
class Technology:
    """A treatment or recovery technology and what it takes and gives."""

    iri: str
    label: str
    trl: int | None
    inputs: frozenset[str]
    outputs: frozenset[str]
    elements: frozenset[str]


@dataclass(frozen=True)
class Criterion:
    """A composition limit: element or formula, at least ``minimum``, at most ``maximum``."""

    element: str | None
    formula: str | None
    minimum: Decimal | None
    maximum: Decimal | None
    from_application: bool = False


def _ontology() -> pyoxigraph.Store:
    from catalogue.ontology import load_store

    return load_store()


def ontology_rows(name: str, values: dict | None = None) -> list[pyoxigraph.QuerySolution]:
    rows = _ontology().query(queries.bind(queries.load(f"match/{name}"), values))
    assert isinstance(rows, pyoxigraph.QuerySolutions)
    return list(rows)


def _value(row: pyoxigraph.QuerySolution | Row, key: str) -> str | None:
    term = row[key] if isinstance(row, pyoxigraph.QuerySolution) else row.get(key)
    return None if term is None else str(term.value)  # type: ignore[union-attr]


def _decimal(row: pyoxigraph.QuerySolution | Row, key: str) -> Decimal | None:
    text = _value(row, key)
    return None if text is None else Decimal(text)


@cache
def hierarchy() -> Hierarchy:
    """The material hierarchy of the merged ontology, read once."""
    parents: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, str] = {}
    for row in ontology_rows("material_hierarchy"):
        term = str(row["class"].value)  # type: ignore[union-attr]
        parents[term].add(str(row["parent"].value))  # type: ignore[union-attr]
        label = _value(row, "label")
        if label:
            labels[term] = label
    return Hierarchy({k: frozenset(v) for k, v in parents.items()}, labels)


@cache
def technologies() -> tuple[Technology, ...]:
    """Every technology of the ontology with its inputs, outputs and elements."""
    found: dict[str, dict] = {}
    for row in ontology_rows("technology_routes"):
        iri = str(row["technology"].value)  # type: ignore[union-attr]
        entry = found.setdefault(
            iri,
            {"label": _value(row, "label") or local_name(iri), "trl": _value(row, "trl")},
        )
        for key in ("input", "output", "element"):
            value = _value(row, key)
            if value:
                entry.setdefault(key, set()).add(value)
    return tuple(
        Technology(
            iri,
            entry["label"],
            None if entry["trl"] is None else int(entry["trl"]),
            frozenset(entry.get("input", ())),
            frozenset(entry.get("output", ())),
            frozenset(entry.get("element", ())),
        )
        for iri, entry in sorted(found.items())
    )


@cache
def element_symbol(element: str) -> str:
    rows = ontology_rows("labels", {"term": NamedNode(element)})
    for row in rows:
        symbol = _value(row, "symbol")
        if symbol:
            return symbol
    return local_name(element)


@cache
def term_label(term: str) -> str:
    for row in ontology_rows("labels", {"term": NamedNode(term)}):
        label = _value(row, "label")
        if label:
            return label
    return local_name(term)


# --------------------------------------------------------------------------- demand


@dataclass
class Demand:
    """What a demand asks for, read from the catalogue."""

    iri: str
    name: str
    classes: set[str] = field(default_factory=set)
    elements: dict[str, str] = field(default_factory=dict)
    applications: set[str] = field(default_factory=set)
    requested: list[str] = field(default_factory=list)
    criteria: list[Criterion] = field(default_factory=list)
    state: str | None = None
    temperature: Decimal | None = None
    point: tuple[float, float] | None = None
    quantity: QuantityEstimate | None = None

    @property
    def heat(self) -> bool:
        """Whether the demand is for heat (short transport distances)."""
        return self.state is not None and local_name(self.state) == "heat"


def _quantity(row: Row, vocabulary: Vocabulary) -> QuantityEstimate | None:
    unit = _value(row, "unit")
    factor, base_unit = _decimal(row, "factor"), _value(row, "baseUnit")
    if unit is not None and (factor is None or base_unit is None):
        known = {resolved.iri.value: resolved for resolved in vocabulary.units().values()}
        if unit in known:
            factor, base_unit = known[unit].factor_to_base, known[unit].base_unit_notation
    if factor is None or base_unit is None:
        return None
    return quantity_estimate(
        _decimal(row, "value"),
        _decimal(row, "minimum"),
        _decimal(row, "maximum"),
        factor=factor,
        base_unit=base_unit,
    )


def stream_of(store: CatalogueStore, identifier: str, view: View) -> dict[str, str]:
    """Stream IRI -> ``Supply`` or ``Demand`` for the visible streams named ``identifier``."""
    rows = store.select(
        queries.bind(
            queries.load("match/stream_by_identifier"), {"identifier": Literal(identifier)}
        ),
        view,
    )
    return {_value(row, "stream") or "": local_name(_value(row, "type") or "") for row in rows}


def read_demand(
    store: CatalogueStore, identifier: str, vocabulary: Vocabulary, view: View = EVERYTHING
) -> Demand:
    """The visible demand ``identifier``; raises :class:`DemandNotFound` if there is none."""
    kinds = stream_of(store, identifier, view)
    demands = sorted(stream for stream, kind in kinds.items() if kind == "Demand")
    if not demands:
        if kinds:
            raise DemandNotFound(
                f"'{identifier}' is a supply, not a demand; match --demand takes a demand "
                "identifier"
            )
        raise DemandNotFound(f"no demand with identifier {identifier}")
    return read_demands(store, demands[:1], vocabulary, view)[demands[0]]


Facts = dict[str, list[pyoxigraph.Literal | NamedNode]]
"""Property local name -> values, for one stream (``match/*_facts.rq`` rows pivoted)."""


def _facts(store: CatalogueStore, query: str, streams: list[str], view: View) -> dict[str, Facts]:
    """Stream IRI -> its facts, from a ``(stream, property, value)`` query."""
    found: dict[str, Facts] = defaultdict(lambda: defaultdict(list))
    iris = [NamedNode(stream) for stream in sorted(streams)]
    for row in store.select(queries.bind(queries.load(query), {"stream": iris}), view):
        term = row["value"]
        if isinstance(term, pyoxigraph.Literal | NamedNode):
            name = _property_name(_value(row, "property") or "")
            found[_value(row, "stream") or ""][name].append(term)
    return found


@cache
def _property_name(iri: str) -> str:
    # A dozen properties over hundreds of thousands of rows: local_name's regex was a
    # tenth of reading the candidates.
    return local_name(iri)


def _first(found: Facts, key: str) -> str | None:
    values = found.get(key)
    return str(values[0].value) if values else None


def _first_decimal(found: Facts, key: str) -> Decimal | None:
    text = _first(found, key)
    return None if text is None else Decimal(text)


def _name(found: Facts) -> dict[str, str]:
    """Language tag ('' for none) -> label."""
    names: dict[str, str] = {}
    for name in found.get("label", []):
        if isinstance(name, pyoxigraph.Literal):
            names.setdefault(name.language or "", name.value)
    return names


def _quantity_of(found: Facts, vocabulary: Vocabulary) -> QuantityEstimate | None:
    given: Row = {
        key: found[name][0]
        for key, name in (
            ("value", "numericValue"),
            ("minimum", "minimumValue"),
            ("maximum", "maximumValue"),
            ("unit", "unit"),
        )
        if found.get(name)
    }
    return _quantity(given, vocabulary)


def read_demands(
    store: CatalogueStore, streams: list[str], vocabulary: Vocabulary, view: View = EVERYTHING
) -> dict[str, Demand]:
    """The demands ``streams`` (IRIs), read with two queries however many there are."""
    if not streams:
        return {}
    demands = {
        stream: _demand(stream, found, vocabulary)
        for stream, found in _facts(store, "match/demand_facts", streams, view).items()
        if DEMAND in found["type"]
    }
    iris = [NamedNode(stream) for stream in sorted(streams)]
    for row in store.select(
        queries.bind(queries.load("match/demand_requirements"), {"demand": iris}), view
    ):
        demand = demands.get(_value(row, "demand") or "")
        if demand is not None:
            demand.criteria.append(
                Criterion(
                    _value(row, "element"),
                    _value(row, "formula"),
                    _decimal(row, "minimum"),
                    _decimal(row, "maximum"),
                )
            )
    return demands


def _demand(stream: str, found: Facts, vocabulary: Vocabulary) -> Demand:
    names = _name(found)
    demand = Demand(
        iri=stream,
        name=names.get("en") or names.get("") or next(iter(names.values()), local_name(stream)),
        state=_first(found, "physicalState"),
        temperature=_first_decimal(found, "temperatureCelsius"),
        point=point_of(_first(found, "asWKT")),
        quantity=_quantity_of(found, vocabulary),
    )
    for term in found.get("requestsApplication", []):
        demand.applications.add(term.value)
        demand.requested.append(term_label(term.value))
    for term in found.get("requestsElement", []):
        demand.elements[term.value] = element_symbol(term.value)
        demand.requested.append(term_label(term.value))
    for key in ("requestsRawMaterial", "requestsElementGroup"):
        for term in found.get(key, []):
            demand.elements.update(elements_of(term.value))
            demand.requested.append(term_label(term.value))
    materials = hierarchy()
    specific = materials.most_specific(frozenset(t.value for t in found.get("hasResource", [])))
    if specific is not None:
        demand.classes.add(specific)
        demand.requested.append(materials.label(specific))
    return demand


@cache
def elements_of(term: str) -> dict[str, str]:
    """Element IRI -> symbol for the elements of a raw material or element group."""
    return {
        str(row["element"].value): str(row["symbol"].value)  # type: ignore[union-attr]
        for row in ontology_rows("elements_of", {"term": NamedNode(term)})
    }


# --------------------------------------------------------------------------- supplies


@dataclass
class Supply:
    """A candidate supply with what scoring needs."""

    iri: str
    identifier: str = ""
    names: dict[str, str] = field(default_factory=dict)
    classes: set[str] = field(default_factory=set)
    state: str | None = None
    temperature: Decimal | None = None
    hazardous: bool | None = None
    point: tuple[float, float] | None = None
    quantity: QuantityEstimate | None = None
    basis: str | None = None
    year: int | None = None
    organisation: str | None = None
    country: str | None = None
    elements: dict[str, list[Estimate | None]] = field(default_factory=dict)
    formulas: dict[str, Estimate | None] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The English name, else any."""
        for language in ("en", "", "nb"):
            if language in self.names:
                return self.names[language]
        return next(iter(self.names.values()), self.identifier)

    def fraction(self, criterion: Criterion) -> Estimate | None:
        """The supply's mass fraction of the criterion's element or formula, if reported."""
        if criterion.formula is not None:
            found = self.formulas.get(criterion.formula)
            if found is not None or criterion.element is None:
                return found
        if criterion.element is not None:
            return self.element_fraction(criterion.element)
        return None

    def element_fraction(self, element: str) -> Estimate | None:
        """The summed mass fraction of an element over its components, if any is known."""
        known = [part for part in self.elements.get(element, []) if part is not None]
        if len(known) <= 1:
            return known[0] if known else None
        kinds = {part.qualifier for part in known}
        qualifier: Qualifier = kinds.pop() if kinds in ({"at most"}, {"at least"}) else "exact"
        return Estimate(sum((part.value for part in known), Decimal(0)), qualifier)


def read_supplies(
    store: CatalogueStore, streams: list[str], vocabulary: Vocabulary, view: View = EVERYTHING
) -> dict[str, Supply]:
    """The details and components of the supplies ``streams``."""
    supplies: dict[str, Supply] = {}
    if not streams:
        return supplies
    for stream, found in _facts(store, "match/supply_facts", streams, view).items():
        if SUPPLY in found["type"]:
            supplies[stream] = _supply(stream, found, vocabulary)
    iris = [NamedNode(stream) for stream in sorted(streams)]
    parts: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for row in store.select(
        queries.bind(queries.load("match/supply_components"), {"stream": iris}), view
    ):
        stream, component = _value(row, "stream") or "", _value(row, "component") or ""
        if stream in supplies:
            key = _property_name(_value(row, "property") or "")
            parts[stream, component][key] = _value(row, "value") or ""
    for (stream, _), part in sorted(parts.items()):
        found = estimate(
            *(
                None if part.get(key) is None else Decimal(part[key])
                for key in ("massFraction", "minimumMassFraction", "maximumMassFraction")
            )
        )
        element, formula = part.get("element"), part.get("formula")
        if element is not None:
            supplies[stream].elements.setdefault(element, []).append(found)
        elif formula is not None:
            supplies[stream].formulas[formula] = found
    return supplies


def _supply(stream: str, found: Facts, vocabulary: Vocabulary) -> Supply:
    """A supply from its ``match/supply_facts.rq`` rows."""
    supply = Supply(stream)
    supply.identifier = _first(found, "identifier") or stream.rsplit("/", 1)[-1]
    supply.state = _first(found, "physicalState")
    supply.temperature = _first_decimal(found, "temperatureCelsius")
    hazardous = _first(found, "hazardous")
    supply.hazardous = None if hazardous is None else hazardous in ("true", "1")
    supply.point = point_of(_first(found, "asWKT"))
    supply.quantity = _quantity_of(found, vocabulary)
    given = _first(found, "basis")
    supply.basis = basis_of(
        None if given is None else local_name(given),
        supply.quantity.unit if supply.quantity else None,
    )
    year = _first(found, "referenceYear")
    supply.year = None if year is None else int(year)
    supply.organisation = _first(found, "heldBy")
    supply.country = _first(found, "countryCode")
    supply.names = _name(found)
    supply.classes.update(str(term.value) for term in found.get("hasResource", []))
    return supply


# --------------------------------------------------------------------------- candidates


@dataclass
class Candidate:
    """Why a supply is a candidate: its route, semantic fit and reason in words."""

    route: Route
    semantic: float
    reason: str
    criteria: list[Criterion] = field(default_factory=list)
    element: str | None = None
    taxonomic: bool = False


class CandidateSource(Protocol):
    """Where candidate supplies come from: the streams typed with, or holding, given terms."""

    def by_class(self, classes: set[str]) -> dict[str, set[str]]:
        """Stream IRI -> which of ``classes`` its resource is typed with (superclasses too)."""
        ...

    def by_element(self, elements: set[str]) -> dict[str, set[str]]:
        """Stream IRI -> which of ``elements`` it contains."""
        ...


@dataclass(frozen=True)
class CatalogueSupplies:
    """Every supply the caller's view holds, found with ``match/candidates_by_*.rq``."""

    store: CatalogueStore
    view: View = EVERYTHING

    def _streams_by(self, query: str, parameter: str, terms: set[str]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        if not terms:
            return found
        values = {parameter: [NamedNode(term) for term in sorted(terms)]}
        for row in self.store.select(queries.bind(queries.load(query), values), self.view):
            found[_value(row, "stream") or ""].add(_value(row, parameter) or "")
        return found

    def by_class(self, classes: set[str]) -> dict[str, set[str]]:
        return self._streams_by("match/candidates_by_class", "class", classes)

    def by_element(self, elements: set[str]) -> dict[str, set[str]]:
        return self._streams_by("match/candidates_by_element", "element", elements)


@dataclass(frozen=True)
class OneSupply:
    """One supply already read (stream-first): the same answers from its own classes and
    elements, which ``match/supply_facts.rq`` and ``supply_components.rq`` read exactly
    as the candidate queries would find them."""

    supply: Supply

    def by_class(self, classes: set[str]) -> dict[str, set[str]]:
        found = classes & self.supply.classes
        return {self.supply.iri: found} if found else {}

    def by_element(self, elements: set[str]) -> dict[str, set[str]]:
        found = elements & set(self.supply.elements)
        return {self.supply.iri: found} if found else {}


@cache
def _application_classes(application: str) -> dict[str, str]:
    """Qualifying class -> label of the (narrower) application it is typical for."""
    found: dict[str, str] = {}
    for row in ontology_rows("qualifying_classes", {"application": NamedNode(application)}):
        term = str(row["class"].value)  # type: ignore[union-attr]
        found.setdefault(term, _value(row, "viaLabel") or local_name(_value(row, "via") or ""))
    return found


@cache
def _application_criteria(application: str) -> tuple[Criterion, ...]:
    return tuple(
        Criterion(
            _value(row, "element"),
            _value(row, "formula"),
            _decimal(row, "minimum"),
            _decimal(row, "maximum"),
            from_application=True,
        )
        for row in ontology_rows("application_criteria", {"application": NamedNode(application)})
    )


@cache
def _co_inputs(demanded: str) -> dict[str, str]:
    """Other class -> the process both feed, for classes not under ``demanded``."""
    materials = hierarchy()
    others: dict[str, str] = {}
    for row in ontology_rows("co_inputs", {"class": NamedNode(demanded)}):
        other = str(row["other"].value)  # type: ignore[union-attr]
        process = _value(row, "processLabel") or local_name(_value(row, "process") or "")
        if demanded not in materials.ancestors(other):
            others.setdefault(other, process)
    return others


def _trl(technology: Technology) -> str:
    return (
        technology.label if technology.trl is None else f"{technology.label} (TRL {technology.trl})"
    )


def find_candidates(
    demand: Demand, supplies: CandidateSource
) -> tuple[dict[str, list[Candidate]], dict[str, set[str]]]:
    """Candidates per supply stream on every route, and the demanded elements each holds."""
    materials = hierarchy()
    candidates: dict[str, list[Candidate]] = defaultdict(list)
    # Direct: the demanded class, and near classes under a narrow enough parent.
    for demanded in demand.classes:
        wanted = {demanded} | {
            parent
            for parent in materials.parents.get(demanded, ())
            if materials.depth(parent) >= _NEAR_PARENT_MIN_DEPTH
        }
        for stream in supplies.by_class(wanted):
            candidates[stream].append(
                Candidate("direct", 0.0, materials.label(demanded), taxonomic=True)
            )
    # Substitutes: classes fed to the same process as the demanded class.
    for demanded in demand.classes:
        others = _co_inputs(demanded)
        for stream, matched in supplies.by_class(set(others)).items():
            term = sorted(matched)[0]
            reason = (
                f"{materials.label(term)} and {materials.label(demanded)} are both typical "
                f"inputs of {others[term]}, so one may replace the other"
            )
            candidates[stream].append(Candidate("direct", weights.SUBSTITUTE_RELEVANCE, reason))
    # Application: classes typical for it or a narrower one.
    for application in demand.applications:
        qualifying = _application_classes(application)
        criteria = list(_application_criteria(application))
        for stream, matched in supplies.by_class(set(qualifying)).items():
            via = sorted(qualifying[term] for term in matched)[0]
            reason = f"{materials.label(sorted(matched)[0])} is typically used as {via}"
            candidates[stream].append(Candidate("direct", 1.0, reason, criteria))
    # Composition: supplies holding a demanded element.
    holding = dict(supplies.by_element(set(demand.elements)))
    for stream in holding:
        candidates[stream].append(Candidate("composition", 1.0, "composition"))
    # Technology: two hops through a technology's typical input.
    for technology in technologies():
        reasons: list[str] = []
        element: str | None = None
        for demanded in demand.classes:
            if any(demanded in materials.ancestors(output) for output in technology.outputs):
                reasons.append(f"gives {materials.label(demanded)}")
        recovered = technology.elements & set(demand.elements)
        if recovered:
            element = sorted(recovered)[0]
            symbols = ", ".join(sorted(demand.elements[e] for e in recovered))
            reasons.append(f"recovers {symbols}")
        if not reasons or not technology.inputs:
            continue
        relevance = weights.TECHNOLOGY_RELEVANCE * (technology.trl or 5) / 9
        for stream, matched in supplies.by_class(set(technology.inputs)).items():
            what = materials.label(sorted(matched)[0])
            reason = f"{_trl(technology)} takes {what} and {' and '.join(reasons)}"
            candidates[stream].append(Candidate("technology", relevance, reason, element=element))
    return candidates, holding


# --------------------------------------------------------------------------- scoring


def _check(criterion: Criterion, supply: Supply) -> tuple[float, bool, str]:
    """Fit, whether a maximum is broken, and the words for one criterion."""
    what = criterion.formula or (element_symbol(criterion.element) if criterion.element else "?")
    found = supply.fraction(criterion)
    if found is None:
        return weights.UNKNOWN, False, f"{what} not reported"
    if criterion.maximum is not None and found.value > criterion.maximum:
        if criterion.from_application:
            return 0.0, False, f"{what} {_amount(found)} above the {_limit(criterion.maximum)}"
        text = f"{what} {_amount(found)} exceeds the {_limit(criterion.maximum)} limit"
        return 0.0, True, text
    if criterion.minimum is not None and found.value < criterion.minimum:
        return 0.0, False, f"{what} {_amount(found)} below the {_limit(criterion.minimum)} needed"
    bound = criterion.minimum if criterion.minimum is not None else criterion.maximum
    side = "at least" if criterion.minimum is not None else "at most"
    return 1.0, False, f"{what} {_amount(found)} meets {side} {_limit(bound or Decimal(0))}"


def _limit(fraction: Decimal) -> str:
    if fraction < Decimal("0.001"):
        return f"{number(fraction * Decimal(1000000))} mg/kg"
    return percent(fraction)


def _amount(found: Estimate) -> str:
    if found.value < Decimal("0.001"):
        text = f"{number(found.value * Decimal(1000000))} mg/kg"
        return text if found.qualifier == "exact" else f"{found.qualifier} {text}"
    return fraction_text(found)


def _score(demand: Demand, supply: Supply, candidate: Candidate, holding: set[str]) -> MatchResult:
    materials = hierarchy()
    parts: list[str] = []
    semantic = candidate.semantic
    if candidate.taxonomic:
        demanded = next(iter(demand.classes))
        semantic = materials.similarity(frozenset(supply.classes), demanded)
        own = materials.most_specific(frozenset(supply.classes))
        own_label = materials.label(own) if own else "material"
        if semantic >= 1.0:
            if own == demanded:
                parts.append(f"{own_label}, the class asked for")
            else:
                parts.append(f"{own_label} is a kind of {materials.label(demanded)}")
        else:
            parts.append(
                f"{own_label} is related to {materials.label(demanded)} (similarity {semantic:.2f})"
            )
    else:
        parts.append(candidate.reason)
    recoverable: Recoverable | None = None
    quantity_supply: Decimal | None = None
    content: float | None = None
    if candidate.route in ("composition", "technology") and demand.elements:
        symbols, masses, fractions = [], [], []
        for element in sorted(holding or ([candidate.element] if candidate.element else [])):
            symbols.append(demand.elements.get(element, element_symbol(element)))
            found = supply.element_fraction(element)
            if found is not None:
                fractions.append(f"{symbols[-1]} {_amount(found)}")
                if supply.quantity is not None and supply.quantity.is_mass:
                    masses.append(supply.quantity.estimate.value * found.value)
        if candidate.route == "composition":
            parts[-1] = "contains " + (", ".join(fractions) or ", ".join(symbols))
        elif holding:
            content = 1.0
            if not fractions:
                parts.append(f"{', '.join(symbols)} present, content not given")
        elif supply.elements or supply.formulas:
            # An analysis that lists other elements but not this one: likely absent.
            content = 0.0
            parts.append(f"{', '.join(symbols)} not in its reported composition")
        else:
            content = weights.UNKNOWN
            parts.append(f"{', '.join(symbols)} not reported")
        total = sum(masses, Decimal(0)) if masses else None
        unit = supply.quantity.unit if total is not None and supply.quantity else None
        if total is not None:
            parts.append(f"about {number(total)} {unit} recoverable")
            quantity_supply = total
        if symbols:
            recoverable = Recoverable(element="+".join(symbols), mass=total, unit=unit)
    # Property fit: the demanded element's presence on a technology route, then limits.
    checks: list[float] = [] if content is None else [content]
    violated = False
    asked = {(c.element, c.formula) for c in demand.criteria}
    extra = [c for c in candidate.criteria if (c.element, c.formula) not in asked]
    for criterion in [*demand.criteria, *extra]:
        fit, broken, words = _check(criterion, supply)
        checks.append(fit)
        violated = violated or broken
        parts.append(words)
    if demand.state is not None and supply.state is not None:
        same = demand.state == supply.state
        checks.append(1.0 if same else 0.0)
        if not same:
            parts.append(f"{local_name(supply.state)}, not {local_name(demand.state)}")
    if demand.temperature is not None and supply.temperature is not None:
        warm = supply.temperature >= demand.temperature
        checks.append(1.0 if warm else 0.0)
        relation = "meets" if warm else "is below"
        parts.append(
            f"{number(supply.temperature)} °C {relation} the {number(demand.temperature)} °C asked"
        )
    property_fit = sum(checks) / len(checks) if checks else 1.0
    # Quantity fit.
    quantity_fit = weights.UNKNOWN
    if supply.quantity is not None:
        amount = quantity_supply if quantity_supply is not None else supply.quantity.estimate.value
        if quantity_supply is None:
            parts.append(amount_text(supply.quantity.estimate, supply.quantity.unit))
        if demand.quantity is not None and demand.quantity.unit == (
            unit_of(recoverable) if quantity_supply is not None else supply.quantity.unit
        ):
            quantity_fit = weights.quantity_fit(
                float(amount), float(demand.quantity.estimate.value)
            )
    # Distance fit.
    km = None
    if demand.point is not None and supply.point is not None:
        km = weights.haversine_km(demand.point, supply.point)
        parts.append(f"{number(Decimal(round(km)))} km away")
    distance_fit = weights.distance_fit(km, heat=demand.heat)
    regulatory = weights.HAZARDOUS_FIT if supply.hazardous else 1.0
    if supply.hazardous:
        parts.append("hazardous waste")
    fits = weights.Fits(
        semantic, property_fit, quantity_fit, distance_fit, regulatory, violated=violated
    )
    return MatchResult(
        identifier=supply.identifier,
        name=supply.name,
        score=fits.score(),
        route=candidate.route,
        explanation="; ".join(part for part in parts if part),
        recoverable=recoverable,
        basis=supply.basis,  # type: ignore[arg-type]
        organisation=supply.organisation,
        country=supply.country,
        reference_year=supply.year,
    )


def unit_of(recoverable: Recoverable | None) -> str | None:
    """The unit of a recoverable mass, if any."""
    return None if recoverable is None else recoverable.unit


def score_pair(
    demand: Demand, supply: Supply, found: list[Candidate], holding: set[str]
) -> MatchResult | None:
    """The best-scoring candidate route of ``supply`` for ``demand``, as a supply result.

    Taxonomic candidates below ``score.NEAR_CLASS_MINIMUM`` are dropped; ``None`` when no
    candidate is left. Shared by demand-first and stream-first matching.
    """
    scored = [_score(demand, supply, c, holding) for c in found]
    scored = [
        result
        for result, candidate in zip(scored, found, strict=True)
        if not candidate.taxonomic
        or hierarchy().similarity(frozenset(supply.classes), next(iter(demand.classes), ""))
        >= weights.NEAR_CLASS_MINIMUM
    ]
    return max(scored, key=lambda r: r.score) if scored else None


def match_demand(
    store: CatalogueStore,
    identifier: str,
    *,
    top: int | None = None,
    caller: Caller = ANONYMOUS,
    year: int | None = None,
) -> list[MatchResult]:
    """Supplies for the demand ``identifier``, best first (at most ``top``).

    Everything is read over the dataset ``caller`` may see. Raises
    :class:`DemandNotFound` when ``identifier`` names no demand visible to it.
    """
    vocabulary = Vocabulary.load()
    view = view_for(store, caller, year)
    demand = read_demand(store, identifier, vocabulary, view)
    if top is not None and top > 0 and demand.point is not None and keys_everywhere(store):
        nearest = _nearest_first(store, demand, top, vocabulary, view)
        if nearest:
            return nearest
        # Nothing found by candidate keys: none fits; reading every candidate tells.
    candidates, holding = find_candidates(demand, CatalogueSupplies(store, view))
    candidates.pop(demand.iri, None)
    if top is None:
        order = list(candidates)
    else:
        # Best possible score first, from a few facts per candidate: reading every
        # candidate's details (tens of thousands for a broad class) cost seconds.
        read = _profiles(store, list(candidates), vocabulary, view)
        # A candidate with none of the profile's facts scores with all of them unknown.
        profiles = {
            stream: read.get(stream) or Supply(stream, stream.rsplit("/", 1)[-1])
            for stream in candidates
        }
        bounds = {
            stream: max(_bound(demand, profiles[stream], c) for c in found)
            for stream, found in candidates.items()
        }
        # In the order results take (score, then identifier), so that candidates tied on
        # their bound need not all be read when the last kept one already wins the tie.
        order = sorted(
            candidates, key=lambda stream: (-bounds[stream], profiles[stream].identifier)
        )
    results: list[MatchResult] = []
    done = 0
    batch = len(order) if top is None else max(4 * top, FIRST_BATCH)
    while done < len(order):
        chunk = order[done : done + batch]
        done += len(chunk)
        _score_read(store, demand, chunk, candidates, holding, vocabulary, view, results)
        # Stop once no unread candidate can come before the last kept result: scores and
        # bounds are rounded alike, so an unread one scores at most its bound, and one
        # whose bound ties the kept score has a higher identifier than the next unread.
        if top is not None and len(results) >= top and done < len(order):
            last, following = results[top - 1], order[done]
            bound = bounds[following]
            if last.score > bound or (
                last.score == bound and last.identifier < profiles[following].identifier
            ):
                break
        batch *= 2
    return results if top is None else results[:top]


KEYS_VERSION = 2
"""The inference version (``catalogue.inference.VERSION``) that first materialised the
candidate keys: a later version (3, the quality assessment) does not make a store's keys
outdated."""


def keys_everywhere(store: CatalogueStore) -> bool:
    """Whether every submission carries the candidate keys (``ss:inferenceVersion`` 2 or
    later). A submission loaded before them would be missed by a search by key, not merely
    found late; until it is loaded again, matching reads every candidate."""
    outdated = queries.bind(
        queries.load("catalogue/outdated_submissions"),
        {"current": Literal(str(KEYS_VERSION), datatype=XSD_INTEGER)},
    )
    return not store.select(outdated)


def _score_read(
    store: CatalogueStore,
    demand: Demand,
    chunk: list[str],
    candidates: dict[str, list[Candidate]],
    holding: dict[str, set[str]],
    vocabulary: Vocabulary,
    view: View,
    results: list[MatchResult],
) -> None:
    """Read the supplies ``chunk`` in full, add their results to ``results``, sort them."""
    supplies = read_supplies(store, chunk, vocabulary, view)
    for stream in chunk:
        supply = supplies.get(stream)
        if supply is None:
            continue
        best = score_pair(demand, supply, candidates[stream], holding.get(stream, set()))
        if best is not None:
            results.append(best)
    results.sort(key=lambda r: (-r.score, r.identifier))


@dataclass
class _Questions:
    """A candidate source that finds nothing but records what it is asked: the classes or
    elements of each question, answered with one stand-in stream each, so that
    ``find_candidates`` shows every kind of candidate the demand has and its terms."""

    terms: dict[str, set[str]] = field(default_factory=dict)

    def _ask(self, terms: set[str]) -> dict[str, set[str]]:
        if not terms:
            return {}
        stand_in = f"urn:x-sidestream:question:{len(self.terms)}"
        self.terms[stand_in] = set(terms)
        return {stand_in: set(terms)}

    def by_class(self, classes: set[str]) -> dict[str, set[str]]:
        return self._ask(classes)

    def by_element(self, elements: set[str]) -> dict[str, set[str]]:
        return self._ask(elements)


@dataclass
class _Kind:
    """Candidates that share how ``_bound`` treats them, and the terms that find them."""

    semantic: float
    checks: int
    composite: bool
    terms: set[str] = field(default_factory=set)
    limit: int = 0
    last: float | None = None
    """The bound of the last row read when the last search was cut at ``limit``."""


def _kinds(demand: Demand) -> list[_Kind]:
    """The kinds of candidate ``demand`` has, as ``_bound`` sees them."""
    questions = _Questions()
    kinds: dict[tuple[float, int, bool], _Kind] = {}
    for stand_in, found in find_candidates(demand, questions)[0].items():
        for candidate in found:
            composite = candidate.route in ("composition", "technology") and bool(demand.elements)
            asked = {(c.element, c.formula) for c in demand.criteria}
            extra = [c for c in candidate.criteria if (c.element, c.formula) not in asked]
            checks = int(composite and candidate.route == "technology")
            checks += len(demand.criteria) + len(extra)
            semantic = 1.0 if candidate.taxonomic else candidate.semantic
            kind = kinds.setdefault(
                (semantic, checks, composite), _Kind(semantic, checks, composite)
            )
            kind.terms |= questions.terms[stand_in]
    materials = hierarchy()
    for kind in kinds.values():
        # A supply of a class under another asked-for class has that one's key too.
        kind.terms = {
            term
            for term in kind.terms
            if not any(other != term and other in materials.ancestors(term) for other in kind.terms)
        }
    return list(kinds.values())


def _near(
    store: CatalogueStore,
    demand: Demand,
    kind: _Kind,
    cells: set[Cell | str | None],
    view: View,
) -> dict[str, float]:
    """Stream -> bound, for the first ``kind.limit`` supplies of ``kind`` in ``cells``
    (``match/candidates_near.rq``); sets ``kind.last`` when there may be more."""

    def real(value: float | Decimal) -> Literal:
        return Literal(repr(float(value)), datatype=XSD_DOUBLE)

    point = demand.point or (0.0, 0.0)
    lon, lat = math.radians(point[0]), math.radians(point[1])
    quantity = demand.quantity
    length = weights.HEAT_LENGTH_KM if demand.heat else weights.BULK_LENGTH_KM
    unknown = Literal("")  # not numeric: the demand does not say
    values: dict[str, Literal | NamedNode | list[Literal | NamedNode]] = {
        "key": [
            Literal(candidate_key(cell, term))
            for cell in sorted(cells, key=str)
            for term in sorted(kind.terms)
        ],
        "semantic": real(kind.semantic),
        "checks": Literal(str(kind.checks), datatype=XSD_INTEGER),
        "composite": Literal("1" if kind.composite else "0", datatype=XSD_INTEGER),
        "dx": real(math.cos(lat) * math.cos(lon)),
        "dy": real(math.cos(lat) * math.sin(lon)),
        "dz": real(math.sin(lat)),
        "reach": real(0 if demand.point is None else weights.EARTH_RADIUS_KM / length),
        "state": NamedNode(demand.state or "urn:x-sidestream:none"),
        "temperature": unknown if demand.temperature is None else real(demand.temperature),
        "quantity": (
            real(quantity.estimate.value)
            if quantity is not None and quantity.estimate.value > 0
            else unknown
        ),
        "unit": Literal(quantity.unit if quantity else ""),
        "wSemantic": real(weights.SEMANTIC),
        "wProperty": real(weights.PROPERTY),
        "wQuantity": real(weights.QUANTITY),
        "wDistance": real(weights.DISTANCE),
        "wRegulatory": real(weights.REGULATORY),
        "unknown": real(weights.UNKNOWN),
        "hazardousFit": real(weights.HAZARDOUS_FIT),
    }
    text = queries.bind(
        queries.load("match/candidates_near"),
        values,  # type: ignore[arg-type]
        constants_apart=True,
    )
    rows = store.select(queries.paginate(text, kind.limit), view)
    found: dict[str, float] = {}
    for row in rows:
        stream, bound = _value(row, "stream") or "", float(_value(row, "bound") or 0)
        found[stream] = max(found.get(stream, 0.0), bound)
    kind.last = float(_value(rows[-1], "bound") or 0) if len(rows) >= kind.limit else None
    return found


def _beyond(demand: Demand, kinds: list[_Kind], km: float) -> float:
    """The highest score a supply at least ``km`` away could reach as any of ``kinds``.

    As ``_bound`` for the best supply imaginable there: every check passes, the quantity
    fits when the demand gives one (or the route is composite), it is not hazardous, and
    its distance fit is that of ``km``.
    """
    best = 0.0
    for kind in kinds:
        quantity = 1.0 if kind.composite or demand.quantity is not None else weights.UNKNOWN
        distance = weights.distance_fit(km, heat=demand.heat)
        best = max(best, weights.Fits(kind.semantic, 1.0, quantity, distance, 1.0).score())
    return best


def _reach(demand: Demand, kinds: list[_Kind], score: float, near: float) -> float | None:
    """A radius beyond which no supply scores ``score`` or more (``_beyond``), at least
    ``near``; ``None`` when even the antipodes could (distance alone cannot rule it out)."""
    far = max(near, 1.0)
    while _beyond(demand, kinds, far) >= score:
        far *= 2
        if far > math.pi * weights.EARTH_RADIUS_KM:
            return None
    low = far / 2
    for _ in range(12):
        middle = (low + far) / 2
        if _beyond(demand, kinds, middle) >= score:
            low = middle
        else:
            far = middle
    # A little beyond, so that the search's shrunk radius still rules ``score`` out.
    return max(near, far * 1.01)


def _nearest_first(
    store: CatalogueStore, demand: Demand, top: int, vocabulary: Vocabulary, view: View
) -> list[MatchResult]:
    """The first ``top`` results of ``match_demand``, nearest and best candidates first.

    For each kind of candidate, the store ranks the supplies found by their candidate
    keys (``cells``) in the cells within a radius of the demand by the highest score each
    could reach (``match/candidates_near.rq``) and returns the first few; those are read
    in full and scored, best bound first. A supply not returned is either farther than
    the radius (``_beyond`` bounds its score) or ranked below the last row returned, so
    the search stops when the last kept result beats both and every unread candidate,
    and otherwise asks for more rows or a wider radius (the one ``_beyond`` needs once
    ``top`` results are in, else three times as far). A radius needing more than ``MAX_KEYS``
    keys, or one distance alone cannot justify, becomes a search of the whole catalogue
    (``cells.ANYWHERE``), still cut to the first rows: the same list as reading every
    candidate either way.
    """
    kinds = _kinds(demand)
    if not kinds:
        return []
    bounds: dict[str, float] = {}
    results: list[MatchResult] = []
    read: set[str] = set()
    radius: float | None = NEAR_KM if demand.point is not None else None
    batch = max(4 * top, FIRST_BATCH)
    for kind in kinds:
        kind.limit = batch
    while True:
        # Kinds that cannot reach the last kept score even on site need no more rows.
        kept = results[top - 1].score if len(results) >= top else -1.0
        active = [kind for kind in kinds if _beyond(demand, [kind], 0.0) >= kept]
        cells: set[Cell | str | None] = {ANYWHERE}
        if active and radius is not None and demand.point is not None:
            cells = {None, *cells_within(demand.point, radius)}
            if len(cells) * max(len(kind.terms) for kind in active) > MAX_KEYS:
                radius, cells = None, {ANYWHERE}
        for kind in kinds:
            kind.last = None
        for kind in active:
            for stream, bound in _near(store, demand, kind, cells, view).items():
                bounds[stream] = max(bounds.get(stream, 0.0), bound)
        bounds.pop(demand.iri, None)
        # Shrunk a little: the radius is a lower bound computed in floating point too.
        outside = -1.0
        if active and radius is not None:
            outside = _beyond(demand, active, radius * (1 - 1e-9))
        cut = max((kind.last for kind in active if kind.last is not None), default=-1.0)
        while True:
            unread = sorted(
                (stream for stream in bounds if stream not in read),
                key=lambda stream: (-bounds[stream], stream),
            )
            best_unread = bounds[unread[0]] if unread else -1.0
            if len(results) >= top:
                last = results[top - 1].score
                if last > outside and last > cut and last > best_unread:
                    return results[:top]
            if not unread or best_unread < max(outside, cut):
                break
            chunk = [stream for stream in unread[:batch] if bounds[stream] >= max(outside, cut)]
            read.update(chunk)
            _score_one_by_one(store, demand, chunk, vocabulary, view, results)
        if not active or (radius is None and cut < 0):
            return results[:top]
        if cut >= outside:
            for kind in kinds:
                if kind.last is not None and kind.last >= outside:
                    kind.limit *= 4
        elif len(results) >= top and radius is not None:
            radius = _reach(demand, active, results[top - 1].score, radius)
        elif radius is not None:
            radius = None if radius > math.pi * weights.EARTH_RADIUS_KM else radius * 3


def _score_one_by_one(
    store: CatalogueStore,
    demand: Demand,
    chunk: list[str],
    vocabulary: Vocabulary,
    view: View,
    results: list[MatchResult],
) -> None:
    """Read the supplies ``chunk`` in full, find each one's candidates from what it is
    (``OneSupply``, as stream-first matching does), score them into ``results``."""
    supplies = read_supplies(store, chunk, vocabulary, view)
    for stream in chunk:
        supply = supplies.get(stream)
        if supply is None:
            continue
        candidates, holding = find_candidates(demand, OneSupply(supply))
        if stream in candidates:
            best = score_pair(demand, supply, candidates[stream], holding.get(stream, set()))
            if best is not None:
                results.append(best)
    results.sort(key=lambda r: (-r.score, r.identifier))


def _profiles(
    store: CatalogueStore, streams: list[str], vocabulary: Vocabulary, view: View
) -> dict[str, Supply]:
    """Supplies with only what ``_bound`` reads (``match/supply_profile.rq``)."""
    if not streams:
        return {}
    return {
        stream: _supply(stream, found, vocabulary)
        for stream, found in _facts(store, "match/supply_profile", streams, view).items()
    }


def _bound(demand: Demand, supply: Supply, candidate: Candidate) -> float:
    """The highest score ``_score`` could give ``candidate`` for ``supply`` (a profile).

    Exact for state, temperature, distance, hazard and, on the direct route, quantity;
    what the profile lacks counts as a perfect fit: the class (a near class may score
    less), the composition (requirements, a technology route's element content) and a
    recoverable mass, and no limit counts as broken. ``Fits.score`` is monotone in every
    fit, so this is never below the real score.
    """
    semantic = 1.0 if candidate.taxonomic else candidate.semantic
    composite = candidate.route in ("composition", "technology") and bool(demand.elements)
    checks: list[float] = [1.0] if composite and candidate.route == "technology" else []
    asked = {(c.element, c.formula) for c in demand.criteria}
    extra = [c for c in candidate.criteria if (c.element, c.formula) not in asked]
    checks += [1.0] * (len(demand.criteria) + len(extra))
    if demand.state is not None and supply.state is not None:
        checks.append(1.0 if demand.state == supply.state else 0.0)
    if demand.temperature is not None and supply.temperature is not None:
        checks.append(1.0 if supply.temperature >= demand.temperature else 0.0)
    property_fit = sum(checks) / len(checks) if checks else 1.0
    quantity_fit = weights.UNKNOWN
    if composite:
        quantity_fit = 1.0
    elif (
        supply.quantity is not None
        and demand.quantity is not None
        and demand.quantity.unit == supply.quantity.unit
    ):
        quantity_fit = weights.quantity_fit(
            float(supply.quantity.estimate.value), float(demand.quantity.estimate.value)
        )
    km = None
    if demand.point is not None and supply.point is not None:
        km = weights.haversine_km(demand.point, supply.point)
    distance_fit = weights.distance_fit(km, heat=demand.heat)
    regulatory = weights.HAZARDOUS_FIT if supply.hazardous else 1.0
    return weights.Fits(semantic, property_fit, quantity_fit, distance_fit, regulatory).score()
