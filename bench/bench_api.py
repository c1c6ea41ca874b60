"""HTTP throughput and latency with concurrent clients on loopback.

``python bench/bench_api.py [--streams 1000] [--clients 8] [--seconds 15]
[--only stream ...]``

Builds a store of ``--streams`` synthetic streams (as ``bench_match.py`` does, no
validation), starts the real ``sidestream serve`` on it in its own process, and drives
it from this process with ``--clients`` threads, each with its own keep-alive
connection, for ``--seconds`` per scenario:

- ``floor``: ``GET /openapi.json``, a cached document: what FastAPI and uvicorn cost
  with no catalogue work (the baseline every other figure is divided by);
- ``stream``: ``GET /streams/{id}`` as JSON-LD for public stream identifiers in turn;
- ``sparql``: ``GET /sparql`` with a one-stream SELECT, SPARQL JSON results;
- ``match``: ``GET /match?demand=ID&top=10`` for public demands in turn.

The clients share one pass over the identifiers, so no identifier is asked twice until
all have been (each client starting its own pass would ask each one ``--clients``
times, almost at once). ``--only`` runs the named scenarios (the floor always runs:
every figure is compared with it), skips the ``serve --demo`` timing and records nothing.

Also times ``sidestream serve --demo`` on an empty store from start to its first
answer. Prints a table and appends a JSON line to ``bench/results/api.jsonl``.
Figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from bench_match import add_store_option, build_store, log, prepared_store
from records import results_folder
from revision import git_revision

RESULTS = results_folder() / "api.jsonl"
SCENARIOS = ("floor", "stream", "sparql", "match")
POINT_QUERY = """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?stream ?name WHERE {{ ?stream dcterms:identifier "{identifier}" ; rdfs:label ?name }}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(argv: list[str], port: int) -> tuple[subprocess.Popen[bytes], float]:
    """Start ``sidestream serve`` and wait for its first answer; seconds until then."""
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "catalogue.cli", "serve", "--port", str(port), *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1).status_code == 200:
                return process, time.perf_counter() - began
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise RuntimeError("sidestream serve stopped before answering")
        time.sleep(0.02)


def process_tree(pid: int) -> set[int]:
    """Process ``pid`` and all its descendants (the service and its SPARQL workers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, ppid in parents.items() if ppid == parent]
        tree.update(children)
        frontier += children
    return tree


def tree_memory(pid: int) -> dict[str, float]:
    """Resident memory of process ``pid`` and all its descendants (the service and its
    SPARQL workers), in MB: now, and the sum of each process's peak (an upper bound)."""
    tree = process_tree(pid)
    rss = peak = 0.0
    for member in tree:
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss += int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak += int(line.split()[1]) / 1024
    return {"processes": len(tree), "rss_mb": round(rss, 1), "peak_mb": round(peak, 1)}


