"""Looking streams, organisations, sites and ontology terms up, as a caller may see them.

Every catalogue read here runs one ``catalogue/queries/lookup/*.rq`` file over the
caller's :class:`~catalogue.store.base.View`, so a stream the caller may not see is
absent from lists, counts and descriptions without any row being dropped here. Ontology
terms are read from the merged ontology (public, :func:`catalogue.ontology.load_store`).

The dictionaries returned (:func:`list_streams` items, :func:`stream_summary`) are the
JSON representations of the HTTP service and what its HTML pages render; their shapes
are documented on the functions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

import pyoxigraph
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from catalogue import queries
from catalogue.errors import InputError
from catalogue.namespaces import BASE, SS
from catalogue.store.base import CatalogueStore, Row, View

ANY = NamedNode("urn:sidestream:any")
"""What an unused IRI filter of ``lookup/stream_page.rq`` is bound to."""

KINDS = {"supply": NamedNode(str(SS.Supply)), "demand": NamedNode(str(SS.Demand))}
KIND_NAMES = {iri.value: name for name, iri in KINDS.items()}

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
DCTERMS = "http://purl.org/dc/terms/"
GEO = "http://www.opengis.net/ont/geosparql#"
VOCAB_BASE = BASE + "vocab/"
XSD_DECIMAL = NamedNode("http://www.w3.org/2001/XMLSchema#decimal")


@dataclass(frozen=True)
class StreamFilters:
    """The filters of ``GET /streams``, as given (``None``: not filtered)."""

    material: str | None = None
    """A material or energy class by label, alternative label, local name or IRI;
    subclasses match too."""
    element: str | None = None
    """An element by symbol or name, an element group (``HREE``) or a raw-material entry."""
    country: str | None = None
    """ISO 3166-1 alpha-2 code."""
    kind: str | None = None
    """``supply`` or ``demand``."""
    q: str | None = None
    """Words to find in the name or description (case-insensitive substring)."""
    min_quality: float | None = None
    """The lowest quality score (``ss:qualityScore``, 0 to 1) a stream may have."""

    def given(self) -> dict[str, str]:
        return {
            name: str(value)
            for name, value in vars(self).items()
            if value is not None and str(value).strip() != ""
        }


@dataclass(frozen=True)
class StreamPage:
    """One page of a stream list: ``items`` in identifier order and the filtered total."""

    total: int
    items: list[dict[str, Any]]


# --------------------------------------------------------------------------- filters


def filter_bindings(filters: StreamFilters) -> dict[str, NamedNode | Literal | list[Any]]:
    """The values ``lookup/stream_page.rq`` and ``stream_count.rq`` are bound to.

    Raises :class:`InputError` for a kind, material or element that names nothing.
    """
    from catalogue.ingest.resolve import Vocabulary
    from catalogue.matching.crm import resolve

    given = filters.given()
    kinds: list[NamedNode] = list(KINDS.values())
    if "kind" in given:
        kind = given["kind"].strip().lower()
        if kind not in KINDS:
            raise InputError(
                f"kind is 'supply' or 'demand', not {given['kind']!r}",
                f"kind er 'supply' eller 'demand', ikke {given['kind']!r}",
                value=given["kind"],
            )
        kinds = [KINDS[kind]]
    material = ANY
    if "material" in given:
        text = given["material"].strip()
        if text.startswith(str(SS)):
            material = NamedNode(text)
        else:
            material = Vocabulary.load().material(text, demand=False).iri
    elements: list[NamedNode] = [ANY]
    term = ANY
    if "element" in given:
        found = resolve(given["element"])
        term = found.term
        elements = list(found.elements.values()) or [found.term]
    country = given.get("country", "").strip().upper()
    text = given.get("q", "").strip().lower()
    return {
        "kind": kinds,
        "country": Literal(country),
        "material": material,
        "element": elements,
        "term": term,
        "text": Literal(text),
        "minQuality": _min_quality(filters.min_quality),
    }


def _min_quality(value: float | None) -> Literal:
    """The ``min_quality`` filter as an ``xsd:decimal`` (0: not filtered)."""
    if value is None:
        return Literal("0.0", datatype=XSD_DECIMAL)
    if not 0 <= value <= 1:
        raise InputError(
            f"min_quality is a score from 0 to 1, not {value}",
            f"min_quality er en poengsum fra 0 til 1, ikke {value}",
            value=str(value),
        )
    return Literal(format(Decimal(repr(float(value))), "f"), datatype=XSD_DECIMAL)


def count_streams(store: CatalogueStore, view: View, filters: StreamFilters) -> int:
    """How many streams the caller may see pass ``filters``."""
    return _count(store, view, filter_bindings(filters))


def _count(store: CatalogueStore, view: View, bindings: dict[str, Any]) -> int:
    rows = store.select(queries.bind(queries.load("lookup/stream_count"), bindings), view)
    return _int(rows[0].get("total")) if rows else 0


def list_streams(
    store: CatalogueStore, view: View, filters: StreamFilters, *, page: int, per_page: int
) -> StreamPage:
    """The ``page``-th page (1-based) of the streams that pass ``filters``.

    Each item::

        {"identifier": str, "iri": str, "kind": "supply" | "demand",
         "name": str, "lang": str | None,            # English name first, else any
         "material": str | None, "material_iri": str | None,
         #   the most specific class of a supply's resource, or what a demand requests
         "organisation": str | None, "organisation_iri": str | None,
         "country": str | None,
         "quantity": int | float | None,             # ss:numericValue
         "quantity_min": int | float | None, "quantity_max": int | float | None,
         "unit": str | None,                         # template symbol, e.g. "t/a"
         "basis": str | None,                        # "flow" | "stock"
         "year": int | None,
         "quality": float | None,                    # ss:qualityScore, 0 to 1
         "stale": bool}                              # not updated for two open rounds
    """
    bindings = filter_bindings(filters)
    total = _count(store, view, bindings)
    text = queries.bind(queries.load("lookup/stream_page"), bindings)
    rows = store.select(queries.paginate(text, per_page, (page - 1) * per_page), view)
    streams = [row["stream"] for row in rows if isinstance(row.get("stream"), NamedNode)]
    return StreamPage(total, stream_items(store, view, streams))


def stream_items(
    store: CatalogueStore, view: View, streams: list[NamedNode]
) -> list[dict[str, Any]]:
    """List items of ``streams``, in the order given (see :func:`list_streams`)."""
    if not streams:
        return []
    query = queries.bind(queries.load("lookup/stream_rows"), {"stream": list(streams)})
    gathered: dict[str, list[Row]] = defaultdict(list)
    for row in store.select(query, view):
        gathered[row["stream"].value].append(row)
    from catalogue.rounds import stale_streams

    stale = stale_streams(store, view, streams)
    return [
        _item(gathered[s.value]) | {"stale": s.value in stale}
        for s in streams
        if s.value in gathered
    ]


def _item(rows: list[Row]) -> dict[str, Any]:
    first = rows[0]
    names = {(_lang(row["name"])): row["name"].value for row in rows if "name" in row}
    lang = _preferred_language(names)
    classes = {row["class"].value for row in rows if "class" in row}
    requested = next((row["requested"].value for row in rows if "requested" in row), None)
    material = most_specific(classes) or requested
    unit = first.get("unit")
    organisation = first.get("organisation")
    return {
        "identifier": first["identifier"].value,
        "iri": first["stream"].value,
        "kind": KIND_NAMES.get(first["kind"].value),
        "name": names.get(lang, first["identifier"].value) if lang is not None else None,
        "lang": lang or None,
        "material": label_of(material) if material else None,
        "material_iri": material,
        "organisation": first["organisationName"].value if "organisationName" in first else None,
        "organisation_iri": organisation.value if organisation is not None else None,
        "country": first["country"].value if "country" in first else None,
        "quantity": _number(first.get("value")),
        "quantity_min": _number(first.get("minimum")),
        "quantity_max": _number(first.get("maximum")),
        "unit": unit_symbol(unit.value) if unit is not None else None,
        "basis": _local(first["basis"].value) if "basis" in first else None,
        "year": _int(first.get("year")) if "year" in first else None,
        "quality": _number(first.get("quality")),
    }


# --------------------------------------------------------------------------- one stream


def find_stream(store: CatalogueStore, view: View, identifier: str) -> NamedNode | None:
    """The IRI of the stream with ``identifier`` that the caller may see, else None."""
    query = queries.bind(
        queries.load("match/stream_by_identifier"), {"identifier": Literal(identifier)}
    )
    for row in store.select(query, view):
        stream = row.get("stream")
        if isinstance(stream, NamedNode):
            return stream
    return None


def stream_description(
    store: CatalogueStore, view: View, identifier: str
) -> tuple[NamedNode, list[Triple]] | None:
    """The IRI of the stream with ``identifier`` and its statements, its fragments' and
    its organisation's and site's labels; None when the caller may see no such stream."""
    return description_from(identifier, store.construct(stream_description_query(identifier), view))


def stream_description_query(identifier: str) -> str:
    """The query :func:`stream_description` runs (to run it elsewhere, e.g. in a worker
    process, and read its triples with :func:`description_from`)."""
    return queries.bind(
        queries.load("lookup/stream_description"), {"identifier": Literal(identifier)}
    )


def description_from(
    identifier: str, statements: Iterable[Triple]
) -> tuple[NamedNode, list[Triple]] | None:
    """:func:`stream_description` from the triples its query gave."""
    triples = _distinct(statements)
    # Identifiers are unique in the catalogue (publishing refuses a second one), so one
    # subject carries it; sorted all the same, so the answer never depends on row order.
    streams = sorted(
        t.subject.value
        for t in triples
        if t.predicate.value == DCTERMS + "identifier"
        and t.object == Literal(identifier)
        and isinstance(t.subject, NamedNode)
    )
    if not streams:
        return None
    return NamedNode(streams[0]), triples


def stream_graphs(store: CatalogueStore, view: View, stream: NamedNode) -> list[str]:
    """The visible named graphs that hold the stream's statements (its provenance)."""
    query = queries.bind(queries.load("lookup/stream_graphs"), {"stream": stream})
    return sorted(row["graph"].value for row in store.select(query, view) if "graph" in row)


