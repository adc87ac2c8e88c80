"""Data sets and mini-batches: ``Dataset``, ``TensorDataset``, ``Subset``, ``DataLoader``, ``random_split``.

A batch is gathered with one fancy-indexing call per array: ``DataLoader`` asks the data set for all
of a batch's indices at once through ``__getitems__`` (as PyTorch does), and ``TensorDataset``
answers with ``array[indices]``. A data set that only defines ``__getitem__`` still works; its items
are then fetched one by one and stacked.
"""
import numbers

import numpy as np

from tinytorch.core import random as _random
from tinytorch.core.tensor import Tensor

__all__ = ["Dataset", "TensorDataset", "Subset", "DataLoader", "random_split"]


def _as_array(value):
    return value.data if isinstance(value, Tensor) else np.asarray(value)


def _generator(seed):
    """A ``np.random.Generator`` from an int seed or a generator; ``None`` -> tinytorch's global one."""
    if seed is None:
        return _random.default_rng()
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


class Dataset:
    """Base class of an indexable collection of samples.

    Subclasses define ``__len__`` and ``__getitem__(index)``, returning one sample as a tuple of
    arrays or Tensors (for example ``(features, label)``). They may also define
    ``__getitems__(indices)`` returning the whole batch at once, one stacked array per field; the
    default fetches the items one by one and stacks them.

    Shape
    -----
    A sample's field of shape (...) becomes a batch field of shape (B, ...), B = batch size.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch.core.dataloader import DataLoader, Dataset
    >>> class Squares(Dataset):                       # sample i is (i, i**2)
    ...     def __len__(self):
    ...         return 5
    ...     def __getitem__(self, index):
    ...         return np.float32(index), np.int64(index ** 2)
    >>> [y.numpy().tolist() for x, y in DataLoader(Squares(), batch_size=2)]   # items stacked
    [[0, 1], [4, 9], [16]]
    """

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __getitems__(self, indices):
        items = [self[int(i)] for i in indices]
        fields = [item if isinstance(item, tuple) else (item,) for item in items]
        return tuple(np.stack([_as_array(f[k]) for f in fields]) for k in range(len(fields[0])))


class TensorDataset(Dataset):
    """Samples are rows of equally long arrays: sample ``i`` is ``(a[i], b[i], ...)``.

    Parameters
    ----------
    *arrays : ndarray, Tensor or array-like
        One or more arrays sharing their first dimension N, e.g. features and labels.

    Shape
    -----
    - each array: (N, ...), N = number of samples.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch.core.dataloader import TensorDataset
    >>> data = TensorDataset(np.zeros((5, 3)), np.arange(5))
    >>> len(data), [t.shape for t in data[np.array([0, 2])]]
    (5, [(2, 3), (2,)])
    """

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("TensorDataset: needs at least one array")
        self.arrays = tuple(_as_array(a) for a in arrays)
        if any(a.ndim == 0 for a in self.arrays):
            shapes = [a.shape for a in self.arrays]
            raise ValueError("TensorDataset: every array needs a first (sample) dimension; "
                             f"got shapes {shapes}")
        lengths = [len(a) for a in self.arrays]
        if len(set(lengths)) > 1:
            raise ValueError(f"TensorDataset: arrays have different lengths {tuple(lengths)}; "
                             "all need the same first dimension")

    def __len__(self):
        return len(self.arrays[0])

    def __getitem__(self, index):
        """Sample(s) at ``index`` (an int, a slice or an index array) as a tuple of Tensors."""
        return tuple(Tensor(a[index]) for a in self.arrays)

    def __getitems__(self, indices):
        return tuple(a[indices] for a in self.arrays)


class Subset(Dataset):
    """The samples of ``dataset`` at positions ``indices``, in that order.

    Parameters
    ----------
    dataset : Dataset
        The full data set.
    indices : sequence of int
        Positions in ``dataset``.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch.core.dataloader import Subset, TensorDataset
    >>> evens = Subset(TensorDataset(np.arange(10) * 10), [0, 2, 4])
    >>> len(evens), evens[1][0].item()
    (3, 20)
    """

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64)

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, index):
        return self.dataset[self.indices[index]]

    def __getitems__(self, indices):
        return _gather(self.dataset, self.indices[indices])


