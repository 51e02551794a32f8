"""The table of operations: for each name, how its arguments are checked and what it edits.

Reading a scenario checks every operation through :data:`OPERATIONS`, and applying one runs each
operation's ``freight`` or ``energy`` method from it: adding an operation is one row here, its check in
:mod:`~corridor.scenarios.checks` and its edit in :mod:`~corridor.scenarios.freight` or
:mod:`~corridor.scenarios.energy`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import checks
from .energy import EnergyEdit
from .freight import FreightEdit
from .spec import ENERGY_SELECTORS, Operation

Check = Callable[[Operation], None]
FreightStep = Callable[[FreightEdit, Operation], None]
EnergyStep = Callable[[EnergyEdit, Operation], None]


@dataclass(frozen=True)
class OperationType:
    """One operation of the scenario language.

    ``freight_check`` and ``freight`` act when the operation selects freight (links, places, demand…),
    ``energy_check`` and ``energy`` when it selects oil and gas (``asset``, ``asset_group``, ``node``).
    An operation without ``freight_check`` acts on energy only; one without ``freight`` or ``energy``
    edits neither network (``demand`` grows the demand: see :func:`~corridor.scenarios.apply_demand`).
    """

    freight_check: Check | None
    freight: FreightStep | None = None
    energy_check: Check | None = None
    energy: EnergyStep | None = None
    cites_source: bool = False  # it sets a figure, so it must say where the figure comes from
    both_layers: bool = False  # it edits freight and energy alike (``water_level``: ferries and tankers)


#: name → (freight check, freight edit, energy check, energy edit); the order is the one error messages list
OPERATIONS: dict[str, OperationType] = {
    "open": OperationType(checks.selection, FreightEdit.open, checks.energy_selection, EnergyEdit.open),
    "close": OperationType(checks.selection, FreightEdit.close, checks.energy_selection, EnergyEdit.close),
    "restrict": OperationType(checks.restrict, FreightEdit.restrict),
    "set": OperationType(checks.figures, FreightEdit.set, checks.energy_figures, EnergyEdit.set, cites_source=True),
    "scale": OperationType(checks.figures, FreightEdit.scale, checks.energy_figures, EnergyEdit.scale,
                           cites_source=True),
    "add_link": OperationType(checks.add_link, FreightEdit.add_link, cites_source=True),
    "add_terminal": OperationType(checks.add_terminal, FreightEdit.add_terminal, cites_source=True),
    "demand": OperationType(checks.demand, cites_source=True),
    "ets_price": OperationType(checks.ets_price, FreightEdit.ets_price, cites_source=True),
    "war_risk_premium": OperationType(checks.war_risk_premium, FreightEdit.war_risk_premium, cites_source=True),
    "policy": OperationType(checks.policy, FreightEdit.policy, cites_source=True),
    "water_level": OperationType(checks.water_level, FreightEdit.water_level, energy=EnergyEdit.water_level,
                                 cites_source=True, both_layers=True),
    "add_asset": OperationType(None, None, checks.add_asset, EnergyEdit.add_asset, cites_source=True),
}


def acts_on_energy(op: Operation) -> bool:
    """Whether an operation acts on the energy layer (oil and gas assets) rather than on freight."""
    return OPERATIONS[op.kind].freight_check is None or any(k in ENERGY_SELECTORS for k in op.args)


def freight_step(op: Operation) -> FreightStep | None:
    """The edit an operation makes to the freight network, if any."""
    return None if acts_on_energy(op) else OPERATIONS[op.kind].freight


def energy_step(op: Operation) -> EnergyStep | None:
    """The edit an operation makes to the energy layer, if any: it selects energy, or a whole country
    (``close: {country: RU}`` closes the links and the assets there)."""
    kind = OPERATIONS[op.kind]
    return kind.energy if acts_on_energy(op) or set(op.args) == {"country"} or kind.both_layers else None


def check_operation(op: Operation) -> None:
    """Check an operation's arguments (not yet the names they refer to).

    Raises
    ------
    ScenarioError
        The file and line of the argument at fault, and what is wrong with it.
    """
    kind = OPERATIONS[op.kind]
    if kind.cites_source and not op.source:
        raise op.error("cites no source: add `source: ID` (an id of sources.csv) to this operation")
    check = kind.energy_check if acts_on_energy(op) else kind.freight_check
    if check is None:
        raise op.error(f"energy assets are selected by open, close, set and scale, not {op.kind}")
    check(op)
