"""Security measures of the service, each tried on a real service on loopback.

CORS from an allow-list, security headers on every answer and a Content-Security-Policy
on every HTML page, HSTS only behind an https public URL, 429 after too many bad tokens
from one address, the audit log of token creation, revocation, use and refusal (never
the token), and tokens compared in constant time against every stored hash.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.auth import FailureLimit
from catalogue.access import Role
from catalogue.audit import audit_path
from catalogue.cli import main
from catalogue.tokens import create_token, find_token, hash_token, list_tokens, tokens_path
from tests.api.conftest import (
    LiveServer,
    TokenService,
    service_settings,
    start_server,
    stop_server,
)

ALLOWED = "https://platform.example"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TokenService]:
    """An empty catalogue with one allowed origin, three bad tokens a minute, and a
    reader's token."""
    settings = service_settings(
        tmp_path_factory.mktemp("guarded") / "store",
        cors_origins=[ALLOWED],
        token_failures_per_minute=3,
    )
    path = tokens_path(settings)
    tokens = {"reader": create_token(path, "Curious Institute", Role.READER)[0]}
    live, running = start_server(settings)
    yield TokenService(live, tokens)
    stop_server(running)


# --- CORS -------------------------------------------------------------------------------


def preflight(client: httpx.Client, origin: str) -> httpx.Response:
    return client.options(
        "/streams",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )


def test_an_allowed_origin_passes_preflight_and_reads(guarded: TokenService) -> None:
    with guarded.client() as client:
        answer = preflight(client, ALLOWED)
        assert answer.status_code == 200
        assert answer.headers["access-control-allow-origin"] == ALLOWED
        assert "authorization" in answer.headers["access-control-allow-headers"].lower()
        assert "access-control-allow-credentials" not in answer.headers
        simple = client.get("/streams", headers={"Origin": ALLOWED})
    assert simple.status_code == 200
    assert simple.headers["access-control-allow-origin"] == ALLOWED
    assert "Link" in simple.headers["access-control-expose-headers"]


def test_another_origin_gets_no_cors_headers(guarded: TokenService) -> None:
    with guarded.client() as client:
        answer = preflight(client, "https://evil.example")
        simple = client.get("/streams", headers={"Origin": "https://evil.example"})
    assert answer.status_code == 400
    assert "access-control-allow-origin" not in answer.headers
    # The server answers (CORS is the browser's rule), but the browser will not let the
    # page read it without the header.
    assert simple.status_code == 200
    assert "access-control-allow-origin" not in simple.headers


def test_by_default_no_origin_is_allowed(demo_server: LiveServer) -> None:
    with demo_server.client() as client:
        answer = preflight(client, ALLOWED)
        simple = client.get("/streams", headers={"Origin": ALLOWED})
    assert answer.status_code == 405
    assert "access-control-allow-origin" not in answer.headers
    assert "access-control-allow-origin" not in simple.headers


def test_origins_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from api.settings import ServiceSettings

    monkeypatch.setenv("SIDESTREAM_CORS_ORIGINS", f"{ALLOWED}/, https://other.example")
    assert ServiceSettings().cors_origins == [ALLOWED, "https://other.example"]


# --- headers ----------------------------------------------------------------------------

PAGES = [
    *("/", "/map", "/streams", "/streams/no-such-stream", "/elements", "/elements/V", "/query"),
    "/effects",
]


@pytest.mark.parametrize("path", [*PAGES, "/docs", "/redoc", "/ontology"])
def test_html_answers_carry_a_policy_and_cannot_be_framed(
    demo_server: LiveServer, path: str
) -> None:
    with demo_server.client() as client:
        answer = client.get(path, headers={"Accept": "text/html"})
    assert answer.headers["content-type"].startswith("text/html"), path
    policy = answer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in answer.headers
    if path not in ("/docs", "/redoc"):
        # Only FastAPI's own documentation pages run inline script (from its CDN).
        assert "'unsafe-inline'" not in policy.split("style-src")[0], policy


def test_catalogue_pages_allow_only_this_service_and_the_tile_server(
    demo_server: LiveServer,
) -> None:
    with demo_server.client() as client:
        policy = client.get("/map", headers={"Accept": "text/html"}).headers[
            "content-security-policy"
        ]
    assert policy.startswith("default-src 'self';")
    assert "img-src 'self' data: https://tile.openstreetmap.org" in policy
    assert "script-src" not in policy  # default-src 'self': scripts from /static only


