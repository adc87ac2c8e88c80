"""Indexing and selection: ``getitem``, ``masked_fill``, ``where``, ``concatenate`` (``cat``), ``stack``.

Each gradient routes the output's gradient back to the entries that were picked (adding up where
an index repeats); part of the primitives of :mod:`tinytorch.core.ops`.
"""
from __future__ import annotations

import numpy as np

from .tensor import Tensor, _alias, _tensor, result_dtype


_BASIC = (int, np.integer, slice, type(None), type(Ellipsis))


def _index_arrays(index):
    """Replace Tensors in an index by their arrays; say whether it can select a position twice.

    Only integers, slices, None, ``...`` and boolean masks select each position at most once;
    anything else (a list, an integer array or Tensor, a tuple inside the index) is advanced
    indexing, where a position may repeat and its gradients must add up.
    """
    items = index if isinstance(index, tuple) else (index,)
    items = tuple(i.data if isinstance(i, Tensor) else i for i in items)
    repeats = not all(
        isinstance(i, _BASIC) or (isinstance(i, np.ndarray) and i.dtype == np.bool_) for i in items
    )
    return (items if isinstance(index, tuple) else items[0]), repeats


def getitem(a: Tensor, index) -> Tensor:
    """``a[index]`` with slices, integers, boolean masks and integer arrays.

    Parameters
    ----------
    a : Tensor
        The input.
    index : int, slice, array_like, Tensor or tuple of these
        A NumPy index; Tensors in it are replaced by their arrays.

    Returns
    -------
    Tensor
        The selected entries. The gradient is scattered back to the selected positions; an
        entry selected several times (by a list, an integer array or Tensor, or a tuple inside
        the index) receives the sum of its gradients.

    Raises
    ------
    IndexError
        If the index is out of range, naming the tensor's shape.

    Shape
    -----
    As NumPy indexing gives for ``a.data[index]``.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch import Tensor
    >>> x = Tensor([10.0, 20.0, 30.0], requires_grad=True)
    >>> x[np.array([0, 2, 0])]
    Tensor([10., 30., 10.], grad_fn=getitem)
    >>> x[np.array([0, 2, 0])].sum().backward(); x.grad    # x[0] was picked twice: gradient 2
    array([2., 0., 1.], dtype=float32)
    >>> x.grad = None; x[(0, 0),].sum().backward(); x.grad  # a tuple inside the index: the same
    array([2., 0., 0.], dtype=float32)
    """
    index, repeats = _index_arrays(index)
    try:
        out = a.data[index]
    except IndexError as error:
        raise IndexError(f"index: {error} (tensor shape {a.shape})") from None
    def backward(grad):
        full = np.zeros_like(a.data, dtype=grad.dtype)
        if repeats:  # a position selected twice gets both gradients
            np.add.at(full, index, grad)
        else:
            full[index] = grad
        return (full,)
    return Tensor._from_op(out, (a,), backward, "getitem")


def _bool_mask(op: str, mask, shape: tuple) -> np.ndarray:
    mask = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if mask.dtype != np.bool_:
        raise TypeError(f"{op}: mask must be boolean, got dtype {mask.dtype}")
    if not _broadcasts(mask.shape, shape) or np.broadcast_shapes(mask.shape, shape) != shape:
        raise ValueError(f"{op}: mask of shape {mask.shape} does not broadcast to the tensor's shape {shape}")
    return mask


def _broadcasts(*shapes) -> bool:
    try:
        np.broadcast_shapes(*shapes)
        return True
    except ValueError:
        return False


