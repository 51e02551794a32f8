"""The REST API and the web map (``corridor serve``): build the app with :func:`create_app`."""

from .app import create_app

__all__ = ["create_app"]
