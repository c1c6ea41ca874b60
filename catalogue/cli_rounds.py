"""The commands of effects and reporting rounds: ``sidestream effects`` and ``sidestream
round open|status|templates`` (registered by ``catalogue.cli``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from catalogue.access import ADMINISTRATOR, ANONYMOUS, view_for


def add_commands(
    commands: Any,
    store_options: argparse.ArgumentParser,
    year: Any,
    as_of: argparse.ArgumentParser,
) -> None:
    """The parsers of ``effects`` and ``round``; ``year`` is the argparse type of a year,
    ``as_of`` gives ``effects`` its ``--year``."""
    effects = commands.add_parser(
        "effects",
        parents=[store_options, as_of],
        help="the exchanges' effect on water, resources, energy, waste and CO2, summed per "
        "region or symbiosis (public exchanges)",
    )
    effects.add_argument(
        "--by", choices=["region", "symbiosis"], default="region", help="default region"
    )
    effects.add_argument("--json", action="store_true", help="print one JSON array")

    rounds = commands.add_parser(
        "round", help="yearly reporting rounds: open one, who has reported, templates"
    )
    actions = rounds.add_subparsers(dest="action", metavar="ACTION", required=True)
    opening = actions.add_parser(
        "open", parents=[store_options], help="open the reporting round for a year"
    )
    opening.add_argument("year", type=year, metavar="YEAR")
    opening.add_argument(
        "--by", default="administrator", metavar="NAME", help="who opens it (recorded)"
    )
    status = actions.add_parser(
        "status",
        parents=[store_options],
        help="each organisation: reported for the year or not, its streams and their latest "
        "version year; the possibly stale streams",
    )
    status.add_argument(
        "year", type=year, nargs="?", metavar="YEAR", help="default: the latest open round"
    )
    status.add_argument("--json", action="store_true", help="print one JSON object")
    templates = actions.add_parser(
        "templates",
        parents=[store_options],
        help="one XLSX per organisation, pre-filled with its streams' latest rows",
    )
    templates.add_argument("year", type=year, metavar="YEAR")
    templates.add_argument(
        "--output", type=Path, default=Path("."), metavar="DIR", help="default: here"
    )


def run_effects(args: argparse.Namespace) -> int:
    from catalogue.cli import print_table, settings_for
    from catalogue.effects import Grouping, aggregates
    from catalogue.matching.explain import number
    from catalogue.store import opened_store

    with opened_store(settings_for(args)) as store:
        found = aggregates(store, view_for(store, ANONYMOUS, args.year), Grouping(args.by))
    if args.json:
        print(json.dumps([aggregate.to_dict() for aggregate in found], ensure_ascii=False))
        return 0
    if not found:
        print("no exchange with effect figures in the public catalogue")
        return 0
    header = ("exchanges", args.by, "status", "indicator", "total")
    print_table(
        header,
        [
            (str(a.exchanges), a.group, a.status, a.indicator, f"{number(a.total)} {a.unit}")
            for a in found
        ],
    )
    return 0


def run_round(args: argparse.Namespace) -> int:
    from catalogue import rounds
    from catalogue.cli import settings_for
    from catalogue.store import opened_store

    settings = settings_for(args)
    with opened_store(settings) as store:
        if args.action == "open":
            opened = rounds.open_round(store, settings, args.year, by=args.by)
            if opened is None:
                print(f"the round for {args.year} is open already")
            else:
                print(f"opened the reporting round for {args.year} at {opened.opened}")
            return 0
        if args.action == "templates":
            view = view_for(store, ADMINISTRATOR)
            written = rounds.round_templates(store, view, args.year, args.output)
            for path in written.values():
                print(path)
            return 0
        year = args.year
        if year is None:
            opened_rounds = rounds.open_rounds(store)
            if not opened_rounds:
                print("sidestream: error: no reporting round is open", file=sys.stderr)
                return 1
            year = opened_rounds[-1].year
        history = view_for(store, ADMINISTRATOR, history=True)
        status = rounds.round_status(store, history, year)
        stale = rounds.all_stale_streams(store, view_for(store, ADMINISTRATOR))
    if args.json:
        body = {
            "year": year,
            "organisations": [entry.to_dict() for entry in status],
            "stale": stale,
        }
        print(json.dumps(body, ensure_ascii=False))
        return 0
    reported = sum(entry.reported for entry in status)
    print(f"reporting round {year}: {reported} of {len(status)} organisations have reported")
    for entry in status:
        streams = ", ".join(f"{s['identifier']} ({s['latest']})" for s in entry.streams)
        print(f"  {'reported    ' if entry.reported else 'not reported'}  {entry.name}: {streams}")
    for stream in stale:
        print(
            f"possibly stale: {stream['identifier']} ({stream['organisation'] or '-'}), "
            f"last reported for {stream['latest']}, {stream['missed']} rounds since"
        )
    return 0
