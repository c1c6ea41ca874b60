"""The one place that knows where the ontology, shapes and queries live.

In a checkout they sit at the repository root; in an installed wheel they are
shipped inside the package as ``catalogue/_data/`` (see pyproject.toml).
"""

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"the {name}/ folder is neither in the package ({_PACKAGE_DIR / '_data'}) "
        f"nor beside it ({_PACKAGE_DIR.parent}); reinstall sidestream"
    )


@cache
def ontology_dir() -> Path:
    """The folder holding ``sidestream.ttl``, ``modules/``, ``vocab/`` and ``sources/``."""
    return _data_dir("ontology")


def ontology_header() -> Path:
    return ontology_dir() / "sidestream.ttl"


def module_files() -> list[Path]:
    """The hand-written ontology modules, in a stable order."""
    return sorted((ontology_dir() / "modules").glob("*.ttl"))


def vocabulary_files() -> list[Path]:
    """The generated SKOS vocabularies, in a stable order."""
    return sorted((ontology_dir() / "vocab").glob("*.ttl"))


def source_file(name: str) -> Path:
    """A hand-curated input of a vocabulary generator, from ``ontology/sources/``."""
    return ontology_dir() / "sources" / name


@cache
def shapes_dir() -> Path:
    """The folder holding the SHACL shapes, one Turtle file per concern (``shapes/*.ttl``)."""
    return _data_dir("shapes")


def shape_files() -> list[Path]:
    """The SHACL shape files, in a stable order."""
    return sorted(shapes_dir().glob("*.ttl"))
