"""Reductions: ``sum``, ``mean``, ``max``, ``min`` (differentiable) and ``argmax``, ``argmin`` (not).

Each gradient spreads the output's gradient back over the reduced axes. The rules, said once:

* **Axes.** ``axis`` is an int, a tuple of ints or None (all axes); negative axes count from
  the end. PyTorch's spelling ``dim=`` is accepted too (give one of the two), as is
  ``keepdim=`` for ``keepdims=``. A 0-d tensor accepts axis 0 and -1, as in PyTorch.
* **Shape.** a (...) -> the same shape without the reduced axes, kept with length 1 when
  ``keepdims`` is True (so the result broadcasts against ``a``).
* **dtype.** ``mean`` of an integer tensor is float32; ``sum`` keeps integer types.
* **Ties** of ``max``/``min`` follow PyTorch: over one axis (``torch.max(x, dim)``) the whole
  gradient goes to the first extreme entry; over all axes or a tuple of axes (``torch.max(x)``,
  ``torch.amax``) it is shared equally between the tied entries. A NaN is the extreme of its
  row (NumPy and PyTorch propagate it) and takes the gradient.
"""
from __future__ import annotations

import numpy as np

from .tensor import Tensor, _alias, _axes, float_dtype


def _expand(grad: np.ndarray, axes: tuple, keepdims: bool) -> np.ndarray:
    return grad if keepdims else np.expand_dims(grad, axes)


def sum(a: Tensor, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:  # noqa: A001
    """Sum over ``axis``; every summed entry receives the output's gradient.

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> x = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    >>> x.sum(), x.sum(axis=0), x.sum(dim=0)
    (Tensor(21.), Tensor([5., 7., 9.]), Tensor([5., 7., 9.]))
    >>> x.sum(axis=1, keepdims=True)                  # (2, 1): broadcasts against x
    Tensor([[ 6.],
            [15.]])
    """
    axes = _axes("sum", a, _alias("sum", "axis", axis, "dim", dim))
    keepdims = _alias("sum", "keepdims", keepdims, "keepdim", keepdim)
    def backward(grad):
        return (np.broadcast_to(_expand(grad, axes, keepdims), a.shape),)
    return Tensor._from_op(np.sum(a.data, axis=axes, keepdims=keepdims), (a,), backward, "sum")


def mean(a: Tensor, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
    """Mean over ``axis``; each averaged entry receives the output's gradient divided by the count.

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> x = Tensor([[1.0, 2.0], [3.0, 6.0]], requires_grad=True)
    >>> x.mean(axis=1)
    Tensor([1.5, 4.5], grad_fn=mean)
    >>> x.mean().backward(); x.grad                   # each of the 4 entries gets 1/4
    array([[0.25, 0.25],
           [0.25, 0.25]], dtype=float32)
    >>> Tensor([1, 2]).mean()                         # integers: a float32 mean
    Tensor(1.5)
    """
    axes = _axes("mean", a, _alias("mean", "axis", axis, "dim", dim))
    keepdims = _alias("mean", "keepdims", keepdims, "keepdim", keepdim)
    count = int(np.prod([a.shape[i] for i in axes]))
    def backward(grad):
        return (np.broadcast_to(_expand(grad, axes, keepdims) / count, a.shape),)
    out = np.mean(a.data, axis=axes, keepdims=keepdims, dtype=float_dtype(a.dtype))
    return Tensor._from_op(out, (a,), backward, "mean")


def _extreme(op: str, pick, a: Tensor, axis, keepdims, dim, keepdim) -> Tensor:
    axis = _alias(op, "axis", axis, "dim", dim)
    keepdims = _alias(op, "keepdims", keepdims, "keepdim", keepdim)
    axes = _axes(op, a, axis)
    if a.size == 0:
        raise ValueError(f"{op}: empty tensor of shape {a.shape}")
    kept = pick(a.data, axis=axes, keepdims=True)
    def backward(grad):
        winners = a.data == kept
        if a.dtype.kind == "f" and np.isnan(kept).any():  # a NaN extreme: the NaNs win, as in PyTorch
            winners |= np.isnan(a.data) & np.isnan(kept)
        if np.ndim(axis) == 0 and axis is not None and a.ndim:  # one axis: the first winner takes all
            first = np.expand_dims(np.argmax(winners, axis=axes[0]), axes[0])
            winners = np.zeros_like(winners)
            np.put_along_axis(winners, first, True, axis=axes[0])
            return (_expand(grad, axes, keepdims) * winners,)
        return (_expand(grad, axes, keepdims) * winners / winners.sum(axis=axes, keepdims=True),)
    out = kept if keepdims else np.squeeze(kept, axis=axes)
    return Tensor._from_op(out, (a,), backward, op)


def max(a: Tensor, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:  # noqa: A001
    """Maximum over ``axis`` (the values; ``argmax`` gives the positions); ties as in the module docstring.

    Raises
    ------
    ValueError
        If an axis is out of range or ``a`` is empty.

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> x = Tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]], requires_grad=True)
    >>> x.max(axis=1)
    Tensor([3., 2.], grad_fn=max)
    >>> x.max(axis=1).sum().backward(); x.grad        # row 0's tie: the first 3 takes all
    array([[0., 1., 0.],
           [1., 0., 0.]], dtype=float32)
    >>> x.grad = None; x.max().backward(); x.grad     # over all axes: the tied 3s share
    array([[0. , 0.5, 0.5],
           [0. , 0. , 0. ]], dtype=float32)
    """
    return _extreme("max", np.max, a, axis, keepdims, dim, keepdim)


def min(a: Tensor, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:  # noqa: A001
    """Minimum over ``axis``; ties as :func:`max`.

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> x = Tensor([[1.0, 3.0], [2.0, 0.0]], requires_grad=True)
    >>> x.min(dim=1)
    Tensor([1., 0.], grad_fn=min)
    >>> x.min().backward(); x.grad
    array([[0., 0.],
           [0., 1.]], dtype=float32)
    """
    return _extreme("min", np.min, a, axis, keepdims, dim, keepdim)


def argmax(a: Tensor, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
    """Index of the maximum (of the flattened tensor when ``axis`` is None); int64, not differentiable.

    Where maxima tie, the first index.

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> x = Tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    >>> x.argmax(axis=1)                              # the column of each row's maximum
    Tensor([1, 0])
    >>> x.argmax()                                    # position in the flattened tensor
    Tensor(3)
    """
    return _arg("argmax", np.argmax, a, axis, keepdims, dim, keepdim)


def argmin(a: Tensor, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
    """Index of the minimum; as :func:`argmax`.

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> Tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]]).argmin(dim=1)
    Tensor([0, 1])
    """
    return _arg("argmin", np.argmin, a, axis, keepdims, dim, keepdim)


def _arg(op: str, pick, a: Tensor, axis, keepdims, dim, keepdim) -> Tensor:
    axis = _alias(op, "axis", axis, "dim", dim)
    keepdims = _alias(op, "keepdims", keepdims, "keepdim", keepdim)
    if axis is not None:
        axes = _axes(op, a, axis)
        if len(axes) > 1 or np.ndim(axis):
            raise ValueError(f"{op}: axis must be one int or None, got {axis}")
        if a.ndim == 0:
            return Tensor(np.int64(0))
        axis = axes[0]
    return Tensor(pick(a.data, axis=axis, keepdims=keepdims))
