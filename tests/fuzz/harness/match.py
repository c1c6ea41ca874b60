#!/usr/bin/env python3
"""atheris over the match parameters (element, demand or supply, and top) on a real
embedded store holding the demo catalogue, built once in a temporary folder.

Run from the checkout (crash files go to tests/fuzz/crashes/match/)::

    python tests/fuzz/harness/match.py -max_total_time=300 -timeout=10 \
        -artifact_prefix=tests/fuzz/crashes/match/ tests/fuzz/corpus/match/
"""

import tempfile
from pathlib import Path

from common import fuzz, targets

if __name__ == "__main__":
    module = targets()
    from api.settings import ServiceSettings
    from catalogue.demo import demo_file
    from catalogue.store import open_store
    from tests.api.conftest import loaded_store

    with tempfile.TemporaryDirectory(prefix="sidestream-fuzz-match-") as folder:
        store = open_store(ServiceSettings(store=loaded_store(Path(folder), [demo_file()])))
        fuzz(lambda data: module.match(data, store))
