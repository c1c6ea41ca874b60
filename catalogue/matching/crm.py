"""CRM-first matching: the supplies that hold an element, ranked by recoverable mass.

``match_element(store, "V")`` resolves the text to the elements it stands for (an
element by symbol or name, an element group such as ``HREE`` or ``rare earth
elements``, or a raw-material list entry such as ``phosphate rock`` -> phosphorus) with
``catalogue/queries/match/elements_of.rq`` on the ontology, ranks the supplies that hold
them in SPARQL on the recoverable-mass estimates materialised at load time
(:mod:`catalogue.inference`): ``match/crm_leading.rq`` over the leading holders each
level graph lists when ``top`` is at most ``inference.LEADING``, else
``match/crm_ranking.rq`` over every holder; then reads the details of the first ``top``
only with ``match/crm_candidates.rq``, and scores and explains them here. Without a
``top``, ``match/crm_holders.rq`` reads every holder at once. All of it over the
dataset the caller may see (:mod:`catalogue.access`).

Ranking: flows (``t/a``) first, then stocks (``t``), then supplies whose recoverable
mass is unknown (no quantity, or a quantity that is not a mass); within each, by
recoverable mass, largest first. Deposits (landfills and legacy deposits, ``ss:Deposit``)
are stocks and rank among them by mass: the ranking is computed in SPARQL on keys
materialised at load time, which know flows from stocks only, and a tonne in a deposit
is no less a tonne than one in a stockpile; each result's ``category`` (``flow``,
``stock`` or ``deposit``, from ``match/deposit_facts.rq``) tells them apart, and a
deposit's explanation names its accessibility and status.

``score`` is the mass over the largest mass of the same basis (1 for the top flow and for
the top stock or deposit; t/a and t do not compare), 0 when the mass is unknown. Several
elements of a group in one supply are summed into one result (``recoverable.element``
``"Dy+Y"``).

Visibility: the query runs over the dataset ``caller`` may see (``access.view_for``),
anonymous by default, the same as an anonymous caller of ``GET /match``. The
command line uses that default too, so what it prints could be shown to anyone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

import pyoxigraph
from pyoxigraph import NamedNode

from catalogue import queries
from catalogue.access import ANONYMOUS, Caller, view_for
from catalogue.errors import InputError
from catalogue.inference import LEADING
from catalogue.ingest.resolve import Vocabulary, local_name
from catalogue.matching.explain import amount_text, fraction_text, number
from catalogue.matching.recoverable import (
    Estimate,
    Qualifier,
    QuantityEstimate,
    basis_of,
    combined_qualifier,
    element_mass,
    estimate,
    quantity_estimate,
)
from catalogue.matching.results import Basis, Category, MatchResult, Recoverable
from catalogue.store.base import CatalogueStore, Row, View

_ELEMENT_KINDS = ("element", "raw-material", "element-group")


@dataclass(frozen=True)
class ElementQuery:
    """What a text named: the term, its label, and the element symbols it stands for."""

    term: NamedNode
    label: str
    elements: dict[str, NamedNode]


@dataclass
class _Part:
    """One element component of a supply (given, or derived from a formula)."""

    symbol: str
    fraction: Estimate | None
    formula: str | None = None
    formula_fraction: Estimate | None = None


@dataclass(frozen=True)
class DepositFacts:
    """What a deposit says of itself beyond a supply: code-list notations, or None."""

    accessibility: str | None
    status: str | None


@dataclass
class _Supply:
    """A candidate supply gathered from the query rows."""

    identifier: str
    names: dict[str, str] = field(default_factory=dict)
    parts: dict[str, _Part] = field(default_factory=dict)
    quantity: QuantityEstimate | None = None
    basis: Basis | None = None
    year: int | None = None
    organisation: str | None = None
    country: str | None = None
    deposit: DepositFacts | None = None
    """Set when the supply is a deposit (``ss:Deposit``)."""

    @property
    def name(self) -> str:
        for language in ("en", "", "nb"):
            if language in self.names:
                return self.names[language]
        return next(iter(self.names.values()), self.identifier)


def resolve(text: str, vocabulary: Vocabulary | None = None) -> ElementQuery:
    """The elements ``text`` stands for.

    Raises :class:`InputError` (with suggestions) when ``text`` names nothing known, or
    names only a material class or application that no list entry shares a name with.
    """
    from catalogue.ontology import load_store

    vocabulary = vocabulary or Vocabulary.load()
    cleaned = text.strip()
    try:
        element = vocabulary.element(cleaned)
    except InputError as not_element:
        term, label = _non_element_term(cleaned, vocabulary, not_element)
    else:
        term, label = element.iri, element.label
    rows = load_store().query(queries.bind(queries.load("match/elements_of"), {"term": term}))
    assert isinstance(rows, pyoxigraph.QuerySolutions)
    elements = {
        str(row["symbol"].value): NamedNode(str(row["element"].value))  # type: ignore[union-attr]
        for row in rows
    }
    return ElementQuery(term, label, dict(sorted(elements.items())))


def _non_element_term(
    text: str, vocabulary: Vocabulary, not_element: InputError
) -> tuple[NamedNode, str]:
    """An element group or raw-material list entry named ``text``."""
    try:
        material = vocabulary.material(text, demand=True)
    except InputError as unknown:
        suggestions = tuple(dict.fromkeys(not_element.suggestions + unknown.suggestions))[:5]
        raise _unknown_error(text, suggestions) from None
    if material.kind in _ELEMENT_KINDS:
        return material.iri, material.label
    # A material class may share its name with a list entry ("phosphate rock"): the
    # entry is what an element search means.
    entry = vocabulary.material_among(text, _ELEMENT_KINDS)
    if entry is not None:
        return entry.iri, entry.label
    raise InputError(
        f"'{text}' is {material.label}, a material, not an element, element group or "
        "listed raw material",
        f"'{text}' er {material.label}, et materiale, ikke et grunnstoff, en "
        "grunnstoffgruppe eller et listet råmateriale",
        value=text,
        suggestions=not_element.suggestions,
    )


def _unknown_error(text: str, suggestions: tuple[str, ...]) -> InputError:
    quoted = ", ".join(f"'{suggestion}'" for suggestion in suggestions)
    en = f"unknown element, element group or raw material '{text}'"
    nb = f"ukjent grunnstoff, grunnstoffgruppe eller råmateriale '{text}'"
    if suggestions:
        en += f"; did you mean {quoted}?"
        nb += f"; mente du {quoted}?"
    return InputError(en, nb, value=text, suggestions=suggestions)


def match_element(
    store: CatalogueStore,
    text: str,
    *,
    top: int | None = None,
    caller: Caller = ANONYMOUS,
    year: int | None = None,
) -> list[MatchResult]:
    """Supplies holding what ``text`` names, best first (at most ``top`` of them).

    Read over the dataset ``caller`` may see; a known element that no visible supply
    holds gives ``[]``. Raises
    :class:`InputError` when ``text`` names no element, group or list entry.
    """
    vocabulary = Vocabulary.load()
    query = resolve(text, vocabulary)
    if not query.elements:
        return []
    view = view_for(store, caller, year)
    elements = list(query.elements.values())
    if top is None:
        # Every holder is wanted: one query, no ranking query and no list of IRIs.
        rows = store.select(
            queries.bind(queries.load("match/crm_holders"), {"element": elements}), view
        )
    else:
        # Rank in SPARQL on the estimates materialised at load time, then read the details
        # of the first ``top`` only: reading every holder's details took seconds at 100,000.
        if top <= LEADING:
            # Among the leading holders listed at load time: tens of rows, not every holder.
            ranking = queries.bind(queries.load("match/crm_leading"), {"term": query.term})
        else:
            ranking = queries.bind(queries.load("match/crm_ranking"), {"element": elements})
        rows = store.select(queries.paginate(ranking, top), view)
        ranked = list(dict.fromkeys(str(row["stream"].value) for row in rows))
        if ranked:
            rows = store.select(
                queries.bind(
                    queries.load("match/crm_candidates"),
                    {"element": elements, "stream": [NamedNode(stream) for stream in ranked]},
                ),
                view,
            )
        else:
            # No ranking keys: no visible holder, or a store loaded before the keys were
            # materialised. Every holder is read and ranked here: slower, never wrong.
            rows = store.select(
                queries.bind(queries.load("match/crm_holders"), {"element": elements}), view
            )
    symbols = {iri.value: symbol for symbol, iri in query.elements.items()}
    supplies: dict[str, _Supply] = {}
    for row in rows:
        stream = row["stream"].value
        supply = supplies.get(stream)
        if supply is None:
            supply = supplies[stream] = _supply(row, stream, vocabulary)
        name = row.get("name")
        if isinstance(name, pyoxigraph.Literal):
            supply.names.setdefault(name.language or "", name.value)
        component = row["component"].value
        if component not in supply.parts:
            supply.parts[component] = _part(row, symbols[row["element"].value])
    for stream, facts in deposit_facts(store, list(supplies), view).items():
        supplies[stream].deposit = facts
    # The first of each basis in the SPARQL order is its largest mass, so the scores
    # ``_rank`` gives the cut list are those of the whole list.
    results = _rank([_result(supply, vocabulary) for supply in supplies.values()])
    return results if top is None else results[:top]


def deposit_facts(store: CatalogueStore, streams: list[str], view: View) -> dict[str, DepositFacts]:
    """The deposits among ``streams`` (IRIs) that ``view`` shows, with their facts."""
    if not streams:
        return {}
    text = queries.bind(
        queries.load("match/deposit_facts"),
        {"stream": [NamedNode(stream) for stream in streams]},
    )
    found: dict[str, DepositFacts] = {}
    for row in store.select(text, view):
        accessibility, status = _text(row, "accessibility"), _text(row, "status")
        found[str(row["stream"].value)] = DepositFacts(
            None if accessibility is None else local_name(accessibility),
            None if status is None else local_name(status),
        )
    return found


def _decimal(row: Row, key: str) -> Decimal | None:
    term = row.get(key)
    return None if term is None else Decimal(term.value)  # type: ignore[union-attr]


def _text(row: Row, key: str) -> str | None:
    term = row.get(key)
    return None if term is None else str(term.value)  # type: ignore[union-attr]


def _supply(row: Row, stream: str, vocabulary: Vocabulary) -> _Supply:
    identifier = _text(row, "identifier") or stream.rsplit("/", 1)[-1]
    supply = _Supply(identifier)
    unit = _text(row, "unit")
    factor, base_unit = _decimal(row, "factor"), _text(row, "baseUnit")
    if unit is not None and (factor is None or base_unit is None):
        known = {resolved.iri.value: resolved for resolved in vocabulary.units().values()}
        if unit in known:
            factor, base_unit = known[unit].factor_to_base, known[unit].base_unit_notation
    if factor is not None and base_unit is not None:
        supply.quantity = quantity_estimate(
            _decimal(row, "value"),
            _decimal(row, "minimum"),
            _decimal(row, "maximum"),
            factor=factor,
            base_unit=base_unit,
        )
    given_basis = _text(row, "basis")
    supply.basis = basis_of(None if given_basis is None else local_name(given_basis), base_unit)
    year = _text(row, "year")
    supply.year = None if year is None else int(year)
    supply.organisation = _text(row, "organisationName")
    supply.country = _text(row, "country")
    return supply


def _part(row: Row, symbol: str) -> _Part:
    fraction = estimate(
        _decimal(row, "fraction"), _decimal(row, "fractionMin"), _decimal(row, "fractionMax")
    )
    formula = _text(row, "formula")
    formula_fraction = estimate(
        _decimal(row, "formulaFraction"), _decimal(row, "formulaMin"), _decimal(row, "formulaMax")
    )
    return _Part(symbol, fraction, formula, formula_fraction)


def _result(supply: _Supply, vocabulary: Vocabulary) -> MatchResult:
    """One supply's result, with score 0 until ``_rank`` sets it."""
    parts = sorted(supply.parts.values(), key=lambda part: (part.symbol, part.formula or ""))
    by_element: dict[str, list[_Part]] = defaultdict(list)
    for part in parts:
        by_element[part.symbol].append(part)
    masses: dict[str, Decimal] = {}
    qualifiers: set[Qualifier] = set()
    for symbol, element_parts in by_element.items():
        element_masses = [element_mass(supply.quantity, part.fraction) for part in element_parts]
        known = [mass for mass in element_masses if mass is not None]
        if known:
            masses[symbol] = sum(known, Decimal(0))
            qualifiers |= {part.fraction.qualifier for part in element_parts if part.fraction}
    if masses and supply.quantity is not None:
        qualifiers.add(supply.quantity.estimate.qualifier)
    total = sum(masses.values(), Decimal(0)) if masses else None
    unit = supply.quantity.unit if total is not None and supply.quantity else None
    element = "+".join(by_element)
    explanation = _explanation(supply, parts, masses, total, unit, qualifiers, vocabulary)
    category: Category = (
        "deposit" if supply.deposit is not None else "stock" if supply.basis == "stock" else "flow"
    )
    return MatchResult(
        identifier=supply.identifier,
        name=supply.name,
        score=0.0,
        route="composition",
        explanation=explanation,
        recoverable=Recoverable(element=element, mass=total, unit=unit),
        basis=supply.basis,
        organisation=supply.organisation,
        country=supply.country,
        reference_year=supply.year,
        category=category,
    )


