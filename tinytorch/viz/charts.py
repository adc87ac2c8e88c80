"""General charts: curves (:func:`plot_lines`), bars (:func:`plot_bars`), points (:func:`plot_points`).

Each draws on a new figure or into ``ax=`` (see :func:`tinytorch.viz.subplots` for panels),
labels what it draws, and appends an alt text computed from the data: the range of every
series, where it peaks or dips, and the reference lines with their values.
"""

from __future__ import annotations

import numpy as np

from ._base import class_color, class_marker, listing, styled, to_numpy
from ._figure import add_alt_text, figure_of

#: Line styles of reference lines, in order (a second cue besides the label in the legend).
REFERENCE_STYLES = ("--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)))
REFERENCE_COLOR = "0.4"
MARKERS_UP_TO = 30  # series with at most this many points get a marker at each point


def number(value) -> str:
    """A short number for alt text: integers as such, else 3 significant digits.

    Examples
    --------
    >>> from tinytorch.viz.charts import number
    >>> number(65536.0), number(0.012345), number(-2.5e-07), number(float("nan"))
    ('65536', '0.0123', '-2.5e-07', 'nan')
    """
    value = float(value)
    if np.isfinite(value) and value == round(value) and abs(value) < 1e7:
        return str(int(round(value)))
    return f"{value:.3g}"


def _series_dict(series, op: str) -> dict:
    """``{label: values}`` from a dict or a single array (label "")."""
    if isinstance(series, dict):
        if not series:
            raise ValueError(f"{op}: no series to plot (an empty dict)")
        return {str(k): v for k, v in series.items()}
    return {"": series}


def _xy(label, values, x, op: str):
    """(x, y) float arrays of one series: ``values`` is y, or an (x, y) pair."""
    if isinstance(values, tuple) and len(values) == 2:
        x, values = values
    y = to_numpy(values, op, f"series {label!r}").astype(float)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"{op}: series {label!r} must be a non-empty 1-D sequence, "
                         f"got shape {y.shape}")
    x = np.arange(y.size, dtype=float) if x is None else to_numpy(x, op, "x").astype(float)
    if x.shape != y.shape:
        raise ValueError(f"{op}: series {label!r} has {y.size} values but its x has shape "
                         f"{x.shape}; they must have the same length")
    return x, y


def _check_scale(scale, name, arrays, op):
    if scale not in ("linear", "log", "symlog"):
        raise ValueError(f"{op}: {name} must be 'linear', 'log' or 'symlog', got {scale!r}")
    if scale == "log":
        for label, values in arrays.items():
            finite = values[np.isfinite(values)]
            if finite.size and finite.min() <= 0:
                raise ValueError(f"{op}: {name}='log' needs positive values, but {label} has "
                                 f"{number(finite.min())}")


def _style(styles, label):
    """matplotlib keyword arguments from ``styles[label]`` (a format string or a dict)."""
    style = (styles or {}).get(label)
    if style is None:
        return None, {}
    if isinstance(style, str):
        return style, {}
    if isinstance(style, dict):
        return None, dict(style)
    raise TypeError(f"styles[{label!r}] must be a format string such as 'o--' or a dict of "
                    f"matplotlib keyword arguments, got {type(style).__name__}")


def _at(xname: str, value) -> str:
    """'step 3' for a word, 'x = 3' for a symbol."""
    return f"{xname} = {number(value)}" if len(xname) <= 3 else f"{xname} {number(value)}"


