"""tinytorch behaves as PyTorch does: each kind of fault found by replaying public bug reports.

Every kind is one parametrised list of forms. Each form is checked twice: against a value stated
by hand here (always runs), and against PyTorch itself (skipped where torch is not installed).
"""
import math

import numpy as np
import pytest

import tinytorch as tt
from tinytorch.verification import run_gradcheck

INF, NAN = np.inf, np.nan


def _torch():
    return pytest.importorskip("torch")


# -- 1. gradients at the special points of each formula ------------------------------------------
# (name, function of one tensor in either library, input, the gradient of .sum() by hand)
SPECIAL_POINTS = [
    ("x ** 0", lambda x: x ** 0, [0.0, 2.0, -1.0], [0.0, 0.0, 0.0]),
    ("x ** 1 at 0", lambda x: x ** 1, [0.0, -3.0], [1.0, 1.0]),
    ("x ** 2 at 0", lambda x: x ** 2, [0.0, -3.0], [0.0, -6.0]),
    ("x ** 0.5 at 0", lambda x: x ** 0.5, [0.0, 4.0], [INF, 0.25]),
    ("x ** -1 at 0", lambda x: x ** -1, [0.0, 2.0], [-INF, -0.25]),
    ("x ** 0.5 at -0, -inf", lambda x: x ** 0.5, [-0.0, -INF], [-INF, NAN]),  # sqrt(-0.) = -0., as PyTorch
    ("x ** -0.5 at -0, -inf", lambda x: x ** -0.5, [-0.0, -INF], [-INF, 0.0]),
    ("2 ** x", lambda x: 2 ** x, [0.0, 1.0], [math.log(2), 2 * math.log(2)]),
    ("0 ** x (exponent)", lambda x: (x * 0) ** x, [0.0, 1.0, 2.0], [0.0, 0.0, 0.0]),
    ("sqrt at 0", lambda x: x.sqrt(), [0.0, 1.0, INF], [INF, 0.5, 0.0]),
    ("log at 0", lambda x: x.log(), [0.0, 2.0], [INF, 0.5]),
    ("log at inf", lambda x: x.log(), [INF, 1.0], [0.0, 1.0]),
    ("abs at 0", lambda x: abs(x), [0.0, -2.0, INF], [0.0, -1.0, 1.0]),
    ("relu at 0", lambda x: x.relu(), [0.0, -1.0, 1.0], [0.0, 0.0, 1.0]),
    ("clip at its bounds", lambda x: x.clip(-1.0, 1.0), [-1.0, 1.0, 0.5, 2.0, -2.0], [1.0, 1.0, 1.0, 0.0, 0.0]),
    ("1 / x at 0", lambda x: 1 / x, [0.0, 2.0], [-INF, -0.25]),
    ("x / 0", lambda x: x / (x.detach() * 0), [1.0, 0.0, -1.0], [INF, INF, -INF]),  # -1 * 0 = -0
    ("exp at -inf", lambda x: x.exp(), [-INF, 0.0], [0.0, 1.0]),
    ("sigmoid at +-inf", lambda x: x.sigmoid(), [-INF, INF, 0.0], [0.0, 0.0, 0.25]),
    ("tanh at +-inf", lambda x: x.tanh(), [-INF, INF, 0.0], [0.0, 0.0, 1.0]),
    ("gelu at 0 and +-inf", lambda x: x.gelu() if hasattr(x, "gelu") else None, [0.0, -INF, INF], [0.5, NAN, NAN]),
    ("max over all, tied", lambda x: x.max(), [1.0, 3.0, 3.0], [0.0, 0.5, 0.5]),
    ("max over a dim, tied", lambda x: x.reshape(1, 3).max(1)[0] if _is_torch(x) else x.reshape(1, 3).max(1),
     [3.0, 1.0, 3.0], [1.0, 0.0, 0.0]),
    ("min over all, tied", lambda x: x.min(), [2.0, 2.0, 5.0], [0.5, 0.5, 0.0]),
    ("max with a NaN", lambda x: x.max(), [1.0, NAN, 3.0], [0.0, 1.0, 0.0]),
    ("max over a dim with a NaN", lambda x: x.reshape(1, 3).max(1)[0] if _is_torch(x) else x.reshape(1, 3).max(1),
     [1.0, NAN, 3.0], [0.0, 1.0, 0.0]),
    ("min over a dim, tied", lambda x: x.reshape(1, 3).min(1)[0] if _is_torch(x) else x.reshape(1, 3).min(1),
     [5.0, 2.0, 2.0], [0.0, 1.0, 0.0]),
    ("softmax with -inf", lambda x: x.softmax(0) * _weights(x), [-INF, 0.0, 0.0], [0.0, -0.25, 0.25]),
]


