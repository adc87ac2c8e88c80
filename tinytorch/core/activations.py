"""Activation functions and their modules.

ReLU, sigmoid, tanh and GELU are elementwise primitives with their derivatives beside them. Softmax
and log-softmax are fused primitives: one pass for the forward, one for the backward, and the
maximum is subtracted first so that logits of ±1e4 stay finite.
"""
from __future__ import annotations

import math

import numpy as np

from .layers import Module
from .tensor import Tensor


def relu(x: Tensor) -> Tensor:
    """:math:`\\max(0, x)` elementwise; the gradient at 0 is 0, as in PyTorch.

    Examples
    --------
    >>> from tinytorch import Tensor, relu
    >>> relu(Tensor([-1.0, 0.0, 2.0]))
    Tensor([0., 0., 2.])
    """
    def backward(grad):
        return (grad * (x.data > 0),)
    return Tensor._from_op(np.maximum(x.data, 0), (x,), backward, "relu")


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
    e = np.exp(-np.abs(x.data))  # in (0, 1]: never overflows
    out = np.where(x.data >= 0, 1 / (1 + e), e / (1 + e))
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
    out = np.tanh(x.data)
    def backward(grad):  # d tanh = 1 - tanh^2
        return (grad * (1 - out * out),)
    return Tensor._from_op(out, (x,), backward, "tanh")


def _erf(x: np.ndarray) -> np.ndarray:
    """Error function: Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7, float32 precision)."""
    t = 1 / (1 + 0.3275911 * np.abs(x))
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return np.sign(x) * (1 - poly * np.exp(-x * x))


def gelu(x: Tensor) -> Tensor:
    """Gaussian error linear unit :math:`x\\,\\Phi(x)`, the exact (erf) form PyTorch uses by default.

    Examples
    --------
    >>> from tinytorch import Tensor, gelu
    >>> gelu(Tensor([-1.0, 0.0, 1.0]))
    Tensor([-0.1587,  0.    ,  0.8413])
    """
    cdf = 0.5 * (1 + _erf(x.data / math.sqrt(2)))
    def backward(grad):  # d(x Phi(x)) = Phi(x) + x phi(x)
        density = np.exp(-0.5 * x.data * x.data) / math.sqrt(2 * math.pi)
        return (grad * (cdf + x.data * density),)
    return Tensor._from_op((x.data * cdf).astype(x.dtype), (x,), backward, "gelu")


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
    shifted = x - x.max(axis=axis, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return shifted


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """:math:`e^{x_i} / \\sum_j e^{x_j}` along ``axis``; entries are in [0, 1] and sum to 1.

    Shape: any; the output has the input's shape.

    Examples
    --------
    >>> from tinytorch import Tensor, softmax
    >>> softmax(Tensor([[1.0, 1.0], [0.0, 1e4]]))
    Tensor([[0.5, 0.5],
            [0. , 1. ]])
    """
    out = np.exp(log_softmax_array(x.data, axis))
    def backward(grad):  # J^T g = s * (g - sum(g * s))
        weighted = grad * out
        weighted -= out * weighted.sum(axis=axis, keepdims=True)
        return (weighted,)
    return Tensor._from_op(out, (x,), backward, "softmax")


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """:math:`x_i - \\log \\sum_j e^{x_j}` along ``axis``, stable for large logits.

    Fused rather than ``log(softmax(x))``, which gives ``-inf`` once a probability underflows.

    Examples
    --------
    >>> from tinytorch import Tensor, log_softmax
    >>> log_softmax(Tensor([0.0, 1e4]))
    Tensor([-10000.,      0.])
    """
    out = log_softmax_array(x.data, axis)
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

    def forward(self, x: Tensor) -> Tensor:
        return gelu(x)


class Softmax(Module):
    """Module form of :func:`softmax` over ``axis``: scores become probabilities.

    Parameters
    ----------
    axis : int, default -1
        The axis along which the outputs sum to 1.

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

    def __init__(self, axis: int = -1):
        super().__init__()
        self.axis = axis

    def forward(self, x: Tensor) -> Tensor:
        return softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


for _name in ("relu", "sigmoid", "tanh", "gelu", "softmax", "log_softmax"):
    setattr(Tensor, _name, globals()[_name])
