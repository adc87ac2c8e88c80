"""Tensor factories with PyTorch's names: ``zeros``, ``ones``, ``full``, ``arange``, ``rand``, ``randn``,
``zeros_like``, ``ones_like``.

Sizes are given as separate ints or one tuple (``zeros(2, 3)`` or ``zeros((2, 3))``). The dtype
is float32 unless ``dtype`` says otherwise (``full`` and ``arange`` take an integer dtype from
integer arguments, as PyTorch does). ``rand`` and ``randn`` draw from tinytorch's one generator
(:func:`~tinytorch.core.random.manual_seed` seeds it) unless given a ``generator``.
"""
from __future__ import annotations

import numpy as np

from .random import default_rng
from .tensor import Tensor, result_dtype


def _size(op: str, size: tuple) -> tuple:
    size = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    if not all(isinstance(n, (int, np.integer)) and n >= 0 for n in size):
        raise ValueError(f"{op}: sizes must be non-negative integers, got {size}")
    return tuple(int(n) for n in size)


def zeros(*size, dtype=np.float32, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of shape ``size``.

    Examples
    --------
    >>> import tinytorch as tt
    >>> tt.zeros(2, 3)
    Tensor([[0., 0., 0.],
            [0., 0., 0.]])
    """
    return Tensor(np.zeros(_size("zeros", size), dtype=dtype), requires_grad=requires_grad)


def ones(*size, dtype=np.float32, requires_grad: bool = False) -> Tensor:
    """A tensor of ones of shape ``size``.

    Examples
    --------
    >>> import tinytorch as tt
    >>> tt.ones((2,), requires_grad=True)
    Tensor([1., 1.], requires_grad=True)
    """
    return Tensor(np.ones(_size("ones", size), dtype=dtype), requires_grad=requires_grad)


def full(size, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value`` (its dtype: float32, int64 or bool by default).

    Examples
    --------
    >>> import tinytorch as tt
    >>> tt.full((2, 2), 7.0)
    Tensor([[7., 7.],
            [7., 7.]])
    >>> tt.full((3,), 1).dtype
    dtype('int64')
    """
    size = _size("full", (size,) if isinstance(size, (int, np.integer)) else tuple(size))
    dtype = result_dtype(fill_value) if dtype is None else dtype
    return Tensor(np.full(size, fill_value, dtype=dtype), requires_grad=requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False) -> Tensor:
    """Values from ``start`` (default 0) up to but not including ``end``, ``step`` apart.

    int64 when every argument is an integer, else float32 (unless ``dtype`` is given).

    Examples
    --------
    >>> import tinytorch as tt
    >>> tt.arange(4), tt.arange(0, 1, 0.25)
    (Tensor([0, 1, 2, 3]), Tensor([0.  , 0.25, 0.5 , 0.75]))
    """
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be non-zero")
    dtype = result_dtype(start, end, step) if dtype is None else dtype
    return Tensor(np.arange(start, end, step).astype(dtype), requires_grad=requires_grad)


def rand(*size, generator: np.random.Generator | None = None, dtype=np.float32,
         requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) of shape ``size``, from tinytorch's generator (or ``generator``).

    Examples
    --------
    >>> import tinytorch as tt
    >>> _ = tt.manual_seed(0); a = tt.rand(2, 3)
    >>> _ = tt.manual_seed(0); b = tt.rand(2, 3)
    >>> bool((a.numpy() == b.numpy()).all()), a.shape, a.dtype
    (True, (2, 3), dtype('float32'))
    """
    generator = default_rng() if generator is None else generator
    data = generator.random(_size("rand", size), dtype=np.float64).astype(dtype)
    return Tensor(data, requires_grad=requires_grad)


def randn(*size, generator: np.random.Generator | None = None, dtype=np.float32,
          requires_grad: bool = False) -> Tensor:
    """Standard normal samples of shape ``size``, from tinytorch's generator (or ``generator``).

    Examples
    --------
    >>> import tinytorch as tt
    >>> _ = tt.manual_seed(0)
    >>> x = tt.randn(10000)
    >>> abs(x.mean().item()) < 0.05, bool(abs(x.numpy().std() - 1) < 0.05)
    (True, True)
    """
    generator = default_rng() if generator is None else generator
    data = generator.standard_normal(_size("randn", size)).astype(dtype)
    return Tensor(data, requires_grad=requires_grad)


def zeros_like(tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    """Zeros with the shape (and, unless ``dtype`` is given, the dtype) of ``tensor``.

    Examples
    --------
    >>> import tinytorch as tt
    >>> tt.zeros_like(tt.Tensor([[1, 2]]))
    Tensor([[0, 0]])
    """
    data = tensor.data if isinstance(tensor, Tensor) else np.asarray(tensor)
    return Tensor(np.zeros_like(data, dtype=dtype), requires_grad=requires_grad)


def ones_like(tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    """Ones with the shape (and, unless ``dtype`` is given, the dtype) of ``tensor``.

    Examples
    --------
    >>> import tinytorch as tt
    >>> tt.ones_like(tt.Tensor([1.0, 2.0]))
    Tensor([1., 1.])
    """
    data = tensor.data if isinstance(tensor, Tensor) else np.asarray(tensor)
    return Tensor(np.ones_like(data, dtype=dtype), requires_grad=requires_grad)
