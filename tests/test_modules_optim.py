"""Module bookkeeping, optimizers and clipping over mixed parameter lists, data and training helpers.

Loops over parameters are tested with some parameters that have no gradient, given
as lists and as generators, so that a ``break`` where ``continue`` belongs, or a
list consumed twice, shows up. Optimizer steps are compared with the update rules
written out by hand (PyTorch's documented algorithms).
"""

import io
import sys

import numpy as np
import pytest

import tinytorch as tt
from tinytorch.core import dataloader, layers, optimizers, random, serialization, training
from tinytorch.core.dense import MLP, Sequential

RNG = np.random.default_rng(5)


class Pair(layers.Module):
    def __init__(self):
        super().__init__()
        self.first = tt.Linear(2, 3)
        self.second = tt.Linear(3, 1, bias=False)
        self.scale = layers.Parameter(np.array([2.0], dtype=np.float32))

    def forward(self, x):
        return self.second(tt.relu(self.first(x))) * self.scale


# ----------------------------------------------------------------- modules
def test_module_registration_children_and_names():
    model = Pair()
    assert [name for name, _ in model.named_children()] == ["first", "second"]
    assert list(model.children()) == [model.first, model.second]
    assert [name for name, _ in model.named_modules()] == ["", "first", "second"]
    assert list(model.modules()) == [model, model.first, model.second]
    assert [name for name, _ in model.named_parameters()] == ["scale", "first.weight", "first.bias", "second.weight"]
    assert model.num_parameters() == 1 + 6 + 3 + 3
    model.second = tt.ReLU()  # replacing a child drops the old one's parameters
    assert model.num_parameters() == 1 + 6 + 3
    model.scale = 3.0  # a plain value is no parameter
    assert [name for name, _ in model.named_parameters()] == ["first.weight", "first.bias"]


def test_shared_parameters_are_listed_once():
    shared = tt.Linear(2, 2)
    model = Sequential(shared, tt.ReLU(), shared)
    assert len(model.parameters()) == 2
    assert model.num_parameters() == 6


def test_zero_grad_train_eval_and_astype():
    model = Pair()
    out = model(tt.Tensor(RNG.normal(size=(4, 2))))
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    assert model.eval() is model and not any(m.training for m in model.modules())
    assert model.train() is model and all(m.training for m in model.modules())
    model.train(False)
    assert not model.first.training
    model(tt.Tensor(RNG.normal(size=(4, 2)))).sum().backward()
    assert model.astype(np.float64) is model
    assert all(p.dtype == np.float64 and p.grad is None for p in model.parameters())
    model.astype(np.float16)
    assert all(p.dtype == np.float16 for p in model.parameters())


def test_state_dict_round_trip_strict_and_not():
    model, other = Pair(), Pair()
    state = model.state_dict()
    assert list(state) == ["scale", "first.weight", "first.bias", "second.weight"]
    state["scale"][0] = 99.0  # a copy: the model is untouched
    assert model.scale.data[0] == 2.0
    other.load_state_dict(model.state_dict())
    for (_, a), (_, b) in zip(model.named_parameters(), other.named_parameters()):
        np.testing.assert_array_equal(a.data, b.data)
        assert a.data is not b.data
    partial = {"extra": np.zeros(2), "scale": np.array([5.0])}  # an unknown key first: skipped, not the end
    other.load_state_dict(partial, strict=False)
    assert other.scale.data[0] == 5.0 and other.scale.dtype == np.float32


def test_load_state_dict_copies_the_arrays():
    model = Pair()
    state = {name: np.array(value) for name, value in model.state_dict().items()}
    model.load_state_dict(state)
    state["scale"][0] = 42.0
    state["first.weight"][:] = 0.0
    assert model.scale.data[0] == 2.0 and np.abs(model.first.weight.data).sum() > 0


def test_module_repr_nests_children():
    assert repr(Sequential(tt.Linear(2, 3), tt.ReLU())) == (
        "Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): ReLU()\n)")
    assert repr(tt.Dropout(0.1)) == "Dropout(p=0.1)"
    nested = Sequential(Sequential(tt.ReLU()))
    assert repr(nested) == "Sequential(\n  (0): Sequential(\n    (0): ReLU()\n  )\n)"

    class WithExtra(layers.Module):
        def __init__(self):
            super().__init__()
            self.inner = tt.ReLU()

        def extra_repr(self):
            return "k=1"

    assert repr(WithExtra()) == "WithExtra(k=1,\n  (inner): ReLU()\n)"


