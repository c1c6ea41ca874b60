"""The catalogue over the years: ``GET /diff`` (what changed between two reporting years)
and ``GET /organisations/{slug}/history`` (an organisation's streams year by year).

Each is read over the caller's views (``api.deps``): a stream the caller may not see is
not in the answer. A stream's own history is in ``GET /streams/{identifier}``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.concurrency import run_in_threadpool

from api.deps import CallerDep, HistoryViewDep, SettingsDep, StoreDep, off_loop
from api.errors import CALLER, responses
from catalogue.access import view_for
from catalogue.changes import diff, organisation_history
from catalogue.history import EARLIEST_YEAR, LATEST_YEAR

router = APIRouter(tags=["history"])


@router.get(
    "/diff",
    summary="What changed between two reporting years",
    responses=responses(*CALLER, 503),
)
async def changes_between(
    store: StoreDep,
    caller: CallerDep,
    before: Annotated[int, Query(alias="from", ge=EARLIEST_YEAR, le=LATEST_YEAR)],
    after: Annotated[int, Query(alias="to", ge=EARLIEST_YEAR, le=LATEST_YEAR)],
) -> list[dict[str, Any]]:
    """Each stream added, removed or changed from reporting year ``from`` to ``to``, with
    the template cells that changed (``sidestream diff FROM TO --json``)."""

    def read() -> list[dict[str, Any]]:
        earlier, later = view_for(store, caller, before), view_for(store, caller, after)
        return [change.to_dict() for change in diff(store, earlier, later)]

    return await run_in_threadpool(read)  # whole catalogues twice: not on the event loop


@router.get(
    "/organisations/{slug}/history",
    summary="An organisation's streams, year by year",
    responses=responses(404, *CALLER, 503),
)
async def organisation_streams_by_year(
    slug: str, store: StoreDep, history: HistoryViewDep, settings: SettingsDep
) -> dict[str, Any]:
    """For each reporting year, the quantity of each of the organisation's streams then
    current, and the totals per unit; 404 when the caller sees no stream of it."""
    iri = f"{settings.data_base}organisation/{slug}"
    try:
        found = await off_loop(store, organisation_history, store, history, iri)
    except ValueError:  # not IRI material: no organisation has that name
        found = None
    if found is None or not found.streams:
        raise HTTPException(404, f"no organisation {slug} with streams you may see")
    return found.to_dict()
