"""Attention heatmaps: one matrix (:func:`plot_attention`) or a grid of heads (:func:`plot_attention_heads`)."""

from __future__ import annotations

import numpy as np

from ._base import (FIGURE_WIDTH, MASK_COLOR, MASK_EDGE, MASK_HATCH, SEQUENTIAL_CMAP, allowed_cells,
                    check_labels, listing, styled, text_colors, to_numpy)
from ._figure import add_alt_text, figure_of, new_figure

ANNOTATE_MAX = 12  # annotate=None writes values when both sides are at most this long
MASK_GID = "tinytorch-mask"  # gid of the hatched collection drawn over masked cells


def _draw_heatmap(ax, weights, allowed, qlabels, klabels, annotate, norm, cell_inches,
                  xticks=True, yticks=True):
    """Draw one (Lq, Lk) heatmap on ``ax`` (cells about ``cell_inches`` wide); return the image."""
    import matplotlib as mpl
    lq, lk = weights.shape
    cmap = mpl.colormaps[SEQUENTIAL_CMAP].with_extremes(bad=MASK_COLOR)
    shown = weights if allowed is None else np.ma.masked_array(weights, mask=~allowed)
    image = ax.imshow(shown, cmap=cmap, norm=norm, interpolation="nearest")
    if allowed is not None and not allowed.all():
        blocked = np.ma.masked_array(np.zeros(weights.shape), mask=allowed)
        hatched = ax.pcolor(np.arange(lk + 1) - 0.5, np.arange(lq + 1) - 0.5, blocked,
                            cmap=mpl.colors.ListedColormap([MASK_COLOR]), hatch=MASK_HATCH,
                            edgecolor=MASK_EDGE, linewidth=0.0)
        hatched.set_gid(MASK_GID)
    if annotate:
        colors = text_colors(cmap(norm(weights)))
        rows, cols = np.nonzero(np.ones_like(weights, bool) if allowed is None else allowed)
        size = 8 if cell_inches >= 0.4 else 7 if cell_inches >= 0.33 else 6
        for r, c in zip(rows.tolist(), cols.tolist()):  # one text artist per cell: matplotlib's API
            ax.text(c, r, f"{weights[r, c]:.2f}", ha="center", va="center", color=colors[r, c],
                    fontsize=size)
    long_labels = max(map(len, klabels), default=0) * 0.12 > cell_inches  # 8 pt chars plus a gap
    ax.set_xticks(np.arange(lk), labels=klabels if xticks else [],
                  rotation=45 if long_labels else 0, ha="right" if long_labels else "center",
                  rotation_mode="anchor")
    ax.set_yticks(np.arange(lq), labels=qlabels if yticks else [])
    ax.set_xlim(-0.5, lk - 0.5)
    ax.set_ylim(lq - 0.5, -0.5)
    ax.tick_params(length=0)
    ax.spines[:].set_visible(False)
    return image


def _describe_mask(allowed, klabels) -> str:
    if allowed is None or allowed.all():
        return ""
    n_masked = int((~allowed).sum())
    lq, lk = allowed.shape
    if lq == lk and np.array_equal(allowed, np.tri(lq, dtype=bool)):
        return f"Masked cells (the {n_masked} above the diagonal: a causal mask) are hatched grey."
    blocked_keys = np.flatnonzero(~allowed.any(axis=0))
    if blocked_keys.size:
        keys = listing([klabels[k] for k in blocked_keys], 6)
        return f"{n_masked} masked cells are hatched grey; keys {keys} are masked for every query."
    return f"{n_masked} of {allowed.size} cells are masked (hatched grey)."


def _strongest(weights, allowed):
    """(row argmax, row max) with masked cells ignored; max is -inf for fully masked rows."""
    scores = weights if allowed is None else np.where(allowed, weights, -np.inf)
    cols = scores.argmax(axis=-1)
    return cols, np.take_along_axis(scores, cols[..., None], axis=-1)[..., 0]


def _prepare(weights, query_labels, key_labels, mask, op, ndims):
    w = to_numpy(weights, op, "weights").astype(float)
    if w.ndim not in ndims:
        need = " or ".join(f"{n}-D" for n in ndims)
        raise ValueError(f"{op}: weights must be {need} (..., queries, keys), got shape {w.shape}")
    lq, lk = w.shape[-2:]
    if key_labels is None and query_labels is not None and lq == lk:
        key_labels = query_labels  # self-attention: queries and keys are the same tokens
    qlabels = check_labels(query_labels, lq, op, "query_labels", "queries (rows)", w.shape)
    klabels = check_labels(key_labels, lk, op, "key_labels", "keys (columns)", w.shape)
    return w, qlabels, klabels, allowed_cells(mask, w.shape, op)


