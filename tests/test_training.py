"""fit, evaluate, History, keep_best, progress output, save/load."""
import io
import sys
import types

import numpy as np
import pytest

import tinytorch as tt
from tinytorch.core.dataloader import DataLoader, TensorDataset, random_split
from tinytorch.core.dense import MLP
from tinytorch.core.layers import Linear, Module
from tinytorch.core.losses import accuracy, cross_entropy, mse_loss
from tinytorch.core.optimizers import SGD, Adam
from tinytorch.core.serialization import load, save
from tinytorch.core.training import History, evaluate, fit
from tinytorch.datasets import moons


def moons_loaders(n=200, seed=0):
    X, y = moons(n, noise=0.1, seed=seed)
    train, val = random_split(TensorDataset(X, y), [0.75, 0.25], seed=seed)
    return (DataLoader(train, batch_size=32, shuffle=True, seed=seed),
            DataLoader(val, batch_size=64))


def snapshot(model):
    return {k: np.array(getattr(v, "data", v), copy=True) for k, v in model.state_dict().items()}


def test_fit_lowers_the_loss_and_records_every_value():
    tt.manual_seed(0)
    train_loader, val_loader = moons_loaders()
    model = MLP([2, 32, 32, 2])
    history = fit(model, train_loader, cross_entropy, Adam(model.parameters(), lr=0.02), epochs=20,
                  val_loader=val_loader, metrics={"accuracy": accuracy}, verbose=False)
    assert isinstance(history, History) and history.epochs == 20 and history.best_epoch is None
    assert set(history.history) == {"train_loss", "val_loss", "train_accuracy", "val_accuracy"}
    assert all(len(v) == 20 and all(isinstance(x, float) for x in v) for v in history.history.values())
    train_loss, val_loss = history.history["train_loss"], history.history["val_loss"]
    assert train_loss[-1] < 0.1 * train_loss[0] and val_loss[-1] < 0.5 * val_loss[0]
    assert history.history["val_accuracy"][-1] >= 0.95
    # The recorded validation values are what evaluate() says about the final weights.
    again = evaluate(model, val_loader, cross_entropy, {"accuracy": accuracy})
    assert again["loss"] == pytest.approx(val_loss[-1], rel=1e-5)
    assert again["accuracy"] == pytest.approx(history.history["val_accuracy"][-1])


def test_epoch_values_are_sample_weighted_means():
    # A constant model: every batch's loss is known, so the epoch mean can be checked exactly.
    X = np.zeros((10, 1), dtype=np.float32)
    y = np.arange(10, dtype=np.float32)[:, None]
    model = Linear(1, 1, bias=False)
    loader = DataLoader(TensorDataset(X, y), batch_size=4)       # batches of 4, 4, 2
    result = evaluate(model, loader, mse_loss)
    assert result["loss"] == pytest.approx(np.mean(y ** 2), rel=1e-6)


class BlowUpAfter:
    """SGD for `good_epochs` epochs, then gradient ascent: later epochs are worse than earlier ones.

    Also keeps a copy of the weights at the end of every epoch, to compare with what fit restores.
    """

    def __init__(self, model, lr, steps_per_epoch, good_epochs):
        self.model, self.sgd = model, SGD(model.parameters(), lr=lr)
        self.steps_per_epoch, self.good_epochs = steps_per_epoch, good_epochs
        self.steps, self.snapshots = 0, []

    def zero_grad(self):
        self.sgd.zero_grad()

    def step(self):
        if self.steps == self.steps_per_epoch * self.good_epochs:
            self.sgd.lr = -2 * self.sgd.lr     # climb the loss from now on
        self.sgd.step()
        self.steps += 1
        if self.steps % self.steps_per_epoch == 0:
            self.snapshots.append(snapshot(self.model))


@pytest.mark.parametrize("keep_best, pick", [("val_loss", np.argmin), ("val_accuracy", np.argmax),
                                             ("train_loss", np.argmin)])