def _describe(label, x, y, xname) -> str:
    """One series in words: from/to, and an interior peak or dip, with their x."""
    ok = np.isfinite(y)
    if not ok.any():
        return f"{label} has no finite values"
    x, y = x[ok], y[ok]
    if y.size == 1:
        return f"{label} is {number(y[0])} at {_at(xname, x[0])}"
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    steps = np.diff(y)
    spread = np.ptp(y)
    if spread <= 1e-12 * max(1.0, abs(y).max()):
        return f"{label} stays at {number(y[0])} from {_at(xname, x[0])} to {number(x[-1])}"
    if (steps >= 0).all():
        verb = "rises steadily"
    elif (steps <= 0).all():
        verb = "falls steadily"
    else:
        verb = "rises" if y[-1] > y[0] else "falls" if y[-1] < y[0] else "returns"
    text = (f"{label} {verb} from {number(y[0])} at {_at(xname, x[0])} to {number(y[-1])} "
            f"at {number(x[-1])}")
    extra = []
    hi, lo = int(np.argmax(y)), int(np.argmin(y))
    if 0 < hi < y.size - 1:
        extra.append(f"peak {number(y[hi])} at {number(x[hi])}")
    if 0 < lo < y.size - 1:
        extra.append(f"lowest {number(y[lo])} at {number(x[lo])}")
    return text + (f" ({', '.join(extra)})" if extra else "")


def _references(ax, lines: dict | None, axis: str, styles, start: int, op: str) -> list[str]:
    """Draw labelled reference lines (``{label: value}``); return their descriptions."""
    if not lines:
        return []
    if not isinstance(lines, dict):
        raise TypeError(f"{op}: {axis}lines must be a dict {{label: value}}, got "
                        f"{type(lines).__name__}")
    described = []
    for i, (label, value) in enumerate(lines.items(), start):
        value = float(value)
        fmt, kw = _style(styles, label)
        kw.setdefault("color", REFERENCE_COLOR)
        kw.setdefault("linewidth", 1.0)
        kw.setdefault("linestyle", REFERENCE_STYLES[i % len(REFERENCE_STYLES)])
        if fmt:
            kw["linestyle"] = fmt
        draw = ax.axhline if axis == "h" else ax.axvline
        draw(value, label=label, **kw)
        described.append(f"{label} at {'' if axis == 'h' else 'x = '}{number(value)}")
    return described


def _finish(ax, xlabel, ylabel, title, legend):
    ax.set(xlabel=xlabel or "", ylabel=ylabel or "")
    if title:
        ax.set_title(title)
    handles, labels = ax.get_legend_handles_labels()
    if legend and any(label and not label.startswith("_") for label in labels):
        ax.legend(loc=legend if isinstance(legend, str) else "best")


