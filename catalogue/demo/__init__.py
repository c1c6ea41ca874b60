"""The bundled demo catalogue: streams and demands of Norwegian process industry (README.md)."""

from importlib import resources
from pathlib import Path

DEMO_FILE = "prosess21-demo.csv"


def demo_file() -> Path:
    """Path of the demo template; the package ships it as a plain file."""
    return Path(str(resources.files("catalogue.demo").joinpath(DEMO_FILE)))
