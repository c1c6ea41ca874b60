"""Load and match figures for one catalogue on three backends, side by side in one run.

``python bench/bench_backends.py --streams 100000 [--seed 1] [--queries 10]
[--match-budget 300] [--backends embedded oxigraph virtuoso]``

One seeded synthetic catalogue (``datasets.py``) is mapped and materialised without
validation (``bench_match.build_quads``), then, backend after backend, written into an
empty store through the catalogue's own write path, ``store.write(SubmissionWrite(...))``,
with the quads a real load writes (each level's graph with its inferences, their levels
and the submission record in the catalogue graph, ``catalogue.publish``):

- embedded: ``OxigraphStore`` (pyoxigraph, RocksDB) in a temporary folder;
- oxigraph: a real Oxigraph server (PyPI ``oxigraph``, ``tests/oxigraph_server.py``),
  through ``RemoteStore`` over loopback;
- virtuoso: a real Virtuoso Open Source (Debian ``virtuoso-opensource``,
  ``tests/virtuoso_server.py``) through ``RemoteStore`` with the listed union, its
  ``ResultSetMaxRows`` raised above any answer the catalogue needs (the default 10,000
  would make matching at this size raise ``RowCapReached``) and more buffers than the
  tests' small instance.

Then the same picked queries (``bench_match.pick``) of the three directions run on each
backend as the anonymous caller, once to warm and once timed (``bench_match.time_direction``),
each direction stopped after ``--match-budget`` seconds. Reported per backend: load time
and quads/s, the server's peak resident memory (``VmHWM``), match p50/p95 per direction,
their ratio to embedded, and whether the ranked identifiers equal embedded's.

Prints one table and appends one JSON line to ``bench/results/backends.jsonl``. Figures,
not pass/fail: absolute times drift on shared machines.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import NamedNode

from catalogue.config import Settings
from catalogue.progress import WriteBar
from catalogue.publish import PreparedFile, _metadata, catalogue_graph, checksum_of
from catalogue.store.base import CatalogueStore, SubmissionWrite
from catalogue.store.oxigraph import OxigraphStore

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
from bench_match import (
    DIRECTIONS,
    SUBMISSION,
    RecordingStore,
    build_quads,
    log,
    ms,
    pick,
    summary,
    time_direction,
)
from revision import git_revision

from tests.oxigraph_server import start_oxigraph
from tests.virtuoso_server import start_virtuoso

RESULTS = Path(__file__).parent / "results" / "backends.jsonl"
BACKENDS = ("embedded", "oxigraph", "virtuoso")
VIRTUOSO_ROW_CAP = 10_000_000
"""The bench's ResultSetMaxRows: far above the largest answer at 100,000 streams."""
VIRTUOSO_BUFFERS = 340_000
"""NumberOfBuffers (8 KB each, about 2.7 GB): Virtuoso's ~85,000 per GB for 4 GB."""
VIRTUOSO_QUERY_SECONDS = 600
"""MaxQueryExecutionTime: the tests' 60 s cut demand matches short at 10,000 streams."""
VIRTUOSO_AFTER_IMAGE_LIMIT = 4_000_000_000
"""TransactionAfterImageLimit (bytes), set at run time: the staged write's one MOVE update at
100,000 streams goes far past the default 50 MB and is aborted (SR325)."""
PUBLISHER = "bench"


def count_quads(store: CatalogueStore) -> int:
    """The quads in the store's named graphs, as the store itself counts them."""
    rows = store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    return int(rows[0]["n"].value)


def children() -> list[int]:
    """The process ids of this process's children (the servers it started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after its ')'.
        if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid():
            found.append(int(entry.name))
    return found


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS (now) and VmHWM (peak so far) of a process, in MB."""
    figures: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                figures[name] = round(int(value.split()[0]) / 1024, 1)
    except OSError:
        pass
    return figures


def server_pid(command: str) -> int | None:
    """The child process running ``command`` (its executable's name)."""
    for pid in children():
        try:
            if Path(f"/proc/{pid}/exe").resolve().name == command:
                return pid
        except OSError:
            continue
    return None


