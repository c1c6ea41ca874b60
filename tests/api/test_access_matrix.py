"""Every endpoint x every caller x every confidentiality level: what is seen and changed.

The catalogue is three submissions published over HTTP by the owning organisation, each
holding one supply of one level (``mx-public``, ``mx-restricted``, ``mx-confidential``)
whose name and description carry a marker (``QQMXPUBLIC``...). Six callers ask: anonymous,
a bad token, a reader, a publisher of the owning organisation, a publisher of another
organisation and an administrator. Each read answer must show the marker of every level
the caller may see (where the endpoint lists streams) and never the marker of one it may
not; each write must be allowed or refused as docs/publishing.md says, and the store must
show that it happened or did not.

The routes are read from the app itself: a route missing from ``PROBES`` fails
``test_every_route_is_probed``, so a new endpoint cannot skip the matrix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Mount

from api.app import create_app
from catalogue.access import Role
from catalogue.tokens import create_token, tokens_path
from tests.api.conftest import TokenService, service_settings, start_server, stop_server
from tests.api.test_access_everywhere import HEADER

LEVELS = ("public", "restricted", "confidential")
CALLERS = ("anonymous", "bad", "reader", "owner", "other", "admin")
SEES: dict[str, set[str]] = {
    "anonymous": {"public"},
    "reader": {"public", "restricted"},
    "owner": set(LEVELS),
    "other": {"public", "restricted"},
    "admin": set(LEVELS),
}
"""What each caller may see (docs/publishing.md, "Roles: who sees what"); ``bad`` is 401."""
OWNER = "Owner Works QQMXORG"
BAD_TOKEN = "not-a-token-" + "x" * 32


def marker(level: str) -> str:
    return f"QQMX{level.upper()}"


def row(identifier: str, name: str, level: str, index: int = 1) -> str:
    return (
        f"{identifier},supply,{name},about {name},Owner Works,Site {level},NO,59.{index},"
        f"9.{index},steelmaking slag,V2O5=1 %,10,kt/a,{level}"
    )


def template(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


DEMAND = (
    "mx-want,demand,Vanadium wanted,for alloys,Owner Works,,NO,59.1,9.6,vanadium,,1,kt/a,public"
)


def publish(client: httpx.Client, name: str, body: str, *, replace: bool = False) -> httpx.Response:
    params: dict[str, str] = {"filename": name}
    if replace:
        params["replace"] = "true"
    return client.post(
        "/streams", params=params, content=body, headers={"Content-Type": "text/csv"}
    )


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TokenService]:
    folder = tmp_path_factory.mktemp("matrix")
    # The bad-token caller asks hundreds of times from one address: lift the throttle
    # here (tests/api/test_security.py tests it).
    settings = service_settings(folder / "store", token_failures_per_minute=1_000_000)
    path = tokens_path(settings)
    tokens = {
        "reader": create_token(path, "Curious Institute", Role.READER)[0],
        "owner": create_token(path, OWNER, Role.PUBLISHER)[0],
        "other": create_token(path, "Someone Else AS", Role.PUBLISHER)[0],
        "admin": create_token(path, "Catalogue Office", Role.ADMINISTRATOR)[0],
        "bad": BAD_TOKEN,
    }
    live, running = start_server(settings)
    service = TokenService(live, tokens)
    try:
        with service.client("owner") as owner:
            for index, level in enumerate(LEVELS, start=1):
                rows = [row(f"mx-{level}", f"Slag {marker(level)}", level, index)]
                if level == "public":
                    rows.append(DEMAND)
                answer = publish(owner, f"mx-{level}.csv", template(*rows))
                assert answer.status_code == 201, answer.text
        yield service
    finally:
        stop_server(running)


# --- the probes -------------------------------------------------------------------------

Request = tuple[str, str, dict[str, str], dict[str, str]]
"""(method, path, params, headers)."""


@dataclass(frozen=True)
class Probe:
    """How to read one route, and what its answer may show.

    ``kind``: ``stream`` asks about one level's stream (200 and its marker when the caller
    may see it, 404 when not); ``list`` answers about every stream (the markers of exactly
    the visible levels); ``summary`` about the catalogue without naming every stream (no
    marker of a hidden level); ``open`` does not read the catalogue (200 for anyone, even
    with a bad token, and no marker); ``submission`` is a submission's record (its
    organisation and administrators only).
    """

    kind: str
    requests: Callable[[str], list[Request]]


def each(*requests: Request) -> Callable[[str], list[Request]]:
    return lambda level: list(requests)


def per_level(build: Callable[[str], Request]) -> Callable[[str], list[Request]]:
    return lambda level: [build(level)]


HTML = {"Accept": "text/html"}
TURTLE = {"Accept": "text/turtle"}
CSV = {"Accept": "text/csv"}
ALL = "SELECT ?s ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?o), 'QQMX')) }"

PROBES: dict[tuple[str, str], Probe] = {
    ("GET", "/streams"): Probe(
        "list",
        each(
            ("GET", "/streams", {}, {"Accept": "application/json"}),
            ("GET", "/streams", {"q": "slag"}, HTML),
        ),
    ),
    ("GET", "/streams/{identifier}"): Probe(
        "stream",
        lambda level: [
            ("GET", f"/streams/mx-{level}", {}, {"Accept": accept})
            for accept in ("application/ld+json", "text/turtle", "text/html", "application/json")
        ],
    ),
    ("GET", "/data/stream/{identifier}"): Probe(
        "stream", per_level(lambda level: ("GET", f"/data/stream/mx-{level}", {}, TURTLE))
    ),
    ("GET", "/sites/{organisation}/{site}"): Probe(
        "stream",
        per_level(lambda level: ("GET", f"/sites/owner-works/site-{level}", {}, TURTLE)),
    ),
    ("GET", "/data/site/{organisation}/{site}"): Probe(
        "stream",
        per_level(lambda level: ("GET", f"/data/site/owner-works/site-{level}", {}, TURTLE)),
    ),
    ("GET", "/organisations/{slug}"): Probe(
        "summary", each(("GET", "/organisations/owner-works", {}, TURTLE))
    ),
    ("GET", "/data/organisation/{slug}"): Probe(
        "summary", each(("GET", "/data/organisation/owner-works", {}, TURTLE))
    ),
    ("GET", "/match"): Probe(
        "list",
        each(
            ("GET", "/match", {"element": "V"}, {}),
            ("GET", "/match", {"element": "V", "federated": "true"}, {}),
            ("GET", "/match", {"demand": "mx-want"}, {}),
        ),
    ),
    ("GET", "/diff"): Probe("list", each(("GET", "/diff", {"from": "1999", "to": "2100"}, {}))),
    # Totals of exchanges (this catalogue has none: the page and JSON must still hide nothing).
    ("GET", "/effects"): Probe(
        "summary",
        each(("GET", "/effects", {}, {}), ("GET", "/effects", {"by": "symbiosis"}, HTML)),
    ),
    ("GET", "/rounds"): Probe("registered", each(("GET", "/rounds", {}, {}))),
    # No round is open here: publishers get 404 (tests/api/test_rounds_api.py has the rest).
    ("GET", "/rounds/{year}/template"): Probe(
        "round-template", each(("GET", "/rounds/2025/template", {}, {}))
    ),
    ("GET", "/organisations/{slug}/history"): Probe(
        "list", each(("GET", "/organisations/owner-works/history", {}, {}))
    ),
    ("GET", "/sparql"): Probe("list", each(("GET", "/sparql", {"query": ALL}, CSV))),
    ("POST", "/sparql"): Probe("list", each(("POST", "/sparql", {"query": ALL}, CSV))),
    ("GET", "/query/run"): Probe("list", each(("GET", "/query/run", {"query": ALL}, HTML))),
    ("GET", "/map"): Probe("list", each(("GET", "/map", {}, HTML))),
    ("GET", "/elements/{name}"): Probe(
        "list",
        each(("GET", "/elements/V", {}, HTML), ("GET", "/elements/V", {"format": "json"}, {})),
    ),
    # The critical raw materials the caller's supplies hold: totals, no stream named.
    ("GET", "/elements"): Probe(
        "summary",
        each(("GET", "/elements", {}, HTML), ("GET", "/elements", {"format": "json"}, {})),
    ),
    ("GET", "/dumps/catalogue.{fmt}"): Probe(
        "list",
        lambda level: [("GET", f"/dumps/catalogue.{fmt}", {}, {}) for fmt in ("ttl", "nq")],
    ),
    ("GET", "/"): Probe("summary", each(("GET", "/", {}, HTML))),
    ("GET", "/catalogue"): Probe(
        "summary",
        each(
            ("GET", "/catalogue", {}, TURTLE),
            ("GET", "/catalogue", {}, {"Accept": "application/ld+json"}),
        ),
    ),
    ("GET", "/submissions/{identifier}"): Probe(
        "submission", per_level(lambda level: ("GET", f"/submissions/mx-{level}", {}, {}))
    ),
    ("GET", "/query"): Probe("open", each(("GET", "/query", {}, HTML))),
    ("GET", "/ontology"): Probe("open", each(("GET", "/ontology", {}, TURTLE))),
    ("GET", "/ontology/{term:path}"): Probe("open", each(("GET", "/ontology/FlyAsh", {}, TURTLE))),
    ("GET", "/vocab/{scheme}/{code:path}"): Probe(
        "open", each(("GET", "/vocab/low/010101", {}, TURTLE))
    ),
    ("GET", "/openapi.json"): Probe("open", each(("GET", "/openapi.json", {}, {}))),
    ("GET", "/docs"): Probe("open", each(("GET", "/docs", {}, {}))),
    ("GET", "/docs/oauth2-redirect"): Probe("open", each(("GET", "/docs/oauth2-redirect", {}, {}))),
    ("GET", "/redoc"): Probe("open", each(("GET", "/redoc", {}, {}))),
    ("GET", "/static"): Probe("open", each(("GET", "/static/site.css", {}, {}))),
    ("GET", "/static/vendor/leaflet"): Probe(
        "open", each(("GET", "/static/vendor/leaflet/leaflet.js", {}, {}))
    ),
}
WRITES = {("POST", "/streams"), ("DELETE", "/submissions/{identifier}"), ("POST", "/rounds")}
"""Tested by the write tests below, caller by caller and level by level (``POST /rounds``
by tests/api/test_rounds_api.py, caller by caller)."""


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path template) of every route the app answers, mounts as ``GET``."""
    found: set[tuple[str, str]] = set()

    def walk(routes: list) -> None:
        for route in routes:
            if isinstance(route, Mount):
                found.add(("GET", route.path))
            elif isinstance(route, APIRoute) or hasattr(route, "methods"):
                found.update((m, route.path) for m in route.methods or () if m != "HEAD")
            inner = getattr(route, "original_router", None)
            if inner is not None:
                walk(inner.routes)

    walk(app.routes)
    return found


