"""Large writes on a remote store: batches into staging graphs, then one update moves them.

Run on a real Oxigraph server and a real Virtuoso, each through the Graph Store Protocol
and through update requests alone; the sizes are shrunk so that a few dozen quads make
several batches. Killing the server in the middle of a load is tested with the real
publishing path (``load_files``) on both servers.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from catalogue.access import ADMINISTRATOR, ANONYMOUS, view_for
from catalogue.cli import main
from catalogue.config import Settings
from catalogue.demo import demo_file
from catalogue.errors import SidestreamError
from catalogue.export import stream_quads
from catalogue.publish import load_files, submissions
from catalogue.store.base import SubmissionWrite, View
from catalogue.store.remote import STAGING, RemoteStore, staging_run
from tests.oxigraph_server import Server, start_oxigraph
from tests.virtuoso_server import VirtuosoServer, start_virtuoso

A, B, META = (NamedNode(f"urn:test:{name}") for name in ("a", "b", "meta"))
P = NamedNode("urn:test:p")
SUBMISSION = NamedNode("urn:test:submission")
SMALL = {"single_request_quads": 10, "batch_quads": 7, "update_batch_quads": 5}


def shrunk(store: RemoteStore, gsp: bool) -> RemoteStore:
    """``store`` with batch sizes that make a few dozen quads a staged write."""
    return RemoteStore(
        store.endpoint,
        store.update_endpoint,
        store.gsp_endpoint if gsp else None,
        union=store.union,
        **SMALL,  # type: ignore[arg-type]
    )


@pytest.fixture(
    params=["oxigraph-gsp", "oxigraph-update", "virtuoso-gsp", "virtuoso-update"],
)
def staged(request: pytest.FixtureRequest) -> RemoteStore:
    """An empty remote store that stages every write of more than 10 quads."""
    server, protocol = request.param.split("-")
    store = request.getfixturevalue("remote" if server == "oxigraph" else "virtuoso")
    return shrunk(store, gsp=protocol == "gsp")


def content() -> list[Quad]:
    """40 plain quads over two graphs, a blank node spanning both, and one of metadata."""
    shared, inner = BlankNode(), BlankNode()
    quads = [
        Quad(NamedNode(f"urn:test:s{i}"), P, Literal(f"v{i}"), A if i % 2 else B) for i in range(40)
    ]
    quads += [
        Quad(SUBMISSION, P, shared, A),
        Quad(shared, P, Literal("in a"), A),
        Quad(shared, P, Literal("in b"), B),
        Quad(SUBMISSION, P, inner, B),
        Quad(inner, P, Literal("inner"), B),
        Quad(A, P, Literal("meta"), META),
    ]
    return quads


def literals(store: RemoteStore, graphs: tuple[NamedNode, ...] | None = None) -> set[str]:
    view = View(graphs) if graphs else View((A, B, META))
    return {
        row["o"].value
        for row in store.select("SELECT ?o WHERE { ?s ?p ?o FILTER isLiteral(?o) }", view)
    }


def check_landed(store: RemoteStore, seen: list[tuple[int, int]]) -> None:
    """All of ``content()`` is in place, nothing staged is left, progress went up to it."""
    total = len(content())
    assert seen[-1] == (total, total)
    assert len(seen) > 3 and [sent for sent, _ in seen] == sorted(sent for sent, _ in seen)
    assert store.staging_graphs() == []
    assert set(store.named_graphs()) == {A, B, META}
    assert len(list(store.quads())) == total
    assert literals(store) == {f"v{i}" for i in range(40)} | {"in a", "in b", "inner", "meta"}
    # The blank node is one node across graphs and batches, and reads back as a blank node.
    rows = store.select(
        "SELECT ?node WHERE { GRAPH ?a { ?s ?p ?node . ?node ?p 'in a' } "
        "GRAPH ?b { ?node ?p 'in b' } }",
        View((A, B)),
    )
    assert len(rows) == 1 and isinstance(rows[0]["node"], BlankNode)
    inner = store.select("SELECT ?o WHERE { <urn:test:submission> ?p ?n . ?n ?p ?o }", View((B,)))
    assert [row["o"].value for row in inner] == ["inner"]


def test_a_new_submission_goes_to_its_graphs_and_is_registered_last(
    staged: RemoteStore,
) -> None:
    seen: list[tuple[int, int]] = []

    def midway(sent: int, total: int) -> None:
        if not seen:
            # Batches are in the submission's own graphs, but its registration (the
            # metadata every view is built from) is not: no caller sees any of it yet.
            assert list(staged.quads(META)) == []
            assert staged.staging_graphs() == []  # no copy through staging graphs
        seen.append((sent, total))

    staged.write(SubmissionWrite(content(), metadata_graph=META), midway)
    check_landed(staged, seen)


def test_a_replacement_is_staged_and_invisible_until_its_last_step(
    staged: RemoteStore,
) -> None:
    staged.write(SubmissionWrite([Quad(SUBMISSION, P, Literal("old"), A)]))
    seen: list[tuple[int, int]] = []

    def midway(sent: int, total: int) -> None:
        if not seen:
            # A batch is on the server, in staging graphs: callers still see the old one.
            assert staged.staging_graphs()
            assert staged.named_graphs() == [A]
            assert literals(staged) == {"old"}
            assert [q.object.value for q in staged.quads()] == ["old"]
        seen.append((sent, total))

    staged.write(SubmissionWrite(content(), replaces=[A, B], metadata_graph=META), midway)
    assert "old" not in literals(staged)
    check_landed(staged, seen)


@pytest.mark.parametrize("replacing", [True, False], ids=["replacement", "new"])
def test_a_failure_midway_leaves_the_store_as_it_was(staged: RemoteStore, replacing: bool) -> None:
    staged.write(SubmissionWrite([Quad(SUBMISSION, P, Literal("old"), NamedNode("urn:test:c"))]))
    before = sorted(map(str, staged.quads()))
    calls = []

    def fail_at_the_third_batch(sent: int, total: int) -> None:
        calls.append(sent)
        if len(calls) == 3:
            raise RuntimeError("interrupted")

    replaces = [A, B] if replacing else []
    with pytest.raises(RuntimeError, match="interrupted"):
        staged.write(
            SubmissionWrite(content(), replaces=replaces, metadata_graph=META),
            fail_at_the_third_batch,
        )
    assert sorted(map(str, staged.quads())) == before  # what this write sent is dropped
    assert staged.staging_graphs() == []


def test_a_replacing_staged_write_replaces(staged: RemoteStore) -> None:
    staged.write(SubmissionWrite([Quad(SUBMISSION, P, Literal("old"), A)]))
    staged.write(SubmissionWrite(content(), replaces=[A], metadata_graph=META))
    assert "old" not in literals(staged)
    assert len(list(staged.quads())) == len(content())


def test_staging_graphs_left_behind_are_dropped_once_stale(staged: RemoteStore) -> None:
    stale = NamedNode(f"{STAGING}20200101T000000Z:0123456789ab:0")
    fresh = NamedNode(f"{staging_run()}:0")
    staged.add_quads([Quad(SUBMISSION, P, Literal("left"), stale)])
    staged.add_quads([Quad(SUBMISSION, P, Literal("loading"), fresh)])
    assert set(staged.staging_graphs()) == {stale, fresh}
    assert staged.named_graphs() == [] and list(staged.quads()) == []
    staged.write(SubmissionWrite(content(), metadata_graph=META))
    assert staged.staging_graphs() == [fresh]  # another load may still be filling it


# Killing the server in the middle of a load ------------------------------------------


def _oxigraph(folder: Path) -> Callable[[], Iterator[Server | VirtuosoServer]]:
    return lambda: start_oxigraph(folder)  # type: ignore[return-value]


def _virtuoso(folder: Path) -> Callable[[], Iterator[Server | VirtuosoServer]]:
    return lambda: start_virtuoso(folder)  # type: ignore[return-value]


def _catalogue(store: RemoteStore, settings: Settings) -> list[str]:
    """What callers can get: every quad of every graph an administrator's view holds."""
    return sorted(map(str, stream_quads(store, settings, inferred=True, caller=ADMINISTRATOR)))


