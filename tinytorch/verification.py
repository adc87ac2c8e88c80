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
    """Fixed pseudo-random float64 inputs (the seed and shape decide them).

    Parameters
    ----------
    *shape : int
        The shape of the array.
    low, high : float, default -1.0 and 1.0
        The values are drawn uniformly from [low, high).
    seed : int, default 0
        With the number of dimensions, picks the values (the generator's seed is
        ``seed + len(shape)``).

    Returns
    -------
    numpy.ndarray
        A float64 array of ``shape``; the same arguments always give the same values.

    Examples
    --------
    >>> from tinytorch.verification import sample
    >>> x = sample(2, 3, low=0.5, high=2.0)           # positive inputs, as log and sqrt need
    >>> x.shape, x.dtype, bool(x.min() >= 0.5 and x.max() < 2.0)
    ((2, 3), dtype('float64'), True)
    >>> bool((sample(2, 3, low=0.5, high=2.0) == x).all())     # the same arguments, the same values
    True
    """
    return np.random.default_rng(seed + len(shape)).uniform(low, high, size=shape)


def away_from(x: np.ndarray, kinks, margin=0.05, replacement=0.3) -> np.ndarray:
    """Move samples off the points where a function has no derivative.

    A central difference across a kink (0 for ``relu`` and ``abs``, the bounds for ``clip``)
    matches neither one-sided derivative, so gradient checks keep their inputs away from kinks.

    Parameters
    ----------
    x : numpy.ndarray
        The samples.
    kinks : iterable of float
        The points where the function is not differentiable.
    margin : float, default 0.05
        Samples closer than this to a kink are moved.
    replacement : float, default 0.3
        The value they are moved to; choose it away from every kink.

    Returns
    -------
    numpy.ndarray
        A copy of ``x`` with the samples near a kink replaced.

    Shape
    -----
    Any; the output has the input's shape.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch.verification import away_from
    >>> away_from(np.array([-0.5, -0.01, 0.02, 0.8]), kinks=[0])   # abs and relu bend at 0
    array([-0.5,  0.3,  0.3,  0.8])
    """
    near = np.zeros(x.shape, dtype=bool)
    for kink in kinks:
        near |= np.abs(x - kink) < margin
    return np.where(near, replacement, x)


@dataclass(frozen=True)
class Case:
    """One gradient check: ``fn(*inputs)`` with ``params`` (module parameters) also checked.

    Parameters
    ----------
    category : str
        The group it is listed under: "op", "activation", "loss", "layer", "attention",
        "convolution" or "model".
    fn : callable
        Takes the inputs as positional arguments and returns a Tensor.
    inputs : tuple of numpy.ndarray
        float64 inputs; the gradient with respect to each element is checked.
    params : tuple of Tensor, default ()
        float64 tensors that ``fn`` uses without receiving them (a module's parameters),
        checked too.

    Examples
    --------
    >>> from tinytorch.core.autograd import gradcheck
    >>> from tinytorch.verification import Case, sample
    >>> case = Case("op", lambda a: a.exp(), (sample(2, 3),))
    >>> gradcheck(case.fn, list(case.inputs), params=case.params) < 1e-6
    True
    """

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
    """Add a case: ``(category, make)`` where ``make()`` builds a fresh :class:`Case`.

    Parameters
    ----------
    name : str
        A new name; it labels the case in the tests and on the verification page.
    case : tuple of (str, callable)
        The category and a function without arguments that builds the :class:`Case`. It is
        called each time the check runs, so every run gets fresh inputs and modules.

    Raises
    ------
    ValueError
        If a case of that name is registered already.

    Examples
    --------
    >>> from tinytorch.verification import Case, register, run_gradcheck, sample, unregister
    >>> def make():
    ...     return Case("op", lambda a: a ** 3, (sample(2, 2),))
    >>> register("cube (docstring example)", ("op", make))
    >>> run_gradcheck("cube (docstring example)").passed
    True
    >>> unregister("cube (docstring example)")
    """
    if name in _CASES:
        raise ValueError(f"register: a gradient check named {name!r} exists already")
    _CASES[name] = case


