"""The cost breakdown drawn: ``plot_costs`` (PNG), ``corridor route --cost-plot`` and the web cards' colours."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

import corridor
from corridor.cli import app
from corridor.errors import InvalidOptionError
from corridor.maps import COST_COLOURS, plot_costs
from corridor.network.costs import COST_COMPONENTS, COST_LABELS
from corridor.routing import Router

MINI = Path(__file__).parent / "data" / "mini"
WEB_COSTS = Path(__file__).parents[1] / "web" / "src" / "costs.js"


def pixels(png: Path, hex_colour: str) -> int:
    img = np.asarray(Image.open(png).convert("RGB")).astype(int)
    rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(img - rgb).max(axis=2) <= 2).sum())


def test_plot_costs_draws_each_component_in_proportion(mini_router: Router, tmp_path: Path) -> None:
    routes = mini_router.route("Xian", "Duisburg", alternatives=3, year=2026)
    assert len(routes) == 2
    out = plot_costs(routes, tmp_path / "sub" / "costs.png")
    assert out == tmp_path / "sub" / "costs.png" and out.stat().st_size > 5_000
    items = [r.cost_breakdown.to_dict() for r in routes]
    drawn = {c: pixels(out, COST_COLOURS[c]) for c in COST_COMPONENTS}
    for c in COST_COMPONENTS:
        if not any(item[c] for item in items):  # zero on every route: no bar and no legend entry
            assert drawn[c] == 0, c
    # bars of one height: a component's area is its US$ summed over the routes (the legend swatch is a few pixels)
    usd = {c: sum(item[c] for item in items) for c in ("freight_usd", "handling_usd", "border_usd", "time_value_usd")}
    for c, value in usd.items():
        share = drawn[c] / drawn["freight_usd"]
        assert share == pytest.approx(value / usd["freight_usd"], rel=0.1), (c, share)


def test_plot_costs_refuses_no_routes(tmp_path: Path) -> None:
    with pytest.raises(InvalidOptionError, match="no routes given"):
        plot_costs([], tmp_path / "costs.png")
    assert not (tmp_path / "costs.png").exists()
    assert corridor.plot_costs is plot_costs


def test_cli_cost_plot(tmp_path: Path) -> None:
    runner = CliRunner()
    png = tmp_path / "costs.png"
    args = ["route", "Xian", "Duisburg", "-k", "3", "--year", "2026", "--data", str(MINI), "--cost-plot", str(png)]
    result = runner.invoke(app, [*args, "--costs"])
    assert result.exit_code == 0, result.output
    assert f"cost plot written to {png}" in result.stdout.replace("\n", "") and "Value of time" in result.stdout
    assert pixels(png, COST_COLOURS["freight_usd"]) > 1_000
    png.unlink()
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["cost_plot"] == str(png) and png.is_file()
    blocked = tmp_path / "file"
    blocked.write_text("")
    result = runner.invoke(app, [*args[:-1], str(blocked / "costs.png")])
    assert result.exit_code == 1 and "cannot write the cost plot to" in result.stderr
    assert "Traceback" not in result.output


def test_web_bars_use_the_plot_names_and_colours() -> None:
    entries = re.findall(r'\["(\w+)", "([^"]+)", "(#[0-9a-f]{6})"\]', WEB_COSTS.read_text())
    assert entries == [(c, COST_LABELS[c], COST_COLOURS[c]) for c in COST_COMPONENTS]
