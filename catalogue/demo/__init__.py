"""The bundled demo catalogue: streams and demands of Norwegian process industry (README.md)."""

from importlib import resources
from pathlib import Path

DEMO_FILE = "prosess21-demo.csv"
SECOND_YEAR_FILE = "prosess21-demo-2021.csv"
"""An illustrative second reporting year (2021) of some of the demo's streams."""
DEPOSITS_FILE = "deposits.csv"
"""Landfills and legacy deposits (kind ``deposit``): standing stocks, not yearly reports."""
EXCHANGES_FILE = "exchanges.csv"
"""Exchanges between organisations with their effect figures (Kalundborg, Øra, Mo, VEAS)."""


def _shipped(name: str) -> Path:
    """Path of a file the package ships as a plain file."""
    return Path(str(resources.files("catalogue.demo").joinpath(name)))


def demo_file() -> Path:
    """Path of the demo's first-year (2020) stream template."""
    return _shipped(DEMO_FILE)


def demo_rounds() -> list[list[Path]]:
    """The demo's files, one list per reporting round, in the order they are loaded: each
    round is one load (one transaction), so that a later round's streams become new versions
    of the earlier round's. Files that are not yearly stream reports (deposits, exchanges)
    go in the first round."""
    first = [demo_file(), _shipped(DEPOSITS_FILE), _shipped(EXCHANGES_FILE)]
    return [first, [_shipped(SECOND_YEAR_FILE)]]
