"""Shared machinery of :mod:`tinytorch.viz`: the style, input checks, small helpers.

Figures and their alt text live in :mod:`tinytorch.viz._figure`, which imports this module
(never the reverse). matplotlib is imported inside functions only, so importing this module
never imports it.
"""

from __future__ import annotations

import functools

import numpy as np

from ..core.attention import attention_mask

# --- the one shared style ------------------------------------------------------------------
#: matplotlib rc settings applied (as an rc context) by every plotting function.
#: Opaque white backgrounds keep figures legible on the site's dark theme.
STYLE = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "figure.titlesize": 11,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "image.cmap": "viridis",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 0.8,
}
#: Full content width of the site's book theme, in inches; figures are at most this wide.
FIGURE_WIDTH = 7.0
#: Colour-blind-safe sequential colormap (weights, counts).
SEQUENTIAL_CMAP = "viridis"
#: Diverging colormap for signed values (filters), centred at 0.
DIVERGING_CMAP = "RdBu_r"
#: Okabe-Ito colour-blind-safe palette for classes, with one marker per class as a second cue.
CLASS_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
CLASS_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: How masked (not attended) cells look: light grey with dark hatching.
MASK_COLOR, MASK_HATCH, MASK_EDGE = "#d9d9d9", "///", "#595959"

def styled(func):
    """Run a plotting function inside the shared rc context.

    The session's first figure can resolve pyplot's backend, and IPython's inline backend
    then turns interactive mode on; the context must not undo that when it restores the
    other settings, or later figures would no longer show in notebooks.
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        import matplotlib
        interactive = None
        try:
            with matplotlib.rc_context(STYLE):
                try:
                    return func(*args, **kwargs)
                finally:
                    interactive = matplotlib.is_interactive()
        finally:
            if interactive is not None:
                matplotlib.interactive(interactive)
    return wrapper


# --- inputs --------------------------------------------------------------------------------
def to_numpy(x, op: str, name: str) -> np.ndarray:
    """An ndarray from an ndarray, a Tensor (anything with ``.numpy()``) or a nested list."""
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "numpy") and callable(x.numpy):
        detach = getattr(x, "detach", None)
        return np.asarray((detach() if callable(detach) else x).numpy())
    try:
        return np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{op}: {name} must be an array or a Tensor, got {type(x).__name__}") from exc


def check_labels(labels, n: int, op: str, name: str, what: str, shape) -> list[str]:
    """Labels as strings; default 0..n-1; ValueError naming both lengths and the shape."""
    if labels is None:
        return [str(i) for i in range(n)]
    if isinstance(labels, str):
        raise TypeError(f"{op}: {name} must be a sequence of labels, not a single str")
    labels = [str(s) for s in labels]
    if len(labels) != n:
        raise ValueError(f"{op}: {name} has {len(labels)} labels but weights has {n} {what} "
                         f"(weights shape {tuple(shape)})")
    return labels


def allowed_cells(mask, shape, op: str) -> np.ndarray | None:
    """Boolean array of ``shape``: True where attention may go.

    The mask rules are :func:`tinytorch.core.attention.attention_mask`'s (boolean: True = may
    attend; additive float: 0 keeps), checked by it; a float entry of -1e4 or below counts as
    blocked. Leading length-1 axes beyond ``shape`` are dropped first, so a (1, 1, L, L) mask
    works for (L, L) weights.
    """
    if mask is None:
        return None
    m = to_numpy(mask, op, "mask")
    while m.ndim > len(shape) and m.shape[0] == 1:
        m = m[0]
    m = attention_mask(m, tuple(shape), op=op)
    return np.broadcast_to(m if m.dtype == bool else m > -1e4, shape)


# --- small helpers -------------------------------------------------------------------------
def text_colors(rgba: np.ndarray) -> np.ndarray:
    """'black' or 'white' per colour, whichever contrasts more (WCAG relative luminance)."""
    rgb = rgba[..., :3]
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    luminance = linear @ np.array([0.2126, 0.7152, 0.0722])
    # contrast with black (L+.05)/.05 beats contrast with white 1.05/(L+.05) when L > ~0.179
    return np.where(luminance > 0.179, "black", "white")


def listing(items, limit: int = 12) -> str:
    """'a, b, c' -- at most ``limit`` items, then '… (N more)'."""
    items = [str(s) for s in items]
    head = ", ".join(items[:limit])
    return head if len(items) <= limit else f"{head}, … ({len(items) - limit} more)"


def class_color(i: int) -> str:
    return CLASS_COLORS[i % len(CLASS_COLORS)]


def class_marker(i: int) -> str:
    return CLASS_MARKERS[i % len(CLASS_MARKERS)]