def _is_torch(x) -> bool:
    return type(x).__module__.startswith("torch")


def _weights(x):
    values = [0.0, 1.0, 2.0]
    return _torch().tensor(values) if _is_torch(x) else tt.Tensor(values)


def _gelu(x):
    return _torch().nn.functional.gelu(x) if _is_torch(x) else x.gelu()


def _grad_tinytorch(function, values):
    x = tt.Tensor(values, requires_grad=True)
    function(x).sum().backward()
    return x.grad


@pytest.mark.parametrize("name, function, values, expected", SPECIAL_POINTS, ids=[c[0] for c in SPECIAL_POINTS])
def test_special_point_gradients_by_hand(name, function, values, expected):
    function = _gelu if name.startswith("gelu") else function
    np.testing.assert_allclose(_grad_tinytorch(function, values), expected, rtol=1e-6, equal_nan=True)


@pytest.mark.parametrize("name, function, values, expected", SPECIAL_POINTS, ids=[c[0] for c in SPECIAL_POINTS])
def test_special_point_gradients_match_torch(name, function, values, expected):
    torch = _torch()
    function = _gelu if name.startswith("gelu") else function
    x = torch.tensor(values, requires_grad=True)
    function(x).sum().backward()
    np.testing.assert_allclose(_grad_tinytorch(function, values), x.grad.numpy(), rtol=1e-6, equal_nan=True)


# Every elementwise primitive at every special point, against PyTorch: values and gradients.
POINTS = [0.0, -0.0, 1.0, -1.0, 0.5, -2.0, INF, -INF]
UNARY = {
    "exp": lambda x: x.exp(), "log": lambda x: x.log(), "sqrt": lambda x: x.sqrt(), "abs": abs,
    "neg": lambda x: -x, "relu": lambda x: x.relu(), "sigmoid": lambda x: x.sigmoid(),
    "tanh": lambda x: x.tanh(), "gelu": lambda x: _gelu(x),
    "gelu tanh": lambda x: (_torch().nn.functional.gelu(x, approximate="tanh") if _is_torch(x)
                            else tt.gelu(x, approximate="tanh")),
    "clamp(-1, 1)": lambda x: x.clamp(-1.0, 1.0), "clamp(min=0)": lambda x: x.clamp(min=0.0),
    **{f"x ** {p}": (lambda p: lambda x: x ** p)(p) for p in (0, 0.5, 1, 1.5, 2, 3, -1, -0.5, -2, 2.5)},
    **{f"{b} ** x": (lambda b: lambda x: b ** x)(b) for b in (0.0, 1.0, 2.0, -2.0, 0.5)},
}
BINARY = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
          "div": lambda a, b: a / b, "pow": lambda a, b: a ** b}


def _values_and_grads(function, library, *values):
    tensors = ([tt.Tensor([v], requires_grad=True) for v in values] if library is tt
               else [library.tensor([v], requires_grad=True) for v in values])
    out = function(*tensors)
    out.sum().backward()
    grads = [np.asarray(t.grad) if library is tt else t.grad.numpy() for t in tensors]
    return [np.asarray(out.tolist())] + grads


@pytest.mark.parametrize("name", UNARY)
def test_unary_special_points_match_torch(name):
    torch = _torch()
    for value in POINTS:
        mine = _values_and_grads(UNARY[name], tt, value)
        theirs = _values_and_grads(UNARY[name], torch, value)
        for a, b in zip(mine, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-5, equal_nan=True, err_msg=f"{name} at {value}")


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # inf - inf: NumPy says so, PyTorch not
def test_binary_special_points_match_torch(name):
    torch = _torch()
    for u in POINTS:
        for v in POINTS:
            mine = _values_and_grads(BINARY[name], tt, u, v)
            theirs = _values_and_grads(BINARY[name], torch, u, v)
            for a, b in zip(mine, theirs):
                np.testing.assert_allclose(a, b, rtol=1e-5, equal_nan=True, err_msg=f"{name}({u}, {v})")


@pytest.mark.parametrize("name", ["x ** 0", "x ** 0.5 at 0", "x ** -1 at 0", "0 ** x (exponent)", "sqrt at 0",
                                  "log at 0", "1 / x at 0", "gelu at 0 and +-inf"])
