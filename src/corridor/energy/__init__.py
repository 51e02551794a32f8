"""The energy layer: Caspian oil and gas to Europe through pipelines, tankers and terminals.

>>> from corridor.energy import energy_flows
>>> gas = energy_flows(commodity="gas")          # doctest: +SKIP
>>> gas.binding["why"].tolist()                   # doctest: +SKIP
"""

from ..network.energy_table import BASE_UNIT, UNITS, EnergyNetwork, convert, load_energy, read_energy
from ..scenarios import apply_energy_scenario
from .compare import EnergyComparison, compare_energy
from .criticality import energy_criticality
from .flows import EUROPE, EnergyFlows, energy_flows
from .plot import plot_energy

__all__ = [
           "BASE_UNIT",
           "EUROPE",
           "UNITS",
           "EnergyComparison",
           "EnergyFlows",
           "EnergyNetwork",
           "apply_energy_scenario",
           "compare_energy",
           "convert",
           "energy_criticality",
           "energy_flows",
           "load_energy",
           "plot_energy",
           "read_energy",
]