def stream_summary(
    stream: NamedNode, triples: list[Triple], graphs: Iterable[str] = ()
) -> dict[str, Any]:
    """What a stream page shows, independent of any RDF syntax::

    {"identifier": str, "iri": str, "kind": "supply" | "demand" | None,
     "name": str | None, "names": {lang: str},    # "" for untagged text
     "description": str | None, "descriptions": {lang: str},
     "material": {"iri": str, "label": str} | None,
     "requests": [{"iri": str, "label": str, "property": str}],   # demands
     "organisation": {"iri": str, "name": str | None} | None,
     "site": {"iri": str, "name": str | None} | None,
     "country": str | None,
     "location": {"wkt": str, "longitude": float | None, "latitude": float | None} | None,
     "codes": [{"property": str, "iri": str, "label": str}],
     #   NACE activity, process, waste code, state, status, treatment, confidentiality
     "quantity": {"value", "minimum", "maximum": number | None, "unit": str | None,
                  "unit_iri": str | None, "basis": str | None, "year": int | None,
                  "approximate": bool | None} | None,
     "figures": [{"label": str, "value": str}],  # quantity, year, temperature, hazard
     "composition": [{"component": str, "element": str | None, "formula": str | None,
                      "fraction": number | None, "minimum": number | None,
                      "maximum": number | None, "bound": str | None,
                      "text": str, "derived_from": str | None}],
     "requirements": [same keys as composition],
     "quality": {"score", "completeness", "plausibility", "basis", "age": number | None,
                 "age_years": int | None,
                 "issues": {"en": [str], "nb": [str]}} | None,   # catalogue.quality
     "provenance": {"source": str | None, "graphs": [str]}}
    """
    by_subject: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for triple in triples:
        by_subject[triple.subject.value][triple.predicate.value].append(triple.object)
    own = by_subject.get(stream.value, {})

    def one(subject: dict[str, list[Any]], predicate: str) -> Any:
        values = subject.get(predicate, [])
        return values[0] if values else None

    kind = next((KIND_NAMES[t.value] for t in own.get(RDF_TYPE, []) if t.value in KIND_NAMES), None)
    names = {_lang(v): v.value for v in own.get(RDFS_LABEL, [])}
    descriptions = {_lang(v): v.value for v in own.get(DCTERMS + "description", [])}
    name_lang = _preferred_language(names)
    description_lang = _preferred_language(descriptions)

    material = None
    resource = one(own, str(SS.hasResource))
    if resource is not None:
        classes = {t.value for t in by_subject.get(resource.value, {}).get(RDF_TYPE, [])}
        iri = most_specific(classes)
        material = {"iri": iri, "label": label_of(iri)} if iri else None
    requests = [
        {"iri": value.value, "label": label_of(value.value), "property": _local(prop)}
        for prop in (
            "requestsElement",
            "requestsRawMaterial",
            "requestsElementGroup",
            "requestsApplication",
        )
        for value in own.get(str(SS[prop]), [])
    ]

    def party(predicate: str) -> dict[str, Any] | None:
        node = one(own, predicate)
        if node is None:
            return None
        label = one(by_subject.get(node.value, {}), RDFS_LABEL)
        return {"iri": node.value, "name": label.value if label is not None else None}

    location = None
    geometry = one(own, GEO + "hasGeometry")
    if geometry is not None:
        wkt = one(by_subject.get(geometry.value, {}), GEO + "asWKT")
        if wkt is not None:
            location = {"wkt": wkt.value, **_point(wkt.value)}

    codes = [
        {"property": _local(prop), "iri": value.value, "label": label_of(value.value)}
        for prop in (
            "naceActivity",
            "process",
            "wasteCode",
            "physicalState",
            "status",
            "currentTreatment",
            "accessibility",
            "depositStatus",
            "confidentiality",
        )
        for value in own.get(str(SS[prop]), [])
    ]

    quantity = None
    figures: list[dict[str, str]] = []
    quantity_node = one(own, str(SS.hasQuantity))
    if quantity_node is not None:
        q = by_subject.get(quantity_node.value, {})
        unit = one(q, str(SS.unit))
        basis = one(q, str(SS.basis))
        approximate = one(q, str(SS.approximate))
        quantity = {
            "value": _number(one(q, str(SS.numericValue))),
            "minimum": _number(one(q, str(SS.minimumValue))),
            "maximum": _number(one(q, str(SS.maximumValue))),
            "unit": unit_symbol(unit.value) if unit is not None else None,
            "unit_iri": unit.value if unit is not None else None,
            "basis": _local(basis.value) if basis is not None else None,
            "year": _int(one(q, str(SS.referenceYear))),
            "approximate": approximate.value == "true" if approximate is not None else None,
        }
        figures.append({"label": "quantity", "value": _quantity_text(quantity)})
        if quantity["year"] is not None:
            figures.append({"label": "reference year", "value": str(quantity["year"])})
    temperature = one(own, str(SS.temperatureCelsius))
    if temperature is not None:
        figures.append({"label": "temperature", "value": f"{_text_number(temperature)} °C"})
    hazardous = one(own, str(SS.hazardous))
    if hazardous is not None:
        figures.append(
            {"label": "hazardous", "value": "yes" if hazardous.value == "true" else "no"}
        )

    composition = []
    composition_node = one(own, str(SS.hasComposition))
    if composition_node is not None:
        parts = by_subject.get(composition_node.value, {}).get(str(SS.hasComponent), [])
        derived = [
            subject
            for subject, properties in by_subject.items()
            if properties.get(str(SS.derivedFrom))
            and any(p.value in {x.value for x in parts} for p in properties[str(SS.derivedFrom)])
        ]
        iris = list(dict.fromkeys([p.value for p in parts] + derived))
        composition = [
            _component(iri, by_subject.get(iri, {})) for iri in sorted(iris, key=_fragment_order)
        ]
    requirements = [
        _component(node.value, by_subject.get(node.value, {}))
        for node in sorted(
            own.get(str(SS.hasRequirement), []), key=lambda n: _fragment_order(n.value)
        )
    ]
    source = one(own, DCTERMS + "source")
    return {
        "identifier": (one(own, DCTERMS + "identifier") or Literal(_local(stream.value))).value,
        "iri": stream.value,
        "kind": kind,
        "name": names.get(name_lang) if name_lang is not None else None,
        "names": names,
        "description": descriptions.get(description_lang) if description_lang is not None else None,
        "descriptions": descriptions,
        "material": material,
        "requests": requests,
        "organisation": party(str(SS.heldBy)),
        "site": party(str(SS.atSite)),
        "country": (c.value if (c := one(own, str(SS.countryCode))) is not None else None),
        "location": location,
        "codes": codes,
        "quantity": quantity,
        "figures": figures,
        "composition": composition,
        "requirements": requirements,
        "quality": (
            quality_summary(by_subject.get(assessment.value, {}))
            if (assessment := one(own, str(SS.hasQualityAssessment))) is not None
            else None
        ),
        "provenance": {
            "source": source.value if source is not None else None,
            "graphs": list(graphs),
        },
    }


