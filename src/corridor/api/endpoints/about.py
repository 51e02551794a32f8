"""``/api/health`` and ``/api/capabilities``: is the server up, and what it offers."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from fastapi import APIRouter

from ...routing import MAX_ALTERNATIVES
from ..models import MAX_LIST, CapabilitiesOut
from ..state import ConfigDep, JobsDep, ServiceDep

router = APIRouter(tags=["about"])

#: what the API offers beside the web map; every one is part of the package
FEATURES = ("scenarios", "reliability", "assignment", "criticality", "demand", "store", "routing")


@router.get("/api/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/api/capabilities", response_model=CapabilitiesOut)
def capabilities(service: ServiceDep, jobs: JobsDep, config: ConfigDep) -> dict[str, Any]:
    """What this server can do: its features (the web map only once built), job kinds, limits."""
    features = {name: {"available": True, "reason": ""} for name in FEATURES}
    built = (config.web_dir / "index.html").is_file()
    features["web"] = {"available": built,
                       "reason": "" if built else f"the web map is not built: run `make web` ({config.web_dir})"}
    limits = {"max_body_bytes": config.max_body_bytes, "max_url_bytes": config.max_url_bytes,
              "timeout_s": config.timeout_s, "max_alternatives": MAX_ALTERNATIVES, "max_list_items": MAX_LIST,
              "job_workers": config.job_workers, "max_queued_jobs": config.max_queued_jobs,
              "job_time_limit_s": config.job_time_limit_s}
    network = service.network
    return {"version": version("corridor"), "dataset": network.version, "places": len(network.places),
            "links": len(network.links), "features": features, "job_kinds": sorted(jobs.kinds), "limits": limits}