def available_mb() -> float:
    """The machine's MemAvailable, in MB."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return float("inf")


class Watchdog:
    """Samples a server's resident memory every second; kills the server (a process this
    benchmark started, by its id) when it passes ``limit_mb`` or the machine's available
    memory falls under ``floor_mb``, so that one backend cannot take a shared machine down.
    For the embedded store (this process) it only records and warns."""

    def __init__(self, pid: int, limit_mb: float, floor_mb: float) -> None:
        self.pid, self.limit_mb, self.floor_mb = pid, limit_mb, floor_mb
        self.peak_mb = 0.0
        self.killed: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> Watchdog:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        warned = False
        while not self._stop.wait(1.0):
            rss = memory_mb(self.pid).get("VmRSS", 0.0)
            self.peak_mb = max(self.peak_mb, rss)
            free = available_mb()
            if rss <= self.limit_mb and free >= self.floor_mb:
                continue
            why = (
                f"RSS {rss / 1024:.1f} GB (limit {self.limit_mb / 1024:.0f} GB), machine "
                f"MemAvailable {free / 1024:.1f} GB (floor {self.floor_mb / 1024:.0f} GB)"
            )
            if self.pid == os.getpid():
                if not warned:
                    log(f"memory warning, this process: {why}")
                    warned = True
                continue
            log(f"killing the server (pid {self.pid}): {why}")
            self.killed = why
            os.kill(self.pid, signal.SIGKILL)
            return


@contextmanager
def backend(name: str, folder: Path) -> Iterator[tuple[CatalogueStore, int | None, str]]:
    """An empty store of backend ``name`` in ``folder``, the server's process id (None when
    embedded) and a note on its settings."""
    if name == "embedded":
        store = OxigraphStore(folder / "store")
        try:
            yield store, None, "pyoxigraph in this process"
        finally:
            store.close()
    elif name == "oxigraph":
        with start_oxigraph(folder) as server:
            yield server.store(), server_pid("oxigraph"), "oxigraph serve, default options"
    else:
        with start_virtuoso(
            folder,
            row_cap=VIRTUOSO_ROW_CAP,
            buffers=VIRTUOSO_BUFFERS,
            query_seconds=VIRTUOSO_QUERY_SECONDS,
        ) as server:
            # The limit of one transaction's roll-forward log is an ini setting that
            # __dbf_set also changes on the running server (read back with sys_stat).
            server.isql(f"__dbf_set('txn_after_image_limit', {VIRTUOSO_AFTER_IMAGE_LIMIT});")
            store = server.store()
            store.row_cap = VIRTUOSO_ROW_CAP
            if store.gsp_endpoint is None:  # Virtuoso's Graph Store Protocol URL
                store.gsp_endpoint = server.query.removesuffix("/sparql") + "/sparql-graph-crud"
            note = (
                f"ResultSetMaxRows {VIRTUOSO_ROW_CAP:,} (default 10,000 would raise "
                f"RowCapReached), NumberOfBuffers {VIRTUOSO_BUFFERS:,}, "
                f"TransactionAfterImageLimit {VIRTUOSO_AFTER_IMAGE_LIMIT:,} (default 50,000,000 "
                "aborts a staged replacement's MOVE at 100,000 streams, SR325), "
                f"MaxQueryExecutionTime {VIRTUOSO_QUERY_SECONDS} s, listed union"
            )
            yield store, server_pid("virtuoso-t"), note


def load(store: CatalogueStore, change: SubmissionWrite) -> float:
    """Seconds to write ``change``, with the command line's progress bar (a remote store's
    staged write reports each batch)."""
    start = time.perf_counter()
    store.write(change, progress=WriteBar())
    return time.perf_counter() - start


def run_backend(
    name: str,
    change: SubmissionWrite,
    picked: dict[str, list[str]],
    match_budget: float,
    limits: tuple[float, float],
) -> dict[str, Any]:
    figures: dict[str, Any] = {"backend": name}
    folder = Path(tempfile.mkdtemp(prefix=f"sidestream-bench-{name}-"))
    try:
        started = time.perf_counter()
        with backend(name, folder) as (store, pid, note):
            figures["settings"] = note
            figures["start_seconds"] = round(time.perf_counter() - started, 1)
            pid = pid or os.getpid()
            figures["memory_process"] = "server" if pid != os.getpid() else "this process"
            before = memory_mb(pid)
            log(f"{name}: writing {len(change.quads):,} quads ({note})")
            watchdog = Watchdog(pid, *limits)
            try:
                with watchdog:
                    seconds = load(store, change)
            except Exception as error:
                message = " ".join(str(error).split())[:500]
                log(f"{name}: the write failed: {type(error).__name__}: {message}")
                figures["load_error"] = f"{type(error).__name__}: {message}"
                if watchdog.killed:
                    figures["load_error"] = f"server killed by the watchdog: {watchdog.killed}"
                figures["peak_rss_mb_load"] = max(watchdog.peak_mb, memory_mb(pid).get("VmHWM", 0))
                return figures
            after = memory_mb(pid)
            figures.update(
                load_seconds=round(seconds, 1),
                quads_per_second=round(len(change.quads) / seconds),
                rss_mb_before_load=before.get("VmRSS"),
                rss_mb_after_load=after.get("VmRSS"),
                peak_rss_mb_load=after.get("VmHWM"),
            )
            log(f"{name}: written in {seconds:.1f} s ({len(change.quads) / seconds:,.0f} quads/s)")
            start = time.perf_counter()
            figures["stored_quads"] = count_quads(store)
            figures["count_seconds"] = round(time.perf_counter() - start, 1)
            log(f"{name}: {figures['stored_quads']:,} quads stored")
            recording = RecordingStore(store)
            directions: dict[str, Any] = {}
            for direction in DIRECTIONS:
                if not picked[direction]:
                    continue
                log(f"{name}: timing {direction} ({len(picked[direction])} queries)")
                measured = time_direction(recording, direction, picked[direction], match_budget)
                if measured is None:
                    directions[direction] = {"available": False}
                    continue
                directions[direction] = {
                    "available": True,
                    "picked": len(picked[direction]),
                    "queries": len(measured["whole"]),
                    "skipped": measured["skipped"],
                    "first_error": measured["first_error"],
                    "mean_results": round(measured["mean_results"], 1),
                    "match": summary(measured["whole"]),
                    "store_queries": summary(measured["query_only"]),
                    "found": measured["found"],
                }
            figures["directions"] = directions
            figures["peak_rss_mb"] = memory_mb(pid).get("VmHWM")
    except (pytest.skip.Exception, pytest.fail.Exception) as error:  # the server helpers'
        log(f"{name}: not run: {error}")
        figures["not_run"] = str(error)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return figures


def compare(records: dict[str, dict[str, Any]]) -> None:
    """Ratios to embedded (match p50 / p95 per direction, load time) and whether the same
    queries found the same identifiers in the same order; ``found`` lists are dropped."""
    base = records.get("embedded", {})
    base_found = {
        direction: dict(figures.get("found", []))
        for direction, figures in base.get("directions", {}).items()
    }
    for name, record in records.items():
        if name != "embedded" and "load_seconds" in record and "load_seconds" in base:
            record["load_ratio"] = round(record["load_seconds"] / base["load_seconds"], 2)
        for direction, figures in record.get("directions", {}).items():
            found = figures.pop("found", [])
            ours, theirs = figures.get("match"), base.get("directions", {}).get(direction, {})
            if name == "embedded" or not ours or not theirs.get("match"):
                continue
            figures["ratio_p50"] = round(ours["p50_ms"] / theirs["match"]["p50_ms"], 2)
            figures["ratio_p95"] = round(ours["p95_ms"] / theirs["match"]["p95_ms"], 2)
            reference = base_found.get(direction, {})
            common = [(text, ids) for text, ids in found if text in reference]
            figures["compared"] = len(common)
            figures["same_results"] = sum(ids == reference[text] for text, ids in common)
            figures["same_sets"] = sum(set(ids) == set(reference[text]) for text, ids in common)


def duration(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 600 else f"{seconds / 60:.1f} min"


def print_table(record: dict[str, Any]) -> None:
    print(
        f"{record['streams']:,} streams, {record['quads']:,} quads; seed {record['seed']}; "
        f"revision {record['revision']}"
    )
    print(
        f"{'backend':<9}{'load':>10}{'quads/s':>10}{'x emb':>7}{'peak RSS':>11}  "
        f"{'direction':<9}{'done':>16}{'match p50 / p95 ms':>22}{'x embedded':>14}{'same':>8}"
    )
    for name, figures in record["backends"].items():
        if "not_run" in figures or "load_error" in figures:
            why = str(figures.get("not_run") or figures.get("load_error"))
            print(f"{name:<9}  failed: {' '.join(why.split())[:300]}")
            peak = figures.get("peak_rss_mb_load")
            if peak:
                print(f"{'':<9}  peak RSS during the write {peak / 1024:.1f} GB")
            continue
        peak = figures.get("peak_rss_mb")
        load = [
            duration(figures["load_seconds"]),
            f"{figures['quads_per_second']:,}",
            f"{figures['load_ratio']:.2f}"
            if "load_ratio" in figures
            else ("1.00" if name == "embedded" else "—"),
            f"{peak / 1024:.1f} GB" if peak else "—",
        ]
        for index, (direction, d) in enumerate(figures.get("directions", {}).items()):
            head = load if index == 0 else ["", "", "", ""]
            if not d["available"]:
                print(f"{name if index == 0 else '':<9}{''.join(head)}  {direction:<9} n/a")
                continue
            done = f"{d['queries']}/{d['picked']}" + (
                f" ({d['skipped']} failed)" * bool(d["skipped"])
            )
            ratio = f"{d['ratio_p50']:.1f} / {d['ratio_p95']:.1f}" if "ratio_p50" in d else "—"
            same = f"{d['same_results']}/{d['compared']}" if "compared" in d else "—"
            print(
                f"{name if index == 0 else '':<9}{head[0]:>10}{head[1]:>10}{head[2]:>7}"
                f"{head[3]:>11}  {direction:<9}{done:>16}{ms(d['match']):>22}{ratio:>14}"
                f"{same:>8}"
            )
    print(
        "load = store.write of the whole submission (the catalogue's write path; on a remote "
        "store over loopback); x emb = load time / embedded's; peak RSS = VmHWM of the server "
        "process (embedded: this process, the Python quads included); done = matches timed "
        "within the budget / picked (failed: matches that raised, e.g. a server time-out); "
        "match = the whole match call as the anonymous caller, "
        "warm; x embedded = p50 / p95 ratio to embedded; same = matches whose ranked "
        "identifiers equal embedded's."
    )
    for name, figures in record["backends"].items():
        if "settings" in figures:
            stored = figures.get("stored_quads")
            counted = f"; {stored:,} distinct quads stored" if stored is not None else ""
            print(f"{name}: {figures['settings']}{counted}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", type=int, default=10)
    parser.add_argument(
        "--match-budget",
        type=float,
        default=300,
        help="seconds of matching (warm + timed) per direction and backend; later queries "
        "are left out (the number timed is reported)",
    )
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    parser.add_argument(
        "--server-memory-limit-gb",
        type=float,
        default=16,
        help="kill a server whose resident memory passes this (the backend is reported failed)",
    )
    parser.add_argument(
        "--memory-floor-gb",
        type=float,
        default=2,
        help="kill a server when the machine's available memory falls under this",
    )
    args = parser.parse_args()

    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="sidestream-bench-backends-") as name:
        started = time.perf_counter()
        quads, path, identifiers = build_quads(args.streams, args.seed, Path(name))
        graph, meta = NamedNode(settings.data_base + SUBMISSION), catalogue_graph(settings)
        prepared = PreparedFile(path=path, checksum=checksum_of(path), identifiers=identifiers)
        quads += _metadata(graph, prepared, meta, PUBLISHER, datetime.now(UTC))
        build_seconds = time.perf_counter() - started
        log(f"{args.streams}: {len(quads):,} quads to write ({build_seconds:.1f} s)")
        picked = pick(path, args.queries)
    change = SubmissionWrite(quads=quads, metadata_graph=meta)
    records: dict[str, dict[str, Any]] = {}
    for backend_name in args.backends:
        records[backend_name] = run_backend(
            backend_name,
            change,
            picked,
            args.match_budget,
            (args.server_memory_limit_gb * 1024, args.memory_floor_gb * 1024),
        )
    compare(records)
    record: dict[str, Any] = {
        "benchmark": "backends",
        "revision": git_revision(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.node(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "streams": args.streams,
        "seed": args.seed,
        "quads": len(quads),
        "build_seconds": round(build_seconds, 1),
        "queries": args.queries,
        "match_budget": args.match_budget,
        "backends": records,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
    print_table(record)


if __name__ == "__main__":
    main()