def quality_summary(properties: dict[str, list[Any]]) -> dict[str, Any]:
    """A stream's quality assessment (``stream#quality``) as :func:`stream_summary` gives it."""

    def value(name: str) -> Any:
        values = properties.get(str(SS[name]), [])
        return _number(values[0]) if values else None

    issues: dict[str, list[str]] = {"en": [], "nb": []}
    for text in properties.get(str(SS.qualityIssue), []):
        issues.setdefault(_lang(text), []).append(text.value)
    age = properties.get(str(SS.ageInYears), [])
    return {
        "score": value("qualityScore"),
        "completeness": value("completeness"),
        "plausibility": value("plausibility"),
        "basis": value("basisScore"),
        "age": value("ageScore"),
        "age_years": _int(age[0]) if age else None,
        "issues": {lang: sorted(texts) for lang, texts in issues.items()},
    }


def _component(iri: str, properties: dict[str, list[Any]]) -> dict[str, Any]:
    def value(name: str) -> Any:
        values = properties.get(str(SS[name]), [])
        return values[0] if values else None

    element = value("element")
    formula = value("formula")
    fraction = _number(value("massFraction"))
    minimum = _number(value("minimumMassFraction"))
    maximum = _number(value("maximumMassFraction"))
    bound = value("boundDirection")
    derived = value("derivedFrom")
    symbol = _local(element.value) if element is not None else None
    name = formula.value if formula is not None else (symbol or _local(iri))
    return {
        "component": name,
        "element": symbol,
        "formula": formula.value if formula is not None else None,
        "fraction": fraction,
        "minimum": minimum,
        "maximum": maximum,
        "bound": _local(bound.value) if bound is not None else None,
        "text": f"{name} {_fraction_text(fraction, minimum, maximum)}".strip(),
        "derived_from": derived.value if derived is not None else None,
    }


