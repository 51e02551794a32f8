"""Row schemas of the bundled dataset (see ``corridor/data/README.md``)."""

from __future__ import annotations

import math
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

# the vocabularies of the dataset, each written once: the Literal types check rows, the tuples serve code
Mode = Literal["rail", "road", "ferry", "sea"]
Layer = Literal["rail1520", "rail1435", "rail1668", "road", "ferry", "sea"]
PlaceKind = Literal["city", "rail_terminal", "port", "caspian_port", "border", "gauge_yard", "junction"]
Status = Literal["operational", "under_construction", "planned", "closed"]
SourceKind = Literal["published", "derived", "estimate"]
MODES: tuple[str, ...] = get_args(Mode)
LAYERS: tuple[str, ...] = get_args(Layer)
PLACE_KINDS: tuple[str, ...] = get_args(PlaceKind)
STATUSES: tuple[str, ...] = get_args(Status)
SOURCE_KINDS: tuple[str, ...] = get_args(SourceKind)
GAUGES = (1520, 1435, 1668)
# what an observed count (counts.csv) counts: its cargo class, unit and direction
CountClass = Literal["containers", "liquid_bulk", "dry_bulk", "general_cargo", "all"]
CountUnit = Literal["TEU", "t"]
Direction = Literal["westbound", "eastbound"]
COUNT_CLASSES: tuple[str, ...] = get_args(CountClass)
COUNT_UNITS: tuple[str, ...] = get_args(CountUnit)
DIRECTIONS: tuple[str, ...] = get_args(Direction)
#: the corridors the assignment reports (stable ids; their edge selectors: freight/corridor_flows.py)
CorridorId = Literal["caspian-crossings", "ru-by-eu-border", "into-iran", "deep-sea-asia-europe", "china-kz-border",
                     "btk", "tripp"]
CORRIDOR_IDS: tuple[str, ...] = get_args(CorridorId)
#: totals the sources count that no single corridor row selects (counted on, never modelled)
COUNT_TOTALS: dict[str, str] = {
    "titr": "Trans-Caspian International Transport Route, all modes (Kazakh Ministry of Transport series)",
    "china-europe-rail": "all China–Europe(–China) container trains, every route (China State Railway)",
}


def split_list(value: object, sep: str = "|") -> list[str]:
    """The parts of a ``|``-separated cell (or of ``sep``-separated text), stripped; [] for empty or missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    return [part.strip() for part in str(value).split(sep) if part.strip()]


class Row(BaseModel):
    """A CSV row: unknown columns refused, text stripped, empty cells read as missing."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and value.strip() == "" else value


class SourceRow(Row):
    id: str
    kind: SourceKind
    publisher: str | None = None
    title: str
    date: str | None = None
    url: str | None = None
    note: str | None = None


class PlaceRow(Row):
    id: str = Field(pattern=r"^[A-Z]{2}-[A-Z0-9-]+$")
    name: str
    aliases: str | None = None
    country: str = Field(pattern=r"^[A-Z]{2}$")
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    kind: PlaceKind
    source: str | None = None
    note: str | None = None


class LinkRow(Row):
    id: str
    from_: str = Field(alias="from")
    to: str
    mode: Mode
    length_km: float = Field(gt=0, le=40000)
    speed_kmh: float = Field(gt=0, le=200)
    gauge_mm: int | None = None
    electrified: bool | None = None
    capacity_teu_per_year: float | None = Field(default=None, gt=0)
    status: Status
    open_year: int | None = Field(default=None, ge=1850, le=2100)
    group: str | None = None
    passages: str | None = None
    length_source: str | None = None
    speed_source: str | None = None
    capacity_source: str | None = None
    status_source: str | None = None
    note: str | None = None

    @field_validator("gauge_mm")
    @classmethod
    def _gauge(cls, value: int | None) -> int | None:
        if value is not None and value not in GAUGES:
            raise ValueError(f"gauge_mm must be one of {GAUGES}, not {value}")
        return value


class CrossingRow(Row):
    id: str
    link: str
    name: str
    dwell_h: float = Field(ge=0, le=24 * 30)
    cost_usd_per_feu: float = Field(ge=0, le=20000)
    dwell_source: str | None = None
    cost_source: str | None = None
    note: str | None = None
    #: the link's ``to`` → ``from`` direction where it differs; empty = as ``dwell_h`` / ``cost_usd_per_feu``
    dwell_h_reverse: float | None = Field(default=None, ge=0, le=24 * 30)
    cost_usd_per_feu_reverse: float | None = Field(default=None, ge=0, le=20000)


