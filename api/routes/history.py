"""``GET /diff``: what changed in the catalogue between two reporting years.

Both years are read over the caller's views of those years (``api.deps``), so a change
to a stream the caller may not see is not in the answer.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from api.deps import CallerDep, StoreDep
from api.errors import CALLER, responses
from catalogue.access import view_for
from catalogue.changes import diff
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