def test_special_points_raise_no_numpy_warnings(name):
    _, function, values, _ = next(case for case in SPECIAL_POINTS if case[0] == name)
    with np.errstate(all="raise"):
        _grad_tinytorch(_gelu if name.startswith("gelu") else function, values)


# -- 2. an index that selects a position more than once accumulates its gradient ------------------
# (name, index into a (3, 4) tensor, its gradient of .sum() by hand)
def _grad_of(rows):
    return np.array(rows, dtype=np.float32)


INDEXES = [
    ("list", [0, 0], _grad_of([[2] * 4, [0] * 4, [0] * 4])),
    ("array", np.array([2, 0, 2]), _grad_of([[1] * 4, [0] * 4, [2] * 4])),
    ("Tensor", tt.Tensor([1, 1]), _grad_of([[0] * 4, [2] * 4, [0] * 4])),
    ("tuple inside", ((0, 0),), _grad_of([[2] * 4, [0] * 4, [0] * 4])),
    ("negative alias", [0, -3], _grad_of([[2] * 4, [0] * 4, [0] * 4])),
    ("slice, list", (slice(None), [1, 1]), _grad_of([[0, 2, 0, 0]] * 3)),
    ("list, slice", ([2, 2], slice(1, 3)), _grad_of([[0] * 4, [0] * 4, [0, 2, 2, 0]])),
    ("two lists", ([0, 0, 1], [3, 3, 0]), _grad_of([[0, 0, 0, 2], [1, 0, 0, 0], [0] * 4])),
    ("ellipsis, list", (Ellipsis, [3, 3]), _grad_of([[0, 0, 0, 2]] * 3)),
    ("None, list", (None, [1, 1]), _grad_of([[0] * 4, [2] * 4, [0] * 4])),
    ("nested list", [[0, 0], [0, 2]], _grad_of([[3] * 4, [0] * 4, [1] * 4])),
    ("int, Tensor", (1, tt.Tensor([0, 0, 0])), _grad_of([[0] * 4, [3, 0, 0, 0], [0] * 4])),
    ("boolean mask", np.array([True, False, True]), _grad_of([[1] * 4, [0] * 4, [1] * 4])),
    ("boolean list", [True, False, True], _grad_of([[1] * 4, [0] * 4, [1] * 4])),
    ("0-d Tensor, list", (tt.Tensor(2), [0, 0]), _grad_of([[0] * 4, [0] * 4, [2, 0, 0, 0]])),
    ("tuple of Tensors", (tt.Tensor([0, 0]), tt.Tensor([1, 1])), _grad_of([[0, 2, 0, 0], [0] * 4, [0] * 4])),
]


def _index_gradient(index):
    x = tt.Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    x[index].sum().backward()
    return x.grad


@pytest.mark.parametrize("name, index, expected", INDEXES, ids=[c[0] for c in INDEXES])
def test_repeated_index_gradients_add_up_by_hand(name, index, expected):
    np.testing.assert_array_equal(_index_gradient(index), expected)


def _torch_index(index, torch):
    def convert(item):
        if isinstance(item, tt.Tensor):
            return torch.tensor(item.numpy())
        if isinstance(item, (np.ndarray, tuple, list)):
            return torch.tensor(np.asarray(item))
        return item
    return tuple(convert(i) for i in index) if isinstance(index, tuple) else convert(index)


@pytest.mark.parametrize("name, index, expected", INDEXES, ids=[c[0] for c in INDEXES])
def test_repeated_index_gradients_match_torch(name, index, expected):
    torch = _torch()
    x = torch.arange(12.0).reshape(3, 4).requires_grad_()
    x[_torch_index(index, torch)].sum().backward()
    np.testing.assert_array_equal(_index_gradient(index), x.grad.numpy())


