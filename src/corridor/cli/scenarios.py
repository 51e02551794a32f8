"""``corridor compare``, ``criticality``, ``economics`` and ``scenarios``: what a scenario changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from .. import validate
from .common import DataOption, JsonOption, StoreOption, console, emit, err, fail, fmt, guarded

if TYPE_CHECKING:
    from ..freight.criticality import CriticalityResult

#: Monte Carlo draws per route for P90 in a comparison, at most
MAX_COMPARE_SAMPLES = 1_000_000


def compare(
    ctx: typer.Context,
    base: str = typer.Argument(..., help="Base scenario: `base`, a bundled name or a YAML file."),
    scenario: str = typer.Argument(..., help="Scenario to compare: a bundled name or a YAML file."),
    pairs: Path | None = typer.Option(None, "--pairs", help="CSV with origin,destination columns."),
    out: Path = typer.Option(Path("report"), "--out", help="Folder for the PNG map and the GeoJSON of what changed."),
    no_map: bool = typer.Option(False, "--no-map", help="Write no map and no GeoJSON."),
    samples: int = typer.Option(2000, "--samples", help="Monte Carlo draws per route for P90 (0: none)."),
    top: int = typer.Option(15, "--top", help="Link volume changes to print."),
    cargo: str | None = typer.Option(None, help="Cargo class: general, high_value, bulk "
                                     "(default: the demand's, high_value)."),
    as_json: bool = JsonOption,
    data: Path | None = DataOption,
) -> None:
    """Per origin–destination pair the change in time, cost, CO2, P90 and corridor; with demand, link volumes.

    Pairs: --pair ORIGIN DESTINATION (repeatable), --pairs FILE, else the demand's pairs.
    """
    from ..freight.compare import compare as run_compare
    from ..freight.compare import read_pairs
    from ..freight.inputs import freight_inputs

    guarded(lambda: validate.whole(samples, "--samples", 0, MAX_COMPARE_SAMPLES))
    if not no_map and out.exists() and not out.is_dir():
        fail(f"--out {out} is a file: give a folder for the map and the GeoJSON")
    inputs = guarded(lambda: freight_inputs(data=data, cargo=cargo))
    chosen = _pairs_from_args(list(ctx.args))
    if pairs is not None:
        chosen += guarded(lambda: read_pairs(pairs))
    if not chosen and inputs.demand is None:
        fail("give --pair ORIGIN DESTINATION or --pairs FILE (the dataset has no demand to take pairs from)")
    result = guarded(lambda: run_compare(base, scenario, network=inputs.base, pairs=chosen or None,
                                        demand=inputs.demand, settings=inputs.settings, reliability_samples=samples))
    files = {}
    if not no_map:
        stem = f"compare-{result.base.name}-vs-{result.scenario.name}"
        try:
            out.mkdir(parents=True, exist_ok=True)
            files = {"png": str(result.plot(out / f"{stem}.png")),
                     "geojson": str(result.write_geojson(out / f"{stem}.geojson"))}
        except OSError as exc:
            fail(f"cannot write the map to {out}: {exc.strerror or exc}")
    if as_json:
        emit({**result.to_dict(top_links=top), "files": files})
        return
    _print_comparison(result, top)
    for kind, path in files.items():
        console.print(f"[dim]{kind}:[/] {path}")


def criticality(
    scope: str = typer.Option("links", help="What to remove: links, places, crossings or countries."),
    top: int = typer.Option(20, "--top", help="How many of the most critical to show."),
    scenario: str | None = typer.Option(None, "--scenario", help="Study the network as this scenario makes it."),
    rank_by: str = typer.Option("unrouted", "--rank-by", help="unrouted (TEU without a route, then cost) or cost."),
    year: int | None = typer.Option(None, help="Use the links open in this year (default: the scenario's, else this "
                                    "year; with --equilibrium 2024, the demand's)."),
    cargo: str | None = typer.Option(None, help="Cargo class for route choice (default: the demand's, high_value)."),
    equilibrium: bool = typer.Option(False, "--equilibrium", help="Re-solve the capacity-aware equilibrium for "
                                     "each removal (warm-started Algorithm B) instead of routing all-or-nothing."),
    gap: float = typer.Option(1e-6, "--gap", help="With --equilibrium: relative gap of every solve."),
    cold: bool = typer.Option(False, "--cold", help="With --equilibrium: solve each removal from scratch."),
    workers: int = typer.Option(0, "--workers", "-j", help="Local processes (0: one per CPU)."),
    ray: str | None = typer.Option(None, "--ray", help="Run on a Ray cluster at ADDRESS (host:port) or `local`."),
    save: bool = typer.Option(False, "--save", help="Also keep the result in the run store."),
    store: Path | None = StoreOption,
    as_json: bool = JsonOption,
    data: Path | None = DataOption,
) -> None:
    """Remove each element in turn; rank by the increase in generalized cost and the TEU left without a route."""
    from ..freight.criticality import criticality as run_criticality
    from ..freight.equilibrium_criticality import equilibrium_criticality
    from ..freight.inputs import freight_inputs
    from ..parallel import MAX_WORKERS, default_workers, progress_bar

    guarded(lambda: (validate.whole(top, "--top", 1, 100_000), validate.whole(workers, "--workers", 0, MAX_WORKERS),
                     validate.year(year, "--year"), validate.number(gap, "--gap", 0.0, 1.0)))
    inputs = guarded(lambda: freight_inputs(scenario, data=data, cargo=cargo, year=year))
    od = guarded(lambda: inputs.od)
    sc = inputs.scenario
    n = workers or default_workers()
    with progress_bar(err) as bar:
        if equilibrium:
            res = guarded(lambda: equilibrium_criticality(inputs, scope=scope, year=year, rank_by=rank_by, gap=gap,
                                                          warm=not cold, workers=n, ray_address=ray, progress=bar))
        else:
            res = guarded(lambda: run_criticality(inputs.router, od, scope=scope, year=inputs.year(year), workers=n,
                                                 ray_address=ray, rank_by=rank_by, progress=bar))
    if save:
        from ..store import Run, RunStore, code_version, run_key

        params = {"scope": scope, "rank_by": rank_by, "year": year, "cargo": inputs.settings.cargo_class,
                  **({"equilibrium": True, "gap": gap} if equilibrium else {})}
        version = f"{inputs.base.version}/{inputs.demand.version}"  # type: ignore[union-attr]
        rs = guarded(lambda: RunStore(store))
        guarded(lambda: rs.put(Run(run_key("criticality", sc.key, params, version), "criticality", sc.name, sc.key,
                                  params, version, code_version(), {"top": res.frame["id"].head(top).tolist()},
                                  res.to_dict(), res.seconds)))
    if as_json:
        emit({"scenario": sc.name, **res.to_dict(top)})
        return
    _print_criticality(res, sc.name, top, n, inputs.settings.cargo_class)


def _print_criticality(res: CriticalityResult, scenario: str, top: int, workers: int, cargo: str) -> None:
    """The ranking as a table; with equilibrium re-solves, their iterations too."""
    eq = res.meta.get("method") == "equilibrium"
    table = Table(title=f"Most critical {res.scope} ({scenario}): {len(res.frame)} removed one at a time, "
                        f"{res.seconds:.1f} s on {res.backend}" + (f" × {workers}" if res.backend == "process-pool"
                                                                    else ""), title_justify="left")
    cols = [("#", "right"), ("id", "left"), ("name", "left"), ("Δ gen. cost US$M/yr", "right"), ("Δ %", "right"),
            ("TEU/yr without route", "right"), ("TEU/yr cost changed" if eq else "TEU/yr rerouted", "right")]
    for col, j in cols + ([("iterations", "right")] if eq else []):
        table.add_column(col, justify=j)  # type: ignore[arg-type]
    for r in res.frame.head(top).itertuples(index=False):
        row = [str(r.rank), r.id, r.label, fmt(r.delta_generalized_usd_per_year / 1e6, ",.2f", True),
               fmt(r.delta_pct, ".2f", True), fmt(r.unrouted_teu_per_year, ",.0f"),
               fmt(r.affected_teu_per_year - r.unrouted_teu_per_year, ",.0f")]
        table.add_row(*row, *([f"{r.iterations}" + (" (cold)" if r.restarted else "")] if eq else []))
    console.print(table)
    how = (f"user equilibrium with capacities (Algorithm B to gap {res.meta['gap']:g}, "
           f"{'warm-started' if res.meta['warm_start'] else 'cold'}), year {res.meta['year']}" if eq
           else "all-or-nothing by generalized cost")
    console.print(f"[dim]Demand {res.demand_teu_per_year:,.0f} TEU/yr, base generalized cost "
                  f"US${res.base_generalized_usd_per_year / 1e6:,.1f}M/yr, {how} (cargo class {cargo}).[/]")


def economics(
    links: str = typer.Option(..., "--links", help="A link group (TRIPP) or comma-separated groups/link ids."),
    scenario: str = typer.Option("base", "--scenario", help="Scenario in which traffic is routed (e.g. tripp)."),
    years: int = typer.Option(49, "--years", help="Concession term, years."),
    option_years: int = typer.Option(0, "--option-years", help="Optional extension, years (TRIPP: 50)."),
    discount: float = typer.Option(0.08, "--discount", help="Real discount rate per year."),
    tariff: str | None = typer.Option(None, "--tariff", help="0.30/teu-km or 150/teu (default: tariffs.csv)."),
    growth: float = typer.Option(0.03, "--growth", help="Traffic growth per year (default: growth.csv by demand "
                                 "block while it lasts, then 3%; another rate grows all traffic at it)."),
    start_year: int | None = typer.Option(None, "--start-year", help="First year of operation."),
    capex: float | None = typer.Option(None, "--capex", help="Construction cost, US$ (default: sourced where known)."),
    opex_share: float = typer.Option(0.0, "--opex-share", help="Operating cost as a share of revenue."),
    every: int = typer.Option(5, "--every", help="Print every Nth year of the traffic table."),
    cargo: str | None = typer.Option(None, help="Cargo class for route choice (default: the demand's, high_value)."),
    as_json: bool = JsonOption,
    data: Path | None = DataOption,
) -> None:
    """Traffic by year, revenue and NPV of a concession on a group of links, with every assumption."""
    from ..freight.economics import concession_economics
    from ..freight.inputs import freight_inputs

    inputs = guarded(lambda: freight_inputs(scenario, data=data, cargo=cargo))
    res = guarded(lambda: concession_economics(
        inputs, links=links, years=years, option_years=option_years, discount=discount, tariff=tariff,
        growth=growth, start_year=start_year, capex_usd=capex, opex_share=opex_share))
    if as_json:
        emit(res.to_dict())
        return
    a = Table(title="Assumptions", title_justify="left")
    a.add_column("assumption")
    a.add_column("value")
    a.add_column("basis", overflow="fold")
    for x in res.assumptions:
        a.add_row(x.name, str(x.value), x.basis)
    console.print(a)
    t = Table(title="Traffic and money by year", title_justify="left")
    for col in ("year", "TEU", "TEU-km (M)", "revenue US$M", "net US$M", "PV US$M", "period"):
        t.add_column(col, justify="right")
    frame = res.years
    shown = frame[(frame.index % max(1, every) == 0) | (frame.index == len(frame) - 1)]
    for r in shown.itertuples(index=False):
        t.add_row(str(r.year), f"{r.teu:,.0f}", f"{r.teu_km / 1e6:,.1f}", f"{r.revenue_usd / 1e6:,.2f}",
                  f"{r.net_usd / 1e6:,.2f}", f"{r.present_value_usd / 1e6:,.2f}", r.period)
    console.print(t)
    console.print(f"NPV over {years} years: [bold]US${res.npv_usd / 1e6:,.1f}M[/]"
                  + (f"; with the {option_years}-year option: [bold]US${res.npv_with_option_usd / 1e6:,.1f}M[/]"
                     if res.npv_with_option_usd is not None else ""))
    for holder, share in res.shares.items():
        console.print(f"  {holder} {share:.0%}: US${share * res.npv_usd / 1e6:,.1f}M")


def scenarios(
    name: str | None = typer.Argument(None, help="Show this scenario (a bundled name or a YAML file)."),
    as_json: bool = JsonOption,
    data: Path | None = DataOption,
) -> None:
    """List the bundled scenarios, or show and validate one against the dataset."""
    from ..network import load_network
    from ..network.energy_table import read_energy
    from ..scenarios import (
        apply_energy_scenario,
        apply_scenario,
        bundled_scenarios,
        changed_assets,
        changed_links,
        changed_tariffs,
        load_scenario,
    )

    if name is None:
        items = [guarded(lambda n=n: load_scenario(n)) for n in bundled_scenarios()]
        if as_json:
            emit([{"name": s.name, "title": s.title, "key": s.key} for s in items])
            return
        table = Table(title="Bundled scenarios", title_justify="left")
        table.add_column("name")
        table.add_column("title")
        for s in items:
            table.add_row(s.name, s.title)
        console.print(table)
        return
    s = guarded(lambda: load_scenario(name))
    network = guarded(lambda: load_network(data))
    edited = guarded(lambda: apply_scenario(network, s))
    changed, tariffs = changed_links(network, edited), changed_tariffs(network, edited)
    policies = edited.policies.drop(columns=["note"]).to_dict("records")
    energy, _ = read_energy(data)
    assets = guarded(lambda: changed_assets(energy, apply_energy_scenario(energy, s)))
    if as_json:
        emit({**s.to_dict(), "changed_links": changed, "changed_energy_assets": assets, "changed_tariffs": tariffs,
              "policies": policies})
        return
    console.print(f"[bold]{s.name}[/] — {s.title}  [dim](key {s.key})[/]")
    if s.description:
        console.print(s.description)
    for op in s.operations:
        console.print(f"  • {op.kind}: {json.dumps(op.args, ensure_ascii=False)}"
                      + (f"  [dim]\\[{op.source}][/]" if op.source else ""))
    console.print(f"{len(changed)} link(s) changed, {len(assets)} energy asset(s)" + (f"; year {s.year}" if s.year else "")
                  + (f"; month {s.month}" if s.month else ""))
    for what, frame in (("link", changed), ("asset", assets), ("tariff", tariffs)):
        for key, change in zip(frame[what], frame["change"]):
            console.print(f"    {what} {key}: {change}")
    for rule in policies:
        figures = ", ".join(f"{k} {rule[k]:g}" for k in ("usd_per_feu", "cargo_pct", "hours") if rule[k])
        console.print(f"    policy: {rule['countries'].replace('|', ', ')} {rule['action']}"
                      + (f" ({figures})" if figures else "") + f" for {rule['cargo'].replace('|', ', ')} cargo")


def _pairs_from_args(args: list[str]) -> list[tuple[str, str]]:
    """``--pair A B`` occurrences among the extra arguments (typer has no repeatable two-value option)."""
    out = []
    i = 0
    while i < len(args):
        if args[i] != "--pair":
            fail(f"unexpected argument {args[i]!r}; pairs are given as --pair ORIGIN DESTINATION")
        if len(args) - i < 3:
            fail("--pair takes two places: --pair ORIGIN DESTINATION")
        out.append((args[i + 1], args[i + 2]))
        i += 3
    return out


#: how ``corridor compare`` names what changed a choice (:func:`corridor.freight.compare.changed_by`)
_CHANGED_BY = {"freight_usd": "by freight", "handling_usd": "by handling", "border_usd": "by border fees",
               "ets_usd": "by EU ETS", "insurance_usd": "by war-risk premia", "sanctions_usd": "by a policy premium",
               "carbon_usd": "by the CO2 price",
               "time_value_usd": "by time", "closed": "route closed", "network": "new network"}


def _print_comparison(result: Any, top: int) -> None:
    pairs = result.pairs
    table = Table(title=f"{result.base.name} → {result.scenario.name}: change per origin–destination",
                  title_justify="left")
    cols = [("origin", "left"), ("destination", "left"), ("days", "right"), ("Δ days", "right"),
            ("Δ US$/FEU", "right"), ("Δ kg CO2e/FEU", "right")]
    has_p90 = "delta_p90_days" in pairs
    if has_p90:
        cols.append(("Δ P90 days", "right"))
    cols.append(("corridor", "left"))
    for c, j in cols:
        table.add_column(c, justify=j)  # type: ignore[arg-type]
    for r in pairs.to_dict(orient="records"):
        corridor = r["scenario_corridor"] if not r["corridor_changed"] else \
            f"{r['base_corridor']} → {r['scenario_corridor']} ({_CHANGED_BY.get(r['changed_by'], r['changed_by'])})"
        row = [r["origin"], r["destination"], f"{fmt(r['base_days'])} → {fmt(r['scenario_days'])}",
               fmt(r["delta_days"], ".1f", True), fmt(r["delta_cost_usd_per_feu"], ",.0f", True),
               fmt(r["delta_co2_kg_per_feu"], ",.0f", True)]
        if has_p90:
            row.append(fmt(r.get("delta_p90_days"), ".1f", True))
        table.add_row(*row, corridor)
    console.print(table)
    if result.links is not None and len(result.links):
        moved = result.links[result.links["delta_teu_per_year"].abs() >= 0.5]
        lt = Table(title="Largest changes of link volume (TEU/yr)", title_justify="left")
        for c in ("link", "base", "scenario", "Δ", "V/C base", "V/C scenario"):
            lt.add_column(c, justify="left" if c == "link" else "right")
        for r in moved.head(top).itertuples(index=False):
            lt.add_row(r.link, f"{r.base_teu_per_year:,.0f}", f"{r.scenario_teu_per_year:,.0f}",
                       fmt(r.delta_teu_per_year, ",.0f", True), fmt(r.base_volume_capacity, ".2f"),
                       fmt(r.scenario_volume_capacity, ".2f"))
        console.print(lt if len(moved) else "No link carries a different volume of the demand in the scenario.")
        b, s = result.summary["base"], result.summary["scenario"]
        console.print(f"Demand-weighted: generalized cost US${b['generalized_usd_per_year'] / 1e6:,.1f}M → "
                      f"US${s['generalized_usd_per_year'] / 1e6:,.1f}M/yr; mean {b['mean_days']:.1f} → "
                      f"{s['mean_days']:.1f} days; CO2 {b['co2_t_per_year']:,.0f} → {s['co2_t_per_year']:,.0f} t/yr; "
                      f"without route {b['unrouted_teu_per_year']:,.0f} → {s['unrouted_teu_per_year']:,.0f} TEU/yr")
    if len(result.changed):
        console.print(f"[dim]{len(result.changed)} link(s) changed by the scenario(s).[/]")
