"""The SPARQL 1.1 Graph Store HTTP Protocol's ``POST``, which SPARQLWrapper does not speak.

``POST {gsp}?graph=<iri>`` with an N-Triples body adds the triples to that graph (the
protocol's indirect graph identification); every server sidestream knows takes it (Oxigraph
server ``/store``, Virtuoso ``/sparql-graph-crud``, Fuseki ``/{dataset}/data``, GraphDB
``/repositories/{id}/rdf-graphs/service``). Servers parse such a body with their bulk
loaders, not their SPARQL compilers, so it carries far larger batches than ``INSERT DATA``.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable

import pyoxigraph
from pyoxigraph import NamedNode, Quad, RdfFormat

from catalogue.store.oxigraph import StoreError


def graph_url(endpoint: str, graph: NamedNode) -> str:
    """``endpoint`` with the graph named in its query string."""
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{urllib.parse.urlencode({'graph': graph.value})}"


def post_graph(
    endpoint: str,
    graph: NamedNode,
    quads: Iterable[Quad],
    *,
    user: str | None = None,
    password: str | None = None,
    timeout: float = 300,
) -> None:
    """Add ``quads``' triples to ``graph`` in one request; a refusal raises ``StoreError``."""
    body = pyoxigraph.serialize((quad.triple for quad in quads), format=RdfFormat.N_TRIPLES)
    request = urllib.request.Request(
        graph_url(endpoint, graph),
        data=body,
        method="POST",
        headers={"Content-Type": "application/n-triples"},
    )
    if user is not None:
        token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as error:
        detail = error.read()[:500].decode("utf-8", "replace").strip()
        raise StoreError(
            f"the Graph Store endpoint {endpoint} refused {len(body)} bytes for {graph.value}: "
            f"HTTP {error.code} {detail}"
        ) from error
    except (urllib.error.URLError, OSError) as error:
        raise StoreError(f"the Graph Store endpoint {endpoint} failed: {error}") from error
