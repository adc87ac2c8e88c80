"""Primitive tensor operations, each with its gradient right above its ``return``.

Every function takes tensors (or numbers, for the second operand of arithmetic), computes the forward
result with NumPy and hands :meth:`Tensor._from_op` a ``backward(grad)`` that returns one gradient per
input. The engine in :mod:`tinytorch.core.tensor` sums gradients over broadcast axes, so ops never
unbroadcast themselves. They are also available as operators and methods of :class:`Tensor`.

This file holds arithmetic (``+ - * / ** @``) and elementwise functions; reductions, shape
operations and indexing/selection live in :mod:`~tinytorch.core.reductions`,
:mod:`~tinytorch.core.shaping` and :mod:`~tinytorch.core.selection`, re-exported here.
"""
from __future__ import annotations

import numpy as np


from .tensor import Tensor


def _tensor(x, like: Tensor | None = None) -> Tensor:
    """Wrap ``x``; a Python number takes the dtype of ``like`` (so float32 stays float32)."""
    if isinstance(x, Tensor):
        return x
    if like is not None and isinstance(x, (int, float, bool)) and like.dtype.kind == "f":
        return Tensor(x, dtype=like.dtype)
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


# The other primitives live beside this file by topic; they need _tensor above, so they come last.
from .reductions import argmax, max, mean, sum  # noqa: E402,A004
from .selection import getitem, masked_fill  # noqa: E402
from .shaping import permute, reshape, squeeze, transpose, unsqueeze  # noqa: E402


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
