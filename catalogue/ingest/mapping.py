"""Column mappings: spreadsheets of another layout read as stream templates.

A data steward's own sheet (a waste report with ``Anlegg``, ``Avfallskode``, ``Mengde
(tonn/år)``, ``Behandling`` ...) is loaded with a small YAML file that says which of
its columns fills which template column (``docs/mappings.md``; the worked example is
``examples/waste-report/``)::

    sidestream-mapping: 1
    sheet: Avfall                     # the worksheet of a workbook (default: the first)
    defaults:                         # template cells every row gets, unless a column
      kind: supply                    # below gives one
      unit: t/a
    columns:                          # template column: where its text comes from
      organisation: Virksomhet        # a source column, as written in its header
      identifier:
        pattern: "{Anlegg}-{Avfallskode}"   # several source columns in one text
        slug: yes                     # lower-case ASCII words joined by '-'
      quantity:
        from: Mengde (kg)
        multiply: 0.001               # unit conversion: kg to t
      treatment:
        from: Behandling
        values:                       # value map; a value not listed is an error
          Deponi: landfill

The mapped rows are template rows (:class:`~catalogue.ingest.template.TemplateTable`)
that go through the one template pipeline (vocabulary resolution, SHACL shapes, the
report); :meth:`MappedTable.in_source_terms` renames each problem's column to the
source column it came from, so the report names the source file's rows and columns.

The file is read as YAML with every scalar a string (``yaml.BaseLoader``): ``NO``
(Norway) stays ``NO`` and ``24.10`` stays ``24.10``, where YAML 1.1 would make them
``false`` and ``24.1``. A mapping that cannot be used raises :class:`MappingError` with
every problem, each naming the mapping file and the key.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from catalogue.errors import InputError, SidestreamError
from catalogue.ingest.columns import NAMES
from catalogue.ingest.template import (
    RULE_UNKNOWN_COLUMN,
    Header,
    TemplateRow,
    TemplateTable,
    read_template,
)
from catalogue.ingest.to_rdf import decimal_literal, parse_number
from catalogue.publish import slug
from catalogue.report import Problem, Severity

FORMAT = "1"
"""The ``sidestream-mapping`` version this module reads."""
RULE_MAPPING = "mapping:file"
RULE_SOURCE_COLUMN = "mapping:source-column"
RULE_UNMAPPED = "mapping:unmapped-value"
RULE_NUMBER = "mapping:number"
_FIELD = re.compile(r"\{([^{}]+)\}")
_KEYS = frozenset({"from", "pattern", "values", "multiply", "slug"})
_TOP = frozenset({"sidestream-mapping", "sheet", "defaults", "columns", "description"})
_YES = frozenset({"yes", "true", "ja"})
_NO = frozenset({"no", "false", "nei"})


class MappingError(SidestreamError):
    """A mapping file cannot be used; ``problems`` name the file and each key."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.location()}: {p.text()}" for p in problems))


@dataclass(frozen=True)
class ColumnRule:
    """How one template column is filled from the source row."""

    column: str
    sources: tuple[str, ...]
    """The source columns it reads (one for ``from``, each field of a ``pattern``)."""
    pattern: str | None = None
    values: Mapping[str, str] | None = None
    """Value map by :func:`value_key` of the source text."""
    multiply: Decimal | None = None
    slug: bool = False

    @property
    def source(self) -> str:
        """How a report names where the column comes from."""
        return self.pattern if self.pattern is not None else self.sources[0]


@dataclass(frozen=True)
class ColumnMapping:
    """A parsed mapping file."""

    path: Path
    sheet: str | None
    defaults: Mapping[str, str]
    rules: tuple[ColumnRule, ...]

    @classmethod
    def read(cls, path: Path) -> ColumnMapping:
        """Read and check ``path``; raises :class:`MappingError` listing every problem."""
        return _Parser(Path(path)).parse()

    @property
    def source_columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(source for rule in self.rules for source in rule.sources))


def value_key(text: str) -> str:
    """How value-map keys are compared: no case, no white space (``10 01 02`` = ``100102``)."""
    return re.sub(r"\s+", "", text).casefold()


# --------------------------------------------------------------------------- parsing


