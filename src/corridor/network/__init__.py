"""The physical network: schema, loading, validation and geometry."""

from .check import check_dataset
from .load import Network, default_data_dir, load_network
from .rows import Problem

__all__ = ["Network", "Problem", "check_dataset", "default_data_dir", "load_network"]