def _norm(weights, allowed, vmin, vmax):
    import matplotlib as mpl
    values = weights if allowed is None else weights[allowed]
    lo = min(0.0, float(values.min())) if values.size else 0.0
    hi = float(values.max()) if values.size else 1.0
    return mpl.colors.Normalize(lo if vmin is None else vmin, (hi if hi > lo else lo + 1) if vmax is None else vmax)


@styled
def plot_attention(weights, query_labels=None, key_labels=None, ax=None, annotate=None, mask=None,
                   title=None, vmin=None, vmax=None):
    """Heatmap of an attention matrix with token labels, values and masked cells marked.

    Parameters
    ----------
    weights : ndarray or Tensor
        Attention weights; row ``i`` is query ``i``'s distribution over the keys.
    query_labels, key_labels : sequence of str, optional
        Token labels for rows and columns. Default: positions ``0, 1, ...``; when only
        ``query_labels`` is given and the matrix is square, keys reuse them.
    ax : matplotlib Axes, optional
        Draw here instead of in a new figure.
    annotate : bool or None, optional
        Write each value in its cell; ``None`` (default) does so when both sides are at
        most 12 long. Text is black or white, whichever contrasts more with the cell.
    mask : bool array or Tensor, optional
        The attention module's convention: True = may attend. Cells where it is False are
        drawn light grey and hatched, with no value written. An additive float mask
        (0 keeps, -inf blocks) is accepted too.
    title : str, optional
    vmin, vmax : float, optional
        Colour scale limits; default 0 (or the minimum, if negative) to the largest
        unmasked weight.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; :func:`tinytorch.viz.alt_text` gives its description.

    Shape
    -----
    weights: (Lq, Lk) -- Lq queries (y axis, "query"), Lk keys (x axis, "key").

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch import viz
    >>> w = np.array([[1.0, 0.0], [0.3, 0.7]])
    >>> fig = viz.plot_attention(w, ["a", "b"], mask=np.tri(2, dtype=bool))
    >>> viz.alt_text(fig)[:71]
    'Attention heatmap of 2 queries over 2 keys (keys: a, b; queries: a, b).'
    """
    op = "plot_attention"
    w, qlabels, klabels, allowed = _prepare(weights, query_labels, key_labels, mask, op, (2,))
    lq, lk = w.shape
    cell = min(0.42, (FIGURE_WIDTH - 1.6) / lk)
    fig, ax = figure_of(ax, 1.6 + cell * lk, 1.0 + cell * lq)
    if annotate is None:
        annotate = max(lq, lk) <= ANNOTATE_MAX
    norm = _norm(w, allowed, vmin, vmax)
    image = _draw_heatmap(ax, w, allowed, qlabels, klabels, annotate, norm, cell)
    fig.colorbar(image, ax=ax, label="attention weight", shrink=0.9)
    ax.set_xlabel("key")
    ax.set_ylabel("query")
    if title:
        ax.set_title(title)

    cols, best = _strongest(w, allowed)
    rows = np.flatnonzero(np.isfinite(best))
    strongest = [f"{qlabels[r]}→{klabels[cols[r]]} {best[r]:.2f}" for r in rows]
    top = rows[np.argmax(best[rows])] if rows.size else None
    text = (f"Attention heatmap{f' ({title})' if title else ''} of {lq} queries over {lk} keys "
            f"(keys: {listing(klabels)}; queries: {listing(qlabels)}).")
    if top is not None:
        text += (f" The largest weight in each row: {listing(strongest)}. Overall largest: "
                 f"{qlabels[top]}→{klabels[cols[top]]} {best[top]:.2f}.")
    mask_text = _describe_mask(allowed, klabels)
    add_alt_text(fig, text + (" " + mask_text if mask_text else ""))
    return fig


