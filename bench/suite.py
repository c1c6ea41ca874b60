"""The performance suite: every benchmark at one size, and the goals each figure is held to.

``python bench/suite.py --streams 100000`` (options below; ``--streams 1000`` for a quick run)

Runs, each in its own process so memory is returned between them, on the same seeded
synthetic catalogue (``datasets.py``), built once: the store the validated load leaves
(``bench_load.py --keep``) is the one matching and the service are measured on
(``--store``):

1. ``bench_load.py``: validated load against pyoxigraph's raw bulk load and pySHACL (the
   pySHACL baseline stops at ``--baseline-budget`` and then gives a lower bound);
2. ``bench_match.py``: element-first (CRM), demand-first and supply-first matching against
   rdflib's memory store on the same query texts (``--rdflib-budget`` per direction);
3. ``bench_api.py``: requests/s and latency of ``GET /streams/{id}``, a SPARQL point query
   and ``/match`` with 8 clients, ``sidestream serve --demo``'s start time, and the
   resident memory of the service with its SPARQL workers.

Then prints one table of the issue's goals, each met or not met, and appends it as one
JSON line to ``suite.jsonl`` in the results folder (``bench/results/`` or
``$SIDESTREAM_BENCH_RESULTS``). Figures, not pass/fail: the exit status says only whether
every benchmark ran.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from records import results_folder
from revision import git_revision

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Goal:
    """One figure the issue sets, read from a benchmark's record."""

    name: str
    benchmark: str
    read: Callable[[dict[str, Any]], float | None]
    target: float
    at_least: bool
    """True: the figure must reach ``target``; False: it must stay at or below it."""
    unit: str
    basis: Callable[[dict[str, Any]], str | None] = lambda record: None
    """How the figure was had, where it was not simply measured (``estimated``...)."""

    def judge(self, record: dict[str, Any] | None) -> dict[str, Any]:
        value = None if record is None else self.read(record)
        met = None
        if value is not None:
            met = value >= self.target if self.at_least else value <= self.target
        return {
            "goal": self.name,
            "value": value,
            "target": self.target,
            "at_least": self.at_least,
            "unit": self.unit,
            "met": met,
            "basis": None if record is None or value is None else self.basis(record),
        }


def _match(direction: str, figure: str) -> Callable[[dict[str, Any]], float | None]:
    def read(record: dict[str, Any]) -> float | None:
        found = record["directions"].get(direction, {})
        if figure.startswith("ratio"):
            return found.get(figure)
        return (found.get("sidestream_match") or {}).get(figure)

    return read


def _api(scenario: str, figure: str) -> Callable[[dict[str, Any]], float | None]:
    return lambda record: record["figures"].get(scenario, {}).get(figure)


def _speedup(record: dict[str, Any]) -> float | None:
    """The measured speed-up; else a lower bound (pySHACL stopped at its budget) when it
    already reaches the goal, since a bound below it says nothing; else the estimate from
    pySHACL on a sample (``bench_load.py --baseline-sample``)."""
    measured = record.get("speedup_over_pyshacl")
    if measured is not None:
        return float(measured)
    bound = record.get("speedup_over_pyshacl_at_least")
    if bound is not None and bound >= SPEEDUP_GOAL:
        return float(bound)
    estimated = record.get("speedup_over_pyshacl_estimated")
    return float(estimated) if estimated is not None else None


def _speedup_basis(record: dict[str, Any]) -> str | None:
    if record.get("speedup_over_pyshacl") is not None:
        return None
    bound = record.get("speedup_over_pyshacl_at_least")
    if bound is not None and bound >= SPEEDUP_GOAL:
        return "lower bound"
    sample = (record.get("pyshacl_estimate") or {}).get("sample_streams")
    return f"estimated from {sample} streams" if sample else None


SPEEDUP_GOAL = 10


GOALS = [
    Goal("validated load", "load", lambda r: r["streams_per_second"], 2000, True, "streams/s"),
    Goal("share of raw bulk-load rate", "load", lambda r: r["share_of_raw_rate"], 0.25, True, ""),
    Goal(
        "speed-up over pySHACL + rdflib", "load", _speedup, SPEEDUP_GOAL, True, "x", _speedup_basis
    ),
    Goal("demand-first match p95", "match", _match("demand", "p95_ms"), 100, False, "ms"),
    Goal("element (CRM) match p95", "match", _match("element", "p95_ms"), 100, False, "ms"),
    Goal("demand-first vs rdflib (p50)", "match", _match("demand", "ratio_p50"), 50, True, "x"),
    Goal("element vs rdflib (p50)", "match", _match("element", "ratio_p50"), 50, True, "x"),
    Goal("GET /streams/{id}", "api", _api("stream", "rps"), 500, True, "req/s"),
    Goal("GET /streams/{id} p99", "api", _api("stream", "p99_ms"), 50, False, "ms"),
    Goal("SPARQL point query", "api", _api("sparql", "rps"), 300, True, "req/s"),
    Goal("SPARQL point query p99", "api", _api("sparql", "p99_ms"), 50, False, "ms"),
    Goal("serve --demo answers", "api", lambda r: r["demo_ready_s"], 3, False, "s"),
    Goal(
        "service resident memory",
        "api",
        lambda r: (r.get("service_memory") or {}).get("rss_mb"),
        4096,
        False,
        "MB",
    ),
]


