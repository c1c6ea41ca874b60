"""The audit log: one JSON line per use of an API token, appended, never rewritten.

Lives beside the store (``audit.jsonl`` in the store folder's parent, next to the tokens
file; on a remote store, see ``catalogue.config.local_folder``). Each line has ``time``,
``token`` (the token's public identifier, never the token), ``organisation``, ``action``
and ``path``, plus what the action adds (the submission a publish or withdrawal
touched).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from catalogue.config import Settings, local_folder


def audit_path(settings: Settings) -> Path:
    """``audit.jsonl`` in ``local_folder``: beside the store, or with the tokens on a remote one."""
    return local_folder(settings) / "audit.jsonl"


def record(
    log: Path,
    *,
    action: str,
    token: str | None,
    organisation: str | None,
    path: str,
    **details: str | int | None,
) -> None:
    """Append one line to ``log``.

    One ``write`` on a file opened with ``O_APPEND``: the kernel places each write at the
    end, so lines from concurrent requests (threads or processes) never interleave or
    overwrite each other, and nothing ever truncates the file.
    """
    entry = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "token": token,
        "organisation": organisation,
        "action": action,
        "path": path,
        **details,
    }
    line = (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    log.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(handle, line)
    finally:
        os.close(handle)
