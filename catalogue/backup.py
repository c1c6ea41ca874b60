"""Backing up and restoring the catalogue: one archive with a SHA-256 manifest.

An archive is a gzip-compressed tar file holding

- ``store/``: a RocksDB checkpoint of the embedded store (``Store.backup``: a consistent
  copy at one moment, written while the store stays open), or ``store.nq``: the N-Quads of
  every graph of a remote store's catalogue (the catalogue graph and every graph it
  registers);
- ``tokens.json`` and ``audit.jsonl``, when they exist beside the store
  (``catalogue.config.local_folder``);
- ``MANIFEST.json``, last: the format, the backend, the counts, and the size and SHA-256 of
  every other member.

Restoring reads the whole archive and checks every member against the manifest before
anything is changed; a damaged archive is refused and the store is left as it was.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO

import pyoxigraph
from pyoxigraph import NamedNode, RdfFormat

from catalogue.access import ADMINISTRATOR, view_for
from catalogue.audit import audit_path
from catalogue.config import Settings
from catalogue.errors import SidestreamError
from catalogue.publish import catalogue_graph, submissions
from catalogue.store.base import CatalogueStore, SubmissionWrite
from catalogue.store.oxigraph import OxigraphStore
from catalogue.tokens import tokens_path

FORMAT = "sidestream-backup/1"
MANIFEST = "MANIFEST.json"
STORE = "store"
DUMP = "store.nq"
TOKENS = "tokens.json"
AUDIT = "audit.jsonl"
CHUNK = 1 << 20


class BackupError(SidestreamError):
    """A backup could not be made, or an archive cannot be restored (nothing was changed)."""


@dataclass(frozen=True)
class Summary:
    """What an archive holds, as its manifest says."""

    backend: str
    quads: int
    submissions: int
    files: int
    sha256: str
    """SHA-256 of the manifest itself: one figure that names the archive's whole content."""

    def described(self) -> str:
        return (
            f"{self.submissions} submissions ({self.quads} quads, {self.files} files; "
            f"manifest sha256:{self.sha256})"
        )


def _digest(handle: IO[bytes]) -> tuple[int, str]:
    sha, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        sha.update(chunk)
        size += len(chunk)
    return size, sha.hexdigest()


# Backup ------------------------------------------------------------------------------


def backup(store: CatalogueStore, settings: Settings, archive: Path) -> Summary:
    """Write ``store`` (with the tokens file and audit log beside it) to ``archive``.

    The archive is written under a temporary name in its folder and renamed when complete,
    so a file at ``archive`` is never half an archive.
    """
    archive = archive.resolve()
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".sidestream-backup-", dir=_work_folder(store)) as t:
        staging = Path(t)
        members: list[tuple[str, Path]] = []
        if isinstance(store, OxigraphStore):
            backend = "embedded"
            store.raw.backup(str(staging / STORE))
            quads = _count(staging / STORE)
            members += [
                (f"{STORE}/{path.relative_to(staging / STORE).as_posix()}", path)
                for path in sorted((staging / STORE).rglob("*"))
                if path.is_file()
            ]
        else:
            backend = "remote"
            quads = _dump(store, settings, staging / DUMP)
            members.append((DUMP, staging / DUMP))
        for name, path in ((TOKENS, tokens_path(settings)), (AUDIT, audit_path(settings))):
            if path.is_file():
                # a copy: the audit log may grow while the archive is written, and the hash
                # must be of exactly the bytes archived
                shutil.copyfile(path, staging / name)
                members.append((name, staging / name))
        files: dict[str, dict[str, int | str]] = {}
        partial = archive.with_name(f".{archive.name}.{uuid.uuid4().hex[:8]}.partial")
        try:
            with tarfile.open(partial, "w:gz", compresslevel=3) as tar:
                for name, path in members:
                    with path.open("rb") as handle:
                        size, sha256 = _digest(handle)
                        files[name] = {"size": size, "sha256": sha256}
                        handle.seek(0)
                        tar.addfile(_entry(name, size), handle)
                manifest = {
                    "format": FORMAT,
                    "created": datetime.now(UTC).isoformat(timespec="seconds"),
                    "backend": backend,
                    "quads": quads,
                    "submissions": len(submissions(store)),
                    "files": files,
                }
                text = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
                tar.addfile(_entry(MANIFEST, len(text)), io.BytesIO(text))
            partial.replace(archive)
        finally:
            partial.unlink(missing_ok=True)
    return _summary(manifest, text)


