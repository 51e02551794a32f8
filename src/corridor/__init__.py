"""corridor: model Eurasian freight corridors on a bundled, fully sourced network.

The public API is small; everything else is private to its module.

>>> import corridor
>>> routes = corridor.route("Xi'an", "Duisburg", alternatives=3)
>>> [r.corridor for r in routes]  # doctest: +SKIP
['Northern via Brest', 'Middle Corridor via Poti', 'Sea via Suez']
"""

from .errors import CorridorError, DataError, InvalidOptionError, NoRouteError, UnknownPlaceError
from .graph import RoutingGraph, compile_graph
from .network import Network, check_dataset, load_network
from .routing import Leg, Route, Router, default_router, route
from .reliability import TransitDistribution, plot_distributions, simulate
from .network.reliability_table import ReliabilityTable, load_reliability
from .settings import Settings

__version__ = "0.1.0"

__all__ = [
    "CorridorError", "DataError", "InvalidOptionError", "Leg", "Network", "NoRouteError", "Route", "Router",
    "RoutingGraph", "Settings", "UnknownPlaceError", "check_dataset", "compile_graph", "default_router",
    "load_network", "route",
    "ReliabilityTable", "TransitDistribution", "load_reliability", "plot_distributions", "simulate",
]
