"""What every harness does: instrument ``catalogue``, then run atheris on one target of
``tests/fuzz/targets.py`` with the command line's libFuzzer options and corpus folders."""

import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))


def targets() -> ModuleType:
    """``tests.fuzz.targets``, with every ``catalogue`` module it loads instrumented."""
    with atheris.instrument_imports(include=["catalogue"]):
        from tests.fuzz import targets as module
    return module


def fuzz(target: Callable[[bytes], None]) -> None:
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()
