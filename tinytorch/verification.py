"""The gradient checks that prove tinytorch's backward passes, in one registry.

The test suite and the "How we know it is right" page run the same cases: every differentiable op,
activation, layer, loss, convolution and attention function, each checked with
:func:`tinytorch.core.autograd.gradcheck` in float64.

Examples
--------
>>> from tinytorch.verification import run_gradchecks
>>> rows = run_gradchecks(["matmul", "softmax"])
>>> [(row.name, row.passed) for row in rows]
[('matmul', True), ('softmax', True)]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

import tinytorch as tt

from .core import spatial
from .core.autograd import GradcheckError, gradcheck

ATOL, RTOL = 1e-5, 1e-3


def sample(*shape, low=-1.0, high=1.0, seed=0) -> np.ndarray:
    """Fixed pseudo-random float64 inputs (the seed and shape decide them)."""
    return np.random.default_rng(seed + len(shape)).uniform(low, high, size=shape)


def away_from(x: np.ndarray, kinks, margin=0.05, replacement=0.3) -> np.ndarray:
    """Move samples off the points where a function has no derivative."""
    near = np.zeros(x.shape, dtype=bool)
    for kink in kinks:
        near |= np.abs(x - kink) < margin
    return np.where(near, replacement, x)


@dataclass(frozen=True)
class Case:
    """One gradient check: ``fn(*inputs)`` with ``params`` (module parameters) also checked."""

    category: str
    fn: Callable
    inputs: tuple
    params: tuple = ()


def _module_case(category, build, call, *inputs) -> tuple:
    def make():
        tt.manual_seed(0)
        module = build().astype(np.float64)
        return Case(category, lambda *xs: call(module, *xs), inputs, tuple(module.parameters()))
    return category, make


POSITIVE = dict(low=0.5, high=2.0)
MASK = np.array([[True, False, True], [False, False, True]])
_CASES: dict = {}


def register(name: str, case: tuple) -> None:
    """Add a case: ``(category, make)`` where ``make()`` builds a fresh :class:`Case`."""
    if name in _CASES:
        raise ValueError(f"register: a gradient check named {name!r} exists already")
    _CASES[name] = case


def _op(name, category, fn, *inputs):
    register(name, (category, lambda: Case(category, fn, inputs)))


# ---------------------------------------------------------------- tensor ops
_op("add", "op", lambda a, b: a + b, sample(2, 3), sample(2, 3, seed=1))
_op("add (broadcast)", "op", lambda a, b: a + b, sample(4, 1, 3), sample(2, 1, seed=1))
_op("sub (broadcast)", "op", lambda a, b: a - b, sample(2, 3), sample(3, seed=1))
_op("rsub (scalar)", "op", lambda a: 1.5 - a, sample(2, 3))
_op("mul (broadcast)", "op", lambda a, b: a * b, sample(2, 3), sample(1, 3, seed=1))
_op("mul (reused input)", "op", lambda a: a * a * a, sample(3, 2))
_op("div", "op", lambda a, b: a / b, sample(2, 3), sample(2, 3, seed=1, **POSITIVE))
_op("rdiv (scalar)", "op", lambda a: 2.0 / a, sample(2, 3, **POSITIVE))
_op("neg", "op", lambda a: -a, sample(2, 3))
_op("pow", "op", lambda a: a ** 3, sample(2, 3))
_op("pow (fractional)", "op", lambda a: a ** 0.5, sample(2, 3, **POSITIVE))
_op("matmul", "op", lambda a, b: a @ b, sample(3, 4), sample(4, 2, seed=1))
_op("matmul (batched)", "op", lambda a, b: a @ b, sample(2, 3, 4), sample(2, 4, 5, seed=1))
_op("matmul (batch broadcast)", "op", lambda a, b: a @ b, sample(2, 3, 4), sample(4, 5, seed=1))
_op("matmul (matrix @ vector)", "op", lambda a, b: a @ b, sample(3, 4), sample(4, seed=1))
_op("matmul (vector @ matrix)", "op", lambda a, b: a @ b, sample(4), sample(4, 2, seed=1))
_op("matmul (dot)", "op", lambda a, b: a @ b, sample(4), sample(4, seed=1))
_op("sum", "op", lambda a: a.sum(), sample(2, 3))
_op("sum (axis)", "op", lambda a: a.sum(axis=1), sample(2, 3, 4))
_op("sum (axes, keepdims)", "op", lambda a: a.sum(axis=(0, 2), keepdims=True), sample(2, 3, 4))
_op("mean", "op", lambda a: a.mean(), sample(2, 3))
_op("mean (axis)", "op", lambda a: a.mean(axis=-1), sample(2, 3))
_op("max (axis)", "op", lambda a: a.max(axis=1), sample(3, 4))
_op("max (keepdims)", "op", lambda a: a.max(axis=None, keepdims=True), sample(3, 4))
_op("exp", "op", lambda a: a.exp(), sample(2, 3))
_op("log", "op", lambda a: a.log(), sample(2, 3, **POSITIVE))
_op("sqrt", "op", lambda a: a.sqrt(), sample(2, 3, **POSITIVE))
_op("abs", "op", lambda a: abs(a), away_from(sample(2, 3), [0]))
_op("clip", "op", lambda a: a.clip(-0.5, 0.5), away_from(sample(3, 4), [-0.5, 0.5], replacement=0.2))
_op("reshape", "op", lambda a: a.reshape(3, 2) * sample(3, 2, seed=5), sample(2, 3))
_op("transpose", "op", lambda a: a.transpose(0, 2), sample(2, 3, 4))
_op("T", "op", lambda a: a.T @ a, sample(3, 2))
_op("permute", "op", lambda a: a.permute(2, 0, 1), sample(2, 3, 4))
_op("unsqueeze / squeeze", "op", lambda a: a.unsqueeze(1).squeeze(1) * a.unsqueeze(0), sample(2, 3))
_op("getitem (slices)", "op", lambda a: a[1:, ::2], sample(3, 4))
_op("getitem (repeated indices)", "op", lambda a: a[np.array([0, 2, 0])], sample(3, 4))
_op("getitem (boolean mask)", "op", lambda a: a[MASK], sample(2, 3))
_op("masked_fill", "op", lambda a: a.masked_fill(MASK, 0.0), sample(2, 3))
_op("where", "op", lambda a, b: tt.where(MASK, a, b), sample(2, 3), sample(3, seed=1))
_op("concatenate", "op", lambda a, b: tt.concatenate([a, b], axis=1), sample(2, 3), sample(2, 2, seed=1))
_op("stack", "op", lambda a, b: tt.stack([a, b], axis=1), sample(2, 3), sample(2, 3, seed=1))
_op("astype", "op", lambda a: a.astype(np.float64) * 2, sample(2, 3))

# ---------------------------------------------------------------- activations
_op("relu", "activation", tt.relu, away_from(sample(3, 4), [0]))
_op("sigmoid", "activation", tt.sigmoid, sample(3, 4, low=-5, high=5))
_op("tanh", "activation", tt.tanh, sample(3, 4))
_op("gelu", "activation", tt.gelu, sample(3, 4, low=-3, high=3))
_op("softmax", "activation", lambda a: tt.softmax(a, axis=-1), sample(3, 4))
_op("softmax (axis 0)", "activation", lambda a: tt.softmax(a, axis=0), sample(3, 4))
_op("log_softmax", "activation", lambda a: tt.log_softmax(a, axis=-1), sample(3, 4))

# ---------------------------------------------------------------- losses
_TARGETS = np.array([0.0, 1.0, 1.0, 0.0])
_op("mse_loss", "loss", tt.mse_loss, sample(4, 2), sample(4, 2, seed=1))
_op("binary_cross_entropy", "loss", lambda p: tt.binary_cross_entropy(p, _TARGETS), sample(4, low=0.1, high=0.9))
_op("binary_cross_entropy_with_logits", "loss", lambda x: tt.binary_cross_entropy_with_logits(x, _TARGETS),
    sample(4, low=-3, high=3))
_op("cross_entropy", "loss", lambda x: tt.cross_entropy(x, np.array([0, 2, 1])), sample(3, 4))
_op("cross_entropy (3-D, sum)", "loss",
    lambda x: tt.cross_entropy(x, np.array([[0, 2], [1, 1]]), reduction="sum"), sample(2, 2, 3))

# ---------------------------------------------------------------- layers
register("Linear", _module_case("layer", lambda: tt.Linear(3, 2), lambda m, x: m(x), sample(4, 3)))
register("Linear (3-D input)", _module_case("layer", lambda: tt.Linear(3, 2), lambda m, x: m(x), sample(2, 4, 3)))
register("Linear (no bias)", _module_case("layer", lambda: tt.Linear(3, 2, bias=False), lambda m, x: m(x), sample(4, 3)))
register("MLP", _module_case("layer", lambda: tt.MLP([3, 5, 2], activation=tt.Tanh), lambda m, x: m(x), sample(4, 3)))
register("LayerNorm", _module_case("layer", lambda: _perturbed(tt.LayerNorm(4)), lambda m, x: m(x), sample(3, 4)))
register("LayerNorm (2-D shape)", _module_case("layer", lambda: _perturbed(tt.LayerNorm((2, 3))), lambda m, x: m(x),
                                               sample(2, 2, 3)))
register("Embedding", _module_case("layer", lambda: tt.Embedding(5, 3),
                                   lambda m, x: m(np.array([[0, 4, 0], [2, 2, 1]])) * x, sample(2, 3, 3)))


# ---------------------------------------------------------------- attention
def _attention_part(part: int, mask):
    return lambda q, k, v: tt.scaled_dot_product_attention(q, k, v, mask)[part]


_QKV = (sample(2, 3, 5, seed=1), sample(2, 4, 5, seed=2), sample(2, 4, 2, seed=3))  # batch 2, Lq 3, Lk 4, d_k 5, d_v 2
_BOOL_MASK = np.array([[True, False, True, True], [True, True, False, False], [False, True, True, True]])
_FULLY_MASKED_ROW = np.array([[True, False, True, True], [False, False, False, False], [False, True, True, True]])
_ADDITIVE_MASK = np.array([[0.0, -1.5, 0.3, -np.inf], [2.0, 0.0, -np.inf, -0.7], [-3.0, 0.1, 0.0, 0.0]])
for _label, _mask in [("no mask", None), ("boolean mask", _BOOL_MASK), ("additive float mask", _ADDITIVE_MASK),
                      ("fully masked row", _FULLY_MASKED_ROW)]:
    _op(f"scaled_dot_product_attention output ({_label})", "attention", _attention_part(0, _mask), *_QKV)
    _op(f"scaled_dot_product_attention weights ({_label})", "attention", _attention_part(1, _mask), *_QKV)
_op("scaled_dot_product_attention (broadcast heads)", "attention", _attention_part(0, _BOOL_MASK),
    sample(2, 2, 3, 5, seed=4), sample(4, 5, seed=5), sample(4, 2, seed=6))
register("SelfAttention (causal)", _module_case("attention", lambda: tt.SelfAttention(4),
                                                lambda m, x: m(x, mask=tt.causal_mask(3)), sample(2, 3, 4)))
register("MultiHeadAttention (self, causal)", _module_case(
    "attention", lambda: tt.MultiHeadAttention(4, 2), lambda m, x: m(x, mask=tt.causal_mask(3)), sample(2, 3, 4)))
register("MultiHeadAttention (cross, padding mask)", _module_case(
    "attention", lambda: tt.MultiHeadAttention(4, 2),
    lambda m, q, kv: m(q, kv, mask=tt.padding_mask([4, 2], max_len=4)), sample(2, 3, 4), sample(2, 4, 4, seed=1)))
for _causal in (False, True):
    register(f"TransformerBlock (causal={_causal})", _module_case(
        "attention", lambda c=_causal: _perturbed(tt.TransformerBlock(4, 2, ff_dim=6, causal=c)),
        lambda m, x: m(x), sample(2, 3, 4)))
# ---------------------------------------------------------------- convolution and pooling
_IMAGES = sample(2, 2, 5, 6, seed=7)  # (N, C, H, W)
_DISTINCT = np.random.default_rng(8).permutation(2 * 2 * 5 * 6).reshape(2, 2, 5, 6) / 10.0  # no ties for max
_op("conv2d (stride 2, padding 1)", "convolution", lambda x, w, b: spatial.conv2d(x, w, b, stride=2, padding=1),
    _IMAGES, sample(3, 2, 3, 3, seed=1), sample(3, seed=2))
_op("conv2d (3x2 kernel, no bias)", "convolution", lambda x, w: spatial.conv2d(x, w, padding=(1, 0)),
    _IMAGES, sample(3, 2, 3, 2, seed=3))
_op("max_pool2d (overlapping)", "convolution", lambda x: spatial.max_pool2d(x, 3, stride=1), _DISTINCT)
_op("max_pool2d (2x2, padding 1)", "convolution", lambda x: spatial.max_pool2d(x, 2, padding=1), _DISTINCT)
_op("avg_pool2d (stride 2, padding 1)", "convolution", lambda x: spatial.avg_pool2d(x, 3, stride=2, padding=1),
    _IMAGES)
register("Conv2d", _module_case("convolution", lambda: spatial.Conv2d(2, 3, 3, stride=2, padding=1),
                                lambda m, x: m(x), _IMAGES))
register("small CNN (Conv2d, Tanh, MaxPool2d, Flatten, Linear)", _module_case(
    "convolution", lambda: tt.Sequential(spatial.Conv2d(2, 2, 3, padding=1), tt.Tanh(), spatial.MaxPool2d(2),
                                         spatial.Flatten(), tt.Linear(12, 3)),
    lambda m, x: m(x), _DISTINCT))
register("TinyGPT", _module_case(
    "model", lambda: _perturbed(_tiny_gpt()), lambda m, x: m(np.array([[1, 4, 2], [0, 3, 3]])) * x,
    sample(2, 3, 5)))


def _tiny_gpt():
    from .models import TinyGPT
    return TinyGPT(vocab_size=5, max_len=4, embed_dim=4, num_heads=2, num_layers=1, ff_dim=6)


def _perturbed(module):
    """Move parameters off their initial values (LayerNorm starts at weight 1, bias 0)."""
    for index, parameter in enumerate(module.parameters()):
        parameter.data = sample(*parameter.shape, seed=10 + index).astype(parameter.dtype)
    return module


def case_names(category: str | None = None) -> list:
    """Names of the registered cases, optionally of one category."""
    return [name for name, (kind, _) in _CASES.items() if category is None or kind == category]


@dataclass
class Result:
    """The outcome of one gradient check."""

    name: str
    category: str
    max_error: float
    passed: bool
    message: str = ""


def run_gradcheck(name: str) -> Result:
    """Run one registered case; a failure is returned, not raised."""
    case = _CASES[name][1]()
    try:
        error = gradcheck(case.fn, list(case.inputs), params=case.params, atol=ATOL, rtol=RTOL)
        return Result(name, case.category, error, True)
    except GradcheckError as failure:
        return Result(name, case.category, float("nan"), False, str(failure))


def run_gradchecks(names=None) -> list:
    """Run the given cases (all by default), in registration order."""
    return [run_gradcheck(name) for name in (names or list(_CASES))]
