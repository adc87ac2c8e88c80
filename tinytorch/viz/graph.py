"""The computation graph a tensor recorded, drawn from its parents: :func:`plot_graph`.

Like micrograd's ``draw_dot``, but drawn with matplotlib (no graphviz): one box per tensor
with its forward value and its gradient, and the operation that produced it in an ellipse
in front of the box, joined to the operation's inputs.
"""

from __future__ import annotations

import numpy as np

from ._base import styled
from ._figure import add_alt_text, new_figure

LEAF_COLOR, OP_COLOR, ROOT_COLOR = "#E8F1F8", "#F5DDB0", "#B3E0D3"


def graph_nodes(root) -> list:
    """Every tensor ``root`` was computed from (through ``_parents``), inputs first, ``root`` last.

    A topological order, found iteratively (no recursion limit): each tensor comes after
    every tensor it was computed from.

    Examples
    --------
    >>> import tinytorch as tt
    >>> from tinytorch.viz.graph import graph_nodes
    >>> a = tt.Tensor(2.0, requires_grad=True)
    >>> b = tt.Tensor(3.0, requires_grad=True)
    >>> [t._op for t in graph_nodes(a * b + a)]
    [None, None, 'mul', 'add']
    """
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((p, False) for p in reversed(node._parents) if id(p) not in seen)
    return order


def _unbroadcast(grad, shape):
    grad = np.asarray(grad)
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=axes, keepdims=True) if axes else grad


def node_gradients(root, order, grad=None) -> dict:
    """``{id(tensor): d root / d tensor}`` for every tensor of the graph that requires grad.

    Computed by calling each operation's own backward function, from ``root`` back to the
    inputs, as ``root.backward()`` does, but keeping every intermediate gradient and leaving
    ``.grad`` untouched. ``grad`` defaults to ones (``root`` must then have one element).
    """
    if grad is None:
        if root.data.size != 1:
            raise ValueError(f"plot_graph: the root has shape {root.shape}; its gradient is implied "
                             "only for one element: pass grad= (an array of the root's shape) or "
                             "grads=False")
        grad = np.ones_like(root.data)
    grads = {id(root): np.asarray(grad, dtype=root.data.dtype)}
    for node in reversed(order):
        g = grads.get(id(node))
        if g is None or node._backward is None:
            continue
        for parent, parent_grad in zip(node._parents, node._backward(g)):
            if parent_grad is None or not parent.requires_grad:
                continue
            parent_grad = _unbroadcast(parent_grad, parent.shape)
            key = id(parent)
            grads[key] = parent_grad if key not in grads else grads[key] + parent_grad
    return grads


def _show(values) -> str:
    values = np.asarray(values)
    if values.size == 1:
        return f"{float(values.reshape(())):.4g}"
    if values.size <= 3:
        return "[" + ", ".join(f"{float(v):.3g}" for v in values.ravel()) + "]"
    return f"{values.shape}, mean {float(values.mean()):.3g}"


