"""API tokens: created once, stored only hashed, found by hash, revocable; the CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from catalogue import audit
from catalogue.access import Caller, Role
from catalogue.cli import main
from catalogue.config import Settings
from catalogue.tokens import (
    TokenError,
    TokenFile,
    create_token,
    find_token,
    list_tokens,
    revoke_token,
    tokens_path,
)


def test_tokens_file_defaults_to_beside_the_store_and_can_be_set(tmp_path: Path) -> None:
    assert tokens_path(Settings(store=tmp_path / "store")) == tmp_path / "tokens.json"
    elsewhere = tmp_path / "secret" / "t.json"
    assert tokens_path(Settings(store=tmp_path / "store", tokens=elsewhere)) == elsewhere


def test_a_token_is_random_stored_only_as_a_hash_and_found_by_it(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    token, record = create_token(path, "Acme Metals", Role.PUBLISHER, "upload robot")
    other, _ = create_token(path, "Beta", "reader")
    assert token != other and len(token) >= 43  # 32 random bytes, base64url
    text = path.read_text(encoding="utf-8")
    assert token not in text and other not in text
    assert record.hash in text and record.hash.startswith("sha256:")
    assert os.stat(path).st_mode & 0o077 == 0, "only the owner reads the tokens file"
    records = list_tokens(path)
    assert [r.organisation for r in records] == ["Acme Metals", "Beta"]
    found = find_token(records, token)
    assert found is not None and found.id == record.id
    assert found.caller == Caller(Role.PUBLISHER, "Acme Metals")
    assert find_token(records, token + "x") is None
    assert "hash" not in record.public()


def test_revoked_tokens_stay_listed_and_unknown_ones_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    token, record = create_token(path, "Acme", Role.PUBLISHER)
    assert revoke_token(path, record.id).revoked
    found = find_token(list_tokens(path), token)
    assert found is not None and found.revoked
    with pytest.raises(TokenError):
        revoke_token(path, "no-such-id")


@pytest.mark.parametrize(
    ("organisation", "role"), [("", "publisher"), ("Acme", "anonymous"), ("Acme", "king")]
)
def test_a_token_needs_an_organisation_and_a_real_role(
    tmp_path: Path, organisation: str, role: str
) -> None:
    with pytest.raises(TokenError):
        create_token(tmp_path / "tokens.json", organisation, role)
    assert not (tmp_path / "tokens.json").exists()


def test_the_service_reader_sees_new_and_revoked_tokens_without_restart(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    tokens = TokenFile(path)
    assert tokens.lookup("anything") is None  # no file yet
    token, record = create_token(path, "Acme", Role.READER)
    assert tokens.lookup(token) == record
    revoke_token(path, record.id)
    found = tokens.lookup(token)
    assert found is not None and found.revoked


def test_cli_creates_lists_and_revokes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = str(tmp_path / "store")
    assert (
        main(["token", "create", "--organisation", "Acme", "--label", "ci", "--store", store]) == 0
    )
    token = capsys.readouterr().out.strip()
    assert len(token) >= 43 and token not in (tmp_path / "tokens.json").read_text()
    assert main(["token", "list", "--json", "--store", store]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["organisation"] == "Acme" and listed[0]["role"] == "publisher"
    assert token not in json.dumps(listed) and "hash" not in listed[0]
    assert main(["token", "revoke", listed[0]["id"], "--store", store]) == 0
    assert main(["token", "list", "--store", store]) == 0
    assert "REVOKED" in capsys.readouterr().out
    assert main(["token", "revoke", "nope", "--store", store]) == 1


def test_audit_lines_are_appended_as_json(tmp_path: Path) -> None:
    log = audit.audit_path(Settings(store=tmp_path / "store"))
    audit.record(log, action="publish", token="abc", organisation="Acme", path="/streams")
    audit.record(log, action="withdraw", token="abc", organisation="Acme", path="/x", n=1)
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [line["action"] for line in lines] == ["publish", "withdraw"]
    assert lines[1] | {"time": None} == {
        "time": None,
        "token": "abc",
        "organisation": "Acme",
        "action": "withdraw",
        "path": "/x",
        "n": 1,
    }
