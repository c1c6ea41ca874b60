"""The reporting cycle's commands: ``sidestream history``, ``sidestream diff``, and
``sidestream withdraw --stream`` (registered by ``catalogue.cli``)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from catalogue.access import ADMINISTRATOR, view_for


def add_commands(commands: Any, store_options: argparse.ArgumentParser, year: Any) -> None:
    """The parsers of ``history`` and ``diff``; ``year`` is the argparse type of a year."""
    history = commands.add_parser(
        "history",
        parents=[store_options],
        help="every version of a stream, year by year (quantity, composition, withdrawal), "
        "or an organisation's streams year by year",
    )
    history.add_argument("identifier", nargs="?", metavar="ID", help="the stream's identifier")
    history.add_argument(
        "--organisation", metavar="NAME", help="an organisation's name, instead of a stream"
    )
    history.add_argument("--json", action="store_true", help="print one JSON array, oldest first")

    diff = commands.add_parser(
        "diff",
        parents=[store_options],
        help="what changed in the catalogue between two reporting years",
    )
    diff.add_argument("before", type=year, metavar="YEAR", help="the earlier reporting year")
    diff.add_argument("after", type=year, metavar="YEAR", help="the later reporting year")
    diff.add_argument("--json", action="store_true", help="print one JSON array")


def run_history(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from catalogue.changes import stream_history
    from catalogue.cli import settings_for
    from catalogue.store import opened_store

    if (args.identifier is None) == (args.organisation is None):
        parser.error("history needs a stream ID or --organisation NAME")
    if args.organisation is not None:
        return _organisation_history(args)
    with opened_store(settings_for(args)) as store:
        versions = stream_history(
            store, view_for(store, ADMINISTRATOR, history=True), args.identifier
        )
    if not versions:
        print(f"sidestream: error: no stream {args.identifier!r}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps([version.to_dict() for version in versions], ensure_ascii=False))
        return 0
    for version in versions:
        quantity = "no quantity" if version.quantity is None else f"{version.quantity:,}"
        if version.quantity is not None and version.unit:
            quantity += f" {version.unit}"
        state = (
            "current"
            if version.current
            else f"withdrawn as of {version.until}"
            if version.withdrawn
            else f"replaced in {version.until}"
        )
        elements = ", ".join(
            f"{symbol} {float(fraction) * 100:.3g} %"
            for symbol, fraction in version.elements.items()
        )
        print(
            f"{version.year or 'unknown year'}  {quantity}  ({state})"
            + (f"  {elements}" if elements else "")
        )
    return 0


def _organisation_history(args: argparse.Namespace) -> int:
    from catalogue.changes import organisation_history
    from catalogue.cli import settings_for
    from catalogue.publish import slug
    from catalogue.store import opened_store

    settings = settings_for(args)
    iri = f"{settings.data_base}organisation/{slug(args.organisation)}"
    with opened_store(settings) as store:
        found = organisation_history(store, view_for(store, ADMINISTRATOR, history=True), iri)
    if not found.streams:
        print(f"sidestream: error: no organisation {args.organisation!r}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(found.to_dict(), ensure_ascii=False))
        return 0
    print("stream".ljust(48) + "".join(str(year).rjust(14) for year in found.years))
    for identifier, stream in sorted(found.streams.items()):
        cells = []
        for year in found.years:
            quantity = stream["quantities"].get(year, "absent")
            cells.append(
                "-"
                if quantity is None
                else str(quantity)
                if quantity == "absent"
                else f"{quantity:,.0f}"
            )
        unit = f" ({stream['unit']})" if stream["unit"] else ""
        print((identifier + unit)[:47].ljust(48) + "".join(cell.rjust(14) for cell in cells))
    for year, units in found.totals().items():
        sums = ", ".join(f"{total:,.0f} {unit}" for unit, total in sorted(units.items()))
        print(f"total {year}: {sums or 'no quantities'}")
    return 0


def run_diff(args: argparse.Namespace) -> int:
    from catalogue.changes import diff
    from catalogue.cli import settings_for
    from catalogue.store import opened_store

    with opened_store(settings_for(args)) as store:
        changes = diff(
            store,
            view_for(store, ADMINISTRATOR, args.before),
            view_for(store, ADMINISTRATOR, args.after),
        )
    if args.json:
        print(json.dumps([change.to_dict() for change in changes], ensure_ascii=False))
        return 0
    for change in changes:
        print(f"{change.kind}: {change.identifier} ({change.name})")
        for column, (before, after) in change.columns.items():
            print(f"    {column}: {_cell(before)} -> {_cell(after)}")
    if not changes:
        print(f"no changes between {args.before} and {args.after}")
    return 0


def _cell(text: str | None) -> str:
    if text is None:
        return "(empty)"
    return repr(text if len(text) <= 60 else text[:57] + "...")
