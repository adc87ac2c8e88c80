"""The benchmark cases: the same float32 forward + backward in tinytorch, hand-written NumPy and PyTorch.

Each ``make_*`` function returns a :class:`Case` whose callables each run one full forward and
backward pass (the MLP case also the SGD update) on fixed, seeded data. ``check()`` asserts that the
NumPy floor computes the same outputs and gradients as tinytorch, so the comparison is fair.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

import floors
import tinytorch as tt
from tinytorch.core.spatial import Conv2d

try:
    import torch
except ImportError:  # PyTorch is optional: its column is then skipped
    torch = None


@dataclass
class Case:
    name: str
    size: str
    tinytorch: Callable
    numpy: Callable
    torch: Callable | None
    check: Callable


def _data(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _close(ours, floor, what: str, rtol=1e-4, atol=1e-5):
    if np.ndim(floor) and floor.dtype != np.float32:  # a float64 floor would be slower and unfair
        raise AssertionError(f"floor computes {what} in {floor.dtype}, not float32")
    np.testing.assert_allclose(ours, floor, rtol=rtol, atol=atol, err_msg=f"floor differs from tinytorch: {what}")


def _torch_leaf(array):
    return torch.tensor(array, requires_grad=True)


def make_matmul(n: int) -> Case:
    a, b, grad = _data(n, n), _data(n, n, seed=1), _data(n, n, seed=2)
    ta, tb = tt.Tensor(a, requires_grad=True), tt.Tensor(b, requires_grad=True)

    def tinytorch():
        ta.grad = tb.grad = None
        out = ta @ tb
        out.backward(grad)
        return out

    pa, pb = (_torch_leaf(a), _torch_leaf(b)) if torch else (None, None)

    def torch_step():
        pa.grad = pb.grad = None
        (pa @ pb).backward(torch.from_numpy(grad))

    def check():
        out = tinytorch()
        for mine, floor, what in zip((out.data, ta.grad, tb.grad), floors.matmul(a, b, grad), ("out", "da", "db")):
            _close(mine, floor, f"matmul {what}", rtol=1e-4, atol=1e-3)

    return Case("matmul", f"({n}, {n}) @ ({n}, {n})", tinytorch, lambda: floors.matmul(a, b, grad),
                torch_step if torch else None, check)


def make_conv(batch: int, in_channels: int, out_channels: int, size: int) -> Case:
    tt.manual_seed(0)
    layer = Conv2d(in_channels, out_channels, kernel_size=3, padding=1)
    x, grad = _data(batch, in_channels, size, size), _data(batch, out_channels, size, size, seed=1)
    tx = tt.Tensor(x, requires_grad=True)
    weight, bias = layer.weight.data, layer.bias.data

    def tinytorch():
        tx.grad = layer.weight.grad = layer.bias.grad = None
        out = layer(tx)
        out.backward(grad)
        return out

    def numpy():
        return floors.conv2d(x, weight, bias, grad, padding=1)

    def torch_step():
        conv, px = torch_layers["conv"], torch_layers["x"]
        px.grad = conv.weight.grad = conv.bias.grad = None
        conv(px).backward(torch.from_numpy(grad))

    torch_layers = {}
    if torch is not None:
        conv = torch.nn.Conv2d(in_channels, out_channels, 3, padding=1)
        with torch.no_grad():
            conv.weight.copy_(torch.from_numpy(weight))
            conv.bias.copy_(torch.from_numpy(bias))
        torch_layers.update(conv=conv, x=_torch_leaf(x))

    def check():
        out = tinytorch()
        mine = (out.data, tx.grad, layer.weight.grad, layer.bias.grad)
        for a, b, what in zip(mine, numpy(), ("out", "dx", "dweight", "dbias")):
            _close(a, b, f"conv2d {what}", atol=1e-3)

    size_text = f"N={batch}, {in_channels}->{out_channels} ch, {size}x{size}, k=3, pad 1"
    return Case("Conv2d fwd+bwd", size_text, tinytorch, numpy, torch_step if torch else None, check)


def make_mlp(batch: int, sizes=(784, 256, 10), lr: float = 0.01) -> Case:
    tt.manual_seed(0)
    model = tt.MLP(list(sizes))
    optimizer = tt.SGD(model.parameters(), lr=lr)
    x = _data(batch, sizes[0])
    targets = np.random.default_rng(1).integers(0, sizes[-1], size=batch)
    tx = tt.Tensor(x)
    first, second = model[0], model[2]
    params = {"w1": first.weight.data.copy(), "b1": first.bias.data.copy(),
              "w2": second.weight.data.copy(), "b2": second.bias.data.copy()}

    def tinytorch():
        loss = tt.cross_entropy(model(tx), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss

    def torch_step():
        net, opt, px, pt = torch_parts
        loss = torch.nn.functional.cross_entropy(net(px), pt)
        opt.zero_grad()
        loss.backward()
        opt.step()

    torch_parts = None
    if torch is not None:
        nn = torch.nn
        net = nn.Sequential(nn.Linear(sizes[0], sizes[1]), nn.ReLU(), nn.Linear(sizes[1], sizes[2]))
        with torch.no_grad():  # torch stores Linear weights (out, in)
            for layer, w, b in ((net[0], "w1", "b1"), (net[2], "w2", "b2")):
                layer.weight.copy_(torch.from_numpy(params[w].T.copy()))
                layer.bias.copy_(torch.from_numpy(params[b]))
        torch_parts = (net, torch.optim.SGD(net.parameters(), lr=lr), torch.from_numpy(x), torch.from_numpy(targets))

    def check():
        start = {name: value.copy() for name, value in params.items()}
        loss = tinytorch().item()
        floor_loss = floors.mlp_step(x, targets, params, lr)
        _close(loss, floor_loss, "mlp loss")
        for name, value in (("w1", first.weight), ("b1", first.bias), ("w2", second.weight), ("b2", second.bias)):
            _close(value.data - start[name], params[name] - start[name], f"mlp update of {name}", rtol=1e-3, atol=1e-6)

    return Case("MLP SGD step", f"N={batch}, {'->'.join(map(str, sizes))}, ReLU, CE",
                tinytorch, lambda: floors.mlp_step(x, targets, params, lr), torch_step if torch else None, check)


def make_attention(batch: int, length: int, embed: int, heads: int) -> Case | None:
    try:
        from tinytorch.core.attention import MultiHeadAttention
    except ImportError:
        return None
    tt.manual_seed(0)
    mha = MultiHeadAttention(embed, heads)
    x, grad = _data(batch, length, embed), _data(batch, length, embed, seed=1)
    tx = tt.Tensor(x, requires_grad=True)
    projections = {"q": mha.q_proj, "k": mha.k_proj, "v": mha.v_proj, "o": mha.out_proj}
    params = {}
    for s, linear in projections.items():
        params["w" + s], params["b" + s] = linear.weight.data, linear.bias.data

    def tinytorch():
        tx.grad = None
        mha.zero_grad()
        out = mha(tx)
        out.backward(grad)
        return out

    def numpy():
        return floors.multi_head_attention(x, params, heads, grad)

    def torch_step():
        module, px = torch_parts
        px.grad = None
        module.zero_grad()
        module(px, px, px, need_weights=False)[0].backward(torch.from_numpy(grad))

    torch_parts = None
    if torch is not None:
        module = torch.nn.MultiheadAttention(embed, heads, batch_first=True)
        with torch.no_grad():  # torch packs (W_Q, W_K, W_V) as (out, in) rows
            module.in_proj_weight.copy_(torch.from_numpy(np.concatenate([params[w].T for w in ("wq", "wk", "wv")])))
            module.in_proj_bias.copy_(torch.from_numpy(np.concatenate([params[b] for b in ("bq", "bk", "bv")])))
            module.out_proj.weight.copy_(torch.from_numpy(params["wo"].T.copy()))
            module.out_proj.bias.copy_(torch.from_numpy(params["bo"]))
        torch_parts = (module, _torch_leaf(x))

    def check():
        out = tinytorch()
        floor_out, floor_dx, floor_grads = numpy()
        _close(out.data, floor_out, "attention out", atol=1e-4)
        _close(tx.grad, floor_dx, "attention dx", atol=1e-4)
        for s, linear in projections.items():
            _close(linear.weight.grad, floor_grads["w" + s], f"attention dW{s}", atol=1e-3)
            _close(linear.bias.grad, floor_grads["b" + s], f"attention db{s}", atol=1e-3)

    size_text = f"N={batch}, L={length}, E={embed}, {heads} heads"
    return Case("MultiHeadAttention fwd+bwd", size_text, tinytorch, numpy, torch_step if torch else None, check)


def all_cases(quick: bool = False) -> list:
    """The cases at the issue's sizes, or smaller ones (``quick``) for the documentation page."""
    if quick:
        # half the batch (a quarter of the matmul): per-call overhead weighs as it does at full size
        cases = [make_matmul(256), make_conv(16, 16, 32, 16), make_mlp(64), make_attention(4, 128, 128, 4)]
    else:
        cases = [make_matmul(512), make_conv(32, 16, 32, 16), make_mlp(64), make_attention(8, 128, 128, 4)]
    return [case for case in cases if case is not None]
