"""Server-rendered HTML pages: Jinja2 templates, readable without JavaScript.

Other routes call :func:`render_streams_page` and :func:`render_stream_page` with the
same dicts their JSON gives; the page routes of :mod:`api.routes.pages` use
:func:`render` directly. Templates live in ``api/templates/`` with autoescaping on for
every file, so catalogue text (names, descriptions, query results) is always escaped.

Third-party front-end code is never copied into the repository: Leaflet comes from the
``xstatic-leaflet`` package (PyPI) and is served from ``/static/vendor/leaflet/``; when
it is not installed, or a browser has no JavaScript, the map page is a list and an SVG.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import jinja2
from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from api.pages.charts import history_chart
from api.pages.schema_org import schema_org_script
from catalogue.access import Caller
from catalogue.errors import SidestreamError
from catalogue.matching.results import MatchResult

HERE = Path(__file__).parent
TEMPLATES = HERE.parent / "templates"
STATIC = HERE.parent / "static"
MATCH_LIMIT = 10
"""Matches shown on a stream page (the JSON ``/match`` gives them all)."""


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        # Every template is HTML or SVG: escape everything, whatever the file name.
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.ChainableUndefined,
    )
    environment.filters["number"] = number
    environment.filters["amount"] = amount
    environment.filters["percent"] = percent
    environment.filters["schema_org"] = schema_org_script
    return environment


def number(value: Any, digits: int = 3) -> str:
    """A figure for people: thousands separated, at most ``digits`` significant decimals.

    >>> number(Decimal("90000")), number(1234.5678), number(0.000123), number(None)
    ('90,000', '1,235', '0.000123', '')
    """
    if value is None or value == "":
        return ""
    try:
        figure = float(value)
    except (TypeError, ValueError):
        return str(value)
    if figure == 0:
        return "0"
    if abs(figure) >= 100:
        return f"{figure:,.0f}"
    text = f"{figure:,.{digits}g}"
    if "e" in text:
        return f"{figure:,.{max(0, digits - 1 - _exponent(figure))}f}".rstrip("0").rstrip(".")
    return text


def _exponent(figure: float) -> int:
    import math

    return math.floor(math.log10(abs(figure)))


_SCALED = {"t/a": ("kt/a", "Mt/a"), "t": ("kt", "Mt")}


def amount(low: Any, high: Any = None, unit: str | None = None) -> str:
    """A quantity or range with its unit, scaled to kt or Mt when large (``"50-200 kt/a"``)."""
    if low is None and high is None:
        return ""
    values = [Decimal(str(v)) for v in (low, high) if v is not None]
    largest = max(abs(v) for v in values)
    if unit in _SCALED and largest >= 1_000_000:
        values, unit = [v / 1_000_000 for v in values], _SCALED[unit][1]
    elif unit in _SCALED and largest >= 10_000:
        values, unit = [v / 1000 for v in values], _SCALED[unit][0]
    texts = [number(v) for v in values]
    text = (
        texts[0] if len(texts) == 1 or texts[0] == texts[1] else f"{texts[0]}\N{EN DASH}{texts[1]}"
    )
    return f"{text} {unit}" if unit else text


def percent(part: dict[str, Any]) -> str:
    """A component's mass fraction (0-1) as percent, with its range when given.

    >>> percent({"fraction": 0.015, "min": 0.01, "max": 0.02})
    '1.5 % (1\N{EN DASH}2 %)'
    """
    value, low, high = part.get("fraction"), part.get("min"), part.get("max")
    text = "" if value is None else f"{number(float(value) * 100)} %"
    if low is not None or high is not None:
        span = amount(
            None if low is None else float(low) * 100, None if high is None else float(high) * 100
        )
        bounds = span if low is not None and high is not None else None
        if bounds is None:
            bounds = f"at least {span}" if low is not None else f"at most {span}"
        text = f"{text} ({bounds} %)" if text else f"{bounds} %"
    return text or "not given"


templates = Jinja2Templates(env=_environment())


def page_context(request: Request, **values: Any) -> dict[str, Any]:
    """What every page template gets: the settings it shows and where the reader is."""
    return {"request": request, "settings": request.app.state.settings, **values}


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> Response:
    response = templates.TemplateResponse(
        request, template, page_context(request, **values), status_code=status_code
    )
    response.headers["Content-Security-Policy"] = content_security_policy(
        request.app.state.settings.tile_url
    )
    return response


def content_security_policy(tile_url: str) -> str:
    """Scripts and styles from this service only; images also from the map's tile server.

    Every script the pages run is served from ``/static`` (no inline script, no CDN), so
    text a publisher wrote can never run even if a template forgot to escape it.

    >>> content_security_policy("https://tile.example.org/{z}/{x}/{y}.png").split("; ")[1]
    "img-src 'self' data: https://tile.example.org"
    """
    parts = urlsplit(tile_url)
    tiles = f" {parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return (
        "default-src 'self'; "
        f"img-src 'self' data:{tiles}; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def caller_of(request: Request) -> Caller:
    from api.deps import request_caller

    return request_caller(request)


def mount_static(app: FastAPI) -> None:
    """Serve ``api/static/`` at ``/static`` and Leaflet (if installed) under it."""
    try:
        import xstatic.pkg.leaflet as leaflet  # type: ignore[import-untyped]
    except ImportError:
        app.state.leaflet = None
    else:
        # Mounted before /static so the more specific path wins.
        app.mount(
            "/static/vendor/leaflet",
            StaticFiles(directory=leaflet.BASE_DIR),
            name="leaflet",
        )
        app.state.leaflet = leaflet.VERSION
    app.mount("/static", StaticFiles(directory=STATIC), name="static")


def render_error_page(request: Request, status_code: int, title: str, message: str) -> Response:
    """An HTML error page (for browsers that asked for a stream that is not there, say)."""
    return render(
        request, "error.html", status_code=status_code, title=title, message=message, suggestions=[]
    )


# ------------------------------------------------------------------ stream list


def render_streams_page(request: Request, listing: dict[str, Any]) -> Response:
    """``GET /streams`` for browsers: the search form, the results and page links.

    ``listing`` is the JSON body of ``GET /streams``: ``items`` (each with
    ``identifier``, ``name``, ``kind``, ``material``, ``organisation``, ``country``,
    ``quantity``, ``unit``), ``total``, ``page``, ``per_page`` and ``filters``.
    """
    filters = {key: value for key, value in (listing.get("filters") or {}).items() if value}
    total = int(listing.get("total") or 0)
    page = int(listing.get("page") or 1)
    per_page = int(listing.get("per_page") or max(1, len(listing.get("items") or [])))
    pages = int(listing.get("pages") or (max(1, -(-total // per_page)) if per_page else 1))
    # GET /streams gives its own page links; they are used when present.
    links = listing.get("links") or {}

    def link(number: int) -> str:
        query = {**filters, "page": number}
        if listing.get("per_page"):
            query["per_page"] = per_page
        return "/streams?" + urlencode(query)

    return render(
        request,
        "streams.html",
        listing=listing,
        items=listing.get("items") or [],
        filters=filters,
        total=total,
        page=page,
        pages=pages,
        previous=links.get("prev") or (link(page - 1) if page > 1 else None),
        next=links.get("next") or (link(page + 1) if page < pages else None),
        first=(page - 1) * per_page + 1,
    )


# ------------------------------------------------------------------ one stream


def render_stream_page(request: Request, stream: dict[str, Any]) -> Response:
    """``GET /streams/{identifier}`` for browsers, with the stream's best matches.

    ``stream`` is the JSON body of ``GET /streams/{identifier}``. Matches are found here
    for the same caller (``match_supply`` for a supply, ``match_demand`` for a demand).
    Matching is CPU work: call this from a threadpool (``run_in_threadpool``).
    """
    view = _stream_view(stream)
    matches, problem = _matches(request, view["identifier"], view["kind"])
    return render(
        request,
        "stream.html",
        stream=view,
        raw=stream,
        matches=matches,
        problem=problem,
        history_chart=history_chart(stream.get("history") or []),
    )


CODE_NAMES = {
    "naceActivity": "NACE activity",
    "process": "Process",
    "wasteCode": "Waste code",
    "physicalState": "State",
    "status": "Status",
    "currentTreatment": "Today's treatment",
    "accessibility": "Accessibility",
    "depositStatus": "Deposit status",
    "confidentiality": "Confidentiality",
}
"""Headings for the coded properties of ``stream_summary``'s ``codes``."""


