"""One frozen, documented settings object passed to the engine (never global state)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

OBJECTIVES = ("time", "cost", "co2", "generalized")


@dataclass(frozen=True)
class Settings:
    """How routes are valued.

    Parameters
    ----------
    cargo_class : str
        A class of ``cargo.csv`` (``general``, ``high_value``, ``bulk``); it sets the value of time
        and the payload per FEU used for CO2.
    co2_price_usd_per_t : float
        Shadow price of CO2e in the generalized cost, US$ per tonne, on all of a route's emissions
        (its ``carbon_usd``, docs/costs.md). The default 0 keeps the generalized cost to money and
        time; set it to weigh emissions too.
    avoid_passages : tuple of str
        Sea passages (searoute names such as ``suez``, ``babalmandab``) that sea links may not use.
    year : int, optional
        The year whose EU ETS allowance price and war-risk premia price routes (``ets.csv``,
        ``premia.csv``) when a query names none; None: this calendar year.
    """

    cargo_class: str = "general"
    co2_price_usd_per_t: float = 0.0
    avoid_passages: tuple[str, ...] = field(default_factory=tuple)
    year: int | None = None

    def replace(self, **changes: object) -> Settings:
        """Return a copy with some fields changed."""
        return replace(self, **changes)
