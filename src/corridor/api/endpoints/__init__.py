"""The REST endpoints, one module and one :class:`fastapi.APIRouter` per resource.

Each module defines ``router``; :func:`corridor.api.create_app` includes every one of :data:`ROUTERS`.
Endpoints reach the service, the job manager and the server's configuration through
:mod:`corridor.api.state`.
"""

from __future__ import annotations

from fastapi import APIRouter

from . import about, energy, jobs, maps, places, routes, runs, scenarios, web

ROUTERS: tuple[APIRouter, ...] = (about.router, places.router, routes.router, maps.router, scenarios.router,
                                  energy.router, jobs.router, runs.router, web.router)

__all__ = ["ROUTERS"]