def masked_fill(a: Tensor, mask, value) -> Tensor:
    """Replace the entries where ``mask`` is True by ``value`` (``mask`` broadcasts to ``a``).

    Parameters
    ----------
    a : Tensor
        The input.
    mask : array_like of bool or Tensor
        True where ``a`` is replaced (PyTorch's convention).
    value : float or 0-d Tensor
        The fill value, e.g. ``-inf`` for attention scores that must get no weight. A 0-d tensor
        that requires grad receives the sum of the gradient over the masked entries (PyTorch).

    Returns
    -------
    Tensor
        ``a`` with the masked entries replaced; they pass no gradient back to ``a``.

    Raises
    ------
    TypeError
        If ``mask`` is not boolean.
    ValueError
        If ``mask`` does not broadcast to ``a``'s shape.

    Shape
    -----
    a (...); mask broadcasts to a's shape; the output has a's shape.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch import Tensor
    >>> x = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    >>> mask = np.array([[False, True, True], [False, False, True]])
    >>> x.masked_fill(mask, 0.0)                      # the True positions become 0
    Tensor([[1., 0., 0.],
            [4., 5., 0.]], grad_fn=masked_fill)
    >>> x.masked_fill(mask, 0.0).sum().backward(); x.grad   # replaced entries get no gradient
    array([[1., 0., 0.],
           [1., 1., 0.]], dtype=float32)
    """
    mask = _bool_mask("masked_fill", mask, a.shape)
    if isinstance(value, Tensor):  # a 0-d tensor value gets its gradient, as in PyTorch
        if value.ndim != 0:
            raise ValueError(f"masked_fill: value must be a number or a 0-d tensor, got shape {value.shape}")
        def backward(grad):  # d/d(value) = the upstream gradient summed where the mask is True
            return np.where(mask, 0, grad), np.where(mask, grad, 0).sum()
        return Tensor._from_op(np.where(mask, value.data.astype(a.dtype), a.data), (a, value),
                               backward, "masked_fill")
    def backward(grad):
        return (np.where(mask, 0, grad),)
    return Tensor._from_op(np.where(mask, np.asarray(value, a.dtype), a.data), (a,), backward, "masked_fill")


def where(condition, a, b) -> Tensor:
    """Take ``a`` where ``condition`` is True, else ``b`` (all three broadcast).

    Parameters
    ----------
    condition : array_like of bool or Tensor
        Where to take ``a``.
    a, b : Tensor or number
        The two sources; a Python number takes the dtype of a float tensor operand.

    Returns
    -------
    Tensor
        The chosen entries; the gradient goes to ``a`` where ``condition`` is True and to ``b``
        elsewhere.

    Raises
    ------
    TypeError
        If ``condition`` is not boolean.
    ValueError
        If the three shapes do not broadcast together.

    Shape
    -----
    condition, a and b broadcast together; the output has the broadcast shape.

    Examples
    --------
    >>> import tinytorch as tt
    >>> x = tt.Tensor([-1.0, 2.0, -3.0], requires_grad=True)
    >>> tt.where(x > 0, x, 0.0)                       # a ReLU: keep positives, else 0
    Tensor([0., 2., 0.], grad_fn=where)
    >>> tt.where(x > 0, x, 0.0).sum().backward(); x.grad   # gradient only where x was taken
    array([0., 1., 0.], dtype=float32)
    """
    a = a if isinstance(a, Tensor) or np.ndim(a) == 0 else Tensor(a)
    b = b if isinstance(b, Tensor) or np.ndim(b) == 0 else Tensor(b)
    dtype = result_dtype(a, b)
    a, b = _tensor(a, dtype), _tensor(b, dtype)
    condition = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if condition.dtype != np.bool_:
        raise TypeError(f"where: condition must be boolean, got dtype {condition.dtype}")
    if not _broadcasts(condition.shape, a.shape, b.shape):
        raise ValueError(f"where: shapes {condition.shape}, {a.shape} and {b.shape} cannot be broadcast together")
    def backward(grad):
        return np.where(condition, grad, 0), np.where(condition, 0, grad)
    out = np.where(condition, a.data, b.data).astype(dtype, copy=False)
    return Tensor._from_op(out, (a, b), backward, "where")


