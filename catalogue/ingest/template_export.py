"""The catalogue's streams back into template rows: the inverse of ``to_rdf``'s mapping.

``template_rows(store, view)`` gives one ``{column: text}`` per stream the view holds
(optionally one organisation's), in identifier order, with the cells a steward would
have written: only the columns that have a value (an absent column is an empty cell,
as in :class:`~catalogue.ingest.template.TemplateRow`), each written so that
``read_template`` and ``map_template`` read it back to the same statements.

- Terms (material, process, NACE, List of Waste, units, code lists, elements) are
  written as their notation or symbol, else their English label, else their local name:
  the first of these that :class:`~catalogue.ingest.resolve.Vocabulary` resolves back to
  the same term (labels shared by several terms would resolve elsewhere).
- ``composition`` holds the components or requirements as written, in the order of
  their ``#component-N`` / ``#requirement-N`` fragments, as ``%`` (``V2O5=1.5 %;
  CaO=40 %``; ranges ``0.5-1.2 %``, bounds ``<=``, ``>=``), never the element
  components derived from a formula, which loading the formula computes again.
- Numbers are the stored decimals' text (``220000``, ``0.5``); booleans ``yes``/``no``.

The statements are read from the asserted graphs of ``view``
(``catalogue/queries/export/*.rq``), so the caller's access decides what is exported.
A view should hold one version of each stream (the default view, or a ``year``'s);
with ``history=True`` the versions of a stream would mix in one row.

What the template cannot hold is not exported: statements RDF submissions add beyond
the template's columns, a second name or description language, and component IRIs
that do not follow the ``#component-N`` pattern (loading the row mints them again).

``write_csv`` and ``write_xlsx`` write rows in the template layout through
``catalogue.ingest.template_writer`` (the XLSX with its drop-down lists and help).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pyoxigraph import Literal, NamedNode, QuerySolutions

from catalogue import queries
from catalogue.errors import InputError
from catalogue.ingest.columns import NAMES
from catalogue.ingest.resolve import Vocabulary, local_name
from catalogue.ingest.template_writer import write_csv_template, write_xlsx_template
from catalogue.namespaces import RDF_TYPE, SS
from catalogue.ontology import load_store
from catalogue.store.base import CatalogueStore, View

Row = dict[str, str]
Statements = dict[str, dict[str, list[Any]]]
"""Subject IRI -> predicate IRI -> objects (pyoxigraph terms)."""

BATCH = 500
"""Streams whose statements one query reads."""

_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_DCTERMS = "http://purl.org/dc/terms/"
_GEO = "http://www.opengis.net/ont/geosparql#"
_POINT = re.compile(r"\s*POINT\s*\(\s*(\S+)\s+(\S+)\s*\)\s*", re.IGNORECASE)
_PART = re.compile(r"#(?:component|requirement)-(\d+)$")
_REQUESTS = ("requestsElement", "requestsRawMaterial", "requestsElementGroup")
_CODE_COLUMNS = (
    ("state", "physicalState", "state"),
    ("status", "status", "status"),
    ("treatment", "currentTreatment", "treatment"),
    ("accessibility", "accessibility", "accessibility"),
    ("deposit_status", "depositStatus", "deposit-status"),
    ("confidentiality", "confidentiality", "confidentiality"),
)
"""Template column, property and the code list its values come from."""


def ss(name: str) -> str:
    return str(SS[name])


# --------------------------------------------------------------------------- reading


def template_rows(
    store: CatalogueStore,
    view: View,
    *,
    organisation: NamedNode | None = None,
    vocabulary: Vocabulary | None = None,
) -> list[Row]:
    """One template row per stream in ``view`` (of ``organisation`` only, if given),
    ordered by identifier; see the module docstring for how each cell is written."""
    if organisation is None:
        query = queries.bind(queries.load("export/streams"))
    else:
        query = queries.bind(
            queries.load("export/organisation_streams"), {"organisation": organisation}
        )
    streams = [row["stream"] for row in store.select(query, view)]
    spell = Spellings(vocabulary or Vocabulary.load())
    asserted = asserted_view(store, view)
    rows: list[Row] = []
    for start in range(0, len(streams), BATCH):
        batch = streams[start : start + BATCH]
        statements = _statements(store, asserted, batch)
        rows.extend(stream_row(s.value, statements[s.value], spell) for s in batch)
    return rows


def asserted_view(store: CatalogueStore, view: View) -> View:
    """``view`` without its inferred graphs (``…/inferred``): the statements as written.

    Never more than ``view``; the whole store's asserted graphs for the internal view of
    everything."""
    graphs = store.named_graphs() if view.graphs is None else view.graphs
    return View(tuple(graph for graph in graphs if not graph.value.endswith("/inferred")))


def _statements(
    store: CatalogueStore, view: View, streams: list[NamedNode]
) -> dict[str, Statements]:
    """Stream IRI -> its statements (see ``export/template_statements.rq``)."""
    query = queries.bind(queries.load("export/template_statements"), {"stream": list(streams)})
    found: dict[str, Statements] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for row in store.select(query, view):
        objects = found[row["stream"].value][row["subject"].value][row["predicate"].value]
        if row["object"] not in objects:
            objects.append(row["object"])
    return found


class Spellings:
    """How a term is written in a cell so that the vocabulary resolves it to itself."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self._notations = _notations()
        self._known: dict[tuple[str, str], str] = {}

    def write(self, iri: str, resolve: Callable[[str], str], kind: str) -> str:
        """The first of the term's notations, English label and local name that ``resolve``
        (text -> IRI) gives back as ``iri``; the local name when none does."""
        known = self._known.get((kind, iri))
        if known is not None:
            return known
        candidates = [*self._notations.get(iri, ()), self.vocabulary.label(iri), local_name(iri)]
        chosen = candidates[-1]
        for text in dict.fromkeys(candidates):
            try:
                if resolve(text) == iri:
                    chosen = text
                    break
            except InputError:
                continue
        self._known[(kind, iri)] = chosen
        return chosen

    def material(self, iri: str, *, demand: bool) -> str:
        return self.write(
            iri,
            lambda text: self.vocabulary.material(text, demand=demand).iri.value,
            f"material-{demand}",
        )

    def process(self, iri: str) -> str:
        return self.write(iri, lambda text: self.vocabulary.process(text).iri.value, "process")

    def nace(self, iri: str) -> str:
        return self.write(iri, lambda text: self.vocabulary.nace(text).iri.value, "nace")

    def waste_code(self, iri: str) -> str:
        return self.write(iri, lambda text: self.vocabulary.waste_code(text).iri.value, "ewc")

    def unit(self, iri: str) -> str:
        return self.write(iri, lambda text: self.vocabulary.unit(text).iri.value, "unit")

    def element(self, iri: str) -> str:
        return self.write(iri, lambda text: self.vocabulary.element(text).iri.value, "element")

    def code(self, scheme: str, iri: str) -> str:
        return self.write(iri, lambda text: self.vocabulary.code(scheme, text).value, scheme)


