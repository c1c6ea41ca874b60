"""A template of more than ``load_chunk_streams`` rows is validated, then mapped, materialised
and written a chunk at a time, so that a load's memory is one chunk's statements: the
catalogue it leaves, the problems it reports and its all-or-nothing promise are those of the
whole file loaded at once. Writing tests run on every backend (``tests/backends.py``).
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pyoxigraph import Quad

import catalogue.publish
from catalogue.config import Settings
from catalogue.errors import SubmissionRejected
from catalogue.inference import LEADING, LEADING_HOLDING
from catalogue.publish import load_files, prepare_file
from catalogue.report import Severity
from catalogue.store.oxigraph import OxigraphStore
from tests.backends import Backend

sys.path.insert(0, str(Path(__file__).parents[2] / "bench"))
from datasets import write as write_dataset

STREAMS = 450
CHUNK = 100
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
INFERRED = Settings().data_base + "submission/streams/inferred"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("chunked") / "streams.csv", STREAMS, 3)


def chunked(settings: Settings, workers: int = 1) -> Settings:
    """Chunks of ``CHUNK`` streams, mapped and validated in this process or in ``workers``."""
    return settings.model_copy(update={"load_chunk_streams": CHUNK, "load_workers": workers})


def by_graph(quads: list[Quad]) -> dict[str, set[Quad]]:
    graphs: dict[str, set[Quad]] = defaultdict(set)
    for quad in quads:
        graphs[quad.graph_name.value].add(quad)
    return dict(graphs)


def whole_load(template: Path) -> dict[str, set[Quad]]:
    store = OxigraphStore()
    load_files([template], store, Settings(), publisher="test", now=NOW)
    return by_graph(list(store.quads()))


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_the_template_spans_chunks_and_levels_that_only_the_whole_file_decides(
    template: Path,
) -> None:
    """What makes the next test worth its name: organisations whose streams sit in several
    chunks at several levels, so a chunk alone would put them in the wrong graph."""
    levels: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for number, row in enumerate(rows_of(template)):
        levels[row["organisation"]].add((number // CHUNK, row["confidentiality"]))
    spread = [
        name
        for name, seen in levels.items()
        if len({chunk for chunk, _ in seen}) > 1 and len({level for _, level in seen}) > 1
    ]
    assert spread
    assert STREAMS > 4 * CHUNK


def test_a_chunked_load_stores_what_the_whole_file_at_once_stores(
    backend: Backend, template: Path
) -> None:
    with backend.opened() as store:
        load_files([template], store, chunked(backend.settings), publisher="test", now=NOW)
        stored = by_graph(list(store.quads()))
    whole = whole_load(template)
    assert stored.keys() == whole.keys()
    for graph, quads in whole.items():
        # the leading holders of an element too: listed once from every chunk's keys
        assert stored[graph] == quads, graph
    leading = [q for q in whole[INFERRED] if q.predicate == LEADING_HOLDING]
    # more holders of some element than one chunk has, so a chunk's own first hundred differ
    assert max(Counter(q.subject for q in leading).values()) == LEADING


def report(path: Path, settings: Settings) -> list[tuple]:
    problems = prepare_file(path, settings).problems
    return sorted(
        (p.row or 0, p.column or "", p.rule, p.severity.value, p.message["en"]) for p in problems
    )


def violations(report: list[tuple]) -> set[tuple[int, str]]:
    return {(row, column) for row, column, _, severity, _ in report if severity == "violation"}


def test_a_chunked_file_reports_the_shape_violations_the_whole_file_reports(
    template: Path, tmp_path: Path
) -> None:
    rows = rows_of(template)
    rows[40]["quantity"] = "-5"  # chunk 1
    rows[330]["latitude"] = "95"  # chunk 4
    bad = write_rows(tmp_path / "shapes.csv", rows)
    whole = report(bad, Settings())
    assert report(bad, chunked(Settings(), workers=2)) == whole
    # spreadsheet rows: the header is row 1
    assert {(42, "quantity"), (332, "latitude")} <= violations(whole)


def test_a_chunked_file_reports_the_mapping_violations_the_whole_file_reports(
    template: Path, tmp_path: Path
) -> None:
    rows = rows_of(template)
    rows[40]["quantity"] = "-5"  # a shape violation: not checked past a mapping one
    rows[250]["unit"] = "furlongs"  # chunk 3
    rows[420]["identifier"] = rows[7]["identifier"]  # chunk 5 repeats chunk 1
    bad = write_rows(tmp_path / "mapping.csv", rows)
    whole = report(bad, Settings())
    assert report(bad, chunked(Settings(), workers=2)) == whole
    assert violations(whole) == {(252, "unit"), (422, "identifier")}
    duplicate = [m for _, _, rule, _, m in whole if rule == "ingest:identifier-unique"]
    assert duplicate and "row 9" in duplicate[0]


def test_a_load_that_fails_while_its_chunks_are_written_leaves_the_catalogue_as_it_was(
    backend: Backend, template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with backend.opened() as store:
        before = sorted(map(str, store.quads()))
        written = 0
        materialise = catalogue.publish.materialise

        def failing_on_the_third_chunk(*args, **kwargs):  # type: ignore[no-untyped-def]
            nonlocal written
            written += 1
            if written == 7:  # a chunk has up to three levels, each materialised apart
                raise RuntimeError("the disk is full")
            return materialise(*args, **kwargs)

        monkeypatch.setattr(catalogue.publish, "materialise", failing_on_the_third_chunk)
        with pytest.raises(RuntimeError, match="disk is full"):
            load_files([template], store, chunked(backend.settings), publisher="test")
        assert written == 7
        assert sorted(map(str, store.quads())) == before
        monkeypatch.setattr(catalogue.publish, "materialise", materialise)
        result = load_files([template], store, chunked(backend.settings), publisher="test")
        assert [s.streams for s in result.submissions] == [STREAMS]


def test_a_large_file_is_loaded_on_its_own(template: Path, tmp_path: Path) -> None:
    rows = rows_of(template)[:3]
    for number, row in enumerate(rows):
        row["identifier"] = f"other-{number}"
    small = write_rows(tmp_path / "small.csv", rows)
    store = OxigraphStore()
    with pytest.raises(SubmissionRejected) as rejected:
        load_files([template, small], store, chunked(Settings()), publisher="test")
    (problem,) = [p for p in rejected.value.report.problems if p.severity is Severity.VIOLATION]
    assert problem.file == "streams.csv" and "on its own" in problem.message["en"]
    assert list(store.quads()) == []


def test_replacing_a_chunked_file_replaces_it_whole(template: Path, tmp_path: Path) -> None:
    rows = rows_of(template)
    store = OxigraphStore()
    load_files([template], store, chunked(Settings()), publisher="test", now=NOW)
    rows[5]["name"] = "Renamed slag"
    changed = write_rows(tmp_path / "streams.csv", rows)
    result = load_files(
        [changed], store, chunked(Settings()), publisher="test", replace=True, now=NOW
    )
    assert [s.status for s in result.submissions] == ["replaced"]
    replaced = by_graph(list(store.quads()))
    assert replaced == whole_load(changed)


def test_the_command_line_shows_a_chunked_load_streams_by_streams(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from catalogue.cli import main

    monkeypatch.setenv("SIDESTREAM_LOAD_CHUNK_STREAMS", str(CHUNK))
    assert main(["load", str(template), "--store", str(tmp_path / "store")]) == 0
    err = capsys.readouterr().err
    assert f"validating streams, {STREAMS} of {STREAMS} done" in err
    bar = [line for line in err.replace("\r", "\n").splitlines() if "writing:" in line]
    assert bar and "100%" in bar[-1] and f"{STREAMS}/{STREAMS}" in bar[-1]
    assert "streams" in bar[-1]


def children_of(pid: int) -> set[int]:
    """Process ids whose parent is ``pid`` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def test_the_workers_of_a_killed_load_stop_too(template: Path, tmp_path: Path) -> None:
    """SIGKILL cannot reach a load's workers; they notice their parent is gone and exit
    instead of waiting for work for ever."""
    environment = {
        **os.environ,
        "SIDESTREAM_LOAD_CHUNK_STREAMS": "20",
        "SIDESTREAM_LOAD_WORKERS": "2",
    }
    store = str(tmp_path / "store")
    load = subprocess.Popen(
        [sys.executable, "-m", "catalogue.cli", "load", str(template), "--store", store],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        workers: set[int] = set()
        while time.monotonic() < deadline and load.poll() is None:
            # the pool's workers (spawned after the resource tracker, also a child)
            workers = children_of(load.pid)
            if len(workers) >= 3:
                break
            time.sleep(0.2)
        assert len(workers) >= 3, "the load never started its workers"
        time.sleep(1)  # let them take work
    finally:
        os.kill(load.pid, signal.SIGKILL)
        load.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(Path(f"/proc/{w}").exists() for w in workers):
        time.sleep(0.2)
    left = [w for w in workers if Path(f"/proc/{w}").exists()]
    for pid in left:  # never leave them running, whatever the test says
        os.kill(pid, signal.SIGKILL)
    assert not left