# --------------------------------------------------------------------------- organisations, sites


def organisation_description(
    store: CatalogueStore, view: View, organisation: NamedNode
) -> list[Triple]:
    """The organisation and the visible streams that name it; empty when none does."""
    query = queries.bind(queries.load("lookup/organisation"), {"organisation": organisation})
    return _distinct(store.construct(query, view))


def site_description(store: CatalogueStore, view: View, site: NamedNode) -> list[Triple]:
    """The site and the visible streams at it; empty when none is visible."""
    query = queries.bind(queries.load("lookup/site"), {"site": site})
    return _distinct(store.construct(query, view))


# --------------------------------------------------------------------------- ontology terms


def term_description(term: NamedNode) -> list[Triple]:
    """An ontology term or vocabulary concept from the merged ontology; empty if unknown."""
    from catalogue.ontology import load_store

    result = load_store().query(queries.bind(queries.load("lookup/term"), {"term": term}))
    assert isinstance(result, pyoxigraph.QueryTriples)
    return _distinct(list(result))


def resource_summary(iri: NamedNode, triples: list[Triple]) -> dict[str, Any]:
    """A page-ready view of any described resource (organisation, site, term)::

    {"iri": str, "label": str | None, "labels": {lang: str},
     "types": [{"iri": str, "label": str}],
     "statements": [{"predicate": str, "predicate_label": str,
                     "object": str, "object_label": str | None,
                     "object_kind": "iri" | "literal" | "blank", "lang": str | None}],
     "referrers": [{"iri": str, "label": str | None, "predicate": str}]}
    """
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for triple in triples:
        if triple.predicate.value in (RDFS_LABEL, SKOS_PREF_LABEL) and isinstance(
            triple.object, Literal
        ):
            labels[triple.subject.value].setdefault(_lang(triple.object), triple.object.value)

    def best(subject: str) -> str | None:
        found = labels.get(subject, {})
        lang = _preferred_language(found)
        return found.get(lang) if lang is not None else None

    statements = []
    types = []
    referrers = []
    for triple in triples:
        if triple.subject == iri:
            obj = triple.object
            if triple.predicate.value == RDF_TYPE:
                types.append({"iri": obj.value, "label": label_of(obj.value)})
                continue
            statements.append(
                {
                    "predicate": triple.predicate.value,
                    "predicate_label": label_of(triple.predicate.value),
                    "object": obj.value,
                    "object_label": best(obj.value) if isinstance(obj, NamedNode) else None,
                    "object_kind": "iri"
                    if isinstance(obj, NamedNode)
                    else "blank"
                    if isinstance(obj, BlankNode)
                    else "literal",
                    "lang": obj.language if isinstance(obj, Literal) else None,
                }
            )
        elif triple.object == iri:
            referrers.append(
                {
                    "iri": triple.subject.value,
                    "label": best(triple.subject.value),
                    "predicate": triple.predicate.value,
                }
            )
    return {
        "iri": iri.value,
        "label": best(iri.value),
        "labels": labels.get(iri.value, {}),
        "types": types,
        "statements": statements,
        "referrers": sorted(referrers, key=lambda r: (r["label"] or "", r["iri"])),
    }