@pytest.mark.parametrize("replacing", [False, True], ids=["new", "replacement"])
@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_killing_the_server_midway_through_a_load_leaves_no_partial_submission(
    kind: str, replacing: bool, tmp_path: Path
) -> None:
    start = (_oxigraph if kind == "oxigraph" else _virtuoso)(tmp_path)
    union = "parameter" if kind == "oxigraph" else "listed"
    # The demo under a name of our own, so a changed copy can replace it.
    demo = tmp_path / "demo.csv"
    demo.write_bytes(demo_file().read_bytes())

    def opened(server: Server | VirtuosoServer) -> tuple[RemoteStore, Settings]:
        store = RemoteStore(
            server.query,
            server.update,
            server.gsp,
            union=union,  # type: ignore[arg-type]
            single_request_quads=100,
            batch_quads=250,
        )
        settings = Settings(endpoint=server.query, update_endpoint=server.update)
        return store, settings

    with start() as server:
        store, settings = opened(server)
        before: list[str] = []
        if replacing:
            load_files([demo], store, settings, publisher="test")
            before = _catalogue(store, settings)
            text = demo.read_text(encoding="utf-8")
            demo.write_text(
                text.replace("Reject water from sludge dewatering", "Reject water (changed)"),
                encoding="utf-8",
            )
        batches: list[int] = []

        def kill_after_the_third_batch(sent: int, total: int) -> None:
            batches.append(sent)
            if len(batches) == 3:
                os.kill(server.pid, signal.SIGKILL)
                os.waitpid(server.pid, 0)

        with pytest.raises(SidestreamError):
            load_files(
                [demo],
                store,
                settings,
                publisher="test",
                replace=replacing,
                write_progress=kill_after_the_third_batch,
            )
        assert len(batches) == 3

    with start() as server:
        store, settings = opened(server)
        # Three batches reached the disk (in the new submission's own graphs, or in staging
        # graphs for a replacement), but callers see exactly what they saw before the load.
        if replacing:
            assert store.staging_graphs()
        else:
            assert list(store.quads())  # unregistered: none of it reaches a caller
        assert _catalogue(store, settings) == before
        listed = submissions(store)
        assert [row["streams"] for row in listed] == (["75"] if replacing else [])
        if not replacing:
            for caller in (ANONYMOUS, ADMINISTRATOR):
                assert view_for(store, caller).graphs == ()
        # Loading again drops what the interrupted load left and loads the file whole.
        result = load_files([demo], store, settings, publisher="test", replace=replacing)
        assert [s.streams for s in result.submissions] == [75]
        after = _catalogue(store, settings)
        assert after != before and any("Reject water" in quad for quad in after)
        assert any("(changed)" in quad for quad in after) == replacing


def test_the_command_line_draws_a_bar_while_a_load_is_staged(
    remote: RemoteStore, oxigraph_server: Server, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("SIDESTREAM_ENDPOINT_SINGLE_REQUEST_QUADS", "100")
    monkeypatch.setenv("SIDESTREAM_ENDPOINT_BATCH_QUADS", "500")
    server = oxigraph_server
    endpoints = ["--endpoint", server.query, "--update-endpoint", server.update]
    # the demo's 2020 report alone: one submission (``--demo`` loads every reporting round)
    assert main(["load", str(demo_file()), *endpoints, "--gsp-endpoint", server.gsp]) == 0
    err = capsys.readouterr().err
    bar = [line for line in err.replace("\r", "\n").splitlines() if "writing:" in line]
    assert bar and "100%" in bar[-1] and "quads" in bar[-1]
    assert [row["streams"] for row in submissions(remote)] == ["75"]
