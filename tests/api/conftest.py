"""A real service on loopback: uvicorn in a thread, on a free port, over a real store."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.settings import ServiceSettings
from catalogue.demo import demo_file
from catalogue.publish import load_files
from catalogue.store import opened_store
from tests.oxigraph_server import Server, free_port
from tests.virtuoso_server import VirtuosoServer

__all__ = ["Server", "free_port"]


@dataclass
class LiveServer:
    """A running service: its base URL and its settings."""

    url: str
    settings: ServiceSettings

    def client(self, **headers: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


@dataclass
class TokenService:
    """A running service and the bearer tokens the test created, by who holds them."""

    live: LiveServer
    tokens: dict[str, str]

    def client(self, who: str | None = None) -> httpx.Client:
        """A client, anonymous or carrying ``who``'s token."""
        if who is None:
            return self.live.client()
        return self.live.client(Authorization=f"Bearer {self.tokens[who]}")


@dataclass
class _Running:
    server: uvicorn.Server
    thread: threading.Thread


def start_server(settings: ServiceSettings) -> tuple[LiveServer, _Running]:
    """Start the app for ``settings`` and wait until it answers."""
    config = uvicorn.Config(
        create_app(settings), host=settings.host, port=settings.port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the service did not start")
        time.sleep(0.05)
    return LiveServer(settings.base_url.rstrip("/"), settings), _Running(server, thread)


def stop_server(running: _Running) -> None:
    running.server.should_exit = True
    running.thread.join(timeout=30)


def service_settings(store: Path, **overrides: object) -> ServiceSettings:
    return ServiceSettings(store=store, host="127.0.0.1", port=free_port(), **overrides)


def remote_settings(
    server: Server | VirtuosoServer, folder: Path, **overrides: object
) -> ServiceSettings:
    """The service on ``server``; tokens and audit log in ``folder`` (not the user's own)."""
    return ServiceSettings(
        store=folder / "unused",
        endpoint=server.query,
        update_endpoint=server.update,
        gsp_endpoint=server.gsp,
        tokens=folder / "tokens.json",
        host="127.0.0.1",
        port=free_port(),
        **overrides,
    )


def loaded_store(folder: Path, files: list[Path]) -> Path:
    """A store in ``folder`` holding ``files``, loaded the production way."""
    path = folder / "store"
    settings = ServiceSettings(store=path)
    with opened_store(settings) as store:
        load_files(files, store, settings, publisher="demo")
    return path


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the demo catalogue, loaded once for the session (read it only)."""
    return loaded_store(tmp_path_factory.mktemp("demo-store"), [demo_file()])


@pytest.fixture(scope="session")
def demo_server(demo_store: Path) -> Iterator[LiveServer]:
    """The service over the demo catalogue, on loopback, for the whole session."""
    live, running = start_server(service_settings(demo_store))
    yield live
    stop_server(running)


EXTERNAL_SET = Path(__file__).parents[1] / "data" / "matching" / "external.csv"
"""The matching test set of European streams outside the demo (gallium, scandium, cobalt...)."""


@pytest.fixture(scope="session")
def wide_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo catalogue plus the European test set: what pages about CRMs are tried on.

    The demo (Prosess21) reports almost no compositions, so an element page such as
    gallium's needs the European set's analysed residues (zinc leach residue, red mud).
    """
    return loaded_store(tmp_path_factory.mktemp("wide-store"), [demo_file(), EXTERNAL_SET])


@pytest.fixture(scope="session")
def wide_server(wide_store: Path) -> Iterator[LiveServer]:
    """The service over the demo plus the European test set, on loopback."""
    live, running = start_server(service_settings(wide_store))
    yield live
    stop_server(running)
