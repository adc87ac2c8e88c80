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
    """Elementwise ``a + b`` with broadcasting (the ``+`` operator of :class:`Tensor`).

    Parameters
    ----------
    a, b : Tensor or number
        The operands. A Python number takes the dtype of a float tensor operand (float32 stays
        float32).

    Returns
    -------
    Tensor
        The sum; its gradient passes unchanged to both operands.

    Shape
    -----
    a and b broadcast together (NumPy rules); the output has the broadcast shape. Gradients are
    summed back over broadcast axes to each operand's shape.

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> a = Tensor([[1.0], [2.0]], requires_grad=True)
    >>> y = a + Tensor([10.0, 20.0, 30.0])      # (2, 1) + (3,) -> (2, 3)
    >>> y
    Tensor([[11., 21., 31.],
            [12., 22., 32.]], grad_fn=add)
    >>> y.sum().backward(); a.grad              # each entry of a was used 3 times
    array([[3.],
           [3.]], dtype=float32)
    """
    def backward_for(a, b):
        def backward(grad):  # d(a+b)/da = d(a+b)/db = 1
            return grad, grad
        return backward
    return _binary("add", a, b, np.add, backward_for)


def sub(a, b) -> Tensor:
    """Elementwise ``a - b`` with broadcasting (the ``-`` operator of :class:`Tensor`).

    Parameters
    ----------
    a, b : Tensor or number
        The operands. A Python number takes the dtype of a float tensor operand (float32 stays
        float32).

    Returns
    -------
    Tensor
        The difference; the gradient is ``grad`` for ``a`` and ``-grad`` for ``b``.

    Shape
    -----
    a and b broadcast together (NumPy rules); the output has the broadcast shape. Gradients are
    summed back over broadcast axes to each operand's shape.

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> a, b = Tensor([5.0, 7.0], requires_grad=True), Tensor([2.0, 3.0], requires_grad=True)
    >>> a - b
    Tensor([3., 4.], grad_fn=sub)
    >>> (a - b).sum().backward(); a.grad, b.grad
    (array([1., 1.], dtype=float32), array([-1., -1.], dtype=float32))
    """
    def backward_for(a, b):
        def backward(grad):
            return grad, -grad
        return backward
    return _binary("sub", a, b, np.subtract, backward_for)


def mul(a, b) -> Tensor:
    """Elementwise ``a * b`` with broadcasting (the ``*`` operator of :class:`Tensor`).

    Parameters
    ----------
    a, b : Tensor or number
        The operands. A Python number takes the dtype of a float tensor operand (float32 stays
        float32).

    Returns
    -------
    Tensor
        The product; each operand's gradient is ``grad`` times the other operand.

    Shape
    -----
    a and b broadcast together (NumPy rules); the output has the broadcast shape. Gradients are
    summed back over broadcast axes to each operand's shape.

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> a, b = Tensor([2.0, 3.0], requires_grad=True), Tensor([4.0, 5.0], requires_grad=True)
    >>> a * b
    Tensor([ 8., 15.], grad_fn=mul)
    >>> (a * b).sum().backward(); a.grad, b.grad      # d(ab)/da = b, d(ab)/db = a
    (array([4., 5.], dtype=float32), array([2., 3.], dtype=float32))
    """
    def backward_for(a, b):
        def backward(grad):  # d(ab)/da = b, d(ab)/db = a
            return grad * b.data, grad * a.data
        return backward
    return _binary("mul", a, b, np.multiply, backward_for)


def div(a, b) -> Tensor:
    """Elementwise ``a / b`` with broadcasting (the ``/`` operator of :class:`Tensor`).

    Parameters
    ----------
    a, b : Tensor or number
        The operands. A Python number takes the dtype of a float tensor operand (float32 stays
        float32).

    Returns
    -------
    Tensor
        The quotient; the gradients are ``grad / b`` and ``-grad * a / b**2``.

    Shape
    -----
    a and b broadcast together (NumPy rules); the output has the broadcast shape. Gradients are
    summed back over broadcast axes to each operand's shape.

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> a, b = Tensor([1.0, 6.0], requires_grad=True), Tensor([2.0, 4.0], requires_grad=True)
    >>> a / b
    Tensor([0.5, 1.5], grad_fn=div)
    >>> (a / b).sum().backward(); a.grad, b.grad      # 1/b and -a/b**2
    (array([0.5 , 0.25], dtype=float32), array([-0.25 , -0.375], dtype=float32))
    """
    def backward_for(a, b):
        def backward(grad):  # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
            grad_a = grad / b.data
            return grad_a, -grad_a * a.data / b.data
        return backward
    return _binary("div", a, b, np.divide, backward_for)