@styled
def plot_lines(series, x=None, *, ax=None, xlabel="x", ylabel=None, title=None,
               xscale="linear", yscale="linear", hlines=None, vlines=None, styles=None,
               xticks=None, ylim=None, legend="best", width=5.2, height=3.0):
    """Curves of one or several series against a shared (or each its own) x, with reference lines.

    Each series gets one of the Okabe-Ito :data:`~tinytorch.viz.CLASS_COLORS` and, when it
    has at most 30 points, one of the class markers (a second cue for colour-blind readers).
    Reference lines (``hlines``/``vlines``) are grey, each with its own dash pattern and
    a legend entry.

    Parameters
    ----------
    series : dict or array_like
        ``{label: y}`` with every ``y`` 1-D (N,), or ``{label: (x, y)}`` for a series with
        its own x; a single 1-D array is one unlabelled series. Tensors are accepted.
    x : array_like, optional
        The shared x values (N,). Default: 0, 1, ..., N - 1.
    ax : matplotlib Axes, optional
        Draw into this Axes (its figure collects the alt text) instead of a new figure.
    xlabel, ylabel, title : str, optional
        Axis labels and title; they also name the quantities in the alt text.
    xscale, yscale : {"linear", "log", "symlog"}, optional
        A log axis needs positive values (ValueError otherwise; matplotlib would drop them).
    hlines, vlines : dict, optional
        Reference lines ``{label: value}``: horizontal at y = value, vertical at x = value.
    styles : dict, optional
        Per label (of a series or a reference line): a format string such as ``"o--"`` or
        ``":"``, or a dict of ``Axes.plot`` keyword arguments (``color``, ``alpha``,
        ``linewidth``, ``marker``, ...).
    xticks : array_like, optional
        Put the x ticks exactly at these values, labelled ``f"{v:g}"`` (useful on log axes).
    ylim : (float, float), optional
    legend : str or bool, optional
        Legend location, or False for none. Default: ``"best"``.
    width, height : float, optional
        Inches, for a new figure. Default: 5.2 × 3.0.

    Returns
    -------
    matplotlib.figure.Figure
        With computed alt text: each series' start, end, interior peak or dip, the axis
        scales and the reference lines.

    Shape
    -----
    Each series: y (N,) and x (N,); N may differ between series given as (x, y) pairs.

    Raises
    ------
    ValueError
        An empty or non-1-D series, x and y of different lengths, or non-positive values on
        a log axis.

    Examples
    --------
    >>> import math
    >>> from tinytorch import viz
    >>> losses = [4.6, 2.0, 0.9, 0.3, 0.1]
    >>> fig = viz.plot_lines({"training loss": losses}, x=range(1, 6),
    ...                      xlabel="step", ylabel="cross-entropy", yscale="log",
    ...                      hlines={"guessing: ln 100": math.log(100)})
    >>> print(viz.alt_text(fig))  # doctest: +NORMALIZE_WHITESPACE
    Line plot of cross-entropy (log scale) against step from 1 to 5: training loss falls
    steadily from 4.6 at step 1 to 0.1 at 5. Reference line: guessing: ln 100 at 4.61.
    """
    from matplotlib.ticker import NullLocator
    op = "plot_lines"
    data = {label: _xy(label, values, x, op) for label, values in _series_dict(series, op).items()}
    _check_scale(xscale, "xscale", {f"the x of {k or 'the series'}": v[0] for k, v in data.items()}, op)
    _check_scale(yscale, "yscale", {k or "the series": v[1] for k, v in data.items()}, op)
    fig, ax = figure_of(ax, width, height)
    for i, (label, (xs, ys)) in enumerate(data.items()):
        fmt, kw = _style(styles, label)
        kw.setdefault("color", class_color(i))
        if fmt is None and "marker" not in kw and xs.size <= MARKERS_UP_TO:
            kw.update(marker=class_marker(i), markersize=4)
        ax.plot(xs, ys, *([fmt] if fmt else []), label=label or None, **kw)
    ax.set(xscale=xscale, yscale=yscale)
    refs = _references(ax, hlines, "h", styles, 0, op)
    refs += _references(ax, vlines, "v", styles, len(hlines or ()), op)
    if xticks is not None:
        ticks = to_numpy(xticks, op, "xticks").astype(float).ravel()
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        ax.xaxis.set_minor_locator(NullLocator())
    if ylim is not None:
        ax.set_ylim(*ylim)
    _finish(ax, xlabel, ylabel, title, legend)

    xname = xlabel or "x"
    all_x = np.concatenate([xs for xs, _ in data.values()])
    what = ylabel or "values"
    log_y = " (log scale)" if yscale == "log" else ""
    head = (f"Line plot{f' ({title})' if title else ''} of {what}{log_y} against {xname}"
            f"{' (log scale)' if xscale == 'log' else ''} from {number(np.nanmin(all_x))} to "
            f"{number(np.nanmax(all_x))}")
    if len(data) > 1:
        head += f", {len(data)} series"
    parts = [_describe(label or what, xs, ys, xname) for label, (xs, ys) in data.items()]
    text = f"{head}: {'; '.join(parts)}."
    if refs:
        text += f" Reference line{'s' if len(refs) > 1 else ''}: {'; '.join(refs)}."
    add_alt_text(fig, text)
    return fig


