"""HTML pages: home and search form, element (CRM) pages, the map and the query page.

Everything a page shows is read over the caller's view (``ViewDep``, ``caller=``), except
the aggregates of non-public supply (:mod:`catalogue.aggregates`), which return counts and
summed quantities only. Pages work without JavaScript; the map adds Leaflet when it loads.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from importlib import resources
from typing import Annotated, Any
from urllib.parse import quote

import pyoxigraph
from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse

from api import conneg
from api.deps import CallerDep, StoreDep, ViewDep
from api.errors import CALLER, responses
from api.pages import amount, render
from api.pages.charts import bar_chart
from catalogue import queries
from catalogue.aggregates import nonpublic_supply
from catalogue.criticality import Criticality, criticality, held_critical_elements
from catalogue.errors import InputError
from catalogue.matching.crm import match_element, resolve
from catalogue.matching.results import MatchResult
from catalogue.store.base import CatalogueStore, View

router = APIRouter(tags=["pages"])

CRM_SHORTCUTS = ("Ga", "Ge", "V", "Co", "Li", "Dy", "Nd", "P", "Sc", "HREE", "PGM")
"""Element links on the home page: critical raw materials people ask about first."""

QUERY_ROW_LIMIT = 200
"""Rows the query page shows; the SPARQL endpoint is there for whole results."""
QUERY_PAGE_LENGTH = 8_000
"""The longest query the query page runs, in characters."""

_SS = "https://w3id.org/sidestream/ontology/"
_POINT = re.compile(r"POINT\s*\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)", re.IGNORECASE)


# ------------------------------------------------------------------ home


@router.get(
    "/",
    summary="Home page with the search form",
    response_class=HTMLResponse,
    responses=responses(*CALLER, 503),
)
async def home(request: Request, store: StoreDep, view: ViewDep) -> Response:
    counts, aggregates = await run_in_threadpool(_home_data, store, view)
    return render(
        request, "home.html", counts=counts, aggregates=aggregates, shortcuts=CRM_SHORTCUTS
    )


def _home_data(store: CatalogueStore, view: View) -> tuple[dict[str, int], list[Any]]:
    rows = store.select(queries.bind(queries.load("pages/visible_counts")), view)
    counts = {
        row["kind"].value.removeprefix(_SS).lower(): int(row["streams"].value) for row in rows
    }
    return counts, nonpublic_supply(store)


# ------------------------------------------------------------------ element pages


ELEMENT_FORMATS = (conneg.HTML, conneg.JSON)
"""Element pages are HTML for browsers and JSON (``?format=json`` or ``Accept``) for programs."""


@router.get(
    "/elements/{name}",
    summary="Where an element or CRM group is in the catalogue, and how critical it is",
    response_class=HTMLResponse,
    responses=responses(404, 406, *CALLER, 503, media_types=ELEMENT_FORMATS, page=True),
)
async def element_page(request: Request, name: str, store: StoreDep, caller: CallerDep) -> Response:
    """The supplies holding an element, group or list entry, and its criticality: the EU
    lists each element is on, its main applications and the recoverable mass the caller's
    supplies hold by category (JSON: :meth:`Criticality.to_dict` plus ``supplies``)."""
    representation = conneg.negotiate(request, ELEMENT_FORMATS)
    try:
        data = await run_in_threadpool(_element_data, store, name, caller)
    except InputError as error:
        if representation is conneg.JSON:
            body = {"error": str(error), "suggestions": list(error.suggestions)}
            return JSONResponse(body, status_code=404)
        return render(
            request,
            "error.html",
            status_code=404,
            title=f"Unknown element “{name}”",
            message=str(error),
            suggestions=list(error.suggestions),
        )
    headers = conneg.negotiated_headers(request, ELEMENT_FORMATS)
    if representation is conneg.JSON:
        body = {
            **data["criticality"].to_dict(),
            "supplies": [result.to_dict() for result in data["results"]],
        }
        return JSONResponse(body, headers=headers)
    response = render(request, "element.html", name=name, **data)
    response.headers.update(headers)
    return response


def _element_data(store: CatalogueStore, name: str, caller: Any) -> dict[str, Any]:
    found = resolve(name)
    results = match_element(store, name, caller=caller)
    facts = criticality(found, results)
    known = [r for r in results if r.recoverable and r.recoverable.mass is not None]
    unknown = [r for r in results if r not in known]
    # Flows (t/a) and stocks (t) never share a chart: a year's output and a standing
    # amount do not add up. Group by the unit the results give.
    sections = []
    for unit in sorted({r.recoverable.unit for r in known if r.recoverable}, key=_unit_order):
        rows = [r for r in known if r.recoverable and r.recoverable.unit == unit]
        kind = "stocks" if unit in ("t", "kt", "Mt") else "flows"
        sections.append(_section(found.label, unit or "", kind, rows))
    aggregates = nonpublic_supply(store, list(found.elements.values()))
    return {
        "label": found.label,
        "symbols": list(found.elements),
        "results": results,
        "sections": sections,
        "unknown": unknown,
        "aggregates": aggregates,
        "criticality": facts,
        "category_charts": _category_charts(facts),
    }


def _category_charts(facts: Criticality) -> list[Any]:
    """Small charts of the recoverable mass by kind of supply, one per unit (a year's
    output in t/a and standing amounts in t never share a chart)."""
    charts = []
    for unit in ("t/a", "t"):
        totals = [total for total in facts.totals if total.unit == unit and total.mass > 0]
        chart = bar_chart(
            f"Recoverable {facts.label} by kind of supply ({unit})",
            f"Recoverable mass of {facts.label} in the visible supplies of each kind, in {unit}.",
            unit,
            [
                (
                    f"{CATEGORY_WORDS[total.category]} ({total.supplies})",
                    float(total.mass),
                    amount(total.mass, None, unit),
                )
                for total in totals
            ],
            headings=("Kind of supply (supplies)", "Recoverable mass"),
        )
        if chart is not None:
            charts.append(chart)
    return charts


CATEGORY_WORDS = {"flow": "flows", "stock": "stocks", "deposit": "deposits"}


def _unit_order(unit: str | None) -> tuple[int, str]:
    return (0 if unit and unit.endswith("/a") else 1, unit or "")


def _section(label: str, unit: str, kind: str, rows: list[MatchResult]) -> dict[str, Any]:
    def mass(result: MatchResult) -> Decimal:
        assert result.recoverable is not None and result.recoverable.mass is not None
        return result.recoverable.mass

    by_stream = bar_chart(
        f"Recoverable {label} by stream ({kind}, {unit})",
        f"Recoverable mass of {label} in each visible supply, in {unit}, largest first.",
        unit,
        [(r.name, float(mass(r)), amount(mass(r), None, unit)) for r in rows],
    )
    countries: dict[str, Decimal] = defaultdict(Decimal)
    streams: dict[str, int] = defaultdict(int)
    for result in rows:
        countries[result.country or "unknown"] += mass(result)
        streams[result.country or "unknown"] += 1
    by_country = bar_chart(
        f"Recoverable {label} by country ({kind}, {unit})",
        f"Recoverable mass of {label} summed over the visible supplies of each country, in {unit}.",
        unit,
        [
            (
                f"{country} ({streams[country]} stream{'s' if streams[country] != 1 else ''})",
                float(total),
                amount(total, None, unit),
            )
            for country, total in countries.items()
        ],
    )
    return {
        "kind": kind,
        "unit": unit,
        "rows": rows,
        "by_stream": by_stream,
        "by_country": by_country,
        "total": amount(sum((mass(r) for r in rows), Decimal(0)), None, unit),
    }


# ------------------------------------------------------------------ map


@router.get(
    "/map",
    summary="Map of the streams the caller may see",
    response_class=HTMLResponse,
    responses=responses(*CALLER, 503),
)
async def map_page(request: Request, store: StoreDep, view: ViewDep) -> Response:
    points = await run_in_threadpool(_points, store, view)
    return render(request, "map.html", points=points, outline=_outline(points))


def _points(store: CatalogueStore, view: View) -> list[dict[str, Any]]:
    points: dict[str, dict[str, Any]] = {}
    for row in store.select(queries.bind(queries.load("pages/map_streams")), view):
        found = _POINT.search(row["wkt"].value)
        identifier = row["identifier"].value
        if found is None or identifier in points:
            continue
        points[identifier] = {
            "identifier": identifier,
            "name": row["name"].value if "name" in row else identifier,
            "kind": row["kind"].value.removeprefix(_SS).lower(),
            "country": row["country"].value if "country" in row else None,
            "lon": float(found[1]),
            "lat": float(found[2]),
            "url": f"/streams/{identifier}",
        }
    return list(points.values())


def _outline(points: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A plain SVG scatter of the points (longitude right, latitude up) for the no-JS map.

    Equirectangular with the longitude scaled by the cosine of the middle latitude, so
    Norway keeps roughly its shape without a projection library.
    """
    import math

    if not points:
        return None
    width, margin = 640, 20
    lons = [p["lon"] for p in points]
    lats = [p["lat"] for p in points]
    west, east = min(lons) - 1, max(lons) + 1
    south, north = min(lats) - 1, max(lats) + 1
    squeeze = math.cos(math.radians((south + north) / 2))
    scale = (width - 2 * margin) / ((east - west) * squeeze)
    height = round((north - south) * scale + 2 * margin)
    dots = [
        {
            **point,
            "x": round(margin + (point["lon"] - west) * squeeze * scale, 1),
            "y": round(margin + (north - point["lat"]) * scale, 1),
        }
        for point in points
    ]
    return {"width": width, "height": height, "dots": dots}


