"""The three backends the catalogue and matching tests run on, behind one ``Backend``.

``embedded`` is a pyoxigraph store in a temporary folder; ``oxigraph`` a real Oxigraph
server (PyPI ``oxigraph``, ``tests/oxigraph_server.py``); ``virtuoso`` a real Virtuoso Open
Source (Debian ``virtuoso-opensource``, ``tests/virtuoso_server.py``) with the listed union.
Servers are started on free loopback ports when first needed, one per purpose, and stopped
by their process id when the session ends; without the server installed, the tests that
need it skip with a reason (``start_oxigraph`` / ``start_virtuoso``).

A test that writes gets an empty catalogue (``Backends.fresh``: a new folder, or the
purpose's server cleared). Read-only catalogues (the matching tests' demo) are loaded once
per backend per session (``Backends.shared``), each on a server of its own, so that no
other test's clearing reaches them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from catalogue.cli import main
from catalogue.config import Settings
from catalogue.store import opened_store
from catalogue.store.base import CatalogueStore
from tests.oxigraph_server import Server, start_oxigraph
from tests.virtuoso_server import VirtuosoServer, start_virtuoso

KINDS = ("embedded", "oxigraph", "virtuoso")
REMOTE_KINDS = ("oxigraph", "virtuoso")


@dataclass(frozen=True)
class Backend:
    """Where one catalogue lives: its ``Settings``, the command-line options and the
    environment that point ``sidestream`` at it, and its store."""

    kind: str
    settings: Settings

    @property
    def remote(self) -> bool:
        return self.settings.endpoint is not None

    @property
    def options(self) -> list[str]:
        """The store options of any ``sidestream`` command that works on this catalogue."""
        settings = self.settings
        if settings.endpoint is None:
            return ["--store", str(settings.store)]
        options = ["--endpoint", settings.endpoint]
        if settings.update_endpoint:
            options += ["--update-endpoint", settings.update_endpoint]
        if settings.gsp_endpoint:
            options += ["--gsp-endpoint", settings.gsp_endpoint]
        return options

    @property
    def environment(self) -> dict[str, str]:
        """What the command line reads from the environment only: the way of asking for
        the union of all graphs (``SIDESTREAM_ENDPOINT_UNION`` has no option)."""
        if not self.remote:
            return {}
        return {"SIDESTREAM_ENDPOINT_UNION": self.settings.endpoint_union}

    def opened(self) -> AbstractContextManager[CatalogueStore]:
        """The store for one block, through the production context manager."""
        return opened_store(self.settings)

    def main(self, *args: str) -> int:
        """``sidestream ARGS`` in this process, pointed at this catalogue."""
        with pytest.MonkeyPatch.context() as patch:
            for name, value in self.environment.items():
                patch.setenv(name, value)
            return main([*args, *self.options])


def on_server(kind: str, server: Server | VirtuosoServer) -> Backend:
    """The catalogue on ``server``, with its query, update and Graph Store Protocol URLs.
    Virtuoso's default graph is every graph, its system graphs included: the listed union."""
    settings = Settings(
        endpoint=server.query,
        update_endpoint=server.update,
        gsp_endpoint=server.gsp,
        endpoint_union="listed" if isinstance(server, VirtuosoServer) else "parameter",
    )
    return Backend(kind, settings)


@dataclass
class Backends:
    """The session's servers (one per kind and purpose, started on first use) and the
    read-only catalogues loaded on them."""

    folders: pytest.TempPathFactory
    stack: ExitStack
    servers: dict[tuple[str, str], Server | VirtuosoServer] = field(default_factory=dict)
    loaded: dict[tuple[str, str], Backend] = field(default_factory=dict)

    def server(self, kind: str, purpose: str) -> Server | VirtuosoServer:
        """The ``kind`` server for ``purpose``, started the first time it is asked for."""
        key = (kind, purpose)
        if key not in self.servers:
            folder = self.folders.mktemp(f"{kind}-{purpose}")
            start = {"oxigraph": start_oxigraph, "virtuoso": start_virtuoso}[kind]
            self.servers[key] = self.stack.enter_context(start(folder))
        return self.servers[key]

    def fresh(self, kind: str, folder: Path, purpose: str = "writes") -> Backend:
        """An empty catalogue: a new store in ``folder``, or the purpose's server cleared."""
        if kind == "embedded":
            return Backend(kind, Settings(store=folder / "store"))
        server = self.server(kind, purpose)
        server.clear()
        return on_server(kind, server)

    def shared(self, kind: str, name: str, fill: Callable[[Backend], None]) -> Backend:
        """The read-only catalogue ``name``, filled by ``fill`` once per session on its own
        store or server. Tests must not write to it."""
        key = (kind, name)
        if key not in self.loaded:
            if kind == "embedded":
                backend = Backend(kind, Settings(store=self.folders.mktemp(name) / "store"))
            else:
                backend = on_server(kind, self.server(kind, name))
            fill(backend)
            self.loaded[key] = backend
        return self.loaded[key]


@contextmanager
def session_backends(folders: pytest.TempPathFactory) -> Iterator[Backends]:
    """``Backends`` whose servers are all stopped when the block ends."""
    with ExitStack() as stack:
        yield Backends(folders, stack)
