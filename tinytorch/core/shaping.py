"""Shape operations: ``reshape``, ``permute``, ``transpose``, ``unsqueeze``, ``squeeze``, ``expand``.

They move values without changing them, so each gradient is the inverse move; part of the
primitives of :mod:`tinytorch.core.ops`, and available as :class:`~tinytorch.core.tensor.Tensor` methods.
"""
from __future__ import annotations

import numpy as np

from .tensor import Tensor, _axes


def reshape(a: Tensor, *shape) -> Tensor:
    """The same values in a new shape (one entry may be -1); ``t.view`` is the same method.

    Parameters
    ----------
    a : Tensor
        The input.
    *shape : int or a tuple of int
        The new shape, as separate ints or one tuple; a -1 entry is inferred from the size.

    Returns
    -------
    Tensor
        The values in row-major order, reshaped; the gradient is reshaped back.

    Raises
    ------
    ValueError
        If the number of elements differs.

    Shape
    -----
    a (...) -> ``shape``, with the same number of elements.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch import Tensor
    >>> x = Tensor(np.arange(6.0))
    >>> x.reshape(2, 3)
    Tensor([[0., 1., 2.],
            [3., 4., 5.]])
    >>> x.reshape(3, -1).shape                        # -1 is inferred: 6 / 3 = 2
    (3, 2)
    """
    shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    try:
        out = a.data.reshape(shape)
    except ValueError:
        raise ValueError(f"reshape: cannot reshape {a.shape} ({a.size} elements) into {shape}") from None
    def backward(grad):
        return (grad.reshape(a.shape),)
    return Tensor._from_op(out, (a,), backward, "reshape")


def permute(a: Tensor, *axes) -> Tensor:
    """Reorder the axes: ``axes[i]`` is the input axis that becomes output axis ``i``.

    Parameters
    ----------
    a : Tensor
        The input.
    *axes : int or a tuple of int
        A permutation of ``range(a.ndim)``, as separate ints or one tuple (negative axes allowed).

    Returns
    -------
    Tensor
        The same values with the axes reordered; the gradient is permuted back.

    Raises
    ------
    ValueError
        If ``axes`` is not a permutation of the tensor's axes.

    Shape
    -----
    a (d_0, ..., d_{n-1}) -> (d_axes[0], ..., d_axes[n-1]).

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch import Tensor
    >>> x = Tensor(np.arange(24.0).reshape(2, 3, 4))
    >>> y = x.permute(2, 0, 1)                        # output axes: input axes 2, 0, 1
    >>> y.shape, y[3, 1, 2].item() == x[1, 2, 3].item()
    ((4, 2, 3), True)
    """
    axes = tuple(axes[0]) if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
    in_range = [int(x) % a.ndim for x in axes if -a.ndim <= x < a.ndim]
    if len(axes) != a.ndim or sorted(in_range) != list(range(a.ndim)):
        raise ValueError(f"permute: {axes} is not a permutation of the {a.ndim} axes of a tensor of shape {a.shape}")
    inverse = np.argsort(in_range)
    def backward(grad):
        return (np.transpose(grad, inverse),)
    return Tensor._from_op(np.transpose(a.data, axes), (a,), backward, "permute")