# ------------------------------------------------------------------ query page


def example_queries() -> list[dict[str, str]]:
    """The page's own examples, then the matching queries the catalogue itself runs."""
    examples = []
    for folder, prefix in (("pages", "example_"), ("match", "")):
        directory = resources.files("catalogue.queries").joinpath(folder)
        names = sorted(
            entry.name.removesuffix(".rq")
            for entry in directory.iterdir()
            if entry.name.endswith(".rq") and entry.name.startswith(prefix)
        )
        for name in names:
            loaded = queries.load(f"{folder}/{name}")
            examples.append({"name": loaded.name, "summary": loaded.summary, "text": loaded.text})
    return examples


@router.get("/query", summary="SPARQL query page with examples", response_class=HTMLResponse)
async def query_page(
    request: Request, example: Annotated[str | None, Query(max_length=200)] = None
) -> Response:
    examples = example_queries()
    chosen = next((e for e in examples if e["name"] == example), examples[0])
    return render(request, "query.html", examples=examples, text=chosen["text"], chosen=chosen)


_LEADING = re.compile(
    r"\A(?:\s+|#[^\n]*\n?|(?:PREFIX\s+[\w.-]*:\s*<[^>]*>)|(?:BASE\s*<[^>]*>))*", re.IGNORECASE
)
ALLOWED_FORMS = ("SELECT", "ASK", "CONSTRUCT")


