"""The ontology's quality-control queries (``ontology/qc/*-violation.rq``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from catalogue.resources import ontology_dir


@dataclass(frozen=True)
class Violation:
    check: str
    row: dict[str, str]

    def __str__(self) -> str:
        details = ", ".join(f"{key}={value}" for key, value in self.row.items())
        return f"{self.check}: {details}"


def violation_queries() -> dict[str, Path]:
    """Every ``*-violation.rq`` by its check name (the file name without the suffix)."""
    return {
        path.name.removesuffix("-violation.rq"): path
        for path in sorted((ontology_dir() / "qc").glob("*-violation.rq"))
    }


def run_check(store: pyoxigraph.Store, name: str) -> list[Violation]:
    """The rows that the check ``name`` returns over ``store``: each one a violation."""
    text = violation_queries()[name].read_text(encoding="utf-8")
    solutions = store.query(text)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    variables = [variable.value for variable in solutions.variables]
    return [
        Violation(
            check=name,
            row={
                variable: term.value
                for variable in variables
                if (term := solution[variable]) is not None
            },
        )
        for solution in solutions
    ]


def run_all(store: pyoxigraph.Store) -> list[Violation]:
    return [violation for name in violation_queries() for violation in run_check(store, name)]
