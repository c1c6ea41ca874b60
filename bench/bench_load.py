"""Validated load of a synthetic template, against its baselines in the same run.

``python bench/bench_load.py --streams 10000 [--seed 1] [--no-baseline | --baseline-budget S]``

Measures, on one generated catalogue:
- sidestream: ``load_files`` into a fresh on-disk store (read, map, validate with the
  hybrid engine, materialise, one transaction), with the time of each stage;
- raw pyoxigraph bulk load of the same asserted quads (the physical limit here);
- pySHACL validating the same data as one whole graph with all shapes and the whole
  vocabulary, after rdflib parses it from N-Triples (what a naive pipeline does).

Prints a table and appends one JSON line to ``bench/results/load.jsonl``. Figures,
not pass/fail: absolute times drift on shared machines, compare the ratios.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import itertools
import json
import multiprocessing
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyoxigraph

from catalogue.config import Settings
from catalogue.ingest.template import read_template
from catalogue.ingest.to_rdf import map_template
from catalogue.ontology import ontology_files
from catalogue.publish import load_files
from catalogue.store.oxigraph import OxigraphStore

sys.path.insert(0, str(Path(__file__).parent))
from bench_match import record_prepared
from datasets import write as write_dataset
from records import results_folder
from revision import git_revision

RESULTS = results_folder() / "load.jsonl"


def sidestream_load(path: Path, folder: Path) -> tuple[dict[str, float], int]:
    """Seconds in all and per stage, and the quads the store holds after the load."""
    stages: list[tuple[str, float]] = []

    def progress(message: str) -> None:
        stages.append((message.split(": ", 1)[-1].split(" ")[0], time.perf_counter()))

    settings = Settings(store=folder / "store")
    store = OxigraphStore(settings.store)
    start = time.perf_counter()
    result = load_files([path], store, settings, publisher="bench", progress=progress)
    end = time.perf_counter()
    quads = len(store.raw)
    store.close()
    assert result.report.conforms
    # the process's peak so far: the template written and this load (the raw and pySHACL
    # baselines come after)
    timings = {"total": end - start, "peak_rss_mb": peak_rss_mb(), "worker_rss_mb": worker_rss_mb()}
    marks = [*stages, ("end", end)]
    for (name, at), (_, following) in itertools.pairwise(marks):
        timings[name] = timings.get(name, 0.0) + following - at
    return timings, quads


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_rss_mb() -> float:
    """The largest peak of the load's worker processes (ended by now)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


RAW_CHUNK = 100_000
"""Streams mapped at a time for the raw bulk load: its quads in memory, not a million
streams' (85 GB)."""


def raw_bulk_load(path: Path, folder: Path) -> tuple[float, int, list[pyoxigraph.Quad] | None]:
    """Seconds pyoxigraph's ``bulk_extend`` takes for the template's asserted triples (mapped
    ``RAW_CHUNK`` streams at a time, untimed), their number, and the triples themselves when
    they were one chunk (for the pySHACL baseline)."""
    table = read_template(path)
    store = pyoxigraph.Store(str(folder / "raw"))
    seconds, triples = 0.0, 0
    mapped: list[pyoxigraph.Quad] = []
    for start in range(0, len(table.rows), RAW_CHUNK):
        chunk = dataclasses.replace(table, rows=table.rows[start : start + RAW_CHUNK])
        mapped = map_template(chunk, base=Settings().data_base).quads
        began = time.perf_counter()
        store.bulk_extend(mapped)
        seconds += time.perf_counter() - began
        triples += len(mapped)
    began = time.perf_counter()
    store.flush()
    seconds += time.perf_counter() - began
    return seconds, triples, mapped if len(table.rows) <= RAW_CHUNK else None


def pyshacl_whole_graph(quads: list[pyoxigraph.Quad], folder: Path) -> float:
    """rdflib parse of the data plus the whole vocabulary, then pySHACL, no inference."""
    import pyshacl
    from rdflib import Graph

    from catalogue.validation.shapes import shapes_graph

    data_file = folder / "whole.nt"
    with data_file.open("wb") as handle:
        pyoxigraph.serialize(
            [pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in quads],
            handle,
            pyoxigraph.RdfFormat.N_TRIPLES,
        )
    shapes = shapes_graph()
    start = time.perf_counter()
    graph = Graph()
    graph.parse(data_file, format="nt")
    for path in ontology_files():
        graph.parse(path, format="turtle")
    pyshacl.validate(graph, shacl_graph=shapes, inference="none", allow_warnings=True)
    return time.perf_counter() - start