# -- 3. optimizer state is per parameter, from its first gradient --------------------------------
OPTIMIZERS = {
    "SGD": (lambda p: tt.SGD(p, lr=0.01), lambda torch, p: torch.optim.SGD(p, lr=0.01)),
    "SGD momentum": (lambda p: tt.SGD(p, lr=0.01, momentum=0.9, weight_decay=0.1),
                     lambda torch, p: torch.optim.SGD(p, lr=0.01, momentum=0.9, weight_decay=0.1)),
    "SGD dampening": (lambda p: tt.SGD(p, lr=0.01, momentum=0.9, dampening=0.5),
                      lambda torch, p: torch.optim.SGD(p, lr=0.01, momentum=0.9, dampening=0.5)),
    "SGD nesterov": (lambda p: tt.SGD(p, lr=0.01, momentum=0.9, nesterov=True),
                     lambda torch, p: torch.optim.SGD(p, lr=0.01, momentum=0.9, nesterov=True)),
    "Adam": (lambda p: tt.Adam(p, lr=0.01), lambda torch, p: torch.optim.Adam(p, lr=0.01)),
    "Adam L2": (lambda p: tt.Adam(p, lr=0.01, weight_decay=0.1),
                lambda torch, p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1)),
    "AdamW": (lambda p: tt.AdamW(p, lr=0.01), lambda torch, p: torch.optim.AdamW(p, lr=0.01)),
}
# Gradients of two parameters over five steps; None: no gradient at that step (skipped).
SCHEDULE = [([0.3, -0.2], None), ([0.1, 0.4], [0.5]), (None, [0.5]), ([-0.2, 0.1], [-0.5]), (None, None)]
# By hand, the late parameter b (start 1.0, first gradient 0.5 at step 2), after step 2
AFTER_STEP_2 = {"SGD": 0.995, "SGD momentum": 1 - 0.01 * (0.5 + 0.1), "SGD dampening": 0.995,
                "SGD nesterov": 1 - 0.01 * (0.5 + 0.9 * 0.5), "Adam": 0.99, "Adam L2": 0.99,
                "AdamW": 1 * (1 - 0.01 * 0.01) - 0.01}


def _run_tinytorch(name, steps=SCHEDULE):
    a, b = tt.Parameter([1.0, -1.0]), tt.Parameter([1.0])
    optimizer = OPTIMIZERS[name][0]([a, b])
    history = []
    for grads in steps:
        for parameter, grad in zip((a, b), grads):
            parameter.grad = None if grad is None else np.array(grad, dtype=np.float32)
        optimizer.step()
        history.append((a.data.copy(), b.data.copy()))
    return history


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_state_starts_at_first_gradient_by_hand(name):
    history = _run_tinytorch(name)
    np.testing.assert_allclose(history[0][1], [1.0])  # no gradient yet: untouched, even by decay
    np.testing.assert_allclose(history[1][1], [AFTER_STEP_2[name]], rtol=1e-6)
    np.testing.assert_array_equal(history[2][0], history[1][0])  # a skipped at step 3
    np.testing.assert_array_equal(history[4][0], history[3][0])


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_state_matches_torch(name):
    torch = _torch()
    a = torch.tensor([1.0, -1.0], requires_grad=True)
    b = torch.tensor([1.0], requires_grad=True)
    optimizer = OPTIMIZERS[name][1](torch, [a, b])
    for (grads, (mine_a, mine_b)) in zip(SCHEDULE, _run_tinytorch(name)):
        for parameter, grad in zip((a, b), grads):
            parameter.grad = None if grad is None else torch.tensor(grad)
        optimizer.step()
        np.testing.assert_allclose(mine_a, a.detach().numpy(), rtol=1e-6)
        np.testing.assert_allclose(mine_b, b.detach().numpy(), rtol=1e-6)


def test_optimizer_state_is_per_parameter():
    a, b = tt.Parameter([1.0]), tt.Parameter([1.0])
    optimizer = tt.Adam([a, b])
    a.grad = np.ones(1, np.float32)
    optimizer.step(); optimizer.step()
    b.grad = np.ones(1, np.float32)
    optimizer.step()
    assert optimizer.state[0]["step"] == 3 and optimizer.state[1]["step"] == 1


# -- 4. type promotion: one rule, PyTorch's ------------------------------------------------------
def _make(library):
    def tensor(values, dtype=None):
        array = np.asarray(values)
        array = array.astype(dtype) if dtype else array.astype(np.float32) if array.dtype == np.float64 else array
        if library == "torch":
            return _torch().from_numpy(array.copy())
        return tt.Tensor(array, dtype=array.dtype)
    return tensor


