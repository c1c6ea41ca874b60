"""``sidestream backup`` / ``restore``: the catalogue comes back exactly, a damaged archive
is refused and leaves the store alone.

Embedded: the demo catalogue with a token (so a tokens file and an audit log sit beside the
store) is backed up, changed, and restored; quads (blank nodes included: the checkpoint is
the store's own files), the ``submissions`` listing and the tokens file must be what they
were. Remote: the same on a real Oxigraph server, quads compared after canonicalising
blank nodes (the dump is N-Quads, loaded again as new Skolem IRIs on the server).
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from pyoxigraph import CanonicalizationAlgorithm, Dataset

from catalogue.access import Role
from catalogue.cli import main
from catalogue.config import Settings
from catalogue.store import opened_store
from catalogue.tokens import create_token, tokens_path
from tests.oxigraph_server import start_oxigraph

SMALL = """identifier,kind,name,organisation,material,quantity,unit
zz-backup-probe,supply,Probe slag,Probe Works,steelmaking slag,5,kt/a
"""


def run(*arguments: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(arguments))
    return code, out.getvalue()


def catalogue_state(options: list[str], settings: Settings) -> tuple[str, list[str]]:
    """The ``submissions --json`` listing and every quad of the store, blank nodes in a
    canonical form."""
    code, listing = run("submissions", "--json", *options)
    assert code == 0
    with opened_store(settings) as store:
        dataset = Dataset(store.quads())
    dataset.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    return listing, sorted(map(str, dataset))


def damaged_copies(archive: Path, folder: Path) -> dict[str, Path]:
    """The archive with one byte changed, cut short, and with a member changed under an
    intact manifest (a well-formed archive whose checksums do not match)."""
    data = archive.read_bytes()
    flipped = folder / "flipped.tar.gz"
    middle = len(data) // 2
    flipped.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :])
    cut = folder / "cut.tar.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    altered = folder / "altered.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(altered, "w:gz") as target:
        for member in source:
            content = source.extractfile(member)
            body = content.read() if content is not None else b""
            if member.name == "tokens.json":
                body = body.replace(b"publisher", b"administrator")
                member.size = len(body)
            target.addfile(member, io.BytesIO(body))
    return {"flipped": flipped, "cut": cut, "altered": altered}


def test_embedded_backup_restores_exactly_and_refuses_damage(tmp_path: Path) -> None:
    site = tmp_path / "site"
    store = site / "store"
    options = ["--store", str(store)]
    settings = Settings(store=store)
    assert run("load", "--demo", *options)[0] == 0
    create_token(tokens_path(settings), "Probe Works", Role.PUBLISHER)
    (site / "audit.jsonl").write_text('{"action": "probe"}\n', encoding="utf-8")
    with opened_store(settings) as opened:
        exact = sorted(map(str, opened.quads()))
    before = catalogue_state(options, settings)
    tokens = tokens_path(settings).read_bytes()

    archive = tmp_path / "backups" / "catalogue.tar.gz"
    code, said = run("backup", str(archive), *options)
    # the demo's reporting rounds: the 2020 report, deposits, exchanges, the 2021 report
    assert code == 0 and "backed up 4 submissions" in said
    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("MANIFEST.json").read())  # type: ignore[union-attr]
    assert names[-1] == "MANIFEST.json" and {"tokens.json", "audit.jsonl"} <= set(names)
    assert set(manifest["files"]) == set(names) - {"MANIFEST.json"}
    assert manifest["backend"] == "embedded" and manifest["quads"] == len(exact)

    # Change everything the archive holds.
    probe = tmp_path / "probe.csv"
    probe.write_text(SMALL, encoding="utf-8")
    assert run("withdraw", "prosess21-demo", *options)[0] == 0
    assert run("load", str(probe), *options)[0] == 0
    tokens_path(settings).write_text("[]", encoding="utf-8")
    changed = catalogue_state(options, settings)
    assert changed != before

    # Refused without --force: the store is not empty.
    assert run("restore", str(archive), *options)[0] == 1
    assert catalogue_state(options, settings) == changed

    # Damaged archives are refused, naming the archive, and the store stays as it was.
    for kind, copy in damaged_copies(archive, tmp_path).items():
        err = io.StringIO()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("sys.stderr", err)
            code, _ = run("restore", str(copy), "--force", *options)
        assert code == 1, kind
        assert str(copy) in err.getvalue() and "damaged" in err.getvalue(), (kind, err.getvalue())
        if kind == "altered":
            assert "tokens.json does not match its SHA-256" in err.getvalue()
        assert catalogue_state(options, settings) == changed, kind
        assert tokens_path(settings).read_text(encoding="utf-8") == "[]", kind

    code, said = run("restore", str(archive), "--force", *options)
    assert code == 0 and "restored 4 submissions" in said
    with opened_store(settings) as opened:
        assert sorted(map(str, opened.quads())) == exact
    assert catalogue_state(options, settings) == before
    assert tokens_path(settings).read_bytes() == tokens
    assert (site / "audit.jsonl").read_text(encoding="utf-8") == '{"action": "probe"}\n'
    assert not [p.name for p in site.iterdir() if p.name.startswith(".") or "replaced" in p.name]

    # Into a new place, no --force needed; matching works on the restored store.
    elsewhere = tmp_path / "elsewhere" / "store"
    assert run("restore", str(archive), "--store", str(elsewhere))[0] == 0
    assert catalogue_state(["--store", str(elsewhere)], Settings(store=elsewhere)) == before
    code, matched = run("match", "--element", "Ca", "--json", "--store", str(elsewhere))
    assert code == 0 and json.loads(matched) == json.loads(
        run("match", "--element", "Ca", "--json", *options)[1]
    )


def test_an_archive_that_is_not_one_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "store"
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(gzip.compress(b"not a tar file at all"))
    err = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stderr", err)
        assert run("restore", str(junk), "--store", str(store))[0] == 1
        assert run("restore", str(tmp_path / "missing.tar.gz"), "--store", str(store))[0] == 1
        assert run("backup", str(junk), "--store", str(tmp_path / "nothing"))[0] == 1
    assert f"{junk} is damaged" in err.getvalue()
    assert "no backup archive at" in err.getvalue() and "no store at" in err.getvalue()
    assert not store.exists()


def test_remote_backup_restores_the_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIDESTREAM_TOKENS", str(tmp_path / "local" / "tokens.json"))
    with start_oxigraph(tmp_path) as server:
        options = ["--endpoint", server.query, "--update-endpoint", server.update]
        options += ["--gsp-endpoint", server.gsp]
        settings = Settings(endpoint=server.query, update_endpoint=server.update)
        assert run("load", "--demo", *options)[0] == 0
        before = catalogue_state(options, settings)
        archive = tmp_path / "remote.tar.gz"
        assert run("backup", str(archive), *options)[0] == 0
        assert run("withdraw", "prosess21-demo", *options)[0] == 0
        probe = tmp_path / "probe.csv"
        probe.write_text(SMALL, encoding="utf-8")
        assert run("load", str(probe), *options)[0] == 0
        assert run("restore", str(archive), *options)[0] == 1  # not empty
        assert run("restore", str(archive), "--force", *options)[0] == 0
        assert catalogue_state(options, settings) == before
        assert run("restore", str(archive), "--store", str(tmp_path / "store"))[0] == 1
