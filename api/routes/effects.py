"""``GET /effects``: the exchanges' effect on the five indicators, summed per region or
per industrial symbiosis (``sidestream effects --json``), over the caller's view; an HTML
page with one bar chart per indicator for browsers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from api import conneg
from api.deps import StoreDep, ViewDep, off_loop
from api.errors import CALLER, responses
from catalogue.effects import Aggregate, Grouping, aggregates
from catalogue.ingest.exchanges import INDICATORS

router = APIRouter(tags=["effects"])

AVAILABLE = (conneg.JSON, conneg.HTML)


@router.get(
    "/effects",
    summary="The exchanges' effect on water, resources, energy, waste and CO2, summed",
    responses=responses(406, *CALLER, 503, media_types=AVAILABLE),
)
async def effects(
    request: Request,
    store: StoreDep,
    view: ViewDep,
    by: Annotated[
        Grouping, Query(description="sum per region (country and region) or per symbiosis")
    ] = Grouping.REGION,
) -> Response:
    """One item per group, exchange status and indicator: ``group``, ``status``,
    ``indicator``, ``unit``, ``total`` (savings positive), ``exchanges``, and ``country`` and
    ``region`` or ``symbiosis``. Only the exchanges the caller may see count."""
    representation = conneg.negotiate(request, AVAILABLE)
    found = await off_loop(store, aggregates, store, view, by)
    headers = conneg.negotiated_headers(request, AVAILABLE)
    if representation is conneg.HTML:
        from api.pages import render

        response = render(request, "effects.html", by=by.value, charts=charts(found), rows=found)
        response.headers.update(headers)
        return response
    return JSONResponse([aggregate.to_dict() for aggregate in found], headers=headers)


def charts(found: list[Aggregate]) -> list[Any]:
    """One bar chart per indicator of the realised exchanges' totals, a bar per group."""
    from api.pages.charts import bar_chart
    from catalogue.matching.explain import number

    made = []
    for indicator in INDICATORS:
        data = [
            (a.group, float(a.total), f"{number(a.total)} {a.unit}")
            for a in found
            if a.indicator == indicator.notation and a.status == "realised"
        ]
        chart = bar_chart(
            f"{indicator.label} saved by realised exchanges",
            f"The yearly saving of {indicator.notation} in {indicator.unit_symbol}, summed over "
            "the realised exchanges of each group.",
            indicator.unit_symbol,
            data,
            headings=("Group", f"Saved ({indicator.unit_symbol})"),
        )
        if chart is not None:
            made.append(chart)
    return made