class TerminalRow(Row):
    place: str
    from_layer: Layer
    to_layer: Layer
    dwell_h: float = Field(ge=0, le=24 * 30)
    cost_usd_per_feu: float = Field(ge=0, le=20000)
    dwell_source: str | None = None
    cost_source: str | None = None
    note: str | None = None


class ServiceRow(Row):
    link: str
    frequency_per_week: float = Field(gt=0, le=500)
    frequency_source: str | None = None
    note: str | None = None


class TariffRow(Row):
    mode: Mode
    country: str = Field(pattern=r"^([A-Z]{2}|\*)$")
    year: int | None = Field(default=None, ge=1990, le=2100)   # none: the rate of every year
    cost_usd_per_feu_km: float = Field(gt=0, le=50)
    source: str | None = None
    note: str | None = None


class ModeRow(Row):
    mode: Mode
    handling_h: float = Field(ge=0, le=24 * 30)
    handling_cost_usd_per_feu: float = Field(ge=0, le=20000)
    co2_kg_per_tkm: float = Field(ge=0, le=2)
    co2_kg_per_tkm_electric: float | None = Field(default=None, ge=0, le=2)
    handling_source: str | None = None
    co2_source: str | None = None
    note: str | None = None


class CargoRow(Row):
    class_: str = Field(alias="class")
    value_usd_per_feu_hour: float = Field(ge=0, le=10000)
    tonnes_per_feu: float = Field(gt=0, le=30)
    value_source: str | None = None
    tonnes_source: str | None = None
    note: str | None = None


class ZoneRow(Row):
    zone: str
    name: str | None = None
    place: str
    note: str | None = None


class DemandRow(Row):
    origin: str
    destination: str
    teu_per_year: float = Field(ge=0, allow_inf_nan=False)
    year: int | None = Field(default=None, ge=1990, le=2100)
    source: str | None = None
    note: str | None = None


class ConcessionRow(Row):
    group: str
    figure: Literal["capex_usd", "share", "term_years", "option_years"]
    holder: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    value: float = Field(ge=0, allow_inf_nan=False)
    source: str | None = None
    note: str | None = None


class CountRow(Row):
    element: str
    class_: str = Field(alias="class")   # checked against COUNT_CLASSES with suggestions (network/counts_table.py)
    year: int = Field(ge=1990, le=2100)
    value: float = Field(ge=0, allow_inf_nan=False)
    unit: CountUnit
    direction: Direction | None = None
    source: str | None = None
    note: str | None = None


#: file name → (row model, source columns, columns that are figures needing a source column)
FILES: dict[str, type[Row]] = {
    "sources.csv": SourceRow,
    "places.csv": PlaceRow,
    "links.csv": LinkRow,
    "crossings.csv": CrossingRow,
    "terminals.csv": TerminalRow,
    "services.csv": ServiceRow,
    "tariffs.csv": TariffRow,
    "modes.csv": ModeRow,
    "cargo.csv": CargoRow,
}

#: columns a file may leave out (added later; an old dataset without them still loads)
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {"crossings.csv": ("dwell_h_reverse", "cost_usd_per_feu_reverse"),
                                                 "tariffs.csv": ("year",)}

#: figure column → the column that must cite its source
FIGURE_SOURCES: dict[str, dict[str, str]] = {
    "places.csv": {"lon": "source", "lat": "source"},
    "links.csv": {
        "length_km": "length_source",
        "speed_kmh": "speed_source",
        "capacity_teu_per_year": "capacity_source",
        "open_year": "status_source",
    },
    "crossings.csv": {"dwell_h": "dwell_source", "cost_usd_per_feu": "cost_source",
                      "dwell_h_reverse": "dwell_source", "cost_usd_per_feu_reverse": "cost_source"},
    "terminals.csv": {"dwell_h": "dwell_source", "cost_usd_per_feu": "cost_source"},
    "services.csv": {"frequency_per_week": "frequency_source"},
    "tariffs.csv": {"cost_usd_per_feu_km": "source"},
    "modes.csv": {
        "handling_h": "handling_source",
        "handling_cost_usd_per_feu": "handling_source",
        "co2_kg_per_tkm": "co2_source",
        "co2_kg_per_tkm_electric": "co2_source",
    },
    "cargo.csv": {"value_usd_per_feu_hour": "value_source", "tonnes_per_feu": "tonnes_source"},
}

