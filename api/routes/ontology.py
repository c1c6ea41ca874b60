"""The ontology and its vocabularies, dereferenceable: ``GET /ontology``,
``GET /ontology/{term}`` and ``GET /vocab/{scheme}/{code}``.

Terms are minted as ``https://w3id.org/sidestream/ontology/X`` and concepts as
``https://w3id.org/sidestream/vocab/<scheme>/<code>``; w3id.org redirects them here. The
ontology is public, so these routes read the merged ontology, not the caller's view.

HTML: the whole ontology is pyLODE's documentation (``?lang=nb`` for Norwegian),
generated once per process and language; single terms use
``api.pages.render_resource_page`` when the pages module offers it (else no HTML, 406).
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pyoxigraph import NamedNode, Triple

from api import conneg
from api.errors import responses
from catalogue import lookup
from catalogue.namespaces import BASE, ONTOLOGY_IRI

router = APIRouter(tags=["ontology"])

_documentation_lock = threading.Lock()
TERM = responses(404, 406, media_types=[*conneg.RDF, conneg.HTML, conneg.JSON])


@cache
def _ontology_triples() -> tuple[Triple, ...]:
    from catalogue.ontology import load_store

    return tuple(sorted({quad.triple for quad in load_store()}, key=str))


@cache
def ontology_bytes(name: str) -> bytes:
    """The merged ontology in one RDF syntax, serialised once per process."""
    representation = next(r for r in conneg.RDF if r.name == name)
    return conneg.serialize(_ontology_triples(), representation)


def documentation(lang: str) -> str:
    """pyLODE's page, rendered once per process and language (it takes seconds)."""
    with _documentation_lock:
        return _documentation(lang)


@cache
def _documentation(lang: str) -> str:
    from catalogue.docs import render_html

    return render_html(lang)


@router.get(
    "/ontology",
    summary="The ontology, content-negotiated",
    response_class=Response,
    responses=responses(406, media_types=[*conneg.RDF, conneg.HTML]),
)
async def get_ontology(
    request: Request,
    lang: Annotated[str, Query(pattern="^(en|nb)$", description="documentation language")] = "en",
) -> Response:
    """The merged ontology (modules and vocabularies) as RDF, or its HTML documentation."""
    # RDF first: ``*/*`` gets Turtle; browsers ask for text/html by name.
    available = [*conneg.RDF, conneg.HTML]
    representation = conneg.negotiate(request, available)
    headers = conneg.negotiated_headers(request, available)
    if representation is conneg.HTML:
        page = await run_in_threadpool(documentation, lang)
        return HTMLResponse(page, headers=headers)
    body = await run_in_threadpool(ontology_bytes, representation.name)
    return Response(body, media_type=representation.content_type, headers=headers)


@router.get(
    "/ontology/{term:path}",
    summary="One ontology term, content-negotiated",
    response_class=Response,
    responses=TERM,
)
async def get_term(term: str, request: Request) -> Response:
    return await _describe(request, f"{ONTOLOGY_IRI}/{term}")


@router.get(
    "/vocab/{scheme}/{code:path}",
    summary="One vocabulary concept, content-negotiated",
    response_class=Response,
    responses=TERM,
)
async def get_concept(scheme: str, code: str, request: Request) -> Response:
    return await _describe(request, f"{BASE}vocab/{scheme}/{code}")


async def _describe(request: Request, iri_text: str) -> Response:
    html = [conneg.HTML] if conneg.page_renderer("render_resource_page") else []
    available = [*conneg.RDF, *html, conneg.JSON]
    representation = conneg.negotiate(request, available)
    try:
        iri = NamedNode(iri_text)
    except ValueError:
        raise HTTPException(404, f"no term {iri_text}") from None
    triples = await run_in_threadpool(lookup.term_description, iri)
    if not any(triple.subject == iri for triple in triples):
        raise HTTPException(404, f"no term {iri_text}")
    if representation.rdf_format is not None:
        return conneg.rdf_response(request, triples, representation, available)
    summary: dict[str, Any] = lookup.resource_summary(iri, triples)
    headers = conneg.negotiated_headers(request, available)
    return await conneg.summary_response(
        request, representation, "render_resource_page", summary, headers
    )
