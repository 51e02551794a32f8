"""Pydantic models of the REST API: what requests may contain and what responses hold.

The route models describe the same JSON that ``corridor route --json`` prints
(``{"origin", "destination", "optimize", "routes": [Route.to_dict(), ...]}``), so a program can read
either with :class:`RouteResponse`.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..freight.congestion import ALGORITHMS
from ..network.schema import Mode
from ..routing import MAX_ALTERNATIVES
from ..settings import OBJECTIVES

Objective = Literal["time", "cost", "co2", "generalized"]
assert set(OBJECTIVES) == set(get_args(Objective))
Algorithm = Literal["bfw", "cfw", "fw", "gp", "sue"]
assert set(ALGORITHMS) == set(get_args(Algorithm))

#: limits on what one request may ask for (anything beyond gets a 422); alternatives: as the CLI
MAX_LIST = 40
MAX_NAME = 120

Name = Field(min_length=1, max_length=MAX_NAME)
#: the cargo class of an analysis of the demand (compare, criticality, assignment), as the CLI's
Cargo = Field(None, min_length=1, max_length=40,
              description="Cargo class of cargo.csv (default: the demand's, `high_value`, as the CLI).")


class Problem(BaseModel):
    """One thing wrong with a field of the request."""

    field: str = Field(description="Where: e.g. `body.alternatives` or `query.year`.")
    message: str


class ErrorOut(BaseModel):
    """Every error response: a sentence saying what was wrong and what would be right."""

    detail: str
    suggestions: list[str] = Field(default_factory=list, description="Nearest known names, for an unknown place.")
    problems: list[Problem] = Field(default_factory=list, description="Field by field, for a 422.")


#: the error responses an endpoint documents (OpenAPI)
ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (404, 413, 422, 504)}


# -- places ---------------------------------------------------------------------------------
class PlaceOut(BaseModel):
    id: str = Field(examples=["KZ-AKTAU"])
    name: str
    aliases: list[str] = Field(default_factory=list)
    country: str = Field(description="ISO 3166-1 alpha-2.")
    kind: str
    lon: float
    lat: float


class PlacesOut(BaseModel):
    query: str
    count: int
    places: list[PlaceOut]


# -- routes ---------------------------------------------------------------------------------
class RouteOptions(BaseModel):
    """What a route query may constrain. Lists take ISO codes, modes and passage names."""

    model_config = ConfigDict(extra="forbid")

    optimize: Objective = "generalized"
    alternatives: int = Field(1, ge=1, le=MAX_ALTERNATIVES, description="How many different corridors.")
    avoid_countries: list[str] = Field(default_factory=list, max_length=MAX_LIST, examples=[["RU", "IR"]])
    avoid_modes: list[Mode] = Field(default_factory=list, max_length=4)
    avoid_passages: list[str] = Field(default_factory=list, max_length=MAX_LIST, examples=[["suez"]])
    via: str | None = Field(None, min_length=1, max_length=MAX_NAME)
    year: int | None = Field(None, ge=1990, le=2100, description="Links open in this year (default: this year).")
    cargo: str = Field("general", min_length=1, max_length=40, description="Cargo class of cargo.csv.")
    scenario: str | None = Field(None, min_length=1, max_length=80,
                                 description="A bundled scenario by name (see /api/scenarios), when scenarios exist.")

    @field_validator("avoid_countries", "avoid_passages")
    @classmethod
    def _short_items(cls, values: list[str]) -> list[str]:
        for v in values:
            if not 0 < len(v) <= 40:
                raise ValueError("each item must be 1–40 characters")
        return values


class RouteRequest(RouteOptions):
    """A route query: origin, destination and options."""

    origin: str = Name
    destination: str = Name
    reliability: bool = Field(False, description="Add P50/P90 transit times (when reliability exists).")
    samples: int = Field(20_000, ge=100, le=200_000, description="Monte Carlo draws for `reliability`.")
    month: int | None = Field(None, ge=1, le=12,
                              description="Month of departure for `reliability` (default: all year).")
    geometry: bool = Field(False, description="Add each route's line as GeoJSON.")


class LegOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    from_name: str
    to_name: str
    mode: str
    kind: str
    link: str | None
    distance_km: float
    hours: float
    cost_usd_per_feu: float
    co2_kg_per_feu: float


class ReliabilityOut(BaseModel):
    """Door-to-door transit-time distribution of one route (Monte Carlo, :mod:`corridor.freight.reliability`)."""

    model_config = ConfigDict(extra="allow")

    p10_days: float
    p50_days: float
    p90_days: float
    p95_days: float
    mean_days: float
    std_days: float
    samples: int
    histogram: dict[str, Any] = Field(description="`start_days`, `width_days` and `shares` (sum 1), for a chart.")


class RouteOut(BaseModel):
    corridor: str
    total_hours: float
    total_days: float
    distance_km: float
    cost_usd_per_feu: float
    co2_kg_per_feu: float
    countries: list[str]
    legs: list[LegOut]
    reliability: ReliabilityOut | None = None
    geometry: dict[str, Any] | None = Field(None, description="GeoJSON FeatureCollection, one LineString per run.")


class RouteResponse(BaseModel):
    """The same object ``corridor route --json`` prints, plus the options used."""

    origin: str
    destination: str
    optimize: Objective
    routes: list[RouteOut]
    options: dict[str, Any] = Field(default_factory=dict, description="The options as applied (ids resolved).")


# -- compare --------------------------------------------------------------------------------
class CompareOptions(RouteOptions):
    """One side of a comparison: route options, but cargo defaults to the demand's class, as every
    scenario analysis does (see docs/api.md, "Defaults")."""

    cargo: str | None = Cargo  # type: ignore[assignment]


class CompareRequest(BaseModel):
    """Two route queries between the same places that differ by year, constraints or scenario."""

    model_config = ConfigDict(extra="forbid")

    origin: str = Name
    destination: str = Name
    base: CompareOptions = Field(default_factory=CompareOptions)
    variant: CompareOptions = Field(description="E.g. {\"year\": 2030} to see what planned links change.")
    reliability: bool = False
    samples: int = Field(20_000, ge=100, le=200_000)
    month: int | None = Field(None, ge=1, le=12)
    geometry: bool = False


class CorridorChange(BaseModel):
    corridor: str
    change: Literal["new", "gone", "same", "faster", "slower"]
    base_hours: float | None = None
    variant_hours: float | None = None
    delta_hours: float | None = None
    delta_cost_usd_per_feu: float | None = None
    delta_co2_kg_per_feu: float | None = None


class CompareResponse(BaseModel):
    base: RouteResponse
    variant: RouteResponse
    best_base: str
    best_variant: str
    summary: str
    changes: list[CorridorChange]


# -- jobs -----------------------------------------------------------------------------------
JobStatus = Literal["queued", "running", "done", "failed", "cancelled", "timeout"]


class JobOut(BaseModel):
    id: str
    kind: str
    status: JobStatus
    progress: float = Field(ge=0, le=1)
    message: str = ""
    created: float
    started: float | None = None
    finished: float | None = None
    time_limit_s: float
    params: dict[str, Any]
    error: str | None = None
    result_url: str | None = None


class JobsOut(BaseModel):
    jobs: list[JobOut]
    queued: int
    running: int
    max_queued: int
    workers: int


class CriticalityRequest(BaseModel):
    """Remove each element in turn and rank the elements by the harm to the bundled demand."""

    model_config = ConfigDict(extra="forbid")

    scope: Literal["links", "places", "crossings", "countries"] = "links"
    year: int | None = Field(None, ge=1990, le=2100)
    rank_by: Literal["unrouted", "cost"] = "unrouted"
    scenario: str | None = Field(None, min_length=1, max_length=80)
    cargo: str | None = Cargo
    top: int = Field(50, ge=1, le=500, description="Rows of the ranking returned.")


class AssignmentRequest(BaseModel):
    """Capacity-aware equilibrium of the bundled demand (TEU per year) on the network."""

    model_config = ConfigDict(extra="forbid")

    year: int | None = Field(None, ge=1990, le=2100,
                             description="Default: the scenario's, else 2024 (the demand's base year).")
    algorithm: Algorithm = "bfw"
    gap: float | None = Field(None, gt=0, le=0.5, description="Default: 1e-4 (relative gap), 1e-3 for sue "
                              "(relative flow change), as `corridor assign`.")
    max_iter: int | None = Field(None, ge=1, le=2000, description="Default: 500, 300 for sue.")
    theta: float = Field(0.02, gt=0, le=100, description="Logit dispersion per hour-equivalent (sue only).")
    scenario: str | None = Field(None, min_length=1, max_length=80)
    cargo: str | None = Cargo
    top: int = Field(10, ge=1, le=100, description="Rows of the bottleneck tables.")


# -- capabilities ---------------------------------------------------------------------------
class Capability(BaseModel):
    available: bool
    reason: str = ""


class CapabilitiesOut(BaseModel):
    version: str
    dataset: str
    places: int
    links: int
    features: dict[str, Capability]
    job_kinds: list[str]
    limits: dict[str, float]
