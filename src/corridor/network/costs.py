"""What moving a box costs: the one place tariffs are read (``tariffs.csv``).

A tariff is US$ per FEU-km for a mode in a country, with a ``*`` row per mode for countries that have
none of their own. A link charges the mean of its two ends' tariffs; routing (:mod:`corridor.graph`),
scenarios (``set``/``scale`` ``tariff_usd_per_feu_km``) and concession economics all read them here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError
from .load import Network
from .schema import split_list

#: a 40-ft box (FEU) holds two 20-ft equivalents (TEU)
TEU_PER_FEU = 2.0
ANY_COUNTRY = "*"


def tariff_row(tariffs: pd.DataFrame, mode: str, country: str) -> pd.Series:
    """The ``tariffs.csv`` row that prices ``mode`` in ``country``: the country's own, else the ``*`` row.

    Raises
    ------
    DataError
        When neither exists (the data check requires a ``*`` row per mode in use).
    """
    for c in (country, ANY_COUNTRY):
        rows = tariffs[(tariffs["mode"] == mode) & (tariffs["country"] == c)]
        if len(rows):
            return rows.iloc[0]
    raise DataError(f"tariffs.csv: no tariff for mode {mode!r} in {country} and no default ('*') row")


def tariff_usd_per_feu_km(tariffs: pd.DataFrame, mode: str, country: str) -> float:
    """US$ per FEU-km for ``mode`` in ``country`` (see :func:`tariff_row`)."""
    return float(tariff_row(tariffs, mode, country)["cost_usd_per_feu_km"])


def link_tariffs(tariffs: pd.DataFrame, modes: np.ndarray, from_country: np.ndarray,
                 to_country: np.ndarray) -> np.ndarray:
    """US$ per FEU-km of each link: the mean of the tariffs at its two ends.

    Examples
    --------
    >>> t = pd.DataFrame({"mode": ["rail", "rail"], "country": ["*", "KZ"], "cost_usd_per_feu_km": [1.0, 0.5]})
    >>> link_tariffs(t, np.array(["rail"]), np.array(["KZ"]), np.array(["CN"])).tolist()
    [0.75]
    """
    lookup = {(r.mode, r.country): float(r.cost_usd_per_feu_km) for r in tariffs.itertuples()}

    def at(mode: str, country: str) -> float:
        return lookup.get((mode, country), lookup.get((mode, ANY_COUNTRY), 0.0))

    return np.array([(at(m, a) + at(m, b)) / 2 for m, a, b in zip(modes, from_country, to_country)], dtype=float)


def links_tariff(network: Network, link_ids: list[str]) -> tuple[float, list[str]]:
    """Length-weighted US$ per FEU-km over ``link_ids`` (what routing charges on them) and the
    ``sources.csv`` ids of the tariffs behind it."""
    links = network.links.loc[link_ids]
    country = network.places["country"]
    ends = [(m, country[a], country[b]) for m, a, b in zip(links["mode"], links["from"], links["to"])]
    modes, a, b = (np.array(x, dtype=object) for x in zip(*ends))
    per_link = link_tariffs(network.tariffs, modes, a, b)
    length = links["length_km"].to_numpy(dtype=float)
    sources = {s for m, x, y in ends for c in (x, y) for s in split_list(tariff_row(network.tariffs, m, c)["source"])}
    return float((per_link * length).sum() / length.sum()), sorted(sources)