def test_keep_best_restores_the_best_epoch(keep_best, pick):
    tt.manual_seed(1)
    train_loader, val_loader = moons_loaders(seed=1)
    model = MLP([2, 16, 2])
    optimizer = BlowUpAfter(model, lr=0.5, steps_per_epoch=len(train_loader), good_epochs=6)
    history = fit(model, train_loader, cross_entropy, optimizer, epochs=9, val_loader=val_loader,
                  metrics={"accuracy": accuracy}, keep_best=keep_best, verbose=False)
    values = history.history[keep_best]
    assert history.best_epoch == int(pick(values)), values    # pick returns the first best
    assert history.best_epoch < 8, f"the case must make the last epoch worse: {values}"
    restored = snapshot(model)
    best = optimizer.snapshots[history.best_epoch]
    assert restored.keys() == best.keys()
    for name in best:
        np.testing.assert_array_equal(restored[name], best[name])
    assert not all(np.array_equal(restored[k], optimizer.snapshots[-1][k]) for k in best)
    if keep_best.startswith("val"):
        result = evaluate(model, val_loader, cross_entropy, {"accuracy": accuracy})
        assert result[keep_best[4:]] == pytest.approx(values[history.best_epoch], rel=1e-5)


def test_keep_best_bad_keys():
    model = Linear(2, 1)
    loader = DataLoader(TensorDataset(np.zeros((4, 2)), np.zeros((4, 1))), batch_size=2)
    opt = SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"keep_best='val_loss' is not a recorded value; choose one of \['train_loss'\]"):
        fit(model, loader, mse_loss, opt, epochs=1, keep_best="val_loss", verbose=False)
    with pytest.raises(ValueError, match="keep_best='val_acc'"):
        fit(model, loader, mse_loss, opt, epochs=1, val_loader=loader, keep_best="val_acc",
            metrics={"accuracy": accuracy}, verbose=False)


def test_batches_need_inputs_and_targets():
    model = Linear(2, 1)
    loader = DataLoader(TensorDataset(np.zeros((4, 2))), batch_size=2)
    with pytest.raises(ValueError, match="needs inputs and targets, got a batch of 1"):
        fit(model, loader, mse_loss, SGD(model.parameters(), lr=0.1), epochs=1, verbose=False)


class ModeRecorder(Module):
    """A Linear layer that notes whether it ran in train mode and whether gradients were tracked."""

    def __init__(self):
        super().__init__()
        self.linear = Linear(2, 1)
        self.calls = []

    def forward(self, x):
        out = self.linear(x)
        self.calls.append((self.training, out.requires_grad))
        return out


def test_validation_runs_in_eval_mode_without_gradients():
    model = ModeRecorder()
    data = TensorDataset(np.ones((6, 2), dtype=np.float32), np.ones((6, 1), dtype=np.float32))
    fit(model, DataLoader(data, batch_size=3), mse_loss, SGD(model.parameters(), lr=0.01), epochs=2,
        val_loader=DataLoader(data, batch_size=6), verbose=False)
    # Per epoch: two training batches (train mode, graph) then one validation batch (eval, no graph).
    assert model.calls == [(True, True), (True, True), (False, False)] * 2
    assert model.training


def run_quietly(verbose, epochs=3):
    tt.manual_seed(0)
    model = Linear(2, 1)
    data = TensorDataset(np.ones((8, 2), dtype=np.float32), np.zeros((8, 1), dtype=np.float32))
    loader = DataLoader(data, batch_size=4)
    return fit(model, loader, mse_loss, SGD(model.parameters(), lr=0.1), epochs=epochs,
               val_loader=loader, verbose=verbose)


def test_verbose_false_prints_nothing(capsys):
    run_quietly(False)
    assert capsys.readouterr() == ("", "")