@styled
def plot_graph(root, names=None, grads=True, grad=None, max_nodes=40):
    """The computation graph that produced ``root``, with forward values and gradients.

    Walks back from ``root`` through each tensor's parents (``_parents``) and the name of
    the operation that produced it (``_op``), and draws the graph left to right, inputs
    first: a box per tensor showing its name, value and gradient, and the operation in an
    ellipse in front of the box it produced, with an arrow from each of its inputs. A tensor
    used twice has two outgoing arrows, and its gradient is the sum of both contributions.

    Parameters
    ----------
    root : Tensor
        The output, typically a scalar loss.
    names : dict, optional
        ``{name: tensor}`` for the tensors to label (for example ``{"x": x, "w": w}``); the
        others are called ``t1``, ``t2``, ... in topological order.
    grads : bool, optional
        Show each tensor's gradient ``d root / d tensor``, computed by the operations' own
        backward functions exactly as ``root.backward()`` would, without changing any
        ``.grad``. Default: True. Tensors that do not require grad show no gradient.
    grad : array_like, optional
        The gradient flowing into ``root`` (default 1 for a one-element root).
    max_nodes : int, optional
        Refuse larger graphs (ValueError), which would be unreadable. Default: 40.

    Returns
    -------
    matplotlib.figure.Figure
        With computed alt text listing each tensor as ``name = op(inputs)`` with its value
        and gradient. The figure may be wider than the page for deep graphs; the page then
        scales it down.

    Shape
    -----
    Values and gradients of up to 3 elements are written out; larger tensors show their
    shape and mean.

    Raises
    ------
    TypeError
        ``root`` is not a Tensor.
    ValueError
        More than ``max_nodes`` tensors, or a root of several elements without ``grad=``.

    Examples
    --------
    >>> import tinytorch as tt
    >>> from tinytorch import viz
    >>> x = tt.Tensor(2.0, requires_grad=True)
    >>> w = tt.Tensor(-3.0, requires_grad=True)
    >>> b = tt.Tensor(6.8813735, requires_grad=True)
    >>> n = x * w + b
    >>> y = n.tanh()
    >>> fig = viz.plot_graph(y, names={"x": x, "w": w, "b": b, "n": n, "y": y})
    >>> print(viz.alt_text(fig))  # doctest: +NORMALIZE_WHITESPACE
    Computation graph of 6 tensors and 3 operations (mul, add, tanh), inputs on the left,
    output on the right: x = 2 (input; gradient -1.5); w = -3 (input; gradient 1); t1 =
    mul(x, w) = -6 (gradient 0.5); b = 6.881 (input; gradient 0.5); n = add(t1, b) = 0.8814
    (gradient 0.5); y = tanh(n) = 0.7071 (gradient 1).
    """
    op_name = "plot_graph"
    if not (hasattr(root, "_parents") and hasattr(root, "data")):
        raise TypeError(f"{op_name}: root must be a Tensor, got {type(root).__name__}")
    order = graph_nodes(root)
    if len(order) > max_nodes:
        raise ValueError(f"{op_name}: the graph has {len(order)} tensors, more than max_nodes="
                         f"{max_nodes}; draw a smaller expression or raise max_nodes")
    given = {id(t): str(name) for name, t in (names or {}).items()}
    labels, counter = {}, 0
    for t in order:
        if id(t) in given:
            labels[id(t)] = given[id(t)]
        else:
            counter += 1
            labels[id(t)] = f"t{counter}"
    gradients = node_gradients(root, order, grad) if grads and root.requires_grad else {}

    # --- layout: a column per depth (inputs at 0), rows ordered by their inputs' rows ---
    depth = {}
    for t in order:
        depth[id(t)] = 1 + max((depth[id(p)] for p in t._parents), default=-1)
    users = {}
    for t in order:
        for p in t._parents:
            users.setdefault(id(p), []).append(depth[id(t)])
    for t in order:  # an input sits just before its first use, not in column 0
        if not t._parents and t is not root:
            depth[id(t)] = min(users[id(t)]) - 1
    columns = [[] for _ in range(max(depth.values()) + 1)]
    for t in order:
        columns[depth[id(t)]].append(t)
    row = {}
    for c, column in enumerate(columns):
        if c:
            column.sort(key=lambda t: np.mean([row[id(p)] for p in t._parents])
                        if t._parents else np.inf)
        for r, t in enumerate(column):
            row[id(t)] = r - (len(column) - 1) / 2
    consumers = {}
    for t in order:
        for p in t._parents:
            consumers.setdefault(id(p), []).append(t)
    for column in reversed(columns[:-1]):  # inputs follow the operations that use them
        column.sort(key=lambda t: np.mean([row[id(u)] for u in consumers.get(id(t), [t])]))
        for r, t in enumerate(column):
            row[id(t)] = r - (len(column) - 1) / 2

    def box_text(t):
        lines = [labels[id(t)], f"value {_show(t.data)}"]
        if id(t) in gradients:
            lines.append(f"grad {_show(gradients[id(t)])}")
        elif grads:
            lines.append("no grad")
        return "\n".join(lines)

    fig, axes = new_figure(4.0, 2.0)
    fig.set_layout_engine("none")  # the Axes fills the figure: one data unit is one inch
    ax = axes[0, 0]
    ax.set_position([0, 0, 1, 1])
    ax.set_axis_off()
    renderer = fig.canvas.get_renderer()
    font = 8
    texts = {id(t): ax.text(0, 0, box_text(t), ha="center", va="center", fontsize=font,
                            linespacing=1.25) for t in order}
    extents = {key: text.get_window_extent(renderer) for key, text in texts.items()}
    op_texts = {id(t): ax.text(0, 0, str(t._op), ha="center", va="center", fontsize=font - 1,
                               zorder=4) for t in order if t._parents}
    pad, row_gap = 0.07, 0.22
    op_w = max([0.34] + [o.get_window_extent(renderer).width / fig.dpi + 0.12
                         for o in op_texts.values()])
    op_h, gap = 0.3, op_w + 0.4
    box_h = max(e.height for e in extents.values()) / fig.dpi + 2 * pad
    col_w = [max(extents[id(t)].width for t in column) / fig.dpi + 2 * pad for column in columns]
    col_x = 0.1 + np.concatenate([[0], np.cumsum(np.array(col_w[:-1]) + gap)]) + np.array(col_w) / 2
    pitch_y = box_h + row_gap
    n_rows = max(len(c) for c in columns)
    width = float(col_x[-1] + col_w[-1] / 2 + 0.1)
    arcs = any(depth[id(t)] - depth[id(p)] > 1 for t in order for p in t._parents)
    top = n_rows * pitch_y / 2 + (0.9 * box_h if arcs else 0.05)
    bottom = n_rows * pitch_y / 2 + 0.05
    fig.set_size_inches(width, top + bottom)
    ax.set(xlim=(0, width), ylim=(-bottom, top))
    centre = {id(t): (col_x[depth[id(t)]], -row[id(t)] * pitch_y) for t in order}
    half = {id(t): col_w[depth[id(t)]] / 2 for t in order}

    from matplotlib.patches import Ellipse, FancyBboxPatch
    arrow = dict(arrowstyle="-|>", color="0.25", lw=0.8, shrinkA=0, shrinkB=1)
    for t in order:
        x, y = centre[id(t)]
        w = half[id(t)]
        texts[id(t)].set_position((x, y))
        color = ROOT_COLOR if t is root else LEAF_COLOR if not t._parents else "white"
        ax.add_patch(FancyBboxPatch((x - w, y - box_h / 2), 2 * w, box_h,
                                    boxstyle="round,pad=0.01", fc=color, ec="black", lw=0.8))
        if t._parents:
            ox = x - w - gap / 2
            ax.add_patch(Ellipse((ox, y), op_w, op_h, fc=OP_COLOR, ec="black", lw=0.8, zorder=3))
            op_texts[id(t)].set_position((ox, y))
            ax.annotate("", xy=(x - w, y), xytext=(ox + op_w / 2, y), arrowprops=arrow)
            seen = {}
            for p in t._parents:
                px, py = centre[id(p)]
                start = (px + half[id(p)], py)
                length = float(np.hypot(ox - start[0], y - py))
                repeat = seen[id(p)] = seen.get(id(p), -1) + 1  # the same input used again
                if repeat:  # a second arrow, starting lower and bowing down, so both show
                    start, rad = (start[0], py - 0.12 * repeat), 0.4
                elif depth[id(t)] - depth[id(p)] > 1:  # over the columns between: arc above
                    rad = -1.6 * box_h / length
                else:
                    rad = 0.0
                ax.annotate("", xy=(ox - op_w / 2, y), xytext=start,
                            arrowprops={**arrow, "connectionstyle": f"arc3,rad={rad:.3f}"})

    ops = []
    for t in order:
        if t._op is not None and t._op not in ops:
            ops.append(t._op)
    parts = []
    for t in order:
        name = labels[id(t)]
        value = _show(t.data)
        g = (f"gradient {_show(gradients[id(t)])}" if id(t) in gradients
             else "no gradient" if grads else "")
        if t._parents:
            inputs = ", ".join(labels[id(p)] for p in t._parents)
            parts.append(f"{name} = {t._op}({inputs}) = {value}" + (f" ({g})" if g else ""))
        else:
            parts.append(f"{name} = {value} (input" + (f"; {g})" if g else ")"))
    n_ops = sum(1 for t in order if t._parents)
    text = (f"Computation graph of {len(order)} tensors and {n_ops} operations ({', '.join(ops)}), "
            f"inputs on the left, output on the right: {'; '.join(parts)}.")
    add_alt_text(fig, text)
    return fig
