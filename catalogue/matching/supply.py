"""Stream-first matching: what a supply could become, best first.

``match_supply(store, "celsa-mo-i-rana-ladle-slag")`` gives, in one ranked list:

- **demands** it could serve (``kind`` ``"demand"``): every demand the caller may see is
  read at once with :func:`catalogue.matching.demand.read_demands`, its routes to this
  supply are found with :func:`~catalogue.matching.demand.find_candidates` over
  :class:`~catalogue.matching.demand.OneSupply`, and the pair is scored with
  :func:`~catalogue.matching.demand.score_pair`, so route and score are exactly what
  ``match --demand`` gives for that pair;
- **technologies** that accept its material class (``kind`` ``"technology"``, route
  ``technology``): a ``ss:typicalInput`` that is the supply's class or an ancestor, or a
  narrower class (a part of the stream, such as the first cut of spent pot lining),
  scored with :func:`catalogue.matching.score.technology_score` from TRL and class fit;
- **elements** it contains (``kind`` ``"element"``, route ``composition``) with their
  recoverable mass (given and formula-derived components), flagged when on an EU critical
  raw materials list (``match/element_lists.rq``), scored with
  :func:`catalogue.matching.score.element_score`.

Everything is read over the dataset the caller may see (``access.view_for``; anonymous
by default): a supply it may not see is reported as unknown, hidden demands never appear.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pyoxigraph
from pyoxigraph import NamedNode

from catalogue import queries
from catalogue.access import ANONYMOUS, Caller, view_for
from catalogue.errors import SidestreamError
from catalogue.ingest.resolve import Vocabulary, local_name
from catalogue.matching import score as weights
from catalogue.matching.demand import (
    Hierarchy,
    OneSupply,
    Supply,
    Technology,
    element_symbol,
    find_candidates,
    hierarchy,
    ontology_rows,
    read_demands,
    read_supplies,
    score_pair,
    stream_of,
    technologies,
    term_label,
)
from catalogue.matching.explain import fraction_text, number
from catalogue.matching.recoverable import combined_qualifier, element_mass
from catalogue.matching.results import MatchResult, Recoverable
from catalogue.store.base import CatalogueStore, Row, View

SS = "https://w3id.org/sidestream/ontology/"
CRM_SCHEME = "https://w3id.org/sidestream/vocab/crm/crm-"
"""IRI prefix of the EU lists (``crm-2023``, ``crm-2020``): the year follows."""


class SupplyNotFound(SidestreamError):
    """The identifier names no supply the caller may see (no stream at all, or a demand)."""


def _text(row: Row, key: str) -> str | None:
    term = row.get(key)
    return None if term is None else str(term.value)  # type: ignore[union-attr]


def _stream(store: CatalogueStore, identifier: str, view: View) -> str:
    """The IRI of the visible supply ``identifier``; raises :class:`SupplyNotFound`."""
    kinds = stream_of(store, identifier, view)
    supplies = sorted(stream for stream, kind in kinds.items() if kind == "Supply")
    if supplies:
        return supplies[0]
    if kinds:
        raise SupplyNotFound(
            f"'{identifier}' is a demand, not a supply; match --supply takes a supply "
            "identifier (use match --demand for a demand)"
        )
    raise SupplyNotFound(f"no supply with identifier {identifier}")


# --------------------------------------------------------------------------- demands


def _demands(
    store: CatalogueStore, supply: Supply, view: View, vocabulary: Vocabulary
) -> list[MatchResult]:
    """The visible demands ``supply`` is a candidate for, scored as demand-first does.

    Every demand is read at once (``match/demands.rq`` then two queries for all of them);
    the candidate routes are then found against this one supply's own classes and
    elements (:class:`OneSupply`), so the cost does not grow with queries per demand.
    """
    found: dict[str, Row] = {}
    for row in store.select(queries.bind(queries.load("match/demands")), view):
        found.setdefault(_text(row, "stream") or "", row)
    demands = read_demands(store, list(found), vocabulary, view)
    source = OneSupply(supply)
    results: list[MatchResult] = []
    for stream, demand in sorted(demands.items()):
        if stream == supply.iri:
            continue
        candidates, holding = find_candidates(demand, source)
        routes = candidates.get(supply.iri)
        if not routes:
            continue
        best = score_pair(demand, supply, routes, holding.get(supply.iri, set()))
        if best is None:
            continue
        row = found[stream]
        results.append(
            replace(
                best,
                identifier=_text(row, "identifier") or local_name(stream),
                name=demand.name,
                explanation=f"could serve {demand.name}: {best.explanation}",
                basis=None,
                organisation=_text(row, "organisationName"),
                country=_text(row, "country"),
                reference_year=None,
                kind="demand",
            )
        )
    return results


# --------------------------------------------------------------------------- technologies


def class_fit(materials: Hierarchy, classes: frozenset[str], accepted: str) -> float:
    """How well a technology input ``accepted`` fits a supply typed with ``classes``.

    1 when it is the supply's most specific class; depth(input) / depth(own) when it is a
    broader class (the technology takes any of them, not this one in particular);
    depth(own) / depth(input) when it is narrower (only a part or grade of the stream
    fits); 0 when unrelated.
    """
    own = materials.most_specific(classes)
    if own is None:
        return 0.0
    if accepted in materials.ancestors(own):
        return materials.depth(accepted) / materials.depth(own)
    narrower = [term for term in classes if term in materials.ancestors(accepted)]
    if narrower and own in materials.ancestors(accepted):
        return materials.depth(own) / materials.depth(accepted)
    return 0.0


def _technologies(supply: Supply) -> list[MatchResult]:
    """Technologies whose typical input fits the supply's class, with outputs and TRL."""
    materials = hierarchy()
    classes = frozenset(supply.classes)
    own = materials.most_specific(classes)
    if own is None:
        return []
    results: list[MatchResult] = []
    for technology in technologies():
        fits = {term: class_fit(materials, classes, term) for term in technology.inputs}
        accepted = max(sorted(fits), key=lambda term: fits[term], default=None)
        if accepted is None or fits[accepted] < weights.TECHNOLOGY_CLASS_MINIMUM:
            continue
        results.append(_technology_result(supply, technology, accepted, fits[accepted]))
    return results


