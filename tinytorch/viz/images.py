"""Image figures: a grid of input images, and a grid of convolution filters."""

from __future__ import annotations

from collections import Counter

import numpy as np

from ._base import DIVERGING_CMAP, FIGURE_WIDTH, listing, styled, to_numpy
from ._figure import add_alt_text, new_figure


def _frame(ax):
    """No ticks; a thin grey frame on all four sides (the style hides top and right)."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set(visible=True, color="0.6", linewidth=0.5)


@styled
def plot_images(images, labels=None, class_names=None, predictions=None, ncols=8, max_images=32,
                title=None):
    """A grid of images, each titled with its class (and the prediction, if given).

    Parameters
    ----------
    images : ndarray or Tensor
        Grayscale or RGB images; all share one intensity scale.
    labels : array of int, optional
        Classes, shown above each image.
    class_names : sequence of str, optional
        Names of the class ids. Default: the ids.
    predictions : array of int, optional
        Predicted classes: titles read ``"pred ✓"`` or ``"pred ✗ (true)"``, wrong ones in
        vermillion (a second cue besides the mark).
    ncols : int, optional
        Images per row. Default: 8.
    max_images : int, optional
        Show at most this many (the first ones). Default: 32.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One Axes per image shown.

    Shape
    -----
    images: (N, H, W), (N, 1, H, W) or (N, 3, H, W); labels, predictions: (N,).

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch import viz
    >>> fig = viz.plot_images(np.zeros((3, 1, 8, 8)), [0, 1, 1], ["bar", "ring"])
    >>> len(fig.axes), fig.axes[2].get_title()
    (3, 'ring')
    """
    op = "plot_images"
    arr = to_numpy(images, op, "images").astype(float)
    if arr.ndim == 4 and arr.shape[1] in (1, 3):
        arr = arr[:, 0] if arr.shape[1] == 1 else arr.transpose(0, 2, 3, 1)
    elif arr.ndim != 3:
        raise ValueError(f"{op}: images must have shape (N, H, W), (N, 1, H, W) or (N, 3, H, W), "
                         f"got {arr.shape}")
    n_total = arr.shape[0]
    arrays = {}
    for name, values in (("labels", labels), ("predictions", predictions)):
        if values is not None:
            values = to_numpy(values, op, name).reshape(-1).astype(int)
            if values.shape[0] != n_total:
                raise ValueError(f"{op}: {name} has {values.shape[0]} entries but images has "
                                 f"{n_total} (images shape {to_numpy(images, op, 'images').shape})")
        arrays[name] = values
    labels, predictions = arrays["labels"], arrays["predictions"]
    if predictions is not None and labels is None:
        raise ValueError(f"{op}: predictions need labels to compare with")
    n = min(n_total, int(max_images))
    cols = max(1, min(int(ncols), n))
    rows = -(-n // cols)

    def name(k):
        return str(k) if class_names is None else str(class_names[k])

    panel = min(1.1, FIGURE_WIDTH / cols)
    fig, axes = new_figure(panel * cols, (panel + 0.25) * rows + (0.3 if title else 0), rows, cols)
    lo, hi = float(arr[:n].min()), float(arr[:n].max())
    rgb = arr.ndim == 4
    for i, ax in enumerate(axes.ravel()):  # one Axes per image: matplotlib's API
        if i >= n:
            ax.remove()
            continue
        image = (arr[i] - lo) / (hi - lo if hi > lo else 1.0) if rgb else arr[i]
        ax.imshow(image, cmap=None if rgb else "gray", vmin=None if rgb else lo,
                  vmax=None if rgb else hi, interpolation="nearest")
        _frame(ax)
        if predictions is not None:
            right = predictions[i] == labels[i]
            ax.set_title(f"{name(predictions[i])} ✓" if right else
                         f"{name(predictions[i])} ✗ ({name(labels[i])})",
                         fontsize=7, color="black" if right else "#D55E00")
        elif labels is not None:
            ax.set_title(name(labels[i]), fontsize=8)
    if title:
        fig.suptitle(title)

    h, w = arr.shape[1:3]
    text = (f"Grid of {n} {'RGB' if rgb else 'grayscale'} images of {h}×{w} pixels"
            f"{f' (of {n_total})' if n < n_total else ''}{f' ({title})' if title else ''}")
    if labels is not None:
        counts = Counter(labels[:n].tolist())
        text += f"; classes shown: {listing(f'{name(k)} ×{counts[k]}' for k in sorted(counts))}"
    text += "."
    if predictions is not None:
        wrong = np.flatnonzero(predictions[:n] != labels[:n])
        text += f" Predictions: {n - wrong.size} of {n} correct"
        text += ("." if wrong.size == 0 else ": wrong are " + listing(
            f"image {i + 1} (a {name(labels[i])} taken for a {name(predictions[i])})" for i in wrong) + ".")
    add_alt_text(fig, text)
    return fig


@styled
def plot_filters(weight, ncols=8, max_filters=64, max_in_channels=8, title=None):
    """Convolution filters on one diverging colour scale centred at 0.

    With one input channel, each output channel is one panel; with several, each output
    channel is one row of panels, one per input channel.

    Parameters
    ----------
    weight : ndarray or Tensor
        A conv layer's weight, e.g. ``conv.weight``.
    ncols : int, optional
        Panels per row when there is one input channel. Default: 8.
    max_filters, max_in_channels : int, optional
        Show at most this many output / input channels. Defaults: 64, 8.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One Axes per (output, input) channel pair shown, plus the colorbar.

    Shape
    -----
    weight: (C_out, C_in, kH, kW).

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch import viz
    >>> fig = viz.plot_filters(np.arange(4 * 9.0).reshape(4, 1, 3, 3) - 18)
    >>> len(fig.axes)  # 4 filters and the colorbar
    5
    """
    op = "plot_filters"
    w = to_numpy(weight, op, "weight").astype(float)
    if w.ndim != 4:
        raise ValueError(f"{op}: weight must be 4-D (out_channels, in_channels, kH, kW), got {w.shape}")
    c_out, c_in, kh, kw = w.shape
    shown = w[:max_filters, :max_in_channels]
    n_out, n_in = shown.shape[:2]
    if n_in == 1:
        cols = max(1, min(int(ncols), n_out))
        rows = -(-n_out // cols)
    else:
        rows, cols = n_out, n_in
    import matplotlib as mpl
    limit = float(np.abs(shown).max()) or 1.0
    norm = mpl.colors.Normalize(-limit, limit)
    panel = min(0.9, (FIGURE_WIDTH - 0.8) / cols)
    fig, axes = new_figure(panel * cols + 0.8, panel * rows + (0.5 if title else 0.2), rows, cols)
    used = []
    for index, ax in enumerate(axes.ravel()):  # one Axes per filter: matplotlib's API
        out, inp = (index, 0) if n_in == 1 else divmod(index, n_in)
        if out >= n_out:
            ax.remove()
            continue
        image = ax.imshow(shown[out, inp], cmap=DIVERGING_CMAP, norm=norm, interpolation="nearest")
        _frame(ax)
        label = f"out {out}" if n_in == 1 else f"out {out}, in {inp}"
        ax.set_title(label, fontsize=7)
        used.append(ax)
    fig.colorbar(image, ax=used, label="weight", shrink=0.8)
    if title:
        fig.suptitle(title)

    norms = np.sqrt((w ** 2).sum(axis=(1, 2, 3)))
    strong, weak = int(norms.argmax()), int(norms.argmin())
    peak = np.unravel_index(np.abs(w[strong]).argmax(), w[strong].shape)
    text = (f"Convolution filters{f' ({title})' if title else ''}: {c_out} output × {c_in} input "
            f"channels of {kh}×{kw}"
            f"{f', showing {n_out} × {n_in}' if (n_out, n_in) != (c_out, c_in) else ''}, on one "
            f"diverging scale from {-limit:.2f} (blue) through 0 (white) to {limit:.2f} (red). "
            f"Strongest filter: out {strong} (L2 norm {norms[strong]:.2f}; largest weight "
            f"{w[strong][peak]:+.2f} at input {peak[0]}, row {peak[1]}, column {peak[2]}); weakest: "
            f"out {weak} (norm {norms[weak]:.2f}).")
    add_alt_text(fig, text)
    return fig
