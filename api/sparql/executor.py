"""Running endpoint queries in a pool of worker processes, each under a hard time limit.

pyoxigraph cannot interrupt a query from Python, so a query runs in a worker process
(:mod:`api.sparql.worker`) and one that passes the limit is ended with SIGKILL and its
worker replaced. Pipes are read by the event loop when a reply is there (it arrives
whole); every step that can block for long (process start and wait, checkpoints) runs
in threads, never on the event loop, so other requests stay fast.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph

from api.sparql.formats import Preference
from api.sparql.snapshots import Snapshots
from api.sparql.worker import Describe, Job, Reply

log = logging.getLogger(__name__)

READY_TIMEOUT = 60.0
"""Seconds a new worker may take to import pyoxigraph and say it is ready."""


class QueryTimeout(Exception):
    """The query ran past the limit; its worker was killed."""


class WorkersBusy(Exception):
    """No worker became free within the time limit."""


class WorkerFailed(Exception):
    """The worker died or broke while running the query (it is replaced)."""


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen[bytes]
    connection: Connection
    started: float = field(default_factory=time.monotonic)
    snapshot: Path | None = None
    """The snapshot its last job named (the one it has open)."""

    def end(self) -> None:
        """SIGKILL: the only way to stop a query pyoxigraph is running."""
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.process.wait()
        self.connection.close()


@dataclass
class Figures:
    """Measurements reported by :attr:`SparqlExecutor.figures` (and logged)."""

    kills: int = 0
    last_respawn_ms: float = 0.0
    """From the kill to the replacement being ready."""


class SparqlExecutor:
    """A pool of ``workers`` query processes over snapshots of ``store``."""

    def __init__(
        self,
        store: pyoxigraph.Store,
        snapshot_folder: Path,
        *,
        workers: int,
        timeout: float,
        row_limit: int,
    ) -> None:
        self.snapshots = Snapshots(store, snapshot_folder)
        self.size = workers
        self.timeout = timeout
        self.row_limit = row_limit
        self.figures = Figures()
        # Spawning, ending, checkpoints and pruning.
        self._threads = ThreadPoolExecutor(workers * 2 + 2, thread_name_prefix="sparql")
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        self._background: set[asyncio.Task[None]] = set()
        self._closing = False
        self._refresh: Future[Path] | None = None
        self._refresh_lock = threading.Lock()

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._threads, self.snapshots.start)
        workers = await asyncio.gather(*(self._spawn() for _ in range(self.size)))
        for worker in workers:
            self._idle.put_nowait(worker)

    async def stop(self) -> None:
        self._closing = True
        for task in list(self._background):
            task.cancel()
        loop = asyncio.get_running_loop()
        for worker in list(self._all):
            await loop.run_in_executor(self._threads, worker.end)
        self._all.clear()
        self.snapshots.close()
        self._threads.shutdown(wait=False, cancel_futures=True)

    def store_changed(self) -> None:
        """Checkpoint the store in the background (an ``api.events`` listener).

        Publishers call listeners on the event loop, so the checkpoint (tens of ms) is not
        made here; :meth:`run` waits for it, so a query sent after a write's response sees
        the write. A checkpoint already queued but not started will see this write too.
        """
        if self._closing:
            return
        with self._refresh_lock:
            pending = self._refresh
            if pending is not None and not pending.running() and not pending.done():
                return
            self._refresh = self._threads.submit(self.snapshots.refresh)

    async def run(
        self,
        query: str,
        default_graphs: tuple[str, ...] | None,
        named_graphs: tuple[str, ...] | None,
        preference: Preference,
    ) -> Reply:
        """Run ``query`` on a free worker and return its reply.

        The limit counts from the newest checkpoint being ready: waiting for a free worker
        uses it up too.
        Raises :class:`WorkersBusy`, :class:`QueryTimeout` or :class:`WorkerFailed`.
        """

        def job(snapshot: Path) -> Job:
            return Job(
                snapshot=str(snapshot),
                query=query,
                default_graphs=default_graphs,
                named_graphs=named_graphs,
                preference=preference,
                row_limit=self.row_limit,
            )

        return await self._submit(job, None)

    async def describe(
        self,
        query: str,
        identifier: str,
        graphs: tuple[str, ...] | None,
        representation: str,
        *,
        patience: float,
    ) -> Reply:
        """A stream's description in the RDF syntax named ``representation``, written by a
        worker (:class:`~api.sparql.worker.Describe`); reply ``ok`` or ``not-found``.

        Raises :class:`WorkersBusy` when no worker is free within ``patience`` seconds, so
        that the caller can read the description itself rather than queue behind long
        endpoint queries; :class:`QueryTimeout` or :class:`WorkerFailed` as :meth:`run`.
        """

        def job(snapshot: Path) -> Describe:
            return Describe(str(snapshot), query, identifier, graphs, graphs, representation)

        return await self._submit(job, patience)

    async def _submit(self, job: Callable[[Path], Job | Describe], patience: float | None) -> Reply:
        """``job`` for the newest snapshot, on a free worker (waiting ``patience`` seconds
        for one, or up to the time limit)."""
        loop = asyncio.get_running_loop()
        refresh = self._refresh
        if refresh is not None and not refresh.done():
            with contextlib.suppress(Exception):  # logged below; the last snapshot still serves
                await asyncio.wrap_future(refresh)
        if refresh is not None and refresh.done() and refresh.exception() is not None:
            log.error("SPARQL snapshot failed: %s", refresh.exception())
        # The checkpoint is the server's work, not the query's: the limit starts after it.
        deadline = loop.time() + self.timeout
        wait_until = deadline if patience is None else min(deadline, loop.time() + patience)
        try:
            return await self._attempt(job, deadline, wait_until)
        except WorkerFailed:
            # Queries are read-only, so a second try is safe: a worker found dead (killed
            # by the OOM killer, say) costs the caller nothing. Only one, in case the
            # query itself is what kills workers.
            log.warning("a SPARQL worker failed; trying the query once more")
            return await self._attempt(job, deadline, wait_until)

    async def _attempt(
        self, make_job: Callable[[Path], Job | Describe], deadline: float, wait_until: float
    ) -> Reply:
        loop = asyncio.get_running_loop()
        while True:
            try:
                # A free worker is taken at once: wait_for would wrap the get in a task.
                worker = self._idle.get_nowait()
            except asyncio.QueueEmpty:
                if wait_until <= loop.time():
                    raise WorkersBusy from None
                try:
                    remaining = max(wait_until - loop.time(), 0)
                    worker = await asyncio.wait_for(self._idle.get(), remaining)
                except TimeoutError:
                    raise WorkersBusy from None
            if worker.process.poll() is None:
                break
            self._replace(worker, killed_at=None)  # it died while idle
        snapshot = self.snapshots.hold(worker)
        moved, worker.snapshot = snapshot != worker.snapshot, snapshot
        exchange = _exchange(worker.connection, make_job(snapshot))
        try:
            done, _ = await asyncio.wait({exchange}, timeout=max(deadline - loop.time(), 0.001))
        except asyncio.CancelledError:
            # The request went away mid-query: the worker is still busy, so end it.
            _stop_listening(worker.connection)
            self._replace(worker, killed_at=None)
            raise
        if not done:
            _stop_listening(worker.connection)
            self._replace(worker, killed_at=time.monotonic())
            raise QueryTimeout
        try:
            reply = exchange.result()
        except Exception as error:  # EOFError when it died; anything else: do not trust it
            self._replace(worker, killed_at=None)
            raise WorkerFailed(str(error) or type(error).__name__) from error
        self._idle.put_nowait(worker)
        if moved:
            # Only a worker leaving a snapshot can make one unused; pruning after every
            # query cost a thread hand-off and a directory listing per request.
            self._background_task(loop.run_in_executor(self._threads, self.snapshots.prune))
        return reply

    def _replace(self, worker: _Worker, killed_at: float | None) -> None:
        """End ``worker`` and start another in the background."""

        async def replace() -> None:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(self._threads, worker.end)
            self._all.discard(worker)
            self.snapshots.release(worker)
            while not self._closing:
                try:
                    fresh = await self._spawn()
                    break
                except Exception:
                    # Keep trying: a pool that shrinks for good would end in 503s only.
                    log.exception("could not start a SPARQL worker; retrying")
                    await asyncio.sleep(1)
            else:
                return
            self._idle.put_nowait(fresh)
            if killed_at is not None:
                self.figures.kills += 1
                self.figures.last_respawn_ms = (time.monotonic() - killed_at) * 1000
                log.warning(
                    "SPARQL worker %s killed at the time limit, replaced in %.0f ms",
                    worker.process.pid,
                    self.figures.last_respawn_ms,
                )
            await loop.run_in_executor(self._threads, self.snapshots.prune)

        self._background_task(replace())

    def _background_task(self, awaitable: object) -> None:
        task = asyncio.ensure_future(awaitable)  # type: ignore[arg-type]
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _spawn(self) -> _Worker:
        loop = asyncio.get_running_loop()
        worker = await loop.run_in_executor(self._threads, _start_worker)
        self._all.add(worker)
        return worker


def _exchange(connection: Connection, job: Job | Describe) -> asyncio.Future[Reply]:
    """Send ``job``; the worker's reply, read by the event loop when it arrives.

    No thread waits on the pipe: handing each query to a thread and back cost about as
    much as a point query itself. The job is written at once (the worker is idle and
    reading); the reply is read whole once its first bytes are there, which the worker
    sends in one piece after it has finished.
    """
    loop = asyncio.get_running_loop()
    reply: asyncio.Future[Reply] = loop.create_future()

    def readable() -> None:
        _stop_listening(connection)
        try:
            answer = connection.recv()
        except Exception as error:  # EOFError when the worker died
            if not reply.done():
                reply.set_exception(error)
        else:
            if not reply.done():
                reply.set_result(answer)

    try:
        connection.send(job)
    except Exception as error:  # a worker that died while idle: BrokenPipeError
        reply.set_exception(error)
        return reply
    loop.add_reader(connection.fileno(), readable)
    # Nobody needs to hear of a pipe that ends because its worker was killed.
    reply.add_done_callback(lambda f: f.cancelled() or f.exception())
    return reply


def _stop_listening(connection: Connection) -> None:
    with contextlib.suppress(OSError, ValueError):  # already closed
        asyncio.get_running_loop().remove_reader(connection.fileno())


def _start_worker() -> _Worker:
    """Start ``python -m api.sparql.worker`` on one end of a socket pair; wait until ready."""
    ours, theirs = Pipe(duplex=True)
    # The child must import api from wherever this process did (checkout, wheel, tests).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    process = subprocess.Popen(
        [sys.executable, "-m", "api.sparql.worker", str(theirs.fileno())],
        pass_fds=(theirs.fileno(),),
        env=env,
        stdin=subprocess.DEVNULL,
    )
    theirs.close()
    worker = _Worker(process, ours)
    if not ours.poll(READY_TIMEOUT):
        worker.end()
        raise WorkerFailed("a SPARQL worker did not start")
    hello = ours.recv()
    assert isinstance(hello, Reply) and hello.status == "ready"
    return worker
