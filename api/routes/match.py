"""``GET /match``: the results ``sidestream match --json`` prints, for the caller's view."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response
from fastapi.concurrency import run_in_threadpool

from api.deps import CallerDep, SettingsDep, StoreDep, YearParam
from api.errors import CALLER, responses
from catalogue.federation.match import federated_element_match
from catalogue.matching.crm import match_element
from catalogue.matching.demand import match_demand
from catalogue.matching.supply import match_supply

router = APIRouter(tags=["matching"])

WARNING_HEADER = "Sidestream-Warning"
"""Set on a federated answer when a remote catalogue could not answer (docs/federation.md)."""


@router.get(
    "/match",
    summary="Match a demand, a supply or an element",
    responses=responses(400, 404, *CALLER, 503),
)
async def match(
    response: Response,
    store: StoreDep,
    caller: CallerDep,
    settings: SettingsDep,
    demand: Annotated[str | None, Query(description="demand identifier")] = None,
    supply: Annotated[str | None, Query(description="supply identifier")] = None,
    element: Annotated[
        str | None, Query(description="element symbol or name, CRM group or list entry")
    ] = None,
    top: Annotated[int | None, Query(ge=1, le=1000, description="at most this many")] = None,
    year: YearParam = None,
    federated: Annotated[
        bool,
        Query(
            description="element only: also the harvested and the remote catalogues "
            "(SIDESTREAM_FEDERATION); each result names its source, and a remote that cannot "
            "answer is left out with a Sidestream-Warning header"
        ),
    ] = False,
) -> list[dict[str, Any]]:
    """Exactly one of ``demand``, ``supply`` or ``element``; best first, as
    ``sidestream match --json`` gives it (the same result model)."""
    given = [
        name
        for name, value in (("demand", demand), ("supply", supply), ("element", element))
        if value is not None
    ]
    if len(given) != 1:
        raise HTTPException(400, "give exactly one of demand, supply or element")
    if federated:
        if element is None:
            raise HTTPException(400, "federated matching is for element only")
        answer = await run_in_threadpool(
            federated_element_match,
            store,
            settings,
            element,
            top=top,
            caller=caller,
            year=year,
            local=settings.base_url + "catalogue",
        )
        if answer.warnings:
            response.headers[WARNING_HEADER] = " | ".join(answer.warnings)
        return answer.results
    if demand is not None:
        results = await run_in_threadpool(
            match_demand, store, demand, top=top, caller=caller, year=year
        )
    elif supply is not None:
        results = await run_in_threadpool(
            match_supply, store, supply, top=top, caller=caller, year=year
        )
    else:
        assert element is not None
        results = await run_in_threadpool(
            match_element, store, element, top=top, caller=caller, year=year
        )
    return [result.to_dict() for result in results]
