"""Pydantic models of the REST API: what requests may contain and what responses hold.

The route models describe the same JSON that ``corridor route --json`` prints
(``{"origin", "destination", "optimize", "routes": [Route.to_dict(), ...]}``), so a program can read
either with :class:`RouteResponse`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..assignment import ALGORITHMS
from ..network.schema import Mode
from ..routing import MAX_ALTERNATIVES
from ..settings import OBJECTIVES

Objective = Literal["time", "cost", "co2", "generalized"]
assert set(OBJECTIVES) == set(get_args(Objective))
#: every algorithm the engine runs, and only those (a job that could never run is refused at once)
Algorithm = Literal[ALGORITHMS]  # type: ignore[valid-type]

#: limits on what one request may ask for (anything beyond gets a 422); alternatives: as the CLI
MAX_LIST = 40
MAX_NAME = 120
MAX_SCENARIO = 80
YEARS = (1990, 2100)

#: the OpenAPI key by which a field names the vocabulary of the served network it takes
#: (countries, passages, cargo); :func:`corridor.api.contract.openapi` lists the names there
NAMES_KEY = "x-names"


def names(kind: str, description: str) -> dict[str, Any]:
    """A field's ``json_schema_extra``: it takes names of ``kind`` (matched in any case)."""
    return {NAMES_KEY: kind, "description": description + " Any case."}


Name = Field(min_length=1, max_length=MAX_NAME)
#: one item of a list of names
Item = Annotated[str, Field(min_length=1, max_length=40)]
Year = Field(None, ge=YEARS[0], le=YEARS[1])
#: the cargo class of an analysis of the demand (compare, criticality, assignment), as the CLI's
Cargo = Field(None, min_length=1, max_length=40,
              json_schema_extra=names("cargo", "Cargo class of cargo.csv (default: the demand's, `high_value`, "
                                      "as the CLI)."))


class RequestModel(BaseModel):
    """A request body: unknown fields are refused, and so is a value of another JSON type than documented
    (strict: ``"3"`` or ``true`` is no integer)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @field_validator("*", mode="before")
    @classmethod
    def _whole(cls, value: Any) -> Any:
        # JSON, and JSON Schema, do not tell 3 from 3.0: a whole float is an integer (`true` or "3" is not)
        return int(value) if isinstance(value, float) and value.is_integer() else value


class Problem(BaseModel):
    """One thing wrong with a field of the request."""

    field: str = Field(description="Where: e.g. `body.alternatives` or `query.year`.")
    message: str


class ErrorOut(BaseModel):
    """Every error response: a sentence saying what was wrong and what would be right."""

    detail: str
    suggestions: list[str] = Field(default_factory=list,
                                   description="Nearest known names, for an unknown place, scenario or option value.")
    problems: list[Problem] = Field(default_factory=list, description="Field by field, for a 422.")


#: why each error status is answered (the OpenAPI description of the response)
WHY = {
    400: "A malformed request (a Content-Length that is not a number).",
    404: "An unknown name (place, scenario, job, run): `suggestions` has the nearest; or no route.",
    409: "The job has not finished (or failed).",
    413: "The request body is over the size limit.",
    414: "The URL is over the size limit.",
    422: "The request is invalid: `problems` says field by field (an unknown option value names the known "
         "ones in `suggestions`).",
    429: "Too many jobs are waiting; try again later (`Retry-After`).",
    503: "The run store cannot be read.",
    504: "The request took longer than the server's time limit.",
}
#: what any request may get: the middleware bounds every request's URL, body and time
LIMITS = (400, 413, 414, 504)


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The documented error responses (OpenAPI) of an endpoint."""
    return {code: {"model": ErrorOut, "description": WHY[code]} for code in codes}


