"""The one global random generator, and how to seed it.

Parameter initialisation, dropout and shuffling draw from this generator unless they are given a
generator or seed of their own. ``tinytorch.manual_seed(n)`` makes all of them reproducible.
"""
import numpy as np

_generator = np.random.default_rng(0)


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed tinytorch's global random generator and return it.

    Parameters
    ----------
    seed : int
        Any non-negative integer.

    Examples
    --------
    >>> import tinytorch as tt
    >>> _ = tt.manual_seed(0); a = tt.Linear(2, 2).weight.data.copy()
    >>> _ = tt.manual_seed(0); b = tt.Linear(2, 2).weight.data.copy()
    >>> bool((a == b).all())
    True
    """
    global _generator
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative integer, got {seed!r}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def default_rng() -> np.random.Generator:
    """Return the global generator that :func:`manual_seed` sets."""
    return _generator