def _explanation(
    supply: _Supply,
    parts: list[_Part],
    masses: dict[str, Decimal],
    total: Decimal | None,
    unit: str | None,
    qualifiers: set[Qualifier],
    vocabulary: Vocabulary,
) -> str:
    contents = "; ".join(_part_text(part) for part in parts)
    if supply.quantity is None:
        amount = supply.name
        outcome = "quantity unknown, so the recoverable mass is unknown"
    else:
        amount = f"{amount_text(supply.quantity.estimate, supply.quantity.unit)} {supply.name}"
        if not supply.quantity.is_mass:
            outcome = (
                f"the quantity is in {supply.quantity.unit}, not a mass, so the recoverable "
                "mass is unknown"
            )
        elif total is None:
            outcome = "no mass fraction given, so the recoverable mass is unknown"
        else:
            how = combined_qualifier(qualifiers)
            if len(masses) == 1:
                symbol = next(iter(masses))
                what = vocabulary.element(symbol).label
                outcome = f"{how} {number(total)} {unit} {what}"
            else:
                each = ", ".join(f"{symbol} {number(mass)}" for symbol, mass in masses.items())
                outcome = f"{how} {number(total)} {unit} in all ({each})"
    if supply.deposit is not None:
        context = (
            "deposit (a standing amount, ranked with the stocks after the flows); "
            f"accessibility {supply.deposit.accessibility or 'not stated'}, "
            f"status {supply.deposit.status or 'not stated'}"
        )
    elif supply.basis == "stock":
        context = "stock (a standing amount, listed after the flows)"
    elif supply.basis == "flow":
        context = "flow"
    else:
        context = "flow or stock not stated"
    if supply.year is not None:
        context += f", {supply.year}"
    return f"contains {contents} in {amount}: {outcome}; {context}"


