"""Blank nodes on a remote store, written as Skolem IRIs (RDF 1.1 Concepts, section 3.5).

A blank node label is local to one request: ``_:b`` in two Graph Store Protocol bodies,
or in two update requests, is two different nodes; and Virtuoso (7.2) refuses blank nodes
in ``INSERT DATA`` (SP031) and fails with HTTP 500 after writing a template whose blank
node spans two ``GRAPH`` blocks (SR002). So a remote store writes every blank node as an
IRI under :data:`GENID`, made unique per write by a random part, and turns those IRIs
back into blank nodes in every answer it reads (:func:`restore_term`): the catalogue sees blank
nodes on every backend, and a write can be cut into any batches. What a caller of the
server's own endpoint sees are these Skolem IRIs (``isBlank`` is false for them there).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import Any

from pyoxigraph import BlankNode, NamedNode, Quad

GENID = "https://w3id.org/sidestream/.well-known/genid/"
MARKER = GENID.encode()
"""Answers without these bytes hold no Skolem IRI and are passed through untouched."""


def skolemise(quads: Iterable[Quad]) -> list[Quad]:
    """``quads`` with each blank node replaced by a Skolem IRI unique to this call."""
    salt = uuid.uuid4().hex[:16]
    iris: dict[BlankNode, NamedNode] = {}

    def iri(term: Any) -> Any:
        if not isinstance(term, BlankNode):
            return term
        if term not in iris:
            iris[term] = NamedNode(f"{GENID}{salt}-{term.value}")
        return iris[term]

    return [
        quad
        if not isinstance(quad.subject, BlankNode) and not isinstance(quad.object, BlankNode)
        else Quad(iri(quad.subject), quad.predicate, iri(quad.object), quad.graph_name)
        for quad in quads
    ]


def restore_term(term: Any) -> Any:
    """``term``, or the blank node its Skolem IRI stands for."""
    if isinstance(term, NamedNode) and term.value.startswith(GENID):
        return BlankNode(term.value.removeprefix(GENID))
    return term


_SKOLEM_TERM = re.compile(rb"<" + re.escape(MARKER) + rb"([^>]+)>")


def restore_text(text: bytes) -> bytes:
    """N-Triples or SPARQL TSV with its Skolem IRIs written as the blank nodes they stand for."""
    return _SKOLEM_TERM.sub(rb"_:\1", text) if MARKER in text else text