def _technology_result(
    supply: Supply, technology: Technology, accepted: str, fit: float
) -> MatchResult:
    materials = hierarchy()
    own = materials.most_specific(frozenset(supply.classes)) or accepted
    takes = materials.label(accepted)
    if accepted != own and own in materials.ancestors(accepted):
        takes += f", a part of {materials.label(own)}"
    parts = [f"accepts {takes}"]
    outputs = sorted(materials.label(term) for term in technology.outputs)
    if outputs:
        parts.append("yields " + " and ".join(outputs))
    symbols: list[str] = []
    masses: list[Decimal] = []
    for element in sorted(technology.elements):
        if element in supply.elements:
            symbols.append(element_symbol(element))
            mass = element_mass(supply.quantity, supply.element_fraction(element))
            if mass is not None:
                masses.append(mass)
    recovered = sorted(element_symbol(element) for element in technology.elements)
    if recovered:
        parts.append("recovers " + ", ".join(recovered))
    recoverable: Recoverable | None = None
    if symbols:
        total = sum(masses, Decimal(0)) if masses else None
        unit = supply.quantity.unit if total is not None and supply.quantity else None
        recoverable = Recoverable("+".join(symbols), total, unit)
        if total is not None:
            parts.append(f"about {number(total)} {unit} of {'+'.join(symbols)} in this stream")
    parts.append("TRL unknown" if technology.trl is None else f"TRL {technology.trl}")
    return MatchResult(
        identifier=local_name(technology.iri),
        name=technology.label,
        score=weights.technology_score(technology.trl, fit),
        route="technology",
        explanation="; ".join(parts),
        recoverable=recoverable,
        kind="technology",
    )


