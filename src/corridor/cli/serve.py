"""``corridor serve``: the REST API and the web map, in one or several local processes."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import DataOption, err, guarded


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0 exposes it to the network)."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(1, min=1, max=32, help="Server processes, each with its own copy of the network."),
    data: Path | None = DataOption,
    timeout: float = typer.Option(10.0, min=0.1, max=600, help="Seconds a request may take before a 504."),
    log_level: str = typer.Option("info", help="uvicorn log level: critical, error, warning, info, debug."),
) -> None:
    """Serve the REST API (docs at /docs) and the offline web map (at /)."""
    from ..api.app import static_dir
    from ..api.server import serve as run
    from ..network import load_network

    guarded(lambda: load_network(data))  # a broken dataset is one clear error here, not a worker's traceback
    if not (static_dir() / "index.html").is_file():
        err.print("note: the web map is not built (run `make web`); the API works without it")
    typer.echo(f"corridor: API docs at http://{host}:{port}/docs, map at http://{host}:{port}/")
    run(host=host, port=port, workers=workers, data=data, timeout_s=timeout, log_level=log_level)
