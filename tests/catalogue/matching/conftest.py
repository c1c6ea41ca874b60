"""The demo catalogue the matching tests read, loaded once per backend by the command line."""

from __future__ import annotations

import pytest

from tests.backends import Backend, Backends


def load_demo(backend: Backend) -> None:
    assert backend.main("load", "--demo", "--by", "test") == 0


@pytest.fixture(scope="session")
def demo(backends: Backends, backend_kind: str) -> Backend:
    """The demo catalogue on each backend (read it only: every matching test shares it)."""
    return backends.shared(backend_kind, "demo", load_demo)
