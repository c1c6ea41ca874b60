"""``GET /catalogue`` (DCAT-AP 3 with VoID figures) and ``GET /dumps/catalogue.{ttl,nq,jsonld}``.

Both answer for the caller: the figures are counted over the caller's view, and the
dumps are :func:`catalogue.export.export` for the caller, so an anonymous request sees
public streams only in either.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from api import conneg
from api.deps import CallerDep, SettingsDep, StoreDep, ViewDep
from catalogue import describe
from catalogue.access import Role
from catalogue.export import EXPORT_FORMATS, export

router = APIRouter(tags=["catalogue"])

DUMP_MEDIA_TYPES = {name: media for name, (_, media, _) in describe.DUMPS.items()}
CHUNK = 64 * 1024
SPOOL = 8 * 1024 * 1024
"""Dumps up to this size stay in memory while written; larger ones go to a temporary file."""


@router.get("/catalogue", summary="DCAT-AP description of the catalogue")
async def get_catalogue(
    request: Request,
    store: StoreDep,
    view: ViewDep,
    caller: CallerDep,
    settings: SettingsDep,
) -> Response:
    """The catalogue, its datasets, distributions and SPARQL service, in RDF; the VoID
    figures count what the caller may see."""
    available = list(conneg.RDF)
    representation = conneg.negotiate(request, available)
    figures = await run_in_threadpool(describe.statistics, store, view)
    ontology_triples = await run_in_threadpool(describe.ontology_triple_count)
    info = describe.CatalogueInfo(
        base_url=settings.base_url,
        access="PUBLIC" if caller.role is Role.ANONYMOUS else "RESTRICTED",
    )
    triples = describe.catalogue_description(info, figures, ontology_triples)
    return conneg.rdf_response(request, triples, representation, available)


@router.get("/dumps/catalogue.{fmt}", summary="Every stream the caller may see, in one file")
async def get_dump(
    fmt: str,
    store: StoreDep,
    caller: CallerDep,
    settings: SettingsDep,
) -> Response:
    """Turtle and JSON-LD hold the asserted statements; N-Quads keeps the submission
    graphs and the inferred ones (as ``sidestream export`` writes them)."""
    if fmt not in EXPORT_FORMATS or fmt not in DUMP_MEDIA_TYPES:
        raise HTTPException(404, f"no dump catalogue.{fmt}; one of {sorted(DUMP_MEDIA_TYPES)}")
    # Closed by the response's background task once the last chunk is sent, not here.
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # noqa: SIM115
    try:
        await run_in_threadpool(export, store, settings, spool, fmt=fmt, caller=caller)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        while block := spool.read(CHUNK):
            yield block

    return StreamingResponse(
        chunks(),
        media_type=DUMP_MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="catalogue.{fmt}"'},
        background=BackgroundTask(spool.close),
    )
