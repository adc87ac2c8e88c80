"""Diagrams drawn from modules: :func:`plot_transformer_block`."""

from __future__ import annotations

import numpy as np

from ._base import FIGURE_WIDTH, styled
from ._figure import add_alt_text, new_figure

#: The residual branches of tinytorch's pre-norm TransformerBlock, in the order of its forward:
#: ``x <- x + dropout(sublayer(norm(x)))`` for each ``(norm, sublayer)``.
TRANSFORMER_BRANCHES = (("ln1", "attn"), ("ln2", "ff"))
#: Fill colours by module kind, in light Okabe-Ito tones, for normalisation, attention and feed-forward.
BOX_COLORS = {"LayerNorm": "#F5DDB0", "MultiHeadAttention": "#B3D1E8", "other": "#B3E0D3"}
MIN_FONT = 7.0  # the font shrinks from 9 pt until the diagram fits, but never below this


def _count(module) -> int:
    return int(sum(p.data.size for p in module.parameters()))


def describe_module(module) -> list[str]:
    """Short lines for a box: what the module is made of (repeats grouped, dropout left out).

    Examples
    --------
    >>> import tinytorch as tt
    >>> from tinytorch.viz.diagrams import describe_module
    >>> describe_module(tt.Sequential(tt.Linear(8, 32), tt.GELU(), tt.Linear(32, 8)))
    ['Linear 8→32', 'GELU', 'Linear 32→8']
    >>> describe_module(tt.LayerNorm(8))
    ['over 8 features']
    """
    kind = type(module).__name__
    if hasattr(module, "normalized_shape"):
        return [f"over {int(np.prod(module.normalized_shape))} features"]
    if hasattr(module, "num_heads") and hasattr(module, "head_dim"):
        return [f"{module.num_heads} heads of {module.head_dim}"]
    parts = []
    for child in module.children():
        name = type(child).__name__
        if name == "Dropout":
            continue
        weight = getattr(child, "weight", None)
        if name == "Linear" and weight is not None:
            name += " {}→{}".format(*weight.shape)
        if parts and parts[-1][1] == name:
            parts[-1][0] += 1
        else:
            parts.append([1, name])
    lines = [name if n == 1 else f"{n} × {name}" for n, name in parts]
    return lines or [kind]


