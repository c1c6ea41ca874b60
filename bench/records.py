"""Where the benchmarks append their JSON lines: ``bench/results/`` or, for runs that should
not touch the repository (the test suite's smoke run), ``$SIDESTREAM_BENCH_RESULTS``."""

from __future__ import annotations

import os
from pathlib import Path


def results_folder() -> Path:
    folder = Path(os.environ.get("SIDESTREAM_BENCH_RESULTS") or Path(__file__).parent / "results")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
