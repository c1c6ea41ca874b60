"""``GET /streams/{id}`` in RDF written by the SPARQL endpoint's worker processes on the
embedded store (``describe_in_workers``): the same bytes as the service writes itself, a
write seen by the next request, and the service's own reading when every worker is held
by long queries."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from pyoxigraph import Literal, NamedNode, Quad

from api import conneg
from api.events import store_changed
from catalogue import lookup
from catalogue.access import ANONYMOUS, Caller, view_for
from catalogue.demo import demo_file
from tests.api.conftest import LiveServer, loaded_store, service_settings, start_server, stop_server

TIME_LIMIT = 3.0
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
# Two copies of the demo side by side: a query that holds a worker for seconds.
LONG = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SOME_STREAMS = [
    "kalundborg-power-plant-gypsum",
    "elkem-microsilica",
    "eramet-mor-dust",  # restricted: 404 for anonymous callers
    "no-such-stream",
]


@dataclass
class Running:
    server: LiveServer
    app: FastAPI


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    path = loaded_store(tmp_path_factory.mktemp("stream-workers"), [demo_file()])
    settings = service_settings(
        path, sparql_timeout=TIME_LIMIT, sparql_workers=2, describe_in_workers=True
    )
    live, handle = start_server(settings)
    app = handle.server.config.app
    assert isinstance(app, FastAPI)
    yield Running(live, app)
    stop_server(handle)


def in_process(app: FastAPI, identifier: str, name: str, caller: Caller = ANONYMOUS) -> bytes:
    """The description as the service writes it without workers ('' when not visible)."""
    store = app.state.store
    found = lookup.stream_description(store, view_for(store, caller), identifier)
    if found is None:
        return b""
    representation = next(r for r in conneg.RDF if r.name == name)
    return conneg.serialize(found[1], representation)


@pytest.mark.parametrize("name", [r.name for r in conneg.RDF])
def test_workers_write_the_bytes_the_service_writes(
    running: Running, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = {
        identifier: in_process(running.app, identifier, name) for identifier in SOME_STREAMS
    }
    assert expected["kalundborg-power-plant-gypsum"] and expected["elkem-microsilica"]
    assert expected["eramet-mor-dust"] == b"" and expected["no-such-stream"] == b""

    # From here the service cannot read a description itself: what it answers comes from
    # a worker process (which this patch does not reach).
    def refuse(*args: object) -> None:
        raise AssertionError("read in the service, not by a worker")

    monkeypatch.setattr(lookup, "stream_description", refuse)
    with running.server.client() as client:
        for identifier, body in expected.items():
            answer = client.get(f"/streams/{identifier}", params={"format": name})
            if body:
                assert answer.status_code == 200, answer.text
                assert answer.content == body
                media = next(r for r in conneg.RDF if r.name == name).content_type
                assert answer.headers["content-type"] == media
                assert 'rel="alternate"' in answer.headers["link"]
            else:
                assert answer.status_code == 404
                assert answer.json() == {"error": f"no stream with identifier {identifier}"}


def test_a_write_is_seen_by_the_next_get(running: Running) -> None:
    store = running.app.state.store
    view = view_for(store, ANONYMOUS)
    found = lookup.stream_description(store, view, "kalundborg-power-plant-gypsum")
    assert found is not None and view.graphs
    stream = found[0]
    with running.server.client() as client:
        for round_ in range(3):
            label = Literal(f"written after start {round_}", language="en")
            store.add_quads([Quad(stream, NamedNode(RDFS_LABEL), label, view.graphs[0])])
            store_changed(running.app)
            answer = client.get("/streams/kalundborg-power-plant-gypsum", params={"format": "nt"})
            assert answer.status_code == 200
            assert str(label).encode() in answer.content


def test_long_endpoint_queries_do_not_hold_stream_descriptions_up(running: Running) -> None:
    holders = [
        threading.Thread(
            target=lambda: httpx.get(
                f"{running.server.url}/sparql", params={"query": LONG}, timeout=30
            )
        )
        for _ in range(running.server.settings.sparql_workers)
    ]
    for holder in holders:
        holder.start()
    time.sleep(0.5)  # both workers have taken a long query
    expected = in_process(running.app, "kalundborg-power-plant-gypsum", "jsonld")
    with running.server.client() as client:
        started = time.perf_counter()
        answer = client.get(
            "/streams/kalundborg-power-plant-gypsum",
            headers={"Accept": "application/ld+json"},
        )
        seconds = time.perf_counter() - started
    for holder in holders:
        holder.join()
    assert answer.status_code == 200 and answer.content == expected
    # Read by the service after waiting its patience, long before the endpoint's limit.
    assert seconds < TIME_LIMIT - 0.5, seconds


def test_with_describe_in_workers_off_the_service_writes_the_same_bytes(
    running: Running, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = loaded_store(tmp_path_factory.mktemp("stream-no-workers"), [demo_file()])
    live, handle = start_server(service_settings(path, describe_in_workers=False))
    try:
        with live.client() as client, running.server.client() as by_workers:
            for name in [r.name for r in conneg.RDF]:
                url = "/streams/elkem-microsilica"  # not written to by the tests
                answer = client.get(url, params={"format": name})
                assert answer.status_code == 200
                # Both stores were loaded from the same file the same way: same statements.
                assert answer.content == by_workers.get(url, params={"format": name}).content
    finally:
        stop_server(handle)