def test_every_answer_says_nosniff(demo_server: LiveServer) -> None:
    with demo_server.client() as client:
        for path in ("/streams", "/openapi.json", "/static/site.css", "/sparql"):
            answer = client.get(path, params={"query": "ASK {}"} if path == "/sparql" else {})
            assert answer.headers["x-content-type-options"] == "nosniff", path
            assert "x-frame-options" not in answer.headers or answer.headers[
                "content-type"
            ].startswith("text/html")


def test_hsts_only_when_the_public_url_is_https(tmp_path: Path) -> None:
    settings = service_settings(tmp_path / "store", public_url="https://catalogue.example/")
    live, running = start_server(settings)
    try:
        local = f"http://127.0.0.1:{settings.port}"
        with httpx.Client(base_url=local, timeout=60) as client:
            answer = client.get("/streams")
    finally:
        stop_server(running)
    assert live.url == "https://catalogue.example"
    assert answer.headers["strict-transport-security"] == "max-age=31536000"


# --- bad tokens -------------------------------------------------------------------------


def test_bad_tokens_are_throttled_per_address(guarded: TokenService) -> None:
    with guarded.client() as anonymous:
        statuses = []
        for attempt in range(5):
            bad = {"Authorization": f"Bearer guess-{attempt}"}
            statuses.append(anonymous.get("/streams", headers=bad).status_code)
        refused = anonymous.get("/streams", headers={"Authorization": "Bearer guess-9"})
        # A valid token from that address waits too: the address is what is throttled.
        valid = anonymous.get(
            "/streams", headers={"Authorization": f"Bearer {guarded.tokens['reader']}"}
        )
        plain = anonymous.get("/streams")
    assert statuses == [401, 401, 401, 429, 429]
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
    assert valid.status_code == 429
    assert plain.status_code == 200  # requests without a token are not throttled
    log = audit_path(guarded.live.settings).read_text(encoding="utf-8")
    refusals = [json.loads(line) for line in log.splitlines() if "refused-unknown" in line]
    # Throttled attempts are not looked up, so they cannot fill the log either.
    assert len(refusals) == 3
    assert all(line["address"] == "127.0.0.1" and line["token"] is None for line in refusals)
    assert "guess-" not in log


def test_the_failure_window_slides() -> None:
    limit = FailureLimit(2)
    for now in (0.0, 30.0):
        assert limit.retry_after("a", now) is None
        limit.failed("a", now)
    assert limit.retry_after("a", 31.0) == 30
    assert limit.retry_after("b", 31.0) is None
    assert limit.retry_after("a", 60.5) is None  # the first failure has left the window
    assert limit.retry_after("a", 91.0) is None


def test_the_failure_table_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FailureLimit, "ADDRESSES", 3)
    limit = FailureLimit(1)
    for index in range(10):
        limit.failed(f"10.0.0.{index}", now=float(index))
    assert len(limit._failures) <= 3


# --- tokens and the audit log -----------------------------------------------------------


def test_token_creation_and_revocation_are_audited(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    store = str(tmp_path / "store")
    assert main(["token", "create", "--organisation", "Acme", "--role", "publisher",
                 "--label", "robot", "--store", store]) == 0  # fmt: skip
    token = capsys.readouterr().out.strip()
    (record,) = list_tokens(tmp_path / "tokens.json")
    assert main(["token", "revoke", record.id, "--store", store]) == 0
    text = (tmp_path / "audit.jsonl").read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines()]
    assert [
        (line["action"], line["token"], line["organisation"], line["role"]) for line in lines
    ] == [
        ("token-created", record.id, "Acme", "publisher"),
        ("token-revoked", record.id, "Acme", "publisher"),
    ]
    assert token not in text and hash_token(token) not in text
    stored = (tmp_path / "tokens.json").read_text(encoding="utf-8")
    assert token not in stored and hash_token(token) in stored


def test_every_stored_hash_is_compared_in_constant_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tokens_path(service_settings(tmp_path / "store"))
    first, _ = create_token(path, "A", Role.READER)
    for organisation in "BCD":
        create_token(path, organisation, Role.READER)
    compared: list[tuple[str, str]] = []
    compare = hmac.compare_digest

    def counting(a: str, b: str) -> bool:
        compared.append((a, b))
        return compare(a, b)

    monkeypatch.setattr("catalogue.tokens.hmac.compare_digest", counting)
    records = list_tokens(path)
    found = find_token(records, first)
    # Found in the first record, yet all four were compared: the time does not tell where.
    assert found is not None and found.organisation == "A"
    assert len(compared) == 4
    assert find_token(records, "nothing") is None and len(compared) == 8
