"""Callbacks for :func:`~tinytorch.core.training.fit`: hooks into training, and a Recorder.

A :class:`Callback` has four hooks that ``fit`` calls: at the start, after every optimizer step,
after every epoch and at the end (the names of Keras's callbacks, with the model passed in). A
:class:`Recorder` is the one most pages need: it runs a probe on the model every few steps and
keeps what it measures, ready to plot against ``recorder.steps``.
"""
import numpy as np

from tinytorch.core.tensor import no_grad

__all__ = ["Callback", "Recorder"]


class Callback:
    """Base class of what :func:`~tinytorch.core.training.fit` calls while it trains; override the hooks you need.

    :func:`~tinytorch.core.training.fit` calls ``on_train_begin(model)`` before the first step, ``on_step_end(step, model,
    loss)`` after every optimizer step (``step`` counts steps from 1 across epochs; ``loss`` is the
    batch loss as a float), ``on_epoch_end(epoch, model, logs)`` after every epoch (``epoch`` from
    0; ``logs`` the epoch's values, e.g. ``{"train_loss": ...}``) and ``on_train_end(model)``. The
    names follow Keras's callbacks, with the model passed in instead of stored.

    Examples
    --------
    >>> import numpy as np, tinytorch as tt
    >>> class CountSteps(tt.Callback):
    ...     def on_train_begin(self, model):
    ...         self.steps = 0
    ...     def on_step_end(self, step, model, loss):
    ...         self.steps = step
    >>> X = np.zeros((8, 1), dtype=np.float32)
    >>> loader, model = tt.DataLoader(tt.TensorDataset(X, X), batch_size=4), tt.Linear(1, 1)
    >>> counter = CountSteps()
    >>> _ = tt.fit(model, loader, tt.mse_loss, tt.SGD(model.parameters(), lr=0.1), epochs=3,
    ...            callbacks=[counter], verbose=False)
    >>> counter.steps                    # 3 epochs of 2 batches
    6
    """

    def on_train_begin(self, model):
        pass

    def on_step_end(self, step, model, loss):
        pass

    def on_epoch_end(self, epoch, model, logs):
        pass

    def on_train_end(self, model):
        pass


class _FunctionCallback(Callback):
    """A plain ``fn(step, model)``, called after every optimizer step."""

    def __init__(self, fn):
        self.fn = fn

    def on_step_end(self, step, model, loss):
        self.fn(step, model)


class Recorder(Callback):
    """Record what a probe measures on the model, every ``every`` steps (or epochs) of :func:`~tinytorch.core.training.fit`.

    The probe runs before training (at step 0) and then after every ``every``-th optimizer step
    (``unit="step"``) or epoch (``unit="epoch"``), in eval mode and under ``no_grad`` (the model's
    mode is restored afterwards), so measuring does not change training. Use a fixed probe batch
    for numbers that are comparable from one record to the next.

    Parameters
    ----------
    probe : callable
        ``probe(model)`` -> dict of str to a number or an array (for example one score per
        attention head). Every call must return the same names.
    every : int, default 1
        Record after every ``every``-th step (or epoch).
    unit : {"step", "epoch"}, default "step"
        What ``every`` counts.

    Attributes
    ----------
    steps : list of int
        The step (or epoch) count at each record: 0, every, 2 * every, ...
    history : dict of str to list
        For each name the probe returns, its values, one per record.

    Examples
    --------
    >>> import numpy as np, tinytorch as tt
    >>> _ = tt.manual_seed(0)
    >>> X = np.linspace(-1, 1, 32, dtype=np.float32)[:, None]
    >>> loader = tt.DataLoader(tt.TensorDataset(X, 3 * X), batch_size=8)
    >>> model = tt.Linear(1, 1)
    >>> recorder = tt.Recorder(lambda m: {"weight": m.weight.item()}, every=4)
    >>> _ = tt.fit(model, loader, tt.mse_loss, tt.SGD(model.parameters(), lr=0.2), epochs=3,
    ...            callbacks=[recorder], verbose=False)
    >>> recorder
    Recorder(records=4, every=4 steps, keys=['weight'])
    >>> recorder.steps, recorder["weight"].round(2)     # the weight on its way to 3
    ([0, 4, 8, 12], array([0.27, 1.55, 2.35, 2.71]))
    """

    def __init__(self, probe, every=1, unit="step"):
        if not callable(probe):
            raise TypeError(f"Recorder: probe must be a function probe(model) -> dict, got {probe!r}")
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise ValueError(f"Recorder: every must be a positive integer, got {every!r}")
        if unit not in ("step", "epoch"):
            raise ValueError(f"Recorder: unit must be 'step' or 'epoch', got {unit!r}")
        self.probe, self.every, self.unit = probe, int(every), unit
        self.steps, self.history = [], {}

    def record(self, count, model):
        """Run the probe on ``model`` now and file its values under ``count``."""
        was_training = getattr(model, "training", True)
        model.eval()
        try:
            with no_grad():
                values = self.probe(model)
        finally:
            model.train() if was_training else model.eval()
        if not isinstance(values, dict):
            raise TypeError("Recorder: the probe must return a dict of name -> value, got "
                            f"{type(values).__name__}")
        if self.history and set(values) != set(self.history):
            raise ValueError(f"Recorder: the probe returned {sorted(values)} at {self.unit} {count}, "
                             f"but {sorted(self.history)} before")
        for name, value in values.items():
            value = np.array(value.data if hasattr(value, "data") else value, copy=True)
            self.history.setdefault(name, []).append(value[()] if value.ndim == 0 else value)
        self.steps.append(count)

    def __getitem__(self, name):
        """The values recorded for ``name``, stacked: (records, *value shape)."""
        if name not in self.history:
            raise KeyError(f"Recorder: nothing recorded under {name!r}; recorded {list(self.history)}")
        return np.stack([np.asarray(v) for v in self.history[name]])

    def on_train_begin(self, model):
        self.record(0, model)

    def on_step_end(self, step, model, loss):
        if self.unit == "step" and step % self.every == 0:
            self.record(step, model)

    def on_epoch_end(self, epoch, model, logs):
        if self.unit == "epoch" and (epoch + 1) % self.every == 0:
            self.record(epoch + 1, model)

    def __repr__(self):
        return (f"Recorder(records={len(self.steps)}, every={self.every} {self.unit}s, "
                f"keys={list(self.history)})")


_HOOKS = ("on_train_begin", "on_step_end", "on_epoch_end", "on_train_end")


def as_callbacks(callbacks):
    """The callbacks as objects with all four hooks (plain functions wrapped)."""
    if callbacks is None:
        return []
    if not isinstance(callbacks, (list, tuple)):
        raise TypeError(f"fit: callbacks must be a list, got {type(callbacks).__name__}")
    out = []
    for callback in callbacks:
        if any(hasattr(callback, hook) for hook in _HOOKS):
            out.append(callback)
        elif callable(callback):
            out.append(_FunctionCallback(callback))
        else:
            raise TypeError(f"fit: callback {callback!r} is neither a Callback nor a function "
                            "fn(step, model)")
    return out


def call_hook(callbacks, hook, *args):
    """Call ``hook(*args)`` on every callback that has it, in list order."""
    for callback in callbacks:
        method = getattr(callback, hook, None)
        if method is not None:
            method(*args)
