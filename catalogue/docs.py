"""HTML documentation of the ontology, rendered by pyLODE, in English or Norwegian."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from catalogue.namespaces import ONTOLOGY_IRI
from catalogue.ontology import load_graph

DOCUMENTED_LANGUAGES = ("en", "nb")


def keep_one_language(graph: Graph, lang: str) -> None:
    """Drop tagged literals in other languages where the same statement exists in ``lang``.

    pyLODE prints every label it finds side by side ("streamstrøm"); one language per
    page reads well. Where a term has no text in ``lang`` the other languages stay.
    """
    tagged = [(s, p, o) for s, p, o in graph if isinstance(o, Literal) and o.language is not None]
    has_lang = {(s, p) for s, p, o in tagged if o.language == lang}
    for s, p, o in tagged:
        if o.language != lang and (s, p) in has_lang:
            graph.remove((s, p, o))


def documentation_graph(lang: str = "en") -> Graph:
    """The modules as pyLODE should see them: one ontology, one language.

    The generated vocabularies (842 List-of-Waste codes, NACE, ...) are left out:
    they are SKOS concept schemes, not ontology terms.
    """
    if lang not in DOCUMENTED_LANGUAGES:
        raise ValueError(f"documentation is written in {DOCUMENTED_LANGUAGES}, not {lang!r}")
    graph = load_graph(include_vocabularies=False)
    header = URIRef(ONTOLOGY_IRI)
    # pyLODE takes every owl:Ontology and skos:ConceptScheme for the page's subject;
    # the modules and the process/technology/application schemes are parts of ours.
    for kind in (OWL.Ontology, SKOS.ConceptScheme):
        for subject in list(graph.subjects(RDF.type, kind)):
            if subject != header:
                graph.remove((subject, RDF.type, kind))
    graph.remove((header, OWL.imports, None))
    keep_one_language(graph, lang)
    return graph


def render_html(lang: str = "en") -> str:
    from pylode import OntPub  # heavy: only imported when documentation is asked for

    return OntPub(ontology=documentation_graph(lang)).make_html()


def write_html(output: Path, lang: str = "en") -> Path:
    """Write ``index.html`` (English) or ``index.<lang>.html`` into the folder ``output``."""
    output.mkdir(parents=True, exist_ok=True)
    path = output / ("index.html" if lang == "en" else f"index.{lang}.html")
    path.write_text(render_html(lang), encoding="utf-8")
    return path
