"""Argument checks shared by the generators."""
import numpy as np


def check_positive(name, **values):
    """Raise ValueError unless every keyword value is a positive integer (bools excluded)."""
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name}: {key} must be a positive integer, got {value!r}")