def _part_text(part: _Part) -> str:
    own = "mass fraction not given" if part.fraction is None else fraction_text(part.fraction)
    if part.formula is None:
        return f"{part.symbol} {own}"
    given = "" if part.formula_fraction is None else f" {fraction_text(part.formula_fraction)}"
    return f"{part.formula}{given} ({part.symbol} {own})"


def _rank(results: list[MatchResult]) -> list[MatchResult]:
    """Flows, then stocks, then unknown masses; by mass within each; scores per basis."""

    def mass(result: MatchResult) -> Decimal | None:
        return None if result.recoverable is None else result.recoverable.mass

    largest: dict[str | None, Decimal] = {}
    for result in results:
        value = mass(result)
        if value is not None and value > largest.get(result.basis, Decimal(0)):
            largest[result.basis] = value

    def key(result: MatchResult) -> tuple[int, int, Decimal, str]:
        value = mass(result)
        group = 0 if result.basis == "flow" else 1
        if value is None:
            return (1, group, Decimal(0), result.identifier)
        return (0, group, -value, result.identifier)

    ranked = []
    for result in sorted(results, key=key):
        value, top = mass(result), largest.get(result.basis)
        score = 0.0 if value is None or not top else round(float(value / top), 4)
        ranked.append(replace(result, score=score))
    return ranked
