"""schemathesis over the service's own OpenAPI description, on a live service: every
operation, anonymous over the demo catalogue and with a publisher's token over a store
it may write to. No 500s; every status, content type and declared body as described."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from catalogue.tokens import Role, create_token, tokens_path
from tests.api.conftest import LiveServer, service_settings, start_server, stop_server

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = int(os.environ.get("SIDESTREAM_OPENAPI_EXAMPLES", "6"))
"""Per operation and service: 24 operations, two services, on a slow shared machine
(more by hand with ``SIDESTREAM_OPENAPI_EXAMPLES``)."""


@dataclass
class Publishing:
    live: LiveServer
    token: str


@pytest.fixture(scope="module")
def publishing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Publishing]:
    """The service over an empty store, and a publisher's token for it."""
    settings = service_settings(tmp_path_factory.mktemp("openapi") / "store")
    token, _ = create_token(tokens_path(settings), "Fuzz Works", Role.PUBLISHER, label="fuzz")
    live, running = start_server(settings)
    yield Publishing(live, token)
    stop_server(running)


def _schema(live: LiveServer) -> schemathesis.BaseSchema:
    """The running service's own description; requests both valid and invalid for it."""
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    schema.config.generation.update(modes=list(GenerationMode))
    return schema


@pytest.fixture
def anonymous_schema(demo_server: LiveServer) -> schemathesis.BaseSchema:
    return _schema(demo_server)


@pytest.fixture
def publisher_schema(publishing: Publishing) -> schemathesis.BaseSchema:
    return _schema(publishing.live)


anonymous = schemathesis.pytest.from_fixture("anonymous_schema")
publisher = schemathesis.pytest.from_fixture("publisher_schema")
bounded = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@anonymous.parametrize()
@bounded
def test_every_operation_answers_as_described_to_anyone(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)


@publisher.parametrize()
@bounded
def test_every_operation_answers_as_described_to_a_publisher(
    case: schemathesis.Case, publishing: Publishing
) -> None:
    case.call_and_validate(
        checks=CHECKS,
        headers={"Authorization": f"Bearer {publishing.token}"},
        # Each operation answers for itself; where a redirect leads is checked there.
        allow_redirects=False,
    )
