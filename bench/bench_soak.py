"""A bounded soak: a fixed request rate against the real service on loopback for minutes.

``python bench/bench_soak.py [--streams 10000] [--rate 200] [--seconds 120]``

Builds (or reuses, with ``--store``) a store of ``--streams`` synthetic streams the way
``bench_api.py`` does, starts the real ``sidestream serve`` on it in its own process, and
sends a mix of ``GET /streams/{id}`` (JSON-LD), SPARQL point queries and
``GET /match?demand=`` at ``--rate`` requests per second for ``--seconds``.

The load is open: request *n* is due at ``n / rate`` seconds whatever happened to the
ones before, and its latency is counted from when it was due, not from when a free
client picked it up. A closed loop (``bench_api.py``) slows down with the server and so
hides queueing; here a stall shows up in p99. ``--clients`` threads, each with its own
keep-alive connection, take due requests from one schedule; a request not yet sent
when the next is due is "late" (the client side could not keep up, which the figures
then say).

Reports errors (any status but 200, or a failed connection), the achieved rate and
p50/p95/p99 overall and per kind, and appends a JSON line to ``bench/results/soak.jsonl``.
Figures, not pass/fail; not part of the test suite.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from bench_api import POINT_QUERY, free_port, public_identifiers, start, stop, tree_memory
from bench_match import add_store_option, build_store, log, prepared_store
from records import results_folder
from revision import git_revision

RESULTS = results_folder() / "soak.jsonl"
P99_BUDGET_MS = 50.0
"""Issue 7's p99 goal for single streams and SPARQL point queries (match has none)."""

Request = tuple[str, str, dict[str, object], dict[str, str]]
"""(kind, path, params, headers)."""


def mixed_requests(
    ids: dict[str, list[str]], weights: dict[str, int], seed: int
) -> Iterator[Request]:
    """An endless seeded mix of the three kinds in proportion to ``weights``."""
    chooser = random.Random(seed)
    supplies = itertools.cycle(ids["supply"])
    demands = itertools.cycle(ids["demand"])
    kinds = [kind for kind, weight in weights.items() for _ in range(weight)]
    while True:
        kind = chooser.choice(kinds)
        if kind == "stream":
            yield kind, f"/streams/{next(supplies)}", {}, {"Accept": "application/ld+json"}
        elif kind == "sparql":
            query = POINT_QUERY.format(identifier=next(supplies))
            yield kind, "/sparql", {"query": query}, {"Accept": "application/sparql-results+json"}
        else:
            yield kind, "/match", {"demand": next(demands), "top": 10}, {}


def percentiles(latencies: list[float]) -> dict[str, float]:
    if not latencies:
        return {"requests": 0}
    ordered = sorted(latencies)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 1)

    return {
        "requests": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def soak(
    base: str, requests: Iterator[Request], rate: float, seconds: float, clients: int
) -> dict[str, object]:
    """Send ``rate`` requests per second for ``seconds``; figures overall and per kind."""
    total = int(rate * seconds)
    schedule = iter(range(total))
    lock = threading.Lock()
    latencies: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    late = 0
    began = time.perf_counter() + 0.5  # every client is connected before the first is due

    def client() -> None:
        nonlocal late
        with httpx.Client(base_url=base, timeout=60) as session:
            while True:
                with lock:
                    number = next(schedule, None)
                    if number is None:
                        return
                    kind, path, params, headers = next(requests)
                due = began + number / rate
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                elif wait < -0.01:
                    with lock:
                        late += 1
                try:
                    ok = session.get(path, params=params, headers=headers).status_code == 200
                except httpx.HTTPError:
                    ok = False
                latency = time.perf_counter() - due
                with lock:
                    latencies.setdefault(kind, []).append(latency)
                    errors[kind] = errors.get(kind, 0) + (not ok)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    everything = [latency for values in latencies.values() for latency in values]
    return {
        "target_rps": rate,
        "achieved_rps": round(len(everything) / elapsed, 1),
        "elapsed_s": round(elapsed, 1),
        "errors": sum(errors.values()),
        "late": late,
        "overall": percentiles(everything),
        "kinds": {
            kind: {**percentiles(values), "errors": errors[kind]}
            for kind, values in sorted(latencies.items())
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--clients", type=int, default=32, help="sending threads")
    parser.add_argument(
        "--mix",
        default="stream=60,sparql=39,match=1",
        help="relative weights of stream, sparql and match requests",
    )
    add_store_option(parser)
    args = parser.parse_args()
    weights = {
        kind: int(weight) for kind, weight in (part.split("=") for part in args.mix.split(","))
    }

    with tempfile.TemporaryDirectory(prefix="sidestream-bench-soak-") as folder_name:
        folder = Path(folder_name)
        if args.store is None:
            store, data, quads = build_store(args.streams, args.seed, folder)
        else:
            store, data, quads = prepared_store(args.streams, args.seed, args.store)
        store.close()
        ids = public_identifiers(data)
        port = free_port()
        server, ready = start(["--store", str((args.store or folder) / "store")], port)
        base = f"http://127.0.0.1:{port}"
        try:
            log(f"warming for 5 s at {args.rate:.0f} req/s")
            soak(base, mixed_requests(ids, weights, args.seed + 1), args.rate, 5, args.clients)
            log(f"soaking for {args.seconds:.0f} s at {args.rate:.0f} req/s")
            figures = soak(
                base, mixed_requests(ids, weights, args.seed), args.rate, args.seconds, args.clients
            )
            memory = tree_memory(server.pid)
        finally:
            stop(server)

    overall = figures["overall"]
    print(
        f"{args.streams} streams ({quads} quads), mix {args.mix}, target {args.rate:.0f} req/s "
        f"for {args.seconds:.0f} s: achieved {figures['achieved_rps']} req/s, "
        f"{figures['errors']} errors, {figures['late']} sent late"
    )
    print(f"{'kind':>8}  {'requests':>8}  {'p50 ms':>8}  {'p95 ms':>8}  {'p99 ms':>8}  errors")
    for kind, figure in [("all", overall), *figures["kinds"].items()]:  # type: ignore[union-attr]
        print(
            f"{kind:>8}  {figure['requests']:8}  {figure['p50_ms']:8.1f}  {figure['p95_ms']:8.1f}  "
            f"{figure['p99_ms']:8.1f}  {figure.get('errors', figures['errors'])}"
        )
    budget = {
        kind: figures["kinds"][kind]["p99_ms"] <= P99_BUDGET_MS  # type: ignore[index]
        for kind in ("stream", "sparql")
        if kind in figures["kinds"]  # type: ignore[operator]
    }
    print(f"p99 within {P99_BUDGET_MS:.0f} ms: {budget}; service memory {memory}")
    with RESULTS.open("a", encoding="utf-8") as handle:
        record = {
            "revision": git_revision(),
            "date": time.strftime("%Y-%m-%d"),
            "machine": f"{platform.machine()} {os.cpu_count()} cpus, shared",
            "streams": args.streams,
            "quads": quads,
            "mix": weights,
            "clients": args.clients,
            "seconds": args.seconds,
            "p99_budget_ms": P99_BUDGET_MS,
            "p99_within_budget": budget,
            "service_memory": memory,
            "service_ready_s": ready,
            **figures,
        }
        handle.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
