"""The catalogue described in DCAT-AP 3 with VoID statistics, as one caller sees it.

:func:`statistics` counts over the caller's view (``lookup/void_statistics.rq`` and
``lookup/stream_kinds.rq``), so an anonymous caller's figures are those of the public
streams alone. :func:`catalogue_description` turns the figures into the statements of a
``dcat:Catalog`` with its datasets (the streams, the ontology), their distributions (the
dumps, the ontology files) and the SPARQL endpoint as a ``dcat:DataService``.

Objects the DCAT-AP 3 shapes constrain by class (licence, formats, media types, agent,
languages) are typed here explicitly: the shapes are checked without inference.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from catalogue import queries
from catalogue.namespaces import ONTOLOGY_IRI, SS
from catalogue.store.base import CatalogueStore, View

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"
FOAF = "http://xmlns.com/foaf/0.1/"
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"

DUMPS = {
    # name: (file-type authority code, IANA media type, title)
    "ttl": ("RDF_TURTLE", "text/turtle", "Turtle"),
    "nq": ("RDF_N_QUADS", "application/n-quads", "N-Quads (with submission graphs)"),
    "jsonld": ("JSON_LD", "application/ld+json", "JSON-LD"),
    "csv": ("CSV", "text/csv", "CSV in the stream template layout"),
    "xlsx": (
        "XLSX",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "XLSX in the stream template layout",
    ),
    "geojson": ("GEOJSON", "application/geo+json", "GeoJSON of the streams with a location"),
}
"""The dump files ``GET /dumps/catalogue.<name>`` serves (:func:`catalogue.export.export`)."""

ONTOLOGY_FORMATS = {
    "ttl": ("RDF_TURTLE", "text/turtle"),
    "jsonld": ("JSON_LD", "application/ld+json"),
    "nt": ("RDF_N_TRIPLES", "application/n-triples"),
    "rdf": ("RDF_XML", "application/rdf+xml"),
}


@dataclass(frozen=True)
class Statistics:
    """VoID figures of one caller's view of the catalogue."""

    triples: int
    entities: int
    classes: int
    distinct_subjects: int
    distinct_objects: int
    properties: int
    supplies: int
    demands: int


@dataclass(frozen=True)
class CatalogueInfo:
    """What the description says about who publishes the catalogue and where it lives."""

    base_url: str
    """The service's address, ending in '/' (every distribution and service URL is under it)."""
    publisher: str = "sidestream"
    homepage: str | None = None
    license: str = "https://creativecommons.org/licenses/by/4.0/"
    """Placeholder until the operator states the data licence (a setting would carry it)."""
    access: str = "PUBLIC"
    """EU access-right code of what this caller sees: PUBLIC (anonymous) or RESTRICTED."""


def statistics(store: CatalogueStore, view: View) -> Statistics:
    """The caller's figures: every count runs over ``view``."""
    rows = store.select(queries.bind(queries.load("lookup/void_statistics")), view)
    figures = {name: int(term.value) for name, term in (rows[0] if rows else {}).items()}
    kinds = {
        row["kind"].value: int(row["streams"].value)
        for row in store.select(queries.bind(queries.load("lookup/stream_kinds")), view)
    }
    return Statistics(
        triples=figures.get("triples", 0),
        entities=figures.get("entities", 0),
        classes=figures.get("classes", 0),
        distinct_subjects=figures.get("distinctSubjects", 0),
        distinct_objects=figures.get("distinctObjects", 0),
        properties=figures.get("properties", 0),
        supplies=kinds.get(str(SS.Supply), 0),
        demands=kinds.get(str(SS.Demand), 0),
    )


def ontology_triple_count() -> int:
    from catalogue.ontology import load_store

    return len(load_store())


class _Graph:
    """A small triple builder: IRIs as strings, literals as pyoxigraph terms."""

    def __init__(self) -> None:
        self.triples: list[Triple] = []

    def add(self, subject: str | BlankNode, predicate: str, obj: str | Literal | BlankNode) -> None:
        s = subject if isinstance(subject, BlankNode) else NamedNode(subject)
        o = obj if isinstance(obj, (Literal, BlankNode)) else NamedNode(obj)
        self.triples.append(Triple(s, NamedNode(predicate), o))

    def typed(self, subject: str, *classes: str) -> None:
        for cls in classes:
            self.add(subject, RDF + "type", cls)

    def texts(self, subject: str, predicate: str, en: str, nb: str) -> None:
        self.add(subject, predicate, Literal(en, language="en"))
        self.add(subject, predicate, Literal(nb, language="nb"))


