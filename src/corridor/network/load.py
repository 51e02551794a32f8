"""Read the dataset's CSV files into a validated :class:`Network`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import pandas as pd

from ..errors import DataError
from .levies import ETS_FILE, PREMIA_FILE, empty_ets, empty_premia, read_levies
from .policies import empty_policies
from .rows import Problem, columns_of, parse_rows, read_rows
from .schema import FIGURE_SOURCES, FILES, OPTIONAL_COLUMNS, split_list


@dataclass(frozen=True)
class Network:
    """The physical network: places, links, crossings, terminals, services and their costs.

    Every table is a pandas DataFrame indexed by its id (``places``, ``links``, ``crossings``) or a
    plain table (the others). A Network is never mutated; scenarios return a new one
    (:meth:`replace`).
    """

    places: pd.DataFrame
    links: pd.DataFrame
    crossings: pd.DataFrame
    terminals: pd.DataFrame
    services: pd.DataFrame
    tariffs: pd.DataFrame
    modes: pd.DataFrame
    cargo: pd.DataFrame
    sources: pd.DataFrame
    ets: pd.DataFrame = field(default_factory=empty_ets)        # EU ETS by year (ets.csv, optional)
    premia: pd.DataFrame = field(default_factory=empty_premia)  # war-risk premia (premia.csv, optional)
    policies: pd.DataFrame = field(default_factory=empty_policies)  # sanctions policies (scenarios' `policy`)
    version: str = ""
    lines: dict[str, dict[str, int]] = field(default_factory=dict, compare=False, repr=False)

    def replace(self, **tables: object) -> Network:
        """Return a copy with some tables replaced."""
        return replace(self, **tables)


def sea_passages(links: pd.DataFrame) -> set[str]:
    """The sea passages the links use (searoute's names; ``none`` is not one)."""
    return {p for value in links["passages"].dropna() for p in split_list(value)} - {"none"}


def default_data_dir() -> Path:
    """The folder of the bundled dataset."""
    return Path(str(resources.files("corridor") / "data"))


def _columns(name: str) -> list[str]:
    return columns_of(FILES[name])


def _frame(records: list[dict], model_name: str, index: str | None) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=_columns(model_name))
    if index:
        frame = frame.set_index(index, drop=False)
        frame.index.name = None
    return frame


def _references(records: dict[str, list[dict]], lines: dict[str, list[int]]) -> list[Problem]:
    """Rules across rows and tables: unique ids, every figure citing a known source, references."""
    problems: list[Problem] = []
    tables = {name: pd.DataFrame.from_records(rows, columns=_columns(name)) for name, rows in records.items()}
    sources = set(tables["sources.csv"]["id"])
    places = tables["places.csv"]
    country = places.set_index("id")["country"].to_dict() if len(places) else {}

    for name in ("sources.csv", "places.csv", "links.csv", "crossings.csv"):
        ids = tables[name]["id"]
        for i in (i for i, dup in enumerate(ids.duplicated()) if dup):
            problems.append(Problem(name, lines[name][i], "id", f"duplicate id {ids.iloc[i]!r}"))

    def cite(name: str, i: int, column: str, value: object) -> None:
        for sid in split_list(value):
            if sid not in sources:
                problems.append(Problem(name, lines[name][i], column,
                                        f"cites source {sid!r}, which is not in sources.csv"))

    for name, figures in FIGURE_SOURCES.items():
        for i, row in enumerate(records[name]):
            for figure, column in figures.items():
                if row.get(figure) is not None and not split_list(row.get(column)):
                    problems.append(Problem(name, lines[name][i], column,
                                            f"{figure} = {row[figure]} cites no source"))
            for column in set(figures.values()):
                cite(name, i, column, row.get(column))

    problems += _link_problems(records["links.csv"], lines["links.csv"], country, set(tables["crossings.csv"]["link"]))
    problems += _table_problems(records, lines, tables, country)
    return problems


def _link_problems(rows: list[dict], lines: list[int], country: dict[str, str], crossing_links: set[str]) -> list[Problem]:
    """Rules of ``links.csv`` that span columns or tables: ends, gauges, opening years, crossings."""
    problems: list[Problem] = []
    for i, row in enumerate(rows):
        line = lines[i]
        for end in ("from", "to"):
            if row[end] not in country:
                problems.append(Problem("links.csv", line, end, f"unknown place {row[end]!r}"))
        if row["from"] == row["to"]:
            problems.append(Problem("links.csv", line, "to", "a link must join two different places"))
        if row["mode"] == "rail" and row["gauge_mm"] is None:
            problems.append(Problem("links.csv", line, "gauge_mm", "a rail link needs a gauge (1520, 1435 or 1668)"))
        if row["mode"] != "rail" and row["gauge_mm"] is not None:
            problems.append(Problem("links.csv", line, "gauge_mm", f"a {row['mode']} link has no gauge"))
        if row["status"] in ("planned", "under_construction") and row["open_year"] is None:
            problems.append(Problem("links.csv", line, "open_year", f"a {row['status']} link needs the year it opens"))
        if (row["mode"] in ("rail", "road") and country.get(row["from"]) and country.get(row["to"])
                and country[row["from"]] != country[row["to"]] and row["id"] not in crossing_links):
            problems.append(Problem("links.csv", line, "id",
                                    f"crosses {country[row['from']]}–{country[row['to']]} but has no row in crossings.csv"))
    return problems