@cache
def _notations() -> Mapping[str, tuple[str, ...]]:
    """Term IRI -> its notations and symbols, sorted (from the merged ontology, once)."""
    solutions = load_store().query(queries.bind(queries.load("export/term_notations")))
    assert isinstance(solutions, QuerySolutions)
    notations: dict[str, list[str]] = defaultdict(list)
    for solution in solutions:
        term, notation = solution["term"], solution["notation"]
        if isinstance(term, NamedNode) and isinstance(notation, Literal):
            notations[term.value].append(notation.value)
    return MappingProxyType({term: tuple(sorted(values)) for term, values in notations.items()})


# --------------------------------------------------------------------------- one row


def stream_row(stream: str, statements: Statements, spell: Spellings) -> Row:
    """The template row of ``stream`` from its statements (``template_statements.rq``)."""
    own = statements.get(stream, {})
    cells: Row = {}

    def first(subject: Mapping[str, list[Any]], predicate: str) -> Any:
        values = sorted(subject.get(predicate, []), key=str)
        return values[0] if values else None

    def put(column: str, value: str | None) -> None:
        if value is not None and value != "":
            cells[column] = value

    put("identifier", _text(first(own, _DCTERMS + "identifier")))
    types = own.get(RDF_TYPE, [])
    demand = NamedNode(ss("Demand")) in types
    deposit = NamedNode(ss("Deposit")) in types
    put("kind", "demand" if demand else "deposit" if deposit else "supply")
    name = _preferred(own.get(_RDFS_LABEL, []))
    put("name", _text(name))
    if name is not None:
        put("lang", name.language or "en")
        descriptions = own.get(_DCTERMS + "description", [])
        same = [d for d in descriptions if d.language == name.language]
        put("description", _text(_preferred(same or descriptions)))
    for column, predicate in (("organisation", "heldBy"), ("site", "atSite")):
        party = first(own, ss(predicate))
        if party is not None:
            put(column, _text(first(statements.get(party.value, {}), _RDFS_LABEL)))
    put("country", _text(first(own, ss("countryCode"))))
    _location(own, statements, put)
    for column, predicate, write in (
        ("nace", "naceActivity", spell.nace),
        ("process", "process", spell.process),
        ("ewc", "wasteCode", spell.waste_code),
    ):
        term = first(own, ss(predicate))
        if term is not None:
            put(column, write(term.value))
    _material(own, statements, spell, demand, put)
    for column, predicate, scheme in _CODE_COLUMNS:
        term = first(own, ss(predicate))
        if term is not None:
            put(column, spell.code(scheme, term.value))
    _quantity(own, statements, spell, put)
    put("composition", composition_text(stream, statements, spell, demand=demand))
    for composition in sorted(own.get(ss("hasComposition"), []), key=str):
        basis = first(statements.get(composition.value, {}), ss("compositionBasis"))
        if basis is not None:
            put("composition_basis", spell.code("composition-basis", basis.value))
    put("temperature_c", _text(first(own, ss("temperatureCelsius"))))
    put("hazardous", _yes_no(first(own, ss("hazardous"))))
    put("source", _text(first(own, _DCTERMS + "source")))
    return {column: cells[column] for column in NAMES if column in cells}