# (expression, dtype by hand, whether torch computes it too)
PROMOTIONS = [
    ("T([1, 2, 3]) / 2", "float32", True),
    ("T([1, 2, 3]) * 0.5", "float32", True),
    ("T([1, 2, 3]) + 0.5", "float32", True),
    ("T([1, 2, 3]) / T([2, 2, 2])", "float32", True),
    ("T([1, 2, 3]).mean()", "float32", False),  # PyTorch refuses the mean of integers
    ("T([1, 2, 3]) + 2", "int64", True),
    ("T([1, 2], 'int32') + 2", "int32", True),
    ("T([1, 2], 'int32') + T([1, 2])", "int64", True),
    ("T([1.0]) * np.float64(2.0)", "float32", True),
    ("T([1.0]) + np.int64(2)", "float32", True),
    ("2 * T([1.0])", "float32", True),
    ("T([1.0]) + T([1.0], 'float64')", "float64", True),
    ("T([1.0], 'float64') * 0.5", "float64", True),
    ("T([1.0]) + T(1.0, 'float64')", "float32", True),  # a 0-d tensor does not widen
    ("T([1, 2]) + T(1.0, 'float64')", "float64", True),  # ... unless its category is higher
    ("T([1, 2]) + T([1.0])", "float32", True),
    ("T([True, False]) + 1", "int64", True),
    ("T([True, False]) * 1.5", "float32", True),
    ("T([1, 2]) ** 2", "int64", True),
    ("T([1, 2]) ** 0.5", "float32", True),
    ("T([1, 2]).exp()", "float32", True),
    ("T([1, 2]).sqrt()", "float32", True),
    ("T([1, 2]).log()", "float32", True),
    ("T([1, 2]).sigmoid()", "float32", True),
    ("T([1, 2]).tanh()", "float32", True),
    ("T([1, 2]).softmax(0)", "float32", False),  # PyTorch has no integer softmax
    ("T([1, 2]) @ T([1.0, 2.0])", "float32", False),  # PyTorch refuses mixed matmul
    ("lib.where(T([True, False]), T([1, 2]), 0.5)", "float32", True),
    ("lib.cat([T([1, 2]), T([1.0])])", "float32", True),
    ("T([1.0]).clip(0, 1)", "float32", True),
    ("T([1, 2]).sum()", "int64", True),
]


@pytest.mark.parametrize("expression, dtype, in_torch", PROMOTIONS, ids=[c[0] for c in PROMOTIONS])
def test_type_promotion_by_hand(expression, dtype, in_torch):
    out = eval(expression, {"T": _make("tinytorch"), "np": np, "lib": tt})
    assert out.dtype == np.dtype(dtype), f"{expression}: {out.dtype}, expected {dtype}"


@pytest.mark.parametrize("expression, dtype, in_torch", [c for c in PROMOTIONS if c[2]],
                         ids=[c[0] for c in PROMOTIONS if c[2]])
def test_type_promotion_matches_torch(expression, dtype, in_torch):
    torch = _torch()
    mine = eval(expression, {"T": _make("tinytorch"), "np": np, "lib": tt})
    theirs = eval(expression, {"T": _make("torch"), "np": np, "lib": torch})
    assert mine.dtype == np.dtype(str(theirs.dtype).replace("torch.", ""))
    np.testing.assert_allclose(np.asarray(mine.tolist(), float), np.asarray(theirs.tolist(), float), rtol=1e-6)


def test_integer_gradient_flows_back_in_the_operand_dtype():
    x = tt.Tensor([1.0, 2.0], requires_grad=True)
    (x * tt.Tensor([3.0, 4.0], dtype=np.float64)).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


# -- 6. 0-d tensors accept axis 0 and -1 ---------------------------------------------------------
# (name, function, value by hand for the input 1.5, gradient by hand)
ZERO_DIM = [
    ("softmax(0)", lambda x: x.softmax(0), 1.0, 0.0),
    ("softmax(-1)", lambda x: x.softmax(-1), 1.0, 0.0),
    ("log_softmax(0)", lambda x: x.log_softmax(0), 0.0, 0.0),
    ("sum(0)", lambda x: x.sum(0), 1.5, 1.0),
    ("sum(-1, keepdim)", lambda x: x.sum(-1, keepdim=True), 1.5, 1.0),
    ("mean(0)", lambda x: x.mean(0), 1.5, 1.0),
    ("max(0)", lambda x: x.max(0)[0] if _is_torch(x) else x.max(0), 1.5, 1.0),
    ("amax(-1)", lambda x: x.amax(-1) if _is_torch(x) else x.max(-1), 1.5, 1.0),
    ("min(0)", lambda x: x.min(0)[0] if _is_torch(x) else x.min(0), 1.5, 1.0),
    ("squeeze(0)", lambda x: x.squeeze(0), 1.5, 1.0),
    ("squeeze(-1)", lambda x: x.squeeze(-1), 1.5, 1.0),
    ("transpose(0, -1)", lambda x: x.transpose(0, -1), 1.5, 1.0),
    ("unsqueeze(0)", lambda x: x.unsqueeze(0).sum(), 1.5, 1.0),
]


