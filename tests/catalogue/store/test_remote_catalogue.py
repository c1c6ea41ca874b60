"""The same catalogue, byte for byte, on every backend; the settings that choose one.

The catalogue, publishing, access and matching tests themselves run on each backend
(``tests/backends.py``); here the installed ``sidestream`` command loads and matches the
demo on the embedded store and on each server, and must print the same answers, and every
kind of literal the catalogue writes must read back as it was written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from catalogue.config import Settings
from catalogue.store import opened_store
from catalogue.store.base import SubmissionWrite
from catalogue.store.oxigraph import OxigraphStore
from catalogue.store.remote import RemoteStore
from tests.backends import REMOTE_KINDS, Backend, Backends
from tests.oxigraph_server import Server

MATCH = ["match", "--demand", "lindum-sor-neutralising-agent", "--json"]
SUBMISSIONS = ["submissions", "--json"]
EXPORT = ["export", "--format", "ttl"]

XSD = "http://www.w3.org/2001/XMLSchema#"
WKT = NamedNode("http://www.opengis.net/ont/geosparql#wktLiteral")
LITERALS = [
    # Every datatype in the demo catalogue, in the lexical forms the catalogue writes.
    Literal("true", datatype=NamedNode(XSD + "boolean")),
    Literal("false", datatype=NamedNode(XSD + "boolean")),
    Literal("75", datatype=NamedNode(XSD + "integer")),
    Literal("400", datatype=NamedNode(XSD + "decimal")),
    Literal("0.0125", datatype=NamedNode(XSD + "decimal")),
    Literal("2026-11-24T02:41:11Z", datatype=NamedNode(XSD + "dateTime")),
    Literal("POINT(11.11 59.28)", datatype=WKT),
    Literal("POINT(10.95 59.2)", datatype=WKT),  # the demo's "59.20", as to_rdf writes it
    Literal("Fly ash", language="en"),
    Literal("plain"),
]


def sidestream(backend: Backend, *args: str) -> str:
    """``sidestream ARGS`` run as a user runs it (from PATH, a fresh process) on ``backend``."""
    executable = shutil.which("sidestream")
    assert executable, "`sidestream` is not on PATH"
    result = subprocess.run(
        [executable, *args, *backend.options],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, **backend.environment},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def without_time(listing: str) -> list[dict[str, str]]:
    return [{k: v for k, v in row.items() if k != "time"} for row in json.loads(listing)]


@pytest.fixture(scope="module")
def embedded_answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The demo's answers on the embedded store, to compare every server's with."""
    backend = Backend("embedded", Settings(store=tmp_path_factory.mktemp("embedded") / "store"))
    sidestream(backend, "load", "--demo", "--by", "demo")
    return {
        "match": sidestream(backend, *MATCH),
        "submissions": sidestream(backend, *SUBMISSIONS),
        "export": sidestream(backend, *EXPORT),
    }


@pytest.mark.parametrize("kind", REMOTE_KINDS)
def test_demo_load_match_and_export_are_the_same_on_a_server(
    backends: Backends, kind: str, tmp_path: Path, embedded_answers: dict[str, str]
) -> None:
    backend = backends.fresh(kind, tmp_path)
    sidestream(backend, "load", "--demo", "--by", "demo")
    match = sidestream(backend, *MATCH)
    assert '"identifier"' in match, "the demo demand has matches"
    assert match == embedded_answers["match"]
    # the demo's rounds load within a second or two: submissions loaded in the same second
    # are listed by name, so compare them in one order
    listed = sorted(without_time(sidestream(backend, *SUBMISSIONS)), key=str)
    assert listed == sorted(without_time(embedded_answers["submissions"]), key=str)
    # every reporting round of the demo, each file a submission
    assert sorted(row["source"] for row in listed) == [
        "deposits.csv",
        "exchanges.csv",
        "prosess21-demo-2021.csv",
        "prosess21-demo.csv",
    ]
    assert sidestream(backend, *EXPORT) == embedded_answers["export"]


def test_every_kind_of_literal_the_catalogue_writes_reads_back_as_written(
    backend: Backend,
) -> None:
    graph, subject = NamedNode("urn:test:graph"), NamedNode("urn:test:subject")
    written = [
        Quad(subject, NamedNode(f"urn:test:p{index}"), literal, graph)
        for index, literal in enumerate(LITERALS)
    ]
    with backend.opened() as store:
        store.write(SubmissionWrite(written))
        read = {quad.predicate.value: str(quad.object) for quad in store.quads()}
    assert read == {quad.predicate.value: str(quad.object) for quad in written}


def test_settings_choose_the_remote_store(oxigraph_server: Server, tmp_path: Path) -> None:
    settings = Settings(
        store=tmp_path / "unused",
        endpoint=oxigraph_server.query,
        update_endpoint=oxigraph_server.update,
        endpoint_user="reader",
        endpoint_password="secret",
        endpoint_union="listed",
    )
    with opened_store(settings) as store:
        assert isinstance(store, RemoteStore)
        assert (store.endpoint, store.update_endpoint) == (
            oxigraph_server.query,
            oxigraph_server.update,
        )
        assert (store.user, store.password, store.union) == ("reader", "secret", "listed")
    with opened_store(Settings(store=tmp_path / "store")) as store:
        assert isinstance(store, OxigraphStore)
    assert not (tmp_path / "unused").exists(), "a remote store leaves the folder alone"
