"""Applying a scenario, as a pure function: to a freight :class:`~corridor.network.Network` or to an
:class:`~corridor.network.energy_table.EnergyNetwork`.

Each operation runs the ``freight`` or ``energy`` edit that the table of operations
(:mod:`corridor.scenarios.operations`) gives it; the network passed in is never changed.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from ..network import Network
from ..network.energy_table import EnergyNetwork
from ..network.schema import split_list
from .energy import EnergyEdit
from .freight import FreightEdit
from .operations import energy_step, freight_step
from .reading import load_scenario
from .spec import Operation, Scenario


def apply_scenario(network: Network, scenario: Scenario | str | Path | None) -> Network:
    """The network as the scenario makes it; ``network`` itself is never changed.

    Parameters
    ----------
    network : Network
        The base network.
    scenario : Scenario, str or Path
        A scenario, a bundled name or a YAML file (see :func:`~corridor.scenarios.load_scenario`).

    Returns
    -------
    Network
        A new network whose ``version`` is the base version plus the scenario's key.

    Raises
    ------
    ScenarioError
        An operation refers to a link, place, group, country or source that does not exist
        (the message names the file and line).

    Examples
    --------
    >>> from corridor.network import load_network
    >>> net = load_network()  # doctest: +SKIP
    >>> apply_scenario(net, "no-russia").links.query("status == 'closed'")  # doctest: +SKIP
    """
    scenario = load_scenario(scenario)
    if not scenario.operations:
        return network
    edit = FreightEdit(network)
    sources = set(network.sources["id"])
    for op in scenario.operations:
        _check_cited(op, sources)
        step = freight_step(op)
        if step is not None:
            step(edit, op)
    return edit.edited(network, version=f"{network.version}+{scenario.key[:8]}")


def apply_energy_scenario(energy: EnergyNetwork, scenario: Scenario | str | Path | None) -> EnergyNetwork:
    """The energy layer as the scenario makes it; ``energy`` itself is never changed.

    Operations that select energy (``asset``, ``asset_group``, ``node``, ``add_asset``) apply, and those
    that select a whole country (``close: {country: RU}``); the rest act on freight only.

    Raises
    ------
    ScenarioError
        An operation names an asset, group or node that does not exist, a unit of the other commodity,
        or a source that is not in ``sources.csv`` (the message names the file and line).
    """
    scenario = load_scenario(scenario)
    steps = [(op, step) for op in scenario.operations if (step := energy_step(op)) is not None]
    if not steps:
        return energy
    edit = EnergyEdit(energy)
    for op, step in steps:
        if energy.sources:
            _check_cited(op, energy.sources)
        step(edit, op)
    return edit.edited(energy, version=f"{energy.version}+{scenario.key[:8]}")


def _check_cited(op: Operation, sources: Collection[str]) -> None:
    """Refuse an operation that cites a source id not in ``sources`` (those of ``sources.csv``)."""
    for sid in split_list(op.source):
        if sid not in sources:
            raise op.error(f"cites source {sid!r}, which is not in sources.csv", "source")
