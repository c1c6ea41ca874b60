"""HTML documentation of the ontology, rendered by pyLODE."""

from __future__ import annotations

from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import OWL, RDF

from catalogue.namespaces import ONTOLOGY_IRI
from catalogue.ontology import load_graph


def render_html() -> str:
    """The ontology's HTML page: classes, properties and named individuals of the modules.

    The generated vocabularies (842 List-of-Waste codes, NACE, ...) are left out:
    they are SKOS concept schemes with their own pages, not ontology terms.
    """
    from pylode import OntPub  # heavy: only imported when documentation is asked for

    graph = load_graph(include_vocabularies=False)
    header = URIRef(ONTOLOGY_IRI)
    # pyLODE documents one owl:Ontology; the modules are parts of the header's one.
    for module in list(graph.subjects(RDF.type, OWL.Ontology)):
        if module != header:
            graph.remove((module, RDF.type, OWL.Ontology))
    graph.remove((header, OWL.imports, None))
    return OntPub(ontology=graph).make_html()


def write_html(output: Path) -> Path:
    """Write ``index.html`` into the folder ``output`` (created if needed)."""
    output.mkdir(parents=True, exist_ok=True)
    path = output / "index.html"
    path.write_text(render_html(), encoding="utf-8")
    return path
