"""The package's errors: one root, subclasses that also inherit the matching built-in."""

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


class UnknownPlaceError(CorridorError, KeyError):
    """A place name matches no id, name or alias; ``suggestions`` holds the nearest ones."""

    def __init__(self, query: str, suggestions: list[str]) -> None:
        self.query = query
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"Unknown place {query!r}.{hint}")

    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0]


class NoRouteError(CorridorError, LookupError):
    """No route satisfies the constraints."""


class InvalidOptionError(CorridorError, ValueError):
    """An option has a value outside what it accepts."""
