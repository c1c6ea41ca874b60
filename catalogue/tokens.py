"""API tokens: each bound to one organisation and one role, stored only as hashes.

A token is ``secrets.token_urlsafe(32)`` (256 random bits), shown once when it is
created and never again. The tokens file (``tokens.json`` beside the store unless
``Settings.tokens`` says otherwise) keeps, per token, an identifier that is safe to
show and log, the SHA-256 of the token, the organisation, the role, a label, when it
was created and whether it is revoked.

Why a plain SHA-256 and not a password hash (bcrypt, scrypt, Argon2): those are slow
on purpose so that guessing a *low-entropy* secret from its hash is expensive. A
256-bit random token cannot be guessed whatever the hash costs, so a fast hash loses
nothing, and it lets every request be checked without a deliberately slow step.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from catalogue import audit
from catalogue.access import Caller, Role
from catalogue.config import Settings, local_folder
from catalogue.errors import SidestreamError

TOKEN_ROLES = (Role.READER, Role.PUBLISHER, Role.ADMINISTRATOR)
"""The roles a token can carry (anonymous is the absence of a token)."""


class TokenError(SidestreamError):
    """A token cannot be created or revoked as asked, or the tokens file is unreadable."""


@dataclass(frozen=True)
class TokenRecord:
    """One token as stored: everything but the token itself."""

    id: str
    """Short public identifier, shown by ``token list`` and written to the audit log."""
    hash: str
    """``sha256:`` and the hex digest of the token."""
    organisation: str
    role: Role
    label: str
    created: str
    """ISO 8601, UTC, to the second."""
    revoked: bool = False

    @property
    def caller(self) -> Caller:
        return Caller(self.role, self.organisation)

    def public(self) -> dict[str, object]:
        """The record without its hash, for listings."""
        data = asdict(self)
        del data["hash"]
        data["role"] = str(self.role)
        return data


def tokens_path(settings: Settings) -> Path:
    """The tokens file: ``settings.tokens``, else ``tokens.json`` in ``local_folder``
    (beside the store folder; the per-user data directory on a remote store)."""
    return settings.tokens or local_folder(settings) / "tokens.json"


def hash_token(token: str) -> str:
    return "sha256:" + hashlib.sha256(token.encode("utf-8")).hexdigest()


def _read(path: Path) -> list[TokenRecord]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as error:
        raise TokenError(f"cannot read the tokens file {path}: {error}") from error
    try:
        return [TokenRecord(**{**entry, "role": Role(entry["role"])}) for entry in data["tokens"]]
    except (KeyError, TypeError, ValueError) as error:
        raise TokenError(f"the tokens file {path} is malformed: {error}") from error


def _write(path: Path, records: list[TokenRecord]) -> None:
    """Replace the file atomically: a reader sees the old list or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(
        {"tokens": [{**asdict(r), "role": str(r.role)} for r in records]},
        indent=2,
        ensure_ascii=False,
    )
    # mkstemp creates the file 0600: hashes are not secrets, but nobody else needs them.
    handle, temporary = tempfile.mkstemp(prefix=".tokens-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for a read-modify-write, so two ``token create`` commands
    run at once do not lose one of the tokens (POSIX only; elsewhere unlocked)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def create_token(
    path: Path,
    organisation: str,
    role: Role | str,
    label: str = "",
    *,
    now: datetime | None = None,
    audit_log: Path | None = None,
) -> tuple[str, TokenRecord]:
    """A new token and its record; the token is returned here only and stored nowhere.

    With ``audit_log``, the creation is recorded there (identifier, organisation, role).
    """
    organisation = organisation.strip()
    if not organisation:
        raise TokenError("a token needs an organisation")
    try:
        role = Role(role)
    except ValueError:
        raise TokenError(
            f"unknown role {role!r}: use one of {', '.join(map(str, TOKEN_ROLES))}"
        ) from None
    if role not in TOKEN_ROLES:
        raise TokenError(f"a token cannot carry the role {role}")
    token = secrets.token_urlsafe(32)
    with _locked(path):
        records = _read(path)
        taken = {r.id for r in records}
        identifier = secrets.token_hex(4)
        while identifier in taken:
            identifier = secrets.token_hex(4)
        record = TokenRecord(
            id=identifier,
            hash=hash_token(token),
            organisation=organisation,
            role=role,
            label=label,
            created=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        )
        _write(path, [*records, record])
    if audit_log is not None:
        _audit(audit_log, "token-created", record)
    return token, record


def _audit(log: Path, action: str, record: TokenRecord) -> None:
    audit.record(
        log,
        action=action,
        token=record.id,
        organisation=record.organisation,
        path="sidestream token",
        role=str(record.role),
        label=record.label,
    )


def list_tokens(path: Path) -> list[TokenRecord]:
    return _read(path)


def revoke_token(path: Path, identifier: str, *, audit_log: Path | None = None) -> TokenRecord:
    """Mark a token revoked (kept, so the audit log's identifiers still resolve); with
    ``audit_log``, record the revocation there."""
    with _locked(path):
        records = _read(path)
        for index, record in enumerate(records):
            if record.id == identifier:
                records[index] = replace(record, revoked=True)
                _write(path, records)
                if audit_log is not None:
                    _audit(audit_log, "token-revoked", records[index])
                return records[index]
    raise TokenError(f"no token {identifier!r}")


def find_token(records: list[TokenRecord], token: str) -> TokenRecord | None:
    """The record of ``token`` (revoked ones too: the caller decides), or None.

    Every record is compared, with ``hmac.compare_digest``, so the time taken says
    nothing about how much of a hash matched or where in the list a token is.
    """
    digest = hash_token(token)
    found = None
    for record in records:
        if hmac.compare_digest(record.hash, digest):
            found = record
    return found


class TokenFile:
    """The tokens file as a long-running service reads it: re-read only when it changed.

    Checked on every request (one ``stat``), so a token created or revoked with the
    command line takes effect at once without restarting the service.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int, int] | None = None
        self._records: list[TokenRecord] = []

    def records(self) -> list[TokenRecord]:
        try:
            status = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._records = None, []
            return []
        # os.replace gives a new inode, so the stamp changes even within one mtime tick.
        stamp = (status.st_ino, status.st_mtime_ns, status.st_size)
        if stamp != self._stamp:
            self._records = _read(self.path)
            self._stamp = stamp
        return self._records

    def lookup(self, token: str) -> TokenRecord | None:
        return find_token(self.records(), token)
