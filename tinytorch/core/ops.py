"""Primitive tensor operations, each with its gradient right above its ``return``.

Every function takes tensors (or numbers, for the second operand of arithmetic), computes the forward
result with NumPy and hands :meth:`Tensor._from_op` a ``backward(grad)`` that returns one gradient per
input. The engine in :mod:`tinytorch.core.tensor` sums gradients over broadcast axes, so ops never
unbroadcast themselves. They are also available as operators and methods of :class:`Tensor`.
"""
from __future__ import annotations

import numpy as np

from numpy.lib.array_utils import normalize_axis_index

from .tensor import Tensor


def _tensor(x, like: Tensor | None = None) -> Tensor:
    """Wrap ``x``; a Python number takes the dtype of ``like`` (so float32 stays float32)."""
    if isinstance(x, Tensor):
        return x
    if like is not None and isinstance(x, (int, float, bool)) and like.dtype.kind == "f":
        return Tensor(np.asarray(x, dtype=like.dtype))
    return Tensor(x)


def _broadcast_error(op: str, a: Tensor, b: Tensor) -> ValueError:
    return ValueError(f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast together")


def _binary(op: str, a, b, compute, backward_for):
    a, b = _tensor(a, b if isinstance(b, Tensor) else None), _tensor(b, a if isinstance(a, Tensor) else None)
    try:
        out = compute(a.data, b.data)
    except ValueError:
        raise _broadcast_error(op, a, b) from None
    return Tensor._from_op(out, (a, b), backward_for(a, b), op)


# ---------------------------------------------------------------- arithmetic
def add(a, b) -> Tensor:
    """Elementwise ``a + b`` with broadcasting."""
    def backward_for(a, b):
        def backward(grad):  # d(a+b)/da = d(a+b)/db = 1
            return grad, grad
        return backward
    return _binary("add", a, b, np.add, backward_for)


def sub(a, b) -> Tensor:
    """Elementwise ``a - b`` with broadcasting."""
    def backward_for(a, b):
        def backward(grad):
            return grad, -grad
        return backward
    return _binary("sub", a, b, np.subtract, backward_for)


def mul(a, b) -> Tensor:
    """Elementwise ``a * b`` with broadcasting."""
    def backward_for(a, b):
        def backward(grad):  # d(ab)/da = b, d(ab)/db = a
            return grad * b.data, grad * a.data
        return backward
    return _binary("mul", a, b, np.multiply, backward_for)


def div(a, b) -> Tensor:
    """Elementwise ``a / b`` with broadcasting."""
    def backward_for(a, b):
        def backward(grad):  # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
            grad_a = grad / b.data
            return grad_a, -grad_a * a.data / b.data
        return backward
    return _binary("div", a, b, np.divide, backward_for)


def neg(a: Tensor) -> Tensor:
    """Elementwise ``-a``."""
    def backward(grad):
        return (-grad,)
    return Tensor._from_op(-a.data, (a,), backward, "neg")


def power(a: Tensor, exponent) -> Tensor:
    """Elementwise ``a ** exponent`` for a number ``exponent``."""
    if isinstance(exponent, Tensor) or np.ndim(exponent) != 0:
        raise TypeError("pow: the exponent must be a number; use exp(log(a) * b) for tensor exponents")
    def backward(grad):  # d(a^p)/da = p a^(p-1)
        return (grad * exponent * a.data ** (exponent - 1),)
    return Tensor._from_op(a.data ** exponent, (a,), backward, "pow")


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """Matrix product ``a @ b``; leading (batch) axes broadcast as in NumPy.

    Shape: (..., n, k) @ (..., k, m) -> (..., n, m); 1-D operands act as a row / column vector.
    """
    a, b = _tensor(a), _tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: operands must have at least 1 dimension, got {a.shape} @ {b.shape}")
    inner_b = b.shape[-2] if b.ndim >= 2 else b.shape[0]
    if a.shape[-1] != inner_b:
        raise ValueError(f"matmul: {a.shape} @ {b.shape}: inner dimensions {a.shape[-1]} and {inner_b} differ")
    try:
        out = np.matmul(a.data, b.data)
    except ValueError:
        raise ValueError(f"matmul: {a.shape} @ {b.shape}: batch dimensions cannot be broadcast") from None
    def backward(grad):  # dA = G B^T, dB = A^T G
        if a.ndim == 1 and b.ndim == 1:
            return grad * b.data, grad * a.data
        a2 = a.data[None, :] if a.ndim == 1 else a.data
        b2 = b.data[:, None] if b.ndim == 1 else b.data
        g2 = grad[..., None, :] if a.ndim == 1 else grad
        g2 = g2[..., None] if b.ndim == 1 else g2
        grad_a = grad_b = None  # skipped when not needed: often half the cost (the input x of x @ W)
        if a.requires_grad:
            grad_a = g2 @ np.swapaxes(b2, -1, -2)
            grad_a = grad_a[..., 0, :] if a.ndim == 1 else grad_a
        if b.requires_grad and b2.ndim == 2 and a2.ndim > 2:  # weights shared over the batch: one 2-D matmul
            grad_b = a2.reshape(-1, a2.shape[-1]).T @ g2.reshape(-1, g2.shape[-1])
        elif b.requires_grad:
            grad_b = np.swapaxes(a2, -1, -2) @ g2
        grad_b = grad_b[..., 0] if b.ndim == 1 and grad_b is not None else grad_b
        return grad_a, grad_b
    return Tensor._from_op(out, (a, b), backward, "matmul")


# ---------------------------------------------------------------- elementwise functions
def exp(a: Tensor) -> Tensor:
    """Elementwise :math:`e^a`."""
    out = np.exp(a.data)
    def backward(grad):
        return (grad * out,)
    return Tensor._from_op(out, (a,), backward, "exp")


def log(a: Tensor) -> Tensor:
    """Elementwise natural logarithm (``-inf`` at 0, NaN below, as in NumPy)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(a.data)
    def backward(grad):
        return (grad / a.data,)
    return Tensor._from_op(out, (a,), backward, "log")


def sqrt(a: Tensor) -> Tensor:
    """Elementwise square root."""
    with np.errstate(invalid="ignore"):
        out = np.sqrt(a.data)
    def backward(grad):
        return (grad * 0.5 / out,)
    return Tensor._from_op(out, (a,), backward, "sqrt")


def absolute(a: Tensor) -> Tensor:
    """Elementwise ``|a|`` (gradient 0 at 0, as in PyTorch)."""
    def backward(grad):
        return (grad * np.sign(a.data),)
    return Tensor._from_op(np.abs(a.data), (a,), backward, "abs")


def clip(a: Tensor, min=None, max=None) -> Tensor:
    """Limit values to ``[min, max]``; the gradient is 0 where a value was clipped."""
    if min is None and max is None:
        raise ValueError("clip: give min, max or both")
    out = np.clip(a.data, min, max)
    def backward(grad):
        inside = np.ones(a.shape, dtype=bool)
        if min is not None:
            inside &= a.data >= min
        if max is not None:
            inside &= a.data <= max
        return (grad * inside,)
    return Tensor._from_op(out, (a,), backward, "clip")


# ---------------------------------------------------------------- reductions
def _axes(op: str, a: Tensor, axis) -> tuple:
    axes = range(a.ndim) if axis is None else (axis,) if np.ndim(axis) == 0 else axis
    try:
        return tuple(sorted(int(normalize_axis_index(x, a.ndim)) for x in axes))
    except (np.exceptions.AxisError, TypeError):
        raise ValueError(f"{op}: axis {axis} is out of range for a tensor of shape {a.shape}") from None


def _expand(grad: np.ndarray, axes: tuple, keepdims: bool) -> np.ndarray:
    return grad if keepdims else np.expand_dims(grad, axes)


def sum(a: Tensor, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001 (mirrors Tensor.sum)
    """Sum over ``axis`` (an int, a tuple, or None for all axes)."""
    axes = _axes("sum", a, axis)
    def backward(grad):
        return (np.broadcast_to(_expand(grad, axes, keepdims), a.shape),)
    return Tensor._from_op(np.sum(a.data, axis=axes, keepdims=keepdims), (a,), backward, "sum")


def mean(a: Tensor, axis=None, keepdims: bool = False) -> Tensor:
    """Mean over ``axis`` (an int, a tuple, or None for all axes)."""
    axes = _axes("mean", a, axis)
    count = int(np.prod([a.shape[i] for i in axes]))
    def backward(grad):
        return (np.broadcast_to(_expand(grad, axes, keepdims) / count, a.shape),)
    return Tensor._from_op(np.mean(a.data, axis=axes, keepdims=keepdims), (a,), backward, "mean")


def max(a: Tensor, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Maximum over ``axis``; the gradient is shared equally between tied maxima."""
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
    """Index of the maximum (flattened when ``axis`` is None); not differentiable."""
    if axis is not None:
        _axes("argmax", a, axis)
    return Tensor(np.argmax(a.data, axis=axis))


# ---------------------------------------------------------------- shapes
def reshape(a: Tensor, *shape) -> Tensor:
    """The same values in a new shape (one entry may be -1)."""
    shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    try:
        out = a.data.reshape(shape)
    except ValueError:
        raise ValueError(f"reshape: cannot reshape {a.shape} ({a.size} elements) into {shape}") from None
    def backward(grad):
        return (grad.reshape(a.shape),)
    return Tensor._from_op(out, (a,), backward, "reshape")


def permute(a: Tensor, *axes) -> Tensor:
    """Reorder the axes: ``axes[i]`` is the input axis that becomes output axis ``i``."""
    axes = tuple(axes[0]) if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
    in_range = [int(x) % a.ndim for x in axes if -a.ndim <= x < a.ndim]
    if len(axes) != a.ndim or sorted(in_range) != list(range(a.ndim)):
        raise ValueError(f"permute: {axes} is not a permutation of the {a.ndim} axes of a tensor of shape {a.shape}")
    inverse = np.argsort(in_range)
    def backward(grad):
        return (np.transpose(grad, inverse),)
    return Tensor._from_op(np.transpose(a.data, axes), (a,), backward, "permute")


def transpose(a: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two axes, as ``torch.transpose`` does."""
    if not (-a.ndim <= dim0 < a.ndim and -a.ndim <= dim1 < a.ndim):
        raise ValueError(f"transpose: axes ({dim0}, {dim1}) out of range for a tensor of shape {a.shape}")
    def backward(grad):
        return (np.swapaxes(grad, dim0, dim1),)
    return Tensor._from_op(np.swapaxes(a.data, dim0, dim1), (a,), backward, "transpose")


def unsqueeze(a: Tensor, dim: int) -> Tensor:
    """Insert an axis of length 1 at ``dim``."""
    if not -a.ndim - 1 <= dim <= a.ndim:
        raise ValueError(f"unsqueeze: dim {dim} out of range for a tensor of shape {a.shape}")
    return reshape(a, np.expand_dims(a.data, dim).shape)


def squeeze(a: Tensor, dim=None) -> Tensor:
    """Remove axes of length 1 (only ``dim`` when given; a no-op if that axis is longer)."""
    if dim is None:
        return reshape(a, tuple(n for n in a.shape if n != 1))
    (axis,) = _axes("squeeze", a, dim)
    return a if a.shape[axis] != 1 else reshape(a, a.shape[:axis] + a.shape[axis + 1:])


# ---------------------------------------------------------------- indexing and selection
def _index_arrays(index):
    """Replace Tensors in an index by their arrays; say whether it holds integer arrays."""
    items = index if isinstance(index, tuple) else (index,)
    items = tuple(i.data if isinstance(i, Tensor) else i for i in items)
    advanced = any(isinstance(i, (list, np.ndarray)) and np.asarray(i).dtype.kind in "iu" for i in items)
    return (items if isinstance(index, tuple) else items[0]), advanced


def getitem(a: Tensor, index) -> Tensor:
    """``a[index]`` with slices, integers, boolean masks and integer arrays."""
    index, advanced = _index_arrays(index)
    try:
        out = a.data[index]
    except IndexError as error:
        raise IndexError(f"index: {error} (tensor shape {a.shape})") from None
    def backward(grad):
        full = np.zeros_like(a.data, dtype=grad.dtype)
        if advanced:  # repeated indices must add up
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
    """Replace the entries where ``mask`` is True by ``value`` (``mask`` broadcasts to ``a``)."""
    mask = _bool_mask("masked_fill", mask, a.shape)
    def backward(grad):
        return (np.where(mask, 0, grad),)
    return Tensor._from_op(np.where(mask, np.asarray(value, a.dtype), a.data), (a,), backward, "masked_fill")


def where(condition, a, b) -> Tensor:
    """Take ``a`` where ``condition`` is True, else ``b`` (all three broadcast)."""
    a = _tensor(a, b if isinstance(b, Tensor) else None)
    b = _tensor(b, a)
    condition = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if condition.dtype != np.bool_:
        raise TypeError(f"where: condition must be boolean, got dtype {condition.dtype}")
    if not _broadcasts(condition.shape, a.shape, b.shape):
        raise ValueError(f"where: shapes {condition.shape}, {a.shape} and {b.shape} cannot be broadcast together")
    def backward(grad):
        return np.where(condition, grad, 0), np.where(condition, 0, grad)
    return Tensor._from_op(np.where(condition, a.data, b.data), (a, b), backward, "where")


def concatenate(tensors, axis: int = 0) -> Tensor:
    """Join tensors along an existing axis."""
    tensors = tuple(_tensor(t) for t in tensors)
    try:
        out = np.concatenate([t.data for t in tensors], axis=axis)
    except (ValueError, np.exceptions.AxisError):
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ValueError(f"concatenate: shapes {shapes} cannot be joined along axis {axis}") from None
    splits = np.cumsum([t.shape[axis] for t in tensors])[:-1]
    def backward(grad):
        return tuple(np.split(grad, splits, axis=axis))
    return Tensor._from_op(out, tensors, backward, "concatenate")


def stack(tensors, axis: int = 0) -> Tensor:
    """Join tensors of one shape along a new axis."""
    tensors = tuple(_tensor(t) for t in tensors)
    try:
        out = np.stack([t.data for t in tensors], axis=axis)
    except (ValueError, np.exceptions.AxisError):
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ValueError(f"stack: shapes {shapes} cannot be stacked along axis {axis}") from None
    def backward(grad):
        return tuple(np.moveaxis(grad, axis, 0))
    return Tensor._from_op(out, tensors, backward, "stack")


def astype(a: Tensor, dtype) -> Tensor:
    """A copy with another dtype; differentiable between float types."""
    out = a.data.astype(dtype)
    if out.dtype.kind != "f":
        return Tensor(out)
    def backward(grad):
        return (grad.astype(a.dtype),)
    return Tensor._from_op(out, (a,), backward, "astype")


# ---------------------------------------------------------------- Tensor operators and methods
def _compare(name, compute):
    def method(self, other):
        other = other.data if isinstance(other, Tensor) else other
        try:
            return Tensor(compute(self.data, other))
        except ValueError:
            raise ValueError(f"{name}: shapes {self.shape} and {np.shape(other)} cannot be broadcast together") from None
    return method


def _attach() -> None:
    methods = {
        "__add__": add, "__radd__": lambda s, o: add(o, s), "__sub__": sub,
        "__rsub__": lambda s, o: sub(o, s), "__mul__": mul, "__rmul__": lambda s, o: mul(o, s),
        "__truediv__": div, "__rtruediv__": lambda s, o: div(o, s), "__neg__": neg,
        "__pow__": power, "__matmul__": matmul, "__rmatmul__": lambda s, o: matmul(o, s),
        "__getitem__": getitem, "sum": sum, "mean": mean, "max": max, "argmax": argmax,
        "exp": exp, "log": log, "sqrt": sqrt, "abs": absolute, "__abs__": absolute, "clip": clip,
        "reshape": reshape, "view": reshape, "transpose": transpose, "permute": permute,
        "unsqueeze": unsqueeze, "squeeze": squeeze, "masked_fill": masked_fill, "astype": astype,
        "__eq__": _compare("eq", np.equal), "__ne__": _compare("ne", np.not_equal),
        "__lt__": _compare("lt", np.less), "__le__": _compare("le", np.less_equal),
        "__gt__": _compare("gt", np.greater), "__ge__": _compare("ge", np.greater_equal),
    }
    for name, function in methods.items():
        setattr(Tensor, name, function)


_attach()
