"""Hypothesis over the readers, the parsers and the match parameters: every input ends in
a valid result or the project's own clear error, within the profile's deadline.

The inputs are built near the valid ones (template headers and cells, composition parts,
mutated RDF seeds), where the readers have the most branches, plus plain noise.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue.cli import main
from catalogue.ingest.columns import NAMES
from catalogue.store import CatalogueStore
from tests.api.conftest import LiveServer
from tests.fuzz import targets

SYMBOLS = ["V", "Fe", "Sc", "Ga", "P", "Cd", "Nd", "v", "Xx"]
NAMED = ["vanadium", "jern", "rare earth elements", "HREE", "phosphate rock", "slag"]
FORMULAS = ["V2O5", "CaSO4·2H2O", "Ca3(PO4)2", "Fe2O3", "(", "O0", "H2)3", "Ca3(PO4"]
OPERATORS = ["=", "<", "<=", "≤", ">", ">=", "≥", "=<", "==", "", " = "]
NUMBERS = st.one_of(
    st.from_regex(r"-?[0-9]{0,25}([.,][0-9]{0,25})?([eE][-+]?[0-9]{1,10})?", fullmatch=True),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["1 000", "12,000", "1.5,2", "\u22123", "\u00a05", "inf", "NaN", "1_0"]),
)
UNITS = ["%", "ppm", "mg/kg", "g/t", "wt%", "t/a", "tpa", "m³/a", "kg", "", "%%", "MG/KG"]


@st.composite
def values(draw: st.DrawFn) -> str:
    """A single value, a range (hyphen or en dash) or a bound, as a steward writes it."""
    first = draw(NUMBERS)
    shape = draw(st.sampled_from(["one", "range", "dash"]))
    if shape == "one":
        return first
    return first + ("-" if shape == "range" else "\u2013") + draw(NUMBERS)


@st.composite
def compositions(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        subject = draw(st.sampled_from(SYMBOLS + NAMED + FORMULAS) | st.text(max_size=6))
        part = subject + draw(st.sampled_from(OPERATORS)) + draw(values())
        parts.append(part + " " + draw(st.sampled_from(UNITS)))
    return draw(st.sampled_from([";", "; ", ",", ";;"])).join(parts)


CELLS = st.one_of(
    st.text(max_size=20),
    NUMBERS,
    compositions(),
    st.sampled_from(UNITS + NAMED + ["supply", "demand", "yes", "no", "2024", "public"]),
)


@st.composite
def template_records(draw: st.DrawFn) -> list[list[str]]:
    """A header of template columns (some repeated, some unknown) and rows of cells."""
    header = draw(st.lists(st.sampled_from(NAMES) | st.text(max_size=8), min_size=1, max_size=12))
    if draw(st.booleans()):
        header = ["identifier", "kind", *header]
    rows = draw(
        st.lists(
            st.lists(CELLS, min_size=0, max_size=len(header) + 2),
            max_size=4,
        )
    )
    return [header, *rows]


def _csv_bytes(records: list[list[str]], delimiter: str, encoding: str) -> bytes:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter).writerows(records)
    return text.getvalue().encode(encoding, errors="replace")


@given(
    records=template_records(),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
)
def test_a_csv_template_is_read_and_mapped_or_refused_with_problems(
    records: list[list[str]], delimiter: str, encoding: str
) -> None:
    targets.template(b"\x00" + _csv_bytes(records, delimiter, encoding))


@settings(max_examples=15)
@given(records=template_records())
def test_an_xlsx_template_is_read_and_mapped_or_refused_with_problems(
    records: list[list[str]],
) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for record in records:
        # openpyxl refuses control characters itself; they are the CSV tests' concern.
        sheet.append([cell for cell in record if cell.isprintable()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    targets.template(b"\x01" + buffer.getvalue())


@given(data=st.binary(max_size=2000))
def test_template_bytes_of_any_kind_end_in_problems_not_tracebacks(data: bytes) -> None:
    targets.template(data)


@given(kind=st.sampled_from(["supply", "demand"]), text=compositions())
def test_a_composition_cell_gives_fractions_in_range_or_an_input_error(
    kind: str, text: str
) -> None:
    targets.quantities(bytes([targets.PARSERS.index(kind)]) + text.encode("utf-8"))


@given(
    parser=st.sampled_from(targets.PARSERS),
    text=st.one_of(st.text(max_size=40), NUMBERS, st.sampled_from(FORMULAS + UNITS)),
)
def test_every_cell_parser_gives_a_value_or_an_input_error(parser: str, text: str) -> None:
    targets.quantities(bytes([targets.PARSERS.index(parser)]) + text.encode("utf-8"))


SEEDS = sorted(targets.corpus("rdf").iterdir())


@st.composite
def near_valid_rdf(draw: st.DrawFn) -> bytes:
    """A seed document with a few slices cut, repeated or replaced by noise."""
    data = bytearray(draw(st.sampled_from(SEEDS)).read_bytes())
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(1, max(1, len(data) - 1)))
        end = draw(st.integers(start, min(len(data), start + 40)))
        action = draw(st.sampled_from(["cut", "repeat", "noise"]))
        if action == "cut":
            del data[start:end]
        elif action == "repeat":
            data[start:start] = data[start:end]
        else:
            data[start:end] = draw(
                st.binary(max_size=8)
                | st.sampled_from([b'"', b"<", b">", b"{", b"}", b"@prefix", b"\\u0000", b"]"])
            )
    return bytes(data)


@given(data=near_valid_rdf() | st.binary(max_size=500))
def test_an_rdf_document_is_read_and_mapped_or_refused_with_problems(data: bytes) -> None:
    targets.rdf(data)


MATCH_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(SYMBOLS + NAMED + ["  V ", "V\x00", "'", '"', "\\", "}", "%", "*"]),
)


@given(
    matcher=st.sampled_from(targets.MATCHERS),
    text=MATCH_TEXT,
    top=st.none() | st.integers(1, 255),
)
def test_match_gives_results_or_a_clear_error(
    matcher: str, text: str, top: int | None, demo_catalogue: CatalogueStore
) -> None:
    targets.match(
        bytes([targets.MATCHERS.index(matcher), top or 0]) + text.encode(), demo_catalogue
    )


@settings(max_examples=15)
@given(
    matcher=st.sampled_from(targets.MATCHERS),
    text=MATCH_TEXT.filter(lambda text: "\x00" not in text),  # argv cannot hold NUL
    top=st.none() | st.text(max_size=6) | st.integers(-3, 5000).map(str),
)
def test_sidestream_match_exits_with_a_message_not_a_traceback(
    matcher: str,
    text: str,
    top: str | None,
    demo_copy: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["match", "--store", str(demo_copy), f"--{matcher}", text, "--json"]
    if top is not None:
        argv += [f"--top={top}"]
    try:
        code = main(argv)
    except SystemExit as exit:  # argparse refuses the arguments, with its usage message
        code = exit.code
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), (code, err)
    if code:
        assert "error" in err, err
    else:
        assert out.startswith("["), out


@given(
    params=st.dictionaries(
        st.sampled_from(["demand", "supply", "element", "top"]),
        MATCH_TEXT | st.integers(-5, 2000).map(str),
        max_size=3,
    )
)
def test_get_match_answers_results_or_a_named_client_error(
    params: dict[str, str], demo_server: LiveServer
) -> None:
    with httpx.Client(base_url=demo_server.url, timeout=30) as client:
        answer = client.get("/match", params=params)
    assert answer.status_code in (200, 400, 404, 422), (answer.status_code, answer.text)
    body = answer.json()
    if answer.status_code == 200:
        assert isinstance(body, list)
    else:
        assert body["error"], body
