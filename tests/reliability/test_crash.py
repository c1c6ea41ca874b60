"""Killing ``sidestream load`` (SIGKILL) at random moments leaves no submission half there.

The real command runs as a process on an embedded store, loading a synthetic catalogue
(``bench/datasets.py``) in bulk-load batches of 250 quads, and is killed 50 times at
seeded random moments: most while it writes (after it says ``writing N quads``), some
anywhere from its start. After each kill the store is opened again, as the next command
would open it, and must hold

- exactly the submissions whose load exited 0, plus the killed one only if its
  registration (one transaction, the load's last write) landed before the kill: then it
  counts as completed from there on, as a user rerunning the load would find it
  ``unchanged``;
- no graph but the catalogue graph and the graphs of those submissions (what a killed
  load wrote is dropped when the store is opened);
- for each submission, per graph, as many quads as a clean load of its file writes;

and ``submissions``, ``match --element`` and ``export`` must work on it.
"""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import redirect_stdout
from pathlib import Path

import pyoxigraph

from bench.datasets import write as write_dataset
from catalogue.cli import main
from catalogue.config import Settings
from catalogue.publish import (
    catalogue_graph,
    content_graphs,
    load_files,
    submission_iri,
    submissions,
)
from catalogue.store.oxigraph import PENDING, OxigraphStore

KILLS = 50
STREAMS = 100
BATCH = 250
SEED = 8


def load_command(store: Path, source: Path, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "catalogue.cli", "load", "--store", str(store), str(source)],
        env={**os.environ, "SIDESTREAM_STORE_BATCH_QUADS": str(BATCH)},
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )


def wait_for_writing(process: subprocess.Popen[bytes], log: Path, limit: float = 60) -> bool:
    """Whether the load reached its write (False: it ended first)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if b"writing " in log.read_bytes():
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.01)
    raise AssertionError(f"the load did not start writing within {limit} s")


def wait_until(process: subprocess.Popen[bytes], moment: float) -> float | None:
    """When the process ended, if it did before ``moment`` (monotonic); else None."""
    while process.poll() is None:
        now = time.monotonic()
        if now >= moment:
            return None
        time.sleep(min(0.01, moment - now))
    return time.monotonic()


def graph_counts(store: OxigraphStore) -> Counter[str]:
    quads = store.raw.quads_for_pattern(None, None, None)
    return Counter(quad.graph_name.value for quad in quads)


def submission_counts(counts: Counter[str], settings: Settings, name: str) -> dict[str, int]:
    """Quads per graph of one submission (graphs it does not have: 0)."""
    return {g.value: counts[g.value] for g in content_graphs(submission_iri(settings, name))}


def leftovers(path: Path) -> int:
    """Graphs a killed load left, recorded as pending: looked at before anything drops them."""
    raw = pyoxigraph.Store(str(path))
    try:
        pending = [g for g in raw.named_graphs() if g.value.startswith(PENDING)]
        return sum(len(list(raw.quads_for_pattern(g, None, None, g))) for g in pending)
    finally:
        del raw


def cli(*arguments: str) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(arguments))
    assert code == 0, (arguments, out.getvalue())
    return out.getvalue()


def test_killing_loads_at_random_moments_leaves_only_whole_submissions(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    path = tmp_path / "store"
    settings = Settings(store=path)
    completed: set[str] = set()
    outcomes: Counter[str] = Counter()
    # How long a whole load takes, and its write: measured on the loads that complete, so
    # that kill moments follow this machine's speed (the first load is let complete).
    whole, writing = 0.0, 0.0
    for kill in range(KILLS + 1):
        name = f"part{len(completed):02d}"
        source = tmp_path / f"{name}.csv"
        if not source.exists():
            write_dataset(source, STREAMS, SEED * 1000 + len(completed))
        log = tmp_path / "load.log"
        started = time.monotonic()
        process = load_command(path, source, log)
        if kill == 0 or rng.random() < 0.8:
            reached = wait_for_writing(process, log)
            assert reached or kill > 0, log.read_text(encoding="utf-8")
            began = time.monotonic()
            delay = float("inf") if kill == 0 else rng.uniform(0, 1.2 * writing)
        else:
            began, delay = started, rng.uniform(0, 1.1 * whole)
        ended = wait_until(process, began + delay)
        if ended is None:
            process.send_signal(signal.SIGKILL)
        code = process.wait()
        assert code in (0, -signal.SIGKILL), log.read_text(encoding="utf-8")
        if code == 0:
            completed.add(name)
            if ended is not None and b"writing " in log.read_bytes():
                whole = ended - started
                writing = ended - began if began > started else writing
        dropped = leftovers(path)

        store = OxigraphStore(path)
        try:
            registered = {row["submission"].rsplit("/", 1)[-1] for row in submissions(store)}
            assert completed <= registered <= completed | {name}, (kill, code, registered)
            if name in registered and name not in completed:
                completed.add(name)  # killed after its registration: it is whole (below)
                outcomes["killed after registering"] += 1
            elif code == 0:
                outcomes["completed"] += 1
            elif dropped:
                outcomes["killed while writing"] += 1
            else:
                outcomes["killed before writing"] += 1
            allowed = {catalogue_graph(settings).value} | {
                g.value for n in completed for g in content_graphs(submission_iri(settings, n))
            }
            counts = graph_counts(store)
            assert set(counts) <= allowed, (kill, sorted(set(counts) - allowed))
            assert all(not g.value.startswith(PENDING) for g in store.raw.named_graphs())
        finally:
            store.close()
        listed = json.loads(cli("submissions", "--json", "--store", str(path)))
        assert sorted(row["submission"].rsplit("/", 1)[-1] for row in listed) == sorted(completed)
        json.loads(cli("match", "--element", "V", "--json", "--store", str(path)))

    # Every submission holds what a clean load of its file writes, graph by graph.
    clean = tmp_path / "clean"
    reference = OxigraphStore(clean)
    try:
        sources = [tmp_path / f"{n}.csv" for n in sorted(completed)]
        load_files(sources, reference, Settings(store=clean), publisher="test")
        expected = graph_counts(reference)
    finally:
        reference.close()
    store = OxigraphStore(path)
    try:
        actual = graph_counts(store)
    finally:
        store.close()
    for n in sorted(completed):
        assert submission_counts(actual, settings, n) == submission_counts(expected, settings, n), n
    assert actual[catalogue_graph(settings).value] == expected[catalogue_graph(settings).value]

    exported = tmp_path / "export.nq"
    cli("export", "--format", "nq", "--output", str(exported), "--store", str(path))
    assert exported.stat().st_size > 0
    print(dict(outcomes))
    # The seed makes kills land in each phase; a change that shifts timings should keep
    # most of them in the write.
    assert outcomes["killed while writing"] >= KILLS // 3, outcomes
    assert outcomes["completed"] + outcomes["killed after registering"] >= 3, outcomes
