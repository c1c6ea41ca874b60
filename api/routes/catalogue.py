"""``GET /catalogue`` (DCAT-AP 3 with VoID figures) and ``GET /dumps/catalogue.{ttl,nq,jsonld}``
(RDF), ``.{csv,xlsx}`` (the stream template layout) and ``.geojson``.

Both answer for the caller: the figures are counted over the caller's view, and the
dumps are :func:`catalogue.export.export` for the caller, so an anonymous request sees
public streams only in either.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from api import conneg
from api.deps import CallerDep, SettingsDep, StoreDep, ViewDep, YearParam
from api.errors import CALLER, responses
from api.events import on_store_change
from catalogue import describe
from catalogue.access import Role
from catalogue.export import FORMATS, export
from catalogue.store.base import CatalogueStore, View

router = APIRouter(tags=["catalogue"])

DUMP_MEDIA_TYPES = {name: media for name, (_, media, _) in describe.DUMPS.items()}
CHUNK = 64 * 1024
SPOOL = 8 * 1024 * 1024
"""Dumps up to this size stay in memory while written; larger ones go to a temporary file."""


@dataclass
class _FiguresCache:
    """VoID figures by view, dropped whenever the store changes.

    Counting reads every statement of the view (2 s for 5,000 streams), so each distinct
    view is counted once per store state. A count that started before a change is not
    kept: ``generation`` tells.
    """

    generation: int = 0
    entries: dict[tuple[str, ...] | None, describe.Statistics] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def changed(self) -> None:
        with self.lock:
            self.generation += 1
            self.entries.clear()


def _figures_cache(app: FastAPI) -> _FiguresCache:
    cache = getattr(app.state, "void_figures", None)
    if cache is None:
        cache = app.state.void_figures = _FiguresCache()
        on_store_change(app, cache.changed)
    return cache


def _figures(cache: _FiguresCache, store: CatalogueStore, view: View) -> describe.Statistics:
    key = None if view.graphs is None else tuple(graph.value for graph in view.graphs)
    with cache.lock:
        found = cache.entries.get(key)
        generation = cache.generation
    if found is not None:
        return found
    figures = describe.statistics(store, view)
    with cache.lock:
        if cache.generation == generation:
            cache.entries[key] = figures
    return figures


@router.get(
    "/catalogue",
    summary="DCAT-AP description of the catalogue",
    response_class=Response,
    responses=responses(406, *CALLER, 503, media_types=conneg.RDF),
)
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
    cache = _figures_cache(request.app)
    figures = await run_in_threadpool(_figures, cache, store, view)
    ontology_triples = await run_in_threadpool(describe.ontology_triple_count)
    info = describe.CatalogueInfo(
        base_url=settings.base_url,
        access="PUBLIC" if caller.role is Role.ANONYMOUS else "RESTRICTED",
    )
    triples = describe.catalogue_description(info, figures, ontology_triples)
    return conneg.rdf_response(request, triples, representation, available)


@router.get(
    "/dumps/catalogue.{fmt}",
    summary="Every stream the caller may see, in one file",
    response_class=StreamingResponse,
    responses=responses(404, *CALLER, 503, media_types=DUMP_MEDIA_TYPES.values()),
)
async def get_dump(
    fmt: str,
    store: StoreDep,
    caller: CallerDep,
    settings: SettingsDep,
    year: YearParam = None,
) -> Response:
    """Turtle and JSON-LD hold the asserted statements; N-Quads keeps the submission
    graphs and the inferred ones; CSV and XLSX are the stream template, one row per stream;
    GeoJSON the streams with a location (as ``sidestream export`` writes them)."""
    if fmt not in FORMATS or fmt not in DUMP_MEDIA_TYPES:
        raise HTTPException(404, f"no dump catalogue.{fmt}; one of {sorted(DUMP_MEDIA_TYPES)}")
    # Closed by the response's background task once the last chunk is sent, not here.
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # noqa: SIM115
    try:
        await run_in_threadpool(export, store, settings, spool, fmt=fmt, caller=caller, year=year)
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