def test_parameter_repr_and_module_list_indexing():
    assert repr(layers.Parameter(np.array([1.0], dtype=np.float32))) == "Parameter([1.], requires_grad=True)"
    items = layers.ModuleList([tt.ReLU(), tt.Tanh(), tt.Sigmoid()])
    assert len(items) == 3 and isinstance(items[1], tt.Tanh) and isinstance(items[-1], tt.Sigmoid)
    part = items[1:]
    assert isinstance(part, layers.ModuleList) and len(part) == 2 and isinstance(part[0], tt.Tanh)
    assert items.append(tt.GELU()) is items and len(items) == 4
    assert [type(m).__name__ for m in items] == ["ReLU", "Tanh", "Sigmoid", "GELU"]


def test_sequential_forward_slicing_and_mlp_layout():
    model = Sequential(tt.Linear(2, 3), tt.ReLU(), tt.Linear(3, 1))
    x = tt.Tensor(RNG.normal(size=(5, 2)))
    np.testing.assert_allclose(model(x).data, model[2](model[1](model[0](x))).data)
    head = model[:2]
    assert isinstance(head, Sequential) and len(head) == 2
    np.testing.assert_allclose(head(x).data, tt.relu(model[0](x)).data)
    mlp = MLP([4, 8, 8, 2])
    assert [type(m).__name__ for m in mlp] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert [m.out_features for m in mlp if isinstance(m, tt.Linear)] == [8, 8, 2]
    assert [type(m).__name__ for m in MLP(iter([3, 2]))] == ["Linear"]
    assert [type(m).__name__ for m in MLP([3, 4, 2], activation=tt.Tanh)] == ["Linear", "Tanh", "Linear"]


def test_manual_seed_makes_initialisation_repeatable():
    random.manual_seed(4)
    first = tt.Linear(3, 3).weight.data.copy()
    generator = random.manual_seed(4)
    assert generator is random.default_rng()
    np.testing.assert_array_equal(tt.Linear(3, 3).weight.data, first)
    random.manual_seed(np.int64(5))
    assert not np.array_equal(tt.Linear(3, 3).weight.data, first)


# ----------------------------------------------------------------- optimizers
def _parameters():
    """Three float64 parameters; the middle one gets no gradient."""
    values = [RNG.normal(size=(2, 2)), RNG.normal(size=3), RNG.normal(size=(1,))]
    params = [tt.Tensor(v, requires_grad=True, dtype=np.float64) for v in values]
    grads = [RNG.normal(size=v.shape) for v in values]
    return params, grads


def _set_grads(params, grads):
    for p, g in zip(params, grads):
        p.grad = None if p is params[1] else g.copy()


@pytest.mark.parametrize("as_generator", [False, True])
@pytest.mark.parametrize("momentum, weight_decay", [(0.0, 0.0), (0.9, 0.0), (0.0, 0.1), (0.5, 0.05)])
def test_sgd_matches_the_update_rule_and_skips_params_without_grad(as_generator, momentum, weight_decay):
    params, grads = _parameters()
    start = [p.data.copy() for p in params]
    optimizer = tt.SGD((p for p in params) if as_generator else params, lr=0.1, momentum=momentum,
                       weight_decay=weight_decay)
    expected = [s.copy() for s in start]
    buffers = [None] * 3
    for _ in range(3):
        _set_grads(params, grads)
        optimizer.step()
        for i in (0, 2):
            g = grads[i] + weight_decay * expected[i]
            if momentum:
                buffers[i] = g.copy() if buffers[i] is None else momentum * buffers[i] + g
                g = buffers[i]
            expected[i] = expected[i] - 0.1 * g
    for p, e in zip(params, expected):
        np.testing.assert_allclose(p.data, e, rtol=1e-12)
    np.testing.assert_array_equal(params[1].data, start[1])


