"""Recoverable element mass: a supply's quantity times an element's mass fraction.

All arithmetic is in :class:`~decimal.Decimal`. A quantity is its best estimate, else
the midpoint of its range, converted to the base unit with the unit's factor
(``t/a`` for flows, ``t`` for stocks). A mass fraction is its exact value, else the
midpoint of its range; an at-most bound counts as its upper bound, an at-least bound
as its lower bound, and the qualifier travels with the number so the explanation can
say "at most" or "at least". Formula components were converted to the element basis
at load time (``#component-n-SYMBOL``), so fractions here are already element fractions.

:func:`totals_by_category` sums CRM-first results per kind of supply (flows in ``t/a``,
stocks and deposits in ``t``): what an element page says the catalogue holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from catalogue.matching.results import Basis, Category, MatchResult

Qualifier = Literal["exact", "range", "at most", "at least"]

MASS_BASES: dict[str, Basis] = {"t/a": "flow", "t": "stock"}
"""Base units of mass, and whether an amount in them is a flow or a stock."""

TWO = Decimal(2)


@dataclass(frozen=True)
class Estimate:
    """A number to compute with, how it was obtained, and the bounds it came from."""

    value: Decimal
    qualifier: Qualifier
    minimum: Decimal | None = None
    maximum: Decimal | None = None


@dataclass(frozen=True)
class QuantityEstimate:
    """A supply's quantity in its base unit (``estimate``) and that unit's notation."""

    estimate: Estimate
    unit: str

    @property
    def is_mass(self) -> bool:
        """Whether the base unit is a mass (``t/a`` or ``t``), so element mass follows."""
        return self.unit in MASS_BASES


def estimate(
    exact: Decimal | None, minimum: Decimal | None, maximum: Decimal | None
) -> Estimate | None:
    """The value to use: ``exact``, else the range midpoint, else the one bound given.

    >>> estimate(None, Decimal("0.5"), Decimal("1.5")).value
    Decimal('1.0')
    >>> estimate(None, None, Decimal("0.01")).qualifier
    'at most'
    """
    if exact is not None:
        return Estimate(exact, "exact", minimum, maximum)
    if minimum is not None and maximum is not None:
        return Estimate((minimum + maximum) / TWO, "range", minimum, maximum)
    if maximum is not None:
        return Estimate(maximum, "at most", None, maximum)
    if minimum is not None:
        return Estimate(minimum, "at least", minimum, None)
    return None


def quantity_estimate(
    exact: Decimal | None,
    minimum: Decimal | None,
    maximum: Decimal | None,
    *,
    factor: Decimal,
    base_unit: str,
) -> QuantityEstimate | None:
    """The quantity in ``base_unit`` (each given number times ``factor``), or None."""

    def scaled(number: Decimal | None) -> Decimal | None:
        return None if number is None else number * factor

    found = estimate(scaled(exact), scaled(minimum), scaled(maximum))
    return None if found is None else QuantityEstimate(found, base_unit)


def basis_of(given: str | None, base_unit: str | None) -> Basis | None:
    """``flow`` or ``stock``: as stated (``ss:basis``), else from the base unit."""
    if given in ("flow", "stock"):
        return given  # type: ignore[return-value]
    if base_unit is None:
        return None
    return MASS_BASES.get(base_unit, "flow" if base_unit.endswith("/a") else None)


def element_mass(quantity: QuantityEstimate | None, fraction: Estimate | None) -> Decimal | None:
    """Quantity x mass fraction in the quantity's base unit, or None when it cannot be known.

    >>> q = QuantityEstimate(Estimate(Decimal(200000), "exact"), "t/a")
    >>> element_mass(q, Estimate(Decimal("0.01"), "exact"))
    Decimal('2000.00')
    """
    if quantity is None or fraction is None or not quantity.is_mass:
        return None
    return quantity.estimate.value * fraction.value


def combined_qualifier(qualifiers: set[Qualifier]) -> Literal["about", "at most", "at least"]:
    """How a product or sum of estimates is qualified: a bound only if all bounds agree."""
    bounds = qualifiers & {"at most", "at least"}
    if len(bounds) == 1:
        return next(iter(bounds))  # type: ignore[return-value]
    return "about"


CATEGORIES: tuple[Category, ...] = ("flow", "stock", "deposit")
"""The kinds of supply a recoverable mass is summed over, in the order they are shown."""


@dataclass(frozen=True)
class CategoryTotal:
    """Recoverable mass summed over the supplies of one category (flows in ``t/a``,
    stocks and deposits in ``t``): ``supplies`` counted, ``unknown`` whose mass is not."""

    category: Category
    unit: str
    mass: Decimal
    supplies: int
    unknown: int

    def to_dict(self) -> dict[str, object]:
        return {
            "category": self.category,
            "unit": self.unit,
            "mass": float(self.mass),
            "supplies": self.supplies,
            "unknown": self.unknown,
        }


def totals_by_category(results: Iterable[MatchResult]) -> list[CategoryTotal]:
    """The CRM-first ``results`` summed per category, for the categories they have.

    >>> from catalogue.matching.results import Recoverable
    >>> flow = Recoverable("Ga", Decimal(5), "t/a")
    >>> found = [MatchResult("a", "A", 1.0, "composition", "", flow, category="flow"),
    ...          MatchResult("b", "B", 0.0, "composition", "", None, category="flow")]
    >>> [(t.category, t.unit, t.mass, t.supplies, t.unknown) for t in totals_by_category(found)]
    [('flow', 't/a', Decimal('5'), 1, 1)]
    """
    masses: dict[Category, Decimal] = {}
    counted: dict[Category, int] = {}
    unknown: dict[Category, int] = {}
    for result in results:
        category = result.category or "flow"
        recoverable = result.recoverable
        if recoverable is None or recoverable.mass is None:
            unknown[category] = unknown.get(category, 0) + 1
            continue
        masses[category] = masses.get(category, Decimal(0)) + recoverable.mass
        counted[category] = counted.get(category, 0) + 1
    return [
        CategoryTotal(
            category,
            "t/a" if category == "flow" else "t",
            masses.get(category, Decimal(0)),
            counted.get(category, 0),
            unknown.get(category, 0),
        )
        for category in CATEGORIES
        if category in masses or category in unknown
    ]