def transpose(a: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two axes, as ``torch.transpose`` does.

    Parameters
    ----------
    a : Tensor
        The input.
    dim0, dim1 : int
        The two axes (negative values count from the end).

    Returns
    -------
    Tensor
        The same values with the two axes swapped; the gradient is swapped back.

    Raises
    ------
    ValueError
        If an axis is out of range.

    Shape
    -----
    a (...) -> the same shape with the lengths of ``dim0`` and ``dim1`` exchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch import Tensor
    >>> Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).transpose(0, 1)
    Tensor([[1., 4.],
            [2., 5.],
            [3., 6.]])
    >>> Tensor(np.zeros((2, 3, 4))).transpose(-1, -2).shape     # batched: swap the last two
    (2, 4, 3)
    """
    if a.ndim == 0 and dim0 in (0, -1) and dim1 in (0, -1):  # PyTorch accepts these on a 0-d tensor
        return reshape(a, ())
    if not (-a.ndim <= dim0 < a.ndim and -a.ndim <= dim1 < a.ndim):
        raise ValueError(f"transpose: axes ({dim0}, {dim1}) out of range for a tensor of shape {a.shape}")
    def backward(grad):
        return (np.swapaxes(grad, dim0, dim1),)
    return Tensor._from_op(np.swapaxes(a.data, dim0, dim1), (a,), backward, "transpose")


def unsqueeze(a: Tensor, dim: int) -> Tensor:
    """Insert an axis of length 1 at ``dim``.

    Parameters
    ----------
    a : Tensor
        The input.
    dim : int
        Position of the new axis in the output, in ``[-a.ndim - 1, a.ndim]``.

    Returns
    -------
    Tensor
        The same values with one more axis.

    Raises
    ------
    ValueError
        If ``dim`` is out of range.

    Shape
    -----
    a (...) with n axes -> n + 1 axes, the new one of length 1.

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> x = Tensor([1.0, 2.0, 4.0])
    >>> x.unsqueeze(0).shape, x.unsqueeze(1).shape
    ((1, 3), (3, 1))
    >>> x.unsqueeze(1) - x                            # (3, 1) - (3,): every pairwise difference
    Tensor([[ 0., -1., -3.],
            [ 1.,  0., -2.],
            [ 3.,  2.,  0.]])
    """
    if not -a.ndim - 1 <= dim <= a.ndim:
        raise ValueError(f"unsqueeze: dim {dim} out of range for a tensor of shape {a.shape}")
    return reshape(a, np.expand_dims(a.data, dim).shape)


def squeeze(a: Tensor, dim=None) -> Tensor:
    """Remove axes of length 1: all of them, or only those in ``dim`` that have length 1.

    Parameters
    ----------
    a : Tensor
        The input.
    dim : int, tuple of int, optional
        The axes to remove where their length is 1 (a longer axis is kept, as in PyTorch);
        None removes every axis of length 1. A 0-d tensor accepts 0 and -1.

    Returns
    -------
    Tensor
        The same values with fewer axes (``a`` itself when nothing is removed).

    Raises
    ------
    ValueError
        If an axis is out of range.

    Shape
    -----
    a (...) -> the same shape without the removed length-1 axes.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch import Tensor
    >>> x = Tensor(np.zeros((2, 1, 3, 1)))
    >>> x.squeeze().shape, x.squeeze(1).shape, x.squeeze(0).shape   # axis 0 has length 2: kept
    ((2, 3), (2, 3, 1), (2, 1, 3, 1))
    >>> x.squeeze((1, 3)).shape
    (2, 3)
    """
    axes = range(a.ndim) if dim is None else _axes("squeeze", a, dim)
    drop = [i for i in axes if a.shape[i] == 1]
    if not drop:
        return a
    return reshape(a, tuple(n for i, n in enumerate(a.shape) if i not in drop))


def expand(a: Tensor, *sizes) -> Tensor:
    """Broadcast ``a`` to a larger shape without copying, as ``torch.Tensor.expand``.

    The gradient of each entry of ``a`` is the sum over the copies it was broadcast to.

    Parameters
    ----------
    a : Tensor
        The input.
    *sizes : int or a tuple of int
        The new shape; -1 keeps that axis's length. New axes may be added in front.

    Returns
    -------
    Tensor
        A read-only broadcast view.

    Raises
    ------
    ValueError
        If ``a``'s shape does not broadcast to ``sizes``.

    Shape
    -----
    a (...) -> ``sizes``; an axis of ``a`` must have length 1 or the new length.

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> x = Tensor([[1.0], [2.0]], requires_grad=True)
    >>> x.expand(2, 3)
    Tensor([[1., 1., 1.],
            [2., 2., 2.]], grad_fn=expand)
    >>> x.expand(4, -1, 3).sum().backward(); x.grad   # each entry was copied 4 * 3 times
    array([[12.],
           [12.]], dtype=float32)
    """
    sizes = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
    lead = len(sizes) - a.ndim
    shape = tuple(a.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(sizes))
    try:
        out = np.broadcast_to(a.data, shape)
    except ValueError:
        raise ValueError(f"expand: a tensor of shape {a.shape} cannot be expanded to {sizes}") from None
    def backward(grad):  # the engine sums the gradient over the broadcast axes
        return (grad,)
    return Tensor._from_op(out, (a,), backward, "expand")