def _count(folder: Path) -> int:
    """Quads in the embedded store at ``folder``, opened read-only (what was archived)."""
    opened = pyoxigraph.Store.read_only(str(folder))
    try:
        return len(opened)
    finally:
        del opened


def _work_folder(store: CatalogueStore) -> Path | None:
    """Beside the embedded store, so its checkpoint is hard links on the same file system."""
    if isinstance(store, OxigraphStore) and store.path is not None:
        return store.path.resolve().parent
    return None


def _entry(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(datetime.now(UTC).timestamp())
    return info


def _catalogue_graphs(store: CatalogueStore, settings: Settings) -> list[NamedNode]:
    """The catalogue graph and every graph it registers, with their inferences: every
    reporting year's, history graphs included."""
    graphs = set(view_for(store, ADMINISTRATOR, history=True).graphs or ())
    graphs.add(catalogue_graph(settings))
    present = set(store.named_graphs())
    return sorted(graphs & present, key=lambda graph: graph.value)


def _dump(store: CatalogueStore, settings: Settings, path: Path) -> int:
    count = 0
    with path.open("wb") as handle:
        for graph in _catalogue_graphs(store, settings):
            quads = list(store.quads(graph))
            count += len(quads)
            pyoxigraph.serialize(quads, handle, RdfFormat.N_QUADS)
    return count


def _summary(manifest: dict[str, object], text: bytes) -> Summary:
    files = manifest["files"]
    assert isinstance(files, dict)
    return Summary(
        backend=str(manifest["backend"]),
        quads=int(manifest["quads"]),  # type: ignore[call-overload]
        submissions=int(manifest["submissions"]),  # type: ignore[call-overload]
        files=len(files),
        sha256=hashlib.sha256(text).hexdigest(),
    )


# Restore -----------------------------------------------------------------------------


def _damaged(archive: Path, why: str) -> BackupError:
    return BackupError(f"the backup archive {archive} is damaged or not a sidestream backup: {why}")


def _safe_name(archive: Path, name: str) -> str:
    """``name`` if it is one an archive of ours has: relative, no ``..``, known top level."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise _damaged(archive, f"member {name!r} points outside the archive")
    if path.parts[0] != STORE and name not in {MANIFEST, DUMP, TOKENS, AUDIT}:
        raise _damaged(archive, f"unexpected member {name!r}")
    return path.as_posix()


def verify(archive: Path, into: Path) -> tuple[dict[str, object], bytes]:
    """Unpack ``archive`` into the folder ``into`` and check it against its manifest.

    Raises :class:`BackupError` naming the archive and the member that fails; returns the
    manifest (parsed and as its bytes).
    """
    if not archive.is_file():
        raise BackupError(f"no backup archive at {archive}")
    found: dict[str, tuple[int, str]] = {}
    text: bytes | None = None
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                name = _safe_name(archive, member.name)
                if member.isdir():
                    continue
                if not member.isfile():
                    raise _damaged(archive, f"member {name!r} is not a regular file")
                source = tar.extractfile(member)
                assert source is not None
                if name == MANIFEST:
                    text = source.read()
                    continue
                target = into / name
                target.parent.mkdir(parents=True, exist_ok=True)
                with target.open("wb") as handle:
                    shutil.copyfileobj(source, handle, CHUNK)
                with target.open("rb") as handle:
                    found[name] = _digest(handle)
    except (tarfile.TarError, OSError, EOFError) as error:
        raise _damaged(archive, str(error)) from error
    if text is None:
        raise _damaged(archive, f"it has no {MANIFEST}")
    try:
        manifest = json.loads(text)
        listed = {
            name: (int(entry["size"]), str(entry["sha256"]))
            for name, entry in manifest["files"].items()
        }
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise _damaged(archive, f"its {MANIFEST} cannot be read ({error})") from error
    if manifest.get("format") != FORMAT:
        raise _damaged(archive, f"format {manifest.get('format')!r}, not {FORMAT!r}")
    for name in sorted(set(listed) | set(found)):
        if name not in found:
            raise _damaged(archive, f"{name} is listed in the manifest but missing")
        if name not in listed:
            raise _damaged(archive, f"{name} is not listed in the manifest")
        if found[name] != listed[name]:
            raise _damaged(archive, f"{name} does not match its SHA-256 in the manifest")
    return manifest, text


def restore(archive: Path, settings: Settings, *, force: bool = False) -> Summary:
    """Replace the catalogue (store, tokens file, audit log) by what ``archive`` holds.

    Everything is checked first (:func:`verify`); a store or file that exists and is not
    empty is replaced only with ``force``. The embedded store is unpacked beside the store
    folder, opened and counted, then swapped in with one ``rename``; the tokens file and
    audit log are each replaced by one ``rename``. A remote store's catalogue is written
    as one change (``CatalogueStore.write``), replacing every graph the server held.
    """
    archive = archive.resolve()
    if settings.endpoint:
        return _restore_remote(archive, settings, force=force)
    target = settings.store.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{target.name}.restore-", dir=target.parent) as t:
        unpacked = Path(t)
        manifest, text = verify(archive, unpacked)
        if manifest.get("backend") != "embedded":
            raise BackupError(
                f"{archive} is a backup of a remote store: restore it with --endpoint, or load "
                "its store.nq"
            )
        _refuse_to_overwrite(settings, manifest, force=force, store_is_empty=_empty(target))
        restored = unpacked / STORE
        if (count := _count(restored)) != manifest["quads"]:
            raise _damaged(
                archive, f"its store holds {count} quads, not the {manifest['quads']} listed"
            )
        _swap_folder(restored, target)
        _put_local_files(unpacked, settings, manifest)
    return _summary(manifest, text)


def _restore_remote(archive: Path, settings: Settings, *, force: bool) -> Summary:
    from catalogue.store.open import opened_store

    with tempfile.TemporaryDirectory(prefix=".sidestream-restore-") as t:
        unpacked = Path(t)
        manifest, text = verify(archive, unpacked)
        if manifest.get("backend") != "remote":
            raise BackupError(
                f"{archive} is a backup of an embedded store: restore it with --store"
            )
        with opened_store(settings) as store:
            existing = store.named_graphs()
            _refuse_to_overwrite(settings, manifest, force=force, store_is_empty=not existing)
            with (unpacked / DUMP).open("rb") as handle:
                quads = list(pyoxigraph.parse(handle, RdfFormat.N_QUADS))
            if len(quads) != manifest["quads"]:
                raise _damaged(archive, f"{DUMP} holds {len(quads)} quads, not its count")
            # The catalogue graph is the metadata graph, so a store written empty gets the
            # registrations last and a replacing write shows old or new, never a mix.
            store.write(
                SubmissionWrite(quads, replaces=existing, metadata_graph=catalogue_graph(settings))
            )
        _put_local_files(unpacked, settings, manifest)
    return _summary(manifest, text)


def _empty(store: Path) -> bool:
    if not store.exists() or not any(store.iterdir()):
        return True
    opened = OxigraphStore(store)
    try:
        return len(opened.raw) == 0
    finally:
        opened.close()


def _refuse_to_overwrite(
    settings: Settings, manifest: dict[str, object], *, force: bool, store_is_empty: bool
) -> None:
    if force:
        return
    where = settings.endpoint or settings.store
    if not store_is_empty:
        raise BackupError(f"the store at {where} is not empty; restore with --force to replace it")
    files = manifest["files"]
    assert isinstance(files, dict)
    for name, path in ((TOKENS, tokens_path(settings)), (AUDIT, audit_path(settings))):
        if name in files and path.exists() and path.stat().st_size > 0:
            raise BackupError(f"{path} exists; restore with --force to replace it")


def _put_local_files(unpacked: Path, settings: Settings, manifest: dict[str, object]) -> None:
    files = manifest["files"]
    assert isinstance(files, dict)
    for name, path in ((TOKENS, tokens_path(settings)), (AUDIT, audit_path(settings))):
        if name in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
            shutil.copyfile(unpacked / name, partial)
            partial.chmod(0o600)
            partial.replace(path)


# Swapping a folder in ------------------------------------------------------------------

_RENAME_EXCHANGE = 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where the
    system or file system cannot."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_cwd = -100
    result = renameat2(
        at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), ctypes.c_uint(_RENAME_EXCHANGE)
    )
    return result == 0


def _swap_folder(new: Path, target: Path) -> None:
    """Put the folder ``new`` at ``target``; whatever was there is deleted afterwards.

    Where the system swaps two paths in one step, a reader of ``target`` finds the old
    store or the new one, never none; elsewhere the old one is first renamed aside (to
    ``<target>.replaced-<time>``, kept if the second rename fails).
    """
    if not target.exists():
        new.rename(target)
        return
    if _exchange(new, target):
        shutil.rmtree(new)
        return
    aside = target.with_name(f"{target.name}.replaced-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
    target.rename(aside)
    new.rename(target)
    shutil.rmtree(aside)