def neg(a: Tensor) -> Tensor:
    """Elementwise ``-a`` (the unary ``-`` of :class:`Tensor`).

    Parameters
    ----------
    a : Tensor
        The input.

    Returns
    -------
    Tensor
        The negated values; the gradient is ``-grad``.

    Shape
    -----
    Any; the output has the input's shape.

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> x = Tensor([1.0, -2.0], requires_grad=True)
    >>> -x
    Tensor([-1.,  2.], grad_fn=neg)
    >>> (-x).sum().backward(); x.grad
    array([-1., -1.], dtype=float32)
    """
    def backward(grad):
        return (-grad,)
    return Tensor._from_op(-a.data, (a,), backward, "neg")


def power(a: Tensor, exponent) -> Tensor:
    """Elementwise ``a ** exponent`` for a number ``exponent`` (the ``**`` operator of Tensor).

    Parameters
    ----------
    a : Tensor
        The base.
    exponent : int or float
        A number, not a tensor (for a tensor exponent use ``exp(log(a) * b)``).

    Returns
    -------
    Tensor
        The powers; the gradient is ``grad * exponent * a ** (exponent - 1)``.

    Raises
    ------
    TypeError
        If ``exponent`` is a Tensor or an array.

    Shape
    -----
    Any; the output has the input's shape.

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> x ** 2
    Tensor([1., 4., 9.], grad_fn=pow)
    >>> (x ** 2).sum().backward(); x.grad             # 2 x
    array([2., 4., 6.], dtype=float32)
    """
    if isinstance(exponent, Tensor) or np.ndim(exponent) != 0:
        raise TypeError("pow: the exponent must be a number; use exp(log(a) * b) for tensor exponents")
    def backward(grad):  # d(a^p)/da = p a^(p-1)
        return (grad * exponent * a.data ** (exponent - 1),)
    return Tensor._from_op(a.data ** exponent, (a,), backward, "pow")


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """Matrix product ``a @ b``; leading (batch) axes broadcast as in NumPy.

    Parameters
    ----------
    a, b : Tensor
        The factors, each with at least one dimension.

    Returns
    -------
    Tensor
        The product; the gradients are ``grad @ b.T`` and ``a.T @ grad`` (per batch item).

    Raises
    ------
    ValueError
        If an operand is 0-D, the inner dimensions differ or the batch axes do not broadcast.

    Shape
    -----
    a (..., n, k) @ b (..., k, m) -> (..., n, m), where n and m are the rows of a and the
    columns of b, k the shared inner size and ... the batch axes (broadcast). A 1-D a acts as a
    row vector (k,), a 1-D b as a column vector (k,); their axis is dropped from the result.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch import Tensor
    >>> Tensor([[1.0, 2.0], [3.0, 4.0]]) @ Tensor([[1.0], [1.0]])     # row sums
    Tensor([[3.],
            [7.]])
    >>> (Tensor(np.ones((5, 2, 3))) @ Tensor(np.ones((3, 4)))).shape   # one matrix for a batch of 5
    (5, 2, 4)
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
    """Elementwise :math:`e^a`.

    Parameters
    ----------
    a : Tensor
        The exponents.

    Returns
    -------
    Tensor
        :math:`e^a`; it is also the derivative, so the gradient is ``grad * e**a``.

    Shape
    -----
    Any; the output has the input's shape.

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> x = Tensor([0.0, 1.0], requires_grad=True)
    >>> x.exp()
    Tensor([1.    , 2.7183], grad_fn=exp)
    >>> x.exp().sum().backward(); x.grad              # the derivative of e^x is e^x
    array([1.      , 2.718282], dtype=float32)
    """
    out = np.exp(a.data)
    def backward(grad):
        return (grad * out,)
    return Tensor._from_op(out, (a,), backward, "exp")


def log(a: Tensor) -> Tensor:
    """Elementwise natural logarithm (``-inf`` at 0, NaN below, as in NumPy).

    Parameters
    ----------
    a : Tensor
        The input, positive for a finite result.

    Returns
    -------
    Tensor
        :math:`\\ln a`; the gradient is ``grad / a``.

    Shape
    -----
    Any; the output has the input's shape.

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> x = Tensor([1.0, 4.0, 0.5], requires_grad=True)
    >>> x.log()
    Tensor([ 0.    ,  1.3863, -0.6931], grad_fn=log)
    >>> x.log().sum().backward(); x.grad              # 1 / x
    array([1.  , 0.25, 2.  ], dtype=float32)
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(a.data)
    def backward(grad):
        return (grad / a.data,)
    return Tensor._from_op(out, (a,), backward, "log")


