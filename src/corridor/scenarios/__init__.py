"""Scenarios: versionable "what if" files applied to a :class:`~corridor.network.Network` as a pure function.

A scenario is a YAML file of operations (``open``, ``close``, ``restrict``, ``set``, ``scale``,
``add_link``, ``add_terminal``, ``demand``, ``add_asset``); the language is documented in
:mod:`corridor.scenarios.spec`. The modules:

- :mod:`~corridor.scenarios.spec`: the objects (:class:`Operation`, :class:`Scenario`) and the words of the language
- :mod:`~corridor.scenarios.reading`: YAML files into checked scenarios, errors naming file and line
- :mod:`~corridor.scenarios.checks`: the shape of each operation's arguments
- :mod:`~corridor.scenarios.operations`: the table of operations: each one's check and edits
- :mod:`~corridor.scenarios.freight`, :mod:`~corridor.scenarios.energy`: the edits of the freight network and
  of the energy layer
- :mod:`~corridor.scenarios.applying`: a scenario applied to a network, or to the energy layer
- :mod:`~corridor.scenarios.demand`: the ``demand`` operation, which grows the demand matrix

Examples
--------
>>> from corridor.network import load_network
>>> net = apply_scenario(load_network(), "no-russia")  # doctest: +SKIP
"""

from ..errors import ScenarioError
from .applying import apply_energy_scenario, apply_scenario
from .demand import apply_demand
from .energy import changed_assets
from .freight import changed_links, changed_tariffs
from .reading import bundled_scenarios, compose_yaml, load_scenario, scenario_from_text, scenarios_dir
from .spec import BASE, Operation, Scenario, base_scenario

__all__ = [
    "BASE",
    "Operation",
    "Scenario",
    "ScenarioError",
    "apply_demand",
    "apply_energy_scenario",
    "apply_scenario",
    "base_scenario",
    "bundled_scenarios",
    "changed_assets",
    "changed_links",
    "changed_tariffs",
    "compose_yaml",
    "load_scenario",
    "scenario_from_text",
    "scenarios_dir",
]
