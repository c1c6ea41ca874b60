"""How critical an element is and how much of it the catalogue holds: the element pages.

The Eyde cluster's roadmap asks to assess "the applications and the criticality of each
CRM" in the sidestream database (seeds [002] L1222-1235). For an element, element group
or list entry (read as ``match --element`` reads it) this gives, per element:

- the EU lists it is on: critical raw materials 2020 (COM(2020) 474), critical 2023 and
  strategic 2023 (Regulation (EU) 2024/1252), from ``ontology/vocab/crm.ttl`` through
  ``match/element_lists.rq``, directly or through a group entry;
- its main applications as the ontology records them (``ss:mainApplication`` in
  ``ontology/modules/core.ttl``, ``pages/main_applications.rq``), with their source;

and, for the whole name, the recoverable mass the supplies a caller may see hold, by
category (flows in t/a, stocks and deposits in t): the CRM-first results summed
(:func:`catalogue.matching.recoverable.totals_by_category`), so the page's totals are
those of the supplies it lists.

:func:`held_critical_elements` is the index: every listed element the caller's supplies
hold, with the same totals summed in SPARQL from the estimates materialised at load time
(``pages/example_totals_per_critical_raw_material.rq``, also an example on the query
page). Everything about the catalogue runs over the caller's view
(:func:`catalogue.access.view_for`); lists and applications are the public ontology.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyoxigraph
from pyoxigraph import NamedNode

from catalogue import queries
from catalogue.access import ANONYMOUS, Caller, view_for
from catalogue.ingest.resolve import Vocabulary, local_name
from catalogue.matching.crm import ElementQuery
from catalogue.matching.demand import term_label
from catalogue.matching.recoverable import CategoryTotal, totals_by_category
from catalogue.matching.results import MatchResult
from catalogue.namespaces import CRM
from catalogue.store.base import CatalogueStore

LIST_ORDER = ("crm-2020", "crm-2023", "srm-2023")
"""The EU lists, oldest first, by the local name of their concept scheme."""


@dataclass(frozen=True)
class Listing:
    """One EU list an element is on: its scheme's local name and label."""

    scheme: str
    label: str

    def to_dict(self) -> dict[str, str]:
        return {"list": self.scheme, "label": self.label}


@dataclass(frozen=True)
class ElementFacts:
    """What the ontology says of one element's criticality."""

    symbol: str
    label: str
    lists: tuple[Listing, ...]
    applications: dict[str, tuple[str, ...]]
    """Main applications by language tag (``en``, ``nb``); empty when none is recorded."""
    source: str | None

    @property
    def critical(self) -> bool:
        return any(listing.scheme.startswith("crm-") for listing in self.lists)

    @property
    def strategic(self) -> bool:
        return any(listing.scheme == "srm-2023" for listing in self.lists)

    def to_dict(self) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "label": self.label,
            "lists": [listing.to_dict() for listing in self.lists],
            "critical": self.critical,
            "strategic": self.strategic,
            "applications": {lang: list(texts) for lang, texts in self.applications.items()},
            "applications_source": self.source,
        }


@dataclass(frozen=True)
class Criticality:
    """An element page's facts: each element's, and what the visible supplies hold."""

    label: str
    elements: tuple[ElementFacts, ...]
    totals: tuple[CategoryTotal, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "elements": [element.to_dict() for element in self.elements],
            "recoverable": [total.to_dict() for total in self.totals],
        }


@dataclass(frozen=True)
class Holding:
    """A listed element the visible supplies hold, with its recoverable mass by category."""

    element: ElementFacts
    supplies: int
    quantified: int
    """Supplies whose recoverable mass of the element is known."""
    flow: Decimal
    """t/a"""
    stock: Decimal
    """t, stocks that are not deposits"""
    deposit: Decimal
    """t"""

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.element.to_dict(),
            "supplies": self.supplies,
            "quantified": self.quantified,
            "recoverable": {
                "flow": {"mass": float(self.flow), "unit": "t/a"},
                "stock": {"mass": float(self.stock), "unit": "t"},
                "deposit": {"mass": float(self.deposit), "unit": "t"},
            },
        }


def criticality(found: ElementQuery, results: Iterable[MatchResult]) -> Criticality:
    """The facts of the elements ``found`` names and the totals of ``results``, the
    CRM-first results for that name over the caller's view."""
    facts = element_facts(list(found.elements.values()))
    return Criticality(
        found.label,
        tuple(facts[iri.value] for iri in found.elements.values()),
        tuple(totals_by_category(results)),
    )


def element_facts(elements: list[NamedNode]) -> dict[str, ElementFacts]:
    """Element IRI -> its lists, main applications and label, from the ontology."""
    if not elements:
        return {}
    from catalogue.ontology import load_store

    vocabulary = Vocabulary.load()
    ontology = load_store()
    lists: dict[str, set[str]] = defaultdict(set)
    for row in _rows(ontology, "match/element_lists", elements):
        scheme = str(row["scheme"].value)  # type: ignore[union-attr]
        if scheme.startswith(str(CRM)):
            lists[str(row["element"].value)].add(local_name(scheme))  # type: ignore[union-attr]
    applications: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    sources: dict[str, str] = {}
    for row in _rows(ontology, "pages/main_applications", elements):
        element = str(row["element"].value)  # type: ignore[union-attr]
        text = row["application"]
        assert isinstance(text, pyoxigraph.Literal)
        applications[element][text.language or "en"].append(text.value)
        source = row["source"]
        if source is not None:
            sources[element] = str(source.value)
    facts = {}
    for iri in elements:
        element = iri.value
        facts[element] = ElementFacts(
            symbol=local_name(element),
            label=vocabulary.label(element),
            lists=tuple(
                Listing(scheme, term_label(str(CRM[scheme])))
                for scheme in LIST_ORDER
                if scheme in lists[element]
            ),
            applications={lang: tuple(texts) for lang, texts in applications[element].items()},
            source=sources.get(element),
        )
    return facts


def held_critical_elements(
    store: CatalogueStore, *, caller: Caller = ANONYMOUS, year: int | None = None
) -> list[Holding]:
    """Every element on an EU list that the supplies ``caller`` may see hold, most held
    first, with the recoverable mass in flows, stocks and deposits."""
    text = queries.bind(queries.load("pages/example_totals_per_critical_raw_material"))
    rows = store.select(text, view_for(store, caller, year))
    facts = element_facts([NamedNode(str(row["element"].value)) for row in rows])
    holdings = []
    for row in rows:
        element = facts[str(row["element"].value)]
        if not element.lists:
            continue
        holdings.append(
            Holding(
                element,
                int(row["supplies"].value),
                int(row["quantified"].value),
                Decimal(row["flowTonnesPerYear"].value),
                Decimal(row["stockTonnes"].value),
                Decimal(row["depositTonnes"].value),
            )
        )
    return holdings


def _rows(
    ontology: pyoxigraph.Store, name: str, elements: list[NamedNode]
) -> list[pyoxigraph.QuerySolution]:
    solutions = ontology.query(queries.bind(queries.load(name), {"element": list(elements)}))
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    return list(solutions)