@styled
def plot_attention_heads(weights, labels=None, key_labels=None, mask=None, annotate=None, ncols=4,
                         title=None):
    """A grid of attention heatmaps, one titled panel per head (and per layer), one colour scale.

    Parameters
    ----------
    weights : ndarray or Tensor
        Per-head attention weights, e.g. ``MultiHeadAttention``'s ``attention_weights`` for
        one batch item, or a stack of them over layers.
    labels : sequence of str, optional
        Query token labels (also the key labels for square weights).
    key_labels : sequence of str, optional
        Key labels when they differ from the queries.
    mask : bool array or Tensor, optional
        True = may attend; broadcastable to ``weights`` (an (Lq, Lk) mask applies to every
        head). Masked cells are hatched grey.
    annotate : bool or None, optional
        Write the values; ``None`` (default) does so when the cells are at least 0.3 in wide.
    ncols : int, optional
        Panels per row for 3-D weights (4-D weights use one row per layer). Default: 4.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per head, one shared colorbar.

    Shape
    -----
    weights: (H, Lq, Lk) or (layers, H, Lq, Lk) -- H heads, Lq queries, Lk keys.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch import viz
    >>> w = np.full((2, 3, 4, 4), 0.25)  # 2 layers, 3 heads, 4 tokens
    >>> fig = viz.plot_attention_heads(w, ["a", "b", "c", "d"])
    >>> len(fig.axes)  # 6 panels and the colorbar
    7
    """
    op = "plot_attention_heads"
    w, qlabels, klabels, allowed = _prepare(weights, labels, key_labels, mask, op, (3, 4))
    layered = w.ndim == 4
    w = w if layered else w[None]
    allowed = None if allowed is None else (allowed if layered else allowed[None])
    n_layers, n_heads, lq, lk = w.shape
    cols = n_heads if layered else max(1, min(int(ncols), n_heads))
    rows = n_layers if layered else -(-n_heads // cols)
    panel = min(2.4, (FIGURE_WIDTH - 0.9) / cols)
    fig, axes = new_figure(panel * cols + 0.9, panel * rows + (0.4 if title else 0.1), rows, cols)
    cell = panel / max(lq, lk)
    if annotate is None:
        annotate = cell >= 0.3  # room for "0.42" in a 6-7 pt font
    norm = _norm(w, allowed, None, None)
    used = []
    for index in range(n_layers * n_heads):  # one panel (Axes) per head: matplotlib's API
        layer, head = divmod(index, n_heads)
        r, c = (layer, head) if layered else divmod(head, cols)
        ax = axes[r, c]
        image = _draw_heatmap(ax, w[layer, head], None if allowed is None else allowed[layer, head],
                              qlabels, klabels, annotate, norm, cell, xticks=r == rows - 1 or not layered
                              and index + cols >= n_heads, yticks=c == 0)
        ax.set_title(f"layer {layer}, head {head}" if layered else f"head {head}", fontsize=9)
        used.append(ax)
    for ax in axes.ravel()[len(used):]:
        ax.remove()
    fig.colorbar(image, ax=used, label="attention weight", shrink=0.8)
    fig.supxlabel("key", fontsize=9)
    fig.supylabel("query", fontsize=9)
    if title:
        fig.suptitle(title)

    best_cols, best = _strongest(w, allowed)  # (layers, heads, Lq)
    focus = np.nanmean(np.where(np.isfinite(best), best, np.nan), axis=-1)  # mean row maximum
    flat = np.where(np.isfinite(best), best, -np.inf).reshape(n_layers, n_heads, lq)
    top_rows = flat.argmax(axis=-1)
    name = (lambda l, h: f"layer {l} head {h}") if layered else (lambda l, h: f"head {h}")
    links = [f"{name(l, h)}: {qlabels[r]}→{klabels[best_cols[l, h, r]]} {best[l, h, r]:.2f}"
             for (l, h), r in np.ndenumerate(top_rows)]
    sharp, diffuse = np.unravel_index(np.nanargmax(focus), focus.shape), np.unravel_index(
        np.nanargmin(focus), focus.shape)
    grid = f"{n_layers} layers × {n_heads} heads" if layered else f"{n_heads} heads"
    text = (f"Attention weights of {grid}{f' ({title})' if title else ''}, one panel each, over "
            f"{lq} queries and {lk} keys (keys: {listing(klabels)}), on one shared colour scale "
            f"from {norm.vmin:.2f} to {norm.vmax:.2f}. Strongest link per head: {listing(links, 16)}. "
            f"Most focused: {name(*sharp)} (mean row maximum {focus[sharp]:.2f}); most spread out: "
            f"{name(*diffuse)} ({focus[diffuse]:.2f}).")
    mask_text = _describe_mask(None if allowed is None else allowed[0, 0], klabels)
    add_alt_text(fig, text + (" " + mask_text if mask_text else ""))
    return fig