def test_every_route_is_probed(service: TokenService) -> None:
    routes = app_routes(create_app(service.live.settings))
    assert routes == set(PROBES) | WRITES


# --- reads ------------------------------------------------------------------------------


def client_for(service: TokenService, caller: str) -> httpx.Client:
    if caller == "anonymous":
        return service.client()
    return service.client(caller)


def ask(client: httpx.Client, request: Request) -> httpx.Response:
    method, path, params, headers = request
    if method == "POST":
        return client.post(path, data=params, headers=headers, follow_redirects=True)
    return client.get(path, params=params, headers=headers, follow_redirects=True)


def expected_status(kind: str, caller: str, level: str) -> int:
    if kind == "open":
        return 200
    if caller == "bad":
        return 401
    if kind == "submission":
        return {"anonymous": 401, "reader": 403, "other": 404}.get(caller, 200)
    if kind == "registered":
        return 401 if caller == "anonymous" else 200
    if kind == "round-template":
        return {"anonymous": 401, "reader": 403}.get(caller, 404)
    if kind == "stream" and level not in SEES[caller]:
        return 404
    return 200


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("route", sorted(PROBES), ids=" ".join)
def test_reads(service: TokenService, route: tuple[str, str], caller: str) -> None:
    probe = PROBES[route]
    visible = SEES.get(caller, set())
    with client_for(service, caller) as client:
        for level in LEVELS if probe.kind in ("stream", "submission") else ("all",):
            for request in probe.requests(level):
                answer = ask(client, request)
                where = f"{caller} {request}"
                assert answer.status_code == expected_status(probe.kind, caller, level), (
                    where,
                    answer.text[:300],
                )
                text = answer.text
                shown = {other for other in LEVELS if marker(other) in text}
                if probe.kind == "open" or answer.status_code != 200:
                    assert not shown, where
                elif probe.kind == "stream":
                    assert shown == {level}, where
                elif probe.kind == "list":
                    assert shown == visible, where
                elif probe.kind in ("summary", "registered"):
                    assert shown <= visible, where


