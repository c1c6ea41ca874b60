"""One router per resource; ``include_routes`` adds them all."""

from __future__ import annotations

from fastapi import FastAPI


def include_routes(app: FastAPI) -> None:
    from api.routes import (
        catalogue,
        effects,
        history,
        linked_data,
        match,
        ontology,
        pages,
        publish,
        rounds,
        sparql,
        streams,
    )

    app.include_router(history.router)
    app.include_router(effects.router)
    app.include_router(rounds.router)
    app.include_router(match.router)
    app.include_router(publish.router)
    app.include_router(pages.router)
    app.include_router(sparql.router)
    app.include_router(streams.router)
    app.include_router(linked_data.router)
    app.include_router(linked_data.redirect_router(app.state.settings))
    app.include_router(ontology.router)
    app.include_router(catalogue.router)