class _Parser:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def problem(self, key: str | None, en: str, nb: str, suggestions: tuple[str, ...] = ()) -> None:
        self.problems.append(
            violation(
                RULE_MAPPING, en, nb, file=self.path.name, column=key, suggestions=suggestions
            )
        )

    def parse(self) -> ColumnMapping:
        document = self._load()
        if not isinstance(document, dict):
            self.problem(
                None,
                "a mapping file holds keys such as 'columns:' (YAML); this one does not",
                "en mappingfil har nøkler som 'columns:' (YAML); denne har ikke det",
            )
            raise MappingError(self.problems)
        if document.get("sidestream-mapping") != FORMAT:
            self.problem(
                "sidestream-mapping",
                f"the first key must be 'sidestream-mapping: {FORMAT}' (the format version)",
                f"første nøkkel må være 'sidestream-mapping: {FORMAT}' (formatversjonen)",
            )
        for key in sorted(set(document) - _TOP):
            self.problem(
                key,
                f"unknown key '{key}'; a mapping has {', '.join(sorted(_TOP))}",
                f"ukjent nøkkel '{key}'; en mapping har {', '.join(sorted(_TOP))}",
            )
        sheet = document.get("sheet")
        if sheet is not None and not isinstance(sheet, str):
            self.problem("sheet", "sheet is the name of a worksheet", "sheet er navnet på et ark")
            sheet = None
        defaults = self._defaults(document.get("defaults", {}))
        columns = document.get("columns")
        if not isinstance(columns, dict) or not columns:
            self.problem(
                "columns",
                "'columns:' must map template columns to source columns",
                "'columns:' må koble malens kolonner til kildekolonner",
            )
            columns = {}
        rules = tuple(
            rule
            for column, spec in columns.items()
            if (rule := self._rule(column, spec)) is not None
        )
        if self.problems:
            raise MappingError(self.problems)
        return ColumnMapping(self.path, sheet, defaults, rules)

    def _load(self) -> Any:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            self.problem(
                None, f"cannot read the mapping: {error}", f"kan ikke lese mappingen: {error}"
            )
            raise MappingError(self.problems) from None
        try:
            return yaml.load(text, Loader=yaml.BaseLoader)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark is not None else ""
            self.problem(
                None,
                f"the mapping is not valid YAML{where}: {getattr(error, 'problem', error)}",
                f"mappingen er ikke gyldig YAML{where}: {getattr(error, 'problem', error)}",
            )
            raise MappingError(self.problems) from None

    def _template_column(self, key: str, name: str) -> bool:
        if name in NAMES:
            return True
        close = tuple(difflib.get_close_matches(name, NAMES, n=3, cutoff=0.6))
        hint_en = f"; did you mean {', '.join(close)}?" if close else ""
        hint_nb = f"; mente du {', '.join(close)}?" if close else ""
        self.problem(
            key,
            f"'{name}' is not a column of the stream template{hint_en}",
            f"'{name}' er ikke en kolonne i strømmalen{hint_nb}",
            close,
        )
        return False

    def _defaults(self, defaults: Any) -> dict[str, str]:
        if not isinstance(defaults, dict):
            self.problem(
                "defaults",
                "'defaults:' maps template columns to text",
                "'defaults:' kobler malkolonner til tekst",
            )
            return {}
        kept: dict[str, str] = {}
        for column, value in defaults.items():
            key = f"defaults.{column}"
            if not self._template_column(key, column):
                continue
            if not isinstance(value, str):
                self.problem(key, "a default is one text", "en standardverdi er én tekst")
                continue
            kept[column] = value
        return kept

    def _rule(self, column: str, spec: Any) -> ColumnRule | None:
        key = f"columns.{column}"
        if not self._template_column(key, column):
            return None
        if isinstance(spec, str):
            spec = {"from": spec}
        if not isinstance(spec, dict) or ("from" in spec) == ("pattern" in spec):
            self.problem(
                key,
                "give the source column ('from: <header>') or a 'pattern:' of source columns",
                "oppgi kildekolonnen ('from: <overskrift>') eller et 'pattern:' av kildekolonner",
            )
            return None
        for unknown in sorted(set(spec) - _KEYS):
            self.problem(
                f"{key}.{unknown}",
                f"unknown key '{unknown}'; a column has {', '.join(sorted(_KEYS))}",
                f"ukjent nøkkel '{unknown}'; en kolonne har {', '.join(sorted(_KEYS))}",
            )
        pattern = spec.get("pattern")
        if pattern is not None:
            sources = tuple(dict.fromkeys(field.strip() for field in _FIELD.findall(str(pattern))))
            if not sources:
                self.problem(
                    f"{key}.pattern",
                    "a pattern names source columns in braces, e.g. '{Anlegg}-{Avfallskode}'",
                    "et mønster navngir kildekolonner i krøllparenteser, f.eks. "
                    "'{Anlegg}-{Avfallskode}'",
                )
                return None
        else:
            sources = (str(spec["from"]).strip(),)
        return ColumnRule(
            column=column,
            sources=sources,
            pattern=str(pattern) if pattern is not None else None,
            values=self._values(f"{key}.values", spec.get("values")),
            multiply=self._multiply(f"{key}.multiply", spec.get("multiply")),
            slug=self._flag(f"{key}.slug", spec.get("slug")),
        )

    def _values(self, key: str, values: Any) -> dict[str, str] | None:
        if values is None:
            return None
        if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
            self.problem(
                key,
                "values maps each source text to the template's text",
                "values kobler hver kildetekst til malens tekst",
            )
            return None
        mapped: dict[str, str] = {}
        for source, target in values.items():
            known = mapped.setdefault(value_key(source), target)
            if known != target:
                self.problem(
                    key,
                    f"'{source}' is given twice with different values",
                    f"'{source}' er oppgitt to ganger med ulike verdier",
                )
        return mapped

    def _multiply(self, key: str, factor: Any) -> Decimal | None:
        if factor is None:
            return None
        try:
            return parse_number(str(factor))
        except InputError as error:
            self.problem(key, error.message["en"], error.message["nb"])
            return None

    def _flag(self, key: str, flag: Any) -> bool:
        if flag is None:
            return False
        text = str(flag).strip().casefold()
        if text not in _YES | _NO:
            self.problem(key, "write yes or no", "skriv yes eller no")
        return text in _YES