def query_form(text: str) -> str | None:
    """The query form keyword (``SELECT``...) after comments and prologue, upper case.

    >>> query_form("PREFIX ss: <https://x/> # c\\nselect * WHERE {}")
    'SELECT'
    """
    rest = text[_LEADING.match(text).end() :]  # type: ignore[union-attr]
    word = re.match(r"[A-Za-z]+", rest)
    return word[0].upper() if word else None


@router.get(
    "/query/run",
    summary="Run a query from the query page and show the result",
    response_class=HTMLResponse,
    responses=responses(400, *CALLER, 503, page=True),
)
async def run_query(
    request: Request,
    store: StoreDep,
    view: ViewDep,
    # The query travels in the URL, where a character may take 12 bytes (%F0%9F%98%80):
    # past about 100 KB uvicorn drops the request ("Invalid HTTP request") and the client
    # sees its connection reset. 8,000 characters always arrive; /sparql takes POST.
    query: Annotated[str, Query(max_length=QUERY_PAGE_LENGTH)] = "",
) -> Response:
    examples = example_queries()
    form = query_form(query)
    result: dict[str, Any] | None = None
    error = None
    if not query.strip():
        error = "Write a query first."
    elif form not in ALLOWED_FORMS:
        error = (
            f"Only {', '.join(ALLOWED_FORMS)} queries run here (this one is {form or 'unknown'})."
        )
    elif uses_service(query):
        # Federated queries would make this server fetch from elsewhere on the reader's behalf.
        error = "SERVICE (federated query) is not allowed here"
    else:
        executor = getattr(request.app.state, "sparql", None)
        try:
            if executor is not None:
                result = await _run_on_endpoint(executor, query, view)
            else:
                result = await run_in_threadpool(_run, store, query, view)
        except (SyntaxError, ValueError, OSError, QueryFailed) as problem:
            error = str(problem)
    return render(
        request,
        "query.html",
        status_code=400 if error else 200,
        examples=examples,
        text=query,
        chosen=None,
        result=result,
        error=error,
        limit=QUERY_ROW_LIMIT,
    )


class QueryFailed(Exception):
    """The endpoint's workers refused or could not finish the query (message for the page)."""


