"""``sidestream``: parse the command line, call the catalogue, print. No logic lives here."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from catalogue import __version__
from catalogue.config import Settings
from catalogue.errors import SidestreamError, SubmissionRejected
from catalogue.report import Report

if TYPE_CHECKING:
    from catalogue.matching.results import MatchResult
    from catalogue.store.base import CatalogueStore

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


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def reporting_year(text: str) -> int:
    """An argparse type: a reporting year the catalogue accepts."""
    from catalogue.history import EARLIEST_YEAR, LATEST_YEAR

    if not text.strip().isdigit() or not EARLIEST_YEAR <= int(text) <= LATEST_YEAR:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a reporting year: write four digits, {EARLIEST_YEAR}-{LATEST_YEAR}"
        )
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sidestream",
        description="A semantic catalogue of industrial sidestreams and the critical raw "
        "materials they contain.",
    )
    parser.add_argument("--version", action="version", version=f"sidestream {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    store_options = argparse.ArgumentParser(add_help=False)
    store_options.add_argument(
        "--store",
        type=Path,
        help="folder of the embedded store (default: $SIDESTREAM_STORE, else a per-user "
        "data directory)",
    )
    store_options.add_argument(
        "--endpoint",
        metavar="URL",
        help="SPARQL 1.1 query URL of an existing server to keep the catalogue on instead of "
        "the embedded store (default: $SIDESTREAM_ENDPOINT)",
    )
    store_options.add_argument(
        "--update-endpoint",
        metavar="URL",
        help="SPARQL 1.1 update URL (default: $SIDESTREAM_UPDATE_ENDPOINT, else --endpoint)",
    )
    store_options.add_argument(
        "--gsp-endpoint",
        metavar="URL",
        help="Graph Store Protocol URL (default: $SIDESTREAM_GSP_ENDPOINT)",
    )
    report_options = argparse.ArgumentParser(add_help=False)
    report_options.add_argument(
        "--format", choices=["text", "json"], default="text", help="report format (default text)"
    )
    report_options.add_argument(
        "--lang", choices=["en", "nb"], default="en", help="report language (default en)"
    )

    load = commands.add_parser(
        "load",
        parents=[store_options, report_options],
        help="validate and load CSV / XLSX / Turtle / JSON-LD / N-Triples files",
    )
    load.add_argument("files", nargs="*", type=Path, metavar="FILE")
    load.add_argument("--demo", action="store_true", help="load the bundled demo catalogue")
    load.add_argument(
        "--replace", action="store_true", help="replace earlier submissions of the same files"
    )
    load.add_argument(
        "--by", default=None, help="who is publishing (default: the login name of this user)"
    )
    load.add_argument(
        "--mapping",
        type=Path,
        metavar="FILE.yaml",
        help="read the files (CSV or XLSX of another layout) through this column mapping "
        "(docs/mappings.md)",
    )
    load.add_argument(
        "--year",
        type=reporting_year,
        default=None,
        help="the reporting year the files report for (default: the latest reference_year in "
        "each file, else this year); a stream reported for a later year becomes a new version",
    )

    validate = commands.add_parser(
        "validate",
        parents=[store_options, report_options],
        help="run the same checks as load and store nothing",
    )
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE")
    validate.add_argument(
        "--mapping",
        type=Path,
        metavar="FILE.yaml",
        help="read the files through this column mapping (docs/mappings.md)",
    )

    # reads of the catalogue as it stood for a reporting year (``access.view_for``)
    as_of = argparse.ArgumentParser(add_help=False)
    as_of.add_argument(
        "--year",
        type=reporting_year,
        default=None,
        help="the catalogue as it stood for this reporting year (default: the latest versions)",
    )

    export = commands.add_parser(
        "export", parents=[store_options, as_of], help="write the public part of the catalogue"
    )
    export.add_argument(
        "--format",
        choices=["ttl", "nq", "jsonld", "csv", "xlsx", "geojson"],
        default="ttl",
        help="RDF (ttl, nq, jsonld), the template layout (csv, xlsx) or GeoJSON (default ttl)",
    )
    export.add_argument("--output", type=Path, help="file to write (default: standard output)")

    template = commands.add_parser(
        "template", help="write an empty CSV and an XLSX template with drop-down lists"
    )
    template.add_argument("--output", type=Path, default=Path("."), help="folder (default .)")
    template.add_argument("--lang", choices=["en", "nb"], default="en", help="help-sheet language")

    listing = commands.add_parser(
        "submissions", parents=[store_options], help="list the submissions in the catalogue"
    )
    listing.add_argument("--json", action="store_true", help="print one JSON array")

    withdraw = commands.add_parser(
        "withdraw",
        parents=[store_options],
        help="remove a submission and everything it stated (one loaded by mistake), or "
        "withdraw one stream as of a reporting year (--stream ID --year YEAR: kept in history)",
    )
    withdraw.add_argument(
        "submission", nargs="?", metavar="SUBMISSION", help="its identifier (see submissions)"
    )
    withdraw.add_argument("--stream", metavar="ID", help="the stream to withdraw")
    withdraw.add_argument(
        "--year",
        type=reporting_year,
        help="with --stream: the reporting year from which the stream is no longer reported",
    )
    from catalogue.cli_history import add_commands

    add_commands(commands, store_options, reporting_year)
    from catalogue.cli_rounds import add_commands as add_round_commands

    add_round_commands(commands, store_options, reporting_year, as_of)
    from catalogue.cli_quality import add_commands as add_quality_commands

    add_quality_commands(commands, store_options, as_of)

    backup = commands.add_parser(
        "backup",
        parents=[store_options],
        help="write the store, the tokens file and the audit log to one checked archive",
    )
    backup.add_argument("archive", type=Path, metavar="FILE", help="the archive (.tar.gz)")
    restore = commands.add_parser(
        "restore",
        parents=[store_options],
        help="check an archive written by backup and put its store and files in place",
    )
    restore.add_argument("archive", type=Path, metavar="FILE", help="the archive (.tar.gz)")
    restore.add_argument(
        "--force", action="store_true", help="replace a store (or files) that is not empty"
    )

    match = commands.add_parser(
        "match",
        parents=[store_options, as_of],
        help="supplies for a demand, demands and technologies for a supply, or CRM-first: "
        "supplies that contain an element",
    )
    wanted = match.add_mutually_exclusive_group(required=True)
    wanted.add_argument(
        "--element",
        metavar="NAME",
        help="element symbol or name, element group (HREE, LREE, PGM, 'rare earth "
        "elements') or raw-material list entry ('phosphate rock')",
    )
    wanted.add_argument(
        "--demand",
        metavar="ID",
        help="demand-first: the supplies that could meet the demand with this identifier",
    )
    wanted.add_argument(
        "--supply",
        metavar="ID",
        help="stream-first: the demands, technologies and recoverable elements for the "
        "supply with this identifier",
    )
    match.add_argument("--top", type=positive_int, metavar="N", help="show the best N only")
    match.add_argument("--json", action="store_true", help="print one JSON array, best first")
    match.add_argument(
        "--federated",
        action="store_true",
        help="with --element: also the harvested catalogues and the remote ones of "
        "$SIDESTREAM_FEDERATION; each result names its source, warnings go to stderr",
    )

    harvest = commands.add_parser(
        "harvest",
        parents=[store_options],
        help="pull the public streams of another catalogue (its DCAT description) into a "
        "graph of their own, validated; again: refresh (docs/federation.md)",
    )
    harvested = harvest.add_mutually_exclusive_group(required=True)
    harvested.add_argument(
        "url", nargs="?", metavar="URL", help="the catalogue (http://host:port/catalogue)"
    )
    harvested.add_argument(
        "--all", action="store_true", help="every catalogue of $SIDESTREAM_HARVEST_SOURCES"
    )
    harvest.add_argument("--json", action="store_true", help="print the results as JSON")

    token = commands.add_parser(
        "token",
        help="create, list and revoke API tokens (kept beside the store, or $SIDESTREAM_TOKENS)",
    )
    token_actions = token.add_subparsers(dest="action", metavar="ACTION", required=True)
    token_create = token_actions.add_parser(
        "create",
        parents=[store_options],
        help="make a token for an organisation and role; it is printed once only",
    )
    token_create.add_argument("--organisation", required=True, help="who the token acts for")
    token_create.add_argument(
        "--role", choices=["reader", "publisher", "administrator"], default="publisher"
    )
    token_create.add_argument("--label", default="", help="a note: who holds it, what for")
    token_list = token_actions.add_parser(
        "list", parents=[store_options], help="the tokens, without their secrets"
    )
    token_list.add_argument("--json", action="store_true", help="print one JSON array")
    token_revoke = token_actions.add_parser(
        "revoke", parents=[store_options], help="stop a token from working"
    )
    token_revoke.add_argument("id", metavar="ID", help="its identifier (see token list)")

    serve = commands.add_parser(
        "serve",
        parents=[store_options],
        help="the HTTP API and web pages (embedded store or --endpoint)",
        description="Serve the SPARQL endpoint, linked data, publishing API and web pages.",
    )
    serve.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=positive_int, default=None, help="port (default 8000)")
    serve.add_argument(
        "--demo", action="store_true", help="load the bundled demo catalogue first if missing"
    )
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


def settings_for(args: argparse.Namespace) -> Settings:
    """Settings from the environment, overridden by the store options given."""
    given = {
        key: value
        for key in ("store", "endpoint", "update_endpoint", "gsp_endpoint")
        if (value := getattr(args, key, None)) is not None
    }
    return Settings(**given)


def print_report(report: Report, args: argparse.Namespace) -> None:
    if args.format == "json":
        print(report.to_json(args.lang), file=sys.stderr)
    elif report.problems:
        print(report.to_text(args.lang, group_warnings=True), file=sys.stderr)


def progress(message: str) -> None:
    print(f"  {message} ...", file=sys.stderr)


def quiet(message: str) -> None:
    """Progress sink for machine-readable output, where stderr carries only the report."""


def run_load(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from catalogue.demo import demo_rounds
    from catalogue.progress import WriteBar
    from catalogue.publish import load_files
    from catalogue.store import opened_store

    # one load (one transaction) each: the demo's reporting rounds in order, then the files
    loads = demo_rounds() if args.demo else []
    given: list[Path] = list(args.files)
    if given:
        loads.append(given)
    if not loads:
        parser.error("load needs FILE arguments or --demo")
    settings = settings_for(args)
    with opened_store(settings) as store:
        for files in loads:
            try:
                result = load_files(
                    files,
                    store,
                    settings,
                    publisher=args.by or getpass.getuser(),
                    replace=args.replace,
                    year=args.year if files is given else None,
                    mapping=args.mapping if files is given else None,
                    progress=progress if args.format == "text" else quiet,
                    write_progress=WriteBar(enabled=args.format == "text"),
                )
            except SubmissionRejected as rejected:
                print_report(rejected.report, args)
                if args.format == "text":
                    names = ", ".join(f.name for f in files)
                    print(f"nothing was stored from {names}", file=sys.stderr)
                return 1
            print_report(result.report, args)
            for submission in result.submissions:
                print(
                    f"{submission.status}: {submission.source} -> submission "
                    f"{submission.identifier} for {submission.year} ({submission.streams} streams"
                    + (f", {submission.revised} new versions" if submission.revised else "")
                    + ")"
                )
    return 0


def run_validate(args: argparse.Namespace) -> int:
    from catalogue.publish import prepare_file

    settings = settings_for(args)
    report = Report()
    for path in args.files:
        report.extend(
            prepare_file(
                path, settings, progress if args.format == "text" else quiet, mapping=args.mapping
            ).problems
        )
    if args.format == "json":
        print(report.to_json(args.lang))
    else:
        print(report.to_text(args.lang))
    return 0 if report.conforms else 1


def run_export(args: argparse.Namespace) -> int:
    from catalogue.export import export
    from catalogue.store import opened_store

    settings = settings_for(args)
    with opened_store(settings) as store:
        if args.output:
            with args.output.open("wb") as handle:
                count = export(store, settings, handle, fmt=args.format, year=args.year)
            what = {"csv": "streams", "xlsx": "streams", "geojson": "features"}
            print(
                f"wrote {count} {what.get(args.format, 'statements')} to {args.output}",
                file=sys.stderr,
            )
        else:
            export(store, settings, sys.stdout.buffer, fmt=args.format, year=args.year)
            sys.stdout.flush()
    return 0


def run_template(args: argparse.Namespace) -> int:
    from catalogue.ingest.template_writer import write_templates

    for path in write_templates(args.output, lang=args.lang):
        print(f"wrote {path}")
    return 0


def run_submissions(args: argparse.Namespace) -> int:
    from catalogue.publish import submissions
    from catalogue.store import opened_store

    with opened_store(settings_for(args)) as store:
        rows = submissions(store)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for row in rows:
        identifier = row["submission"].rsplit("/", 1)[-1]
        year = f"  for {row['year']}" if "year" in row else ""
        print(
            f"{identifier}{year}  {row['streams']} streams  from {row['source']}  by "
            f"{row['publisher']}  at {row['time']}  {row['checksum'][:19]}"
        )
    if not rows:
        print("the catalogue is empty")
    return 0


def run_withdraw(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from catalogue.publish import withdraw, withdraw_stream
    from catalogue.store import opened_store

    if (args.submission is None) == (args.stream is None) or (args.stream is None) != (
        args.year is None
    ):
        parser.error("withdraw needs SUBMISSION, or --stream ID with --year YEAR")
    settings = settings_for(args)
    if args.stream is not None:
        with opened_store(settings) as store:
            try:
                held_in = withdraw_stream(store, settings, args.stream, args.year)
            except ValueError as error:
                print(f"sidestream: error: {error}", file=sys.stderr)
                return 1
        if held_in is None:
            print(f"sidestream: error: no current stream {args.stream!r}", file=sys.stderr)
            return 1
        print(f"withdrew stream {args.stream} as of {args.year}; its history is kept")
        return 0
    with opened_store(settings) as store:
        removed = withdraw(store, settings, args.submission)
    if not removed:
        print(f"sidestream: error: no submission {args.submission!r}", file=sys.stderr)
        return 1
    print(f"withdrew submission {args.submission}")
    return 0


def run_backup(args: argparse.Namespace) -> int:
    from catalogue.backup import BackupError, backup
    from catalogue.store import opened_store

    settings = settings_for(args)
    if not settings.endpoint and not settings.store.is_dir():
        raise BackupError(f"no store at {settings.store}")
    with opened_store(settings) as store:
        summary = backup(store, settings, args.archive)
    print(f"backed up {summary.described()} to {args.archive}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from catalogue.backup import restore

    settings = settings_for(args)
    summary = restore(args.archive, settings, force=args.force)
    print(f"restored {summary.described()} from {args.archive}")
    return 0


def run_match(args: argparse.Namespace) -> int:
    """``match --element``, ``--demand`` or ``--supply``: public results only (what anyone
    may see). An unknown element name is a usage error (exit 2); an identifier that is
    no demand or no supply exits 1."""
    from catalogue.errors import InputError
    from catalogue.matching.crm import match_element
    from catalogue.matching.demand import DemandNotFound, match_demand
    from catalogue.matching.supply import SupplyNotFound, match_supply

    if args.federated and args.element is None:
        print("sidestream match: error: --federated is for --element only", file=sys.stderr)
        return 2
    if args.demand is not None:
        return run_matcher(
            args,
            lambda store: match_demand(store, args.demand, top=args.top, year=args.year),
            failure=(DemandNotFound, 1),
            empty=f"no supply in the catalogue matches demand {args.demand}",
            header=("#", "identifier", "score", "route", "explanation"),
            row=lambda rank, r: (str(rank), r.identifier, f"{r.score:.2f}", r.route, r.explanation),
        )
    if args.supply is not None:
        return run_matcher(
            args,
            lambda store: match_supply(store, args.supply, top=args.top, year=args.year),
            failure=(SupplyNotFound, 1),
            empty=f"nothing in the catalogue matches supply {args.supply}",
            header=("#", "identifier", "score", "route", "kind", "explanation"),
            row=lambda rank, r: (
                str(rank),
                r.identifier,
                f"{r.score:.2f}",
                r.route,
                r.kind or "-",
                r.explanation,
            ),
        )
    if args.federated:
        return run_federated(args)
    return run_matcher(
        args,
        lambda store: match_element(store, args.element, top=args.top, year=args.year),
        failure=(InputError, 2),
        empty=f"no supply in the catalogue contains {args.element}",
        header=("#", "identifier", "recoverable", "basis", "explanation"),
        row=lambda rank, r: (
            str(rank),
            r.identifier,
            "unknown"
            if r.recoverable is None or r.recoverable.mass is None
            else f"{format_mass(r.recoverable.mass)} {r.recoverable.unit}",
            r.basis or "-",
            r.explanation,
        ),
    )


def run_harvest(args: argparse.Namespace) -> int:
    """``harvest URL`` (the one address given is allowed) or ``harvest --all``; exit 1 when
    a source could not be harvested (the store keeps what it had from it)."""
    from catalogue.federation.schedule import Outcome, allow_list, harvest_all
    from catalogue.federation.sources import FederationError, source
    from catalogue.progress import WriteBar
    from catalogue.store import opened_store

    settings = settings_for(args)
    say = quiet if args.json else progress
    with opened_store(settings) as store:
        if args.all:
            outcomes = harvest_all(store, settings, progress=say, write_progress=WriteBar())
        else:
            from catalogue.federation.harvest import harvest

            remote = source(args.url)
            try:
                result = harvest(
                    store,
                    settings,
                    remote,
                    allow_list(settings, remote),
                    progress=say,
                    write_progress=WriteBar(not args.json),
                )
                outcomes = [Outcome(remote.url, result=result)]
            except FederationError as error:
                outcomes = [Outcome(remote.url, error=str(error))]
    if args.json:
        print(
            json.dumps(
                [
                    o.result.as_dict() if o.result else {"source": o.source, "error": o.error}
                    for o in outcomes
                ],
                indent=2,
            )
        )
    for outcome in outcomes:
        if outcome.error is not None:
            print(f"sidestream harvest: error: {outcome.error}", file=sys.stderr)
        elif not args.json and outcome.result is not None:
            result = outcome.result
            print(
                f"{result.source}: {result.status}, {result.streams} streams in {result.graph}"
                f" ({len(result.rejected)} rejected, {result.not_public} not public, "
                f"{result.elsewhere} held already, {result.links} links)"
            )
            for rejected in result.rejected:
                print(f"  rejected {rejected.stream}: {rejected.reason['en']}", file=sys.stderr)
    if not outcomes:
        print("sidestream harvest: no sources: set SIDESTREAM_HARVEST_SOURCES", file=sys.stderr)
    return 1 if not outcomes or any(o.error for o in outcomes) else 0


def run_federated(args: argparse.Namespace) -> int:
    """``match --element NAME --federated``: results with their ``source``; a remote that
    cannot answer is a warning on stderr, not a failure."""
    from catalogue.errors import InputError
    from catalogue.federation.match import federated_element_match
    from catalogue.store import opened_store

    settings = settings_for(args)
    with opened_store(settings) as store:
        try:
            answer = federated_element_match(
                store, settings, args.element, top=args.top, year=args.year
            )
        except InputError as error:
            print(f"sidestream match: error: {error}", file=sys.stderr)
            return 2
    for warning in answer.warnings:
        print(f"sidestream match: warning: {warning}", file=sys.stderr)
    if args.json:
        print(json.dumps(answer.results, indent=2, ensure_ascii=False))
    elif not answer.results:
        print(f"no supply in the catalogues contains {args.element}")
    else:
        print_table(
            ("#", "identifier", "recoverable", "source", "explanation"),
            [
                (
                    str(rank),
                    r["identifier"],
                    "unknown"
                    if not r.get("recoverable") or r["recoverable"]["mass"] is None
                    else f"{format_mass(Decimal(str(r['recoverable']['mass'])))} "
                    f"{r['recoverable']['unit']}",
                    r["source"],
                    r["explanation"],
                )
                for rank, r in enumerate(answer.results, start=1)
            ],
        )
    return 0


def run_token(args: argparse.Namespace) -> int:
    """``token create`` prints the token once (stdout, alone, so it can be captured);
    ``list`` never shows one; ``revoke`` keeps the record, marked revoked."""
    from catalogue.audit import audit_path
    from catalogue.tokens import create_token, list_tokens, revoke_token, tokens_path

    settings = settings_for(args)
    path, log = tokens_path(settings), audit_path(settings)
    if args.action == "create":
        token, record = create_token(path, args.organisation, args.role, args.label, audit_log=log)
        print(
            f"token {record.id} for {record.organisation} ({record.role}); it is shown only "
            f"now, store it safely:",
            file=sys.stderr,
        )
        print(token)
        return 0
    if args.action == "list":
        records = list_tokens(path)
        if args.json:
            print(json.dumps([r.public() for r in records], indent=2, ensure_ascii=False))
            return 0
        if not records:
            print(f"no tokens in {path}")
        for record in records:
            state = "REVOKED" if record.revoked else "active"
            print(
                f"{record.id}  {record.role:<13}  {record.organisation}  {state}  "
                f"{record.created}  {record.label}"
            )
        return 0
    if args.action == "revoke":
        record = revoke_token(path, args.id, audit_log=log)
        print(f"revoked token {record.id} ({record.organisation}, {record.role})")
        return 0
    raise AssertionError(args.action)


def run_serve(args: argparse.Namespace) -> int:
    """Load the demo if asked (and not there yet), then run the service with uvicorn."""
    import uvicorn

    from api.app import create_app
    from api.settings import ServiceSettings
    from catalogue.demo import demo_rounds
    from catalogue.publish import load_files
    from catalogue.store import opened_store

    given = {
        key: value
        for key in ("store", "endpoint", "update_endpoint", "gsp_endpoint", "host", "port")
        if (value := getattr(args, key, None)) is not None
    }
    settings = ServiceSettings(**given)
    with opened_store(settings) as store:
        # On either backend: load_files leaves a submission already there unchanged.
        if args.demo:
            for files in demo_rounds():
                result = load_files(files, store, settings, publisher="demo", progress=progress)
                for submission in result.submissions:
                    print(
                        f"demo {submission.source} {submission.status}: "
                        f"{submission.streams} streams for {submission.year}",
                        file=sys.stderr,
                    )
        elif not store.named_graphs():
            print(
                "the catalogue is empty: load files with 'sidestream load FILE', or start with "
                "'sidestream serve --demo' to load the bundled demo catalogue",
                file=sys.stderr,
            )
    print(f"serving the catalogue at {settings.base_url}", file=sys.stderr)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning")
    return 0


def run_matcher(
    args: argparse.Namespace,
    match: Callable[[CatalogueStore], list[MatchResult]],
    *,
    failure: tuple[type[Exception], int],
    empty: str,
    header: tuple[str, ...],
    row: Callable[[int, MatchResult], tuple[str, ...]],
) -> int:
    """Run one matcher on the store; print one JSON array (``--json``) or a ranked table."""
    from catalogue.matching.results import to_json
    from catalogue.store import opened_store

    error_type, exit_code = failure
    with opened_store(settings_for(args)) as store:
        try:
            results = match(store)
        except error_type as error:
            print(f"sidestream match: error: {error}", file=sys.stderr)
            return exit_code
    if args.json:
        print(to_json(results))
    elif not results:
        print(empty)
    else:
        print_table(header, [row(rank, r) for rank, r in enumerate(results, start=1)])
    return 0


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """Aligned columns; the first right-aligned (ranks), the last (explanations) left ragged."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        cells = [row[0].rjust(widths[0])] + [row[i].ljust(widths[i]) for i in range(1, len(widths))]
        print("  ".join([*cells, row[-1]]))