@styled
def plot_bars(values, labels=None, *, ax=None, xlabel=None, ylabel=None, title=None,
              hlines=None, styles=None, value_labels=False, yscale="linear", ylim=None,
              legend="best", width=5.2, height=3.0):
    """Bars of one series, or grouped bars of several, over named categories.

    Parameters
    ----------
    values : dict or array_like
        One series (K,), or ``{label: (K,)}`` for several series drawn side by side in each
        category, each in its own colour.
    labels : sequence of str, optional
        The K category names along the x axis. Default: 0, 1, ..., K - 1.
    ax : matplotlib Axes, optional
    xlabel, ylabel, title : str, optional
    hlines : dict, optional
        Horizontal reference lines ``{label: value}``.
    styles : dict, optional
        Per series or reference label: a dict of keyword arguments (``color``, ``hatch``, ...).
    value_labels : bool or str, optional
        Write each bar's value above it; a str is the format (default ``"%.2f"`` when True).
    yscale : {"linear", "log", "symlog"}, optional
    ylim : (float, float), optional
    legend : str or bool, optional
    width, height : float, optional
        Inches, for a new figure. Default: 5.2 × 3.0.

    Returns
    -------
    matplotlib.figure.Figure
        With computed alt text listing the values (or, past 8 categories, the range and the
        largest bar) of each series.

    Shape
    -----
    Each series (K,), K = categories.

    Raises
    ------
    ValueError
        Series of different lengths, or labels that do not match their length.

    Examples
    --------
    >>> from tinytorch import viz
    >>> fig = viz.plot_bars([0.1, 0.6, 0.3], ["the", "cat", "sat"], xlabel="key",
    ...                     ylabel="weight", hlines={"uniform": 1 / 3})
    >>> print(viz.alt_text(fig))  # doctest: +NORMALIZE_WHITESPACE
    Bar chart of weight for 3 key values: the 0.1, cat 0.6, sat 0.3 (largest: cat).
    Reference line: uniform at 0.333.
    """
    from ._base import check_labels
    op = "plot_bars"
    data = {}
    for label, v in _series_dict(values, op).items():
        arr = to_numpy(v, op, f"series {label!r}").astype(float)
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"{op}: series {label!r} must be a non-empty 1-D sequence, "
                             f"got shape {arr.shape}")
        data[label] = arr
    sizes = {label: arr.size for label, arr in data.items()}
    if len(set(sizes.values())) != 1:
        raise ValueError(f"{op}: every series needs one value per category, got lengths {sizes}")
    k = next(iter(sizes.values()))
    names = check_labels(labels, k, op, "labels", "categories", (len(data), k))
    _check_scale(yscale, "yscale", {label or "the series": arr for label, arr in data.items()}, op)
    fig, ax = figure_of(ax, width, height)
    n = len(data)
    bar = 0.8 / n
    positions = np.arange(k)
    for i, (label, arr) in enumerate(data.items()):
        _, kw = _style(styles, label)
        kw.setdefault("color", class_color(i))
        bars = ax.bar(positions + (i - (n - 1) / 2) * bar, arr, bar, label=label or None, **kw)
        if value_labels:
            fmt = value_labels if isinstance(value_labels, str) else "%.2f"
            ax.bar_label(bars, fmt=fmt, fontsize=7 if n > 1 else 8)
    ax.set_xticks(positions, names)
    ax.set_yscale(yscale)
    refs = _references(ax, hlines, "h", styles, 0, op)
    if ylim is not None:
        ax.set_ylim(*ylim)
    elif value_labels and yscale == "linear":
        top = max(arr.max() for arr in data.values())
        if top > 0:
            ax.set_ylim(top=top * 1.18)
    _finish(ax, xlabel, ylabel, title, legend)

    what = ylabel or "values"
    cats = f"{xlabel} values" if xlabel else "categories"
    def describe(arr):
        best = names[int(np.argmax(arr))]
        if k <= 8:
            return f"{listing((f'{c} {number(v)}' for c, v in zip(names, arr)), 8)} (largest: {best})"
        return f"from {number(arr.min())} to {number(arr.max())} (largest: {best})"
    if n == 1:
        body = describe(next(iter(data.values())))
        head = f"Bar chart{f' ({title})' if title else ''} of {what} for {k} {cats}"
    else:
        body = "; ".join(f"{label}: {describe(arr)}" for label, arr in data.items())
        head = (f"Grouped bar chart{f' ({title})' if title else ''} of {what} for {k} {cats} "
                f"({listing(names)}), {n} series")
    text = f"{head}: {body}."
    if refs:
        text += f" Reference line{'s' if len(refs) > 1 else ''}: {'; '.join(refs)}."
    add_alt_text(fig, text)
    return fig


