"""Content negotiation: which representation a request gets, and writing RDF in it.

``negotiate(request, available)`` reads ``?format=`` first (``ttl``, ``jsonld``, ``nt``,
``rdf``, ``html``, ``json``), then the ``Accept`` header with its q-values (RFC 9110
§12.5.1: the most specific matching range sets a type's q; ties go to the server's order
in ``available``). Nothing acceptable is a 406 whose body lists what is available.
Every negotiated response carries ``Vary: Accept`` and ``Link: <…?format=…>;
rel="alternate"`` headers for the other representations.

RDF is written by pyoxigraph. JSON-LD carries the project's shipped context
(``catalogue/jsonld/context.jsonld``, inlined so no client has to fetch it) and uses its
prefixes for compact IRIs; values stay in expanded form, which any JSON-LD 1.1
processor reads the same with or without the context.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlencode

import pyoxigraph
from fastapi import HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple

from api.accept import MediaRange, parse_accept, preference
from catalogue.namespaces import PREFIXES


@dataclass(frozen=True)
class Representation:
    """One way to answer: a ``?format=`` name, its media type and the types it also
    answers to."""

    name: str
    media_type: str
    aliases: tuple[str, ...] = ()
    rdf_format: RdfFormat | None = None

    @property
    def content_type(self) -> str:
        text = self.media_type.startswith("text/") or self.name in ("json", "jsonld")
        return f"{self.media_type}; charset=utf-8" if text else self.media_type

    def answers(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


HTML = Representation("html", "text/html", ("application/xhtml+xml",))
JSON = Representation("json", "application/json")
TURTLE = Representation("ttl", "text/turtle", ("application/x-turtle",), RdfFormat.TURTLE)
JSON_LD = Representation("jsonld", "application/ld+json", (), RdfFormat.JSON_LD)
N_TRIPLES = Representation("nt", "application/n-triples", (), RdfFormat.N_TRIPLES)
RDF_XML = Representation("rdf", "application/rdf+xml", (), RdfFormat.RDF_XML)
N_QUADS = Representation("nq", "application/n-quads", (), RdfFormat.N_QUADS)

RDF = (TURTLE, JSON_LD, N_TRIPLES, RDF_XML)
"""The RDF syntaxes every linked-data resource is offered in, Turtle first (the default
for clients that state no preference)."""


class NotAcceptable(HTTPException):
    """406 with the media types and ``format`` names that are available."""

    def __init__(self, available: Sequence[Representation]) -> None:
        super().__init__(
            406,
            detail={
                "error": "none of the accepted media types is available",
                "available": [r.media_type for r in available],
                "formats": [r.name for r in available],
            },
            headers={"Vary": "Accept"},
        )


def _quality(representation: Representation, ranges: list[MediaRange]) -> float:
    """The q of the most specific range matching any media type ``representation``
    answers to (``text/turtle;q=0.1`` outranks ``application/*`` for Turtle)."""
    return max(preference(media, ranges) for media in representation.answers())[1]


def negotiate(request: Request, available: Sequence[Representation]) -> Representation:
    """The representation to answer with; the first of ``available`` when the client
    states no preference. Raises :class:`NotAcceptable`."""
    chosen = request.query_params.get("format")
    if chosen is not None:
        for representation in available:
            if representation.name == chosen.strip().lower():
                return representation
        raise NotAcceptable(available)
    header = request.headers.get("accept", "").strip()
    if not header:
        return available[0]
    ranges = parse_accept(header)
    scored = [(_quality(r, ranges), -index, r) for index, r in enumerate(available)]
    quality, _, best = max(scored, key=lambda item: (item[0], item[1]))
    if quality <= 0:
        raise NotAcceptable(available)
    return best


def alternates(request: Request, available: Iterable[Representation]) -> str:
    """A ``Link`` header value naming each representation's ``?format=`` URL."""
    # The URL is parsed and rebuilt once, not once per representation.
    base = str(request.url.replace(query="", fragment=""))
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "format"]
    links = []
    for representation in available:
        query = urlencode([*params, ("format", representation.name)])
        links.append(f'<{base}?{query}>; rel="alternate"; type="{representation.media_type}"')
    return ", ".join(links)


def negotiated_headers(request: Request, available: Sequence[Representation]) -> dict[str, str]:
    return {"Vary": "Accept", "Link": alternates(request, available)}


# --------------------------------------------------------------------------- RDF


def prefixes() -> dict[str, str]:
    """The project's prefixes and the W3C ones the descriptions use.

    No ``data:`` prefix: data IRIs hold '/' after the base, which Turtle would have to
    escape (``data:stream\\/x``); written in full they read better.
    """
    found = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    found.update(
        {
            "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "owl": "http://www.w3.org/2002/07/owl#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
            "skos": "http://www.w3.org/2004/02/skos/core#",
            "dcterms": "http://purl.org/dc/terms/",
            "geo": "http://www.opengis.net/ont/geosparql#",
            "prov": "http://www.w3.org/ns/prov#",
            "dcat": "http://www.w3.org/ns/dcat#",
            "void": "http://rdfs.org/ns/void#",
            "foaf": "http://xmlns.com/foaf/0.1/",
        }
    )
    return found


@cache
def shipped_context() -> dict[str, Any]:
    """The ``@context`` of ``catalogue/jsonld/context.jsonld`` (read once)."""
    from catalogue.ingest.rdf import shipped_context as read

    return read()


@cache
def _context_namespaces() -> dict[str, str]:
    """Namespace → prefix term of the shipped context (the first term for a namespace)."""
    found: dict[str, str] = {}
    for term, value in shipped_context().items():
        if isinstance(value, str) and not term.startswith("@") and value.endswith(("/", "#")):
            found.setdefault(value, term)
    return found


@cache
def _context_text() -> str:
    """The shipped context as JSON text, encoded once: every JSON-LD answer carries it."""
    return json.dumps(shipped_context(), ensure_ascii=False)


def _compact(iri: str) -> str:
    """``iri`` as ``term:rest`` with the longest namespace of the context that fits.

    Only the prefixes of ``iri`` that end in '/' or '#' can be namespaces, so they are
    looked up directly, longest first, instead of trying every namespace (that loop was
    a tenth of a stream request's time).
    """
    namespaces = _context_namespaces()
    end = len(iri)
    while True:
        end = max(iri.rfind("/", 0, end), iri.rfind("#", 0, end))
        if end < 0:
            return iri
        term = namespaces.get(iri[: end + 1])
        if term is not None:
            rest = iri[end + 1 :]
            # A suffix starting with "//" would read as an absolute IRI, not a compact one.
            if rest and not rest.startswith("//"):
                return f"{term}:{rest}"


def _compact_node(node: Any) -> Any:
    """Compact IRIs in keys, ``@id`` and ``@type`` of pyoxigraph's expanded JSON-LD."""
    return _Compactor().node(node)


class _Compactor:
    """Compacts one document, remembering each IRI's compact form (a description repeats
    its predicates and classes many times)."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        found = self.seen.get(iri)
        if found is None:
            found = self.seen[iri] = _compact(iri)
        return found

    def node(self, node: Any) -> Any:
        if type(node) is list:
            return [self.node(item) for item in node]
        if type(node) is not dict:
            return node
        compacted: dict[str, Any] = {}
        for key, value in node.items():
            if key == "@id":
                blank = type(value) is not str or value.startswith("_:")
                compacted[key] = value if blank else self.iri(value)
            elif key == "@type":
                compacted[key] = (
                    [self.iri(v) for v in value] if type(value) is list else self.iri(value)
                )
            elif key == "@value" or key == "@language":
                compacted[key] = value
            elif key.startswith("@"):
                compacted[key] = self.node(value)
            else:
                compacted[self.iri(key)] = self.node(value)
        return compacted


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _json_ld_nodes(triples: list[Triple]) -> list[dict[str, Any]] | None:
    """The node objects pyoxigraph's expanded JSON-LD gives for ``triples``, compacted,
    built directly: writing JSON, reading it back and walking it to compact it took
    three times as long. None when an object is a quoted triple (RDF-star).

    One node per subject, in order of first appearance; values in the order given.
    """
    compactor = _Compactor()
    iri = compactor.iri
    nodes: dict[str, dict[str, Any]] = {}
    for triple in triples:
        subject, obj = triple.subject, triple.object
        key = subject.value if isinstance(subject, NamedNode) else f"_:{subject.value}"
        node = nodes.get(key)
        if node is None:
            node = nodes[key] = {"@id": iri(key) if isinstance(subject, NamedNode) else key}
        if isinstance(obj, NamedNode):
            value: dict[str, str] = {"@id": iri(obj.value)}
        elif isinstance(obj, BlankNode):
            value = {"@id": f"_:{obj.value}"}
        elif isinstance(obj, Literal):
            if obj.language:
                value = {"@language": obj.language, "@value": obj.value}
            elif obj.datatype.value == XSD_STRING:
                value = {"@value": obj.value}
            else:
                value = {"@type": iri(obj.datatype.value), "@value": obj.value}
        else:
            return None
        node.setdefault(iri(triple.predicate.value), []).append(value)
    return list(nodes.values())


def serialize(triples: Iterable[Triple], representation: Representation) -> bytes:
    """``triples`` in an RDF syntax (``representation.rdf_format`` must be set)."""
    rdf_format = representation.rdf_format
    if rdf_format is None:
        raise ValueError(f"{representation.name} is not an RDF syntax")
    statements = list(triples)
    if rdf_format == RdfFormat.JSON_LD:
        nodes = _json_ld_nodes(statements)
        if nodes is None:  # RDF-star: pyoxigraph writes it, then its IRIs are compacted
            expanded = json.loads(pyoxigraph.serialize(statements, format=rdf_format) or b"[]")
            nodes = _compact_node(expanded)
        # Without indent=, json's C encoder runs (Python's own writes indented text,
        # ~1 ms for one stream); the context is encoded once and spliced in.
        graph = json.dumps(nodes, ensure_ascii=False)
        return f'{{"@context": {_context_text()}, "@graph": {graph}}}'.encode()
    with_prefixes = rdf_format in (RdfFormat.TURTLE, RdfFormat.RDF_XML)
    output = pyoxigraph.serialize(
        statements, format=rdf_format, prefixes=prefixes() if with_prefixes else None
    )
    return output or b""


def rdf_response(
    request: Request,
    triples: Iterable[Triple],
    representation: Representation,
    available: Sequence[Representation],
) -> Response:
    return Response(
        serialize(triples, representation),
        media_type=representation.content_type,
        headers=negotiated_headers(request, available),
    )


# --------------------------------------------------------------------------- HTML pages


async def summary_response(
    request: Request,
    representation: Representation,
    page: str,
    summary: dict[str, Any],
    headers: dict[str, str],
) -> Response:
    """``summary`` as JSON, or for ``HTML`` the page ``api.pages.<page>`` renders from it
    (in a thread: a page may run matching)."""
    if representation is HTML:
        response = await run_in_threadpool(page_renderer(page), request, summary)
        response.headers.update(headers)
        return response
    return JSONResponse(summary, headers=headers)


def page_renderer(name: str) -> Any:
    """``api.pages.<name>`` if the pages module exists and defines it, else None.

    Pages are built separately; until they exist, HTML is simply not offered (406).
    """
    import importlib
    import importlib.util

    try:
        if importlib.util.find_spec("api.pages") is None:
            return None
        pages = importlib.import_module("api.pages")
    except ImportError:
        return None
    return getattr(pages, name, None)


def not_found(request: Request, representation: Representation, message: str) -> Response:
    """A 404: the pages' error page for a browser, else the JSON every client reads.

    Returned, not raised, so the browser gets HTML whichever route it asked.
    """
    render = page_renderer("render_error_page") if representation is HTML else None
    if render is not None:
        response: Response = render(request, 404, "Not found", message)
    else:
        response = JSONResponse({"error": message}, status_code=404)
    response.headers["Vary"] = "Accept"
    return response
