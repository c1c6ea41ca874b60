"""Hostile values through every parameter of every route, and of the command line.

User values reach SPARQL only as bound terms (``catalogue.queries.bind``: pyoxigraph
terms in one ``VALUES`` block). Here that is checked from outside: every route the app
has, with every path and query parameter it declares (read from the route itself, so a
new parameter is tried without editing this file), is sent values that would change a
query if they were pasted into its text: closing literals, IRIs and braces, ``UNION``,
``DROP ALL``, ``SERVICE`` calls, IRIs holding ``>``, unicode, newlines, 5,000
characters. No answer may be a 500, none may show a stream the caller may not see, and
the store must hold exactly what it held before. A publication whose cells are hostile
must come back verbatim. ``KNOWN`` lists the routes: a route that is not in it fails
``test_every_route_is_known``, so whoever adds one looks at what it takes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from starlette.routing import Mount

from api.app import create_app
from api.settings import ServiceSettings
from catalogue.access import Role
from catalogue.cli import main
from catalogue.store import opened_store
from catalogue.tokens import create_token, tokens_path
from tests.api.conftest import (
    TokenService,
    loaded_store,
    service_settings,
    start_server,
    stop_server,
)
from tests.api.test_access_everywhere import HEADER, HIDDEN, SECRET, TEMPLATE
from tests.api.test_access_matrix import app_routes
from tests.api.test_publish_api import store_state

STREAM = "https://w3id.org/sidestream/data/stream/zq-open"
HOSTILE = [
    '" } UNION { GRAPH ?g { ?s ?p ?o } } #',
    "' } UNION { ?s ?p ?o } #",
    '""" } } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #',
    "> } DROP ALL ; #",
    "DROP ALL",
    "SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }",
    f"{STREAM}> ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} }} #",
    "http://example.org/a> <http://example.org/b> <http://example.org/c",
    "zq-secret",
    'zq-open" || true || "',
    "?s ?p ?o",
    "\\u0022 } \\\\",
    "ünïcødé ✓ \U0001d518 \u202e flyveaske",
    "line\nbreak\r\n} UNION {\t",
    "%7D%20UNION%20%7B",
    "A" * 5_000,
    "nul\x00byte",
    "-1",
    "",
]
"""Values that would change a query if pasted into it (and some that are merely odd)."""

KNOWN = {
    ("GET", "/"),
    ("GET", "/catalogue"),
    ("GET", "/data/organisation/{slug}"),
    ("GET", "/data/site/{organisation}/{site}"),
    ("GET", "/data/stream/{identifier}"),
    ("GET", "/diff"),
    ("GET", "/effects"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/dumps/catalogue.{fmt}"),
    ("GET", "/elements"),
    ("GET", "/elements/{name}"),
    ("GET", "/map"),
    ("GET", "/match"),
    ("GET", "/ontology"),
    ("GET", "/ontology/{term:path}"),
    ("GET", "/openapi.json"),
    ("GET", "/organisations/{slug}"),
    ("GET", "/organisations/{slug}/history"),
    ("GET", "/query"),
    ("GET", "/query/run"),
    ("GET", "/redoc"),
    ("GET", "/rounds"),
    ("POST", "/rounds"),
    ("GET", "/rounds/{year}/template"),
    ("GET", "/sites/{organisation}/{site}"),
    ("GET", "/sparql"),
    ("POST", "/sparql"),
    ("GET", "/static"),
    ("GET", "/static/vendor/leaflet"),
    ("GET", "/streams"),
    ("POST", "/streams"),
    ("GET", "/streams/{identifier}"),
    ("GET", "/submissions/{identifier}"),
    ("DELETE", "/submissions/{identifier}"),
    ("GET", "/vocab/{scheme}/{code:path}"),
}
WRITES = {("POST", "/streams"), ("DELETE", "/submissions/{identifier}"), ("POST", "/rounds")}
"""Sent with the administrator's token, who may change anything: the worst case."""
FORM_FIELDS = {("POST", "/sparql"): ["query", "update"]}
"""Parameters a route reads from a form body."""
_PLACEHOLDER = re.compile(r"\{(\w+)(?::\w+)?\}")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TokenService]:
    """The access test's catalogue (one stream per level, markers in every field)."""
    folder = tmp_path_factory.mktemp("injection")
    source = folder / "access.csv"
    source.write_text(TEMPLATE, encoding="utf-8")
    settings = service_settings(loaded_store(folder, [source]), token_failures_per_minute=10**6)
    path = tokens_path(settings)
    tokens = {
        "reader": create_token(path, "Curious Institute", Role.READER)[0],
        "admin": create_token(path, "Catalogue Office", Role.ADMINISTRATOR)[0],
    }
    live, running = start_server(settings)
    yield TokenService(live, tokens)
    stop_server(running)