@pytest.mark.parametrize("as_generator", [False, True])
@pytest.mark.parametrize("kind, weight_decay", [("Adam", 0.0), ("Adam", 0.1), ("AdamW", 0.1), ("AdamW", 0.0)])
def test_adam_and_adamw_match_the_update_rule(as_generator, kind, weight_decay):
    params, grads = _parameters()
    start = [p.data.copy() for p in params]
    cls = getattr(tt, kind)
    optimizer = cls((p for p in params) if as_generator else params, lr=0.01, betas=(0.8, 0.95), eps=1e-6,
                    weight_decay=weight_decay)
    expected = [s.copy() for s in start]
    first, second = [np.zeros_like(s) for s in start], [np.zeros_like(s) for s in start]
    for step in range(1, 4):  # every gradient arrives at every step, so the step counts agree
        _set_grads(params, grads)
        optimizer.step()
        for i in (0, 2):
            g = grads[i]
            if kind == "AdamW":
                expected[i] = expected[i] * (1 - 0.01 * weight_decay)
            else:
                g = g + weight_decay * expected[i]
            first[i] = 0.8 * first[i] + 0.2 * g
            second[i] = 0.95 * second[i] + 0.05 * g * g
            m_hat, v_hat = first[i] / (1 - 0.8**step), second[i] / (1 - 0.95**step)
            expected[i] = expected[i] - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-6)
    for p, e in zip(params, expected):
        np.testing.assert_allclose(p.data, e, rtol=1e-10)
    np.testing.assert_array_equal(params[1].data, start[1])


def test_adamw_default_weight_decay_is_one_hundredth():
    adamw = tt.AdamW([tt.Tensor([1.0], requires_grad=True)])
    assert (adamw.lr, adamw.betas, adamw.eps, adamw.weight_decay) == (1e-3, (0.9, 0.999), 1e-8, 0.01)
    adam = tt.Adam([tt.Tensor([1.0], requires_grad=True)])
    assert (adam.lr, adam.betas, adam.eps, adam.weight_decay) == (1e-3, (0.9, 0.999), 1e-8, 0.0)


@pytest.mark.parametrize("as_generator", [False, True])
def test_optimizer_zero_grad_clears_every_parameter(as_generator):
    params, grads = _parameters()
    for p, g in zip(params, grads):
        p.grad = g
    optimizer = tt.SGD((p for p in params) if as_generator else params, lr=0.1)
    optimizer.zero_grad()
    assert all(p.grad is None for p in params)


@pytest.mark.parametrize("as_generator", [False, True])
def test_clip_grad_norm_scales_every_gradient_and_skips_missing_ones(as_generator):
    params, grads = _parameters()
    _set_grads(params, grads)
    total = np.sqrt(sum(np.sum(grads[i] ** 2) for i in (0, 2)))
    returned = tt.clip_grad_norm_((p for p in params) if as_generator else params, max_norm=0.5)
    assert returned == pytest.approx(total, rel=1e-12)
    assert params[1].grad is None
    for i in (0, 2):
        np.testing.assert_allclose(params[i].grad, grads[i] * 0.5 / (total + 1e-6), rtol=1e-12)
    clipped = np.sqrt(sum(np.sum(params[i].grad ** 2) for i in (0, 2)))
    assert clipped == pytest.approx(0.5, rel=1e-5)


def test_clip_grad_norm_leaves_small_gradients_and_keeps_dtype():
    p = tt.Tensor(np.zeros(2, dtype=np.float32), requires_grad=True)
    p.grad = np.array([0.3, 0.4], dtype=np.float32)
    assert optimizers.clip_grad_norm_([p], max_norm=1.0) == pytest.approx(0.5, rel=1e-6)
    np.testing.assert_array_equal(p.grad, np.array([0.3, 0.4], dtype=np.float32))
    assert optimizers.clip_grad_norm_([p], max_norm=0.25) == pytest.approx(0.5, rel=1e-6)
    assert p.grad.dtype == np.float32
    np.testing.assert_allclose(p.grad, [0.15, 0.2], rtol=1e-5)
    q = tt.Tensor(np.zeros(1), requires_grad=True)
    assert optimizers.clip_grad_norm_([q], 1.0) == 0.0  # no gradients at all


