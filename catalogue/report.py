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

    def text(self, lang: str = "en") -> str:
        return self.message.get(lang) or self.message["en"]

    def location(self) -> str:
        parts = [self.file] if self.file else []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
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

    def to_text(self, lang: str = "en") -> str:
        heading = {
            "en": f"{len(self.violations)} error(s), {len(self.warnings)} warning(s)",
            "nb": f"{len(self.violations)} feil, {len(self.warnings)} advarsel(er)",
        }[lang if lang in LANGUAGES else "en"]
        severity_word = {
            "en": {Severity.VIOLATION: "error", Severity.WARNING: "warning"},
            "nb": {Severity.VIOLATION: "feil", Severity.WARNING: "advarsel"},
        }[lang if lang in LANGUAGES else "en"]
        lines = [heading]
        for problem in self.sorted_problems():
            where = problem.location()
            value = f" [{problem.value}]" if problem.value not in (None, "") else ""
            line = f"{severity_word[problem.severity]}: {where}{value}: {problem.text(lang)}"
            if problem.suggestions:
                hint = {"en": "did you mean", "nb": "mente du"}[lang if lang in LANGUAGES else "en"]
                line += f" ({hint}: {', '.join(problem.suggestions)})"
            lines.append(line)
        return "\n".join(lines)

    def to_json(self, lang: str = "en") -> str:
        return json.dumps(
            {
                "conforms": self.conforms,
                "violations": len(self.violations),
                "warnings": len(self.warnings),
                "problems": [p.as_dict(lang) for p in self.sorted_problems()],
            },
            ensure_ascii=False,
            indent=2,
        )
