"""A training loop: ``fit`` runs epochs over a ``DataLoader`` and records a ``History``.

Each batch from the loader is ``(*inputs, targets)``: the model is called as ``model(*inputs)`` and
the loss as ``loss_fn(outputs, targets)``. Epoch values are averages over samples (batch values
weighted by batch size), so they do not depend on how the last, smaller batch falls.

Progress output never contains timings, so notebook outputs stay identical from build to build.

To watch a model while it learns, pass ``callbacks`` (:mod:`tinytorch.core.callbacks`): a
:class:`~tinytorch.core.callbacks.Recorder` calls a probe function every few steps and keeps what
it returns; any :class:`~tinytorch.core.callbacks.Callback` (or a plain ``fn(step, model)``) is
called at the start, after every optimizer step, after every epoch and at the end.
"""
import sys

import numpy as np

from tinytorch.core.callbacks import Callback, Recorder, as_callbacks, call_hook
from tinytorch.core.serialization import load, save
from tinytorch.core.tensor import no_grad

__all__ = ["History", "Callback", "Recorder", "fit", "evaluate", "save", "load"]


class History:
    """What :func:`fit` records: per-epoch losses and metrics, and the best epoch.

    Attributes
    ----------
    history : dict of str to list of float
        One value per epoch for ``train_loss``, ``train_<metric>`` for each metric and, with a
        validation loader, ``val_loss`` and ``val_<metric>``.
    best_epoch : int or None
        With ``keep_best``, the index (0-based, into the ``history`` lists) of the epoch whose
        weights the model holds after ``fit``; otherwise None.
    epochs : int
        Number of epochs run.

    Examples
    --------
    >>> import numpy as np, tinytorch as tt
    >>> _ = tt.manual_seed(0)
    >>> X = np.linspace(-1, 1, 8, dtype=np.float32)[:, None]
    >>> loader, model = tt.DataLoader(tt.TensorDataset(X, 2 * X), batch_size=4), tt.Linear(1, 1)
    >>> history = tt.fit(model, loader, tt.mse_loss, tt.SGD(model.parameters(), lr=0.1), epochs=3,
    ...                  keep_best="train_loss", verbose=False)
    >>> history
    History(epochs=3, keys=['train_loss'], best_epoch=2)
    >>> [round(loss, 2) for loss in history.history["train_loss"]]     # one value per epoch
    [1.55, 0.99, 0.65]
    """

    def __init__(self):
        self.history = {}
        self.best_epoch = None

    @property
    def epochs(self):
        return len(self.history.get("train_loss", []))

    def _append(self, prefix, values):
        for name, value in values.items():
            self.history.setdefault(f"{prefix}_{name}", []).append(value)

    def __repr__(self):
        return f"History(epochs={self.epochs}, keys={list(self.history)}, best_epoch={self.best_epoch})"


def _float(value):
    return float(value.item() if hasattr(value, "item") else value)


def _split_batch(batch, where):
    if len(batch) < 2:
        raise ValueError(f"{where}: each batch needs inputs and targets, got a batch of {len(batch)} "
                         "array(s); build the loader from TensorDataset(inputs, targets)")
    return batch[:-1], batch[-1]


def _run_epoch(model, loader, loss_fn, metrics, optimizer=None, on_step=None):
    """Sample-weighted mean loss and metrics over one pass; trains when an optimizer is given.

    ``on_step(loss)`` is called after each optimizer step with the batch loss (a float)."""
    totals, count = dict.fromkeys(["loss", *metrics], 0.0), 0
    for batch in loader:
        inputs, targets = _split_batch(batch, "fit" if optimizer else "evaluate")
        outputs = model(*inputs)
        loss = loss_fn(outputs, targets)
        if optimizer is not None:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if on_step is not None:
                on_step(_float(loss))
        size = len(targets.data) if hasattr(targets, "data") else len(targets)
        with no_grad():
            batch_values = {"loss": loss, **{n: fn(outputs, targets) for n, fn in metrics.items()}}
        for name, value in batch_values.items():
            totals[name] += _float(value) * size
        count += size
    if count == 0:
        raise ValueError("fit: the loader yielded no samples (empty data set, or drop_last with "
                         "fewer samples than batch_size)")
    return {name: total / count for name, total in totals.items()}


