"""Points in the plane: logic-gate truth tables, spirals and moons."""
import numpy as np

from ._checks import check_positive

__all__ = ["logic_gate", "spirals", "moons"]

_GATES = {"and": np.logical_and, "or": np.logical_or, "xor": np.logical_xor,
          "nand": lambda a, b: ~np.logical_and(a, b)}


def logic_gate(gate):
    """The four input pairs of a two-input logic gate and its outputs.

    Parameters
    ----------
    gate : {"and", "or", "xor", "nand"}
        The gate (case-insensitive).

    Returns
    -------
    X : ndarray of float32, shape (4, 2)
        The inputs 00, 01, 10, 11.
    y : ndarray of float32, shape (4,)
        The gate's output, 0.0 or 1.0 (float, ready for a binary cross-entropy).

    Examples
    --------
    >>> from tinytorch.datasets import logic_gate
    >>> X, y = logic_gate("xor")
    >>> X.tolist(), y.tolist()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0.0, 1.0, 1.0, 0.0])
    """
    key = str(gate).lower()
    if key not in _GATES:
        raise ValueError(f"logic_gate: unknown gate {gate!r}; choose one of {sorted(_GATES)}")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = _GATES[key](X[:, 0] > 0, X[:, 1] > 0).astype(np.float32)
    return X, y


def spirals(n_per_class, n_classes=2, noise=0.1, seed=0):
    """Interleaved spiral arms in the plane, one arm per class.

    Arm ``k`` winds once around the origin, starting at angle ``2*pi*k/n_classes``, with radius
    growing from 0 to 1; Gaussian noise of standard deviation ``noise`` is added to each coordinate.

    Parameters
    ----------
    n_per_class : int
        Points per arm.
    n_classes : int, default 2
        Number of arms (classes).
    noise : float, default 0.1
        Standard deviation of the coordinate noise.
    seed : int, default 0
        Seed of the generator.

    Returns
    -------
    X : ndarray of float32, shape (N, 2)
        Points, N = n_per_class * n_classes, rows in random order.
    y : ndarray of int64, shape (N,)
        Arm index in ``0 .. n_classes-1``; each class appears exactly ``n_per_class`` times.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch.datasets import spirals
    >>> X, y = spirals(100, n_classes=3, seed=0)
    >>> X.shape, X.dtype, np.bincount(y).tolist()
    ((300, 2), dtype('float32'), [100, 100, 100])
    """
    check_positive("spirals", n_per_class=n_per_class, n_classes=n_classes)
    rng = np.random.default_rng(seed)
    t = np.linspace(0.05, 1.0, n_per_class)                      # (P,) position along the arm
    start = 2 * np.pi * np.arange(n_classes)[:, None] / n_classes  # (K, 1)
    angle = start + 2 * np.pi * t                                  # (K, P)
    points = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=-1).reshape(-1, 2)
    points = points + noise * rng.normal(size=points.shape)
    labels = np.repeat(np.arange(n_classes), n_per_class)
    order = rng.permutation(len(labels))
    return points[order].astype(np.float32), labels[order].astype(np.int64)


def moons(n, noise=0.1, seed=0):
    """Two interleaving half circles, as in scikit-learn's ``make_moons``.

    Class 0 is the upper arc ``(cos t, sin t)``, class 1 the lower arc ``(1 - cos t, 0.5 - sin t)``,
    ``t`` in ``[0, pi]``; Gaussian noise of standard deviation ``noise`` is added to each coordinate.

    Parameters
    ----------
    n : int
        Total number of points: ``n // 2`` in class 0, the rest in class 1.
    noise : float, default 0.1
        Standard deviation of the coordinate noise.
    seed : int, default 0
        Seed of the generator.

    Returns
    -------
    X : ndarray of float32, shape (n, 2)
        Points, rows in random order.
    y : ndarray of int64, shape (n,)
        0 or 1.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch.datasets import moons
    >>> X, y = moons(201, seed=0)
    >>> X.shape, np.bincount(y).tolist()
    ((201, 2), [100, 101])
    """
    check_positive("moons", n=n)
    rng = np.random.default_rng(seed)
    labels = (np.arange(n) >= n // 2).astype(np.int64)
    t = np.concatenate([np.linspace(0, np.pi, n // 2), np.linspace(0, np.pi, n - n // 2)])
    points = np.stack([np.cos(t), np.sin(t)], axis=-1)
    points = np.where(labels[:, None] == 0, points, np.array([1.0, 0.5]) - points)
    points = points + noise * rng.normal(size=points.shape)
    order = rng.permutation(n)
    return points[order].astype(np.float32), labels[order]
