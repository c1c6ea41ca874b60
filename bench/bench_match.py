"""Match latency for the three directions, beside rdflib's memory store on the same queries.

``python bench/bench_match.py --sizes 1000 10000 100000 [--seed 1] [--queries 30]``

For each size, one seeded synthetic catalogue (``datasets.py``) is read, mapped and
materialised, and bulk-loaded into a fresh on-disk store without validation (the
validated load is ``bench_load.py``'s figure; here only matching is measured). Then,
for each direction, ``--queries`` queries picked from the data run once to warm and once
timed:

- element: ``match_element`` for symbols present in the data and the groups HREE, PGM;
- demand: ``match_demand`` for demand identifiers of the data;
- supply: ``match_supply`` for supply identifiers (if ``catalogue.matching.supply``
  exists in this checkout; otherwise "not available").

sidestream's figure is the whole match call (ontology look-ups, every catalogue query,
ranking). The store is wrapped so that the SELECT texts each match sends are captured;
the baseline runs those exact texts on rdflib's in-memory ``Graph`` holding the union of
the catalogue's graphs. That comparison is query time only on both sides (pyoxigraph's
``select`` with its row conversion, against rdflib's ``Graph.query`` with its rows
listed), summed per match call.

Prints a table and appends one JSON line per size to ``bench/results/match.jsonl``.
Figures, not pass/fail: absolute times drift on shared machines, compare the ratios.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph
from pyoxigraph import NamedNode, Quad

from catalogue.access import ANONYMOUS, view_for
from catalogue.config import Settings
from catalogue.ingest.template import read_template
from catalogue.ingest.to_rdf import map_template
from catalogue.matching.crm import match_element
from catalogue.matching.demand import match_demand
from catalogue.namespaces import RDF_TYPE, SS
from catalogue.publish import submission_quads
from catalogue.store.base import EVERYTHING, CatalogueStore, Row, View
from catalogue.store.oxigraph import OxigraphStore

try:
    from catalogue.matching.supply import match_supply
except ImportError:
    match_supply = None  # type: ignore[assignment]

sys.path.insert(0, str(Path(__file__).parent))
from datasets import write as write_dataset
from records import results_folder
from revision import git_revision

RESULTS = results_folder() / "match.jsonl"
ELEMENT_TEXTS = ["V", "Co", "Nd", "Ga", "Pt", "HREE", "PGM", "Dy", "Ni", "Li", "Ge", "Sc"]
ELEMENT_TEXTS += ["Pd", "Zn", "Cu", "Ti", "Cr", "P"]
DIRECTIONS = ("element", "demand", "supply")
SUBMISSION = "submission/bench"  # under the data base, like a loaded file's
META = "catalogue"
RDFLIB_MAX_STREAMS = 10_000


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class RecordingStore:
    """A store whose ``select`` records each query text over a caller's view and its time.

    Queries over the whole store are not recorded: that is ``access.view_for`` reading the
    catalogue graph to build the view, access control rather than matching, over a
    dataset (the registrations) the rdflib baseline's union of the view does not hold.
    The match time still includes it.
    """

    def __init__(self, store: CatalogueStore) -> None:
        self._store = store
        self.calls: list[tuple[str, float]] = []

    def select(self, query: str, view: View = EVERYTHING) -> list[Row]:
        start = time.perf_counter()
        rows = self._store.select(query, view)
        if not view.everything:
            self.calls.append((query, time.perf_counter() - start))
        return rows

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def build_quads(count: int, seed: int, folder: Path) -> tuple[list[Quad], Path, dict[str, str]]:
    """The quads a load of ``count`` synthetic streams stores, without validation: the
    submission's graphs per level with their inferences and, in the catalogue graph, their
    levels (``publish.submission_quads``); the template written, and its identifiers."""
    base = Settings().data_base
    started = time.perf_counter()
    path = write_dataset(folder / f"synthetic-{count}.csv", count, seed)
    log(f"{count}: template written ({time.perf_counter() - started:.1f} s)")
    mapped = map_template(read_template(path), base=base)
    elapsed = time.perf_counter() - started
    log(f"{count}: mapped, {len(mapped.quads)} asserted triples ({elapsed:.1f} s)")
    quads = submission_quads(mapped.quads, NamedNode(base + SUBMISSION), NamedNode(base + META))
    identifiers = mapped.identifiers
    del mapped
    log(f"{count}: materialised, {len(quads)} quads ({time.perf_counter() - started:.1f} s)")
    return quads, path, identifiers


def build_store(count: int, seed: int, folder: Path) -> tuple[OxigraphStore, Path, int]:
    """A fresh on-disk store of ``count`` synthetic streams (no validation)."""
    base = Settings().data_base
    started = time.perf_counter()
    quads, path, _ = build_quads(count, seed, folder)
    # The submission record access.view_for reads.
    graph, meta = NamedNode(base + SUBMISSION), NamedNode(base + META)
    quads.append(Quad(graph, NamedNode(RDF_TYPE), NamedNode(SS.Submission), meta))
    store = OxigraphStore(folder / "store")
    store.raw.bulk_extend(quads)
    store.raw.flush()
    total = len(quads)
    log(f"{count}: store loaded, {total} quads ({time.perf_counter() - started:.1f} s)")
    return store, path, total


MANIFEST = "catalogue.json"


def prepared_store(count: int, seed: int, folder: Path) -> tuple[OxigraphStore, Path, int]:
    """The catalogue of ``count`` streams from ``seed`` kept in ``folder`` (its template
    ``synthetic-{count}.csv``, its ``store/`` and ``catalogue.json``), built there first if
    it is not: so that the suite builds one catalogue for every benchmark, and a profiling
    session builds it once. ``bench_load.py --keep`` leaves its validated load there too.

    A catalogue built at another revision is still used, with a warning: the inferences
    it holds may be older than this checkout's.
    """
    manifest = folder / MANIFEST
    if manifest.exists():
        built = json.loads(manifest.read_text(encoding="utf-8"))
        if (built["streams"], built["seed"]) != (count, seed):
            raise SystemExit(
                f"{folder} holds {built['streams']} streams from seed {built['seed']}, "
                f"not {count} from seed {seed}: use another folder"
            )
        if built["revision"] != git_revision():
            log(f"{folder} was built at revision {built['revision']}, this is {git_revision()}")
        log(f"{count}: reusing the catalogue in {folder} ({built['quads']} quads)")
        store = OxigraphStore(folder / "store")
        return store, folder / f"synthetic-{count}.csv", int(built["quads"])
    folder.mkdir(parents=True, exist_ok=True)
    store, path, quads = build_store(count, seed, folder)
    record_prepared(folder, count, seed, quads)
    return store, path, quads


def add_store_option(parser: argparse.ArgumentParser) -> None:
    """``--store FOLDER``: the benchmark's catalogue is :func:`prepared_store`'s in FOLDER."""
    parser.add_argument(
        "--store",
        type=Path,
        metavar="FOLDER",
        help="serve the catalogue kept in FOLDER (bench_match.py --store), building it first "
        "if it is not there",
    )


def record_prepared(folder: Path, count: int, seed: int, quads: int) -> None:
    """Mark ``folder`` as holding a finished catalogue (written last, so a build cut short
    is never reused)."""
    manifest = {"streams": count, "seed": seed, "quads": quads, "revision": git_revision()}
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def pick(path: Path, count: int) -> dict[str, list[str]]:
    """``count`` queries per direction, spread evenly over the data."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["confidentiality"] == "public"]

    def spread(items: list[str]) -> list[str]:
        if not items:
            return []
        step = max(1, len(items) // count)
        return items[::step][:count]

    elements = [ELEMENT_TEXTS[i % len(ELEMENT_TEXTS)] for i in range(count)]
    return {
        "element": elements,
        "demand": spread([r["identifier"] for r in rows if r["kind"] == "demand"]),
        "supply": spread([r["identifier"] for r in rows if r["kind"] == "supply"]),
    }


def matcher(direction: str) -> Callable[..., Any] | None:
    return {"element": match_element, "demand": match_demand, "supply": match_supply}[direction]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[round(share * 100) - 1]


def time_direction(
    store: RecordingStore, direction: str, queries: list[str], budget: float
) -> dict[str, Any] | None:
    """Whole-match and query-only times (s) per query, with the captured query texts and
    the identifiers each timed match found, in rank order, by query.

    Stops after the query whose warm and timed runs pass ``budget`` seconds in all.
    """
    match = matcher(direction)
    if match is None or not queries:
        return None
    whole: list[float] = []
    query_only: list[float] = []
    captured: list[list[tuple[str, float]]] = []
    found_identifiers: list[tuple[str, list[str]]] = []
    errors = 0
    results = 0
    began = time.perf_counter()
    first_error = None
    for text in queries:
        if (whole or errors) and time.perf_counter() - began > budget:
            break
        try:
            match(store, text, top=10)
        except Exception as error:  # a matcher still being written may fail: count it
            if errors == 0:
                first_error = f"{type(error).__name__}: {' '.join(str(error).split())[:300]}"
                log(f"{direction} {text!r} failed: {first_error}")
            errors += 1
            continue
        store.calls.clear()
        start = time.perf_counter()
        found = match(store, text, top=10)
        whole.append(time.perf_counter() - start)
        results += len(found)
        query_only.append(sum(seconds for _, seconds in store.calls))
        captured.append(list(store.calls))
        found_identifiers.append((text, [result.identifier for result in found]))
        log(f"{direction} {text!r}: {1000 * whole[-1]:.0f} ms")
    return {
        "whole": whole,
        "query_only": query_only,
        "captured": captured,
        "found": found_identifiers,
        "skipped": errors,
        "first_error": first_error,
        "mean_results": results / len(whole) if whole else 0,
    }


def rdflib_graph(store: OxigraphStore, folder: Path) -> tuple[Any, float]:
    """rdflib's memory ``Graph`` of the union of the graphs an anonymous caller sees (the
    dataset every timed match ran over), and the parse time."""
    from rdflib import Graph

    seen = view_for(store, ANONYMOUS).graphs or ()
    data = folder / "union.nt"
    with data.open("wb") as handle:
        pyoxigraph.serialize(
            (
                pyoxigraph.Triple(q.subject, q.predicate, q.object)
                for graph in seen
                for q in store.raw.quads_for_pattern(None, None, None, graph)
            ),
            handle,
            pyoxigraph.RdfFormat.N_TRIPLES,
        )
    start = time.perf_counter()
    graph = Graph()
    graph.parse(data, format="nt")
    return graph, time.perf_counter() - start


def rdflib_times(
    graph: Any,
    captured: list[list[tuple[str, float]]],
    cache: dict[str, float | None],
    budget: float,
) -> tuple[list[float], float, float]:
    """Query-only rdflib time (s) per whole match, each distinct text warmed once then
    timed; and the rdflib and pyoxigraph seconds summed over every text rdflib timed.

    Stops when ``budget`` seconds have passed; a match cut short is left out of the
    per-match times but its finished texts count in the sums. A match with a text rdflib
    cannot evaluate is left out too (rdflib 7 raises ``TypeError`` dividing a double by a
    decimal in ``match/candidates_near.rq``), and logged once per text.
    """
    totals: list[float] = []
    theirs = ours = 0.0
    began = time.perf_counter()
    for calls in captured:
        total = 0.0
        complete = failed = False
        for text, seconds in calls:
            if text not in cache:
                if time.perf_counter() - began > budget:
                    break
                try:
                    list(graph.query(text))
                except Exception as error:  # rdflib's own evaluator failing: no figure
                    log(f"rdflib cannot run a query: {type(error).__name__}: {error}")
                    cache[text] = None
                else:
                    start = time.perf_counter()
                    list(graph.query(text))
                    cache[text] = time.perf_counter() - start
            known = cache[text]
            if known is None:
                failed = True
                continue
            total += known
            theirs += known
            ours += seconds
        else:
            complete = not failed
        if complete:
            totals.append(total)
        elif not failed:
            break
    return totals, theirs, ours


def summary(seconds: list[float]) -> dict[str, float] | None:
    if not seconds:
        return None
    return {
        "p50_ms": round(1000 * percentile(seconds, 0.5), 2),
        "p95_ms": round(1000 * percentile(seconds, 0.95), 2),
    }


def run_size(
    count: int,
    seed: int,
    queries: int,
    rdflib_estimate: dict[str, float],
    budget: float,
    match_budget: float,
    wanted: list[str],
    kept: Path | None = None,
) -> dict:
    with tempfile.TemporaryDirectory(prefix="sidestream-bench-match-") as name:
        folder = Path(name)
        if kept is None:
            store, path, quads = build_store(count, seed, folder)
        else:
            store, path, quads = prepared_store(count, seed, kept)
        recording = RecordingStore(store)
        picked = pick(path, queries)
        directions: dict[str, Any] = {}
        timed: dict[str, dict[str, Any]] = {}
        for direction in DIRECTIONS:
            if direction not in wanted:
                directions[direction] = {"available": False, "skipped_by_option": True}
                continue
            log(f"{count}: timing {direction} ({len(picked[direction])} queries)")
            measured = time_direction(recording, direction, picked[direction], match_budget)
            if measured is None:
                directions[direction] = {"available": False}
                continue
            timed[direction] = measured
            directions[direction] = {
                "available": True,
                "queries": len(measured["whole"]),
                "skipped": measured["skipped"],
                "mean_results": round(measured["mean_results"], 1),
                "selects_per_match": round(
                    statistics.mean(len(c) for c in measured["captured"] or [[]]), 1
                ),
                "sidestream_match": summary(measured["whole"]),
                "sidestream_queries": summary(measured["query_only"]),
            }
        rdflib_parse = None
        if count <= RDFLIB_MAX_STREAMS:
            log(f"{count}: exporting and parsing with rdflib")
            graph, rdflib_parse = rdflib_graph(store, folder)
            log(f"{count}: rdflib parsed {len(graph)} triples in {rdflib_parse:.1f} s")
            rdflib_estimate[str(count)] = rdflib_parse
            cache: dict[str, float | None] = {}
            for direction, measured in timed.items():
                log(f"{count}: rdflib {direction}")
                times, theirs_sum, ours_sum = rdflib_times(
                    graph, measured["captured"], cache, budget
                )
                if ours_sum:
                    directions[direction]["ratio_same_texts"] = round(theirs_sum / ours_sum, 1)
                    directions[direction]["rdflib_texts_seconds"] = round(theirs_sum, 2)
                directions[direction]["rdflib_matches_timed"] = len(times)
                ours = summary(measured["query_only"][: len(times)])
                theirs = summary(times)
                directions[direction]["rdflib_queries"] = theirs
                if ours and theirs:
                    directions[direction]["ratio_p50"] = round(theirs["p50_ms"] / ours["p50_ms"], 1)
                    directions[direction]["ratio_p95"] = round(theirs["p95_ms"] / ours["p95_ms"], 1)
            del graph
        store.close()
    record: dict[str, Any] = {
        "benchmark": "match",
        "revision": git_revision(),
        "machine": platform.node(),
        "python": platform.python_version(),
        "streams": count,
        "seed": seed,
        "quads": quads,
        "directions": directions,
        "rdflib_parse_seconds": round(rdflib_parse, 1) if rdflib_parse is not None else None,
    }
    if rdflib_parse is None:
        record["rdflib_note"] = not_run_note(count, rdflib_estimate)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
    return record


def not_run_note(count: int, estimate: dict[str, float]) -> str:
    if not estimate and RESULTS.exists():
        # Not measured in this run: the largest rdflib parse in earlier runs.
        for line in RESULTS.read_text(encoding="utf-8").splitlines():
            earlier = json.loads(line)
            if earlier.get("rdflib_parse_seconds") and earlier["streams"] >= max(
                map(int, estimate), default=0
            ):
                estimate = {str(earlier["streams"]): earlier["rdflib_parse_seconds"]}
    if not estimate:
        return f"rdflib not run at {count:,}"
    measured = max(estimate, key=int)
    minutes = estimate[measured] * count / int(measured) / 60
    return (
        f"rdflib not run at {count:,} (parse would take about {minutes:.0f} minutes, "
        f"scaled linearly from {int(measured):,} streams)"
    )


def ms(figures: dict[str, float] | None) -> str:
    return "—" if not figures else f"{figures['p50_ms']:.1f} / {figures['p95_ms']:.1f}"


def print_table(records: list[dict]) -> None:
    header = (
        f"{'streams':>8}  {'direction':<9}{'match p50/p95 ms':>20}{'queries p50/p95 ms':>22}"
        f"{'rdflib p50/p95 ms':>24}{'ratio p50/p95':>24}{'same texts':>12}"
    )
    print(header)
    for record in records:
        for direction, figures in record["directions"].items():
            if not figures["available"]:
                why = "not run" if figures.get("skipped_by_option") else "not available"
                print(f"{record['streams']:>8}  {direction:<9}{why:>20}")
                continue
            ratio = (
                f"{figures['ratio_p50']}x / {figures['ratio_p95']}x"
                if "ratio_p50" in figures
                else "—"
            )
            same = f"{figures['ratio_same_texts']}x" if "ratio_same_texts" in figures else "—"
            timed = figures.get("rdflib_matches_timed", figures["queries"])
            if timed < figures["queries"]:
                ratio += f" ({timed} of {figures['queries']})"
            print(
                f"{record['streams']:>8}  {direction:<9}{ms(figures['sidestream_match']):>20}"
                f"{ms(figures['sidestream_queries']):>22}"
                f"{ms(figures.get('rdflib_queries')):>24} {ratio:>23}"
                f"{same:>12}"
            )
        if "rdflib_note" in record:
            print(f"{'':>8}  {record['rdflib_note']}")
    print(
        "match = the whole match call on sidestream (pyoxigraph); queries = only the SELECTs "
        "it sends to the catalogue store, summed per match; rdflib = the same captured query "
        "texts on rdflib's memory Graph (union of the graphs), query time only on both sides; "
        "ratio = rdflib / pyoxigraph on those texts (p50 and p95 of the per-match sums, over "
        "the matches rdflib finished within its budget); same texts = rdflib / pyoxigraph "
        "summed over every query text rdflib finished."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument(
        "--rdflib-budget",
        type=float,
        default=600,
        help="seconds of rdflib queries per direction and size; later matches are left out",
    )
    parser.add_argument("--directions", nargs="+", choices=DIRECTIONS, default=list(DIRECTIONS))
    parser.add_argument(
        "--match-budget",
        type=float,
        default=3600,
        help="seconds of sidestream matching (warm + timed) per direction and size",
    )
    parser.add_argument(
        "--store",
        type=Path,
        metavar="FOLDER",
        help="keep the catalogue in FOLDER and reuse it when it is there (one size only)",
    )
    args = parser.parse_args()
    if args.store is not None and len(args.sizes) != 1:
        parser.error("--store takes one size")
    if match_supply is None:
        log("catalogue.matching.supply is missing: supply direction not available")
    estimate: dict[str, float] = {}
    records = []
    for count in args.sizes:
        records.append(
            run_size(
                count,
                args.seed,
                args.queries,
                estimate,
                args.rdflib_budget,
                args.match_budget,
                args.directions,
                args.store,
            )
        )
        print_table(records[-1:])
    if len(records) > 1:
        print()
        print_table(records)


if __name__ == "__main__":
    main()