def evaluate(model, loader, loss_fn, metrics=None):
    """Mean loss and metrics of ``model`` over ``loader``, in eval mode and without gradients.

    Parameters
    ----------
    model : Module
        Called as ``model(*inputs)``; its train/eval mode is restored afterwards.
    loader : DataLoader
        Yields ``(*inputs, targets)`` batches.
    loss_fn : callable
        ``loss_fn(outputs, targets)`` -> scalar Tensor (a batch mean).
    metrics : dict of str to callable, optional
        ``name -> fn(outputs, targets)`` returning a batch mean (float or scalar Tensor).

    Returns
    -------
    dict of str to float
        ``"loss"`` and each metric name, averaged over samples.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch.core.dataloader import DataLoader, TensorDataset
    >>> from tinytorch.core.layers import Linear
    >>> from tinytorch.core.losses import mse_loss
    >>> from tinytorch.core.training import evaluate
    >>> model = Linear(1, 1, bias=False)
    >>> model.weight.data[:] = 2.0                     # predicts 2 for input 1; the target is 3
    >>> loader = DataLoader(TensorDataset(np.ones((5, 1)), np.full((5, 1), 3.0)), batch_size=2)
    >>> evaluate(model, loader, mse_loss)
    {'loss': 1.0}
    """
    was_training = getattr(model, "training", True)
    model.eval()
    try:
        with no_grad():
            return _run_epoch(model, loader, loss_fn, dict(metrics or {}))
    finally:
        model.train() if was_training else model.eval()


def _is_better(mode, value, best):
    if not np.isfinite(value):
        return False
    return best is None or (value < best if mode == "min" else value > best)


def _progress(verbose, epochs):
    """A callable ``report(epoch, values)`` and a ``close()``: tqdm bar, plain lines, or nothing."""
    if not verbose:
        return (lambda epoch, values: None), (lambda: None)
    line = lambda values: "  ".join(f"{k} {v:.4f}" for k, v in values.items())
    if not _in_notebook() and sys.stderr.isatty():
        try:
            from tqdm import tqdm
        except ImportError:
            tqdm = None
        if tqdm is not None:
            # No {elapsed}, {remaining} or {rate} fields: the bar shows progress, never timings.
            bar = tqdm(total=epochs, leave=True, bar_format="fit {n_fmt}/{total_fmt} |{bar:20}| {desc}")

            def report(epoch, values):
                bar.set_description_str(line(values), refresh=False)
                bar.update(1)
            return report, bar.close
    width = len(str(epochs))
    return (lambda epoch, values: print(f"epoch {epoch + 1:>{width}}/{epochs}  {line(values)}",
                                        flush=True)), (lambda: None)