def route_parameters(app: FastAPI) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(method, path) -> [(where, name)]: every parameter the route declares, where being
    ``path``, ``query`` or ``form`` (mounts take a file path)."""
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def walk(routes: list) -> None:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                walk(inner.routes)
                continue
            if isinstance(route, Mount):
                found[("GET", route.path)] = [("path", "file")]
                continue
            params = [("path", name) for name in _PLACEHOLDER.findall(route.path)]
            dependant = getattr(route, "dependant", None)
            if dependant is not None:
                params += [("query", p.alias) for p in dependant.query_params]
            extra = (getattr(route, "openapi_extra", None) or {}).get("parameters", [])
            params += [("query", p["name"]) for p in extra if p.get("in") == "query"]
            for method in route.methods - {"HEAD"}:
                key = (method, route.path)
                found[key] = params + [("form", n) for n in FORM_FIELDS.get(key, [])]
                if not found[key]:
                    found[key] = [("query", "unexpected")]  # no parameter: try a stray one

    walk(app.routes)
    return found


def test_every_route_is_known(service: TokenService) -> None:
    assert app_routes(create_app(service.live.settings)) == KNOWN


def hostile_requests(
    method: str, path: str, params: list[tuple[str, str]]
) -> Iterator[tuple[str, dict[str, str], dict[str, str], str]]:
    """(url, query, form, the value) for each hostile value in each parameter; the other
    path parameters get a plain value."""
    for where, name in params:
        for value in HOSTILE:
            url = path
            for placeholder in _PLACEHOLDER.finditer(path):
                text = value if (where, placeholder[1]) == ("path", name) else "zq-open"
                url = url.replace(placeholder[0], quote(text, safe="") or "x", 1)
            if where == "path" and name == "file":
                url = f"{path}/{quote(value, safe='') or 'x'}"
            query = {name: value} if where == "query" else {}
            form = {name: value} if where == "form" else {}
            yield url, query, form, value


@pytest.mark.parametrize("route", sorted(KNOWN), ids=" ".join)
def test_hostile_values_change_nothing_and_show_nothing_hidden(
    service: TokenService, route: tuple[str, str]
) -> None:
    method, path = route
    params = route_parameters(create_app(service.live.settings))[route]
    before = store_state(service)  # type: ignore[arg-type]
    who = "admin" if route in WRITES else None
    with service.client(who) as client:
        for url, query, form, value in hostile_requests(method, path, params):
            if method == "GET":
                answer = client.get(url, params=query)
            elif method == "DELETE":
                answer = client.delete(url, params=query)
            elif path == "/streams":
                # Nothing but the name is given: refused before anything is read.
                answer = client.post(url, params=query, headers={"Content-Type": "text/csv"})
            else:
                answer = client.post(url, params=query, data=form)
            where = f"{method} {url} {query} {form}"[:300]
            assert answer.status_code < 500, (where, answer.text[:300])
            if who is None:
                leaked = [m for m in HIDDEN if m in answer.text and m not in url + value]
                assert not leaked, (where, leaked)
    assert store_state(service) == before  # type: ignore[arg-type]


def test_sparql_queries_aimed_past_the_view_stay_in_it(service: TokenService) -> None:
    """Hostile graph IRIs in the protocol's dataset parameters, as a reader."""
    graphs = [
        "https://w3id.org/sidestream/data/submission/access/confidential",
        "https://w3id.org/sidestream/data/submission/access/confidential> <x",
        "urn:x-oxigraph:default",
    ]
    with service.client("reader") as client:
        for graph in graphs:
            for name in ("default-graph-uri", "named-graph-uri"):
                answer = client.get(
                    "/sparql",
                    params={
                        "query": "SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
                        name: graph,
                    },
                    headers={"Accept": "text/csv"},
                )
                assert answer.status_code < 500, answer.text
                assert not [m for m in SECRET if m in answer.text and m not in graph]


HOSTILE_CELLS = {
    "name": '" } ; DROP ALL ; INSERT DATA { <a:b> <a:c> "d" } #',
    "description": "> } UNION { GRAPH ?g { ?s ?p ?o } } \n SERVICE <http://127.0.0.1:9/> {}",
    "organisation": "Ünïcødé ✓ Works' } #",
    "site": "line\\nbreak } UNION {",
}


def test_hostile_cells_are_stored_and_shown_verbatim(service: TokenService) -> None:
    before = store_state(service)  # type: ignore[arg-type]
    cells = ",".join(f'"{v.replace(chr(34), chr(34) * 2)}"' for v in HOSTILE_CELLS.values())
    body = (
        f"{HEADER}\nzq-hostile,supply,{cells},NO,59.5,9.5,steelmaking slag,V2O5=1 %,5,kt/a,public\n"
    )
    with service.client("admin") as admin:
        made = admin.post(
            "/streams",
            params={"filename": "hostile.csv"},
            content=body.encode(),
            headers={"Content-Type": "text/csv"},
        )
        assert made.status_code == 201, made.text
        shown = admin.get("/streams/zq-hostile", headers={"Accept": "application/json"}).json()
        found = admin.get("/streams", params={"q": HOSTILE_CELLS["name"][:40]}).json()
        assert admin.delete("/submissions/hostile").status_code == 200
    assert shown["name"] == HOSTILE_CELLS["name"]
    assert shown["description"] == HOSTILE_CELLS["description"]
    assert "zq-hostile" in str(found)
    assert store_state(service) == before  # type: ignore[arg-type]


def quads_by_graph(store_path: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    with opened_store(ServiceSettings(store=store_path)) as store:
        for quad in store.quads():
            counts[str(quad.graph_name)] = counts.get(str(quad.graph_name), 0) + 1
    return counts


def test_command_line_parameters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "access.csv"
    source.write_text(TEMPLATE, encoding="utf-8")
    store = loaded_store(tmp_path, [source])
    before = quads_by_graph(store)
    options = ["--store", str(store)]
    for value in HOSTILE:
        for argv in (
            ["match", "--demand", value, "--json"],
            ["match", "--supply", value, "--json"],
            ["match", "--element", value, "--json"],
            ["withdraw", value],
            ["token", "revoke", value],
        ):
            code = main([*argv, *options])
            out = capsys.readouterr().out
            assert code in (0, 1, 2), (argv, code)
            assert not [m for m in HIDDEN if m in out and m not in value], (argv, out[:300])
    assert quads_by_graph(store) == before
