"""A real Virtuoso Open Source (Debian's ``virtuoso-opensource``) on free loopback ports.

Started in a given folder with its own ``virtuoso.ini`` (database, SQL port, HTTP port all
there) and stopped by its process id; ``start_virtuoso`` skips the calling tests with a
reason when ``virtuoso-t`` is not installed. For the test instance only, the anonymous
``SPARQL`` user is granted ``SPARQL_UPDATE`` through ``isql``: a production server keeps
updates behind authentication instead (docs/remote-stores.md).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from catalogue.store.remote import RemoteStore
from tests.oxigraph_server import free_port, stop_process

# The server's default cap, kept so the tests meet the quirk operators meet.
ROW_CAP = 10_000

INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = {folder}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}
CaseMode = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {row_cap}
MaxQueryExecutionTime = {query_seconds}
"""


@dataclass(frozen=True)
class VirtuosoServer:
    """Virtuoso takes queries and updates at one URL, ``/sparql``; ``sql`` is its isql port."""

    query: str
    sql: int
    isql_command: str
    pid: int = 0
    """The server's process id (for tests that kill it)."""

    @property
    def update(self) -> str:
        return self.query

    @property
    def gsp(self) -> str:
        """Its Graph Store Protocol URL (open to anonymous writes on the test instance)."""
        return self.query.removesuffix("/sparql") + "/sparql-graph-crud"

    def store(self) -> RemoteStore:
        # Virtuoso's default graph is every graph, its own system graphs included, and it
        # ignores union-default-graph: the listed union is the one that fits.
        return RemoteStore(self.query, gsp_endpoint=self.gsp, union="listed")

    def isql(self, statements: str) -> None:
        """Run SQL as ``dba`` (the fresh database's default password; loopback only)."""
        subprocess.run(
            [self.isql_command, f"127.0.0.1:{self.sql}", "dba", "dba", f"exec={statements}"],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def clear(self) -> None:
        """Every test starts on an empty dataset. ``DROP ALL`` would drop Virtuoso's own
        system graphs too, so the catalogue's graphs are dropped one by one."""
        store = self.store()
        graphs = store.named_graphs() + store.staging_graphs()
        if graphs:
            update = " ; ".join(f"DROP SILENT GRAPH <{graph.value}>" for graph in graphs)
            httpx.post(self.query, data={"update": update}, timeout=60).raise_for_status()


@contextmanager
def start_virtuoso(
    folder: Path, *, row_cap: int = ROW_CAP, buffers: int = 10_000, query_seconds: int = 60
) -> Iterator[VirtuosoServer]:
    """A Virtuoso keeping its database in ``folder``, SPARQL update open for the tests.

    ``row_cap`` is its ``ResultSetMaxRows``; ``buffers`` its ``NumberOfBuffers`` (8 KB
    pages; Virtuoso's guidance is about 85,000 per GB of RAM given to it), with
    ``MaxDirtyBuffers`` at 60 % of them; ``query_seconds`` its ``MaxQueryExecutionTime``.
    The defaults are the tests' small instance.
    """
    executable, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if executable is None or isql is None:
        pytest.skip(
            "Virtuoso is not installed (apt-get install virtuoso-opensource: virtuoso-t, "
            "isql-vt); .ci/run installs it"
        )
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(
        INI.format(
            folder=folder,
            sql_port=sql_port,
            http_port=http_port,
            row_cap=row_cap,
            query_seconds=query_seconds,
            buffers=buffers,
            dirty_buffers=buffers * 6 // 10,
        )
    )
    log = folder / "server.log"
    process = subprocess.Popen(
        [executable, "+foreground", "+configfile", str(ini)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    query = f"http://127.0.0.1:{http_port}/sparql"
    try:
        # A fresh database takes a few seconds to create before the HTTP port answers.
        deadline = time.monotonic() + 90
        while True:
            try:
                httpx.post(query, data={"query": "ASK {}"}, timeout=5).raise_for_status()
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"Virtuoso did not start: {log.read_text()}")
                time.sleep(0.25)
        server = VirtuosoServer(query, sql_port, isql, process.pid)
        # The test instance only: the anonymous SPARQL user may update (and so may anyone
        # on loopback write through /sparql-graph-crud; never do this on a real server).
        server.isql('GRANT SPARQL_UPDATE TO "SPARQL";')
        yield server
    finally:
        stop_process(process, timeout=30)
