"""Publishing over HTTP with API tokens, against a real service on loopback.

Each test writes small templates with its own marker in every identifier, so tests
sharing the module's service never see each other's streams by accident.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from catalogue.access import Role
from catalogue.audit import audit_path
from catalogue.cli import main
from catalogue.publish import load_files
from catalogue.store import opened_store
from catalogue.tokens import create_token, tokens_path
from tests.api.conftest import LiveServer, service_settings, start_server, stop_server

HEADER = [
    "identifier", "kind", "name", "organisation", "country", "material", "state",
    "quantity", "unit", "reference_year", "composition", "confidentiality",
]  # fmt: skip


def supply(identifier: str, confidentiality: str = "public", **cells: str) -> dict[str, str]:
    return {
        "identifier": identifier,
        "kind": "supply",
        "name": f"Slag {identifier}",
        "organisation": "Test Smelter",
        "country": "NO",
        "material": "SiMn slag",
        "state": "solid",
        "quantity": "1200",
        "unit": "t/a",
        "reference_year": "2023",
        "composition": "MnO=10 %",
        "confidentiality": confidentiality,
        **cells,
    }


def template(*rows: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def marker() -> str:
    return uuid.uuid4().hex[:10]


@dataclass
class Service:
    live: LiveServer
    tokens: dict[str, str]
    """Name -> bearer token: acme and beta (publishers), reader, admin."""
    ids: dict[str, str]
    """Name -> the token's public identifier."""

    def client(self, who: str | None = None) -> httpx.Client:
        if who is None:
            return self.live.client()
        return self.live.client(Authorization=f"Bearer {self.tokens[who]}")

    def post_csv(
        self, who: str | None, filename: str, body: bytes, **params: str
    ) -> httpx.Response:
        with self.client(who) as client:
            return client.post(
                "/streams",
                params={"filename": filename, **params},
                content=body,
                headers={"Content-Type": "text/csv"},
            )

    def visible(self, who: str | None, identifier: str) -> bool:
        """Whether ``who`` sees supply ``identifier`` (``/match`` is 404 for a hidden one)."""
        with self.client(who) as client:
            answer = client.get("/match", params={"supply": identifier})
        assert answer.status_code in (200, 404), answer.text
        return answer.status_code == 200


TOKENS = {
    "acme": ("Acme Metals", Role.PUBLISHER),
    "beta": ("Beta Minerals", Role.PUBLISHER),
    "reader": ("Curious Institute", Role.READER),
    "admin": ("Catalogue Office", Role.ADMINISTRATOR),
}