# --------------------------------------------------------------------------- elements


def _lists(elements: list[str]) -> dict[str, tuple[int, bool]]:
    """Element IRI -> (latest EU list year, strategic there) for listed elements."""
    if not elements:
        return {}
    found: dict[str, tuple[int, bool]] = {}
    rows = ontology_rows("element_lists", {"element": [NamedNode(e) for e in elements]})
    for row in rows:
        element, scheme = str(row["element"].value), str(row["scheme"].value)  # type: ignore[union-attr]
        year_text = scheme.removeprefix(CRM_SCHEME)
        if not scheme.startswith(CRM_SCHEME) or not year_text.isdigit():
            continue
        strategic = row["strategic"]
        flag = isinstance(strategic, pyoxigraph.Literal) and strategic.value in ("true", "1")
        year = int(year_text)
        previous = found.get(element)
        if previous is None or year > previous[0] or (year == previous[0] and flag):
            found[element] = (year, flag)
    return found


def _elements(supply: Supply) -> list[MatchResult]:
    """One result per element the supply holds, with its recoverable mass and CRM flag."""
    listed = _lists(sorted(supply.elements))
    masses = {
        element: element_mass(supply.quantity, supply.element_fraction(element))
        for element in supply.elements
    }
    largest = max((mass for mass in masses.values() if mass is not None), default=None)
    unit = supply.quantity.unit if supply.quantity is not None else None
    results: list[MatchResult] = []
    for element in sorted(supply.elements):
        symbol, name = element_symbol(element), term_label(element)
        fraction, mass = supply.element_fraction(element), masses[element]
        words = name
        if element in listed:
            year, strategic = listed[element]
            words += f", critical raw material (EU {year})"
            if strategic:
                words += ", strategic"
        if fraction is None:
            detail = "mass fraction not given, so the recoverable mass is unknown"
        elif supply.quantity is None:
            detail = f"{fraction_text(fraction)}; quantity unknown, so the mass is unknown"
        elif mass is None:
            detail = (
                f"{fraction_text(fraction)}; the quantity is in {supply.quantity.unit}, "
                "not a mass, so the recoverable mass is unknown"
            )
        else:
            how = combined_qualifier({fraction.qualifier, supply.quantity.estimate.qualifier})
            detail = f"{how} {number(mass)} {supply.quantity.unit} ({fraction_text(fraction)})"
        share = None if mass is None or not largest else float(mass / largest)
        results.append(
            MatchResult(
                identifier=symbol,
                name=name,
                score=weights.element_score(share, critical=element in listed),
                route="composition",
                explanation=f"{words}: {detail}",
                recoverable=Recoverable(symbol, mass, unit if mass is not None else None),
                basis=supply.basis,  # type: ignore[arg-type]
                reference_year=supply.year,
                kind="element",
            )
        )
    return results


# --------------------------------------------------------------------------- entry point


def match_supply(
    store: CatalogueStore,
    identifier: str,
    *,
    top: int | None = None,
    caller: Caller = ANONYMOUS,
    year: int | None = None,
) -> list[MatchResult]:
    """Demands, technologies and elements for the supply ``identifier``, best first.

    At most ``top`` results, over the dataset ``caller`` may see. Raises
    :class:`SupplyNotFound` when ``identifier`` names no supply visible to it, or names
    a demand.
    """
    vocabulary = Vocabulary.load()
    view = view_for(store, caller, year)
    iri = _stream(store, identifier, view)
    supply = read_supplies(store, [iri], vocabulary, view).get(iri)
    if supply is None:
        raise SupplyNotFound(f"no supply with identifier {identifier}")
    results = [*_demands(store, supply, view, vocabulary), *_technologies(supply)]
    results += _elements(supply)
    order = {"demand": 0, "technology": 1, "element": 2}
    results.sort(key=lambda r: (-r.score, order.get(r.kind or "", 3), r.identifier))
    return results if top is None else results[:top]
