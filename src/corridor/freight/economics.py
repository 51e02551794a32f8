"""Concession economics: the traffic a group of links earns, its revenue and NPV over a concession.

Traffic is the demand routed all-or-nothing by generalized cost in a scenario (:mod:`corridor.flows`)
that uses at least one link of the group, grown each year (by its demand blocks' ``growth.csv`` rates,
or at a stated rate) and capped at the group's capacity. Revenue is a tariff per TEU-km on the group's links or per TEU carried. NPV discounts
revenue less operating cost from the first concession year, less the construction cost at its start.
Every assumption is returned with its value and where it comes from; the sourced terms of a
concession (construction cost, shareholders, term) come from ``concessions.csv``, the tariff from
``tariffs.csv`` as routing charges it (:mod:`corridor.network.costs`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import validate
from ..errors import InvalidOptionError
from ..network import Network
from ..network.concessions import Concession, load_concessions
from ..network.costs import TEU_PER_FEU, links_tariff
from .demand_years import load_growth, pairs_teu_by_year
from .flows import route_demand
from .inputs import FreightInputs

#: default growth: +~30% China–EU trade 2021→2030 in the World Bank's trade model ⇒ 1.3^(1/9) − 1
DEFAULT_GROWTH = 0.03
DEFAULT_DISCOUNT = 0.08
#: the longest concession term or option considered, years (TRIPP: 49 + 50)
MAX_YEARS = 200


@dataclass(frozen=True)
class Assumption:
    name: str
    value: Any
    basis: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "basis": self.basis}


@dataclass(frozen=True)
class EconomicsResult:
    """Traffic and money by year, the NPVs, and every assumption behind them."""

    links: list[str]
    years: pd.DataFrame
    npv_usd: float
    npv_with_option_usd: float | None
    assumptions: list[Assumption]
    shares: dict[str, float] = field(default_factory=dict)
    od: pd.DataFrame | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"links": self.links, "npv_usd": self.npv_usd, "npv_with_option_usd": self.npv_with_option_usd,
                "shares": self.shares,
                "npv_by_shareholder_usd": {k: v * self.npv_usd for k, v in self.shares.items()},
                "assumptions": [a.to_dict() for a in self.assumptions],
                "years": self.years.round(4).to_dict(orient="records"),
                "pairs_using_links": None if self.od is None else self.od.to_dict(orient="records")}

    def summary(self) -> dict[str, Any]:
        first = self.years.iloc[0] if len(self.years) else None
        return {"npv_usd": self.npv_usd, "npv_with_option_usd": self.npv_with_option_usd,
                "first_year_teu": float(first["teu"]) if first is not None else 0.0,
                "first_year_revenue_usd": float(first["revenue_usd"]) if first is not None else 0.0}

    def _repr_html_(self) -> str:
        from ..formats.html import html_card

        first = self.summary()
        facts = {"NPV, US$": self.npv_usd, "with the option, US$": self.npv_with_option_usd,
                 "TEU in the first year": first["first_year_teu"], "revenue, US$": first["first_year_revenue_usd"]}
        assumptions = pd.DataFrame([a.to_dict() for a in self.assumptions], columns=["name", "value", "basis"])
        years = self.years[["year", "teu", "revenue_usd", "present_value_usd", "period"]]
        return html_card(f"Concession on {', '.join(self.links)}", facts,
                         {"assumptions": assumptions, "years": years}, rows=20)


def parse_tariff(text: str | float) -> tuple[float, str]:
    """``"0.30/teu-km"``, ``"150/teu"`` or a number (per TEU-km) → (US$, unit)."""
    if isinstance(text, (int, float)):
        return float(text), "teu-km"
    m = re.fullmatch(r"\s*\$?\s*([0-9]*\.?[0-9]+)\s*(?:usd)?\s*(?:/\s*(teu-km|teukm|teu|feu-km|feu))?\s*", str(text).lower())
    if not m:
        raise InvalidOptionError(f"cannot read tariff {text!r}: write e.g. 0.30/teu-km or 150/teu")
    value, unit = float(m.group(1)), (m.group(2) or "teu-km").replace("teukm", "teu-km")
    if unit.startswith("feu"):
        value, unit = value / 2, unit.replace("feu", "teu")
    return value, unit


def select_links(network: Network, links: str) -> list[str]:
    """Link ids of a group name, or of a comma-separated list of groups and link ids."""
    out: list[str] = []
    groups = set(network.links["group"].dropna())
    for part in (p.strip() for p in links.split(",") if p.strip()):
        if part in groups:
            out += list(network.links.index[network.links["group"] == part])
        elif part in network.links.index:
            out.append(part)
        else:
            raise InvalidOptionError(f"{part!r} is neither a link group ({', '.join(sorted(groups))}) nor a link id")
    return list(dict.fromkeys(out))


def check_terms(*, links: str = "TRIPP", years: int = 49, option_years: int = 0, discount: float = DEFAULT_DISCOUNT,
                growth: float = DEFAULT_GROWTH, start_year: int | None = None, capex_usd: float | None = None,
                opex_share: float = 0.0, tariff: str | float | None = None) -> None:
    """Refuse terms that make no sense (see :func:`concession_economics`), before anything is computed.

    Raises
    ------
    InvalidOptionError
        Naming the term, its value and what is allowed.
    """
    validate.whole(years, "years", 1, MAX_YEARS)
    validate.whole(option_years, "option years", 0, MAX_YEARS)
    validate.number(discount, "discount rate (e.g. 0.08 for 8%)", -0.5, 1)
    validate.number(growth, "traffic growth per year (e.g. 0.03 for 3%)", -0.5, 0.5)
    validate.number(opex_share, "opex share", 0, 1)
    validate.year(start_year, "start year")
    if capex_usd is not None:
        validate.number(capex_usd, "capex (US$)", 0)
    if tariff is not None:
        parse_tariff(tariff)
    if not str(links).strip(", "):
        raise InvalidOptionError("links: name a link group (e.g. TRIPP) or link ids, separated by commas")


def concession_economics(inputs: FreightInputs, *, links: str, years: int = 49, option_years: int = 0,
                         discount: float = DEFAULT_DISCOUNT, tariff: str | float | None = None,
                         growth: float = DEFAULT_GROWTH, start_year: int | None = None,
                         capex_usd: float | None = None, opex_share: float = 0.0) -> EconomicsResult:
    """Traffic by year, revenue and NPV of a concession on a group of links.

    Parameters
    ----------
    inputs : FreightInputs
        The scenario (usually one that opens the links, ``tripp``), its network, its base-year demand
        (grown by the scenario's ``demand`` operations, then by ``growth``) and settings
        (:func:`~corridor.freight.inputs.freight_inputs`).
    links : str
        A link group (``TRIPP``) or comma-separated groups and link ids.
    years, option_years : int
        The concession's term and an optional extension (TRIPP: 49 + 50).
    discount : float
        Real discount rate per year.
    tariff : str or float, optional
        ``"0.30/teu-km"`` or ``"150/teu"``; default what routing charges on these links (tariffs.csv) per TEU-km.
    growth : float
        Traffic growth per year after the demand's base year. At the default, the users' pairs grow at
        their demand blocks' rates in ``growth.csv`` for the years it covers, then at this rate.
    start_year : int, optional
        First year of operation; default the year the last link of the group opens.
    capex_usd : float, optional
        Construction cost at the start; default the group's sourced figure in ``concessions.csv``.
    opex_share : float
        Operating cost as a share of revenue (0 = not modelled).
    """
    check_terms(links=links, years=years, option_years=option_years, discount=discount, growth=growth,
                start_year=start_year, capex_usd=capex_usd, opex_share=opex_share)
    sc, net = inputs.scenario, inputs.network
    ids = select_links(inputs.base, links)
    group = links.split(",")[0].strip()
    terms = _terms(inputs, group, ids)
    A = [Assumption("scenario", sc.name, sc.title or "as named"),
         Assumption("links", ", ".join(ids), f"{len(ids)} link(s) of {links}")]
    planned = pd.to_numeric(inputs.base.links.loc[ids, "open_year"], errors="coerce").dropna()
    if start_year is None:
        start_year = int(planned.max()) if len(planned) else int(pd.Timestamp.today().year)
        basis = "the year the last of these links opens (links.csv open_year)" if len(planned) else "this year"
    else:
        basis = "given"
    A.append(Assumption("first year of operation", start_year, basis))
    route_year = sc.year if sc.year is not None else start_year
    A.append(Assumption("routing year", route_year, "links open in this year are used"))
    users, base_teu, teu_km = _traffic(inputs, ids, route_year, A)
    value, unit = _tariff(net, ids, tariff, A)
    base_year = inputs.demand.base_year if inputs.demand is not None else route_year
    cal = np.arange(start_year, start_year + years + option_years)
    factor = _growth_path(inputs, users, base_teu, cal, base_year, growth, A)
    caps = pd.to_numeric(net.links.loc[ids, "capacity_teu_per_year"], errors="coerce").dropna()
    cap = float(caps.min()) if len(caps) else None
    A.append(Assumption("capacity cap", f"{cap:,.0f} TEU/yr" if cap else "none",
                        "least capacity among the links (links.csv)" if cap else "no capacity in links.csv"))
    capex = _capex(capex_usd, terms, A)
    A.append(Assumption("operating cost", f"{opex_share:.0%} of revenue",
                        "given" if opex_share else "not modelled (0%): set --opex-share"))
    A.append(Assumption("discount rate", f"{discount:.1%}/yr real",
                        "given" if discount != DEFAULT_DISCOUNT else "estimate: a common real rate for transport "
                        "concessions; vary it with --discount or a sweep"))
    term = terms.term_years if terms else None
    A.append(Assumption("concession", f"{years} years" + (f" + {option_years}-year option" if option_years else ""),
                        _cite(terms, "term_years") if term == years and option_years in (0, terms.option_years)
                        else "given"))
    A.append(Assumption("timing", "construction cost at the start of the first year; revenue at the end of each year",
                        "convention"))
    frame = _cash_flows(cal, years, factor, cap, base_teu, teu_km, value, unit, opex_share, discount)
    npv = float(-capex + frame.loc[frame["period"] == "term", "present_value_usd"].sum())
    npv_opt = float(-capex + frame["present_value_usd"].sum()) if option_years else None
    shares = terms.shares if terms else {}
    if shares:
        A.append(Assumption("shareholders", ", ".join(f"{k} {v:.0%}" for k, v in shares.items()),
                            _cite(terms, "share")))
    return EconomicsResult(ids, frame, npv, npv_opt, A, dict(shares), users)


def _terms(inputs: FreightInputs, group: str, ids: list[str]) -> Concession | None:
    """The sourced terms of ``group`` when ``ids`` are its links (or some of them)."""
    terms = load_concessions(inputs.data).get(group)
    groups = set(inputs.base.links["group"].dropna())
    if terms is None or group not in groups or not set(ids) <= set(select_links(inputs.base, group)):
        return None
    return terms


def _cite(terms: Concession, figure: str) -> str:
    return f"{terms.notes.get(figure, '')} [{terms.sources.get(figure, '')}] (concessions.csv)"


def _traffic(inputs: FreightInputs, ids: list[str], year: int,
             A: list[Assumption]) -> tuple[pd.DataFrame, float, float]:
    """The pairs whose best path uses ``ids``, their TEU per year and TEU-km on these links."""
    router, net = inputs.router, inputs.network
    flows = route_demand(router, inputs.od, year=year)
    base_year = inputs.demand.base_year if inputs.demand is not None else year
    A.append(Assumption("demand", f"{flows.od['teu_per_year'].sum():,.0f} TEU/yr in {base_year}",
                        "zones.csv/demand.csv" + (", grown by the scenario" if inputs.scenario.demand_factors() else "")))
    A.append(Assumption("route choice", "all-or-nothing, least generalized cost",
                        f"cargo class {inputs.settings.cargo_class}, value of time US${router.value_of_time:.2f}/FEU-h"))
    g = router.graph
    link_pos = {lid: i for i, lid in enumerate(net.links.index)}
    group_idx = np.array([link_pos[i] for i in ids])
    uses = np.array([bool(len(p)) and np.isin(g.link[p], group_idx).any() for p in flows.paths], dtype=bool)
    users = flows.od.loc[uses, ["origin_place", "destination_place", "teu_per_year", "corridor"]].reset_index(drop=True)
    base_teu = float(users["teu_per_year"].sum())
    lengths = net.links.loc[ids, "length_km"].astype(float)
    teu_km = float((flows.link_teu.reindex(ids).fillna(0) * lengths).sum())
    km_per_teu = teu_km / base_teu if base_teu else 0.0
    A.append(Assumption("traffic in the base year", f"{base_teu:,.0f} TEU/yr over {km_per_teu:,.0f} km of these links",
                        f"{len(users)} origin–destination pair(s) whose best path uses them"))
    return users, base_teu, teu_km


def _tariff(net: Network, ids: list[str], tariff: str | float | None, A: list[Assumption]) -> tuple[float, str]:
    """US$ per TEU-km (or per TEU) charged, and its assumption."""
    if tariff is None:
        per_feu, sources = links_tariff(net, ids)
        value, unit = per_feu / TEU_PER_FEU, "teu-km"
        basis = (f"tariffs.csv as routing charges these links: US${per_feu:.3f}/FEU-km (length-weighted mean of "
                 f"each link's two ends) ÷ {TEU_PER_FEU:g} [{'|'.join(sources)}]")
    else:
        value, unit = parse_tariff(tariff)
        basis = "given"
    A.append(Assumption("tariff", f"US${value:.3f}/{unit.upper()}", basis))
    return value, unit


def _capex(given: float | None, terms: Concession | None, A: list[Assumption]) -> float:
    if given is None and terms is not None and terms.capex_usd is not None:
        A.append(Assumption("construction cost", f"US${terms.capex_usd / 1e6:,.0f}M at the start",
                            _cite(terms, "capex_usd")))
        return float(terms.capex_usd)
    A.append(Assumption("construction cost", f"US${(given or 0) / 1e6:,.0f}M at the start",
                        "given" if given else "not given (0): set --capex"))
    return float(given or 0.0)


def _growth_path(inputs: FreightInputs, users: pd.DataFrame, base_teu: float, cal: np.ndarray, base_year: int,
                 growth: float, A: list[Assumption]) -> np.ndarray:
    """Traffic of each calendar year over the base year's: ``growth`` a year when it is given; else the
    users' pairs grown block by block by ``growth.csv`` for the years it covers, then ``growth`` a year."""
    factor = (1 + growth) ** (cal - base_year)
    table = load_growth(inputs.data, inputs.base) if growth == DEFAULT_GROWTH and base_teu > 0 else None
    by_table = np.full(len(cal), np.nan)
    if table is not None and inputs.demand is not None:
        by_table = pairs_teu_by_year(inputs.demand, table, users, cal) / base_teu
    covered = ~np.isnan(by_table)
    if not covered.any():
        A.append(Assumption("traffic growth", f"{growth:.1%}/yr after {base_year}",
                            "given" if growth != DEFAULT_GROWTH else
                            "≈ +30% China–EU trade 2021–2030 in the World Bank's trade model [CIVIL-WB]: 1.3^(1/9) − 1"))
        return factor
    last = int(np.flatnonzero(covered).max())
    factor[: last + 1] = by_table[: last + 1]
    factor[last + 1:] = by_table[last] * (1 + growth) ** (cal[last + 1:] - cal[last])
    A.append(Assumption("traffic growth", f"growth.csv by block to {cal[last]}, then {growth:.1%}/yr",
                        f"each pair's demand blocks at their sourced rates [DEM-GROWTH] ({cal[0]}: ×{factor[0]:.3f} "
                        f"on {base_year}); after {cal[last]} ≈ +30% China–EU trade 2021–2030 [CIVIL-WB]"))
    return factor


def _cash_flows(cal: np.ndarray, years: int, factor: np.ndarray, cap: float | None, base_teu: float,
                teu_km: float, value: float, unit: str, opex_share: float, discount: float) -> pd.DataFrame:
    """Traffic, revenue and present value per calendar year (``factor`` × the base year, capped at ``cap`` TEU/yr)."""
    k = np.arange(1, len(cal) + 1)
    teu = base_teu * factor
    if cap:
        teu = np.minimum(teu, cap)
    scale = np.divide(teu, base_teu * factor, out=np.zeros_like(teu), where=base_teu * factor > 0)
    tkm = teu_km * factor * scale
    revenue = tkm * value if unit == "teu-km" else teu * value
    opex = revenue * opex_share
    df = 1 / (1 + discount) ** k
    net_cash = revenue - opex
    return pd.DataFrame({"year": cal, "teu": teu, "teu_km": tkm, "revenue_usd": revenue, "opex_usd": opex,
                         "net_usd": net_cash, "discount_factor": df, "present_value_usd": net_cash * df,
                         "period": np.where(k <= years, "term", "option")})
