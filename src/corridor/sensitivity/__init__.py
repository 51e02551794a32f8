"""Global sensitivity of the headline answers to the dataset's estimates (``corridor data sensitivity``):
:mod:`~corridor.sensitivity.factors` (each estimate, its range, the figures citing it, perturbations),
:mod:`~corridor.sensitivity.answers` (the headline answers as numbers), :mod:`~corridor.sensitivity.analysis`
(Morris screening, Sobol indices, the ranking) and :mod:`~corridor.sensitivity.plot` (the tornado plot).
"""

from .analysis import DEFAULT_TRAJECTORIES, SensitivityResult, sensitivity
from .factors import Factor, Inputs, estimate_factors, load_inputs, perturb
from .plot import plot_tornado

__all__ = ["DEFAULT_TRAJECTORIES", "Factor", "Inputs", "SensitivityResult", "estimate_factors", "load_inputs",
           "perturb", "plot_tornado", "sensitivity"]