# --------------------------------------------------------------------------- vocabulary help


@cache
def _ancestors() -> dict[str, frozenset[str]]:
    """Every material or energy class with its named superclasses (transitively)."""
    from catalogue.ontology import load_store

    result = load_store().query(queries.bind(queries.load("match/material_hierarchy")))
    assert isinstance(result, pyoxigraph.QuerySolutions)
    parents: dict[str, set[str]] = defaultdict(set)
    for row in result:
        parents[row["class"].value].add(row["parent"].value)  # type: ignore[union-attr]

    def climb(start: str) -> frozenset[str]:
        seen: set[str] = set()
        todo = list(parents.get(start, ()))
        while todo:
            parent = todo.pop()
            if parent not in seen:
                seen.add(parent)
                todo.extend(parents.get(parent, ()))
        return frozenset(seen)

    return {name: climb(name) for name in list(parents)}


def most_specific(classes: set[str]) -> str | None:
    """The class of ``classes`` that all the others are superclasses of (the asserted one
    among a resource's materialised types); ties broken by IRI for stability."""
    if not classes:
        return None
    ancestors = _ancestors()
    ranked = sorted(classes, key=lambda c: (-len(ancestors.get(c, frozenset()) & classes), c))
    return ranked[0]


def label_of(iri: str) -> str:
    """The English label of an ontology or vocabulary term (else its local name)."""
    from catalogue.ingest.resolve import Vocabulary

    return Vocabulary.load().label(iri)


