"""Dependencies shared by the routes, as ``Annotated`` aliases so signatures read plainly."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.settings import ServiceSettings
from catalogue.access import Caller, View, view_for
from catalogue.store.base import CatalogueStore


def get_settings(request: Request) -> ServiceSettings:
    return request.app.state.settings


def get_store(request: Request) -> CatalogueStore:
    return request.app.state.store


def get_caller(request: Request) -> Caller:
    """Who is asking, from the ``Authorization: Bearer`` token (anonymous without one).

    The one place a request becomes a :class:`~catalogue.access.Caller`.
    """
    from api.auth import caller_from_request

    return caller_from_request(request)


def get_view(
    store: Annotated[CatalogueStore, Depends(get_store)],
    caller: Annotated[Caller, Depends(get_caller)],
) -> View:
    """The graphs the caller may see: every route that reads the catalogue reads through it."""
    return view_for(store, caller)


SettingsDep = Annotated[ServiceSettings, Depends(get_settings)]
StoreDep = Annotated[CatalogueStore, Depends(get_store)]
CallerDep = Annotated[Caller, Depends(get_caller)]
ViewDep = Annotated[View, Depends(get_view)]