# --------------------------------------------------------------------------- applying


@dataclass
class MappedTable:
    """A source file read through a mapping: template rows, and where each column came from."""

    table: TemplateTable
    mapping: ColumnMapping | None
    """None when the mapping could not be read (its problems are the table's)."""

    def in_source_terms(self, problems: Iterable[Problem]) -> list[Problem]:
        """``problems`` with each template column named as the source column(s) it came
        from (``Avfallskode (ewc)``), or as the mapping's default it took."""
        if self.mapping is None:
            return list(problems)
        rules = {rule.column: rule for rule in self.mapping.rules}
        renamed = []
        for problem in problems:
            column = problem.column
            if problem.file == self.table.path.name and column in NAMES:
                if column in rules:
                    column = f"{rules[column].source} ({column})"
                elif column in self.mapping.defaults:
                    column = f"{column} (default of {self.mapping.path.name})"
                problem = dataclasses.replace(problem, column=column)
            renamed.append(problem)
        return renamed


def read_through(path: Path, mapping: Path) -> MappedTable:
    """Read the mapping file, then ``path`` through it (:func:`read_mapped`); a mapping that
    cannot be used gives a table with its problems and no rows."""
    try:
        column_mapping = ColumnMapping.read(mapping)
    except MappingError as error:
        return MappedTable(TemplateTable(Path(path), [], [], list(error.problems)), None)
    return read_mapped(path, column_mapping)


