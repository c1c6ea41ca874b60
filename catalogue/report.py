"""Problems found in a submission, and the report a data steward reads.

Every problem names where it is (file, row, column), the value, what is wrong in
English and Norwegian Bokmål, and the rule that found it (a SHACL shape IRI or an
ingest rule). Violations reject a submission; warnings are reported and it loads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

LANGUAGES = ("en", "nb")
WORDS = {"en": ("row", "column", "rows"), "nb": ("rad", "kolonne", "rader")}
"""Words of the report's locations, by language."""


class Severity(StrEnum):
    VIOLATION = "violation"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a submission; ``row`` is 1-based with the header as row 1."""

    severity: Severity
    message: dict[str, str]
    rule: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    suggestions: tuple[str, ...] = ()
    focus: str | None = field(default=None, compare=False)
    """The node a shape reported on (what places a problem of RDF input, which has no rows);
    not part of the report, and not compared."""

    def text(self, lang: str = "en") -> str:
        return self.message.get(lang) or self.message["en"]

    def location(self, lang: str = "en") -> str:
        row_word, column_word = WORDS.get(lang, WORDS["en"])[:2]
        parts = [self.file] if self.file else []
        if self.row is not None:
            parts.append(f"{row_word} {self.row}")
        if self.column:
            parts.append(f"{column_word} {self.column}")
        return ", ".join(parts)

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "severity": str(self.severity),
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.text(lang),
            "suggestions": list(self.suggestions),
            "rule": self.rule,
        }


@dataclass
class Report:
    """All problems of one submission, in the order they were found."""

    problems: list[Problem] = field(default_factory=list)

    @property
    def violations(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.VIOLATION]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def extend(self, problems: list[Problem]) -> None:
        self.problems.extend(problems)

    def sorted_problems(self) -> list[Problem]:
        """Problems by file, row and column, so a steward can walk the sheet top to bottom."""
        return sorted(
            self.problems,
            key=lambda p: (p.file or "", p.row if p.row is not None else -1, p.column or ""),
        )

    def to_text(self, lang: str = "en", *, group_warnings: bool = False) -> str:
        """The report for a terminal; ``group_warnings`` lists each kind of warning once.

        Violations are always listed one by one, so that each can be fixed.
        """
        heading = {
            "en": f"{len(self.violations)} error(s), {len(self.warnings)} warning(s)",
            "nb": f"{len(self.violations)} feil, {len(self.warnings)} advarsel(er)",
        }[lang if lang in LANGUAGES else "en"]
        severity_word = {
            "en": {Severity.VIOLATION: "error", Severity.WARNING: "warning"},
            "nb": {Severity.VIOLATION: "feil", Severity.WARNING: "advarsel"},
        }[lang if lang in LANGUAGES else "en"]
        lines = [heading]
        problems = self.sorted_problems()
        if group_warnings:
            problems = [p for p in problems if p.severity is Severity.VIOLATION]
        for problem in problems:
            where = problem.location(lang)
            value = f" [{problem.value}]" if problem.value not in (None, "") else ""
            line = f"{severity_word[problem.severity]}: {where}{value}: {problem.text(lang)}"
            if problem.suggestions:
                hint = {"en": "did you mean", "nb": "mente du"}[lang if lang in LANGUAGES else "en"]
                line += f" ({hint}: {', '.join(problem.suggestions)})"
            lines.append(line)
        if group_warnings:
            lines += self._grouped_warnings(lang, severity_word[Severity.WARNING])
        return "\n".join(lines)

    def _grouped_warnings(self, lang: str, word: str) -> list[str]:
        groups: dict[tuple[str | None, str | None, str], list[int]] = {}
        for problem in self.sorted_problems():
            if problem.severity is Severity.WARNING:
                key = (problem.file, problem.column, problem.text(lang))
                groups.setdefault(key, [])
                if problem.row is not None:
                    groups[key].append(problem.row)
        _, column_word, rows_word = WORDS.get(lang, WORDS["en"])
        lines = []
        for (file, column, text), rows in groups.items():
            where = ", ".join(
                part for part in (file, f"{column_word} {column}" if column else "") if part
            )
            if rows:
                shown = ", ".join(str(row) for row in rows[:12])
                more = f", … ({len(rows)} {rows_word})" if len(rows) > 12 else ""
                where += f", {rows_word} {shown}{more}"
            lines.append(f"{word}: {where}: {text}")
        return lines

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        """The report as ``--format json`` prints it and ``POST /streams`` answers it."""
        return {
            "conforms": self.conforms,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "problems": [p.as_dict(lang) for p in self.sorted_problems()],
        }

    def to_json(self, lang: str = "en") -> str:
        return json.dumps(self.as_dict(lang), ensure_ascii=False, indent=2)
