"""Image figures: a grid of input images, convolution filters, and a row of 2-D maps."""

from __future__ import annotations

from collections import Counter

import numpy as np

from ._base import DIVERGING_CMAP, FIGURE_WIDTH, SEQUENTIAL_CMAP, listing, styled, to_numpy
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


def _per_map(value, n: int, op: str, name: str) -> list:
    """``value`` repeated for ``n`` maps, or a sequence of ``n`` (one per map)."""
    if value is None or isinstance(value, (str, int, float, np.number)):
        return [value] * n
    try:
        values = list(value)
    except TypeError:  # a matplotlib Colormap object: one for all
        return [value] * n
    if len(values) != n:
        raise ValueError(f"{op}: {name} has {len(values)} entries but there are {n} maps")
    return values


def _plain(title: str) -> str:
    """A panel title for alt text: without math-mode dollars and backslashes."""
    return title.replace("$", "").replace("\\", "")


@styled
def plot_maps(maps, titles=None, *, cmap=None, vmin=None, vmax=None, shared_scale=False,
              colorbar=True, colorbar_label=None, title=None):
    """A row of 2-D maps (feature maps, filter responses, pooled maps), each with a title.

    Each map gets a colour map and a scale of its own, or, with ``shared_scale=True``, all
    share one scale and one colour bar. A map's default colour map is
    :data:`DIVERGING_CMAP`, centred at 0, when its scale has values of both signs, else
    :data:`SEQUENTIAL_CMAP`. The alt text describes every panel by its numbers: shape,
    value range, non-zero cells, and where the maximum is.

    Parameters
    ----------
    maps : sequence or dict of ndarray or Tensor
        The maps, left to right; a dict maps each title to its map.
    titles : sequence of str, optional
        One per map (not with a dict). Default: ``"map 0"``, ``"map 1"``, ...
    cmap : str or sequence of (str or None), optional
        One colour map for all, or one per map (None: the default above).
    vmin, vmax : float or sequence of (float or None), optional
        Ends of the colour scale, for all maps or per map. Default: the map's range
        (the range of all maps with ``shared_scale``), symmetric about 0 with a diverging
        colour map.
    shared_scale : bool, optional
        One scale and one colour bar for all maps. Default: False.
    colorbar : bool, optional
        Draw colour bars. Default: True.
    colorbar_label : str or sequence of str, optional
        Label of the colour bar(s).
    title : str, optional
        Title above the row.

    Returns
    -------
    matplotlib.figure.Figure
        One Axes per map, plus the colour bar(s).

    Shape
    -----
    each map: (H, W), H rows by W columns; maps may differ in shape. A 3-D array
    (N, H, W) is N maps.

    Raises
    ------
    ValueError
        If there are no maps, a map is not 2-D or not finite, a per-map option's length
        differs from the number of maps, or a scale has ``vmin >= vmax``.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch import viz
    >>> fig = viz.plot_maps({"ramp": np.arange(6.0).reshape(2, 3),
    ...                      "signed": np.array([[0.0, -1.0], [2.0, 0.0]])})
    >>> len(fig.axes)  # two maps, two colour bars
    4
    >>> print(viz.alt_text(fig))  # doctest: +NORMALIZE_WHITESPACE
    Row of 2 maps, each on its own scale. ramp: 2×3, values 0 to 5, 5 of 6 cells
    non-zero, maximum 5 at row 1, column 2. signed: 2×2, values -1 to 2, 2 of 4 cells
    non-zero, maximum 2 at row 1, column 0.
    """
    op = "plot_maps"
    if isinstance(maps, dict):
        if titles is not None:
            raise ValueError(f"{op}: give titles either as the dict's keys or as titles, not both")
        titles, maps = [str(k) for k in maps], list(maps.values())
    elif isinstance(maps, np.ndarray) or hasattr(maps, "numpy"):
        maps = list(to_numpy(maps, op, "maps")) if to_numpy(maps, op, "maps").ndim == 3 else [maps]
    arrays = [to_numpy(m, op, f"maps[{i}]").astype(float) for i, m in enumerate(maps)]
    n = len(arrays)
    if n == 0:
        raise ValueError(f"{op}: no maps to plot")
    shapes = [a.shape for a in arrays]
    for i, a in enumerate(arrays):
        if a.ndim != 2 or a.size == 0:
            raise ValueError(f"{op}: every map must be 2-D (H, W) and non-empty, but map {i} has "
                             f"shape {a.shape} (shapes: {listing(shapes)})")
        if not np.isfinite(a).all():
            raise ValueError(f"{op}: map {i} (shape {a.shape}) has NaN or infinite values")
    titles = [f"map {i}" for i in range(n)] if titles is None else [str(t) for t in titles]
    if len(titles) != n:
        raise ValueError(f"{op}: {len(titles)} titles for {n} maps (shapes: {listing(shapes)})")
    cmaps = _per_map(cmap, n, op, "cmap")
    lows, highs = _per_map(vmin, n, op, "vmin"), _per_map(vmax, n, op, "vmax")
    labels = _per_map(colorbar_label, n, op, "colorbar_label")
    if shared_scale and len({(str(c), lw, hg) for c, lw, hg in zip(cmaps, lows, highs)}) != 1:
        raise ValueError(f"{op}: shared_scale takes one cmap, vmin and vmax for all maps")
    everything = (min(a.min() for a in arrays), max(a.max() for a in arrays))
    scales = []
    for i, a in enumerate(arrays):
        data_lo, data_hi = everything if shared_scale else (a.min(), a.max())
        lo = float(data_lo if lows[i] is None else lows[i])
        hi = float(data_hi if highs[i] is None else highs[i])
        name = cmaps[i] or (DIVERGING_CMAP if lo < 0 < hi else SEQUENTIAL_CMAP)
        if cmaps[i] is None and name == DIVERGING_CMAP and lows[i] is None and highs[i] is None:
            lo, hi = -max(-lo, hi), max(-lo, hi)  # centred at 0
        if lo == hi and lows[i] is None and highs[i] is None:  # a constant map
            lo, hi = lo - 0.5, hi + 0.5
        if not lo < hi:
            raise ValueError(f"{op}: map {i} (shape {a.shape}) has vmin {lo:g} >= vmax {hi:g}")
        scales.append((name, lo, hi))

    bars = (1 if shared_scale else n) if colorbar else 0
    aspect = max(a.shape[0] / a.shape[1] for a in arrays)
    panel = min(2.4, (FIGURE_WIDTH - 0.7 * bars) / n)
    fig, axes = new_figure(panel * n + 0.7 * bars, panel * aspect + 0.45 + (0.3 if title else 0),
                           1, n)
    for ax, a, label, (name, lo, hi), bar in zip(axes[0], arrays, titles, scales, labels):
        image = ax.imshow(a, cmap=name, vmin=lo, vmax=hi, interpolation="nearest")
        _frame(ax)
        ax.set_title(label)
        if colorbar and not shared_scale:
            fig.colorbar(image, ax=ax, shrink=0.75, label=bar)
    if colorbar and shared_scale:
        fig.colorbar(image, ax=list(axes[0]), shrink=0.8, label=labels[0])
    if title:
        fig.suptitle(title)

    _, lo, hi = scales[0]
    text = (f"Row of {n} map{'s' if n > 1 else ''}{f' ({title})' if title else ''}, "
            + (f"on one shared scale from {lo:.3g} to {hi:.3g}." if shared_scale
               else "each on its own scale."))
    for a, label in zip(arrays, titles):
        peak = np.unravel_index(a.argmax(), a.shape)
        ties = int((a == a.max()).sum())
        text += (f" {_plain(label)}: {a.shape[0]}×{a.shape[1]}, values {a.min():.3g} to "
                 f"{a.max():.3g}, {np.count_nonzero(a)} of {a.size} cells non-zero, maximum "
                 f"{a.max():.3g} at row {peak[0]}, column {peak[1]}"
                 f"{f' (first of {ties} cells)' if ties > 1 else ''}.")
    add_alt_text(fig, text)
    return fig
