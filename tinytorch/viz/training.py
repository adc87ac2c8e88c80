"""Training figures: loss and metric curves, decision regions of a 2-D classifier."""

from __future__ import annotations

import numpy as np

from ._base import FIGURE_WIDTH, class_color, class_marker, listing, styled, to_numpy
from ._figure import add_alt_text, figure_of, new_figure
from .confusion import confusion_matrix


# --- history -------------------------------------------------------------------------------
def _history_dict(history) -> dict:
    hist = getattr(history, "history", history)
    if not isinstance(hist, dict):
        raise TypeError("plot_history: expected a History (with a .history dict) or a dict of "
                        f"per-epoch lists, got {type(history).__name__}")
    return hist


@styled
def plot_history(history, best_epoch=None, title=None):
    """Training and validation curves: one panel for the loss, one per metric.

    Parameters
    ----------
    history : History or dict
        ``fit``'s History (its ``.history``) or a dict of per-epoch lists: ``train_loss``,
        ``val_loss``, ``train_<metric>``, ``val_<metric>``. Keys without a ``train_`` /
        ``val_`` prefix are plotted as training curves.
    best_epoch : int, optional
        0-based index of the epoch to mark (a dotted line). Default: ``history.best_epoch``
        or the dict's ``"best_epoch"`` entry, if either exists.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One Axes per quantity (loss first); x axis: epoch 1, 2, ...

    Examples
    --------
    >>> from tinytorch import viz
    >>> h = {"train_loss": [1.0, 0.5, 0.4], "val_loss": [1.1, 0.6, 0.7],
    ...      "train_accuracy": [0.5, 0.8, 0.9], "val_accuracy": [0.4, 0.7, 0.6]}
    >>> fig = viz.plot_history(h, best_epoch=1)
    >>> len(fig.axes)
    2
    """
    hist = _history_dict(history)
    if best_epoch is None:
        best_epoch = getattr(history, "best_epoch", None)
        best_epoch = hist.get("best_epoch", best_epoch) if best_epoch is None else best_epoch
    curves = {}
    for key, values in hist.items():
        if key in ("best_epoch", "epoch", "epochs") or np.ndim(values) != 1 or len(values) == 0:
            continue
        split, name = ("val", key[4:]) if key.startswith("val_") else \
            ("train", key[6:] if key.startswith("train_") else key)
        curves.setdefault(name, {})[split] = np.asarray(values, dtype=float)
    if not curves:
        raise ValueError(f"plot_history: no per-epoch lists found (keys: {sorted(hist)})")
    names = sorted(curves, key=lambda n: n != "loss")  # loss first, then metrics in order
    n_epochs = max(len(v) for c in curves.values() for v in c.values())
    if best_epoch is not None and not 0 <= int(best_epoch) < n_epochs:
        raise ValueError(f"plot_history: best_epoch {best_epoch} is outside 0..{n_epochs - 1} "
                         f"(the history has {n_epochs} epochs)")
    cols = min(len(names), 3)
    rows = -(-len(names) // cols)
    fig, axes = new_figure(FIGURE_WIDTH if cols > 1 else 4.5, 2.6 * rows + (0.3 if title else 0),
                           rows, cols)
    parts = []
    for ax, name in zip(axes.ravel(), names):  # one panel per quantity
        for split, style in (("train", "-"), ("val", "--")):
            if split in curves[name]:
                values = curves[name][split]
                epochs = np.arange(1, len(values) + 1)
                ax.plot(epochs, values, style, marker="o" if len(values) <= 30 else None,
                        markersize=3, label="training" if split == "train" else "validation")
                pick = np.nanargmin if name == "loss" else np.nanargmax
                i = int(pick(values))
                parts.append(f"{'validation' if split == 'val' else 'training'} {name} goes from "
                             f"{values[0]:.3g} to {values[-1]:.3g} "
                             f"({'lowest' if name == 'loss' else 'highest'} {values[i]:.3g} at epoch {i + 1})")
        if best_epoch is not None:
            ax.axvline(int(best_epoch) + 1, color="0.3", linestyle=":", linewidth=1,
                       label=f"best epoch ({int(best_epoch) + 1})")
        ax.set(xlabel="epoch", ylabel=name.replace("_", " "), title=name.replace("_", " "))
        ax.legend()
    for ax in axes.ravel()[len(names):]:
        ax.remove()
    if title:
        fig.suptitle(title)
    text = (f"Training curves over {n_epochs} epochs{f' ({title})' if title else ''}, one panel "
            f"each for {listing(names)}: {'; '.join(parts)}.")
    if best_epoch is not None:
        text += f" The best epoch, {int(best_epoch) + 1}, is marked with a dotted line."
    add_alt_text(fig, text)
    return fig


# --- decision boundary ---------------------------------------------------------------------
def _predict(model, points: np.ndarray, output: str) -> np.ndarray:
    """Class ids for ``points`` (M, 2) in one batched call (under no_grad for Modules)."""
    if hasattr(model, "parameters") and hasattr(model, "training"):  # a tinytorch Module
        from tinytorch.core.tensor import Tensor, no_grad
        was_training = model.training
        model.eval()
        try:
            with no_grad():
                raw = model(Tensor(points.astype(np.float32)))
        finally:
            if was_training:
                model.train()
    elif callable(model):
        raw = model(points)
    else:
        raise TypeError(f"plot_decision_boundary: model must be a Module or a callable, "
                        f"got {type(model).__name__}")
    out = to_numpy(raw, "plot_decision_boundary", "the model's output").astype(float)
    if out.ndim == 2 and out.shape[1] > 1:
        if out.shape[0] != len(points):
            raise ValueError(f"plot_decision_boundary: the model returned shape {out.shape} for "
                             f"{len(points)} points; expected ({len(points)}, C)")
        return out.argmax(axis=1)
    out = out.reshape(-1)
    if out.shape[0] != len(points):
        raise ValueError(f"plot_decision_boundary: the model returned {out.shape[0]} values for "
                         f"{len(points)} points; expected (N,), (N, 1) or (N, C)")
    if output == "auto":
        output = "probabilities" if out.min() >= 0 and out.max() <= 1 else "logits"
    if output not in ("probabilities", "logits"):
        raise ValueError(f"plot_decision_boundary: output must be 'auto', 'logits' or "
                         f"'probabilities', got {output!r}")
    return (out > (0.5 if output == "probabilities" else 0.0)).astype(int)


@styled
def plot_decision_boundary(model, X, y, ax=None, class_names=None, resolution=200, margin=0.5,
                           output="auto", title=None, axis_names=("x1", "x2")):
    """Decision regions of a 2-D classifier with the data points on top.

    Parameters
    ----------
    model : Module or callable
        A tinytorch Module taking a Tensor (N, 2) (run in eval mode under ``no_grad``), or a
        function of an ndarray (N, 2). It returns logits or probabilities (N, C), or one
        score per point (N,) / (N, 1) for a binary problem.
    X : ndarray or Tensor
        The points.
    y : array of int
        Their classes.
    ax : matplotlib Axes, optional
    class_names : sequence of str, optional
        Default: ``"class 0"``, ``"class 1"``, ...
    resolution : int, optional
        Grid points per axis; the grid and ``X`` are evaluated in one batched call. Default: 200.
    margin : float, optional
        Space around the data, in data units. Default: 0.5.
    output : {"auto", "logits", "probabilities"}, optional
        For a single score per point: threshold at 0 (logits) or 0.5 (probabilities);
        ``"auto"`` assumes probabilities when every score lies in [0, 1].
    title : str, optional
    axis_names : pair of str, optional
        Names of the two input features, for the axis labels and the alt text.
        Default: ``("x1", "x2")``.

    Returns
    -------
    matplotlib.figure.Figure

    Shape
    -----
    X: (N, 2); y: (N,); model output: (N, C), (N, 1) or (N,).

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch import viz
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    >>> fig = viz.plot_decision_boundary(lambda p: p[:, 0] - 0.5, X, [0, 1, 0, 1])
    >>> viz.alt_text(fig).split(". ")[1]
    'Accuracy on the plotted points 100% (all points in their own region).'
    """
    op = "plot_decision_boundary"
    X = to_numpy(X, op, "X").astype(float)
    y = to_numpy(y, op, "y").reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"{op}: X must have shape (N, 2), got {X.shape}")
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"{op}: y has {y.shape[0]} labels but X has {X.shape[0]} points "
                         f"(X shape {X.shape}, y shape {y.shape})")
    y = y.astype(int)
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    predicted = _predict(model, np.concatenate([grid, X]), output)
    regions, pred_points = predicted[:-len(X)].reshape(gx.shape), predicted[-len(X):]
    n_classes = int(max(y.max(), predicted.max())) + 1
    names = [f"class {k}" for k in range(n_classes)] if class_names is None else [str(n) for n in class_names]
    if len(names) < n_classes:
        raise ValueError(f"{op}: class_names has {len(names)} names but there are {n_classes} classes")

    fig, ax = figure_of(ax, 4.8, 4.2)
    colors = [class_color(k) for k in range(n_classes)]
    ax.contourf(gx, gy, regions, levels=np.arange(n_classes + 1) - 0.5,
                colors=colors, alpha=0.25)
    ax.contour(gx, gy, regions, levels=np.arange(n_classes) + 0.5, colors="0.2", linewidths=1)
    for k in range(n_classes):  # one scatter per class, for the legend
        pts = X[y == k]
        ax.scatter(pts[:, 0], pts[:, 1], s=18, color=colors[k], marker=class_marker(k),
                   edgecolor="black", linewidth=0.5, label=names[k])
    wrong = pred_points != y
    if wrong.any():
        ax.scatter(X[wrong, 0], X[wrong, 1], s=70, facecolor="none", edgecolor="#D55E00",
                   linewidth=1.2, label="misclassified")
    ax.legend(loc="best", framealpha=0.9)
    ax.set(xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]), xlabel=axis_names[0], ylabel=axis_names[1])
    if title:
        ax.set_title(title)

    counts = np.bincount(y, minlength=n_classes)
    area = np.bincount(regions.ravel(), minlength=n_classes) / regions.size
    text = (f"Decision regions of a {n_classes}-class classifier{f' ({title})' if title else ''} over "
            f"{axis_names[0]} from {lo[0]:.3g} to {hi[0]:.3g} and {axis_names[1]} from {lo[1]:.3g} to {hi[1]:.3g}, with "
            f"{len(X)} points ({listing(f'{names[k]}: {counts[k]}' for k in range(n_classes))}); "
            f"regions cover {listing(f'{names[k]} {area[k]:.0%}' for k in range(n_classes))} of the plot. ")
    text += f"Accuracy on the plotted points {1 - wrong.mean():.0%} "
    if wrong.any():
        pairs = confusion_matrix(y, pred_points, n_classes)
        np.fill_diagonal(pairs, 0)
        errs = [f"{pairs[t, p]} {names[t]} in the {names[p]} region"
                for t, p in zip(*np.nonzero(pairs))]
        text += f"({int(wrong.sum())} misclassified points, circled: {listing(errs, 6)})."
    else:
        text += "(all points in their own region)."
    add_alt_text(fig, text)
    return fig
