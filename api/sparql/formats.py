"""The formats the endpoint answers in, and content negotiation (``Accept`` with q-values).

Imported by the worker processes too, so it needs nothing but pyoxigraph.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from pyoxigraph import QueryResultsFormat, RdfFormat

from api.accept import parse_accept, quality


class Family(StrEnum):
    """What a query form produces: solutions or a boolean, or RDF triples."""

    RESULTS = "results"
    """SELECT and ASK."""
    GRAPH = "graph"
    """CONSTRUCT and DESCRIBE."""


@dataclass(frozen=True)
class Format:
    """One serialisation: the media type it is labelled with and the names that ask for it."""

    name: str
    media_type: str
    family: Family
    serialiser: QueryResultsFormat | RdfFormat
    aliases: tuple[str, ...] = ()
    """Other media types answered with this format (lower precedence than ``media_type``)."""
    keywords: tuple[str, ...] = ()
    """Values of the ``format`` / ``output`` / ``results`` parameter that ask for it."""

    @property
    def content_type(self) -> str:
        textual = self.media_type.startswith("text/") or self.media_type.endswith(("json", "xml"))
        return f"{self.media_type}; charset=utf-8" if textual else self.media_type

    @property
    def iri(self) -> str:
        """The ``http://www.w3.org/ns/formats/`` IRI (for the service description)."""
        return self.serialiser.iri


# First of each family is the default (no Accept, or */*).
RESULT_FORMATS: tuple[Format, ...] = (
    Format(
        "JSON",
        "application/sparql-results+json",
        Family.RESULTS,
        QueryResultsFormat.JSON,
        ("application/json", "text/javascript", "application/javascript"),
        ("json", "srj"),
    ),
    Format(
        "XML",
        "application/sparql-results+xml",
        Family.RESULTS,
        QueryResultsFormat.XML,
        ("application/xml", "text/xml"),
        ("xml", "srx"),
    ),
    Format("CSV", "text/csv", Family.RESULTS, QueryResultsFormat.CSV, (), ("csv",)),
    Format(
        "TSV", "text/tab-separated-values", Family.RESULTS, QueryResultsFormat.TSV, (), ("tsv",)
    ),
)
GRAPH_FORMATS: tuple[Format, ...] = (
    Format(
        "Turtle",
        "text/turtle",
        Family.GRAPH,
        RdfFormat.TURTLE,
        # Turtle is a subset of N3, so N3 clients read it (SPARQLWrapper's N3 asks for these).
        ("application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3", "application/n3"),
        ("turtle", "ttl", "n3"),
    ),
    Format(
        "JSON-LD",
        "application/ld+json",
        Family.GRAPH,
        RdfFormat.JSON_LD,
        ("application/x-json+ld", "application/json"),
        ("json-ld", "jsonld", "json"),
    ),
    Format(
        "N-Triples",
        "application/n-triples",
        Family.GRAPH,
        RdfFormat.N_TRIPLES,
        ("text/plain",),
        ("n-triples", "ntriples", "nt"),
    ),
    Format(
        "RDF/XML",
        "application/rdf+xml",
        Family.GRAPH,
        RdfFormat.RDF_XML,
        ("application/xml", "text/xml"),
        ("rdf+xml", "rdf", "xml", "rdfxml"),
    ),
)
FORMATS: dict[Family, tuple[Format, ...]] = {
    Family.RESULTS: RESULT_FORMATS,
    Family.GRAPH: GRAPH_FORMATS,
}
BY_NAME = {f.name: f for f in (*RESULT_FORMATS, *GRAPH_FORMATS)}

FORMAT_PARAMETERS = ("format", "output", "results")
"""Query parameters some clients (SPARQLWrapper, Virtuoso's) use to name a format."""


@dataclass(frozen=True)
class Preference:
    """What the client asked for: its ``Accept`` header and any ``format`` parameter values."""

    accept: str | None = None
    keywords: tuple[str, ...] = ()


def choose(family: Family, preference: Preference) -> Format | None:
    """The format to answer in, or None when the client accepts none of the family's.

    A recognised ``format`` parameter wins over ``Accept`` (browsers cannot set headers);
    without both, the family's first format. Ties in q go to the server's order.
    """
    candidates = FORMATS[family]
    for keyword in preference.keywords:
        word = keyword.strip().lower()
        for candidate in candidates:
            if word in candidate.keywords or word in (candidate.media_type, *candidate.aliases):
                return candidate
    if not preference.accept or not preference.accept.strip():
        return candidates[0]
    ranges = parse_accept(preference.accept)
    best: Format | None = None
    best_q = 0.0
    for candidate in candidates:
        q = quality(candidate.media_type, ranges)
        # An alias counts slightly less, so text/xml picks results XML before RDF/XML only by order.
        q = max([q, *(quality(alias, ranges) * 0.999 for alias in candidate.aliases)])
        if q > best_q:
            best, best_q = candidate, q
    return best


def media_types(formats: Iterable[Format]) -> list[str]:
    return [f.media_type for f in formats]