def test_optimizers_train_a_model_whose_head_has_no_gradient_yet():
    tt.manual_seed(0)
    model = Pair()
    frozen = model.second.weight.data.copy()
    optimizer = tt.Adam(model.parameters(), lr=0.05)
    x = tt.Tensor(RNG.normal(size=(8, 2)))
    out = (model.first(x) * 1.0).sum()  # the head (second, scale) takes no part
    optimizer.zero_grad()
    out.backward()
    optimizer.step()
    np.testing.assert_array_equal(model.second.weight.data, frozen)
    assert model.second.weight.grad is None and model.first.weight.grad is not None


# ----------------------------------------------------------------- data
def test_tensor_dataset_subset_and_loader_batches():
    x, y = np.arange(10.0).reshape(5, 2), np.arange(5)
    data = dataloader.TensorDataset(x, tt.Tensor(y))
    assert len(data) == 5
    first = data[1]
    np.testing.assert_array_equal(first[0].data, [2.0, 3.0]) and first[1].item() == 1
    loader = dataloader.DataLoader(data, batch_size=2)
    assert len(loader) == 3
    batches = list(loader)
    assert [b[1].data.tolist() for b in batches] == [[0, 1], [2, 3], [4]]
    assert all(isinstance(t, tt.Tensor) for b in batches for t in b)
    assert len(dataloader.DataLoader(data, batch_size=2, drop_last=True)) == 2
    assert [b[1].data.tolist() for b in dataloader.DataLoader(data, batch_size=2, drop_last=True)] == [[0, 1], [2, 3]]
    subset = dataloader.Subset(data, [4, 0])
    assert len(subset) == 2 and subset[0][1].item() == 4
    assert [b[1].data.tolist() for b in dataloader.DataLoader(subset, batch_size=5)] == [[4, 0]]


def test_shuffled_loader_is_a_permutation_repeatable_by_seed():
    data = dataloader.TensorDataset(np.arange(20))
    orders = [np.concatenate([b[0].data for b in dataloader.DataLoader(data, 6, shuffle=True, seed=3)])
              for _ in range(2)]
    np.testing.assert_array_equal(orders[0], orders[1])
    np.testing.assert_array_equal(np.sort(orders[0]), np.arange(20))
    assert not np.array_equal(orders[0], np.arange(20))
    generator = np.random.default_rng(3)
    order = np.concatenate([b[0].data for b in dataloader.DataLoader(data, 6, shuffle=True, seed=generator)])
    np.testing.assert_array_equal(order, orders[0])


class Squares(dataloader.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, index):
        return np.array([index, index**2]), index % 2


def test_a_map_style_dataset_is_stacked_by_field():
    batches = list(dataloader.DataLoader(Squares(), batch_size=3))
    np.testing.assert_array_equal(batches[0][0].data, [[0, 0], [1, 1], [2, 4]])
    np.testing.assert_array_equal(batches[0][1].data, [0, 1, 0])
    subset = dataloader.Subset(Squares(), [3, 1])
    batch = next(iter(dataloader.DataLoader(subset, batch_size=2)))
    np.testing.assert_array_equal(batch[0].data, [[3, 9], [1, 1]])


@pytest.mark.parametrize("fractions, lengths", [([0.5, 0.5], [5, 5]), ([0.7, 0.3], [7, 3]), ([3, 7], [3, 7]),
                                                ([1 / 3, 1 / 3, 1 / 3], [4, 3, 3]), ([10, 0], [10, 0])])
def test_random_split_lengths_and_disjoint_cover(fractions, lengths):
    data = dataloader.TensorDataset(np.arange(10))
    parts = dataloader.random_split(data, fractions, seed=1)
    assert [len(p) for p in parts] == lengths
    indices = np.concatenate([p.indices for p in parts])
    np.testing.assert_array_equal(np.sort(indices), np.arange(10))
    again = dataloader.random_split(data, fractions, seed=1)
    assert all(np.array_equal(a.indices, b.indices) for a, b in zip(parts, again))