@pytest.mark.parametrize("name, function, value, grad", ZERO_DIM, ids=[c[0] for c in ZERO_DIM])
def test_zero_dim_axes_by_hand(name, function, value, grad):
    x = tt.Tensor(1.5, requires_grad=True)
    out = function(x)
    assert out.shape == () and out.item() == pytest.approx(value)
    out.backward()
    assert x.grad == pytest.approx(grad)


@pytest.mark.parametrize("name, function, value, grad", ZERO_DIM, ids=[c[0] for c in ZERO_DIM])
def test_zero_dim_axes_match_torch(name, function, value, grad):
    torch = _torch()
    x = torch.tensor(1.5, requires_grad=True)
    out = function(x)
    out.backward()
    mine = tt.Tensor(1.5, requires_grad=True)
    my_out = function(mine)
    my_out.backward()
    assert my_out.shape == tuple(out.shape) and my_out.item() == pytest.approx(out.item())
    assert mine.grad == pytest.approx(x.grad.item())
    assert tt.Tensor(1.5).argmax(0).item() == torch.tensor(1.5).argmax(0).item()


@pytest.mark.parametrize("call", [lambda x: x.sum(1), lambda x: x.softmax(2), lambda x: x.squeeze(-2)])
def test_zero_dim_other_axes_raise(call):
    with pytest.raises(ValueError, match="out of range"):
        call(tt.Tensor(1.5))


# -- 7. GELU: one accurate function, forward and backward ----------------------------------------
def test_gelu_values_by_hand():
    x = np.array([-1.0, 0.0, 1.0, 3.0, -5.0])
    cdf = np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in x])
    np.testing.assert_allclose(tt.gelu(tt.Tensor(x, dtype=np.float64)).numpy(), x * cdf, rtol=1e-11, atol=1e-300)
    assert tt.gelu(tt.Tensor(1.0)).item() == pytest.approx(0.8413447460685429, rel=1e-7)


def test_gelu_float64_is_accurate_everywhere():
    x = np.concatenate([np.linspace(-30, 30, 6001), [-1e-8, 1e-8, 1e3, -1e3]])
    exact = np.array([v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in x])
    out = tt.gelu(tt.Tensor(x, dtype=np.float64)).numpy()
    np.testing.assert_allclose(out, exact, rtol=2e-11, atol=1e-300)


def test_gelu_gradcheck_is_at_the_level_of_other_activations():
    others = max(run_gradcheck(name).max_error for name in ("relu", "sigmoid", "tanh"))
    assert run_gradcheck("gelu").max_error < 10 * others


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_gradcheck_both_forms(approximate):
    x = np.linspace(-6, 6, 49)
    assert tt.gradcheck(lambda t: tt.gelu(t, approximate=approximate), [x]) < 1e-8


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_matches_torch(approximate):
    torch = _torch()
    x = np.concatenate([np.linspace(-12, 12, 2401), [-40.0, 40.0]]).astype(np.float32)
    reference = torch.tensor(x.astype(np.float64), requires_grad=True)
    torch.nn.functional.gelu(reference, approximate=approximate).sum().backward()
    mine = tt.Tensor(x, requires_grad=True)
    out = tt.gelu(mine, approximate=approximate)
    out.sum().backward()
    # Within float32 rounding of PyTorch's float64 values. PyTorch computes x (1 + erf(x / sqrt 2)) / 2,
    # whose 1 + erf cancels for x << 0 (absolute error up to |x| * 1.1e-16): hence the atol.
    expected = torch.nn.functional.gelu(reference.detach(), approximate=approximate).numpy()
    np.testing.assert_allclose(out.numpy(), expected.astype(np.float32), rtol=2e-7, atol=1e-14)
    np.testing.assert_allclose(mine.grad, reference.grad.numpy().astype(np.float32), rtol=2e-7, atol=1e-7)


def test_gelu_module_and_bad_form():
    assert tt.GELU("tanh")(tt.Tensor([1.0])).item() == pytest.approx(tt.gelu(tt.Tensor([1.0]), "tanh").item())
    with pytest.raises(ValueError, match="approximate"):
        tt.gelu(tt.Tensor([1.0]), approximate="erf")


