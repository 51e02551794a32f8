"""The one recipe every freight analysis starts from: network + scenario + demand → router + OD volumes.

The CLI, the REST API, sweeps, comparisons, criticality, concession economics and the capacity-aware
assignment all build their inputs here, so the same question gets the same answer whichever
interface asks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from ..errors import DataError
from ..network import Network, load_network
from ..routing import Router
from ..scenarios import Scenario, apply_demand, apply_scenario, load_scenario
from ..settings import Settings
from .demand import Demand, demand_settings, has_demand, load_demand
from .demand_years import demand_for_year, load_growth


@dataclass(frozen=True)
class FreightInputs:
    """A dataset's network and demand as a scenario makes them, and how routes are valued.

    ``base`` is the dataset's network, ``network`` the scenario's; ``demand`` is that of the year asked
    for (``growth.csv``), then grown by the scenario's ``demand`` operations (None when the dataset has
    no demand); ``data`` is the dataset
    folder the optional tables (``capacities.csv``, ``reliability.csv``) are read from (None: bundled).
    """

    scenario: Scenario
    base: Network
    network: Network
    demand: Demand | None
    settings: Settings
    data: Path | None = None

    @cached_property
    def router(self) -> Router:
        """A router on the scenario's network (compiled once per inputs), pricing ETS allowances and
        war-risk premia in the scenario's year unless the settings name one."""
        settings = self.settings
        if settings.year is None and self.scenario.year is not None:
            settings = settings.replace(year=self.scenario.year)
        return Router(self.network, settings)

    @property
    def od(self) -> pd.DataFrame:
        """TEU per year between places (see :meth:`Demand.by_place`).

        Raises
        ------
        DataError
            When the dataset has no demand.
        """
        if self.demand is None:
            raise DataError("this analysis needs demand: zones.csv and demand.csv are not in the dataset folder")
        return self.demand.by_place()

    def year(self, year: int | None = None) -> int | None:
        """``year`` when given, else the scenario's (None: the links open today)."""
        return year if year is not None else self.scenario.year


def freight_inputs(scenario: Scenario | str | Path | None = None, *, data: Path | str | None = None,
                   network: Network | None = None, demand: Demand | None = None,
                   settings: Settings | None = None, cargo: str | None = None,
                   year: int | None = None) -> FreightInputs:
    """Load what a freight analysis needs and apply ``scenario`` to it.

    Parameters
    ----------
    scenario : Scenario, bundled name, YAML path or None
        None or ``"base"``: the network as it is.
    data : path, optional
        The dataset folder (the bundled one by default); read for what is not given.
    network, demand : optional
        Already loaded base network and demand (servers and sweeps keep them in memory); with a
        network given, demand is only what is given.
    settings : Settings, optional
        How routes are valued; else those of the demand (:func:`~corridor.freight.demand.demand_settings`)
        for ``cargo``.
    cargo : str, optional
        Cargo class when ``settings`` is not given (default: the demand's, ``high_value``).
    year : int, optional
        The demand's year (default the scenario's, else the demand's base year, 2024): the base-year
        matrix grown by ``growth.csv`` of ``data`` (a dataset without one keeps its base-year demand).

    Raises
    ------
    InvalidOptionError
        ``year`` outside the years ``growth.csv`` covers (the message names them).

    Examples
    --------
    >>> inputs = freight_inputs("tripp")               # doctest: +SKIP
    >>> inputs.router.route("Baku", "Nakhchivan", year=inputs.year())[0].corridor  # doctest: +SKIP
    'TRIPP via Syunik'
    """
    sc = load_scenario(scenario)
    base = network if network is not None else load_network(data)
    if demand is None and network is None and has_demand(data):
        demand = load_demand(data, base)
    target = year if year is not None else sc.year
    if demand is not None and target is not None and target != demand.base_year:
        growth = load_growth(data, base)
        if growth is not None:
            demand = demand_for_year(demand, target, growth)
    if demand is not None and sc.demand_factors():
        demand = demand.scaled(apply_demand(demand.od, sc, demand.zones["zone"]))
    return FreightInputs(scenario=sc, base=base, network=apply_scenario(base, sc), demand=demand,
                         settings=settings or demand_settings(base, cargo), data=Path(data) if data else None)
