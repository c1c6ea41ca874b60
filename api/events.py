"""Telling parts of the service that the store changed (after a publish or withdrawal).

The SPARQL workers read a snapshot of the store; whoever writes calls
:func:`store_changed` so that readers holding snapshots refresh them.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI


def on_store_change(app: FastAPI, callback: Callable[[], None]) -> None:
    """Call ``callback`` after every write to the store through this app."""
    app.state.store_listeners = [*getattr(app.state, "store_listeners", []), callback]


def store_changed(app: FastAPI) -> None:
    """Run every listener: call this after each successful write."""
    for callback in getattr(app.state, "store_listeners", []):
        callback()