def tree_cpu(pid: int) -> tuple[float, float]:
    """CPU seconds (user and system) used so far by process ``pid`` and by its
    descendants: on a shared machine, what a request costs the service is steadier than
    how many it answers."""
    own = others = 0.0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        if member == pid:
            own += seconds
        else:
            others += seconds
    return own, others


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def drive(
    base: str,
    requests: Callable[[], Iterator[tuple[str, dict, dict]]],
    clients: int,
    seconds: float,
) -> dict[str, float]:
    """``clients`` threads sending requests for ``seconds``; rate and latency figures."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client() -> None:
        nonlocal errors
        mine: list[float] = []
        failed = 0
        with httpx.Client(base_url=base, timeout=60) as session:
            for path, params, headers in requests():
                if time.perf_counter() > stop_at:
                    break
                start = time.perf_counter()
                answer = session.get(path, params=params, headers=headers)
                mine.append(time.perf_counter() - start)
                failed += answer.status_code != 200
        with lock:
            latencies.extend(mine)
            errors += failed

    began = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    ordered = sorted(latencies)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return {
        "requests": len(ordered),
        "errors": errors,
        "rps": len(ordered) / elapsed,
        "p50_ms": statistics.median(ordered) * 1000,
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
    }


def in_turn(identifiers: list[str]) -> Callable[[], Iterator[str]]:
    """Iterators over ``identifiers`` that share one pass: each next() is the next
    identifier not yet given to any client (itertools.count is atomic under the GIL)."""
    counter = itertools.count()

    def each() -> Iterator[str]:
        while True:
            yield identifiers[next(counter) % len(identifiers)]

    return each


def public_identifiers(path: Path) -> dict[str, list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["confidentiality"] == "public"]
    return {
        kind: [r["identifier"] for r in rows if r["kind"] == kind] for kind in ("supply", "demand")
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15.0)
    add_store_option(parser)
    parser.add_argument("--only", nargs="+", choices=SCENARIOS, help="run these scenarios only")
    args = parser.parse_args()
    wanted = {"floor", *(args.only or SCENARIOS)}

    with tempfile.TemporaryDirectory(prefix="sidestream-bench-api-") as folder_name:
        folder = Path(folder_name)
        demo_ready = float("nan")
        if args.only is None:
            demo, demo_ready = start(["--demo", "--store", str(folder / "demo")], free_port())
            stop(demo)
            log(f"serve --demo answered {demo_ready:.2f} s after start")

        if args.store is None:
            store, data, quads = build_store(args.streams, args.seed, folder)
        else:
            store, data, quads = prepared_store(args.streams, args.seed, args.store)
        store.close()
        ids = public_identifiers(data)
        port = free_port()
        served = (args.store or folder) / "store"
        server, ready = start(["--store", str(served)], port)
        base = f"http://127.0.0.1:{port}"
        supplies, demands = in_turn(ids["supply"]), in_turn(ids["demand"])
        scenarios: dict[str, Callable[[], Iterator[tuple[str, dict, dict]]]] = {
            "floor": lambda: itertools.repeat(("/openapi.json", {}, {})),
            "stream": lambda: (
                (f"/streams/{i}", {}, {"Accept": "application/ld+json"}) for i in supplies()
            ),
            "sparql": lambda: (
                (
                    "/sparql",
                    {"query": POINT_QUERY.format(identifier=i)},
                    {"Accept": "application/sparql-results+json"},
                )
                for i in supplies()
            ),
            "match": lambda: (("/match", {"demand": i, "top": 10}, {}) for i in demands()),
        }
        figures: dict[str, dict[str, float]] = {}
        try:
            for name, requests in scenarios.items():
                if name not in wanted:
                    continue
                drive(base, requests, args.clients, min(3.0, args.seconds))  # warm
                before = tree_cpu(server.pid)
                figures[name] = drive(base, requests, args.clients, args.seconds)
                after, count = tree_cpu(server.pid), max(figures[name]["requests"], 1)
                figures[name]["service_cpu_ms"] = (after[0] - before[0]) * 1000 / count
                figures[name]["workers_cpu_ms"] = (after[1] - before[1]) * 1000 / count
                log(f"{name}: {figures[name]}")
            memory = tree_memory(server.pid)
            log(f"service memory: {memory}")
        finally:
            stop(server)

    floor = figures["floor"]["rps"]
    print(
        f"{'scenario':>8}  {'req/s':>8}  {'p50 ms':>8}  {'p95 ms':>8}  {'p99 ms':>8}  "
        f"{'errors':>6}  {'of floor':>8}  CPU ms/request: service + workers"
    )
    for name, figure in figures.items():
        print(
            f"{name:>8}  {figure['rps']:8.0f}  {figure['p50_ms']:8.1f}  {figure['p95_ms']:8.1f}  "
            f"{figure['p99_ms']:8.1f}  {figure['errors']:6.0f}  {figure['rps'] / floor:8.2f}  "
            f"{figure['service_cpu_ms']:.2f} + {figure['workers_cpu_ms']:.2f}"
        )
    demo_text = (
        "serve --demo not timed (--only)"
        if math.isnan(demo_ready)
        else f"serve --demo answered {demo_ready:.2f} s after start"
    )
    print(
        f"{args.streams} streams ({quads} quads), {args.clients} clients, "
        f"{args.seconds:.0f} s each; {demo_text}, this store {ready:.2f} s; the service and its "
        f"SPARQL workers hold {memory['rss_mb']:.0f} MB resident ({memory['processes']} "
        "processes)"
    )
    if args.only is not None:
        return  # a partial run: not a record
    RESULTS.parent.mkdir(exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as handle:
        record = {
            "revision": git_revision(),
            "date": time.strftime("%Y-%m-%d"),
            "machine": f"{platform.machine()} {os.cpu_count()} cpus",
            "streams": args.streams,
            "quads": quads,
            "clients": args.clients,
            "seconds": args.seconds,
            "demo_ready_s": demo_ready,
            "service_memory": memory,
            "figures": figures,
        }
        handle.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