def _in_notebook():
    """True inside a Jupyter kernel (checked without importing IPython)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def fit(model, train_loader, loss_fn, optimizer, epochs, val_loader=None, metrics=None,
        keep_best=None, verbose=True, callbacks=None):
    """Train ``model`` for ``epochs`` passes over ``train_loader``; return the :class:`History`.

    Each batch: ``outputs = model(*inputs)``, ``loss_fn(outputs, targets).backward()``, then
    ``optimizer.step()``. Training values are averaged over the epoch's batches as they are seen
    (so they mix weights from the start and the end of the epoch, like Keras and most loops);
    validation runs after each epoch in eval mode under ``no_grad``.

    Parameters
    ----------
    model : Module
        The model; left in train mode at the end.
    train_loader : DataLoader
        Yields ``(*inputs, targets)`` batches, e.g. from ``TensorDataset(X, y)``.
    loss_fn : callable
        ``loss_fn(outputs, targets)`` -> scalar Tensor, e.g. ``cross_entropy``.
    optimizer : Optimizer
        Anything with ``zero_grad()`` and ``step()`` over the model's parameters.
    epochs : int
        Number of passes over ``train_loader``.
    val_loader : DataLoader, optional
        Evaluated after every epoch, giving ``val_loss`` and ``val_<metric>``.
    metrics : dict of str to callable, optional
        ``name -> fn(outputs, targets)`` returning a batch mean, e.g. ``{"accuracy": accuracy}``.
    keep_best : str, optional
        A history key such as ``"val_loss"`` or ``"val_accuracy"``. After training the model gets
        back the weights of the epoch with the best value, and ``History.best_epoch`` names it.
        Rule: keys ending in ``loss`` are minimised, every other key (accuracy-like) is maximised;
        the earliest epoch wins a tie, and NaN or infinite values never count as best.
    verbose : bool, default True
        Progress: a tqdm bar (no timings) in a terminal, one line per epoch in a notebook or when
        tqdm is missing or output is not a terminal; nothing when False.
    callbacks : list, optional
        :class:`~tinytorch.core.callbacks.Callback` objects (such as a
        :class:`~tinytorch.core.callbacks.Recorder`), whose hooks are called at the
        start, after every optimizer step, after every epoch and at the end (in list order), or
        plain functions ``fn(step, model)``, called after every step.

    Returns
    -------
    History
        ``history.history`` maps ``train_loss``, ``val_loss``, ``train_<m>``, ``val_<m>`` to
        per-epoch lists of floats.

    Examples
    --------
    >>> import numpy as np
    >>> import tinytorch as tt
    >>> from tinytorch.core.dataloader import DataLoader, TensorDataset
    >>> from tinytorch.core.layers import Linear
    >>> from tinytorch.core.losses import mse_loss
    >>> from tinytorch.core.optimizers import SGD
    >>> from tinytorch.core.training import fit
    >>> _ = tt.manual_seed(0)
    >>> X = np.linspace(-1, 1, 32, dtype=np.float32)[:, None]
    >>> loader = DataLoader(TensorDataset(X, 3 * X + 1), batch_size=8, shuffle=True, seed=0)
    >>> model = Linear(1, 1)
    >>> history = fit(model, loader, mse_loss, SGD(model.parameters(), lr=0.1), epochs=30, verbose=False)
    >>> losses = history.history["train_loss"]
    >>> len(losses), losses[-1] < 0.01 * losses[0]
    (30, True)
    """
    metrics = dict(metrics or {})
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"fit: epochs must be a non-negative integer, got {epochs!r}")
    mode = None
    if keep_best is not None:
        known = ["train_loss", *(f"train_{m}" for m in metrics)]
        if val_loader is not None:
            known += ["val_loss", *(f"val_{m}" for m in metrics)]
        if keep_best not in known:
            raise ValueError(f"fit: keep_best={keep_best!r} is not a recorded value; choose one of {known}")
        mode = "min" if keep_best.endswith("loss") else "max"
    callbacks = as_callbacks(callbacks)
    history, best_value, best_state = History(), None, None
    steps = 0

    def on_step(loss):
        nonlocal steps
        steps += 1
        call_hook(callbacks, "on_step_end", steps, model, loss)

    model.train()
    call_hook(callbacks, "on_train_begin", model)
    report, close = _progress(verbose, epochs)
    try:
        for epoch in range(epochs):
            model.train()
            history._append("train", _run_epoch(model, train_loader, loss_fn, metrics, optimizer,
                                                on_step if callbacks else None))
            if val_loader is not None:
                history._append("val", evaluate(model, val_loader, loss_fn, metrics))
            if mode is not None and _is_better(mode, history.history[keep_best][-1], best_value):
                best_value, history.best_epoch = history.history[keep_best][-1], epoch
                best_state = {k: np.array(getattr(v, "data", v), copy=True)
                              for k, v in model.state_dict().items()}
            report(epoch, {k: v[-1] for k, v in history.history.items()})
            call_hook(callbacks, "on_epoch_end", epoch, model, {k: v[-1] for k, v in history.history.items()})
    finally:
        close()
    if best_state is not None:
        model.load_state_dict(best_state)
    model.train()
    call_hook(callbacks, "on_train_end", model)
    return history
