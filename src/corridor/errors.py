"""Every error corridor raises on purpose: one root, subclasses that also inherit the matching built-in.

Interfaces map them once: the CLI prints the message and exits 1; the REST API answers 404 for an
unknown name or no route, 422 for the rest.
"""

from __future__ import annotations


class CorridorError(Exception):
    """Root of every error that corridor raises on purpose."""


class DataError(CorridorError, ValueError):
    """A data file is malformed: the message names the file, the row and the field."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        shown = self.problems[:20]
        more = len(self.problems) - len(shown)
        text = "\n".join(shown) + (f"\n… and {more} more" if more > 0 else "")
        super().__init__(text)


class ScenarioError(DataError):
    """A scenario file is malformed or refers to something that does not exist (file:line: message)."""


class UnknownNameError(CorridorError, KeyError):
    """A name matches nothing known; ``suggestions`` holds the nearest ones."""

    what = "name"

    def __init__(self, query: str, suggestions: list[str]) -> None:
        self.query = query
        self.suggestions = suggestions
        super().__init__(f"Unknown {self.what} {query!r}.{self.hint(suggestions)}")

    @staticmethod
    def hint(suggestions: list[str]) -> str:
        return f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""

    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0]


class UnknownPlaceError(UnknownNameError):
    """A place name matches no id, name or alias; ``suggestions`` holds the nearest ones."""

    what = "place"


class UnknownScenarioError(UnknownNameError):
    """A scenario name that is not bundled; ``suggestions`` lists near ones."""

    what = "scenario"

    @staticmethod
    def hint(suggestions: list[str]) -> str:
        return f" Known scenarios include: {', '.join(suggestions)}." if suggestions else ""


class NoRouteError(CorridorError, LookupError):
    """No route satisfies the constraints."""


class InvalidOptionError(CorridorError, ValueError):
    """An option has a value outside what it accepts."""


class StoreError(CorridorError, RuntimeError):
    """The run store cannot be opened or read."""


class AssignmentError(CorridorError, ValueError):
    """Root of the assignment engine's errors (:mod:`corridor.assignment`): a bad option, graph or demand."""


class NetworkError(AssignmentError):
    """The assignment graph's arrays are inconsistent (lengths, node ids, negative capacities, ...)."""


class DemandError(AssignmentError):
    """The OD matrix does not fit the assignment graph, is negative, or asks for an unreachable zone pair."""


class CountError(AssignmentError):
    """Link counts for matrix estimation name an unknown link, are negative or not finite, or no OD pair can carry them."""
