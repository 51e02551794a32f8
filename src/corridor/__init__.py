"""corridor: model Eurasian freight corridors on a bundled, fully sourced network.

The public API is small; everything else is private to its module.

>>> import corridor
>>> routes = corridor.route("Xi'an", "Duisburg", alternatives=3)
>>> [r.corridor for r in routes]  # doctest: +SKIP
['Northern via Brest', 'Middle Corridor via Poti', 'Sea via Suez']
"""

from importlib.metadata import version

from .assignment import CrossValidation, ODMEResult, estimate_matrix, leave_one_out
from .energy import (
    EnergyComparison,
    EnergyFlows,
    EnergyNetwork,
    compare_energy,
    energy_criticality,
    energy_flows,
    load_energy,
    plot_energy,
)
from .errors import CorridorError, DataError, InvalidOptionError, NoRouteError, UnknownPlaceError
from .formats.geo import network_gdfs
from .freight import (
    Calibration,
    ChoiceFit,
    Comparison,
    CorridorFlows,
    CriticalityResult,
    Demand,
    DemandFlows,
    EconomicsResult,
    FreightInputs,
    Growth,
    TransitDistribution,
    assign_corridors,
    block_totals,
    calibrate,
    compare,
    concession_economics,
    criticality,
    demand_for_year,
    estimate_constants,
    freight_inputs,
    load_demand,
    load_growth,
    plot_distributions,
    route_demand,
    simulate,
)
from .freight.warm_solves import WarmSolves
from .graph import RoutingGraph, compile_graph
from .maps import plot_costs
from .network import Network, check_dataset, load_network
from .network.counts_table import load_counts
from .network.reliability_table import ReliabilityTable, load_reliability
from .routing import Leg, Route, Router, default_router, route
from .routing_costs import EdgeCosts
from .scenarios import Scenario, ScenarioError, apply_scenario, load_scenario
from .sensitivity import SensitivityResult, plot_tornado, sensitivity
from .settings import Settings
from .store import RunStore
from .sweep import load_sweep, run_sweep

__version__ = version("corridor")

__all__ = [
    "CorridorError", "DataError", "InvalidOptionError", "Leg", "Network", "NoRouteError", "Route", "Router",
    "EdgeCosts", "RoutingGraph", "Settings", "UnknownPlaceError", "check_dataset", "compile_graph", "default_router",
    "load_counts", "load_network", "network_gdfs", "plot_costs", "route",
    "ReliabilityTable", "TransitDistribution", "load_reliability", "plot_distributions", "simulate",
    "Comparison", "CorridorFlows", "CriticalityResult", "Demand", "DemandFlows", "EconomicsResult", "FreightInputs",
    "RunStore", "Scenario", "ScenarioError", "apply_scenario", "assign_corridors", "compare", "concession_economics",
    "criticality", "freight_inputs", "load_demand", "load_scenario", "load_sweep", "route_demand", "run_sweep",
    "EnergyComparison", "EnergyFlows", "EnergyNetwork", "compare_energy", "energy_criticality", "energy_flows",
    "load_energy", "plot_energy",
    "CrossValidation", "ODMEResult", "estimate_matrix", "leave_one_out", "Calibration", "calibrate",
    "Growth", "block_totals", "demand_for_year", "load_growth",
    "ChoiceFit", "estimate_constants",
    "SensitivityResult", "plot_tornado", "sensitivity",
    "WarmSolves",
]