@cache
def _unit_symbols() -> dict[str, str]:
    from catalogue.ingest.resolve import Vocabulary

    return {unit.iri.value: symbol for symbol, unit in Vocabulary.load().units().items()}


def unit_symbol(iri: str) -> str:
    """The template symbol of a unit (``t/a``), else its local name."""
    return _unit_symbols().get(iri, _local(iri))


# --------------------------------------------------------------------------- small helpers


def _distinct(triples: Iterable[Triple]) -> list[Triple]:
    """Each statement once (a statement may sit in two visible graphs), in a stable order."""
    return sorted(set(triples), key=str)


def _lang(literal: Any) -> str:
    return getattr(literal, "language", None) or ""


def _preferred_language(texts: dict[str, str]) -> str | None:
    for lang in ("en", "", "nb", "no", "nn"):
        if lang in texts:
            return lang
    return next(iter(sorted(texts)), None)


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _fragment_order(iri: str) -> tuple[int, str]:
    """``#component-2`` before ``#component-10``; derived parts after their source."""
    fragment = iri.rsplit("#", 1)[-1]
    digits = "".join(ch if ch.isdigit() else " " for ch in fragment).split()
    return (int(digits[0]) if digits else 0, fragment)


def decimal_of(term: Any) -> Decimal | None:
    """A literal's number (``None`` for no term, not a literal, or not a number)."""
    if not isinstance(term, Literal):
        return None
    try:
        return Decimal(term.value)
    except ArithmeticError:
        return None