def unregister(name: str) -> None:
    """Remove a case added with :func:`register` (for example a temporary one in a test)."""
    if name not in _CASES:
        raise KeyError(f"unregister: no gradient check named {name!r}")
    del _CASES[name]


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
_op("cross_entropy (ignore_index, label_smoothing)", "loss",
    lambda x: tt.cross_entropy(x, np.array([0, -100, 3]), label_smoothing=0.2), sample(3, 4))
_op("binary_cross_entropy (target requires grad)", "loss", tt.binary_cross_entropy,
    sample(4, low=0.1, high=0.9), sample(4, low=0.0, high=1.0, seed=1))
_op("binary_cross_entropy_with_logits (target requires grad)", "loss", tt.binary_cross_entropy_with_logits,
    sample(4, low=-3, high=3), sample(4, low=0.0, high=1.0, seed=1))

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
_op("scaled_dot_product_attention (learned float mask)", "attention",
    lambda q, k, v, bias: tt.scaled_dot_product_attention(q, k, v, bias)[0], *_QKV, sample(3, 4, seed=9))
_op("scaled_dot_product_attention (is_causal, Lq < Lk, scale 0.5)", "attention",
    lambda q, k, v: tt.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.5)[0], *_QKV)
register("TransformerBlock (causal, learned float mask)", _module_case(
    "attention", lambda: _perturbed(tt.TransformerBlock(4, 2, ff_dim=6, causal=True)),
    lambda m, x, bias: m(x, mask=bias), sample(2, 3, 4), sample(3, 3, seed=10)))
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
    """Names of the registered cases, optionally of one category.

    Parameters
    ----------
    category : str, optional
        "op", "activation", "loss", "layer", "attention", "convolution" or "model"; None for
        every case.

    Returns
    -------
    list of str
        The names, in registration order.

    Examples
    --------
    >>> from tinytorch.verification import case_names
    >>> case_names("model")
    ['TinyGPT']
    >>> case_names("loss")[:2]
    ['mse_loss', 'binary_cross_entropy']
    """
    return [name for name, (kind, _) in _CASES.items() if category is None or kind == category]


@dataclass
class Result:
    """The outcome of one gradient check (what :func:`run_gradcheck` returns).

    Parameters
    ----------
    name, category : str
        The case's name and category.
    max_error : float
        The largest absolute difference between analytic and numeric gradients; NaN when the
        check failed.
    passed : bool
        Whether every gradient matched within the tolerances.
    message : str, default ""
        The :class:`~tinytorch.core.autograd.GradcheckError` message of a failed check.

    Examples
    --------
    >>> from tinytorch.verification import run_gradcheck
    >>> run_gradcheck("exp")
    Result(name='exp', category='op', max_error=..., passed=True, message='')
    """

    name: str
    category: str
    max_error: float
    passed: bool
    message: str = ""


def run_gradcheck(name: str) -> Result:
    """Run one registered case; a failure is returned, not raised.

    Parameters
    ----------
    name : str
        A name from :func:`case_names`.

    Returns
    -------
    Result
        Whether it passed, the largest error and, for a failure, the message that names the
        wrong gradient.

    Raises
    ------
    KeyError
        If no case has that name.

    Examples
    --------
    >>> from tinytorch.verification import run_gradcheck
    >>> result = run_gradcheck("getitem (repeated indices)")    # np.add.at sums repeats
    >>> result.passed, result.max_error < 1e-6
    (True, True)
    """
    case = _CASES[name][1]()
    try:
        error = gradcheck(case.fn, list(case.inputs), params=case.params, atol=ATOL, rtol=RTOL)
        return Result(name, case.category, error, True)
    except GradcheckError as failure:
        return Result(name, case.category, float("nan"), False, str(failure))


def run_gradchecks(names=None) -> list:
    """Run the given cases (all by default, in registration order).

    Parameters
    ----------
    names : sequence of str, optional
        Names from :func:`case_names`; None (or an empty sequence) runs every case.

    Returns
    -------
    list of Result
        One per case, in the order of ``names``.

    Examples
    --------
    >>> from tinytorch.verification import case_names, run_gradchecks
    >>> results = run_gradchecks(case_names("loss"))
    >>> len(results), [result.name for result in results if not result.passed]
    (8, [])
    """
    return [run_gradcheck(name) for name in (names or list(_CASES))]