def make_tokens(store: Path) -> tuple[dict[str, str], dict[str, str]]:
    path = tokens_path(service_settings(store))
    tokens, ids = {}, {}
    for name, (organisation, role) in TOKENS.items():
        tokens[name], record = create_token(path, organisation, role, label=f"test {name}")
        ids[name] = record.id
    return tokens, ids


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The service over a fresh, empty store, with four tokens."""
    store = tmp_path_factory.mktemp("publish") / "store"
    tokens, ids = make_tokens(store)
    live, running = start_server(service_settings(store))
    yield Service(live, tokens, ids)
    stop_server(running)


def test_publisher_publishes_a_template_and_everyone_sees_its_public_stream(
    service: Service,
) -> None:
    mark = marker()
    answer = service.post_csv("acme", f"acme-{mark}.csv", template(supply(f"pub-{mark}")))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["identifier"] == f"acme-{mark}"
    assert body["submission"].endswith(f"/submission/acme-{mark}")
    assert body["status"] == "loaded" and body["publisher"] == "Acme Metals"
    assert [iri.rsplit("/", 1)[-1] for iri in body["streams"]] == [f"pub-{mark}"]
    assert body["report"]["conforms"] is True
    assert answer.headers["location"].endswith(f"/submissions/acme-{mark}")
    assert service.visible(None, f"pub-{mark}")
    assert service.visible("beta", f"pub-{mark}")
    with service.client("acme") as client:
        own = client.get(f"/submissions/acme-{mark}")
    assert own.status_code == 200 and own.json()["publisher"] == "Acme Metals"
    with service.client("beta") as client:
        assert client.get(f"/submissions/acme-{mark}").status_code == 404
    # The same file again changes nothing (200, not 201).
    again = service.post_csv("acme", f"acme-{mark}.csv", template(supply(f"pub-{mark}")))
    assert again.status_code == 200 and again.json()["status"] == "unchanged"


def test_multipart_upload_works_like_a_raw_body(service: Service) -> None:
    pytest.importorskip("python_multipart", reason="the server needs python-multipart for forms")
    mark = marker()
    with service.client("beta") as client:
        answer = client.post(
            "/streams",
            files={"file": (f"beta-{mark}.csv", template(supply(f"form-{mark}")), "text/csv")},
        )
    assert answer.status_code == 201, answer.text
    assert answer.json()["identifier"] == f"beta-{mark}"
    assert service.visible(None, f"form-{mark}")


def test_confidential_streams_are_seen_by_their_publisher_and_administrators_only(
    service: Service,
) -> None:
    mark = marker()
    rows = template(supply(f"secret-{mark}", "confidential"), supply(f"rest-{mark}", "restricted"))
    answer = service.post_csv("acme", f"acme-levels-{mark}.csv", rows)
    assert answer.status_code == 201, answer.text
    assert {iri.rsplit("/", 1)[-1] for iri in answer.json()["streams"]} == {
        f"secret-{mark}",
        f"rest-{mark}",
    }
    seen = {
        who: (service.visible(who, f"secret-{mark}"), service.visible(who, f"rest-{mark}"))
        for who in ("acme", "beta", "reader", "admin", None)
    }
    assert seen == {
        "acme": (True, True),
        "beta": (False, True),
        "reader": (False, True),
        "admin": (True, True),
        None: (False, False),
    }


def test_tokens_are_required_and_checked(service: Service) -> None:
    body = template(supply(f"nobody-{marker()}"))
    anonymous = service.post_csv(None, "nobody.csv", body)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    with service.live.client(Authorization="Bearer not-a-token") as client:
        bad = client.get("/match", params={"element": "Mn"})
        wrong_scheme = client.get(
            "/match", params={"element": "Mn"}, headers={"Authorization": "Basic eDp5"}
        )
    assert bad.status_code == 401 and bad.headers["www-authenticate"].startswith("Bearer")
    assert wrong_scheme.status_code == 401
    with service.live.client(Authorization="Basic eDp5") as client:
        basic = client.post("/streams", params={"filename": "x.csv"}, content=body)
    assert basic.status_code == 401
    reader = service.post_csv("reader", "reader.csv", body)
    assert reader.status_code == 403
    with service.client("reader") as client:
        assert client.delete("/submissions/anything").status_code == 403


def test_a_publisher_cannot_replace_or_withdraw_another_organisations_submission(
    service: Service,
) -> None:
    mark = marker()
    name = f"shared-{mark}.csv"
    assert service.post_csv("acme", name, template(supply(f"a-{mark}"))).status_code == 201
    other = template(supply(f"b-{mark}"))
    for params in ({}, {"replace": "true"}):
        refused = service.post_csv("beta", name, other, **params)
        assert refused.status_code == 403, refused.text
    with service.client("beta") as client:
        assert client.delete(f"/submissions/shared-{mark}").status_code == 403
    assert service.visible(None, f"a-{mark}") and not service.visible("beta", f"b-{mark}")
    # An administrator may replace anyone's; the submission stays its publisher's.
    by_admin = service.post_csv("admin", name, template(supply(f"c-{mark}")), replace="true")
    assert by_admin.status_code == 201, by_admin.text
    assert by_admin.json()["publisher"] == "Acme Metals"
    with service.client("acme") as client:
        assert client.get(f"/submissions/shared-{mark}").json()["publisher"] == "Acme Metals"
    # ... and withdraw anyone's.
    with service.client("admin") as client:
        assert client.delete(f"/submissions/shared-{mark}").status_code == 200
    assert not service.visible(None, f"c-{mark}")


def test_a_publisher_replaces_and_withdraws_its_own_submission(service: Service) -> None:
    mark = marker()
    name = f"own-{mark}.csv"
    assert service.post_csv("acme", name, template(supply(f"old-{mark}"))).status_code == 201
    new = template(supply(f"new-{mark}"))
    without = service.post_csv("acme", name, new)
    assert without.status_code == 422
    assert without.json()["report"]["problems"][0]["rule"] == "catalogue:submission-exists"
    replaced = service.post_csv("acme", name, new, replace="true")
    assert replaced.status_code == 201, replaced.text
    assert replaced.json()["status"] == "replaced"
    assert service.visible(None, f"new-{mark}") and not service.visible(None, f"old-{mark}")
    with service.client("acme") as client:
        withdrawn = client.delete(f"/submissions/own-{mark}")
        again = client.delete(f"/submissions/own-{mark}")
        odd = client.delete("/submissions/Not A Submission")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert again.status_code == 404 and odd.status_code == 404
    assert not service.visible(None, f"new-{mark}")


def test_revoked_token_is_refused_at_once(service: Service) -> None:
    store = str(service.live.settings.store)
    token, record = create_token(
        tokens_path(service.live.settings), "Gamma", Role.PUBLISHER, "to revoke"
    )
    with service.live.client(Authorization=f"Bearer {token}") as client:
        assert client.get("/match", params={"element": "Mn"}).status_code == 200
        assert main(["token", "revoke", record.id, "--store", store]) == 0
        refused = client.get("/match", params={"element": "Mn"})
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")
    log = audit_path(service.live.settings).read_text(encoding="utf-8").splitlines()
    assert any(
        json.loads(line)["action"] == "refused-revoked" and json.loads(line)["token"] == record.id
        for line in log
    )


def test_tokens_file_and_audit_log_hold_no_token_and_record_what_was_done(
    service: Service,
) -> None:
    mark = marker()
    assert service.post_csv("beta", f"audit-{mark}.csv", template(supply(f"au-{mark}"))).is_success
    with service.client("beta") as client:
        assert client.delete(f"/submissions/audit-{mark}").status_code == 200
    settings = service.live.settings
    secrets = list(service.tokens.values())
    tokens_text = tokens_path(settings).read_text(encoding="utf-8")
    log_text = audit_path(settings).read_text(encoding="utf-8")
    for token in secrets:
        assert token not in tokens_text and token not in log_text
    lines = [json.loads(line) for line in log_text.splitlines()]
    mine = [line for line in lines if line.get("submission") == f"audit-{mark}"]
    assert [(line["action"], line["token"], line["organisation"]) for line in mine] == [
        ("publish", service.ids["beta"], "Beta Minerals"),
        ("withdraw", service.ids["beta"], "Beta Minerals"),
    ]
    assert mine[0]["path"] == "/streams" and mine[0]["status"] == "loaded"
    assert mine[1]["path"] == f"/submissions/audit-{mark}"
    assert all({"time", "token", "organisation", "action", "path"} <= set(line) for line in lines)
    assert any(
        line["action"] == "request" and line["token"] == service.ids["beta"] for line in lines
    )


GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def store_state(service: Service) -> dict[str, int]:
    """Quads per named graph, as an administrator's SPARQL query sees the whole store
    (through the service: opening its RocksDB store beside it is not safe)."""
    with service.client("admin") as client:
        answer = client.get(
            "/sparql",
            params={"query": GRAPH_SIZES},
            headers={"Accept": "application/sparql-results+json"},
        )
    assert answer.status_code == 200, answer.text
    rows = answer.json()["results"]["bindings"]
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


def test_rejected_and_oversized_uploads_store_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    seed = tmp_path / "seed.csv"
    seed.write_bytes(template(supply("seed-stream")))
    with opened_store(service_settings(store)) as opened:
        load_files([seed], opened, service_settings(store), publisher="Acme Metals")
    tokens, _ = make_tokens(store)
    limit = 4096
    live, running = start_server(service_settings(store, upload_limit=limit))
    service = Service(live, tokens, {})
    try:
        before = store_state(service)
        assert before, "the seed submission is there"
        mark = marker()
        bad = template(
            supply(f"good-{mark}"),
            supply(f"bad-{mark}", unit="bananas per fortnight"),
            supply(f"bad-{mark}"),  # the same identifier twice
        )
        rejected = service.post_csv("acme", f"bad-{mark}.csv", bad, lang="nb")
        assert rejected.status_code == 422, rejected.text
        report = rejected.json()["report"]
        assert report["conforms"] is False and report["violations"] >= 1
        located = [p for p in report["problems"] if p["row"] is not None and p["column"]]
        assert any(p["column"] == "unit" and p["row"] == 3 for p in located), report
        assert not service.visible("admin", f"good-{mark}")
        # Replacing the seed with a bad file leaves the seed as it was.
        bad_seed = service.post_csv("acme", "seed.csv", bad, replace="true")
        assert bad_seed.status_code == 422
        # Too large: refused from Content-Length, and while reading a chunked body.
        big = template(*(supply(f"big-{mark}-{n}") for n in range(60)))
        assert len(big) > limit
        assert service.post_csv("acme", f"big-{mark}.csv", big).status_code == 413

        def chunks() -> Iterator[bytes]:
            for start in range(0, len(big), 1000):
                yield big[start : start + 1000]

        with service.client("acme") as client:
            chunked = client.post(
                "/streams",
                params={"filename": f"big-{mark}.csv"},
                content=chunks(),
                headers={"Content-Type": "text/csv"},
            )
        assert chunked.status_code == 413
        with service.client("acme") as client:
            pdf = client.post(
                "/streams",
                params={"filename": "notes.pdf"},
                content=b"%PDF-1.4",
                headers={"Content-Type": "application/pdf"},
            )
        assert pdf.status_code == 415
        with service.client("acme") as client:
            no_name = client.post("/streams", content=b"x", headers={"Content-Type": "text/csv"})
        assert no_name.status_code == 400
        assert store_state(service) == before
        # An unreadable tokens file refuses tokens (500), never treats them as anonymous.
        tokens_path(live.settings).write_text("{not json", encoding="utf-8")
        assert service.post_csv("acme", "x.csv", b"identifier\n").status_code == 500
        assert service.visible(None, "seed-stream")
        tokens_path(live.settings).unlink()
        tokens, _ = make_tokens(store)
        service.tokens = tokens
        assert store_state(service) == before
        # ... and the comparison does see a write when one happens.
        assert service.post_csv("acme", f"ok-{mark}.csv", template(supply(f"ok-{mark}"))).is_success
        assert store_state(service) != before
    finally:
        stop_server(running)


def test_a_publisher_reports_a_new_year_of_its_own_streams_only(service: Service) -> None:
    mark = marker()
    stream = f"yearly-{mark}"
    first = service.post_csv("acme", f"acme-{mark}-2023.csv", template(supply(stream)))
    assert first.status_code == 201, first.text
    assert first.json()["year"] == 2023  # the file's latest reference_year
    later = template(supply(stream, quantity="1500", reference_year="2024"))
    # another publisher may not make a new version of it, whatever the year
    refused = service.post_csv("beta", f"beta-{mark}-2024.csv", later)
    assert refused.status_code == 422, refused.text
    assert "another publisher's stream" in refused.text
    # its own publisher may, for a later year; the earlier year is kept
    second = service.post_csv("acme", f"acme-{mark}-2024.csv", later, year="2024")
    assert second.status_code == 201, second.text
    assert (second.json()["year"], second.json()["revised"]) == (2024, 1)
    with service.client() as client:
        latest = client.get(f"/streams/{stream}", headers={"Accept": "application/json"}).json()
        earlier = client.get(
            f"/streams/{stream}", params={"year": 2023}, headers={"Accept": "application/json"}
        ).json()
    assert (latest["quantity"]["value"], earlier["quantity"]["value"]) == (1500, 1200)
    assert [v["year"] for v in latest["history"]] == [2023, 2024]
