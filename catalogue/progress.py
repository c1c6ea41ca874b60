"""The command line's progress bar for writes sent in batches (tqdm, on stderr)."""

from __future__ import annotations

import sys

from tqdm import tqdm


class WriteBar:
    """A :data:`~catalogue.store.base.WriteProgress` that draws a bar of quads sent.

    The bar appears only once a write reports a batch short of the whole: a write done in
    one request (the embedded store, a small submission) is over before there is anything
    to show.
    """

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.bar: tqdm | None = None  # type: ignore[type-arg]

    def __call__(self, sent: int, total: int, unit: str = "quads") -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if sent >= total:
                return
            self.bar = tqdm(
                total=total, unit=f" {unit}", unit_scale=True, desc="  writing", file=sys.stderr
            )
        self.bar.update(sent - self.bar.n)
        if sent >= total:
            self.bar.close()
