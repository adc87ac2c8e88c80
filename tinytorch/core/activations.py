"""Activation functions and their modules.

ReLU, sigmoid, tanh and GELU are elementwise primitives with their derivatives beside them. Softmax
and log-softmax are fused primitives: one pass for the forward, one for the backward, and the
maximum is subtracted first so that logits of ±1e4 stay finite. An integer input gives a float32
result, as in PyTorch; ``softmax``/``log_softmax`` accept PyTorch's ``dim=`` for ``axis=``.
"""
from __future__ import annotations

import math

import numpy as np

from .layers import Module
from .tensor import Tensor, _alias, _axes


def relu(x: Tensor) -> Tensor:
    """:math:`\\max(0, x)` elementwise; the gradient at 0 is 0, as in PyTorch.

    Examples
    --------
    >>> from tinytorch import Tensor, relu
    >>> relu(Tensor([-1.0, 0.0, 2.0]))
    Tensor([0., 0., 2.])
    """
    def backward(grad):  # 0 at x = 0, as PyTorch
        return (grad * (x.data > 0),)
    return Tensor._from_op(np.maximum(x.data, 0), (x,), backward, "relu")


def _floating(x: Tensor) -> np.ndarray:
    return x.data if x.data.dtype.kind == "f" else x.data.astype(np.float32)


def sigmoid(x: Tensor) -> Tensor:
    """:math:`1 / (1 + e^{-x})` elementwise, computed without overflow for large :math:`|x|`.

    Examples
    --------
    >>> from tinytorch import Tensor, sigmoid
    >>> sigmoid(Tensor([0.0, 2.0, -2.0]))
    Tensor([0.5   , 0.8808, 0.1192])
    >>> sigmoid(Tensor([-1e4, 1e4]))   # no overflow warning, no NaN
    Tensor([0., 1.])
    """
    values = _floating(x)
    e = np.exp(-np.abs(values))  # in (0, 1]: never overflows
    out = np.where(values >= 0, 1 / (1 + e), e / (1 + e))
    def backward(grad):  # d sigmoid = s (1 - s)
        return (grad * out * (1 - out),)
    return Tensor._from_op(out, (x,), backward, "sigmoid")


def tanh(x: Tensor) -> Tensor:
    """Hyperbolic tangent elementwise.

    Examples
    --------
    >>> from tinytorch import Tensor, tanh
    >>> tanh(Tensor([0.0, 1.0]))
    Tensor([0.    , 0.7616])
    """
    out = np.tanh(_floating(x))
    def backward(grad):  # d tanh = 1 - tanh^2
        return (grad * (1 - out * out),)
    return Tensor._from_op(out, (x,), backward, "tanh")


# erfc(z) = t exp(-z^2 + P(2t - 1)) with t = 2 / (2 + z), for z >= 0 (the form of Numerical
# Recipes' erfcc). P is a degree-18 polynomial fitted for tinytorch to Chebyshev samples of
# log(erfc(z) / t) + z^2 (math.erfc); relative error below 2e-12 for 0 <= z <= 25.
_ERFC_P = (
    -0.6717940840570898, 0.6726432239952771, 0.04734330691981614, -0.04689561133517747,
    -0.009872691881517215, 0.008824958999853328, 0.0017589649543240876, -0.0023459863323779255,
    -0.00014644499989502485, 0.0006744912990043044, -9.302200674265809e-05,
    -0.00017658381203380474, 6.985939115994676e-05, 3.57561890228139e-05,
    -2.8183003698149704e-05, -4.327772901820914e-06, 7.1079013112782626e-06,
    1.4050579022444783e-07, -8.749551296760337e-07,
)


