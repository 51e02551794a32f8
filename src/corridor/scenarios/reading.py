"""Reading scenarios: YAML files (bundled or not) into checked :class:`~corridor.scenarios.spec.Scenario` objects.

Every problem is one :class:`~corridor.errors.ScenarioError` naming the file and the line: malformed
YAML, a duplicate key, an unknown key or operation, an argument of the wrong shape, a cycle of
``extends``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..errors import ScenarioError
from .operations import OPERATIONS, check_operation
from .spec import BASE, TOP_KEYS, Operation, Scenario, as_list, base_scenario

FIRST_YEAR, LAST_YEAR = 1850, 2100


def scenarios_dir() -> Path:
    """The folder of the bundled scenarios."""
    return Path(str(resources.files("corridor") / "data" / "scenarios"))


def bundled_scenarios() -> list[str]:
    """Names of the bundled scenarios."""
    folder = scenarios_dir()
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def load_scenario(ref: str | Path | Scenario | None = None) -> Scenario:
    """Read and validate a scenario: a bundled name (``tripp``), a YAML path, or ``base``.

    The structure is checked here (known operations, fields and types, ``extends`` without cycles);
    references to links and places are checked when it is applied to a network.

    Raises
    ------
    ScenarioError
        One message naming the file and line of the problem.

    Examples
    --------
    >>> load_scenario("base").operations
    ()
    """
    if isinstance(ref, Scenario):
        return ref
    if ref is None or str(ref) == BASE:
        return base_scenario()
    path = Path(ref) if Path(ref).is_file() else _resolve(str(ref), None)
    return _load_file(path.resolve(), ())


def scenario_from_text(text: str, file: str = "<text>", folder: Path | None = None) -> Scenario:
    """Parse a scenario from YAML text (``file`` is used in messages only; ``extends`` looks in ``folder``)."""
    return _parse(text, file, folder, ())


#: the largest scenario or sweep file read, characters
MAX_BYTES = 1_000_000
#: the deepest nesting of mappings and lists a scenario or sweep file may have
MAX_DEPTH = 20


def compose_yaml(text: str, file: str) -> yaml.Node | None:
    """The YAML node tree of ``text``, which keeps the line of every key (``None`` for an empty text).

    A scenario or sweep file is small, plain data: aliases (which let a few lines expand into
    gigabytes), nesting deeper than :data:`MAX_DEPTH` and texts over :data:`MAX_BYTES` are refused.

    Raises
    ------
    ScenarioError
        ``file:line: not valid YAML: …`` or what limit the text breaks.
    """
    if len(text) > MAX_BYTES:
        raise ScenarioError(f"{file}: {len(text):,} characters; a scenario or sweep file is at most {MAX_BYTES:,}")
    try:
        depth = 0
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                raise ScenarioError(f"{file}:{event.start_mark.line + 1}: YAML aliases (*{event.anchor}) are not "
                                    "allowed here: write the value out")
            depth += isinstance(event, yaml.CollectionStartEvent) - isinstance(event, yaml.CollectionEndEvent)
            if depth > MAX_DEPTH:
                raise ScenarioError(f"{file}:{event.start_mark.line + 1}: nested more than {MAX_DEPTH} levels deep")
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(f"{file}{line}: not valid YAML: {problem}") from None


def _plain(node: yaml.Node, file: str) -> Any:
    """A YAML node as plain Python, refusing duplicate keys."""
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for k, v in node.value:
            key = _plain(k, file)
            if key in out:
                raise ScenarioError(f"{file}:{k.start_mark.line + 1}: duplicate key {key!r}")
            out[str(key)] = _plain(v, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(v, file) for v in node.value]
    if node.tag == "tag:yaml.org,2002:str":
        return node.value
    try:
        return yaml.constructor.SafeConstructor().construct_object(node)
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{file}:{node.start_mark.line + 1}: not a plain value: {getattr(exc, 'problem', exc)}") from None


def _key_lines(node: yaml.MappingNode) -> dict[str, int]:
    """The line of each key of a mapping."""
    return {str(k.value): k.start_mark.line + 1 for k, _ in node.value}


def _resolve(ref: str, folder: Path | None) -> Path:
    """The file a scenario reference names: a path, a file next to the referring one, or a bundled scenario."""
    candidates = [Path(ref)]
    if folder is not None:
        candidates += [folder / ref, folder / f"{ref}.yaml", folder / f"{ref}.yml"]
    candidates += [scenarios_dir() / f"{ref}.yaml"]
    for c in candidates:
        if c.is_file():
            return c.resolve()
    known = ", ".join(bundled_scenarios()) or "none"
    raise ScenarioError(f"no scenario {ref!r}: give a YAML file or a bundled name ({known})")


def _load_file(path: Path, chain: tuple[str, ...]) -> Scenario:
    """Read one file; ``chain`` holds the files that extend it, to refuse a cycle."""
    if str(path) in chain:
        cycle = " → ".join(Path(p).name for p in (*chain, str(path)))
        raise ScenarioError(f"{chain[-1]}: `extends` makes a cycle: {cycle}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot be read: {exc}") from None
    return _parse(text, str(path), path.parent, (*chain, str(path)))


def _parse(text: str, file: str, folder: Path | None, chain: tuple[str, ...]) -> Scenario:
    root = compose_yaml(text, file)
    if root is None or not isinstance(root, yaml.MappingNode):
        line = f":{root.start_mark.line + 1}" if root is not None else ""
        raise ScenarioError(f"{file}{line}: a scenario is a mapping with `operations:` "
                            "(and name, title, extends, year)")
    data = _plain(root, file)
    lines = _key_lines(root)
    year, month = _check_top(data, lines, file)

    inherited: list[Operation] = []
    for ref in as_list(data.get("extends")):
        try:
            parent_path = _resolve(ref, folder)
        except ScenarioError as exc:
            raise ScenarioError(f"{file}:{lines['extends']}: {exc}") from None
        parent = _load_file(parent_path, chain)
        inherited.extend(parent.operations)
        year = year if year is not None else parent.year
        month = month if month is not None else parent.month

    ops_node = next((v for k, v in root.value if k.value == "operations"), None)
    own: list[Operation] = []
    if ops_node is not None and not (isinstance(ops_node, yaml.ScalarNode) and ops_node.value in ("", "~", "null")):
        if not isinstance(ops_node, yaml.SequenceNode):
            raise ScenarioError(f"{file}:{ops_node.start_mark.line + 1}: `operations` must be a list")
        own = [_operation(node, file) for node in ops_node.value]
    name = str(data.get("name") or (Path(file).stem if file.endswith((".yaml", ".yml")) else "scenario"))
    return Scenario(name=name, operations=tuple(inherited + own), title=str(data.get("title") or ""),
                    description=str(data.get("description") or "").strip(), year=year, month=month,
                    files=tuple(chain) or (file,))


def _check_top(data: dict[str, Any], lines: dict[str, int], file: str) -> tuple[int | None, int | None]:
    """Refuse unknown top-level keys; the scenario's own year and month."""
    for key in data:
        if key not in TOP_KEYS:
            raise ScenarioError(f"{file}:{lines[key]}: unknown key {key!r}; a scenario has {', '.join(TOP_KEYS)}")
    year = data.get("year")
    if year is not None and (not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR):
        raise ScenarioError(f"{file}:{lines['year']}: year must be a whole year between {FIRST_YEAR} and "
                            f"{LAST_YEAR}, not {year!r}")
    month = data.get("month")
    if month is not None and (not isinstance(month, int) or not 1 <= month <= 12):
        raise ScenarioError(f"{file}:{lines['month']}: month must be 1–12, not {month!r}")
    return year, month