# -- API a PyTorch user reaches for --------------------------------------------------------------
X = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]], dtype=np.float32)
# (name, tinytorch call with axis=/keepdims=, the same with dim=/keepdim=)
DIM_ALIASES = [
    ("sum", lambda t: t.sum(axis=1, keepdims=True), lambda t: t.sum(dim=1, keepdim=True)),
    ("mean", lambda t: t.mean(axis=0), lambda t: t.mean(dim=0)),
    ("max", lambda t: t.max(axis=1), lambda t: t.max(dim=1)),
    ("min", lambda t: t.min(axis=-1, keepdims=True), lambda t: t.min(dim=-1, keepdim=True)),
    ("argmax", lambda t: t.argmax(axis=1), lambda t: t.argmax(dim=1)),
    ("argmin", lambda t: t.argmin(axis=0), lambda t: t.argmin(dim=0)),
    ("softmax", lambda t: t.softmax(axis=0), lambda t: t.softmax(dim=0)),
    ("Softmax", lambda t: tt.Softmax(axis=0)(t), lambda t: tt.Softmax(dim=0)(t)),
    ("log_softmax", lambda t: tt.log_softmax(t, axis=0), lambda t: tt.log_softmax(t, dim=0)),
    ("concatenate", lambda t: tt.concatenate([t, t], axis=1), lambda t: tt.cat([t, t], dim=1)),
    ("stack", lambda t: tt.stack([t, t], axis=2), lambda t: tt.stack([t, t], dim=2)),
]


@pytest.mark.parametrize("name, with_axis, with_dim", DIM_ALIASES, ids=[c[0] for c in DIM_ALIASES])
def test_dim_and_keepdim_spell_axis_and_keepdims(name, with_axis, with_dim):
    np.testing.assert_array_equal(with_axis(tt.Tensor(X)).numpy(), with_dim(tt.Tensor(X)).numpy())


@pytest.mark.parametrize("call", [lambda t: t.sum(axis=0, dim=0), lambda t: t.mean(keepdims=True, keepdim=True),
                                  lambda t: t.softmax(axis=0, dim=1), lambda t: tt.concatenate([t], axis=1, dim=1)])
def test_both_spellings_at_once_raise(call):
    with pytest.raises(TypeError, match="both"):
        call(tt.Tensor(X))


# (name, the same computation in either library, from X and Y (a tensor each))
METHODS = [
    ("min", lambda x, y: x.min()),
    ("expand", lambda x, y: x[:1].expand(3, -1, 3) * y),
    ("tensor ** tensor", lambda x, y: x ** (y / 4)),
    ("number ** tensor", lambda x, y: 2 ** x),
    ("squeeze several", lambda x, y: x.reshape(2, 1, 3, 1).squeeze((1, 3)) * y),
]


@pytest.mark.parametrize("name, build", METHODS, ids=[c[0] for c in METHODS])
def test_methods_match_torch(name, build):
    torch = _torch()
    y_values = X[::-1].copy()
    mine, theirs = tt.Tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    out_mine, out_theirs = build(mine, tt.Tensor(y_values)), build(theirs, torch.tensor(y_values))
    np.testing.assert_allclose(np.array(out_mine.tolist()), np.array(out_theirs.tolist()), rtol=1e-6)
    out_mine.sum().backward()
    out_theirs.sum().backward()
    np.testing.assert_allclose(mine.grad, theirs.grad.numpy(), rtol=1e-5)


def test_tensor_methods_by_hand():
    x = tt.Tensor([[1.0], [2.0]], requires_grad=True)
    assert x.tolist() == [[1.0], [2.0]]
    assert x.expand(2, 3).shape == (2, 3)
    assert (2 ** tt.Tensor([3.0])).item() == 8.0
    assert (tt.Tensor([2.0]) ** tt.Tensor([3.0])).item() == 8.0
    assert tt.Tensor(np.zeros((1, 2, 1))).squeeze((0, 2)).shape == (2,)
    with pytest.raises(ValueError, match="expand"):
        x.expand(3, 3)


def test_factories():
    assert tt.zeros(2, 3).shape == (2, 3) and tt.zeros((2, 3)).dtype == np.float32
    assert tt.ones(2).tolist() == [1.0, 1.0]
    assert tt.full((2,), 7).dtype == np.int64 and tt.full((2,), 0.5).tolist() == [0.5, 0.5]
    assert tt.arange(3).tolist() == [0, 1, 2] and tt.arange(3).dtype == np.int64
    assert tt.arange(1, 2, 0.5).dtype == np.float32
    assert tt.zeros_like(tt.Tensor([[1, 2]])).dtype == np.int64
    assert tt.ones_like(tt.Tensor([1.0, 2.0]), requires_grad=True).requires_grad
    tt.manual_seed(3)
    first = tt.rand(4).numpy().copy(), tt.randn(2, 2).numpy().copy()
    tt.manual_seed(3)
    again = tt.rand(4).numpy(), tt.randn(2, 2).numpy()
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert ((first[0] >= 0) & (first[0] < 1)).all() and first[1].dtype == np.float32
    generator = np.random.default_rng(0)
    assert tt.rand(3, generator=generator).shape == (3,)
    with pytest.raises(ValueError, match="zeros"):
        tt.zeros(-1)


