"""Reporting rounds over HTTP (``catalogue.rounds``): ``GET /rounds`` (who has reported,
and the possibly stale streams; registered readers and up), ``POST /rounds`` (an
administrator opens the round for a year) and ``GET /rounds/{year}/template`` (a
publisher's organisation's streams, pre-filled in the XLSX template, to update).

Every stream read runs over the caller's views; the round records themselves (years and
opening times) are the same for everyone.
"""

from __future__ import annotations

import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from pyoxigraph import NamedNode

from api.auth import authentication_required, token_of
from api.deps import CallerDep, SettingsDep, StoreDep
from api.errors import CALLER, responses
from api.events import store_changed
from api.routes.publish import write_lock
from catalogue import audit, rounds
from catalogue.access import Caller, Role, view_for
from catalogue.history import EARLIEST_YEAR, LATEST_YEAR
from catalogue.publish import slug

router = APIRouter(tags=["rounds"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RoundYear = Annotated[int, Path(ge=EARLIEST_YEAR, le=LATEST_YEAR, description="reporting year")]


class RoundOpening(BaseModel):
    """What opening a round takes: the reporting year."""

    year: int = Field(ge=EARLIEST_YEAR, le=LATEST_YEAR, description="the reporting year")


def _registered(caller: Caller) -> None:
    if caller.role is Role.ANONYMOUS:
        raise authentication_required()


@router.get(
    "/rounds",
    summary="Reporting rounds: who has reported, and the possibly stale streams",
    responses=responses(*CALLER, 503),
)
async def round_status(
    store: StoreDep,
    caller: CallerDep,
    year: Annotated[
        int | None,
        Query(ge=EARLIEST_YEAR, le=LATEST_YEAR, description="default: the latest open round"),
    ] = None,
) -> dict[str, Any]:
    """The rounds opened; for ``year`` each organisation holding streams the caller may see,
    whether it reported for that year, and its streams with the year of their latest
    version; and every stream the caller may see whose latest version is older than two
    open rounds (``stale``). Registered readers and up (``sidestream round status --json``)."""
    _registered(caller)

    def read() -> dict[str, Any]:
        opened = rounds.open_rounds(store)
        wanted = year if year is not None else (opened[-1].year if opened else None)
        history = view_for(store, caller, history=True)
        return {
            "rounds": [opened_round.to_dict() for opened_round in opened],
            "year": wanted,
            "organisations": []
            if wanted is None
            else [entry.to_dict() for entry in rounds.round_status(store, history, wanted)],
            "stale": rounds.all_stale_streams(store, view_for(store, caller)),
        }

    return await run_in_threadpool(read)


@router.post(
    "/rounds",
    status_code=201,
    summary="Open the reporting round for a year",
    responses={
        200: {"description": "the round was open already: nothing changed"},
        # 400: a body that is not JSON at all (FastAPI cannot parse it)
        **responses(400, 403, 422, *CALLER, 503),
    },
)
async def open_round(
    opening: RoundOpening,
    request: Request,
    response: Response,
    store: StoreDep,
    caller: CallerDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    """Administrators only: records the round (year, time, who) in the catalogue graph.
    201 with the round; 200 with the round as it was when it was open already."""
    _registered(caller)
    if caller.role is not Role.ADMINISTRATOR:
        raise HTTPException(403, "opening a reporting round needs an administrator token")

    def write() -> tuple[dict[str, Any], bool]:
        with write_lock(request.app):
            opened = rounds.open_round(store, settings, opening.year, by=caller.organisation or "")
            if opened is not None:
                return opened.to_dict(), True
            existing = [r for r in rounds.open_rounds(store) if r.year == opening.year]
            return existing[0].to_dict(), False

    found, created = await run_in_threadpool(write)
    if not created:
        response.status_code = 200
        return found
    store_changed(request.app)
    token = token_of(request)
    audit.record(
        audit.audit_path(settings),
        action="round-open",
        token=token.id if token else None,
        organisation=caller.organisation,
        path=request.url.path,
        year=opening.year,
    )
    return found


@router.get(
    "/rounds/{year}/template",
    summary="Your organisation's streams, pre-filled in the template, for a round",
    response_class=Response,
    responses=responses(403, 404, 422, *CALLER, 503, media_types=[XLSX]),
)
async def round_template(
    year: RoundYear, store: StoreDep, caller: CallerDep, settings: SettingsDep
) -> Response:
    """Publishers (and administrators, for their own organisation): the latest row of each
    of the organisation's streams, in the XLSX template, to update for the round of
    ``year`` and publish again. 404 when that round is not open or the organisation holds
    no stream."""
    _registered(caller)
    if caller.role not in (Role.PUBLISHER, Role.ADMINISTRATOR) or not caller.organisation:
        raise HTTPException(403, "a round's template is for publishers of an organisation")
    organisation_slug = slug(caller.organisation)

    def build() -> bytes | None:
        if year not in {r.year for r in rounds.open_rounds(store)}:
            raise HTTPException(404, f"no reporting round is open for {year}")
        view = view_for(store, caller)
        with tempfile.TemporaryDirectory() as folder:
            iri = f"{settings.data_base}organisation/{organisation_slug}"
            statuses = rounds.round_status(store, view, year)
            if not any(status.organisation == iri for status in statuses):
                return None
            path = FilePath(folder) / "template.xlsx"
            rounds.organisation_template(store, view, NamedNode(iri), path)
            return path.read_bytes()

    body = await run_in_threadpool(build)
    if body is None:
        raise HTTPException(404, f"{caller.organisation} holds no stream in the catalogue")
    name = f"{organisation_slug}-{year}.xlsx"
    return Response(
        body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
