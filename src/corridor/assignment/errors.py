"""Errors raised by the assignment engine (all are :class:`corridor.errors.CorridorError` and ValueError)."""

from __future__ import annotations

from corridor.errors import CorridorError

__all__ = ["AssignmentError", "DemandError", "NetworkError"]


class AssignmentError(CorridorError, ValueError):
    """Root of the assignment engine's errors."""


class NetworkError(AssignmentError):
    """The graph arrays are inconsistent (lengths, node ids, negative capacities, ...)."""


class DemandError(AssignmentError):
    """The demand matrix does not fit the graph, is negative, or asks for an unreachable zone pair."""
