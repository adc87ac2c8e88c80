"""Checking gradients against finite differences.

:func:`gradcheck` is the one function that tests, the "How we know it is right" page and users call
to verify a backward pass: it compares the gradients that :meth:`Tensor.backward` computes with
central differences, in float64.
"""
from __future__ import annotations

import numpy as np

from .tensor import Tensor


class GradcheckError(AssertionError):
    """Raised when an analytic gradient disagrees with its finite-difference estimate.

    :func:`gradcheck` raises it with the input, the element and both values in the message. It is
    an ``AssertionError``, so a failed check fails a test like a failed ``assert``.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch import Tensor
    >>> from tinytorch.core.autograd import GradcheckError, gradcheck
    >>> def bad_square(x):                            # x**2, but backward says x instead of 2 x
    ...     return Tensor._from_op(x.data ** 2, (x,), lambda grad: (grad * x.data,), "bad_square")
    >>> try:
    ...     gradcheck(bad_square, [np.array([1.0, 2.0])])
    ... except GradcheckError as error:
    ...     print(error)
    gradcheck: gradient of input 0 (shape (2,)) is wrong at index (0,): analytic -1.60384, ...
    """


def _as_float64(name: str, tensor) -> Tensor:
    if not isinstance(tensor, Tensor):
        return Tensor(tensor, requires_grad=True, dtype=np.float64)
    if tensor.dtype != np.float64:
        raise TypeError(
            f"gradcheck: {name} has dtype {tensor.dtype}; finite differences need float64 "
            f"(use tensor.astype(np.float64) or module.astype(np.float64))"
        )
    tensor.requires_grad = True
    return tensor


def gradcheck(fn, inputs, params=(), eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3) -> float:
    """Compare ``fn``'s gradients with central finite differences, in float64.

    The output of ``fn(*inputs)`` is reduced to a scalar with fixed random weights, so every output
    element takes part. For each element ``x`` of each input, the numeric derivative is
    ``(L(x + eps) - L(x - eps)) / (2 eps)``; it must match the analytic one within
    ``atol + rtol * |numeric|``.

    Parameters
    ----------
    fn : callable
        Takes the inputs as positional arguments and returns a Tensor.
    inputs : sequence of Tensor or array_like
        Arrays are converted to float64 tensors; tensors must already be float64.
    params : iterable of Tensor, optional
        Tensors that ``fn`` uses without receiving them (a module's parameters, after
        ``module.astype(np.float64)``); they are perturbed in place and checked too.
    eps, atol, rtol : float
        Step and tolerances.

    Returns
    -------
    float
        The largest absolute difference between analytic and numeric gradients.

    Raises
    ------
    GradcheckError
        Naming the input, the element and both values, when a gradient is off.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch.core.autograd import gradcheck
    >>> x = np.array([[0.5, -1.0], [2.0, 0.3]])
    >>> gradcheck(lambda t: (t * t).exp().sum(), [x]) < 1e-6
    True
    """
    inputs = [_as_float64(f"input {i}", t) for i, t in enumerate(inputs)]
    params = [_as_float64(f"parameter {i}", p) for i, p in enumerate(params)]
    checked = [(f"input {i}", t) for i, t in enumerate(inputs)] + [(f"parameter {i}", p) for i, p in enumerate(params)]
    weights = None

    def scalar_loss() -> Tensor:
        nonlocal weights
        out = fn(*inputs)
        if not isinstance(out, Tensor):
            raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
        if weights is None:
            weights = np.random.default_rng(1234).normal(size=out.shape)
        return (out * Tensor(weights, dtype=np.float64)).sum()

    for _, tensor in checked:
        tensor.grad = None
    loss = scalar_loss()
    loss.backward()
    worst = 0.0
    for name, tensor in checked:
        analytic = np.zeros_like(tensor.data) if tensor.grad is None else tensor.grad
        numeric = _numeric_gradient(scalar_loss, tensor, eps)
        error = np.abs(analytic - numeric)
        bad = error > atol + rtol * np.abs(numeric)
        if bad.any() or not np.isfinite(analytic).all():
            at = np.unravel_index(np.argmax(np.where(bad, error, -1)), tensor.shape)
            raise GradcheckError(
                f"gradcheck: gradient of {name} (shape {tensor.shape}) is wrong at index {tuple(int(i) for i in at)}: "
                f"analytic {analytic[at]:.6g}, numeric {numeric[at]:.6g} (max error {error.max():.3g}, "
                f"atol {atol}, rtol {rtol})"
            )
        worst = max(worst, float(error.max(initial=0.0)))
    return worst


def _numeric_gradient(scalar_loss, tensor: Tensor, eps: float) -> np.ndarray:
    """Central differences, one element at a time (a checking tool: small inputs only)."""
    tensor.data = np.ascontiguousarray(tensor.data)  # so that reshape(-1) is a view
    gradient = np.zeros_like(tensor.data)
    flat, flat_gradient = tensor.data.reshape(-1), gradient.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        plus = scalar_loss().item()
        flat[i] = original - eps
        minus = scalar_loss().item()
        flat[i] = original
        flat_gradient[i] = (plus - minus) / (2 * eps)
    return gradient