def test_plain_lines_when_not_a_terminal(capsys):
    history = run_quietly(True)
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert err == "" and len(lines) == 3
    last = history.history
    assert lines[-1] == (f"epoch 3/3  train_loss {last['train_loss'][-1]:.4f}  "
                         f"val_loss {last['val_loss'][-1]:.4f}")


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_terminal_bar_has_no_timings(monkeypatch, capsys):
    pytest.importorskip("tqdm")
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    run_quietly(True, epochs=4)
    text = terminal.getvalue()
    assert "fit 4/4 |" in text and "train_loss" in text and capsys.readouterr().out == ""
    for timing in ("it/s", "s/it", "<", "00:"):
        assert timing not in text, f"timing {timing!r} in progress output {text!r}"


def test_notebook_gets_one_line_per_epoch(monkeypatch, capsys):
    shell = type("ZMQInteractiveShell", (), {})()
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    monkeypatch.setattr(sys, "stderr", FakeTerminal())
    run_quietly(True, epochs=2)
    assert [line.split()[:2] for line in capsys.readouterr().out.splitlines()] == [
        ["epoch", "1/2"], ["epoch", "2/2"]]


def test_without_tqdm_a_terminal_gets_plain_lines(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)          # makes `import tqdm` fail
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    run_quietly(True, epochs=2)
    assert len(capsys.readouterr().out.splitlines()) == 2 and terminal.getvalue() == ""


def test_save_load_round_trip(tmp_path):
    tt.manual_seed(0)
    source = MLP([3, 5, 2])
    tt.manual_seed(1)
    target = MLP([3, 5, 2])
    assert not all(np.array_equal(a, b) for a, b in zip(snapshot(source).values(),
                                                        snapshot(target).values()))
    path = save(source, tmp_path / "model")
    assert path == str(tmp_path / "model.npz")
    assert load(target, path) is target
    for (name, a), (_, b) in zip(snapshot(source).items(), snapshot(target).items()):
        np.testing.assert_array_equal(a, b, err_msg=name)
    x = tt.Tensor(np.random.default_rng(0).normal(size=(4, 3)))
    np.testing.assert_array_equal(source(x).numpy(), target(x).numpy())


def test_load_into_a_different_architecture(tmp_path):
    path = save(MLP([3, 5, 2]), tmp_path / "model.npz")
    with pytest.raises(ValueError, match=r"shapes differ: .* is \(3, 5\) in the file but \(3, 4\) in the module"):
        load(MLP([3, 4, 2]), path)
    with pytest.raises(ValueError, match=r"missing \[.*\], unexpected \[\]"):
        load(MLP([3, 5, 5, 2]), path)


# ---------------------------------------------------------------- callbacks and Recorder

def _line_loader(n=12, batch_size=4):
    X = np.linspace(-1, 1, n, dtype=np.float32)[:, None]
    return DataLoader(TensorDataset(X, 2 * X + 1), batch_size=batch_size)


def test_callback_hooks_are_called_in_order_with_step_counts():
    events = []

    class Log(tt.Callback):
        def on_train_begin(self, model):
            events.append(("begin", model.training))

        def on_step_end(self, step, model, loss):
            assert isinstance(loss, float)
            events.append(("step", step))

        def on_epoch_end(self, epoch, model, logs):
            events.append(("epoch", epoch, sorted(logs)))

        def on_train_end(self, model):
            events.append(("end",))

    tt.manual_seed(0)
    model = Linear(1, 1)
    plain = []
    fit(model, _line_loader(), mse_loss, SGD(model.parameters(), lr=0.1), epochs=2,
        val_loader=_line_loader(), callbacks=[Log(), lambda step, m: plain.append(step)], verbose=False)
    keys = ["train_loss", "val_loss"]
    assert events == [("begin", True), ("step", 1), ("step", 2), ("step", 3), ("epoch", 0, keys),
                      ("step", 4), ("step", 5), ("step", 6), ("epoch", 1, keys), ("end",)]
    assert plain == [1, 2, 3, 4, 5, 6], "a plain function is called after every step"