def _first(data: Any, *keys: str) -> Any:
    if not isinstance(data, dict):
        return None
    for key in keys:
        value = data.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _named(value: Any) -> tuple[Any, Any]:
    """``(text, url)`` of a party or material given as text or as ``{"name"/"label", "url"}``."""
    if isinstance(value, dict):
        return _first(value, "name", "label", "iri"), value.get("url")
    return value, None


def _parts(parts: Any) -> list[dict[str, Any]]:
    rows = []
    for part in parts or []:
        if isinstance(part, dict):
            rows.append(
                {
                    "what": _first(part, "formula", "element", "symbol", "component") or "",
                    "element": part.get("element"),
                    "fraction": _first(part, "fraction", "value", "mass_fraction"),
                    "min": _first(part, "minimum", "min"),
                    "max": _first(part, "maximum", "max"),
                    "text": part.get("text"),
                    "derived": part.get("derived_from"),
                }
            )
    return rows


def _stream_view(stream: dict[str, Any]) -> dict[str, Any]:
    """One shape for the template from the body of ``GET /streams/{identifier}``
    (:func:`catalogue.lookup.stream_summary`), also taking flat keys
    (``quantity_min``, ``latitude``...) as the list items have them."""
    quantity = stream.get("quantity")
    if isinstance(quantity, dict):
        value = _first(quantity, "value")
        low = _first(quantity, "minimum", "min")
        high = _first(quantity, "maximum", "max")
        unit = _first(quantity, "unit")
        basis = _first(quantity, "basis")
        year = _first(quantity, "year")
    else:
        value, unit, basis, year = quantity, stream.get("unit"), stream.get("basis"), None
        low = _first(stream, "quantity_min", "minimum")
        high = _first(stream, "quantity_max", "maximum")
    provenance = stream.get("provenance") or {}
    location = stream.get("location") or {}
    organisation, organisation_url = _named(stream.get("organisation"))
    site, site_url = _named(stream.get("site"))
    material, _ = _named(stream.get("material"))
    figures = [
        figure
        for figure in stream.get("figures") or []
        if isinstance(figure, dict) and figure.get("label") not in ("quantity", "reference year")
    ]
    return {
        "identifier": str(stream.get("identifier") or ""),
        "name": _first(stream, "name", "label") or stream.get("identifier") or "",
        "kind": str(stream.get("kind") or "").lower(),
        "description": stream.get("description"),
        "organisation": organisation,
        "organisation_url": organisation_url,
        "site": site,
        "site_url": site_url,
        "country": stream.get("country"),
        "material": material,
        "requests": [r for r in stream.get("requests") or [] if isinstance(r, dict)],
        "codes": [
            {**code, "name": CODE_NAMES.get(code.get("property"), code.get("property"))}
            for code in stream.get("codes") or []
            if isinstance(code, dict)
        ],
        "figures": figures,
        "value": value,
        "low": low,
        "high": high,
        "unit": unit,
        "basis": basis,
        "composition": _parts(stream.get("composition")),
        "requirements": _parts(stream.get("requirements")),
        "source": _first(provenance, "source") or stream.get("source"),
        "reference_year": year
        or _first(provenance, "reference_year")
        or stream.get("reference_year")
        or stream.get("year"),
        "lat": _first(location, "latitude", "lat") or _first(stream, "latitude", "lat"),
        "lon": _first(location, "longitude", "lon") or _first(stream, "longitude", "lon"),
        "iri": stream.get("iri"),
        "alternates": stream.get("alternates") or {},
    }


def _matches(request: Request, identifier: str, kind: str) -> tuple[list[MatchResult], str | None]:
    """The best matches for the stream, or why there are none to show."""
    from catalogue.matching.demand import match_demand
    from catalogue.matching.supply import match_supply

    store = request.app.state.store
    caller = caller_of(request)
    # the route has checked ?year= already (api.deps.YearParam): the page's year's matches
    given = request.query_params.get("year")
    year = int(given) if given else None
    try:
        if kind == "supply":
            return match_supply(store, identifier, top=MATCH_LIMIT, caller=caller, year=year), None
        if kind == "demand":
            return match_demand(store, identifier, top=MATCH_LIMIT, caller=caller, year=year), None
    except SidestreamError as error:
        return [], str(error)
    return [], None
