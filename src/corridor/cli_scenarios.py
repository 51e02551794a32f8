"""Commands for scenarios: compare, criticality, economics, sweep, runs, scenarios."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from .cli import DataOption, console, err, fail, guarded
from .store import json_default


def _emit(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=json_default) + "\n")


def _inputs(data: Path | None, need_demand: bool = False) -> tuple[Any, Any]:
    from .demand import has_demand, load_demand
    from .network import load_network

    network = guarded(lambda: load_network(data))
    demand = None
    if has_demand(data):
        demand = guarded(lambda: load_demand(data, network))
    elif need_demand:
        where = data or "the bundled dataset"
        fail(f"this command needs demand: zones.csv and demand.csv are not in {where}")
    return network, demand


def _fmt(value: Any, spec: str = ",.1f", signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return format(value, ("+" if signed else "") + spec)


StoreOption = typer.Option(None, "--store", help="Run store file (default: $CORRIDOR_STORE or ~/.cache/corridor/runs.duckdb).")


def register(app: typer.Typer) -> None:
    """Add compare, criticality, economics, sweep, runs and scenarios to the ``corridor`` command."""

    @app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
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
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
        data: Path | None = DataOption,
    ) -> None:
        """Per origin–destination pair the change in time, cost, CO2, P90 and corridor; with demand, link volumes.

        Pairs: --pair ORIGIN DESTINATION (repeatable), --pairs FILE, else the demand's pairs.
        """
        from .compare import compare as run_compare
        from .compare import read_pairs
        from .demand import demand_settings

        network, demand = _inputs(data)
        chosen = _pairs_from_args(list(ctx.args))
        if pairs is not None:
            chosen += guarded(lambda: read_pairs(pairs))
        if not chosen and demand is None:
            fail("give --pair ORIGIN DESTINATION or --pairs FILE (the dataset has no demand to take pairs from)")
        result = guarded(lambda: run_compare(base, scenario, network=network, pairs=chosen or None, demand=demand,
                                            settings=demand_settings(network, cargo), reliability_samples=samples))
        files = {}
        if not no_map:
            out.mkdir(parents=True, exist_ok=True)
            stem = f"compare-{result.base.name}-vs-{result.scenario.name}"
            files = {"png": str(result.plot(out / f"{stem}.png")),
                     "geojson": str(result.write_geojson(out / f"{stem}.geojson"))}
        if as_json:
            _emit({**result.to_dict(top_links=top), "files": files})
            return
        _print_comparison(result, top)
        for kind, path in files.items():
            console.print(f"[dim]{kind}:[/] {path}")

    @app.command()
    def criticality(
        scope: str = typer.Option("links", help="What to remove: links, places, crossings or countries."),
        top: int = typer.Option(20, "--top", help="How many of the most critical to show."),
        scenario: str | None = typer.Option(None, "--scenario", help="Study the network as this scenario makes it."),
        rank_by: str = typer.Option("unrouted", "--rank-by", help="unrouted (TEU without a route, then cost) or cost."),
        year: int | None = typer.Option(None, help="Use the links open in this year (default: the scenario's, else this year)."),
        workers: int = typer.Option(0, "--workers", "-j", help="Local processes (0: one per CPU)."),
        ray: str | None = typer.Option(None, "--ray", help="Run on a Ray cluster at ADDRESS (host:port) or `local`."),
        save: bool = typer.Option(False, "--save", help="Also keep the result in the run store."),
        store: Path | None = StoreOption,
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
        data: Path | None = DataOption,
    ) -> None:
        """Remove each element in turn; rank by the increase in generalized cost and the TEU left without a route."""
        from .criticality import criticality as run_criticality
        from .demand import demand_settings
        from .parallel import default_workers, progress_bar
        from .routing import Router
        from .scenarios import apply_demand, apply_scenario, load_scenario

        network, demand = _inputs(data, need_demand=True)
        sc = guarded(lambda: load_scenario(scenario))
        router = guarded(lambda: Router(apply_scenario(network, sc), demand_settings(network)))
        od = guarded(lambda: demand.scaled(apply_demand(demand.od, sc, demand.zones["zone"])).by_place())
        n = workers or default_workers()
        with progress_bar(err) as bar:
            res = guarded(lambda: run_criticality(router, od, scope=scope, year=year if year is not None else sc.year,
                                                 workers=n, ray_address=ray, rank_by=rank_by, progress=bar))
        if save:
            from .store import Run, RunStore, code_version, run_key

            params = {"scope": scope, "rank_by": rank_by, "year": year}
            version = f"{network.version}/{demand.version}"
            rs = guarded(lambda: RunStore(store))
            guarded(lambda: rs.put(Run(run_key("criticality", sc.key, params, version), "criticality", sc.name, sc.key,
                                      params, version, code_version(), {"top": res.frame["id"].head(top).tolist()},
                                      res.to_dict(), res.seconds)))
        if as_json:
            _emit({"scenario": sc.name, **res.to_dict(top)})
            return
        table = Table(title=f"Most critical {scope} ({sc.name}): {len(res.frame)} removed one at a time, "
                            f"{res.seconds:.1f} s on {res.backend}" + (f" × {n}" if res.backend == "process-pool" else ""),
                      title_justify="left")
        for col, j in (("#", "right"), ("id", "left"), ("name", "left"), ("Δ gen. cost US$M/yr", "right"),
                       ("Δ %", "right"), ("TEU/yr without route", "right"), ("TEU/yr rerouted", "right")):
            table.add_column(col, justify=j)  # type: ignore[arg-type]
        for r in res.frame.head(top).itertuples(index=False):
            table.add_row(str(r.rank), r.id, r.label, _fmt(r.delta_generalized_usd_per_year / 1e6, ",.2f", True),
                          _fmt(r.delta_pct, ".2f", True), _fmt(r.unrouted_teu_per_year, ",.0f"),
                          _fmt(r.affected_teu_per_year - r.unrouted_teu_per_year, ",.0f"))
        console.print(table)
        console.print(f"[dim]Demand {res.demand_teu_per_year:,.0f} TEU/yr, base generalized cost "
                      f"US${res.base_generalized_usd_per_year / 1e6:,.1f}M/yr, all-or-nothing by generalized cost.[/]")

    @app.command()
    def economics(
        links: str = typer.Option(..., "--links", help="A link group (TRIPP) or comma-separated groups/link ids."),
        scenario: str = typer.Option("base", "--scenario", help="Scenario in which traffic is routed (e.g. tripp)."),
        years: int = typer.Option(49, "--years", help="Concession term, years."),
        option_years: int = typer.Option(0, "--option-years", help="Optional extension, years (TRIPP: 50)."),
        discount: float = typer.Option(0.08, "--discount", help="Real discount rate per year."),
        tariff: str | None = typer.Option(None, "--tariff", help="0.30/teu-km or 150/teu (default: tariffs.csv)."),
        growth: float = typer.Option(0.03, "--growth", help="Traffic growth per year."),
        start_year: int | None = typer.Option(None, "--start-year", help="First year of operation."),
        capex: float | None = typer.Option(None, "--capex", help="Construction cost, US$ (default: sourced where known)."),
        opex_share: float = typer.Option(0.0, "--opex-share", help="Operating cost as a share of revenue."),
        every: int = typer.Option(5, "--every", help="Print every Nth year of the traffic table."),
        cargo: str | None = typer.Option(None, help="Cargo class for route choice (default: the demand's, high_value)."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
        data: Path | None = DataOption,
    ) -> None:
        """Traffic by year, revenue and NPV of a concession on a group of links, with every assumption."""
        from .demand import demand_settings
        from .economics import concession_economics

        network, demand = _inputs(data, need_demand=True)
        res = guarded(lambda: concession_economics(
            network, demand, scenario, links=links, years=years, option_years=option_years, discount=discount,
            tariff=tariff, growth=growth, start_year=start_year, capex_usd=capex, opex_share=opex_share,
            settings=demand_settings(network, cargo)))
        if as_json:
            _emit(res.to_dict())
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

    @app.command()
    def sweep(
        spec: Path = typer.Argument(..., help="Sweep file (YAML): analysis, scenarios, parameters, fixed."),
        workers: int = typer.Option(0, "--workers", "-j", help="Local processes (0: one per CPU)."),
        ray: str | None = typer.Option(None, "--ray", help="Run on a Ray cluster at ADDRESS (host:port) or `local`."),
        store: Path | None = StoreOption,
        verbose: bool = typer.Option(False, "--verbose", "-v", help="Print a line on stderr as each run is stored."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
        data: Path | None = DataOption,
    ) -> None:
        """Run a grid of scenarios × parameters; every run lands in the run store, stored runs are reused."""
        from .parallel import default_workers, progress_bar
        from .store import RunStore
        from .sweep import load_sweep, run_sweep

        s = guarded(lambda: load_sweep(spec))
        rs = guarded(lambda: RunStore(store))
        with progress_bar(err) as bar:
            def log(run: Any) -> None:
                err.print(f"stored {run.key} {run.scenario} {json.dumps(run.params, default=json_default)} "
                          f"({run.seconds:.2f} s)", highlight=False, soft_wrap=True)

            res = guarded(lambda: run_sweep(s, data=data, store=rs, workers=workers or default_workers(),
                                           ray_address=ray, progress=bar, on_run=log if verbose else None))
        if as_json:
            _emit(res.to_dict())
            return
        console.print(f"sweep [bold]{s.name}[/] ({s.analysis}): {len(res.keys)} runs — {res.computed} computed, "
                      f"{res.reused} reused from {res.store} — {res.seconds:.1f} s")

    runs_app = typer.Typer(help="The run store: list, show and export stored runs.", no_args_is_help=True)
    app.add_typer(runs_app, name="runs")

    @runs_app.command("list")
    def runs_list(
        kind: str | None = typer.Option(None, "--kind", help="Only runs of this analysis."),
        sweep_name: str | None = typer.Option(None, "--sweep", help="Only runs of this sweep."),
        store: Path | None = StoreOption,
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """The stored runs, oldest first."""
        from .store import RunStore

        frame = guarded(lambda: RunStore(store).frame(kind=kind, sweep=sweep_name))
        if as_json:
            _emit(json.loads(frame.to_json(orient="records", date_format="iso")))
            return
        table = Table(title=f"{len(frame)} runs", title_justify="left")
        for col in ("key", "kind", "sweep", "scenario", "params", "seconds", "created"):
            table.add_column(col)
        for r in frame.itertuples(index=False):
            table.add_row(r.key[:12], r.kind, r.sweep or "", r.scenario, r.params, f"{r.seconds:.2f}", str(r.created)[:19])
        console.print(table)

    @runs_app.command("show")
    def runs_show(
        key: str = typer.Argument(..., help="A run key (or its first characters)."),
        store: Path | None = StoreOption,
        as_json: bool = typer.Option(False, "--json", help="Print the whole run as JSON."),
    ) -> None:
        """One stored run: its parameters, versions, summary (and with --json its full result)."""
        from .store import RunStore

        run = guarded(lambda: RunStore(store).get(key))
        if as_json:
            _emit(run.to_dict())
            return
        d = run.to_dict()
        d.pop("result")
        for k, v in d.items():
            console.print(f"[bold]{k}[/]: {json.dumps(v, default=json_default, ensure_ascii=False) if isinstance(v, (dict, list)) else v}")

    @runs_app.command("export")
    def runs_export(
        parquet: Path = typer.Option(..., "--parquet", help="Parquet file to write."),
        kind: str | None = typer.Option(None, "--kind", help="Only runs of this analysis."),
        sweep_name: str | None = typer.Option(None, "--sweep", help="Only runs of this sweep."),
        store: Path | None = StoreOption,
    ) -> None:
        """Write the stored runs (with results as JSON text) to a Parquet file."""
        from .store import RunStore

        rs = guarded(lambda: RunStore(store))
        path = guarded(lambda: rs.export_parquet(parquet, kind=kind, sweep=sweep_name))
        console.print(f"wrote {path}")

    @app.command()
    def scenarios(
        name: str | None = typer.Argument(None, help="Show this scenario (a bundled name or a YAML file)."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
        data: Path | None = DataOption,
    ) -> None:
        """List the bundled scenarios, or show and validate one against the dataset."""
        from .energy.scenario import apply_energy_scenario, changed_assets
        from .network import load_network
        from .network.energy_table import read_energy
        from .scenarios import apply_scenario, bundled_scenarios, changed_links, load_scenario

        if name is None:
            items = [guarded(lambda n=n: load_scenario(n)) for n in bundled_scenarios()]
            if as_json:
                _emit([{"name": s.name, "title": s.title, "key": s.key} for s in items])
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
        changed = guarded(lambda: changed_links(network, apply_scenario(network, s)))
        energy, _ = read_energy(data)
        assets = guarded(lambda: changed_assets(energy, apply_energy_scenario(energy, s)))
        if as_json:
            _emit({**s.to_dict(), "changed_links": changed.to_dict(orient="records"),
                   "changed_energy_assets": assets.to_dict(orient="records")})
            return
        console.print(f"[bold]{s.name}[/] — {s.title}  [dim](key {s.key})[/]")
        if s.description:
            console.print(s.description)
        for op in s.operations:
            console.print(f"  • {op.kind}: {json.dumps(op.args, ensure_ascii=False)}"
                          + (f"  [dim]\\[{op.source}][/]" if op.source else ""))
        console.print(f"{len(changed)} link(s) changed, {len(assets)} energy asset(s)" + (f"; year {s.year}" if s.year else "")
                      + (f"; month {s.month}" if s.month else ""))


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
        corridor = r["scenario_corridor"] if not r["corridor_changed"] else f"{r['base_corridor']} → {r['scenario_corridor']}"
        row = [r["origin"], r["destination"], f"{_fmt(r['base_days'])} → {_fmt(r['scenario_days'])}",
               _fmt(r["delta_days"], ".1f", True), _fmt(r["delta_cost_usd_per_feu"], ",.0f", True),
               _fmt(r["delta_co2_kg_per_feu"], ",.0f", True)]
        if has_p90:
            row.append(_fmt(r.get("delta_p90_days"), ".1f", True))
        table.add_row(*row, corridor)
    console.print(table)
    if result.links is not None and len(result.links):
        moved = result.links[result.links["delta_teu_per_year"].abs() >= 0.5]
        lt = Table(title="Largest changes of link volume (TEU/yr)", title_justify="left")
        for c in ("link", "base", "scenario", "Δ", "V/C base", "V/C scenario"):
            lt.add_column(c, justify="left" if c == "link" else "right")
        for r in moved.head(top).itertuples(index=False):
            lt.add_row(r.link, f"{r.base_teu_per_year:,.0f}", f"{r.scenario_teu_per_year:,.0f}",
                       _fmt(r.delta_teu_per_year, ",.0f", True), _fmt(r.base_volume_capacity, ".2f"),
                       _fmt(r.scenario_volume_capacity, ".2f"))
        console.print(lt if len(moved) else "No link carries a different volume of the demand in the scenario.")
        b, s = result.summary["base"], result.summary["scenario"]
        console.print(f"Demand-weighted: generalized cost US${b['generalized_usd_per_year'] / 1e6:,.1f}M → "
                      f"US${s['generalized_usd_per_year'] / 1e6:,.1f}M/yr; mean {b['mean_days']:.1f} → "
                      f"{s['mean_days']:.1f} days; CO2 {b['co2_t_per_year']:,.0f} → {s['co2_t_per_year']:,.0f} t/yr; "
                      f"without route {b['unrouted_teu_per_year']:,.0f} → {s['unrouted_teu_per_year']:,.0f} TEU/yr")
    if len(result.changed):
        console.print(f"[dim]{len(result.changed)} link(s) changed by the scenario(s).[/]")
