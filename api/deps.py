"""Dependencies shared by the routes, as ``Annotated`` aliases so signatures read plainly.

They are ``async``: FastAPI runs a plain ``def`` dependency in its thread pool, and
four thread hand-offs per request (settings, store, caller, view) cost more than the
work itself (half the server's time at 1,000 streams under 8 clients). Only what can
block for long still goes to a thread: token checks (a file read, an audit line) and
views on a remote store (an HTTP round trip).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, ParamSpec, TypeVar

from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool

from api.settings import ServiceSettings
from catalogue.access import ANONYMOUS, Caller, View, view_for
from catalogue.history import EARLIEST_YEAR, LATEST_YEAR
from catalogue.store.base import CatalogueStore
from catalogue.store.oxigraph import OxigraphStore

P = ParamSpec("P")
R = TypeVar("R")


async def get_settings(request: Request) -> ServiceSettings:
    return request.app.state.settings


async def get_store(request: Request) -> CatalogueStore:
    return request.app.state.store


def request_caller(request: Request) -> Caller:
    """Who is asking, from the ``Authorization: Bearer`` token (anonymous without one).

    The one place a request becomes a :class:`~catalogue.access.Caller`; blocks on the
    tokens file when there is a token (call it from a thread, or use :func:`get_caller`).
    """
    if "authorization" not in request.headers:
        return ANONYMOUS
    from api.auth import caller_from_request

    return caller_from_request(request)


async def get_caller(request: Request) -> Caller:
    """:func:`request_caller`, in a thread only when a token has to be checked."""
    if "authorization" not in request.headers:
        return ANONYMOUS
    return await run_in_threadpool(request_caller, request)


YearParam = Annotated[
    int | None,
    Query(
        ge=EARLIEST_YEAR,
        le=LATEST_YEAR,
        description="the catalogue as it stood for this reporting year: each stream's newest "
        "version reported for it or before (default: the latest versions)",
    ),
]
"""``?year=``: which reporting year a read sees (``catalogue.access.view_for``)."""


async def get_view(
    request: Request,
    store: Annotated[CatalogueStore, Depends(get_store)],
    caller: Annotated[Caller, Depends(get_caller)],
    year: YearParam = None,
) -> View:
    """The graphs the caller may see, of the latest versions or of one reporting year:
    every route that reads the catalogue reads through it."""
    return await _cached_view(request, store, caller, year)


async def get_history_view(
    request: Request,
    store: Annotated[CatalogueStore, Depends(get_store)],
    caller: Annotated[Caller, Depends(get_caller)],
) -> View:
    """Every version the caller may see (``view_for(..., history=True)``): for history."""
    return await _cached_view(request, store, caller, HISTORY)


HISTORY = "history"
"""The key of a caller's history view in :class:`ViewCache`, beside its years."""


async def _cached_view(
    request: Request, store: CatalogueStore, caller: Caller, year: int | str | None
) -> View:
    def read() -> View:
        if year == HISTORY:
            return view_for(store, caller, history=True)
        assert not isinstance(year, str)
        return view_for(store, caller, year)

    views: ViewCache | None = getattr(request.app.state, "views", None)
    if views is None:
        return await off_loop(store, read)
    generation = views.generation
    view = views.get(caller, year)
    if view is None:
        view = read()
        views.put(caller, view, generation, year)
    return view


class ViewCache:
    """Views of the embedded store by caller, until the next write through the service.

    Only this process writes the embedded store (RocksDB locks it), and every write
    through the service ends in :func:`api.events.store_changed`, which calls
    :meth:`clear`. A view is kept only if no write was announced while it was read, so
    a view read before a write is never served after it. A remote store can be written
    by others: it gets no cache.
    """

    LIMIT = 1024
    """Callers are (role, organisation) pairs; past this many, start again."""

    def __init__(self) -> None:
        self.generation = 0
        self._views: dict[tuple[Caller, int | str | None], View] = {}

    def get(self, caller: Caller, year: int | str | None = None) -> View | None:
        return self._views.get((caller, year))

    def put(
        self, caller: Caller, view: View, generation: int, year: int | str | None = None
    ) -> None:
        if generation != self.generation:
            return  # read before a write that has since been announced
        if len(self._views) >= self.LIMIT:
            self._views.clear()
        self._views[(caller, year)] = view

    def clear(self) -> None:
        self.generation += 1
        self._views.clear()


async def off_loop(
    store: CatalogueStore, read: Callable[P, R], *args: P.args, **kwargs: P.kwargs
) -> R:
    """``read(*args)``: point reads of the embedded store run on the event loop itself.

    They take about a millisecond. In a thread they cost more than that: the hand-off,
    and the event loop waiting for the GIL each time it writes to a socket while the
    thread holds it (42 % of the loop's time in ``socket.send`` at 1,000 streams). A
    remote store's reads are network round trips and go to a thread.
    """
    if isinstance(store, OxigraphStore):
        return read(*args, **kwargs)
    return await run_in_threadpool(read, *args, **kwargs)


SettingsDep = Annotated[ServiceSettings, Depends(get_settings)]
StoreDep = Annotated[CatalogueStore, Depends(get_store)]
CallerDep = Annotated[Caller, Depends(get_caller)]
ViewDep = Annotated[View, Depends(get_view)]
HistoryViewDep = Annotated[View, Depends(get_history_view)]
