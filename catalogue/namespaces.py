"""The IRIs of sidestream's own terms and of the vocabularies it generates.

Chosen once: every project term lives under ``https://w3id.org/sidestream/``.
The ontology uses slash IRIs so that each term can be dereferenced on its own.
Only data (streams, organisations, sites) is minted under a configurable base.
"""

from rdflib import Graph, Namespace
from rdflib.namespace import NamespaceManager

BASE = "https://w3id.org/sidestream/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

SS = Namespace(BASE + "ontology/")
"""Classes, properties, processes, technologies and applications."""

ONTOLOGY_IRI = BASE + "ontology"

ELEM = Namespace(BASE + "vocab/element/")
CRM = Namespace(BASE + "vocab/crm/")
LOW = Namespace(BASE + "vocab/low/")
NACE = Namespace(BASE + "vocab/nace/")
UNIT = Namespace(BASE + "vocab/unit/")
STATE = Namespace(BASE + "vocab/state/")
STATUS = Namespace(BASE + "vocab/status/")
TREATMENT = Namespace(BASE + "vocab/treatment/")
CONFIDENTIALITY = Namespace(BASE + "vocab/confidentiality/")
BASIS = Namespace(BASE + "vocab/basis/")
BOUND = Namespace(BASE + "vocab/bound/")
COMPOSITION_BASIS = Namespace(BASE + "vocab/composition-basis/")
ACCESSIBILITY = Namespace(BASE + "vocab/accessibility/")
DEPOSIT_STATUS = Namespace(BASE + "vocab/deposit-status/")

QUDT = Namespace("http://qudt.org/schema/qudt/")
QUDT_UNIT = Namespace("http://qudt.org/vocab/unit/")
QUDT_KIND = Namespace("http://qudt.org/vocab/quantitykind/")
EWCO = Namespace("https://w3id.org/ewc-onto/")
WD = Namespace("http://www.wikidata.org/entity/")
CHEBI = Namespace("http://purl.obolibrary.org/obo/CHEBI_")
IOF = Namespace("https://spec.industrialontologies.org/ontology/core/Core/")
CEON = Namespace("https://w3id.org/CEON/ontology/")
EMMO = Namespace("https://w3id.org/emmo#")

PREFIXES: dict[str, Namespace] = {
    "ss": SS,
    "elem": ELEM,
    "crm": CRM,
    "low": LOW,
    "nace": NACE,
    "ssunit": UNIT,
    "state": STATE,
    "status": STATUS,
    "treatment": TREATMENT,
    "conf": CONFIDENTIALITY,
    "basis": BASIS,
    "bound": BOUND,
    "cbasis": COMPOSITION_BASIS,
    "access": ACCESSIBILITY,
    "dstatus": DEPOSIT_STATUS,
    "qudt": QUDT,
    "unit": QUDT_UNIT,
    "quantitykind": QUDT_KIND,
    "ewco": EWCO,
    "wd": WD,
    "chebi": CHEBI,
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes (and rdflib's defaults) on ``graph``; returns it."""
    manager: NamespaceManager = graph.namespace_manager
    for prefix, namespace in PREFIXES.items():
        manager.bind(prefix, namespace, override=True, replace=True)
    return graph