def run(script: str, arguments: list[str]) -> tuple[dict[str, Any] | None, float]:
    """Run one benchmark; its new JSON line (None if it failed) and its wall time."""
    results = results_folder() / f"{script.removeprefix('bench_')}.jsonl"
    before = results.read_text(encoding="utf-8").count("\n") if results.exists() else 0
    print(f"== {script} {' '.join(arguments)}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    finished = subprocess.run([sys.executable, str(HERE / f"{script}.py"), *arguments])
    seconds = time.perf_counter() - started
    if finished.returncode != 0 or not results.exists():
        return None, seconds
    lines = results.read_text(encoding="utf-8").splitlines()
    return (json.loads(lines[-1]) if len(lines) > before else None), seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", type=int, default=10, help="matches timed per direction")
    parser.add_argument("--seconds", type=float, default=10, help="per HTTP scenario")
    parser.add_argument(
        "--baseline-budget",
        type=float,
        default=300,
        help="pySHACL on the whole catalogue, seconds (with --baseline-sample 0)",
    )
    parser.add_argument(
        "--baseline-sample",
        type=int,
        default=50,
        help="time pySHACL on this many of the streams and extrapolate (0: on all of them, "
        "within --baseline-budget); the default keeps the suite within its time at 100,000",
    )
    parser.add_argument("--rdflib-budget", type=float, default=120, help="per direction")
    parser.add_argument("--match-budget", type=float, default=300, help="per direction")
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="FOLDER",
        help="keep the built catalogue in FOLDER (empty or absent) for more runs with "
        "bench_match.py or bench_api.py --store FOLDER",
    )
    args = parser.parse_args()

    size, seed = str(args.streams), str(args.seed)
    started = time.perf_counter()
    records: dict[str, dict[str, Any] | None] = {}
    seconds: dict[str, float] = {}
    # One catalogue for all three: the store bench_load's validated load leaves is the one
    # matching and the service are measured on (a build costs minutes at 100,000 streams).
    with tempfile.TemporaryDirectory(prefix="sidestream-suite-") as name:
        kept = str(args.keep or Path(name) / "catalogue")
        records["load"], seconds["load"] = run(
            "bench_load",
            [
                "--streams", size, "--seed", seed, "--keep", kept,
                *(
                    ["--baseline-sample", str(args.baseline_sample)] if args.baseline_sample
                    else ["--baseline-budget", str(args.baseline_budget)]
                ),
            ],
        )  # fmt: skip
        records["match"], seconds["match"] = run(
            "bench_match",
            [
                "--sizes", size, "--seed", seed, "--queries", str(args.queries), "--rdflib-budget",
                str(args.rdflib_budget), "--match-budget", str(args.match_budget), "--store", kept,
            ],
        )  # fmt: skip
        records["api"], seconds["api"] = run(
            "bench_api",
            ["--streams", size, "--seed", seed, "--seconds", str(args.seconds), "--store", kept],
        )
    verdicts = [goal.judge(records[goal.benchmark]) for goal in GOALS]

    print(f"\n{'goal at ' + size + ' streams':<36}{'measured':>14}{'target':>14}  verdict")
    for verdict in verdicts:
        value = "no figure" if verdict["value"] is None else f"{verdict['value']:,.2f}"
        bound = ">=" if verdict["at_least"] else "<="
        target = f"{bound} {verdict['target']:,g} {verdict['unit']}".rstrip()
        met = {True: "met", False: "NOT met", None: "-"}[verdict["met"]]
        basis = f" ({verdict['basis']})" if verdict["basis"] else ""
        print(f"{verdict['goal']:<36}{value:>14}{target:>14}  {met}{basis}")
    total = time.perf_counter() - started
    print(
        "wall time: "
        + ", ".join(f"{name} {value / 60:.1f} min" for name, value in seconds.items())
        + f"; suite {total / 60:.1f} min"
    )
    record = {
        "benchmark": "suite",
        "revision": git_revision(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": f"{os.uname().machine} {os.cpu_count()} cpus",
        "streams": args.streams,
        "seed": args.seed,
        "minutes": {name: round(value / 60, 2) for name, value in seconds.items()},
        "goals": verdicts,
        "records": records,
    }
    with (results_folder() / "suite.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
    return 0 if all(value is not None for value in records.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