async def _run_on_endpoint(executor: Any, text: str, view: View) -> dict[str, Any]:
    """``text`` run the way ``/sparql`` runs it: in a worker process, under its time limit.

    The endpoint's guards apply (read-only, no ``SERVICE``); results come back as SPARQL
    JSON or N-Triples and are read back into the same table as :func:`_run` makes.
    """
    from api.sparql.executor import QueryTimeout, WorkerFailed, WorkersBusy
    from api.sparql.formats import Preference

    visible = None if view.graphs is None else tuple(graph.value for graph in view.graphs)
    preference = Preference("application/sparql-results+json, application/n-triples")
    try:
        reply = await executor.run(text, visible, visible, preference)
    except QueryTimeout:
        raise QueryFailed(
            f"the query ran longer than {executor.timeout:g} s and was cancelled"
        ) from None
    except WorkersBusy:
        raise QueryFailed("every query worker is busy; try again in a moment") from None
    except WorkerFailed as failure:
        raise QueryFailed(f"the query's worker failed: {failure}") from None
    if reply.status != "ok":
        raise QueryFailed(reply.message or "the query failed")
    if reply.format == "N-Triples":
        triples = pyoxigraph.parse(reply.body, format=pyoxigraph.RdfFormat.N_TRIPLES)
        return _table(triples)
    answer = pyoxigraph.parse_query_results(reply.body, format=pyoxigraph.QueryResultsFormat.JSON)
    return _table(answer)


def uses_service(text: str) -> bool:
    """The endpoint's own check when it is installed, else any ``SERVICE`` word at all."""
    try:
        from api.sparql.guard import uses_service as endpoint_check
    except ImportError:
        return re.search(r"\bSERVICE\b", text, re.IGNORECASE) is not None
    return endpoint_check(text)


def _run(store: CatalogueStore, text: str, view: View) -> dict[str, Any]:
    """At most :data:`QUERY_ROW_LIMIT` rows or triples of ``text`` over ``view``.

    Used when the service runs without the SPARQL endpoint's workers (no time limit).
    """
    return _table(store.query(text, view))


def _table(answer: Any) -> dict[str, Any]:
    if isinstance(answer, pyoxigraph.QueryBoolean):
        return {"kind": "boolean", "value": bool(answer)}
    if isinstance(answer, pyoxigraph.QuerySolutions):
        names = [variable.value for variable in answer.variables]
        rows, cut = [], False
        for solution in answer:
            if len(rows) == QUERY_ROW_LIMIT:
                cut = True
                break
            rows.append([_cell(solution[name]) for name in names])
        return {"kind": "table", "head": names, "rows": rows, "cut": cut}
    triples, cut = [], False
    for triple in answer:
        if len(triples) == QUERY_ROW_LIMIT:
            cut = True
            break
        triples.append([_cell(triple.subject), _cell(triple.predicate), _cell(triple.object)])
    return {
        "kind": "table",
        "head": ["subject", "predicate", "object"],
        "rows": triples,
        "cut": cut,
    }


def _cell(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.Literal):
        return term.value
    return str(term.value) if hasattr(term, "value") else str(term)


@router.get(
    "/elements",
    summary="Element pages: a form and the critical raw materials the catalogue holds",
    response_class=HTMLResponse,
    responses={
        303: {"description": "with a name: to its element page"},
        **responses(404, 406, *CALLER, 503, media_types=ELEMENT_FORMATS, page=True),
    },
)
async def element_index(
    request: Request,
    store: StoreDep,
    caller: CallerDep,
    name: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """With ``name`` (the home page's form), the element page; without, every element on
    an EU list that the caller's supplies hold, with its lists and recoverable mass by
    kind of supply (JSON: ``{"elements": [...]}``)."""
    from fastapi.responses import RedirectResponse

    if name.strip():
        return RedirectResponse(f"/elements/{quote(name.strip(), safe='')}", status_code=303)
    representation = conneg.negotiate(request, ELEMENT_FORMATS)
    holdings = await run_in_threadpool(held_critical_elements, store, caller=caller)
    headers = conneg.negotiated_headers(request, ELEMENT_FORMATS)
    if representation is conneg.JSON:
        body = {"elements": [holding.to_dict() for holding in holdings]}
        return JSONResponse(body, headers=headers)
    response = render(request, "elements.html", shortcuts=CRM_SHORTCUTS, holdings=holdings)
    response.headers.update(headers)
    return response