def _number(term: Any) -> int | float | None:
    value = decimal_of(term)
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _int(term: Any) -> int:
    value = decimal_of(term)
    return int(value) if value is not None else 0


def _text_number(term: Any) -> str:
    from catalogue.matching.explain import number

    value = decimal_of(term)
    return number(value, significant=6) if value is not None else str(getattr(term, "value", ""))


def _quantity_text(quantity: dict[str, Any]) -> str:
    from catalogue.matching.explain import number

    unit = quantity["unit"] or ""
    value, low, high = quantity["value"], quantity["minimum"], quantity["maximum"]
    about = "about " if quantity["approximate"] else ""
    if low is not None and high is not None:
        text = f"{number(Decimal(str(low)))}-{number(Decimal(str(high)))} {unit}"
        if value is not None:
            text += f" (given as {number(Decimal(str(value)))})"
        return about + text
    if value is not None:
        return f"{about}{number(Decimal(str(value)))} {unit}".strip()
    if low is not None:
        return f"at least {number(Decimal(str(low)))} {unit}".strip()
    if high is not None:
        return f"at most {number(Decimal(str(high)))} {unit}".strip()
    return "not stated"


def _fraction_text(fraction: Any, minimum: Any, maximum: Any) -> str:
    from catalogue.matching.explain import percent

    def pct(value: Any) -> str:
        return percent(Decimal(str(value)))

    if fraction is not None:
        return pct(fraction)
    if minimum is not None and maximum is not None:
        return f"{pct(minimum)} to {pct(maximum)}"
    if maximum is not None:
        return f"at most {pct(maximum)}"
    if minimum is not None:
        return f"at least {pct(minimum)}"
    return ""


def _point(wkt: str) -> dict[str, float | None]:
    """Longitude and latitude of a ``POINT(lon lat)``; None for other geometries."""
    text = wkt.strip()
    if text.upper().startswith("POINT") and "(" in text and ")" in text:
        inner = text[text.index("(") + 1 : text.index(")")].split()
        if len(inner) == 2:
            try:
                return {"longitude": float(inner[0]), "latitude": float(inner[1])}
            except ValueError:
                pass
    return {"longitude": None, "latitude": None}