def test_recorder_records_at_step_zero_and_every_n_steps():
    tt.manual_seed(0)
    model = Linear(1, 1)
    initial = model.weight.data.copy()
    after_each_step = {}
    recorder = tt.Recorder(lambda m: {"weight": m.weight.data, "bias": m.bias.item()}, every=2)
    fit(model, _line_loader(), mse_loss, SGD(model.parameters(), lr=0.1), epochs=2,
        callbacks=[recorder, lambda step, m: after_each_step.update({step: m.weight.data.copy()})],
        verbose=False)
    assert recorder.steps == [0, 2, 4, 6]
    weights = recorder["weight"]
    assert weights.shape == (4, 1, 1), "arrays are stacked along a new first axis"
    np.testing.assert_array_equal(weights[0], initial)
    for row, step in zip(weights[1:], recorder.steps[1:]):
        np.testing.assert_array_equal(row, after_each_step[step])   # a copy, taken at that step
    assert recorder["bias"].shape == (4,)
    assert not np.array_equal(weights[0], weights[-1]), "the weight changed while training"


def test_recorder_by_epoch():
    tt.manual_seed(0)
    model = Linear(1, 1)
    recorder = tt.Recorder(lambda m: {"w": m.weight.item()}, every=2, unit="epoch")
    fit(model, _line_loader(), mse_loss, SGD(model.parameters(), lr=0.1), epochs=5, callbacks=[recorder],
        verbose=False)
    assert recorder.steps == [0, 2, 4] and len(recorder.history["w"]) == 3


def test_recorder_probes_in_eval_mode_without_changing_training():
    """The probe runs the model in eval mode under no_grad: dropout draws nothing, so training with
    and without the recorder gives the same weights, and the model is back in train mode."""
    X, y = moons(64, noise=0.1, seed=0)

    def train(callbacks):
        tt.manual_seed(0)
        model = tt.Sequential(Linear(2, 16), tt.ReLU(), tt.Dropout(0.5), Linear(16, 2))
        loader = DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True, seed=0)
        fit(model, loader, cross_entropy, Adam(model.parameters(), lr=0.01), epochs=3,
            callbacks=callbacks, verbose=False)
        return model

    seen = []

    def probe(model):
        seen.append((model.training, tt.is_grad_enabled()))
        return {"loss": cross_entropy(model(X), y)}

    recorder = tt.Recorder(probe, every=1)
    plain, watched = train(None), train([recorder])
    for a, b in zip(snapshot(plain).values(), snapshot(watched).values()):
        np.testing.assert_array_equal(a, b)
    assert watched.training and set(seen) == {(False, False)} and len(seen) == 13
    losses = recorder["loss"]
    assert losses.shape == (13,) and losses[-1] < losses[0]


@pytest.mark.parametrize("make, error, message", [
    (lambda: tt.Recorder(lambda m: {}, every=0), ValueError, "every must be a positive integer"),
    (lambda: tt.Recorder(lambda m: {}, unit="batch"), ValueError, "unit must be 'step' or 'epoch'"),
    (lambda: tt.Recorder("loss"), TypeError, "probe must be a function"),
])
def test_recorder_bad_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_recorder_and_callbacks_bad_use():
    model = Linear(1, 1)
    opt = SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match="must return a dict"):
        fit(model, _line_loader(), mse_loss, opt, epochs=1, verbose=False,
            callbacks=[tt.Recorder(lambda m: 1.0)])
    calls = iter([{"a": 1.0}, {"b": 1.0}])
    with pytest.raises(ValueError, match=r"returned \['b'\] at step 1, but \['a'\] before"):
        fit(model, _line_loader(), mse_loss, opt, epochs=1, verbose=False,
            callbacks=[tt.Recorder(lambda m: next(calls))])
    with pytest.raises(TypeError, match="callbacks must be a list"):
        fit(model, _line_loader(), mse_loss, opt, epochs=1, verbose=False, callbacks=lambda s, m: None)
    with pytest.raises(TypeError, match="neither a Callback nor a function"):
        fit(model, _line_loader(), mse_loss, opt, epochs=1, verbose=False, callbacks=[3])
    with pytest.raises(KeyError, match="nothing recorded under 'loss'"):
        tt.Recorder(lambda m: {})["loss"]
