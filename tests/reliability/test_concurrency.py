"""Parallel publishing and querying on the live service: nothing lost, no errors, no half
submission ever seen.

Three publishers of different organisations post synthetic catalogues
(``bench/datasets.py``) through ``POST /streams`` for a bounded time while readers query
``/sparql`` (an administrator counting each submission's streams), ``/streams`` and
``/match``. Every request must succeed; every submission the service answered 201 for must
be there afterwards (each ``GET /submissions/{id}``, and the final counts); and every
count a reader saw must be a whole submission's: a submission is either absent from an
answer or has all the streams its registration declares.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.datasets import write as write_dataset
from catalogue.access import Role
from catalogue.tokens import create_token, tokens_path
from tests.api.conftest import TokenService, service_settings, start_server, stop_server

SECONDS = 20
STREAMS = 25
PUBLISHERS = {"alpha": "Alpha Metals AS", "beta": "Beta Minerals AB", "gamma": "Gamma Heat Oy"}
COUNTS = """PREFIX ss: <https://w3id.org/sidestream/ontology/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?submission ?declared (COUNT(DISTINCT ?stream) AS ?seen) WHERE {
  GRAPH ?catalogue { ?graph dcterms:isPartOf ?submission . ?submission ss:streamCount ?declared }
  GRAPH ?graph { ?stream a ?kind }
  FILTER (?kind IN (ss:Supply, ss:Demand))
} GROUP BY ?submission ?declared"""


@dataclass
class Tally:
    """What the threads did and saw, guarded by one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    published: dict[str, int] = field(default_factory=dict)
    """Submission identifier -> streams, for every 201."""
    half: list[str] = field(default_factory=list)
    seen: Counter[str] = field(default_factory=Counter)
    """How many answers showed each submission."""

    def count(self, kind: str, response: httpx.Response, expected: int = 200) -> bool:
        with self.lock:
            self.requests[kind] += 1
            if response.status_code != expected:
                self.errors.append(f"{kind}: {response.status_code} {response.text[:300]}")
                return False
        return True


def publisher(service: TokenService, who: str, folder: Path, deadline: float, tally: Tally) -> None:
    with service.client(who) as client:
        index = 0
        while time.monotonic() < deadline:
            name = f"{who}-{index:03d}.csv"
            source = write_dataset(
                folder / name, STREAMS, 100 * list(PUBLISHERS).index(who) + index
            )
            response = client.post(
                "/streams",
                params={"filename": name},
                content=source.read_bytes(),
                headers={"Content-Type": "text/csv"},
            )
            if tally.count("publish", response, 201):
                body = response.json()
                with tally.lock:
                    tally.published[body["identifier"]] = len(body["streams"])
            index += 1


def reader(service: TokenService, deadline: float, tally: Tally) -> None:
    with service.client("admin") as admin, service.client() as anonymous:
        turn = 0
        while time.monotonic() < deadline:
            turn += 1
            response = admin.post(
                "/sparql",
                data={"query": COUNTS},
                headers={"Accept": "application/sparql-results+json"},
            )
            if tally.count("sparql", response):
                for row in response.json()["results"]["bindings"]:
                    submission = row["submission"]["value"].rsplit("/", 1)[-1]
                    declared, seen = int(row["declared"]["value"]), int(row["seen"]["value"])
                    with tally.lock:
                        tally.seen[submission] += 1
                        if declared != seen:
                            tally.half.append(f"{submission}: {seen} of {declared} streams")
            if turn % 2:
                tally.count("streams", anonymous.get("/streams", params={"kind": "supply"}))
            else:
                tally.count("match", anonymous.get("/match", params={"element": "V"}))


def test_parallel_publishers_and_readers_lose_nothing_and_see_no_half_submission(
    tmp_path: Path,
) -> None:
    settings = service_settings(tmp_path / "store")
    path = tokens_path(settings)
    tokens = {who: create_token(path, org, Role.PUBLISHER)[0] for who, org in PUBLISHERS.items()}
    tokens["admin"] = create_token(path, "Catalogue Operator", Role.ADMINISTRATOR)[0]
    live, running = start_server(settings)
    service = TokenService(live, tokens)
    tally = Tally()
    try:
        deadline = time.monotonic() + SECONDS
        threads = [
            threading.Thread(target=publisher, args=(service, who, tmp_path, deadline, tally))
            for who in PUBLISHERS
        ] + [threading.Thread(target=reader, args=(service, deadline, tally)) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=SECONDS + 300)
        assert not any(thread.is_alive() for thread in threads)

        with service.client("admin") as admin:
            for identifier in tally.published:
                assert admin.get(f"/submissions/{identifier}").status_code == 200, identifier
            final = admin.post(
                "/sparql",
                data={"query": COUNTS},
                headers={"Accept": "application/sparql-results+json"},
            ).json()["results"]["bindings"]
    finally:
        stop_server(running)

    print(dict(tally.requests), f"{len(tally.published)} submissions")
    assert tally.errors == []
    assert tally.half == []
    assert tally.requests["publish"] >= len(PUBLISHERS)
    assert tally.requests["sparql"] >= 10 and tally.requests["streams"] >= 5
    assert {
        row["submission"]["value"].rsplit("/", 1)[-1]: int(row["seen"]["value"]) for row in final
    } == tally.published
    # Readers saw submissions come in, not just the final state.
    assert len(tally.seen) >= 2