def format_mass(mass: Decimal) -> str:
    """A recoverable mass for the table: three significant figures, thousands separated."""
    from catalogue.matching.explain import number

    return number(mass)


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
        if args.command == "load":
            return run_load(args, parser)
        if args.command == "validate":
            return run_validate(args)
        if args.command == "export":
            return run_export(args)
        if args.command == "template":
            return run_template(args)
        if args.command == "submissions":
            return run_submissions(args)
        if args.command == "withdraw":
            return run_withdraw(args, parser)
        if args.command in ("history", "diff"):
            from catalogue import cli_history

            if args.command == "history":
                return cli_history.run_history(args, parser)
            return cli_history.run_diff(args)
        if args.command in ("effects", "round"):
            from catalogue import cli_rounds

            return (
                cli_rounds.run_effects(args)
                if args.command == "effects"
                else cli_rounds.run_round(args)
            )
        if args.command == "quality":
            from catalogue.cli_quality import run_quality

            return run_quality(args)
        if args.command == "backup":
            return run_backup(args)
        if args.command == "restore":
            return run_restore(args)
        if args.command == "match":
            return run_match(args)
        if args.command == "harvest":
            return run_harvest(args)
        if args.command == "token":
            return run_token(args)
        if args.command == "serve":
            return run_serve(args)
    except SidestreamError as error:
        print(f"sidestream: error: {error}", file=sys.stderr)
        return 1
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