def concatenate(tensors, axis: int = 0, *, dim=None) -> Tensor:
    """Join tensors along an existing axis; ``cat(tensors, dim)`` is the same function.

    Parameters
    ----------
    tensors : sequence of Tensor or array_like
        The pieces, with equal lengths on every axis except ``axis``.
    axis : int, default 0
        The axis to join along (``dim`` is PyTorch's name for it; give one).

    Returns
    -------
    Tensor
        The joined tensor; its gradient is split back into the pieces.

    Raises
    ------
    ValueError
        If the shapes cannot be joined along ``axis``, naming them.

    Shape
    -----
    Pieces (..., n_i, ...) with n_i on ``axis`` -> (..., sum of n_i, ...).

    Examples
    --------
    >>> import tinytorch as tt
    >>> a, b = tt.Tensor([[1.0, 2.0]]), tt.Tensor([[3.0, 4.0], [5.0, 6.0]])
    >>> tt.concatenate([a, b], axis=0)                # (1, 2) and (2, 2) -> (3, 2)
    Tensor([[1., 2.],
            [3., 4.],
            [5., 6.]])
    >>> tt.cat([b, b], dim=1).shape                   # (2, 2) and (2, 2) -> (2, 4)
    (2, 4)
    """
    axis = _alias("concatenate", "axis", None if axis == 0 else axis, "dim", dim, 0)
    tensors = tuple(_tensor(t) for t in tensors)
    dtype = result_dtype(*tensors) if tensors else None
    try:
        out = np.concatenate([t.data for t in tensors], axis=axis, dtype=dtype)
    except (ValueError, np.exceptions.AxisError):
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ValueError(f"concatenate: shapes {shapes} cannot be joined along axis {axis}") from None
    splits = np.cumsum([t.shape[axis] for t in tensors])[:-1]
    def backward(grad):
        return tuple(np.split(grad, splits, axis=axis))
    return Tensor._from_op(out, tensors, backward, "concatenate")


def stack(tensors, axis: int = 0, *, dim=None) -> Tensor:
    """Join tensors of one shape along a new axis.

    Parameters
    ----------
    tensors : sequence of Tensor or array_like
        K pieces, all of the same shape.
    axis : int, default 0
        Position of the new axis in the output (``dim`` is PyTorch's name for it; give one).

    Returns
    -------
    Tensor
        The stacked tensor; piece ``i`` is its slice ``i`` along ``axis``.

    Raises
    ------
    ValueError
        If the shapes differ or ``axis`` is out of range, naming the shapes.

    Shape
    -----
    K pieces (...) -> (K, ...) for axis 0, the new axis of length K at ``axis`` in general.

    Examples
    --------
    >>> import tinytorch as tt
    >>> a, b = tt.Tensor([1.0, 2.0, 3.0]), tt.Tensor([4.0, 5.0, 6.0])
    >>> tt.stack([a, b])                              # two (3,) -> (2, 3)
    Tensor([[1., 2., 3.],
            [4., 5., 6.]])
    >>> tt.stack([a, b], axis=1).shape                # rows are the pairs (a[i], b[i])
    (3, 2)
    """
    axis = _alias("stack", "axis", None if axis == 0 else axis, "dim", dim, 0)
    tensors = tuple(_tensor(t) for t in tensors)
    dtype = result_dtype(*tensors) if tensors else None
    try:
        out = np.stack([t.data for t in tensors], axis=axis, dtype=dtype)
    except (ValueError, np.exceptions.AxisError):
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ValueError(f"stack: shapes {shapes} cannot be stacked along axis {axis}") from None
    def backward(grad):
        return tuple(np.moveaxis(grad, axis, 0))
    return Tensor._from_op(out, tensors, backward, "stack")


def cat(tensors, dim: int = 0) -> Tensor:
    """PyTorch's name for :func:`concatenate`: join tensors along the existing axis ``dim``.

    Examples
    --------
    >>> import tinytorch as tt
    >>> tt.cat([tt.Tensor([1.0]), tt.Tensor([2.0, 3.0])])
    Tensor([1., 2., 3.])
    """
    return concatenate(tensors, dim)
