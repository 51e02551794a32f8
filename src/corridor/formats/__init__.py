"""File formats that corridor reads: TNTP benchmark networks (:mod:`corridor.formats.tntp`)."""

from corridor.formats.tntp import (
    TNTPFlows,
    TNTPFormatError,
    TNTPNetwork,
    read_flow,
    read_net,
    read_nodes,
    read_trips,
)

__all__ = ["TNTPFlows", "TNTPFormatError", "TNTPNetwork", "read_flow", "read_net", "read_nodes", "read_trips"]