def read_mapped(path: Path, mapping: ColumnMapping, *, name: str | None = None) -> MappedTable:
    """Read ``path`` (CSV or XLSX) and map each row to template cells. Never raises for
    bad content: the table's ``problems`` name the source file's rows and columns."""
    path = Path(path)
    file = name if name is not None else path.name
    sources = mapping.source_columns
    # The reader matches header cells exactly, and finds the header row by their
    # normalised form (lower case, '_' between words): give it both.
    spellings = tuple(dict.fromkeys([*sources, *(_normalised(s) for s in sources)]))
    header = Header(spellings, (), (mapping.sheet or "").strip().lower())
    source = read_template(path, name=file, header=header)
    # Columns the mapping does not use are the steward's business, not problems.
    problems = [p for p in source.problems if p.rule != RULE_UNKNOWN_COLUMN]
    table = TemplateTable(
        path=path,
        columns=[],
        rows=[],
        problems=problems,
        encoding=source.encoding,
        delimiter=source.delimiter,
        sheet=source.sheet,
    )
    mapped = MappedTable(table, mapping)
    wanted = (mapping.sheet or "").strip()
    if source.sheet is not None and wanted and source.sheet.strip().lower() != wanted.lower():
        table.problems.append(
            violation(
                RULE_SOURCE_COLUMN,
                f"the mapping {mapping.path.name} reads the sheet '{wanted}', which {file} does "
                f"not have (its first sheet is '{source.sheet}')",
                f"mappingen {mapping.path.name} leser arket '{wanted}', som {file} ikke har "
                f"(det første arket heter '{source.sheet}')",
                file=file,
                value=wanted,
            )
        )
        return mapped
    if not source.conforms and not source.rows:
        return mapped
    missing = [s for s in sources if s not in source.columns]
    headers = [
        *source.columns,
        *(p.value for p in source.problems if p.rule == RULE_UNKNOWN_COLUMN),
    ]
    for column in missing:
        users = ", ".join(rule.column for rule in mapping.rules if column in rule.sources)
        close = tuple(difflib.get_close_matches(column, [h for h in headers if h], n=3, cutoff=0.5))
        table.problems.append(
            violation(
                RULE_SOURCE_COLUMN,
                f"the mapping {mapping.path.name} fills {users} from column '{column}', which "
                f"{file} does not have (its columns: {shown(headers)})",
                f"mappingen {mapping.path.name} fyller {users} fra kolonnen '{column}', som "
                f"{file} ikke har (kolonnene: {shown(headers)})",
                file=file,
                row=1,
                column=column,
                value=column,
                suggestions=close,
            )
        )
    if missing:
        return mapped
    table.columns = list(dict.fromkeys([*mapping.defaults, *(r.column for r in mapping.rules)]))
    for row in source.rows:
        cells = dict(mapping.defaults)
        for rule in mapping.rules:
            text = _apply(rule, row, file, mapping, table.problems)
            if text:
                cells[rule.column] = text
        table.rows.append(TemplateRow(row.number, cells))
    return mapped


def _apply(
    rule: ColumnRule, row: TemplateRow, file: str, mapping: ColumnMapping, problems: list[Problem]
) -> str | None:
    """The template text of ``rule`` for one source row; None when it gives none."""

    def problem(rule_id: str, en: str, nb: str, value: str) -> None:
        where = f"{rule.source} ({rule.column})"
        problems.append(
            violation(rule_id, en, nb, file=file, row=row.number, column=where, value=value)
        )

    if rule.pattern is not None:
        if any(row.cells.get(source) is None for source in rule.sources):
            return None
        text = _FIELD.sub(lambda match: row.cells[match[1].strip()], rule.pattern)
    else:
        found = row.cells.get(rule.sources[0])
        if found is None:
            return None
        text = found
    if rule.values is not None:
        mapped = rule.values.get(value_key(text))
        if mapped is None:
            problem(
                RULE_UNMAPPED,
                f"'{text}' is not among the values the mapping {mapping.path.name} gives for "
                f"{rule.column}; add it under columns.{rule.column}.values",
                f"'{text}' er ikke blant verdiene mappingen {mapping.path.name} har for "
                f"{rule.column}; legg den til under columns.{rule.column}.values",
                text,
            )
            return None
        text = mapped
    if rule.multiply is not None:
        try:
            number = parse_number(text)
        except InputError as error:
            problem(RULE_NUMBER, error.message["en"], error.message["nb"], text)
            return None
        text = decimal_literal(number * rule.multiply).value
    if rule.slug:
        text = slug(text)
    return text


def violation(rule: str, en: str, nb: str, **where: Any) -> Problem:
    """A violation with its English and Norwegian message; ``where``: file, row, column,
    value, suggestions."""
    return Problem(severity=Severity.VIOLATION, message={"en": en, "nb": nb}, rule=rule, **where)


def shown(names: Iterable[str | None]) -> str:
    return ", ".join(f"'{name}'" for name in names if name) or "none"


def _normalised(name: str) -> str:
    """A header as the reader's header search compares it (``Mengde (kg)`` -> ``mengde_(kg)``)."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())
