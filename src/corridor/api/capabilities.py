"""Which optional parts of corridor exist in this installation.

Reliability, scenarios, assignment, criticality and the run store are separate modules; the API
offers what each one makes possible only when it imports and has what the API calls. Nothing is
faked: a missing module means its endpoints are not registered and ``/api/capabilities`` says why.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

#: feature → (module, names the API needs from it)
NEEDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "scenarios": ("corridor.scenarios", ("bundled_scenarios", "load_scenario", "apply_scenario", "changed_links")),
    "reliability": ("corridor.reliability", ("simulate",)),
    "assignment": ("corridor.equilibrium", ("assign_corridors",)),
    "criticality": ("corridor.criticality", ("criticality",)),
    "demand": ("corridor.demand", ("load_demand",)),
    "store": ("corridor.store", ("RunStore", "StoreError")),
}


@dataclass(frozen=True)
class Feature:
    available: bool
    reason: str = ""
    module: ModuleType | None = None


def probe(feature: str) -> Feature:
    """Import the feature's module and check it has the names the API uses."""
    name, needs = NEEDS[feature]
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
            return Feature(False, f"{name} is not part of this installation yet")
        return Feature(False, f"{name} cannot be imported: {exc}")
    except Exception as exc:  # noqa: BLE001 - a half-written module must not stop the server
        return Feature(False, f"{name} cannot be imported: {type(exc).__name__}: {exc}")
    missing = [n for n in needs if not hasattr(module, n)]
    if missing:
        return Feature(False, f"{name} has no {', '.join(missing)} (the API calls it)")
    return Feature(True, "", module)


def probe_all() -> dict[str, Feature]:
    return {feature: probe(feature) for feature in NEEDS}
