"""The physical network: schema, loading, validation and geometry."""

from .check import check_dataset
from .load import Network, Problem, default_data_dir, load_network

__all__ = ["Network", "Problem", "check_dataset", "default_data_dir", "load_network"]