def _gather(dataset, indices):
    if hasattr(dataset, "__getitems__"):
        return dataset.__getitems__(indices)
    return Dataset.__getitems__(dataset, indices)


class DataLoader:
    """Iterate over a data set in mini-batches, optionally shuffled.

    Parameters
    ----------
    dataset : Dataset
        Anything with ``__len__`` and ``__getitem__`` (``__getitems__`` makes batching vectorised).
    batch_size : int, default 32
        Samples per batch; the last batch is smaller when ``batch_size`` does not divide N.
    shuffle : bool, default False
        Visit the samples in a new random order every epoch (every sample exactly once per epoch).
    seed : int or numpy.random.Generator, optional
        Seeds the loader's own generator once, so a given seed reproduces the whole sequence of
        epochs. ``None`` draws from tinytorch's global generator (``tt.manual_seed``).
    drop_last : bool, default False
        Skip the last batch when it is smaller than ``batch_size``.

    Yields
    ------
    tuple of Tensor
        One Tensor per field of the data set, each of shape (B, ...), B = batch size.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch.core.dataloader import DataLoader, TensorDataset
    >>> loader = DataLoader(TensorDataset(np.arange(10.0), np.arange(10)), batch_size=4)
    >>> len(loader), [y.numpy().tolist() for x, y in loader]
    (3, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
    >>> shuffled = DataLoader(TensorDataset(np.arange(6)), batch_size=6, shuffle=True, seed=0)
    >>> sorted(next(iter(shuffled))[0].numpy().tolist())
    [0, 1, 2, 3, 4, 5]
    """

    def __init__(self, dataset, batch_size=32, shuffle=False, seed=None, drop_last=False):
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive integer, got {batch_size!r}")
        self.dataset, self.batch_size = dataset, int(batch_size)
        self.shuffle, self.drop_last = bool(shuffle), bool(drop_last)
        self._rng = None if seed is None else _generator(seed)

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        order = (self._rng or _random.default_rng()).permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            fields = _gather(self.dataset, order[start:start + self.batch_size])
            yield tuple(Tensor(field) for field in fields)


def random_split(dataset, fractions, seed=None):
    """Split a data set into disjoint random subsets.

    Parameters
    ----------
    dataset : Dataset
        The data set to split (N samples).
    fractions : sequence of float or sequence of int
        Fractions summing to 1 (lengths ``floor(f * N)``, the leftover samples going one each to the
        first parts), or integer lengths summing to N.
    seed : int or numpy.random.Generator, optional
        Seed of the shuffle; ``None`` uses tinytorch's global generator.

    Returns
    -------
    list of Subset
        One per fraction; together they hold every sample exactly once.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch.core.dataloader import TensorDataset, random_split
    >>> train, val = random_split(TensorDataset(np.arange(10)), [0.8, 0.2], seed=0)
    >>> len(train), len(val), sorted(np.concatenate([train.indices, val.indices]).tolist()) == list(range(10))
    (8, 2, True)
    """
    n, values = len(dataset), list(fractions)
    if not values or any(isinstance(v, bool) or not isinstance(v, numbers.Real) or v < 0 for v in values):
        raise ValueError(f"random_split: fractions must be non-negative numbers, got {fractions!r}")
    integers = all(isinstance(v, numbers.Integral) for v in values)
    if integers and sum(values) == n:
        lengths = np.array(values, dtype=np.int64)
    elif np.isclose(sum(values), 1.0, rtol=0, atol=1e-6):
        shares = np.array(values, dtype=float) / sum(values)
        lengths = np.floor(shares * n).astype(np.int64)
        lengths[: n - lengths.sum()] += 1          # hand out the rounding leftovers, one each
    elif integers:
        raise ValueError(f"random_split: lengths {tuple(values)} sum to {sum(values)}, "
                         f"but the dataset has {n} samples")
    else:
        raise ValueError(f"random_split: fractions {tuple(values)} sum to {sum(values):g}, not 1")
    order = _generator(seed).permutation(n)
    bounds = np.cumsum(lengths)[:-1]
    return [Subset(dataset, part) for part in np.split(order, bounds)]
