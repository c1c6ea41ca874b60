"""Harvesting: a remote catalogue's public streams, in a graph of their own.

``harvest(store, settings, source)`` reads the source's DCAT description, takes its RDF
dump (Turtle, N-Triples, N-Quads, RDF/XML or JSON-LD, in that order of preference) or,
when it lists none, asks its SPARQL endpoint for its statements; keeps whole public
streams (``records``), validates them with our shapes, and writes what conforms to
``{base}harvest/{source-slug}`` with its inferences (as ``publish`` does), registered in
the catalogue graph as a public submission (so ``access.view_for`` shows it) with its
provenance: ``prov:wasDerivedFrom`` the source catalogue, ``dcterms:source`` the
distribution read, ``prov:generatedAtTime`` and ``ss:checksum`` of what was read. The
remote IRIs are kept.

A stream that breaks a shape is rejected whole and reported; the rest is written in one
transaction, which also drops what the previous harvest of the source wrote. A refresh
that reads the same bytes (same checksum) writes nothing. A source that cannot be read,
parsed or used raises :class:`FederationError` and leaves the store as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import pyoxigraph
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat

from catalogue import queries
from catalogue.access import Level, inferred_graph, submission_levels
from catalogue.config import Settings
from catalogue.federation.identity import link_quads, links_graph
from catalogue.federation.records import Rejected, Selection, drop, select, without
from catalogue.federation.sources import (
    AllowList,
    FederationError,
    Fetched,
    Source,
    fetch,
)
from catalogue.inference import VERSION as INFERENCE_VERSION
from catalogue.namespaces import RDF_TYPE, SS
from catalogue.publish import (
    catalogue_graph,
    content_graphs,
    content_quads,
    level_records,
)
from catalogue.store.base import CatalogueStore, Row, SubmissionWrite, WriteProgress
from catalogue.store.oxigraph import OxigraphStore

PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_MEDIA_TYPES = (
    "text/turtle",
    "application/n-triples",
    "application/n-quads",
    "application/rdf+xml",
    "application/ld+json",
)
"""The dump formats a harvest reads, best first."""
FILE_TYPES = {
    "RDF_TURTLE": "text/turtle",
    "RDF_N_TRIPLES": "application/n-triples",
    "RDF_N_QUADS": "application/n-quads",
    "RDF_XML": "application/rdf+xml",
    "JSON_LD": "application/ld+json",
}
"""EU file-type authority codes (``dct:format``) of those formats."""
RDF_ACCEPT = ", ".join([RDF_MEDIA_TYPES[0], *(f"{media};q=0.5" for media in RDF_MEDIA_TYPES[1:])])

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class HarvestResult:
    source: str
    graph: str
    status: str
    """``harvested`` (first time), ``refreshed`` (new content) or ``unchanged``."""
    streams: int
    distribution: str
    rejected: list[Rejected] = field(default_factory=list)
    not_public: int = 0
    elsewhere: int = 0
    """Streams left out because another graph already holds them (same IRI)."""
    links: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "graph": self.graph,
            "status": self.status,
            "streams": self.streams,
            "distribution": self.distribution,
            "rejected": [{"stream": r.stream, "reason": r.reason["en"]} for r in self.rejected],
            "not_public": self.not_public,
            "elsewhere": self.elsewhere,
            "links": self.links,
        }


def harvest_graph(settings: Settings, source: Source) -> NamedNode:
    return NamedNode(f"{settings.data_base}harvest/{source.slug}")


def belongs_to(graph: NamedNode, harvest: str) -> bool:
    """Whether ``graph`` is one of the graphs of the harvest graph ``harvest`` (itself, its
    inferences, its links)."""
    return graph.value == harvest or graph.value.startswith(harvest + "/")


def harvest(
    store: CatalogueStore,
    settings: Settings,
    source: Source,
    allow: AllowList,
    *,
    now: datetime | None = None,
    progress: Progress = _quiet,
    write_progress: WriteProgress | None = None,
) -> HarvestResult:
    """Harvest ``source`` into the store (see the module's description)."""
    now = now or datetime.now(UTC)
    graph = harvest_graph(settings, source)
    meta = catalogue_graph(settings)
    with httpx.Client(timeout=settings.harvest_timeout) as client:
        progress(f"{source.url}: reading the catalogue description")
        description = _parse(
            fetch(client, source.url, allow, accept=RDF_ACCEPT, limit=settings.harvest_max_bytes)
        )
        fetched = _statements(client, settings, source, description, allow, progress)
    checksum = "sha256:" + hashlib.sha256(fetched.content).hexdigest()
    before = recorded(store, settings).get(graph.value)
    if before is not None and before["checksum"] == checksum:
        progress(f"{source.url}: unchanged since {before['time']}")
        return HarvestResult(
            source.url, graph.value, "unchanged", int(before["streams"]), fetched.url
        )
    progress(f"{fetched.url}: parsing {len(fetched.content):,} bytes")
    selection = select(_parse(fetched), settings.data_base)
    progress(f"{source.url}: validating {len(selection.streams)} streams")
    _validate(selection, source)
    if not selection.streams:
        raise FederationError(
            f"{source.url}: no public stream to harvest"
            + (f" ({len(selection.rejected)} rejected)" if selection.rejected else "")
        )
    _leave_out_held(store, graph, selection)
    progress(f"{source.url}: linking organisations and sites, materialising inferences")
    links = link_quads(store, graph, selection.quads)
    quads = _stored(graph, meta, selection, links)
    quads += _provenance(graph, meta, source, fetched.url, checksum, now, selection)
    replaces: list[NamedNode] = []
    subjects: list[NamedNode] = []
    if before is not None:
        linked = links_graph(graph)
        replaces = [*content_graphs(graph), linked, inferred_graph(linked)]
        subjects = [g for g in replaces if not g.value.endswith("/inferred")]
    progress(f"{source.url}: writing {len(quads):,} quads")
    store.write(
        SubmissionWrite(
            quads=quads, replaces=replaces, metadata_graph=meta, metadata_subjects=subjects
        ),
        write_progress,
    )
    return HarvestResult(
        source=source.url,
        graph=graph.value,
        status="refreshed" if before is not None else "harvested",
        streams=len(selection.streams),
        distribution=fetched.url,
        rejected=selection.rejected,
        not_public=selection.not_public,
        elsewhere=len(selection.elsewhere),
        links=len(links),
    )


def recorded(store: CatalogueStore, settings: Settings) -> dict[str, dict[str, str]]:
    """Harvest graph -> its record (``source``, ``distribution``, ``time``, ``checksum``,
    ``streams``) in the catalogue graph."""
    query = queries.bind(
        queries.load("federation/harvests"), {"catalogue": catalogue_graph(settings)}
    )
    return {
        row["harvest"].value: {key: term.value for key, term in row.items()}
        for row in store.select(query)
    }


def _parse(fetched: Fetched) -> list[Quad]:
    try:
        rdf_format = RdfFormat.from_media_type(fetched.media_type) or RdfFormat.TURTLE
        return list(pyoxigraph.parse(fetched.content, format=rdf_format, base_iri=fetched.url))
    except (SyntaxError, ValueError) as error:
        raise FederationError(f"{fetched.url}: not readable RDF ({error})") from None


def _statements(
    client: httpx.Client,
    settings: Settings,
    source: Source,
    description: list[Quad],
    allow: AllowList,
    progress: Progress,
) -> Fetched:
    """The source's statements: its best RDF dump, else what its SPARQL endpoint serves;
    of the datasets in the sidestream model when it lists any, else of any dataset."""
    dcat = OxigraphStore()
    dcat.add_quads(Quad(q.subject, q.predicate, q.object) for q in description)
    in_model = bool(dcat.select(queries.bind(queries.load("federation/model_datasets"))))
    dumps = sorted(
        (RDF_MEDIA_TYPES.index(media), row["url"].value)
        for row in dcat.select(queries.bind(queries.load("federation/distributions")))
        if (media := _media_type(row)) in RDF_MEDIA_TYPES
        and (row["model"].value == "true" or not in_model)
    )
    endpoints = sorted(
        row["endpoint"].value
        for row in dcat.select(queries.bind(queries.load("federation/endpoints")))
        if row["model"].value == "true" or not in_model
    )
    dcat.close()
    if dumps:
        url = dumps[0][1]
        progress(f"{source.url}: downloading {url}")
        return fetch(client, url, allow, accept=RDF_ACCEPT, limit=settings.harvest_max_bytes)
    if not endpoints:
        raise FederationError(
            f"{source.url}: the catalogue lists no RDF distribution and no SPARQL endpoint"
        )
    endpoint = endpoints[0]
    progress(f"{source.url}: asking {endpoint} for its statements")
    return fetch(
        client,
        endpoint,
        allow,
        accept="application/n-triples, text/turtle;q=0.5",
        limit=settings.harvest_max_bytes,
        params={"query": queries.bind(queries.load("federation/remote_statements"))},
    )


def _media_type(row: Row) -> str | None:
    media = row.get("media")
    if media is not None:
        return media.value.rsplit("media-types/", 1)[-1].lower()
    file_type = row.get("format")
    if file_type is not None:
        return FILE_TYPES.get(file_type.value.rsplit("/", 1)[-1])
    return None


def _validate(selection: Selection, source: Source) -> None:
    """Validate the kept streams with our shapes; reject each stream a violation names
    (and validate the rest again). A violation no stream owns rejects the whole source."""
    from catalogue.report import Severity
    from catalogue.validation.validate import validate_quads

    for _ in range(2):
        order = sorted(selection.streams)
        rows = {stream: number for number, stream in enumerate(order, start=1)}
        problems = [
            p
            for p in validate_quads(selection.quads, file=source.url, rows=rows)
            if p.severity is Severity.VIOLATION
        ]
        if not problems:
            return
        unowned = [p for p in problems if p.row is None]
        if unowned:
            raise FederationError(
                f"{source.url}: {unowned[0].text()} (and {len(unowned) - 1} more): "
                "nothing harvested"
                if len(unowned) > 1
                else f"{source.url}: {unowned[0].text()}: nothing harvested"
            )
        reasons: dict[str, dict[str, list[str]]] = {}
        for problem in problems:
            assert problem.row is not None
            found = reasons.setdefault(order[problem.row - 1], {"en": [], "nb": []})
            for lang in found:
                found[lang].append(f"{problem.column or 'stream'}: {problem.text(lang)}")
        without(selection, reasons)
    raise FederationError(f"{source.url}: still not valid after rejecting streams")


def _leave_out_held(store: CatalogueStore, graph: NamedNode, selection: Selection) -> None:
    """Leave out the streams another graph of the catalogue already holds (the same stream
    reached by two paths: once is enough, and twice multiplies query solutions)."""
    query = queries.bind(
        queries.load("federation/held_streams"),
        {"stream": [NamedNode(stream) for stream in selection.streams]},
    )
    for row in store.select(query):
        if not belongs_to(row["graph"], graph.value):  # type: ignore[arg-type]
            selection.elsewhere[row["stream"].value] = row["graph"].value
    drop(selection, set(selection.elsewhere))


def _stored(
    graph: NamedNode, meta: NamedNode, selection: Selection, links: list[Quad]
) -> list[Quad]:
    """The harvest's statements in its graph with their inferences, registered as public
    (every kept stream is public), and its links graph, registered the same way."""
    levels = submission_levels(selection.quads)
    quads = content_quads(selection.quads, graph, levels) + level_records(graph, meta, levels)
    if links:
        linked = links_graph(graph)
        quads += links
        quads += [
            Quad(linked, NamedNode(DCTERMS + "isPartOf"), graph, meta),
            Quad(linked, NamedNode(SS.confidentiality), Level.PUBLIC.iri, meta),
        ]
    return quads


def _provenance(
    graph: NamedNode,
    meta: NamedNode,
    source: Source,
    distribution: str,
    checksum: str,
    now: datetime,
    selection: Selection,
) -> list[Quad]:
    def q(predicate: str, value: NamedNode | Literal) -> Quad:
        return Quad(graph, NamedNode(predicate), value, meta)

    return [
        q(RDF_TYPE, NamedNode(SS.Submission)),
        q(PROV + "wasDerivedFrom", NamedNode(source.url)),
        q(PROV + "wasAttributedTo", Literal(source.url)),
        q(DCTERMS + "source", Literal(distribution)),
        q(
            PROV + "generatedAtTime",
            Literal(now.isoformat(timespec="seconds"), datatype=NamedNode(XSD + "dateTime")),
        ),
        q(SS.checksum, Literal(checksum)),
        q(
            SS.streamCount,
            Literal(str(len(selection.streams)), datatype=NamedNode(XSD + "integer")),
        ),
        q(
            SS.inferenceVersion,
            Literal(str(INFERENCE_VERSION), datatype=NamedNode(XSD + "integer")),
        ),
    ]
