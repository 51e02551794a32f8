"""The headline questions: the origin–destination pairs the demo compares corridors for, and the year
in which the TRIPP link opens (when the demo asks Baku–Nakhchivan again). ``corridor demo`` and the
sensitivity analysis (:mod:`corridor.sensitivity`) ask the same questions from here.
"""

from __future__ import annotations

import pandas as pd

from ..network import Network

#: (origin, destination) pairs of the demo
PAIRS: list[tuple[str, str]] = [("CN-XIAN", "DE-DUISBURG"), ("KZ-ALMATY", "RO-CONSTANTA"),
                                ("CN-CHENGDU", "TR-ISTANBUL"), ("CN-SHANGHAI", "NL-ROTTERDAM"),
                                ("AZ-BAKU", "AZ-NAKHCHIVAN")]
#: the pair the demo asks again in the year TRIPP opens
TRIPP_PAIR = ("AZ-BAKU", "AZ-NAKHCHIVAN")


def open_year(network: Network, group: str = "TRIPP") -> int:
    """The first year in which every link of ``group`` is open (this year when none has an opening year)."""
    links = network.links
    years = links.loc[links["group"] == group, "open_year"].dropna()
    return int(years.max()) if len(years) else pd.Timestamp.today().year


def demo_cases(network: Network) -> list[tuple[str, str, int]]:
    """The demo's questions as ``(origin, destination, year)``: every pair this year, then Baku–Nakhchivan
    in the year TRIPP opens (not before this year)."""
    today = pd.Timestamp.today().year
    return [(o, d, today) for o, d in PAIRS] + [(*TRIPP_PAIR, max(today, open_year(network)))]
