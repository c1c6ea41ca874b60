"""The catalogue unchanged on a remote store: the command line, publishing and access.

The demo is loaded and matched through ``sidestream`` on the embedded store and on a real
Oxigraph server, and must give the same answers; the confidentiality tests of
``tests/catalogue/test_access.py`` run again, with its template, on the remote store.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from catalogue.access import ADMINISTRATOR, ANONYMOUS
from catalogue.config import Settings
from catalogue.publish import load_files, withdraw
from catalogue.store import opened_store
from catalogue.store.oxigraph import OxigraphStore
from catalogue.store.remote import RemoteStore

from .conftest import Server


def _test_access() -> ModuleType:
    """tests/catalogue/test_access.py itself, for its template and its checks."""
    path = Path(__file__).parents[1] / "test_access.py"
    spec = importlib.util.spec_from_file_location("_access_tests", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


access = _test_access()


def same_parameters(test: Any) -> pytest.MarkDecorator:
    """The parametrisation ``test`` has in test_access.py."""
    mark = next(mark for mark in test.pytestmark if mark.name == "parametrize")
    return pytest.mark.parametrize(*mark.args)


def sidestream(*args: str) -> str:
    executable = shutil.which("sidestream")
    assert executable, "`sidestream` is not on PATH"
    result = subprocess.run(
        [executable, *args], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_demo_load_and_match_are_the_same_remotely(
    oxigraph_server: Server, remote: RemoteStore, tmp_path: Path
) -> None:
    embedded = ["--store", str(tmp_path / "store")]
    endpoints = ["--endpoint", oxigraph_server.query, "--update-endpoint", oxigraph_server.update]
    for where in (embedded, endpoints):
        sidestream("load", "--demo", "--by", "demo", *where)
    match = ["match", "--demand", "lindum-sor-neutralising-agent", "--json"]
    here = sidestream(*match, *embedded)
    there = sidestream(*match, *endpoints)
    assert here == there
    assert '"identifier"' in there, "the demo demand has matches"
    listed = [
        [{k: v for k, v in row.items() if k != "time"} for row in json.loads(text)]
        for text in (sidestream("submissions", "--json", *where) for where in (embedded, endpoints))
    ]
    assert listed[0] == listed[1]
    assert [row["streams"] for row in listed[1]] == ["75"]
    exports = [sidestream("export", "--format", "ttl", *where) for where in (embedded, endpoints)]
    assert exports[0] == exports[1]


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


@pytest.fixture
def store(remote: RemoteStore, tmp_path: Path) -> RemoteStore:
    """test_access.py's catalogue, published to the remote store."""
    source = tmp_path / "streams.csv"
    source.write_text(access.TEMPLATE, encoding="utf-8")
    load_files([source], remote, Settings(store=tmp_path / "unused"), publisher="Shared Smelter AS")
    return remote


@same_parameters(access.test_each_caller_sees_exactly_its_levels)
def test_each_caller_sees_exactly_its_levels(
    store: RemoteStore, caller: Any, expected: Any
) -> None:
    access.test_each_caller_sees_exactly_its_levels(store, caller, expected)


@same_parameters(access.test_naming_a_hidden_graph_reaches_nothing_hidden)
def test_naming_a_hidden_graph_reaches_nothing_hidden(store: RemoteStore, query: str) -> None:
    access.test_naming_a_hidden_graph_reaches_nothing_hidden(store, query)


def test_each_level_has_its_graph_and_inferences(store: RemoteStore) -> None:
    access.test_each_level_has_its_graph_and_inferences(store)


def test_the_organisation_shows_with_its_most_open_stream(store: RemoteStore) -> None:
    access.test_the_organisation_shows_with_its_most_open_stream(store)


def test_the_site_of_a_confidential_stream_stays_hidden(store: RemoteStore) -> None:
    access.test_the_site_of_a_confidential_stream_stays_hidden(store)


def test_withdrawal_removes_every_level(store: RemoteStore, tmp_path: Path) -> None:
    access.test_withdrawal_removes_every_level(store, tmp_path)


def test_reloading_the_same_file_replaces_it(store: RemoteStore, tmp_path: Path) -> None:
    settings = Settings(store=tmp_path / "unused")
    source = tmp_path / "streams.csv"
    source.write_text(access.TEMPLATE.replace("Plant A", "Plant C"), encoding="utf-8")
    graphs = set(store.named_graphs())
    result = load_files([source], store, settings, publisher="Shared Smelter AS", replace=True)
    assert [s.status for s in result.submissions] == ["replaced"]
    assert set(store.named_graphs()) == graphs
    assert access.seen_levels(access.names(store, ANONYMOUS)) == {access.Level.PUBLIC}
    query = """PREFIX ss: <https://w3id.org/sidestream/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?name WHERE { ?site a ss:Site ; rdfs:label ?name }"""
    assert access.names(store, ADMINISTRATOR, query) == {"Plant C", "Plant B"}
    assert withdraw(store, settings, "streams")