_BLOCK = 16384  # elements per block of _normal_cdf: its ~40 passes then stay in the CPU cache


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    """The standard normal CDF Phi(x) = erfc(-x / sqrt 2) / 2, in float64.

    Relative error about 2e-12 with the formula above: accurate enough that the exact density
    is its derivative to within 1e-10, so :func:`gelu`'s forward and backward agree under
    finite differences. Computed block by block (vectorised within each block), which is
    about three times faster than one pass over a large array.
    """
    flat = x.reshape(-1)
    out = np.empty(flat.shape, dtype=np.float64)
    for start in range(0, flat.size, _BLOCK):
        z = np.abs(flat[start:start + _BLOCK], dtype=np.float64) * (1 / math.sqrt(2))
        t = 2 / (2 + z)
        u = 2 * t - 1
        poly = np.full_like(u, _ERFC_P[-1])
        for c in _ERFC_P[-2::-1]:  # Horner, in place
            poly *= u
            poly += c
        poly -= z * z
        with np.errstate(under="ignore"):
            tail = np.exp(poly, out=poly)
        tail *= t
        tail *= 0.5  # erfc(|x| / sqrt 2) / 2 = Phi(-|x|)
        out[start:start + _BLOCK] = np.where(flat[start:start + _BLOCK] < 0, tail, 1 - tail)
    return out.reshape(x.shape)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit :math:`x\\,\\Phi(x)` (Hendrycks & Gimpel, 2016), as ``torch.nn.functional.gelu``.

    Parameters
    ----------
    x : Tensor
        The input.
    approximate : {"none", "tanh"}, default "none"
        ``"none"``: the exact form with the normal CDF :math:`\\Phi`, computed in float64 to
        about 1e-12 relative error. ``"tanh"``: PyTorch's tanh approximation
        :math:`\\tfrac{x}{2}\\,(1 + \\tanh(\\sqrt{2/\\pi}\\,(x + 0.044715\\,x^3)))`.
        The gradient is :math:`\\Phi(x) + x\\,\\Phi'(x)` with the matching :math:`\\Phi'`.

    Returns
    -------
    Tensor
        The activations, with ``x``'s dtype (float32 for an integer ``x``).

    Raises
    ------
    ValueError
        If ``approximate`` is neither "none" nor "tanh".

    Shape
    -----
    Any; the output has the input's shape.

    Examples
    --------
    >>> from tinytorch import Tensor, gelu
    >>> gelu(Tensor([-1.0, 0.0, 1.0]))
    Tensor([-0.1587,  0.    ,  0.8413])
    >>> gelu(Tensor([-1.0, 0.0, 1.0]), approximate="tanh")
    Tensor([-0.1588,  0.    ,  0.8412])
    """
    values = x.data if x.dtype.kind == "f" else x.data.astype(np.float32)
    if approximate == "none":
        cdf = _normal_cdf(values)  # float64
        def density():  # Phi'(x), the normal density
            return np.exp(-0.5 * values * values) * (1 / math.sqrt(2 * math.pi))
    elif approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        wide = values.astype(np.float64)
        inner = np.tanh(k * (wide + 0.044715 * wide ** 3))  # float64, like the "none" form
        cdf = 0.5 * (1 + inner)
        def density():  # the derivative of this cdf
            return 0.5 * (1 - inner * inner) * k * (1 + 3 * 0.044715 * values * values)
    else:
        raise ValueError(f'gelu: approximate must be "none" or "tanh", got {approximate!r}')
    def backward(grad):  # d(x Phi(x)) = Phi(x) + x Phi'(x)
        with np.errstate(invalid="ignore", under="ignore", over="ignore"):
            return (grad * (cdf + values * density()),)
    with np.errstate(invalid="ignore"):  # -inf * 0 = NaN, as PyTorch gives
        out = (values * cdf).astype(values.dtype, copy=False)
    cdf = cdf.astype(values.dtype, copy=False)
    return Tensor._from_op(out, (x,), backward, "gelu")


def log_softmax_array(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """:math:`x_i - \\log \\sum_j e^{x_j}` of a NumPy array along ``axis``: the one stable log-softmax.

    The maximum is subtracted before exponentiating, so logits of ±1e4 stay finite, and the log is
    taken of a sum that is at least 1. Every stable softmax and log-softmax on arrays in tinytorch
    uses it (:func:`softmax`, :func:`log_softmax`, ``cross_entropy``, sampling in
    :meth:`tinytorch.models.TinyGPT.generate`); :func:`~tinytorch.core.attention.attention_weights`
    repeats the same steps in place in one buffer, for speed. A slice that is all ``-inf`` gives NaN,
    as in PyTorch.

    Parameters
    ----------
    x : numpy.ndarray
        Floating logits, any shape.
    axis : int, default -1
        The axis along which the probabilities sum to 1.

    Returns
    -------
    numpy.ndarray
        Log-probabilities of ``x``'s shape and dtype; ``np.exp`` of it is the softmax.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch.core.activations import log_softmax_array
    >>> log_softmax_array(np.array([0.0, 1e4]))
    array([-10000.,      0.])
    >>> np.exp(log_softmax_array(np.log(np.array([1.0, 3.0]))))
    array([0.25, 0.75])
    """
    if x.dtype.kind != "f":  # integer logits: float32, PyTorch's default float
        x = x.astype(np.float32)
    shifted = np.asarray(x - x.max(axis=axis, keepdims=True))  # asarray: a 0-d input
    shifted -= np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return shifted


def softmax(x: Tensor, axis: int = -1, *, dim=None) -> Tensor:
    """:math:`e^{x_i} / \\sum_j e^{x_j}` along ``axis`` (or ``dim``); entries are in [0, 1] and sum to 1.

    Shape: any; the output has the input's shape. A 0-d tensor (axis 0 or -1) gives 1.

    Examples
    --------
    >>> from tinytorch import Tensor, softmax
    >>> softmax(Tensor([[1.0, 1.0], [0.0, 1e4]]))
    Tensor([[0.5, 0.5],
            [0. , 1. ]])
    """
    axis = _axes("softmax", x, _alias("softmax", "axis", None if axis == -1 else axis, "dim", dim, -1))
    out = np.exp(log_softmax_array(_floating(x), axis))
    def backward(grad):  # J^T g = s * (g - sum(g * s))
        weighted = grad * out
        weighted -= out * weighted.sum(axis=axis, keepdims=True)
        return (weighted,)
    return Tensor._from_op(out, (x,), backward, "softmax")


def log_softmax(x: Tensor, axis: int = -1, *, dim=None) -> Tensor:
    """:math:`x_i - \\log \\sum_j e^{x_j}` along ``axis`` (or ``dim``), stable for large logits.

    Fused rather than ``log(softmax(x))``, which gives ``-inf`` once a probability underflows.

    Examples
    --------
    >>> from tinytorch import Tensor, log_softmax
    >>> log_softmax(Tensor([0.0, 1e4]))
    Tensor([-10000.,      0.])
    """
    axis = _axes("log_softmax", x, _alias("log_softmax", "axis", None if axis == -1 else axis, "dim", dim, -1))
    out = log_softmax_array(_floating(x), axis)
    def backward(grad):  # g - softmax * sum(g)
        return (grad - np.exp(out) * grad.sum(axis=axis, keepdims=True),)
    return Tensor._from_op(out, (x,), backward, "log_softmax")


class ReLU(Module):
    """Module form of :func:`relu`: :math:`\\max(0, x)` elementwise.

    A layer to place in a :class:`~tinytorch.core.dense.Sequential` between other layers.

    Shape
    -----
    Any; the output has the input's shape.

    Examples
    --------
    >>> import tinytorch as tt
    >>> tt.ReLU()(tt.Tensor([-1.0, 0.0, 2.0]))
    Tensor([0., 0., 2.])
    >>> tt.Sequential(tt.Linear(2, 4), tt.ReLU(), tt.Linear(4, 1))   # a layer between layers
    Sequential(
      (0): Linear(in_features=2, out_features=4, bias=True)
      (1): ReLU()
      (2): Linear(in_features=4, out_features=1, bias=True)
    )
    """

    def forward(self, x: Tensor) -> Tensor:
        return relu(x)


class Sigmoid(Module):
    """Module form of :func:`sigmoid`: squashes each entry into (0, 1).

    Shape
    -----
    Any; the output has the input's shape.

    Examples
    --------
    >>> import tinytorch as tt
    >>> act = tt.Sigmoid()
    >>> act(tt.Tensor([-2.0, 0.0, 2.0]))
    Tensor([0.1192, 0.5   , 0.8808])
    """

    def forward(self, x: Tensor) -> Tensor:
        return sigmoid(x)


class Tanh(Module):
    """Module form of :func:`tanh`: squashes each entry into (-1, 1).

    Shape
    -----
    Any; the output has the input's shape.

    Examples
    --------
    >>> import tinytorch as tt
    >>> act = tt.Tanh()
    >>> act(tt.Tensor([-1.0, 0.0, 1.0]))
    Tensor([-0.7616,  0.    ,  0.7616])
    """

    def forward(self, x: Tensor) -> Tensor:
        return tanh(x)


class GELU(Module):
    """Module form of :func:`gelu`: the smooth ReLU of transformers, :math:`x\\,\\Phi(x)`.

    Parameters
    ----------
    approximate : {"none", "tanh"}, default "none"
        As :func:`gelu`.

    Shape
    -----
    Any; the output has the input's shape.

    Examples
    --------
    >>> import tinytorch as tt
    >>> act = tt.GELU()
    >>> act(tt.Tensor([-1.0, 0.0, 1.0]))
    Tensor([-0.1587,  0.    ,  0.8413])
    """

    def __init__(self, approximate: str = "none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f'GELU: approximate must be "none" or "tanh", got {approximate!r}')
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return "" if self.approximate == "none" else f"approximate={self.approximate!r}"


class Softmax(Module):
    """Module form of :func:`softmax` over ``axis``: scores become probabilities.

    Parameters
    ----------
    axis : int, default -1
        The axis along which the outputs sum to 1 (``dim`` is PyTorch's name for it; give one).

    Shape
    -----
    Any; the output has the input's shape.

    Examples
    --------
    >>> import tinytorch as tt
    >>> scores = tt.Tensor([[1.0, 1.0], [0.0, 2.0]])
    >>> tt.Softmax()(scores)                          # each row sums to 1
    Tensor([[0.5   , 0.5   ],
            [0.1192, 0.8808]])
    >>> tt.Softmax(axis=0)(scores)                    # each column sums to 1
    Tensor([[0.7311, 0.2689],
            [0.2689, 0.7311]])
    """

    def __init__(self, axis: int = -1, *, dim=None):
        super().__init__()
        self.axis = _alias("Softmax", "axis", None if axis == -1 else axis, "dim", dim, -1)

    def forward(self, x: Tensor) -> Tensor:
        return softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"
