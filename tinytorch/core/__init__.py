"""The core of tinytorch: tensors, autograd, layers, losses and optimizers.

.. rubric:: Layout

:mod:`~tinytorch.core.tensor` holds the :class:`~tinytorch.core.tensor.Tensor`, the backward
engine and the helpers every primitive shares (operand wrapping, the type-promotion rule, axis
normalisation). The primitives sit beside it by topic and import only ``tensor.py``:
:mod:`~tinytorch.core.ops` (arithmetic and elementwise functions),
:mod:`~tinytorch.core.reductions`, :mod:`~tinytorch.core.shaping`,
:mod:`~tinytorch.core.selection` and :mod:`~tinytorch.core.activations`. This file then
attaches them to ``Tensor`` from one table, ``TENSOR_METHODS`` below: every operator and method
of a tensor that is not written in the class itself is listed there.

.. rubric:: Where gradients live

Every hand-written backward, and why it is a primitive rather than composed from others:

===================================  ====================  ==================================================
Backward of                          File                  Why it is written by hand
===================================  ====================  ==================================================
add, sub, mul, div, neg, pow         ops.py                primitives: the chain rule starts here
matmul                               ops.py                primitive; skips the gradient an input does not need
exp, log, sqrt, abs, clip, astype    ops.py                primitives (special points as PyTorch: see ops)
sum, mean, max, min                  reductions.py         primitives; ``max``/``min`` route ties as PyTorch
reshape, permute, transpose          shaping.py            primitives: the gradient is the inverse move
expand                               shaping.py            primitive: the engine sums the broadcast copies
getitem, masked_fill, where          selection.py          primitives: the gradient is scattered back
concatenate, stack                   selection.py          primitives: the gradient is split back
relu, sigmoid, tanh, gelu            activations.py        fused: one array pass instead of several ops;
                                                           sigmoid stays finite at ±1e4, gelu's derivative
                                                           is that of its own erf formula
softmax, log_softmax                 activations.py        fused for stability (max subtracted) and speed
cross_entropy                        losses.py             fused log-softmax + pick: stable, one pass
binary_cross_entropy(_with_logits)   losses.py             clamped logs / stable softplus, as PyTorch
embedding (Embedding)                layers.py             a row gather; repeated ids add up
conv2d, max_pool2d, avg_pool2d       spatial.py            im2col: a loop of small ops would be slow
attention_weights                    attention.py          scores, scale, mask and softmax in one buffer
                                                           (the largest array of attention)
===================================  ====================  ==================================================

Everything else (``LayerNorm``, ``mse_loss``, ``scaled_dot_product_attention`` after its
weights, ``MultiHeadAttention``, ``TransformerBlock``, ``MLP``) is composed from these and needs
no backward of its own.
"""
from . import activations, ops, reductions, selection, shaping
from .tensor import Tensor


def _reflected(function, name: str, symbol: str):
    """The method ``name`` for ``other <symbol> tensor``: ``function(other, tensor)``."""
    def method(self, other):
        return function(other, self)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``other {symbol} tensor``: :func:`{function.__module__}.{function.__name__}` (other, tensor)."
    return method


def _comparison(op: str):
    def method(self, other):
        return ops.compare(op, self, other)
    method.__name__ = f"__{op}__"
    method.__doc__ = f"Elementwise ``{op}``: a boolean tensor (see :func:`tinytorch.core.ops.compare`)."
    return method


def _tolist(self):
    """The values as (nested) Python lists of numbers, as ``torch.Tensor.tolist``."""
    return self.data.tolist()


#: Operators and methods of :class:`~tinytorch.core.tensor.Tensor`, name -> function.
#: The function receives the tensor as its first argument.
TENSOR_METHODS = {
    # operators (ops.py)
    "__add__": ops.add, "__radd__": _reflected(ops.add, "__radd__", "+"),
    "__sub__": ops.sub, "__rsub__": _reflected(ops.sub, "__rsub__", "-"),
    "__mul__": ops.mul, "__rmul__": _reflected(ops.mul, "__rmul__", "*"),
    "__truediv__": ops.div, "__rtruediv__": _reflected(ops.div, "__rtruediv__", "/"),
    "__pow__": ops.power, "__rpow__": _reflected(ops.power, "__rpow__", "**"),
    "__matmul__": ops.matmul, "__rmatmul__": _reflected(ops.matmul, "__rmatmul__", "@"),
    "__neg__": ops.neg, "__abs__": ops.absolute,
    "__eq__": _comparison("eq"), "__ne__": _comparison("ne"), "__lt__": _comparison("lt"),
    "__le__": _comparison("le"), "__gt__": _comparison("gt"), "__ge__": _comparison("ge"),
    # elementwise (ops.py, activations.py)
    "exp": ops.exp, "log": ops.log, "sqrt": ops.sqrt, "abs": ops.absolute, "clip": ops.clip,
    "clamp": ops.clip, "astype": ops.astype, "pow": ops.power,
    "relu": activations.relu, "sigmoid": activations.sigmoid, "tanh": activations.tanh,
    "gelu": activations.gelu, "softmax": activations.softmax, "log_softmax": activations.log_softmax,
    # reductions (reductions.py)
    "sum": reductions.sum, "mean": reductions.mean, "max": reductions.max, "min": reductions.min,
    "argmax": reductions.argmax, "argmin": reductions.argmin,
    # shape (shaping.py)
    "reshape": shaping.reshape, "view": shaping.reshape, "transpose": shaping.transpose,
    "permute": shaping.permute, "unsqueeze": shaping.unsqueeze, "squeeze": shaping.squeeze,
    "expand": shaping.expand,
    # indexing and selection (selection.py)
    "__getitem__": selection.getitem, "masked_fill": selection.masked_fill,
    # conversion
    "tolist": _tolist,
}

for _name, _function in TENSOR_METHODS.items():
    setattr(Tensor, _name, _function)
del _name, _function