def _table_problems(records: dict[str, list[dict]], lines: dict[str, list[int]], tables: dict[str, pd.DataFrame],
                    country: dict[str, str]) -> list[Problem]:
    """References between tables (crossings, services and terminals to links and places) and defaults."""
    problems: list[Problem] = []
    links = tables["links.csv"]
    link_ids = set(links["id"])
    for i, row in enumerate(records["crossings.csv"]):
        if row["link"] not in link_ids:
            problems.append(Problem("crossings.csv", lines["crossings.csv"][i], "link", f"unknown link {row['link']!r}"))
    for i, row in enumerate(records["services.csv"]):
        if row["link"] not in link_ids:
            problems.append(Problem("services.csv", lines["services.csv"][i], "link", f"unknown link {row['link']!r}"))
    for i, row in enumerate(records["terminals.csv"]):
        line = lines["terminals.csv"][i]
        if row["place"] not in country:
            problems.append(Problem("terminals.csv", line, "place", f"unknown place {row['place']!r}"))
        if row["from_layer"] == row["to_layer"]:
            problems.append(Problem("terminals.csv", line, "to_layer", "a transfer joins two different layers"))

    modes = set(tables["modes.csv"]["mode"])
    default_tariffs = set(tables["tariffs.csv"].query("country == '*'")["mode"])
    seen: dict[tuple, int] = {}
    for i, row in enumerate(records["tariffs.csv"]):
        key, line = (row["mode"], row["country"], row.get("year")), lines["tariffs.csv"][i]
        if key in seen:
            problems.append(Problem("tariffs.csv", line, "year", f"a second rate for {key[0]} in {key[1]} in "
                                    f"{key[2] or 'every year'} (first on line {seen[key]})"))
        seen.setdefault(key, line)
    for mode in sorted(set(links["mode"])):
        if mode not in modes:
            problems.append(Problem("modes.csv", None, "mode", f"no row for mode {mode!r}, which links.csv uses"))
        if mode not in default_tariffs:
            problems.append(Problem("tariffs.csv", None, "country", f"no default ('*') tariff for mode {mode!r}"))
    if "general" not in set(tables["cargo.csv"]["class"]):
        problems.append(Problem("cargo.csv", None, "class", "the default cargo class 'general' is missing"))
    return problems


def read_tables(data_dir: Path | str | None = None) -> tuple[dict[str, pd.DataFrame], dict[str, list[int]], list[Problem], str]:
    """Read and validate every file; return tables, their line numbers, the problems and a version hash."""
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    if not folder.is_dir():
        missing = Problem(str(folder), None, None, "no such folder: give the dataset folder that holds places.csv, links.csv …")
        empty = {name: _frame([], name, None) for name in FILES}
        return empty, {name: [] for name in FILES}, [missing], ""
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    parsed: dict[str, list[dict]] = {}
    lines: dict[str, list[int]] = {}
    digest = hashlib.sha256()
    for name in FILES:
        path = folder / name
        if path.exists():
            digest.update(path.read_bytes())
        rows = read_rows(path, columns_of(FILES[name]), problems, optional=OPTIONAL_COLUMNS.get(name, ()))
        records, line_numbers = parse_rows(name, rows, FILES[name], problems)
        index = "id" if name in ("sources.csv", "places.csv", "links.csv", "crossings.csv") else None
        tables[name] = _frame(records, name, index)
        parsed[name] = records
        lines[name] = line_numbers
    if not any(p.line is None and "missing" in p.message for p in problems):
        problems.extend(_references(parsed, lines))
    return tables, lines, problems, digest.hexdigest()[:12]


def load_network(data_dir: Path | str | None = None) -> Network:
    """Load and validate a dataset folder (the bundled one by default).

    Raises
    ------
    DataError
        With every problem found, each naming its file, line and field.
    """
    tables, lines, problems, version = read_tables(data_dir)
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    if not problems:
        ets, premia, levy_problems = read_levies(folder, passages=sea_passages(tables["links.csv"]),
                                                 sources=tables["sources.csv"]["id"])
        problems += levy_problems
        levy_files = [folder / name for name in (ETS_FILE, PREMIA_FILE) if (folder / name).is_file()]
        if levy_files:  # the version names the data behind every figure, these two files included
            version = hashlib.sha256(version.encode() + b"".join(f.read_bytes() for f in levy_files)).hexdigest()[:12]
    if problems:
        raise DataError([str(p) for p in problems])
    return Network(
        places=tables["places.csv"], links=tables["links.csv"], crossings=tables["crossings.csv"],
        terminals=tables["terminals.csv"], services=tables["services.csv"], tariffs=tables["tariffs.csv"],
        modes=tables["modes.csv"], cargo=tables["cargo.csv"], sources=tables["sources.csv"], ets=ets, premia=premia,
        version=version,
        lines={name: dict(zip(tables[name].get("id", pd.Series(dtype=str)).astype(str), ln)) for name, ln in lines.items()},
    )
