"""Confusion matrices: the counts (:func:`confusion_matrix`) and their heatmap (:func:`plot_confusion`)."""

from __future__ import annotations

import numpy as np

from ._base import FIGURE_WIDTH, SEQUENTIAL_CMAP, listing, styled, text_colors, to_numpy
from ._figure import add_alt_text, figure_of

def confusion_matrix(y_true, y_pred, num_classes=None) -> np.ndarray:
    """Counts of (true, predicted) class pairs, computed with one ``np.bincount``.

    Parameters
    ----------
    y_true : array of int
    y_pred : array of int, or scores (N, C) (then their argmax is the prediction)
    num_classes : int, optional
        Default: 1 + the largest class id seen.

    Returns
    -------
    ndarray of int64, shape (C, C)
        Row = true class, column = predicted class (scikit-learn's convention).

    Examples
    --------
    >>> from tinytorch.viz import confusion_matrix
    >>> confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2])
    array([[1, 0, 0],
           [0, 1, 1],
           [0, 0, 1]])
    """
    op = "confusion_matrix"
    t = to_numpy(y_true, op, "y_true")
    p = to_numpy(y_pred, op, "y_pred")
    if p.ndim == 2 and t.ndim == 1:
        p = p.argmax(axis=1)
    if t.ndim != 1 or t.shape != p.shape:
        raise ValueError(f"{op}: y_true and y_pred must be 1-D of equal length, got shapes "
                         f"{t.shape} and {p.shape}")
    for name, a in (("y_true", t), ("y_pred", p)):
        if a.size and not (np.issubdtype(a.dtype, np.integer) or np.all(a == np.round(a))):
            raise TypeError(f"{op}: {name} must hold integer class ids, got dtype {a.dtype}")
    t, p = t.astype(np.int64), p.astype(np.int64)
    c = int(max(t.max(initial=-1), p.max(initial=-1)) + 1) if num_classes is None else int(num_classes)
    bad = (t < 0) | (t >= c) | (p < 0) | (p >= c)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{op}: sample {i} has true class {t[i]} and prediction {p[i]}; "
                         f"class ids must be in [0, {c})")
    return np.bincount(t * c + p, minlength=c * c).reshape(c, c)


@styled
def plot_confusion(y_true, y_pred, class_names=None, ax=None, title=None):
    """Confusion matrix heatmap with the count written in every cell.

    Parameters
    ----------
    y_true, y_pred : array of int
        True classes and predictions (or scores (N, C)); see :func:`confusion_matrix`.
    class_names : sequence of str, optional
        Default: ``"0"``, ``"1"``, ...; its length sets the number of classes.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Rows: true class; columns: predicted class.

    Examples
    --------
    >>> from tinytorch import viz
    >>> fig = viz.plot_confusion([0, 1, 1], [0, 1, 0], ["cat", "dog"])
    >>> sorted(t.get_text() for t in fig.axes[0].texts)
    ['0', '1', '1', '1']
    """
    n = None if class_names is None else len(class_names)
    cm = confusion_matrix(y_true, y_pred, n)
    c = cm.shape[0]
    names = [str(k) for k in range(c)] if class_names is None else [str(s) for s in class_names]
    import matplotlib as mpl
    fig, ax = figure_of(ax, min(FIGURE_WIDTH, 2.2 + 0.5 * c), 1.6 + 0.45 * c)
    cmap = mpl.colormaps[SEQUENTIAL_CMAP]
    norm = mpl.colors.Normalize(0, max(int(cm.max()), 1))
    image = ax.imshow(cm, cmap=cmap, norm=norm, interpolation="nearest")
    colors = text_colors(cmap(norm(cm)))
    for (r, k), count in np.ndenumerate(cm):  # one text artist per cell: matplotlib's API
        ax.text(k, r, str(count), ha="center", va="center", color=colors[r, k],
                fontsize=8 if c <= 10 else 6)
    long_names = max(map(len, names)) > 3
    ax.set_xticks(np.arange(c), labels=names, rotation=45 if long_names else 0,
                  ha="right" if long_names else "center", rotation_mode="anchor")
    ax.set_yticks(np.arange(c), labels=names)
    ax.set(xlabel="predicted class", ylabel="true class")
    ax.tick_params(length=0)
    ax.spines[:].set_visible(False)
    fig.colorbar(image, ax=ax, label="count", shrink=0.9)
    if title:
        ax.set_title(title)

    total = int(cm.sum())
    recall = np.diag(cm) / np.maximum(cm.sum(axis=1), 1)
    off = cm.copy()
    np.fill_diagonal(off, 0)
    text = (f"Confusion matrix of {total} samples over {c} classes ({listing(names)}), true class "
            f"in rows, predicted in columns{f' ({title})' if title else ''}. Accuracy "
            f"{np.trace(cm) / max(total, 1):.1%}; recall per class: "
            f"{listing(f'{names[k]} {recall[k]:.0%}' for k in range(c))}.")
    if off.any():
        t, p = np.unravel_index(off.argmax(), off.shape)
        n_errors = int(off.sum())
        text += (f" Most frequent error: true {names[t]} predicted as {names[p]} ({off[t, p]} of "
                 f"{n_errors} error{'s' if n_errors > 1 else ''}).")
    else:
        text += " No errors: every count is on the diagonal."
    add_alt_text(fig, text)
    return fig