def _operation(node: yaml.Node, file: str) -> Operation:
    """One operation, located and checked (see :func:`~corridor.scenarios.operations.check_operation`)."""
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        raise ScenarioError(f"{file}:{line}: an operation is a mapping such as `close: {{link: ID}}`")
    data = _plain(node, file)
    kinds = [k for k in data if k not in ("source", "note")]
    if len(kinds) != 1:
        raise ScenarioError(f"{file}:{line}: an operation has exactly one of {', '.join(OPERATIONS)} "
                            f"(plus source:, note:); found {', '.join(kinds) or 'none'}")
    kind = kinds[0]
    if kind not in OPERATIONS:
        raise ScenarioError(f"{file}:{_key_lines(node)[kind]}: unknown operation {kind!r}; "
                            f"operations are {', '.join(OPERATIONS)}")
    args = data[kind]
    arg_node = next(v for k, v in node.value if k.value == kind)
    arg_lines = _key_lines(arg_node) if isinstance(arg_node, yaml.MappingNode) else {}
    if not isinstance(args, dict):
        raise ScenarioError(f"{file}:{line}: `{kind}` takes a mapping, e.g. `{kind}: {{link: ID}}`; got {args!r}")
    source = data.get("source")
    op = Operation(kind, args, str(source) if source is not None else None, data.get("note"), file, line, arg_lines)
    check_operation(op)
    return op
