"""Bounded Hypothesis profiles for the fuzz tests, and the live services they share.

``ci`` (the default) is derandomised and small, so the folder adds about two minutes to
the suite; ``SIDESTREAM_FUZZ_PROFILE=long`` explores more when run by hand.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from api.settings import ServiceSettings
from catalogue.demo import demo_file
from catalogue.store import CatalogueStore, opened_store
from tests.api.conftest import (  # noqa: F401  (the shared live-service fixtures)
    demo_server,
    demo_store,
    loaded_store,
)

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=40,
    deadline=5000,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "long",
    max_examples=2000,
    deadline=10000,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("SIDESTREAM_FUZZ_PROFILE", "ci"))


@pytest.fixture(scope="session")
def demo_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the demo catalogue for calls in this process and the command line
    (the served ``demo_store`` is locked by the service); open it for one test at a time."""
    return loaded_store(tmp_path_factory.mktemp("fuzz-demo"), [demo_file()])


@pytest.fixture
def demo_catalogue(demo_copy: Path) -> Iterator[CatalogueStore]:
    """``demo_copy``, open for one test."""
    with opened_store(ServiceSettings(store=demo_copy)) as store:
        yield store
