"""The template's columns: the contract of interfaces.md, and the doc generated from them."""

from __future__ import annotations

import re
from pathlib import Path

from catalogue.ingest.columns import NAMES, template_markdown

ROOT = Path(__file__).parents[3]
INTERFACES = ROOT.parent / "shared" / "spec" / "interfaces.md"


def test_docs_template_md_is_current():
    assert (ROOT / "docs" / "template.md").read_text(encoding="utf-8") == template_markdown(), (
        "run: python -m catalogue.ingest.columns > docs/template.md"
    )


def test_every_column_of_the_interface_is_kept():
    if not INTERFACES.is_file():  # shared/ sits beside the clone in CI
        import os

        import pytest

        if os.environ.get("CI"):
            pytest.fail(f"missing {INTERFACES}")
        pytest.skip(f"missing {INTERFACES}")
    section = INTERFACES.read_text(encoding="utf-8").split("## 2.")[0]
    contract = set()
    for line in section.splitlines():
        match = re.match(r"\| (`[a-z_]+`(?:, `[a-z_]+`)*) \|", line)
        if match:
            contract.update(re.findall(r"`([a-z_]+)`", match.group(1)))
    assert len(contract) == 29
    # extended, never renamed or dropped (interfaces.md): composition_basis is an addition
    assert contract <= set(NAMES)
