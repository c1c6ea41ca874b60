"""One router per resource; ``include_routes`` adds them all."""

from __future__ import annotations

from fastapi import FastAPI


def include_routes(app: FastAPI) -> None:
    from api.routes import match, pages, publish

    app.include_router(match.router)
    app.include_router(publish.router)
    app.include_router(pages.router)
