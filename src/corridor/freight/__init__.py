"""Freight: the corridor demand routed, compared, congested, stressed and priced.

Every analysis starts from :func:`freight_inputs` (network + scenario + demand → router + OD volumes).
"""

from .compare import Comparison, compare
from .congestion import assign_corridors
from .corridor_flows import CorridorFlows
from .criticality import CriticalityResult, criticality
from .demand import Demand, load_demand
from .economics import EconomicsResult, concession_economics
from .flows import DemandFlows, route_demand
from .inputs import FreightInputs, freight_inputs
from .reliability import TransitDistribution, plot_distributions, simulate
from .vc_map import plot_vc_map

__all__ = [
    "Comparison", "CorridorFlows", "CriticalityResult", "Demand", "DemandFlows", "EconomicsResult", "FreightInputs",
    "TransitDistribution", "assign_corridors", "compare", "concession_economics", "criticality", "freight_inputs",
    "load_demand", "plot_distributions", "plot_vc_map", "route_demand", "simulate",
]