def _count(value: int) -> Literal:
    return Literal(str(value), datatype=NamedNode(XSD + "integer"))


def catalogue_description(
    info: CatalogueInfo, figures: Statistics, ontology_triples: int | None = None
) -> list[Triple]:
    """The ``dcat:Catalog`` at ``{base_url}catalogue`` and everything it lists."""
    base = info.base_url
    catalogue = base + "catalogue"
    streams = catalogue + "#streams"
    ontology = catalogue + "#ontology"
    service = base + "sparql"
    publisher = catalogue + "#publisher"
    g = _Graph()

    # Classes the shapes check objects against (no inference when validating).
    license_doc = info.license
    g.typed(license_doc, DCT + "LicenseDocument")
    english, norwegian = EU + "language/ENG", EU + "language/NOB"
    g.typed(english, DCT + "LinguisticSystem")
    g.typed(norwegian, DCT + "LinguisticSystem")
    access = EU + "access-right/" + info.access
    g.typed(access, DCT + "RightsStatement")

    g.typed(publisher, FOAF + "Agent", FOAF + "Organization")
    g.add(publisher, FOAF + "name", Literal(info.publisher))

    g.typed(catalogue, DCAT + "Catalog")
    g.texts(
        catalogue,
        DCT + "title",
        "sidestream: a catalogue of industrial sidestreams",
        "sidestream: en katalog over industrielle sidestrømmer",
    )
    g.texts(
        catalogue,
        DCT + "description",
        "Industrial sidestreams (supplies) and the demands for them, with quantities, "
        "compositions and the critical raw materials they contain, described with the "
        "sidestream ontology.",
        "Industrielle sidestrømmer (tilbud) og etterspørselen etter dem, med mengder, "
        "sammensetning og de kritiske råmaterialene de inneholder, beskrevet med "
        "sidestream-ontologien.",
    )
    g.add(catalogue, DCT + "publisher", publisher)
    g.add(catalogue, DCT + "license", license_doc)
    g.add(catalogue, DCT + "language", english)
    g.add(catalogue, DCT + "language", norwegian)
    if info.homepage:
        g.typed(info.homepage, FOAF + "Document")
        g.add(catalogue, FOAF + "homepage", info.homepage)
    g.add(catalogue, DCAT + "dataset", streams)
    g.add(catalogue, DCAT + "dataset", ontology)
    g.add(catalogue, DCAT + "service", service)

    # The streams as this caller may see them, with VoID figures of that view.
    g.typed(streams, DCAT + "Dataset", VOID + "Dataset")
    g.texts(
        streams,
        DCT + "title",
        "Sidestreams and demands",
        "Sidestrømmer og etterspørsel",
    )
    g.texts(
        streams,
        DCT + "description",
        "Every stream description the requester may see: public streams for anonymous "
        "requests; the figures count that view only.",
        "Alle strømbeskrivelser den som spør har tilgang til: offentlige strømmer for "
        "anonyme forespørsler; tallene gjelder bare dette utvalget.",
    )
    g.add(streams, DCT + "identifier", Literal(streams))
    g.add(streams, DCT + "publisher", publisher)
    g.add(streams, DCT + "license", license_doc)
    g.add(streams, DCT + "accessRights", access)
    g.add(streams, DCT + "language", english)
    g.add(streams, DCAT + "landingPage", base + "streams")
    g.typed(base + "streams", FOAF + "Document")
    for keyword in ("industrial symbiosis", "sidestreams", "critical raw materials"):
        g.add(streams, DCAT + "keyword", Literal(keyword, language="en"))
    g.add(streams, DCT + "conformsTo", ONTOLOGY_IRI)
    g.typed(ONTOLOGY_IRI, DCT + "Standard")
    g.add(streams, VOID + "vocabulary", str(SS))
    g.add(streams, VOID + "sparqlEndpoint", service)
    g.add(streams, VOID + "triples", _count(figures.triples))
    g.add(streams, VOID + "entities", _count(figures.entities))
    g.add(streams, VOID + "classes", _count(figures.classes))
    g.add(streams, VOID + "properties", _count(figures.properties))
    g.add(streams, VOID + "distinctSubjects", _count(figures.distinct_subjects))
    g.add(streams, VOID + "distinctObjects", _count(figures.distinct_objects))
    for kind, count in ((SS.Supply, figures.supplies), (SS.Demand, figures.demands)):
        partition = f"{streams}-{str(kind).rsplit('/', 1)[-1].lower()}"
        g.add(streams, VOID + "classPartition", partition)
        g.add(partition, VOID + "class", str(kind))
        g.add(partition, VOID + "entities", _count(count))

    for name, (file_type, media_type, title) in DUMPS.items():
        url = f"{base}dumps/catalogue.{name}"
        _distribution(g, streams, url, file_type, media_type, license_doc, f"Dump, {title}")
        g.add(url, DCAT + "downloadURL", url)
        g.add(streams, VOID + "dataDump", url)

    # The ontology and vocabularies the streams are described with.
    g.typed(ontology, DCAT + "Dataset", VOID + "Dataset")
    g.texts(
        ontology,
        DCT + "title",
        "The sidestream ontology and vocabularies",
        "Sidestream-ontologien og vokabularene",
    )
    g.texts(
        ontology,
        DCT + "description",
        "OWL classes and properties of streams, materials, processes and technologies, "
        "with the SKOS vocabularies (elements, raw-material lists, waste codes, NACE, units).",
        "OWL-klasser og -egenskaper for strømmer, materialer, prosesser og teknologier, "
        "med SKOS-vokabularene (grunnstoffer, råmaterialelister, avfallskoder, NACE, enheter).",
    )
    g.add(ontology, DCT + "identifier", Literal(ONTOLOGY_IRI))
    g.add(ontology, DCT + "publisher", publisher)
    g.add(ontology, DCT + "accessRights", EU + "access-right/PUBLIC")
    g.typed(EU + "access-right/PUBLIC", DCT + "RightsStatement")
    g.add(ontology, DCAT + "landingPage", base + "ontology")
    g.typed(base + "ontology", FOAF + "Document")
    if ontology_triples is not None:
        g.add(ontology, VOID + "triples", _count(ontology_triples))
    for name, (file_type, media_type) in ONTOLOGY_FORMATS.items():
        url = f"{base}ontology?format={name}"
        _distribution(g, ontology, url, file_type, media_type, None, f"Ontology, {name}")
        g.add(url, DCAT + "downloadURL", url)

    # The SPARQL endpoint serves both datasets (over the requester's view).
    g.typed(service, DCAT + "DataService", RDFS + "Resource")
    g.texts(service, DCT + "title", "SPARQL endpoint", "SPARQL-endepunkt")
    g.texts(
        service,
        DCT + "description",
        "SPARQL 1.1 query endpoint over the streams the requester may see.",
        "SPARQL 1.1-endepunkt for spørringer mot strømmene den som spør har tilgang til.",
    )
    g.add(service, DCAT + "endpointURL", service)
    g.add(service, DCT + "conformsTo", "https://www.w3.org/TR/sparql11-protocol/")
    g.typed("https://www.w3.org/TR/sparql11-protocol/", DCT + "Standard")
    g.add(service, DCAT + "servesDataset", streams)
    g.add(service, DCAT + "servesDataset", ontology)
    g.add(service, DCT + "publisher", publisher)
    g.add(service, DCT + "license", license_doc)
    return g.triples


def _distribution(
    g: _Graph,
    dataset: str,
    url: str,
    file_type: str,
    media_type: str,
    license_doc: str | None,
    title: str,
) -> None:
    g.typed(url, DCAT + "Distribution", RDFS + "Resource")
    g.add(dataset, DCAT + "distribution", url)
    g.add(url, DCAT + "accessURL", url)
    g.add(url, DCT + "title", Literal(title, language="en"))
    fmt = EU + "file-type/" + file_type
    g.typed(fmt, DCT + "MediaTypeOrExtent")
    g.add(url, DCT + "format", fmt)
    media = IANA + media_type
    g.typed(media, DCT + "MediaType")
    g.add(url, DCAT + "mediaType", media)
    if license_doc is not None:
        g.add(url, DCT + "license", license_doc)