def sqrt(a: Tensor) -> Tensor:
    """Elementwise square root (NaN for negative entries, as in NumPy).

    Parameters
    ----------
    a : Tensor
        The input, non-negative for a real result.

    Returns
    -------
    Tensor
        :math:`\\sqrt{a}`; the gradient is ``grad / (2 sqrt(a))``.

    Shape
    -----
    Any; the output has the input's shape.

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> x = Tensor([4.0, 9.0], requires_grad=True)
    >>> x.sqrt()
    Tensor([2., 3.], grad_fn=sqrt)
    >>> x.sqrt().sum().backward(); x.grad             # 1 / (2 sqrt(x))
    array([0.25      , 0.16666667], dtype=float32)
    """
    with np.errstate(invalid="ignore"):
        out = np.sqrt(a.data)
    def backward(grad):
        return (grad * 0.5 / out,)
    return Tensor._from_op(out, (a,), backward, "sqrt")


def absolute(a: Tensor) -> Tensor:
    """Elementwise ``|a|`` (gradient 0 at 0, as in PyTorch); ``abs(t)`` and ``t.abs()`` call it.

    Parameters
    ----------
    a : Tensor
        The input.

    Returns
    -------
    Tensor
        The absolute values; the gradient is ``grad * sign(a)``.

    Shape
    -----
    Any; the output has the input's shape.

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> x = Tensor([-2.0, 0.0, 3.0], requires_grad=True)
    >>> abs(x)
    Tensor([2., 0., 3.], grad_fn=abs)
    >>> abs(x).sum().backward(); x.grad               # sign(x), 0 at the kink
    array([-1.,  0.,  1.], dtype=float32)
    """
    def backward(grad):
        return (grad * np.sign(a.data),)
    return Tensor._from_op(np.abs(a.data), (a,), backward, "abs")


def clip(a: Tensor, min=None, max=None) -> Tensor:
    """Limit values to ``[min, max]``; the gradient is 0 where a value was clipped.

    Parameters
    ----------
    a : Tensor
        The input.
    min, max : float, optional
        The bounds; either may be None (no bound on that side), not both.

    Returns
    -------
    Tensor
        The clipped values.

    Raises
    ------
    ValueError
        If neither bound is given.

    Shape
    -----
    Any; the output has the input's shape.

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> x = Tensor([-2.0, 0.5, 3.0], requires_grad=True)
    >>> x.clip(-1.0, 1.0)
    Tensor([-1. ,  0.5,  1. ], grad_fn=clip)
    >>> x.clip(-1.0, 1.0).sum().backward(); x.grad    # only the unclipped entry passes a gradient
    array([0., 1., 0.], dtype=float32)
    """
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


# ---------------------------------------------------------------- shapes
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
    """Remove axes of length 1 (only ``dim`` when given; a no-op if that axis is longer).

    Parameters
    ----------
    a : Tensor
        The input.
    dim : int, optional
        The one axis to remove; None removes every axis of length 1.

    Returns
    -------
    Tensor
        The same values with fewer axes (``a`` itself when nothing is removed).

    Raises
    ------
    ValueError
        If ``dim`` is out of range.

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
    """
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
        entry selected several times by an integer array receives the sum of its gradients.

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
    """
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
    """Replace the entries where ``mask`` is True by ``value`` (``mask`` broadcasts to ``a``).

    Parameters
    ----------
    a : Tensor
        The input.
    mask : array_like of bool or Tensor
        True where ``a`` is replaced (PyTorch's convention).
    value : float
        The fill value, e.g. ``-inf`` for attention scores that must get no weight.

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
    """Join tensors along an existing axis.

    Parameters
    ----------
    tensors : sequence of Tensor or array_like
        The pieces, with equal lengths on every axis except ``axis``.
    axis : int, default 0
        The axis to join along.

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
    >>> tt.concatenate([b, b], axis=1).shape          # (2, 2) and (2, 2) -> (2, 4)
    (2, 4)
    """
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
    """Join tensors of one shape along a new axis.

    Parameters
    ----------
    tensors : sequence of Tensor or array_like
        K pieces, all of the same shape.
    axis : int, default 0
        Position of the new axis in the output.

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
    """A copy with another dtype; differentiable between float types.

    Parameters
    ----------
    a : Tensor
        The input.
    dtype : numpy dtype
        The new dtype.

    Returns
    -------
    Tensor
        The converted copy. For a float dtype the gradient is converted back to ``a``'s dtype;
        any other dtype gives a tensor outside the autograd graph.

    Shape
    -----
    Any; the output has the input's shape.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch import Tensor
    >>> x = Tensor([1.5, -2.7], requires_grad=True)
    >>> x.astype(np.float64).sum().backward(); x.grad.dtype     # the gradient returns as float32
    dtype('float32')
    >>> x.astype(np.int64)                            # truncated toward 0; no gradient
    Tensor([ 1, -2])
    """
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