def _location(own: Mapping[str, list[Any]], statements: Statements, put: Any) -> None:
    for geometry in sorted(own.get(_GEO + "hasGeometry", []), key=str):
        for wkt in statements.get(geometry.value, {}).get(_GEO + "asWKT", []):
            point = _POINT.fullmatch(wkt.value)
            if point is not None:
                put("longitude", point[1])
                put("latitude", point[2])
                return


def _material(
    own: Mapping[str, list[Any]], statements: Statements, spell: Spellings, demand: bool, put: Any
) -> None:
    for resource in sorted(own.get(ss("hasResource"), []), key=str):
        classes = sorted(statements.get(resource.value, {}).get(RDF_TYPE, []), key=str)
        if classes:
            put("material", spell.material(classes[0].value, demand=demand))
            return
    for predicate in (*_REQUESTS, "requestsApplication"):
        requested = sorted(own.get(ss(predicate), []), key=str)
        if requested:
            put("material", spell.material(requested[0].value, demand=True))
            return


def _quantity(
    own: Mapping[str, list[Any]], statements: Statements, spell: Spellings, put: Any
) -> None:
    for quantity in sorted(own.get(ss("hasQuantity"), []), key=str):
        facts = statements.get(quantity.value, {})

        def one(predicate: str, facts: Mapping[str, list[Any]] = facts) -> Any:
            values = sorted(facts.get(ss(predicate), []), key=str)
            return values[0] if values else None

        for column, predicate in (
            ("quantity", "numericValue"),
            ("quantity_min", "minimumValue"),
            ("quantity_max", "maximumValue"),
            ("reference_year", "referenceYear"),
        ):
            put(column, _text(one(predicate)))
        unit = one("unit")
        if unit is not None:
            put("unit", spell.unit(unit.value))
        basis = one("basis")
        if basis is not None:
            put("basis", spell.code("basis", basis.value))
        put("approximate", _yes_no(one("approximate")))
        return


def composition_text(
    stream: str, statements: Statements, spell: Spellings, *, demand: bool
) -> str | None:
    """The ``composition`` cell: the parts as written, in fragment order; None if none."""
    own = statements.get(stream, {})
    if demand:
        nodes = own.get(ss("hasRequirement"), [])
    else:
        nodes = [
            component
            for composition in own.get(ss("hasComposition"), [])
            for component in statements.get(composition.value, {}).get(ss("hasComponent"), [])
        ]
    parts: list[tuple[int, str, str]] = []
    for node in set(nodes):
        facts = statements.get(node.value, {})
        if facts.get(ss("derivedFrom")):
            continue
        text = part_text(facts, spell)
        if text is not None:
            index = _PART.search(node.value)
            parts.append((int(index[1]) if index else 1 << 30, node.value, text))
    return "; ".join(text for _, _, text in sorted(parts)) or None


def part_text(facts: Mapping[str, list[Any]], spell: Spellings) -> str | None:
    """One component or requirement as a composition part, in ``%``."""
    formula = facts.get(ss("formula"), [])
    element = facts.get(ss("element"), [])
    if formula:
        subject = formula[0].value
    elif element:
        subject = spell.element(element[0].value)
    else:
        return None

    def percent(predicate: str) -> str | None:
        values = facts.get(ss(predicate), [])
        if not values:
            return None
        return format((Decimal(values[0].value) * 100).normalize(), "f")

    value, low, high = (
        percent("massFraction"),
        percent("minimumMassFraction"),
        percent("maximumMassFraction"),
    )
    if value is not None:
        return f"{subject}={value} %"
    if low is not None and high is not None:
        return f"{subject}={low}-{high} %"
    if high is not None:
        return f"{subject}<={high} %"
    if low is not None:
        return f"{subject}>={low} %"
    return None


def _preferred(literals: Iterable[Any]) -> Any:
    """English first, then untagged, then by language and text."""
    ranked = sorted(
        literals,
        key=lambda literal: (
            {"en": 0, None: 1}.get(literal.language, 2),
            literal.language or "",
            literal.value,
        ),
    )
    return ranked[0] if ranked else None


def _text(term: Any) -> str | None:
    return None if term is None else str(term.value)


def _yes_no(term: Any) -> str | None:
    if term is None:
        return None
    return "yes" if term.value in ("true", "1") else "no"


# --------------------------------------------------------------------------- writing


def write_csv(rows: Iterable[Mapping[str, str]], path: Path, *, lang: str = "en") -> Path:
    """The rows as a template CSV (UTF-8 with BOM; ``;``-delimited for ``nb``)."""
    write_csv_template(Path(path), lang=lang, rows=rows)
    return Path(path)


def write_xlsx(rows: Iterable[Mapping[str, str]], path: Path, *, lang: str = "en") -> Path:
    """The rows in the streams sheet of a template workbook (drop-downs, help, examples)."""
    write_xlsx_template(Path(path), lang=lang, rows=rows)
    return Path(path)
