"""``corridor serve``: the REST API and the web map in one local process."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to the CLI."""

    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0 exposes it to the network)."),
        port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
        data: Optional[Path] = typer.Option(None, "--data", help="Dataset folder (default: the bundled one)."),
        timeout: float = typer.Option(10.0, min=0.1, max=600, help="Seconds a request may take before a 504."),
        log_level: str = typer.Option("info", help="uvicorn log level: critical, error, warning, info, debug."),
    ) -> None:
        """Serve the REST API (docs at /docs) and the offline web map (at /)."""
        import uvicorn

        from .api import create_app
        from .api.app import static_dir
        from .errors import CorridorError

        try:
            api = create_app(data=data, timeout_s=timeout)
        except CorridorError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1)
        if not (static_dir() / "index.html").is_file():
            typer.echo("note: the web map is not built (run `make web`); the API works without it", err=True)
        typer.echo(f"corridor: API docs at http://{host}:{port}/docs, map at http://{host}:{port}/")
        uvicorn.run(api, host=host, port=port, log_level=log_level)
