"""Numbers and reasons in words: how match results explain themselves on one line."""

from __future__ import annotations

from decimal import Decimal

from catalogue.matching.recoverable import Estimate

HUNDRED = Decimal(100)


def number(value: Decimal, *, significant: int = 3) -> str:
    """``value`` rounded to ``significant`` figures, with thousands separators.

    >>> number(Decimal("1847.31"))
    '1,850'
    >>> number(Decimal("0.008402"))
    '0.0084'
    >>> number(Decimal("220000"))
    '220,000'
    """
    if value == 0:
        return "0"
    step = Decimal(1).scaleb(value.adjusted() - significant + 1)
    rounded = (value / step).quantize(Decimal(1)) * step
    if abs(rounded) >= 1:
        whole = rounded.quantize(Decimal(1)) if rounded == rounded.to_integral() else rounded
        if whole == whole.to_integral():
            return f"{int(whole):,}"
        integral, _, decimals = format(whole.normalize(), "f").partition(".")
        return f"{int(integral):,}.{decimals}"
    return format(rounded.normalize(), "f")


def percent(fraction: Decimal) -> str:
    """A mass fraction as a percentage: ``Decimal("0.015")`` -> ``'1.5 %'``."""
    return f"{number(fraction * HUNDRED)} %"


def fraction_text(found: Estimate) -> str:
    """A mass fraction with how it is known: ``1.5 %``, ``at most 1 %``, ``0.5-1.2 %
    (midpoint 0.85 %)``."""
    if found.qualifier == "range" and found.minimum is not None and found.maximum is not None:
        return (
            f"{number(found.minimum * HUNDRED)}-{percent(found.maximum)} "
            f"(midpoint {percent(found.value)})"
        )
    if found.qualifier in ("at most", "at least"):
        return f"{found.qualifier} {percent(found.value)}"
    return percent(found.value)


def amount_text(found: Estimate, unit: str) -> str:
    """A quantity with how it is known: ``220,000 t/a``, ``200,000-240,000 t/a (midpoint
    220,000)``, ``at least 20,000 units/a``."""
    if found.qualifier == "range" and found.minimum is not None and found.maximum is not None:
        return (
            f"{number(found.minimum)}-{number(found.maximum)} {unit} "
            f"(midpoint {number(found.value)})"
        )
    if found.qualifier in ("at most", "at least"):
        return f"{found.qualifier} {number(found.value)} {unit}"
    return f"{number(found.value)} {unit}"