@styled
def plot_points(points, classes=None, *, class_names=None, annotate=None, ax=None,
                xlabel="x1", ylabel="x2", title=None, equal_aspect=False, legend="best",
                width=4.8, height=4.0):
    """A scatter plot of 2-D points, coloured and marked by class, optionally labelled.

    Parameters
    ----------
    points : array_like or Tensor
        The points (N, 2).
    classes : array_like of int, optional
        Class ids (N,) in 0..C-1; each class has its own colour and marker. Default: one class.
    class_names : sequence of str, optional
        C names for the legend and the alt text. Default: ``"class 0"``, ...
    annotate : sequence of str, optional
        N texts written beside the points (for example the words of an embedding).
    ax : matplotlib Axes, optional
    xlabel, ylabel, title : str, optional
    equal_aspect : bool, optional
        One unit the same length on both axes (rotations, distances). Default: False.
    legend : str or bool, optional
    width, height : float, optional
        Inches, for a new figure. Default: 4.8 × 4.0.

    Returns
    -------
    matplotlib.figure.Figure
        With computed alt text: the ranges of both coordinates, and each class's count and
        centre.

    Shape
    -----
    points (N, 2), classes (N,), annotate (N,); N = points, C = classes.

    Raises
    ------
    ValueError
        Points not of shape (N, 2), or classes/annotations/names of the wrong length.

    Examples
    --------
    >>> from tinytorch import viz
    >>> fig = viz.plot_points([[0, 0], [1, 0], [4, 4], [5, 4]], [0, 0, 1, 1],
    ...                       class_names=["near", "far"])
    >>> print(viz.alt_text(fig))  # doctest: +NORMALIZE_WHITESPACE
    Scatter plot of 4 points, x1 from 0 to 5 and x2 from 0 to 4: near 2 points centred at
    (0.5, 0); far 2 points centred at (4.5, 4).
    """
    op = "plot_points"
    pts = to_numpy(points, op, "points").astype(float)
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise ValueError(f"{op}: points must have shape (N, 2), got {pts.shape}")
    n = pts.shape[0]
    cls = np.zeros(n, int) if classes is None else to_numpy(classes, op, "classes").reshape(-1)
    if cls.shape[0] != n:
        raise ValueError(f"{op}: classes has {cls.shape[0]} entries but points has {n} "
                         f"(points shape {pts.shape})")
    cls = cls.astype(int)
    n_classes = int(cls.max()) + 1 if n else 1
    if class_names is None:
        names = [f"class {c}" for c in range(n_classes)] if classes is not None else [""]
    else:
        names = [str(s) for s in class_names]
        if len(names) < n_classes:
            raise ValueError(f"{op}: class_names has {len(names)} names but classes go up to "
                             f"{n_classes - 1}")
    if annotate is not None and len(annotate) != n:
        raise ValueError(f"{op}: annotate has {len(annotate)} texts but points has {n}")
    fig, ax = figure_of(ax, width, height)
    parts = []
    for c in range(n_classes):
        members = pts[cls == c]
        if not len(members) and classes is not None:
            continue
        ax.scatter(members[:, 0], members[:, 1], s=24, color=class_color(c),
                   marker=class_marker(c), edgecolor="black", linewidth=0.4,
                   label=names[c] or None)
        if len(members):
            centre = members.mean(axis=0)
            parts.append(f"{names[c] + ' ' if names[c] else ''}{len(members)} points centred at "
                         f"({number(centre[0])}, {number(centre[1])})")
    if annotate is not None:
        for text, (px, py) in zip(annotate, pts):
            ax.annotate(str(text), (px, py), xytext=(3, 2), textcoords="offset points", fontsize=7)
    if equal_aspect:
        ax.set_aspect("equal")
    _finish(ax, xlabel, ylabel, title, legend)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    text = (f"Scatter plot{f' ({title})' if title else ''} of {n} points, {xlabel} from "
            f"{number(lo[0])} to {number(hi[0])} and {ylabel} from {number(lo[1])} to {number(hi[1])}")
    text += f": {'; '.join(parts)}" if classes is not None else ""
    if annotate is not None:
        text += f"; labelled {listing(annotate, 12)}"
    add_alt_text(fig, text + ".")
    return fig
