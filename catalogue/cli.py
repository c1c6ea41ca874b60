"""``sidestream``: parse the command line, call the catalogue, print. No logic lives here."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from catalogue import __version__
from catalogue.errors import SidestreamError

STATISTICS_LABELS = {
    "classes": "classes",
    "resourceClasses": "  material and energy classes",
    "objectProperties": "object properties",
    "datatypeProperties": "datatype properties",
    "annotationProperties": "annotation properties",
    "processes": "processes",
    "technologies": "technologies",
    "applications": "applications",
    "elements": "chemical elements",
    "elementGroups": "element groups",
    "crm2023": "EU critical raw materials 2023",
    "srm2023": "EU strategic raw materials 2023",
    "crm2020": "EU critical raw materials 2020",
    "wasteCodes": "List of Waste codes",
    "hazardousWasteCodes": "  of which hazardous (*)",
    "naceClasses": "NACE Rev. 2 classes",
    "units": "units",
    "triples": "triples in all",
}

EXPORT_FORMATS = {"ttl": "turtle", "nt": "nt", "xml": "xml", "jsonld": "json-ld"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sidestream",
        description="A semantic catalogue of industrial sidestreams and the critical raw "
        "materials they contain.",
    )
    parser.add_argument("--version", action="version", version=f"sidestream {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    ontology = commands.add_parser("ontology", help="inspect, check and document the ontology")
    actions = ontology.add_subparsers(dest="action", metavar="ACTION", required=True)
    stats = actions.add_parser("stats", help="count classes, properties and vocabulary entries")
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    actions.add_parser(
        "check", help="run the quality-control queries and HermiT (consistency, satisfiability)"
    )
    docs = actions.add_parser("docs", help="write the HTML documentation (pyLODE)")
    docs.add_argument(
        "--output",
        type=Path,
        default=Path("docs/ontology-html"),
        help="folder for index.html (default: docs/ontology-html)",
    )
    docs.add_argument(
        "--lang", choices=["en", "nb"], default="en", help="language of the page (default: en)"
    )
    export = actions.add_parser("export", help="write the merged ontology and vocabularies")
    export.add_argument("--format", choices=sorted(EXPORT_FORMATS), default="ttl")
    export.add_argument("--output", type=Path, help="file to write (default: standard output)")
    return parser


def print_statistics(stats: dict[str, int]) -> None:
    width = max(len(label) for label in STATISTICS_LABELS.values())
    for key, label in STATISTICS_LABELS.items():
        print(f"  {label:<{width}}  {stats.get(key, 0):>7,}")


def run_ontology(args: argparse.Namespace) -> int:
    from catalogue import ontology

    if args.action == "stats":
        stats = ontology.statistics()
        if args.json:
            print(json.dumps(stats, indent=2))
        else:
            print("sidestream ontology")
            print_statistics(stats)
        return 0
    if args.action == "check":
        from catalogue.qc import run_all
        from catalogue.reasoning import check_consistency

        violations = run_all(ontology.load_store())
        print(f"quality-control queries: {len(violations)} violation(s)")
        for violation in violations:
            print(f"  {violation}")
        print("running HermiT on the merged ontology ...", file=sys.stderr)
        report = check_consistency()
        print(f"classes: {report.classes}, individuals: {report.individuals}")
        print(f"consistent: {'yes' if report.consistent else 'NO'}")
        for iri in report.unsatisfiable:
            print(f"unsatisfiable class: {iri}")
        return 0 if report.ok and not violations else 1
    if args.action == "docs":
        from catalogue.docs import write_html

        print("rendering the ontology documentation with pyLODE ...", file=sys.stderr)
        print(f"wrote {write_html(args.output, args.lang)}")
        return 0
    if args.action == "export":
        text = ontology.load_graph().serialize(format=EXPORT_FORMATS[args.format])
        if args.output:
            args.output.write_text(text, encoding="utf-8")
            print(f"wrote {args.output}", file=sys.stderr)
        else:
            sys.stdout.write(text)
        return 0
    raise AssertionError(args.action)


def main(argv: Sequence[str] | None = None) -> int:
    # Configure logging before any library does: pyLODE calls basicConfig(DEBUG) on import.
    logging.basicConfig(level=logging.WARNING, format="sidestream: %(levelname)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            from catalogue.ontology import statistics

            parser.print_help()
            print("\nontology loaded:")
            print_statistics(statistics())
            return 0
        if args.command == "ontology":
            return run_ontology(args)
    except SidestreamError as error:
        print(f"sidestream: error: {error}", file=sys.stderr)
        return 1
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