@styled
def plot_transformer_block(block, branches=TRANSFORMER_BRANCHES, shape="(N, L, E)",
                           width=FIGURE_WIDTH):
    """The residual branches of a transformer block, drawn left to right from the module itself.

    Each branch ``(norm, sublayer)`` becomes a box for the normalisation, a box for the
    sub-layer and a ⊕, with a residual arrow from the branch's input around both boxes into
    the ⊕: the pre-norm update ``x <- x + sublayer(norm(x))``. Every box shows the
    sub-module's attribute name, class, what it is made of (heads, features, layers) and its
    parameter count, all read from ``block``; the text shrinks (down to 7 pt) until the row
    fits ``width`` (the site's content width by default, readable at about 700 px).

    Parameters
    ----------
    block : Module
        A :class:`~tinytorch.core.transformer.TransformerBlock`, or any module with the
        sub-modules named in ``branches``.
    branches : sequence of (str, str), optional
        ``(norm, sublayer)`` attribute names, in the order of the forward pass. Default:
        :data:`TRANSFORMER_BRANCHES`, TransformerBlock's ``ln1, attn`` then ``ln2, ff``.
    shape : str, optional
        The shape written at the input and the output. Default: ``"(N, L, E)"``.
    width : float, optional
        Inches. Default: :data:`~tinytorch.viz.FIGURE_WIDTH`.

    Returns
    -------
    matplotlib.figure.Figure
        With computed alt text: the boxes in order, with their classes, sizes and parameter
        counts, and the residual connections.

    Shape
    -----
    The block maps ``shape`` to ``shape``: (N, L, E) = batch, tokens, embedding.

    Raises
    ------
    TypeError
        ``block`` lacks a sub-module named in ``branches``.

    Examples
    --------
    >>> import tinytorch as tt
    >>> from tinytorch import viz
    >>> from tinytorch.core.transformer import TransformerBlock
    >>> fig = viz.plot_transformer_block(TransformerBlock(32, 2, 64))
    >>> print(viz.alt_text(fig))  # doctest: +NORMALIZE_WHITESPACE
    Diagram of a pre-norm transformer block (TransformerBlock, 8,544 parameters), left to
    right: input (N, L, E) → ln1: LayerNorm over 32 features (64 parameters) → attn:
    MultiHeadAttention, 2 heads of 16 (4,224 parameters) → add → ln2: LayerNorm over 32
    features (64 parameters) → ff: Sequential, Linear 32→64, GELU, Linear 64→32 (4,192
    parameters) → add → output (N, L, E). A residual arrow carries each branch's input
    around its two boxes to the add, where the branch's output is added to it.
    """
    from matplotlib.patches import Circle, FancyBboxPatch
    op = "plot_transformer_block"
    modules = []
    for branch in branches:
        if len(branch) != 2:
            raise TypeError(f"{op}: each branch must be a (norm, sublayer) pair of names, got {branch!r}")
        for name in branch:
            child = getattr(block, name, None)
            if child is None or not hasattr(child, "parameters"):
                raise TypeError(f"{op}: {type(block).__name__} has no sub-module {name!r}; "
                                f"pass branches= with the names of its (norm, sublayer) pairs")
            modules.append((name, child))
    nodes = [("text", f"input\n{shape}", None)]
    for k in range(0, len(modules), 2):
        for name, child in modules[k:k + 2]:
            label = "\n".join([name, type(child).__name__, *describe_module(child),
                               f"{_count(child):,} params"])
            nodes.append(("box", label, child))
        nodes.append(("add", "+", None))
    nodes.append(("text", f"output\n{shape}", None))

    fig, axes = new_figure(width, 2.0)
    fig.set_layout_engine("none")  # the Axes fills the figure: one data unit is one inch
    ax = axes[0, 0]
    ax.set_position([0, 0, 1, 1])
    ax.set_axis_off()
    width = fig.get_figwidth()
    renderer = fig.canvas.get_renderer()
    texts = [ax.text(0, 0, label, ha="center", va="center", fontsize=9,
                     fontweight="bold" if kind == "add" else "normal")
             for kind, label, _ in nodes]
    pad, circle = 0.09, 0.3
    for size in np.arange(9.0, MIN_FONT - 0.01, -0.5):  # shrink until the row fits
        for t in texts:
            t.set_fontsize(size + (2 if t.get_text() == "+" else 0))
        extents = [t.get_window_extent(renderer) for t in texts]
        sizes = np.array([circle if kind == "add"
                          else e.width / fig.dpi + (2 * pad if kind == "box" else 0.04)
                          for (kind, _, _), e in zip(nodes, extents)])
        gap = (width - 0.1 - sizes.sum()) / (len(nodes) - 1)
        if gap >= 0.16:
            break
    box_h = max(e.height for e in extents) / fig.dpi + 2 * pad
    lefts = 0.05 + np.concatenate([[0], np.cumsum(sizes + gap)[:-1]])
    centres = lefts + sizes / 2
    for (kind, label, child), t, left, size, x in zip(nodes, texts, lefts, sizes, centres):
        t.set_position((x, 0))
        if kind == "box":
            color = BOX_COLORS.get(type(child).__name__, BOX_COLORS["other"])
            ax.add_patch(FancyBboxPatch((left, -box_h / 2), size, box_h, boxstyle="round,pad=0.02",
                                        fc=color, ec="black", lw=0.8))
        elif kind == "add":
            ax.add_patch(Circle((x, 0), circle / 2, fc="white", ec="black", lw=0.8))
    arrow = dict(arrowstyle="-|>", color="black", lw=0.9, shrinkA=0, shrinkB=0)
    for right, next_left in zip(lefts[:-1] + sizes[:-1], lefts[1:]):
        ax.annotate("", xy=(next_left, 0), xytext=(right, 0), arrowprops=arrow)
    top = box_h / 2 + 0.22
    adds = [i for i, (kind, _, _) in enumerate(nodes) if kind == "add"]
    for a in adds:  # from just before the branch's norm box to the top of its add
        start, add_x = lefts[a - 2] - gap / 2, centres[a]
        ax.plot([start, start, add_x], [0, top, top], color="black", lw=0.9)
        ax.annotate("", xy=(add_x, circle / 2), xytext=(add_x, top), arrowprops=arrow)
        ax.text((start + add_x) / 2, top + 0.04, "residual", ha="center", va="bottom",
                fontsize=texts[0].get_fontsize())
    dropout = getattr(getattr(block, "dropout", None), "p", 0.0) or 0.0
    if dropout:
        ax.text(width - 0.05, -box_h / 2 - 0.05, f"dropout p = {dropout:g} on each branch",
                ha="right", va="top", fontsize=texts[0].get_fontsize())
    low, high = -box_h / 2 - (0.3 if dropout else 0.08), top + 0.3
    fig.set_figheight(high - low)
    ax.set(xlim=(0, width), ylim=(low, high))

    def words(kind, label, child):
        if kind == "add":
            return "add"
        if kind == "text":
            return label.replace("\n", " ")
        name, cls, *inside, _ = label.split("\n")
        joiner = " " if type(child).__name__ == "LayerNorm" else ", "
        return f"{name}: {cls}{joiner}{', '.join(inside)} ({_count(child):,} parameters)"
    steps = " → ".join(words(*node) for node in nodes)
    text = (f"Diagram of a pre-norm transformer block ({type(block).__name__}, "
            f"{_count(block):,} parameters), left to right: {steps}. A residual arrow carries "
            f"each branch's input around its two boxes to the add, where the branch's output "
            f"is added to it.")
    if dropout:
        text += f" Dropout with p = {dropout:g} is applied to each branch before the addition."
    add_alt_text(fig, text)
    return fig
