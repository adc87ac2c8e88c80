"""Save and load a module's parameters (its ``state_dict``) as a NumPy ``.npz`` archive."""
import os

import numpy as np

__all__ = ["save", "load"]


def _array(value):
    return np.asarray(getattr(value, "data", value))


def save(module, path):
    """Write ``module.state_dict()`` to ``path`` with ``np.savez`` (one array per entry).

    Parameters
    ----------
    module : Module
        The module whose state is saved.
    path : str or os.PathLike
        Destination; NumPy adds ``.npz`` when the name lacks it.

    Returns
    -------
    str
        The path actually written (with the ``.npz`` suffix).

    Examples
    --------
    >>> import os, tempfile
    >>> import tinytorch as tt
    >>> from tinytorch.core.layers import Linear
    >>> from tinytorch.core.serialization import save, load
    >>> _ = tt.manual_seed(0)
    >>> a, b = Linear(3, 2), Linear(3, 2)
    >>> path = save(a, os.path.join(tempfile.mkdtemp(), "linear"))
    >>> path.endswith("linear.npz"), bool((load(b, path).weight.data == a.weight.data).all())
    (True, True)
    """
    path = os.fspath(path)
    if not path.endswith(".npz"):
        path += ".npz"
    np.savez(path, **{name: _array(value) for name, value in module.state_dict().items()})
    return path


def load(module, path):
    """Load parameters written by :func:`save` into ``module`` (in place) and return it.

    Parameters
    ----------
    module : Module
        A module of the same architecture as the saved one.
    path : str or os.PathLike
        The ``.npz`` file.

    Returns
    -------
    Module
        ``module``, now holding the saved values.

    Raises
    ------
    ValueError
        If the file's entries do not match the module's (missing or unexpected names, or shapes that
        differ), naming them.

    Examples
    --------
    >>> import os, tempfile
    >>> import tinytorch as tt
    >>> _ = tt.manual_seed(0)
    >>> trained = tt.Linear(3, 2)
    >>> path = tt.save(trained, os.path.join(tempfile.mkdtemp(), "linear"))
    >>> restored = tt.load(tt.Linear(3, 2), path)       # a fresh layer, given the saved weights
    >>> bool((restored.weight.data == trained.weight.data).all())
    True
    >>> tt.load(tt.Linear(4, 2), path)
    Traceback (most recent call last):
        ...
    ValueError: load: shapes differ: weight is (3, 2) in the file but (4, 2) in the module
    """
    with np.load(os.fspath(path)) as archive:
        state = {name: archive[name] for name in archive.files}
    expected = {name: _array(value).shape for name, value in module.state_dict().items()}
    missing, unexpected = sorted(set(expected) - set(state)), sorted(set(state) - set(expected))
    if missing or unexpected:
        raise ValueError(f"load: {os.fspath(path)} does not match {type(module).__name__}: "
                         f"missing {missing}, unexpected {unexpected}")
    wrong = {n: (state[n].shape, expected[n]) for n in expected if state[n].shape != expected[n]}
    if wrong:
        detail = ", ".join(f"{n} is {got} in the file but {want} in the module"
                           for n, (got, want) in wrong.items())
        raise ValueError(f"load: shapes differ: {detail}")
    module.load_state_dict(state)
    return module
