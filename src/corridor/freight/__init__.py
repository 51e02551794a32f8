"""Freight: the corridor demand routed, compared, congested, stressed and priced.

Every analysis starts from :func:`freight_inputs` (network + scenario + demand → router + OD volumes).
"""

from .calibration import Calibration, calibrate
from .choice import apply_constants, load_constants
from .choice_fit import ChoiceFit, elasticities, estimate_constants
from .compare import Comparison, compare
from .congestion import assign_corridors
from .corridor_flows import CorridorFlows
from .criticality import CriticalityResult, criticality
from .demand import Demand, load_demand
from .demand_years import Growth, block_totals, demand_for_year, load_growth
from .economics import EconomicsResult, concession_economics
from .flows import DemandFlows, route_demand
from .inputs import FreightInputs, freight_inputs
from .reliability import TransitDistribution, plot_distributions, simulate
from .vc_map import plot_vc_map

__all__ = [
    "Calibration", "calibrate", "ChoiceFit", "apply_constants", "elasticities", "estimate_constants",
    "load_constants",
    "Comparison", "CorridorFlows", "CriticalityResult", "Demand", "DemandFlows", "EconomicsResult", "FreightInputs",
    "Growth", "TransitDistribution", "assign_corridors", "block_totals", "compare", "concession_economics",
    "criticality", "demand_for_year", "freight_inputs", "load_demand", "load_growth", "plot_distributions",
    "plot_vc_map", "route_demand", "simulate",
]
