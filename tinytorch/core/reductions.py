"""Reductions: ``sum``, ``mean``, ``max`` (differentiable) and ``argmax`` (not).

Each gradient spreads the output's gradient back over the reduced axes; part of the primitives of
:mod:`tinytorch.core.ops`, and available as :class:`~tinytorch.core.tensor.Tensor` methods.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from .tensor import Tensor


def _axes(op: str, a: Tensor, axis) -> tuple:
    axes = range(a.ndim) if axis is None else (axis,) if np.ndim(axis) == 0 else axis
    try:
        return tuple(sorted(int(normalize_axis_index(x, a.ndim)) for x in axes))
    except (np.exceptions.AxisError, TypeError):
        raise ValueError(f"{op}: axis {axis} is out of range for a tensor of shape {a.shape}") from None


def _expand(grad: np.ndarray, axes: tuple, keepdims: bool) -> np.ndarray:
    return grad if keepdims else np.expand_dims(grad, axes)


def sum(a: Tensor, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001 (mirrors Tensor.sum)
    """Sum over ``axis`` (an int, a tuple, or None for all axes).

    Parameters
    ----------
    a : Tensor
        The input.
    axis : int, tuple of int or None, default None
        The axes to reduce; None reduces all of them. Negative axes count from the end.
    keepdims : bool, default False
        Keep the reduced axes with length 1, so the result broadcasts against ``a``.

    Returns
    -------
    Tensor
        The sums; every summed entry receives the output's gradient.

    Raises
    ------
    ValueError
        If an axis is out of range.

    Shape
    -----
    a (...) -> the same shape without the reduced axes (kept as length 1 with ``keepdims``).

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> x = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    >>> x.sum(), x.sum(axis=0)
    (Tensor(21.), Tensor([5., 7., 9.]))
    >>> x.sum(axis=1, keepdims=True)                  # (2, 1): broadcasts against x
    Tensor([[ 6.],
            [15.]])
    """
    axes = _axes("sum", a, axis)
    def backward(grad):
        return (np.broadcast_to(_expand(grad, axes, keepdims), a.shape),)
    return Tensor._from_op(np.sum(a.data, axis=axes, keepdims=keepdims), (a,), backward, "sum")


def mean(a: Tensor, axis=None, keepdims: bool = False) -> Tensor:
    """Mean over ``axis`` (an int, a tuple, or None for all axes).

    Parameters
    ----------
    a : Tensor
        The input.
    axis : int, tuple of int or None, default None
        The axes to reduce; None reduces all of them. Negative axes count from the end.
    keepdims : bool, default False
        Keep the reduced axes with length 1, so the result broadcasts against ``a``.

    Returns
    -------
    Tensor
        The means; each averaged entry receives the output's gradient divided by the count.

    Raises
    ------
    ValueError
        If an axis is out of range.

    Shape
    -----
    a (...) -> the same shape without the reduced axes (kept as length 1 with ``keepdims``).

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> x = Tensor([[1.0, 2.0], [3.0, 6.0]], requires_grad=True)
    >>> x.mean(axis=1)
    Tensor([1.5, 4.5], grad_fn=mean)
    >>> x.mean().backward(); x.grad                   # each of the 4 entries gets 1/4
    array([[0.25, 0.25],
           [0.25, 0.25]], dtype=float32)
    """
    axes = _axes("mean", a, axis)
    count = int(np.prod([a.shape[i] for i in axes]))
    def backward(grad):
        return (np.broadcast_to(_expand(grad, axes, keepdims) / count, a.shape),)
    return Tensor._from_op(np.mean(a.data, axis=axes, keepdims=keepdims), (a,), backward, "mean")


def max(a: Tensor, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Maximum over ``axis``; the gradient is shared equally between tied maxima.

    Parameters
    ----------
    a : Tensor
        The input.
    axis : int, tuple of int or None, default None
        The axes to reduce; None reduces all of them. Negative axes count from the end.
    keepdims : bool, default False
        Keep the reduced axes with length 1, so the result broadcasts against ``a``.

    Returns
    -------
    Tensor
        The maxima; the gradient goes to the maximal entries only.

    Raises
    ------
    ValueError
        If an axis is out of range or ``a`` is empty.

    Shape
    -----
    a (...) -> the same shape without the reduced axes (kept as length 1 with ``keepdims``).

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> x = Tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]], requires_grad=True)
    >>> x.max(axis=1)
    Tensor([3., 2.], grad_fn=max)
    >>> x.max(axis=1).sum().backward(); x.grad        # the two tied 3s share row 0's gradient
    array([[0. , 0.5, 0.5],
           [1. , 0. , 0. ]], dtype=float32)
    """
    axes = _axes("max", a, axis)
    if a.size == 0:
        raise ValueError(f"max: empty tensor of shape {a.shape}")
    kept = np.max(a.data, axis=axes, keepdims=True)
    def backward(grad):
        winners = a.data == kept
        return (_expand(grad, axes, keepdims) * winners / winners.sum(axis=axes, keepdims=True),)
    out = kept if keepdims else np.squeeze(kept, axis=axes)
    return Tensor._from_op(out, (a,), backward, "max")


def argmax(a: Tensor, axis=None) -> Tensor:
    """Index of the maximum (flattened when ``axis`` is None); not differentiable.

    Parameters
    ----------
    a : Tensor
        The input.
    axis : int, optional
        The axis to search; None searches the flattened tensor.

    Returns
    -------
    Tensor
        int64 indices (the first one where maxima tie), outside the autograd graph.

    Raises
    ------
    ValueError
        If ``axis`` is out of range.

    Shape
    -----
    a (...) -> the shape without ``axis``; a 0-D tensor when ``axis`` is None.

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> x = Tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    >>> x.argmax(axis=1)                              # the column of each row's maximum
    Tensor([1, 0])
    >>> x.argmax()                                    # position in the flattened tensor
    Tensor(3)
    """
    if axis is not None:
        _axes("argmax", a, axis)
    return Tensor(np.argmax(a.data, axis=axis))