def test_factories_match_torch_dtypes():
    torch = _torch()
    for name, args in [("zeros", (2, 3)), ("ones", (4,)), ("rand", (2,)), ("randn", (3,))]:
        assert getattr(tt, name)(*args).dtype.name == str(getattr(torch, name)(*args).dtype)[6:]
    assert tt.full((2,), 1).dtype.name == str(torch.full((2,), 1).dtype)[6:]
    for args in [(5,), (1, 4), (0, 1, 0.25)]:
        assert tt.arange(*args).tolist() == pytest.approx(torch.arange(*args).tolist())
        assert tt.arange(*args).dtype.name == str(torch.arange(*args).dtype)[6:]


# -- the "For PyTorch users" page: its examples run ----------------------------------------------
def test_pytorch_page_examples_run():
    import doctest
    import pathlib
    import re

    page = pathlib.Path(__file__).resolve().parent.parent / "docs" / "pytorch.md"
    blocks = re.findall(r"```\{doctest\}\n(.*?)```", page.read_text(), flags=re.S)
    assert len(blocks) >= 6
    test = doctest.DocTestParser().get_doctest("\n".join(blocks), {}, "pytorch.md", str(page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0 and runner.tries > 10


def test_pytorch_page_differences_hold_in_torch():
    """What the page says PyTorch does differently, checked against PyTorch."""
    torch = _torch()
    assert tuple(torch.nn.Linear(3, 2).weight.shape) == (2, 3)
    assert tuple(torch.arange(24.0).reshape(2, 3, 4)[0, :, [0, 1]].shape) == (3, 2)
    rng = np.random.default_rng(0)
    logits_ncl = rng.normal(size=(2, 5, 7)).astype(np.float32)
    targets = rng.integers(0, 5, size=(2, 7))
    theirs = torch.nn.functional.cross_entropy(torch.tensor(logits_ncl), torch.tensor(targets)).item()
    mine = tt.cross_entropy(tt.Tensor(logits_ncl).permute(0, 2, 1), targets).item()
    assert mine == pytest.approx(theirs, rel=1e-6)
    q = torch.ones(1, 3, 4)
    assert isinstance(torch.nn.functional.scaled_dot_product_attention(q, q, q), torch.Tensor)
    assert len(torch.tensor([[1.0, 3.0]]).max(dim=1)) == 2
    assert torch.from_numpy(np.zeros(2)).dtype == torch.float64


# -- the new differentiable methods pass gradcheck -----------------------------------------------
NEW_OPS = [
    ("min", lambda t: t.min(axis=1)),
    ("min over all", lambda t: t.min()),
    ("max over a dim", lambda t: t.max(dim=0)),
    ("expand", lambda t: t[:1].expand(4, -1, 3)),
    ("tensor ** tensor", lambda t: t.abs() ** t),
    ("number ** tensor", lambda t: 3 ** t),
    ("squeeze several", lambda t: t.reshape(2, 1, 3, 1).squeeze((1, 3))),
    ("int tensor / float", lambda t: t / tt.Tensor([1, 2, 3])),
]


@pytest.mark.parametrize("name, function", NEW_OPS, ids=[c[0] for c in NEW_OPS])
def test_new_ops_gradcheck(name, function):
    x = np.array([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]])
    assert tt.gradcheck(function, [x]) < 1e-6


def test_leaf_gradients_never_alias():
    """The engine hands a fresh gradient array to a leaf without copying it; shared ones are copied."""
    a, b = tt.Tensor([1.0, 2.0], requires_grad=True), tt.Tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()  # add passes one array to both
    a.grad *= 10
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    x = tt.Tensor([1.0, 2.0], requires_grad=True)
    given = np.ones(2, dtype=np.float32)
    x.backward(given)
    x.grad *= 3
    np.testing.assert_array_equal(given, [1.0, 1.0])
    w = tt.Tensor(np.ones((3, 2)), requires_grad=True)
    (tt.Tensor(np.ones((4, 3))) @ w).sum().backward()
    assert w.grad.flags.writeable and w.grad.base is None