# --- writes -----------------------------------------------------------------------------

MAY_PUBLISH = {
    "anonymous": 401,
    "bad": 401,
    "reader": 403,
    "owner": 201,
    "other": 201,
    "admin": 201,
}
MAY_CHANGE_OWNERS = {
    "anonymous": 401,
    "bad": 401,
    "reader": 403,
    "owner": 201,
    "other": 403,
    "admin": 201,
}


def stream_name(service: TokenService, identifier: str) -> str | None:
    """The stream's name as the administrator sees it (None when it is not stored)."""
    with service.client("admin") as admin:
        answer = admin.get(f"/streams/{identifier}", headers={"Accept": "application/json"})
    if answer.status_code == 404:
        return None
    assert answer.status_code == 200, answer.text
    return answer.json()["name"]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("caller", CALLERS)
def test_publish(service: TokenService, caller: str, level: str) -> None:
    identifier = f"mw-{caller}-{level}"
    body = template(row(identifier, f"New {identifier}", level))
    with client_for(service, caller) as client:
        answer = publish(client, f"{identifier}.csv", body)
    assert answer.status_code == MAY_PUBLISH[caller], answer.text
    stored = stream_name(service, identifier)
    assert stored == (f"New {identifier}" if answer.status_code == 201 else None)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("caller", CALLERS)
def test_replace_and_withdraw_the_owners_submission(
    service: TokenService, caller: str, level: str
) -> None:
    identifier = f"mr-{caller}-{level}"
    with service.client("owner") as owner:
        made = publish(owner, f"{identifier}.csv", template(row(identifier, "Before", level)))
    assert made.status_code == 201, made.text

    with client_for(service, caller) as client:
        replaced = publish(
            client, f"{identifier}.csv", template(row(identifier, "After", level)), replace=True
        )
        assert replaced.status_code == MAY_CHANGE_OWNERS[caller], replaced.text
        assert stream_name(service, identifier) == (
            "After" if replaced.status_code == 201 else "Before"
        )
        withdrawn = client.delete(f"/submissions/{identifier}")
    allowed = MAY_CHANGE_OWNERS[caller] == 201
    assert withdrawn.status_code == (200 if allowed else MAY_CHANGE_OWNERS[caller]), withdrawn.text
    assert stream_name(service, identifier) == (None if allowed else "Before")
    with service.client("admin") as admin:
        record = admin.get(f"/submissions/{identifier}")
    assert record.status_code == (404 if allowed else 200)
