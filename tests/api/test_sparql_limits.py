"""The endpoint's limits on a real service on loopback: a query past the time limit is
killed (503) while other queries stay fast, a SELECT past the row limit says it was cut,
bodies over the upload limit get 413, and writes reach the workers' snapshots."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from pyoxigraph import Literal, NamedNode, Quad

from api.events import store_changed
from api.sparql.executor import SparqlExecutor
from catalogue.access import ANONYMOUS, view_for
from catalogue.demo import demo_file
from tests.api.conftest import (
    LiveServer,
    loaded_store,
    service_settings,
    start_server,
    stop_server,
)

TIME_LIMIT = 2.0
ROW_LIMIT = 10
UPLOAD_LIMIT = 64 * 1024
SS = "https://w3id.org/sidestream/ontology/"
PUBLIC_SUPPLY = "https://w3id.org/sidestream/data/stream/kalundborg-power-plant-gypsum"
POINT = f"ASK {{ <{PUBLIC_SUPPLY}> a <{SS}Supply> }}"
# Three copies of the demo's ~1,800 statements side by side: ~5.4e9 rows to count, far
# beyond a minute (two copies, 3.1e6 rows, already take a noticeable fraction of a second).
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PAIRS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"


@dataclass
class Limited:
    server: LiveServer
    app: FastAPI

    @property
    def executor(self) -> SparqlExecutor:
        return self.app.state.sparql


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Limited]:
    path = loaded_store(tmp_path_factory.mktemp("sparql-limits"), [demo_file()])
    settings = service_settings(
        path,
        sparql_timeout=TIME_LIMIT,
        sparql_row_limit=ROW_LIMIT,
        upload_limit=UPLOAD_LIMIT,
        sparql_workers=2,
    )
    live, running = start_server(settings)
    app = running.server.config.app
    assert isinstance(app, FastAPI)
    yield Limited(live, app)
    stop_server(running)


def ask(client: httpx.Client, query: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = client.get("/sparql", params={"query": query})
    return time.perf_counter() - started, response


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_slow_query_is_killed_while_a_point_query_stays_fast(limited: Limited) -> None:
    executor = limited.executor
    workers_before = {w.process.pid for w in executor._all}
    kills_before = executor.figures.kills
    slow: list[tuple[float, httpx.Response]] = []
    with limited.server.client() as client:
        pairs_seconds, pairs = ask(client, PAIRS)
        assert pairs.status_code == 200
        runner = threading.Thread(target=lambda: slow.append(ask(client, ENDLESS)))
        runner.start()
        time.sleep(0.5)  # the slow query is now running in a worker
        point_seconds, point = ask(client, POINT)
        runner.join()
        slow_seconds, slow_response = slow[0]
        assert point.status_code == 200 and point.json()["boolean"] is True
        assert point_seconds < 1.0
        assert slow_response.status_code == 503
        assert "cancelled" in slow_response.json()["error"]
        assert TIME_LIMIT <= slow_seconds < TIME_LIMIT + 1.5

        # The killed worker is gone and replaced; the next query is answered at once.
        next_seconds, following = ask(client, POINT)
    assert following.status_code == 200 and next_seconds < 1.0
    deadline = time.monotonic() + 10
    while executor.figures.kills == kills_before and time.monotonic() < deadline:
        time.sleep(0.05)  # the replacement starts in the background
    assert executor.figures.kills == kills_before + 1
    workers_after = {w.process.pid for w in executor._all}
    killed = workers_before - workers_after
    assert len(killed) == 1 and len(workers_after) == 2
    assert not any(alive(pid) for pid in killed)
    print(
        f"\nFIGURES two-copy product {pairs_seconds * 1000:.0f} ms; point query during a slow "
        f"query {point_seconds * 1000:.0f} ms; slow query answered 503 after "
        f"{slow_seconds * 1000:.0f} ms; kill to replacement ready "
        f"{executor.figures.last_respawn_ms:.0f} ms; next query {next_seconds * 1000:.0f} ms"
    )


def test_both_workers_stuck_then_the_pool_recovers(limited: Limited) -> None:
    results: list[int] = []
    with limited.server.client() as client:
        runners = [
            threading.Thread(target=lambda: results.append(ask(client, ENDLESS)[1].status_code))
            for _ in range(2)
        ]
        for runner in runners:
            runner.start()
        time.sleep(0.3)
        # No worker is free: this waits, and gets 503 rather than hanging.
        _, waiting = ask(client, POINT)
        for runner in runners:
            runner.join()
        time.sleep(0.5)
        _, after = ask(client, POINT)
    assert results == [503, 503]
    assert waiting.status_code in (200, 503)
    assert after.status_code == 200


def test_select_past_the_row_limit_says_it_was_cut(limited: Limited) -> None:
    everything = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    with limited.server.client() as client:
        as_json = client.get("/sparql", params={"query": everything})
        as_csv = client.get("/sparql", params={"query": everything}, headers={"Accept": "text/csv"})
        exact = client.get("/sparql", params={"query": everything + f" LIMIT {ROW_LIMIT}"})
        graph = client.get(
            "/sparql",
            params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
            headers={"Accept": "application/n-triples"},
        )
    assert len(as_json.json()["results"]["bindings"]) == ROW_LIMIT
    assert as_json.headers["SPARQL-Results-Truncated"] == "true"
    assert str(ROW_LIMIT) in as_json.headers["Warning"]
    assert 'rel="describedby"' in as_json.headers["Link"]
    assert len(as_csv.text.strip().splitlines()) == ROW_LIMIT + 1
    assert as_csv.headers["SPARQL-Results-Truncated"] == "true"
    # Exactly the limit is not a cut; CONSTRUCT is not counted in rows.
    assert len(exact.json()["results"]["bindings"]) == ROW_LIMIT
    assert "SPARQL-Results-Truncated" not in exact.headers
    assert len(graph.text.strip().splitlines()) > ROW_LIMIT


def test_row_limit_keeps_terms_intact(limited: Limited) -> None:
    # Kept rows go through TSV and back: language tags, datatypes, blank nodes survive.
    query = (
        "SELECT ?l ?d ?b WHERE { VALUES (?l ?d) { "
        '("tab\\there \\"q\\" é"@nb "2.5"^^<http://www.w3.org/2001/XMLSchema#decimal>) } '
        "BIND(BNODE() AS ?b) ?s ?p ?o }"
    )
    with limited.server.client() as client:
        rows = client.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    assert len(rows) == ROW_LIMIT
    assert rows[0]["l"] == {"type": "literal", "value": 'tab\there "q" é', "xml:lang": "nb"}
    assert rows[0]["d"]["datatype"].endswith("#decimal")
    assert rows[0]["b"]["type"] == "bnode"


def test_bodies_over_the_upload_limit_get_413(limited: Limited) -> None:
    padding = "#" + "x" * UPLOAD_LIMIT + "\n"
    with limited.server.client() as client:
        declared = client.post("/sparql", data={"query": padding + POINT})
        direct = client.post(
            "/sparql",
            content=padding + POINT,
            headers={"Content-Type": "application/sparql-query"},
        )
        chunks = [padding[i : i + 8192].encode() for i in range(0, len(padding), 8192)]
        chunked = client.post(
            "/sparql",
            content=iter([*chunks, POINT.encode()]),
            headers={"Content-Type": "application/sparql-query"},
        )
        small = client.post(
            "/sparql", content=POINT, headers={"Content-Type": "application/sparql-query"}
        )
    assert [declared.status_code, direct.status_code, chunked.status_code] == [413, 413, 413]
    assert "larger than" in declared.json()["error"]
    assert small.status_code == 200


def test_writes_reach_the_workers_and_old_snapshots_go(limited: Limited) -> None:
    store = limited.app.state.store
    view = view_for(store, ANONYMOUS)
    assert view.graphs
    graph = view.graphs[0]
    subject = NamedNode("https://w3id.org/sidestream/data/test/written-after-start")
    with limited.server.client() as client:
        assert ask(client, f"ASK {{ <{subject.value}> ?p ?o }}")[1].json()["boolean"] is False
        timings = []
        for round_ in range(5):
            note = Literal(str(round_))
            store.add_quads([Quad(subject, NamedNode(SS + "note"), note, graph)])
            store_changed(limited.app)
            # The next query waits for the checkpoint: a write is seen as soon as it is made.
            answer = ask(client, f"ASK {{ <{subject.value}> ?p {note} }}")[1]
            assert answer.json()["boolean"] is True
            timings.append(limited.executor.snapshots.last_checkpoint_ms)
        # Several writes in a row: the queued checkpoint covers them all.
        for round_ in range(5, 25):
            store.add_quads([Quad(subject, NamedNode(SS + "note"), Literal(str(round_)), graph)])
            store_changed(limited.app)
        last = f"ASK {{ <{subject.value}> ?p {Literal('24')} }}"
        # Both workers move to the newest snapshot at their next query.
        answers = [ask(client, last)[1].json()["boolean"] for _ in range(4)]
    assert answers == [True] * 4
    time.sleep(0.3)  # unused snapshots are deleted in the background after each query
    snapshots = list(limited.executor.snapshots.folder.iterdir())
    assert len(snapshots) <= 1 + limited.server.settings.sparql_workers
    print(f"\nFIGURES checkpoint after a write: {', '.join(f'{t:.1f}' for t in timings)} ms")


def test_a_worker_that_died_idle_costs_the_caller_nothing(limited: Limited) -> None:
    executor = limited.executor
    victims = [w.process.pid for w in executor._all]
    for pid in victims:
        os.kill(pid, 9)  # as the OOM killer would
    with limited.server.client() as client:
        seconds, answer = ask(client, POINT)
        assert answer.status_code == 200 and answer.json()["boolean"] is True
        deadline = time.monotonic() + 10
        while any(w.process.pid in victims for w in executor._all):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert all(ask(client, POINT)[1].status_code == 200 for _ in range(4))
    print(f"\nFIGURES query when both workers had died: {seconds * 1000:.0f} ms")
