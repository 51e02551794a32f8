"""The command line: a thin layer over the API, with ``--json`` wherever a program may read it.

Each command group lives in its own module and imports only :mod:`corridor.cli.common`; this module
puts them together into the ``corridor`` command.
"""

from __future__ import annotations

import typer

from . import assign, calibrate, data, demo, energy, export, routes, runs, scenarios, serve

app = typer.Typer(help="Model Eurasian freight corridors: routes, alternatives and what changes.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

app.command()(routes.route)
app.command()(routes.places)
app.command()(demo.demo)
app.add_typer(data.data_app, name="data")
app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(scenarios.compare)
app.command()(scenarios.criticality)
app.command()(scenarios.economics)
app.command()(scenarios.scenarios)
app.command()(runs.sweep)
app.add_typer(runs.runs_app, name="runs")
app.command()(assign.assign)
app.command()(calibrate.calibrate)
app.add_typer(energy.energy_app, name="energy")
app.command()(serve.serve)
app.command()(export.export)


def main() -> None:  # pragma: no cover - console script entry
    app()