def test_save_and_load_round_trip(tmp_path):
    model, other = Pair(), Pair()
    path = serialization.save(model, tmp_path / "weights")
    assert path.endswith("weights.npz")
    assert serialization.save(model, str(tmp_path / "w.npz")).endswith("w.npz")
    assert serialization.load(other, path) is other
    for (_, a), (_, b) in zip(model.named_parameters(), other.named_parameters()):
        np.testing.assert_array_equal(a.data, b.data)


# ----------------------------------------------------------------- training
def _regression(n=32):
    x = RNG.normal(size=(n, 2)).astype(np.float32)
    y = (x @ np.array([[1.5], [-2.0]], dtype=np.float32) + 0.5).astype(np.float32)
    return dataloader.TensorDataset(x, y)


def test_fit_records_losses_and_metrics_and_keeps_the_best_epoch(capsys):
    tt.manual_seed(0)
    model = tt.Linear(2, 1)
    train, val = dataloader.DataLoader(_regression(), 8), dataloader.DataLoader(_regression(16), 16)
    metrics = {"mae": lambda out, y: float(np.abs(out.data - y.data).mean())}
    history = training.fit(model, train, tt.mse_loss, tt.SGD(model.parameters(), lr=0.1), epochs=4,
                           val_loader=val, metrics=metrics, keep_best="val_loss", verbose=False)
    assert history.epochs == 4
    assert set(history.history) == {"train_loss", "train_mae", "val_loss", "val_mae"}
    assert history.history["train_loss"][-1] < history.history["train_loss"][0]
    assert history.best_epoch == int(np.argmin(history.history["val_loss"]))
    assert repr(history) == (f"History(epochs=4, keys=['train_loss', 'train_mae', 'val_loss', 'val_mae'], "
                             f"best_epoch={history.best_epoch})")
    final = training.evaluate(model, val, tt.mse_loss)
    assert final["loss"] == pytest.approx(history.history["val_loss"][history.best_epoch], rel=1e-5)
    assert model.training
    assert capsys.readouterr().out == ""


def test_evaluate_weights_batches_by_size_and_restores_the_mode():
    model = tt.Linear(2, 1)
    data = _regression(10)
    loader = dataloader.DataLoader(data, 4)  # batches of 4, 4 and 2
    result = training.evaluate(model, loader, tt.mse_loss)
    x, y = data.arrays
    expected = float(np.mean((x @ model.weight.data + model.bias.data - y) ** 2))
    assert result["loss"] == pytest.approx(expected, rel=1e-5)
    model.eval()
    training.evaluate(model, loader, tt.mse_loss)
    assert not model.training


def test_fit_prints_one_line_per_epoch_when_verbose(capsys):
    model = tt.Linear(2, 1)
    training.fit(model, dataloader.DataLoader(_regression(8), 4), tt.mse_loss, tt.SGD(model.parameters(), lr=0.01),
                 epochs=2, verbose=True)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("epoch 1/2  train_loss ") and lines[1].startswith("epoch 2/2")


def test_fit_with_zero_epochs_and_keep_best_of_an_accuracy():
    model = tt.Linear(2, 1)
    history = training.fit(model, dataloader.DataLoader(_regression(8), 4), tt.mse_loss,
                           tt.SGD(model.parameters(), lr=0.01), epochs=0, verbose=False)
    assert history.epochs == 0 and history.best_epoch is None
    assert training._is_better("max", 0.9, 0.8) and not training._is_better("max", 0.7, 0.8)
    assert training._is_better("min", 0.7, 0.8) and not training._is_better("min", 0.9, 0.8)
    assert training._is_better("min", 5.0, None) and not training._is_better("min", float("nan"), None)


class Singles(dataloader.Dataset):
    """Items that are single arrays, not tuples."""

    def __len__(self):
        return 3

    def __getitem__(self, index):
        return np.array([index, -index])


def test_a_dataset_of_single_arrays_batches_into_one_field():
    (batch,) = next(iter(dataloader.DataLoader(Singles(), batch_size=3)))
    np.testing.assert_array_equal(batch.data, [[0, 0], [1, -1], [2, -2]])


def test_progress_bar_only_outside_notebooks(monkeypatch):
    import types

    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace())
    assert training._in_notebook() is False

    class ZMQInteractiveShell:
        pass

    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=ZMQInteractiveShell))
    assert training._in_notebook() is True
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: None))
    assert training._in_notebook() is False
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert training._in_notebook() is False