#: the error responses of an endpoint that takes input and looks up names
ERRORS = errors(404, 422)


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
class RouteOptions(RequestModel):
    """What a route query may constrain. Lists take ISO codes, modes and passage names."""

    optimize: Objective = "generalized"
    alternatives: int = Field(1, ge=1, le=MAX_ALTERNATIVES, description="How many different corridors.")
    avoid_countries: list[Item] = Field(default_factory=list, max_length=MAX_LIST, examples=[["RU", "IR"]],
                                        json_schema_extra=names("countries", "Countries to avoid, by ISO code "
                                                                "(or name) of the network's countries."))
    avoid_modes: list[Mode] = Field(default_factory=list, max_length=MAX_LIST)
    avoid_passages: list[Item] = Field(default_factory=list, max_length=MAX_LIST, examples=[["suez"]],
                                       json_schema_extra=names("passages", "Sea passages to avoid (also `cape`, "
                                                               "`hormuz`)."))
    via: str | None = Field(None, min_length=1, max_length=MAX_NAME)
    year: int | None = Field(None, ge=YEARS[0], le=YEARS[1],
                             description="Links open in this year (default: this year).")
    cargo: str = Field("general", min_length=1, max_length=40,
                       json_schema_extra=names("cargo", "Cargo class of cargo.csv."))
    scenario: str | None = Field(None, min_length=1, max_length=MAX_SCENARIO,
                                 description="A bundled scenario by name (see /api/scenarios), when scenarios exist.")


class RouteRequest(RouteOptions):
    """A route query: origin, destination and options."""

    origin: str = Name
    destination: str = Name
    reliability: bool = Field(False, description="Add P50/P90 transit times (when reliability exists).")
    samples: int = Field(20_000, ge=100, le=200_000, description="Monte Carlo draws for `reliability`.")
    month: int | None = Field(None, ge=1, le=12,
                              description="Month of departure for `reliability` (default: all year).")
    geometry: bool = Field(False, description="Add each route's line as GeoJSON.")


class CostBreakdownOut(BaseModel):
    """The generalized cost of one FEU by component, US$ (:class:`corridor.network.costs.CostBreakdown`;
    docs/costs.md). The components add up to ``total_usd``, what the router minimises."""

    freight_usd: float = Field(description="Runs: tariff × km.")
    handling_usd: float = Field(description="Loading, unloading and transfers between modes or gauges.")
    border_usd: float = Field(description="Border crossings.")
    ets_usd: float = Field(description="EU ETS allowances; 0 until their data exist.")
    insurance_usd: float = Field(description="War-risk and other insurance premia; 0 until their data exist.")
    sanctions_usd: float = Field(description="Premia of a scenario's sanctions and exposure policies; 0 without one.")
    carbon_usd: float = Field(description="Shadow CO2 price on all emissions (0 unless a price is set).")
    time_value_usd: float = Field(description="Value of time of the cargo class × hours.")
    total_usd: float = Field(description="The generalized cost: the sum of the components.")


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
    cost_breakdown: CostBreakdownOut


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
    cost_usd_per_feu: float = Field(description="Money paid: freight + handling + border, US$ per FEU.")
    co2_kg_per_feu: float
    cost_breakdown: CostBreakdownOut
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


class CompareRequest(RequestModel):
    """Two route queries between the same places that differ by year, constraints or scenario."""

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


class CriticalityRequest(RequestModel):
    """Remove each element in turn and rank the elements by the harm to the bundled demand."""

    scope: Literal["links", "places", "crossings", "countries"] = "links"
    year: int | None = Year
    rank_by: Literal["unrouted", "cost"] = "unrouted"
    scenario: str | None = Field(None, min_length=1, max_length=MAX_SCENARIO)
    cargo: str | None = Cargo
    top: int = Field(50, ge=1, le=500, description="Rows of the ranking returned.")
    equilibrium: bool = Field(False, description="Re-solve the capacity-aware equilibrium for each removal "
                              "(warm-started Algorithm B) instead of routing all-or-nothing, as "
                              "`corridor criticality --equilibrium`; the year then defaults to the demand's.")
    gap: float = Field(1e-6, gt=0, le=0.5, description="With `equilibrium`: relative gap of every solve.")


class AssignmentRequest(RequestModel):
    """Capacity-aware equilibrium of the bundled demand (TEU per year) on the network."""

    year: int | None = Field(None, ge=YEARS[0], le=YEARS[1],
                             description="Default: the scenario's, else 2024 (the demand's base year).")
    algorithm: Algorithm = "bfw"
    gap: float | None = Field(None, gt=0, le=0.5, description="Default: 1e-4 (relative gap), 1e-3 for sue "
                              "(relative flow change), as `corridor assign`.")
    max_iter: int | None = Field(None, ge=1, le=2000, description="Default: 500, 300 for sue.")
    theta: float = Field(0.02, gt=0, le=100, description="Logit dispersion per hour-equivalent (sue only).")
    scenario: str | None = Field(None, min_length=1, max_length=MAX_SCENARIO)
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