def pyshacl_within(quads: list[pyoxigraph.Quad], folder: Path, budget: float) -> float | None:
    """:func:`pyshacl_whole_graph` in its own process, stopped after ``budget`` seconds:
    its time, or None when it did not finish (the speed-up is then at least budget/ours)."""
    # Forked, so the quads are inherited rather than pickled; only the time comes back.
    context = multiprocessing.get_context("fork")
    answer = context.Queue()
    child = context.Process(target=lambda: answer.put(pyshacl_whole_graph(quads, folder)))
    child.start()
    child.join(budget)
    if child.is_alive():
        child.terminate()
        child.join()
        return None
    return float(answer.get(timeout=10))


def first_rows(path: Path, count: int, folder: Path) -> Path:
    """A template of the first ``count`` streams of ``path`` (same header)."""
    sample = folder / f"first-{count}.csv"
    with (
        path.open(encoding="utf-8", newline="") as source,
        sample.open("w", encoding="utf-8", newline="") as target,
    ):
        writer = csv.writer(target)
        for row in itertools.islice(csv.reader(source), count + 1):
            writer.writerow(row)
    return sample


def pyshacl_estimate(path: Path, streams: int, sample: int, folder: Path) -> dict[str, Any]:
    """pySHACL whole-graph validation timed on the first ``sample`` streams, on half of them
    and on none (the vocabulary alone), extrapolated to ``streams``.

    Where pySHACL on the whole catalogue would take hours, this is the baseline's figure: the
    vocabulary's fixed cost plus the lower of the two measured per-stream costs times the
    streams. It is an estimate, not a lower bound, resting on the per-stream cost not falling
    as the graph grows; both per-stream costs are recorded so that holds visibly (measured
    here: 1.07 s at 25 streams, 1.25 at 50, 1.11 at 1,000).
    """
    half = sample // 2
    seconds: dict[int, float] = {}
    for count in (0, half, sample):
        quads: list[pyoxigraph.Quad] = []
        if count:
            table = read_template(first_rows(path, count, folder))
            quads = map_template(table, base=Settings().data_base).quads
        seconds[count] = pyshacl_whole_graph(quads, folder)
        print(f"pySHACL on {count} streams: {seconds[count]:.1f} s", file=sys.stderr)
    per_stream = [
        (seconds[half] - seconds[0]) / half,
        (seconds[sample] - seconds[half]) / (sample - half),
    ]
    return {
        "sample_streams": sample,
        "sample_seconds": {str(count): round(value, 2) for count, value in seconds.items()},
        "per_stream_seconds": [round(value, 3) for value in per_stream],
        "estimated_seconds": round(seconds[0] + min(per_stream) * streams, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-baseline", action="store_true", help="skip the pySHACL baseline")
    parser.add_argument(
        "--no-raw", action="store_true", help="skip the raw bulk-load baseline (and pySHACL's)"
    )
    parser.add_argument(
        "--baseline-budget",
        type=float,
        default=None,
        help="stop the pySHACL baseline after this many seconds and report a lower bound",
    )
    parser.add_argument(
        "--baseline-sample",
        type=int,
        metavar="K",
        help="time pySHACL on the first K streams (and K/2, and none) and extrapolate, for "
        "sizes where it would run for hours (takes about 1.7 s per sampled stream)",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="FOLDER",
        help="keep the template and the loaded store in FOLDER for bench_match.py and "
        "bench_api.py --store (the suite's one build)",
    )
    args = parser.parse_args()
    if args.keep is not None and (args.keep / "store").exists():
        parser.error(f"--keep: {args.keep} already holds a store; give an empty folder")

    with tempfile.TemporaryDirectory(prefix="sidestream-bench-") as name:
        folder = Path(name)
        kept = args.keep or folder
        kept.mkdir(parents=True, exist_ok=True)
        path = write_dataset(kept / f"synthetic-{args.streams}.csv", args.streams, args.seed)
        # sidestream's load first, so that its peak memory is its own
        ours, quads = sidestream_load(path, kept)
        if args.keep is not None:
            record_prepared(args.keep, args.streams, args.seed, quads)
        raw, triples, mapped = (None, None, None) if args.no_raw else raw_bulk_load(path, folder)
        print(f"{args.streams} streams, {triples} asserted triples", file=sys.stderr)
        baseline: float | None = None
        budget_reached = False
        estimate: dict[str, Any] | None = None
        if args.no_baseline or args.no_raw:
            pass
        elif args.baseline_sample is not None:
            estimate = pyshacl_estimate(path, args.streams, args.baseline_sample, folder)
        elif mapped is None:
            parser.error("the whole-graph pySHACL baseline needs a catalogue of one chunk")
        elif args.baseline_budget is None:
            baseline = pyshacl_whole_graph(mapped, folder)
        else:
            baseline = pyshacl_within(mapped, folder, args.baseline_budget)
            budget_reached = baseline is None

    record = {
        "benchmark": "load",
        "revision": git_revision(),
        "machine": platform.node(),
        "python": platform.python_version(),
        "streams": args.streams,
        "triples": triples,
        "sidestream_seconds": round(ours["total"], 3),
        "sidestream_stages": {
            k: round(v, 3)
            for k, v in ours.items()
            if k not in ("total", "peak_rss_mb", "worker_rss_mb")
        },
        "sidestream_peak_rss_mb": round(ours["peak_rss_mb"]),
        # each of the load's worker processes peaked at most at this
        "sidestream_worker_peak_rss_mb": round(ours["worker_rss_mb"]),
        "chunk_streams": Settings().load_chunk_streams,
        "streams_per_second": round(args.streams / ours["total"], 1),
        "raw_bulk_load_seconds": None if raw is None else round(raw, 3),
        "share_of_raw_rate": None if raw is None else round(raw / ours["total"], 4),
        "pyshacl_whole_graph_seconds": round(baseline, 3) if baseline is not None else None,
        "speedup_over_pyshacl": round(baseline / ours["total"], 2) if baseline else None,
        # pySHACL stopped at its budget: it is at least this many times slower.
        "pyshacl_budget_seconds": args.baseline_budget if budget_reached else None,
        "speedup_over_pyshacl_at_least": (
            round(args.baseline_budget / ours["total"], 2) if budget_reached else None
        ),
        "pyshacl_estimate": estimate,
        "speedup_over_pyshacl_estimated": (
            round(estimate["estimated_seconds"] / ours["total"], 1) if estimate else None
        ),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")

    print(f"{'path':<44}{'seconds':>10}{'streams/s':>12}")
    rate = args.streams / ours["total"]
    print(f"{'sidestream validated load':<44}{ours['total']:>10.2f}{rate:>12.0f}")
    for stage, seconds in record["sidestream_stages"].items():
        print(f"{'  ' + stage:<44}{seconds:>10.2f}")
    print(
        f"  peak resident memory {record['sidestream_peak_rss_mb']:,} MB, each worker at most "
        f"{record['sidestream_worker_peak_rss_mb']:,} MB "
        f"(chunks of {record['chunk_streams']:,} streams)"
    )
    if raw is not None:
        print(
            f"{'pyoxigraph raw bulk load (same quads)':<44}{raw:>10.2f}{args.streams / raw:>12.0f}"
        )
    if baseline is not None:
        print(
            f"{'pySHACL whole graph + rdflib parse':<44}{baseline:>10.2f}"
            f"{args.streams / baseline:>12.1f}"
        )
        print(f"sidestream is {baseline / ours['total']:.1f}x faster than the pySHACL baseline")
    elif budget_reached:
        print(
            f"pySHACL had not finished after {args.baseline_budget:.0f} s: sidestream is at "
            f"least {args.baseline_budget / ours['total']:.1f}x faster"
        )
    if estimate is not None:
        print(
            f"pySHACL on the first {estimate['sample_streams']} streams: "
            f"{estimate['sample_seconds']} s; estimated {estimate['estimated_seconds']:.0f} s for "
            f"all, so sidestream is about {record['speedup_over_pyshacl_estimated']}x faster"
        )
    if raw is not None:
        print(f"sidestream runs at {100 * raw / ours['total']:.1f} % of the raw bulk-load rate")


if __name__ == "__main__":
    main()