def test_keep_best_ignores_ties_and_non_finite_values():
    assert not training._is_better("max", 0.8, 0.8) and not training._is_better("min", 0.8, 0.8)
    assert not training._is_better("max", float("inf"), 0.8)


def test_random_split_tolerance_and_rounding_on_a_large_data_set():
    data = dataloader.TensorDataset(np.zeros(2_000_000, dtype=np.int8))
    # the fractions sum to 1 + 5e-7, inside the 1e-6 tolerance; shares are divided by that sum
    parts = dataloader.random_split(data, [0.5, 0.5000005], seed=0)
    assert [len(p) for p in parts] == [1_000_000, 1_000_000]
    with pytest.raises(ValueError, match=r"^random_split: fractions \(0.5, 0.500005\) sum to"):
        dataloader.random_split(data, [0.5, 0.500005])


def test_an_empty_subset_yields_no_batches():
    subset = dataloader.Subset(dataloader.TensorDataset(np.arange(4)), [])
    assert len(subset) == 0 and list(dataloader.DataLoader(subset, batch_size=2)) == []


class DuckModel:
    """A model with train/eval but no `training` attribute: evaluate leaves it in training mode."""

    def __init__(self):
        self.calls = []

    def __call__(self, x):
        return x

    def train(self, mode=True):
        self.calls.append("train" if mode else "eval")

    def eval(self):
        self.calls.append("eval")


def test_evaluate_restores_training_mode_of_a_model_without_a_training_flag():
    model = DuckModel()
    x = tt.Tensor(np.ones((2, 1)))
    training.evaluate(model, [(x, x)], tt.mse_loss)
    assert model.calls == ["eval", "train"]


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_fit_draws_a_tqdm_bar_on_a_terminal_and_prints_lines_without_tqdm(monkeypatch, capsys):
    pytest.importorskip("tqdm")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    model = tt.Linear(2, 1)
    loader = dataloader.DataLoader(_regression(8), 4)
    history = training.fit(model, loader, tt.mse_loss, tt.SGD(model.parameters(), lr=0.01), epochs=3)
    bar = terminal.getvalue()
    assert "fit 3/3 |" in bar and f"train_loss {history.history['train_loss'][-1]:.4f}" in bar
    assert "it/s" not in bar and "<" not in bar  # no timings
    assert capsys.readouterr().out == ""
    monkeypatch.setitem(sys.modules, "tqdm", None)  # tqdm missing: plain lines
    training.fit(model, loader, tt.mse_loss, tt.SGD(model.parameters(), lr=0.01), epochs=10)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 10 and lines[0].startswith("epoch  1/10  train_loss ")


def test_loader_over_a_plain_list_default_batch_size_and_the_global_seed():
    pairs = [(np.array([i, i]), i) for i in range(40)]
    loader = dataloader.DataLoader(pairs)
    assert loader.batch_size == 32 and len(loader) == 2
    first, second = list(loader)
    np.testing.assert_array_equal(first[1].data, np.arange(32))
    np.testing.assert_array_equal(second[0].data, [[i, i] for i in range(32, 40)])
    shuffled = dataloader.DataLoader(dataloader.TensorDataset(np.arange(10)), batch_size=10, shuffle=True)
    tt.manual_seed(5)
    once = next(iter(shuffled))[0].data
    tt.manual_seed(5)  # a loader without its own seed follows the global generator as it is now
    np.testing.assert_array_equal(next(iter(shuffled))[0].data, once)


def test_nested_names_and_parameter_dtypes():
    model = Sequential(Sequential(tt.Linear(2, 2)), tt.LayerNorm(2), tt.Embedding(3, 2))
    assert [name for name, _ in model.named_modules()] == ["", "0", "0.0", "1", "2"]
    assert [name for name, _ in model.named_parameters()] == ["0.0.weight", "0.0.bias", "1.weight", "1.bias", "2.weight"]
    assert all(p.dtype == np.float32 for p in model.parameters())
    assert tt.LayerNorm(2)(tt.Tensor(np.ones((1, 2), dtype=np.float32))).dtype == np.float32
    assert tt.Dropout().p == 0.5
