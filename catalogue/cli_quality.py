"""``sidestream quality``: the data-quality scores of the catalogue's streams, or one
stream's score with what lowered it (``catalogue.quality``; registered by ``catalogue.cli``).

The command line is the store's operator: it reads the catalogue as an administrator does,
latest versions unless ``--year`` says otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from catalogue import lookup
from catalogue.access import ADMINISTRATOR, view_for
from catalogue.store.base import CatalogueStore, View

PAGE = 200


def add_commands(
    commands: Any, store_options: argparse.ArgumentParser, as_of: argparse.ArgumentParser
) -> None:
    """The parser of ``quality``; ``as_of`` gives its ``--year``."""
    quality = commands.add_parser(
        "quality",
        parents=[store_options, as_of],
        help="data-quality scores of the streams, lowest first, or one stream's score and "
        "what lowered it",
    )
    quality.add_argument("identifier", nargs="?", metavar="ID", help="one stream's identifier")
    quality.add_argument(
        "--min", type=_score, default=None, metavar="SCORE", help="only scores of at least this"
    )
    quality.add_argument("--json", action="store_true", help="print JSON")


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")


def _score(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"a score from 0 to 1, not {text!r}")
    return value


def run_quality(args: argparse.Namespace) -> int:
    from catalogue.cli import settings_for
    from catalogue.store import opened_store

    with opened_store(settings_for(args)) as store:
        view = view_for(store, ADMINISTRATOR, args.year)
        if args.identifier is not None:
            return _one(store, view, args.identifier, args.json)
        rows = _every(store, view, args.min)
    rows.sort(key=lambda item: (item["quality"] is None, item["quality"], item["identifier"]))
    if args.json:
        _say(json.dumps(rows, ensure_ascii=False))
        return 0
    for item in rows:
        score = "  -  " if item["quality"] is None else f"{item['quality']:.2f}"
        _say(f"{score}  {item['identifier']}  {item['name'] or ''}".rstrip())
    return 0


def _every(store: CatalogueStore, view: View, minimum: float | None) -> list[dict[str, Any]]:
    filters = lookup.StreamFilters(min_quality=minimum)
    rows: list[dict[str, Any]] = []
    page = 1
    while True:
        found = lookup.list_streams(store, view, filters, page=page, per_page=PAGE)
        rows += [
            {key: item[key] for key in ("identifier", "name", "quality")} for item in found.items
        ]
        if page * PAGE >= found.total:
            return rows
        page += 1


def _one(store: CatalogueStore, view: View, identifier: str, as_json: bool) -> int:
    found = lookup.stream_description(store, view, identifier)
    quality = lookup.stream_summary(*found)["quality"] if found is not None else None
    if quality is None:
        sys.stderr.write(f"sidestream: error: no stream {identifier!r} with a quality score\n")
        return 1
    if as_json:
        _say(json.dumps({"identifier": identifier, **quality}, ensure_ascii=False))
        return 0
    _say(f"{identifier}: quality {quality['score']:.2f}")
    for label, key in (
        ("completeness", "completeness"),
        ("plausibility", "plausibility"),
        ("composition basis", "basis"),
        ("recency", "age"),
    ):
        if quality[key] is not None:
            _say(f"  {label}: {quality[key]:.2f}")
    for issue in quality["issues"]["en"]:
        _say(f"  - {issue}")
    return 0
