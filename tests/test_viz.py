"""Tests for tinytorch.viz: figures, panels, texts, masks, alt text, errors, lazy import."""

import os
import subprocess
import sys

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from tinytorch import viz  # noqa: E402
from tinytorch.viz.attention import MASK_GID  # noqa: E402

TOKENS = ["the", "cat", "sat", "on", "a", "mat"]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def softmax_rows(scores, allowed=None):
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def attention(seed=0, n=6):
    return softmax_rows(np.random.default_rng(seed).normal(size=(n, n)) * 2)


def hatched(ax):
    return [c for c in ax.collections if c.get_gid() == MASK_GID]


# --- import ---------------------------------------------------------------------------------
def test_figure_module_is_the_one_home_of_alt_text_and_base_does_not_import_it():
    import ast
    import inspect

    from tinytorch.viz import _base, _figure
    imported = {node.module for node in ast.walk(ast.parse(inspect.getsource(_base)))
                if isinstance(node, ast.ImportFrom)}
    assert "_figure" not in imported and not hasattr(_base, "alt_text")
    assert viz.alt_text is _figure.alt_text and viz.show is _figure.show


def test_import_does_not_import_matplotlib():
    code = ("import sys, tinytorch, tinytorch.viz, tinytorch.text; "
            "assert 'matplotlib' not in sys.modules, sorted(m for m in sys.modules if 'matplotlib' in m)")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": root}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr


# --- plot_attention ---------------------------------------------------------------------------
def test_plot_attention_figure_labels_and_annotations():
    w = attention()
    fig = viz.plot_attention(w, TOKENS, TOKENS)
    assert isinstance(fig, Figure)
    heat, colorbar = fig.axes
    assert colorbar.get_ylabel() == "attention weight"
    assert heat.get_xlabel() == "key" and heat.get_ylabel() == "query"
    assert [t.get_text() for t in heat.get_xticklabels()] == TOKENS
    assert [t.get_text() for t in heat.get_yticklabels()] == TOKENS
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in heat.texts}
    assert len(heat.texts) == w.size
    assert all(texts[rc] == f"{w[rc]:.2f}" for rc in np.ndindex(w.shape))
    assert heat.images[0].get_cmap().name.startswith("viridis")


def test_plot_attention_text_contrast():
    w = np.array([[1.0, 0.0], [0.0, 1.0]])  # viridis: 1.0 is yellow, 0.0 dark purple
    heat = viz.plot_attention(w, ["a", "b"]).axes[0]
    colors = {t.get_text(): t.get_color() for t in heat.texts}
    assert colors["1.00"] == "black" and colors["0.00"] == "white"


def test_plot_attention_alt_text_names_labels_and_row_argmax():
    w = attention(1)
    text = viz.alt_text(viz.plot_attention(w, TOKENS))
    assert all(tok in text for tok in TOKENS)
    assert "6 queries over 6 keys" in text
    for row, col in enumerate(w.argmax(axis=1)):
        assert f"{TOKENS[row]}→{TOKENS[col]} {w[row, col]:.2f}" in text
    r, c = np.unravel_index(w.argmax(), w.shape)
    assert f"Overall largest: {TOKENS[r]}→{TOKENS[c]} {w[r, c]:.2f}" in text


def test_plot_attention_mask_is_hatched_and_unannotated():
    allowed = np.tri(6, dtype=bool)
    w = softmax_rows(np.random.default_rng(2).normal(size=(6, 6)), allowed)
    fig = viz.plot_attention(w, TOKENS, mask=allowed)
    heat = fig.axes[0]
    (collection,) = hatched(heat)
    assert collection.get_hatch() == "///"
    assert len(collection.get_paths()) == int((~allowed).sum())
    assert len(heat.texts) == int(allowed.sum())
    assert np.ma.getmaskarray(heat.images[0].get_array()).sum() == (~allowed).sum()
    text = viz.alt_text(fig)
    assert "causal" in text and "hatched" in text
    # the argmax ignores masked cells, even where a masked weight would be larger
    w2 = w.copy()
    w2[0, 5] = 5.0
    assert "the→mat" not in viz.alt_text(viz.plot_attention(w2, TOKENS, mask=allowed))


def test_plot_attention_padding_mask_and_tensor_input():
    tt = pytest.importorskip("tinytorch")
    allowed = np.ones((6, 6), bool)
    allowed[:, 4:] = False  # the last two keys are padding
    fig = viz.plot_attention(tt.Tensor(attention(3)), TOKENS, mask=tt.Tensor(allowed[None, None]))
    assert len(hatched(fig.axes[0])[0].get_paths()) == 12
    assert "keys a, mat are masked for every query" in viz.alt_text(fig)


def test_plot_attention_annotate_auto_and_off():
    big = softmax_rows(np.zeros((13, 13)))
    assert len(viz.plot_attention(big).axes[0].texts) == 0
    assert len(viz.plot_attention(attention(), annotate=False).axes[0].texts) == 0


def test_plot_attention_on_given_axes_and_combined_alt_text():
    fig, (ax1, ax2) = plt.subplots(1, 2)
    assert viz.plot_attention(attention(4), TOKENS, ax=ax1, title="left") is fig
    viz.plot_attention(attention(5), TOKENS, ax=ax2, title="right")
    text = viz.alt_text(fig)
    assert "(left)" in text and "(right)" in text and viz.alt_text(ax1) == text


@pytest.mark.parametrize("weights,labels,match", [
    (np.zeros((2, 3, 4)), None, r"2-D.*\(2, 3, 4\)"),
    (np.zeros(4), None, r"2-D.*\(4,\)"),
    (np.zeros((6, 6)), TOKENS[:5], r"query_labels has 5 labels.*6 queries.*\(6, 6\)"),
])
def test_plot_attention_bad_shapes(weights, labels, match):
    with pytest.raises(ValueError, match=match):
        viz.plot_attention(weights, labels)


def test_plot_attention_bad_masks_and_key_labels():
    with pytest.raises(ValueError, match=r"key_labels has 2 labels.*3 keys.*\(2, 3\)"):
        viz.plot_attention(np.zeros((2, 3)), ["a", "b"], ["x", "y"])
    with pytest.raises(ValueError, match=r"mask of shape \(3, 3\).*\(6, 6\)"):
        viz.plot_attention(attention(), mask=np.ones((3, 3), bool))
    with pytest.raises(ValueError, match="boolean"):
        viz.plot_attention(attention(), mask=np.tri(6))


# --- plot_attention_heads -----------------------------------------------------------------------
def test_heads_grid_one_panel_per_head_shared_scale():
    w = np.stack([attention(s) for s in range(5)])
    fig = viz.plot_attention_heads(w, TOKENS, ncols=4)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 5 and len(fig.axes) == 6  # 5 heads + one colorbar
    assert [ax.get_title() for ax in panels] == [f"head {h}" for h in range(5)]
    limits = {ax.images[0].get_clim() for ax in panels}
    assert len(limits) == 1 and limits.pop() == (0.0, pytest.approx(w.max()))
    text = viz.alt_text(fig)
    for h in range(5):
        r = w[h].max(axis=1).argmax()
        assert f"head {h}: {TOKENS[r]}→{TOKENS[w[h, r].argmax()]} {w[h, r].max():.2f}" in text
    focus = w.max(axis=2).mean(axis=1)
    assert f"Most focused: head {focus.argmax()}" in text


def test_heads_grid_layers_and_mask():
    allowed = np.tri(6, dtype=bool)
    rng = np.random.default_rng(7)
    w = softmax_rows(rng.normal(size=(2, 3, 6, 6)), allowed)
    fig = viz.plot_attention_heads(w, TOKENS, mask=allowed)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 6
    assert panels[5].get_title() == "layer 1, head 2"
    assert all(len(hatched(ax)) == 1 for ax in panels)
    assert "2 layers × 3 heads" in viz.alt_text(fig) and "causal" in viz.alt_text(fig)


def test_heads_bad_input():
    with pytest.raises(ValueError, match=r"3-D or 4-D.*\(6, 6\)"):
        viz.plot_attention_heads(attention(), TOKENS)
    with pytest.raises(ValueError, match=r"query_labels has 3 labels.*\(2, 6, 6\)"):
        viz.plot_attention_heads(np.stack([attention(), attention(1)]), TOKENS[:3])


# --- plot_history -------------------------------------------------------------------------------
HISTORY = {"train_loss": [1.0, 0.6, 0.4, 0.3], "val_loss": [1.1, 0.7, 0.65, 0.8],
           "train_accuracy": [0.5, 0.7, 0.8, 0.9], "val_accuracy": [0.45, 0.6, 0.7, 0.66]}


class FakeHistory:
    def __init__(self, history, best_epoch=None):
        self.history = history
        self.best_epoch = best_epoch


def test_history_panels_curves_and_best_epoch():
    fig = viz.plot_history(FakeHistory(HISTORY, best_epoch=2))
    assert len(fig.axes) == 2
    loss_ax, acc_ax = fig.axes
    assert loss_ax.get_title() == "loss" and acc_ax.get_title() == "accuracy"
    labels = [line.get_label() for line in loss_ax.lines]
    assert labels == ["training", "validation", "best epoch (3)"]
    np.testing.assert_allclose(loss_ax.lines[1].get_ydata(), HISTORY["val_loss"])
    assert list(loss_ax.lines[2].get_xdata()) == [3, 3]
    text = viz.alt_text(fig)
    best = int(np.argmin(HISTORY["val_loss"]))
    assert f"validation loss goes from 1.1 to 0.8 (lowest 0.65 at epoch {best + 1})" in text
    assert "best epoch, 3" in text


def test_history_plain_dict_and_errors():
    fig = viz.plot_history({"train_loss": [3.0, 2.0, 1.0]})
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 1
    assert "best epoch" not in viz.alt_text(fig)
    with pytest.raises(ValueError, match="no per-epoch lists"):
        viz.plot_history({})
    with pytest.raises(ValueError, match=r"best_epoch 9 .*4 epochs"):
        viz.plot_history(HISTORY, best_epoch=9)


# --- plot_decision_boundary ------------------------------------------------------------------
def blobs(seed=0):
    rng = np.random.default_rng(seed)
    centers = np.array([[-2.0, 0.0], [2.0, 0.0], [0.0, 2.5]])
    y = np.repeat(np.arange(3), 20)
    return centers[y] + rng.normal(size=(60, 2)), y


def test_decision_boundary_multiclass_single_batched_call():
    X, y = blobs()
    calls = []

    def scores(points):  # nearest-center classifier as logits (N, 3)
        calls.append(points.shape)
        centers = np.array([[-2.0, 0.0], [2.0, 0.0], [0.0, 2.5]])
        return -((points[:, None, :] - centers) ** 2).sum(-1)

    fig = viz.plot_decision_boundary(scores, X, y, class_names=["left", "right", "top"], resolution=50)
    assert calls == [(50 * 50 + 60, 2)]
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()][:3] == ["left", "right", "top"]
    accuracy = (scores(X).argmax(1) == y).mean()
    assert f"Accuracy on the plotted points {accuracy:.0%}" in viz.alt_text(fig)
    assert "3-class" in viz.alt_text(fig) and "left: 20" in viz.alt_text(fig)


@pytest.mark.parametrize("kind", ["logits", "probabilities", "column"])
def test_decision_boundary_binary_outputs(kind):
    X = np.array([[-1.0, 0.0], [-0.5, 1.0], [0.5, 0.0], [1.0, -1.0], [0.2, 0.3]])
    y = np.array([0, 0, 1, 1, 0])  # the last point lies on the wrong side of x1 = 0
    fns = {"logits": lambda p: 3 * p[:, 0], "probabilities": lambda p: 1 / (1 + np.exp(-3 * p[:, 0])),
           "column": lambda p: (3 * p[:, 0])[:, None]}
    fig = viz.plot_decision_boundary(fns[kind], X, y)
    text = viz.alt_text(fig)
    assert "Accuracy on the plotted points 80%" in text and "1 class 0 in the class 1 region" in text


def test_decision_boundary_with_a_module():
    tt = pytest.importorskip("tinytorch")
    tt.manual_seed(0)
    model = tt.Linear(2, 3)
    model.train()
    X, y = blobs(1)
    fig = viz.plot_decision_boundary(model, X, y, resolution=30)
    with tt.no_grad():
        expected = (model(tt.Tensor(X.astype(np.float32))).numpy().argmax(1) == y).mean()
    assert f"Accuracy on the plotted points {expected:.0%}" in viz.alt_text(fig)
    assert model.training  # the mode is restored


def test_decision_boundary_bad_input():
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\), got \(4, 3\)"):
        viz.plot_decision_boundary(lambda p: p[:, 0], np.zeros((4, 3)), np.zeros(4))
    with pytest.raises(ValueError, match=r"y has 3 labels but X has 4 points"):
        viz.plot_decision_boundary(lambda p: p[:, 0], np.zeros((4, 2)), np.zeros(3))


# --- images and filters -----------------------------------------------------------------------
def test_plot_images_panels_titles_and_predictions():
    rng = np.random.default_rng(0)
    images = rng.random((10, 1, 8, 8))
    labels = np.arange(10) % 4
    preds = labels.copy()
    preds[[2, 7]] = (labels[[2, 7]] + 1) % 4
    names = ["bar", "cross", "square", "ring"]
    fig = viz.plot_images(images, labels, names, predictions=preds, ncols=5)
    assert len(fig.axes) == 10
    assert fig.axes[0].get_title() == "bar ✓"
    assert fig.axes[2].get_title() == "ring ✗ (square)"
    text = viz.alt_text(fig)
    assert "8 of 10 correct" in text and "image 3 (a square taken for a ring)" in text
    assert "bar ×3" in text


def test_plot_images_shapes_and_errors():
    assert len(viz.plot_images(np.zeros((40, 6, 6)), max_images=12).axes) == 12
    with pytest.raises(ValueError, match=r"\(N, H, W\).*\(2, 2, 5, 5\)"):
        viz.plot_images(np.zeros((2, 2, 5, 5)))
    with pytest.raises(ValueError, match=r"labels has 3 entries but images has 4"):
        viz.plot_images(np.zeros((4, 5, 5)), [0, 1, 2])


def test_plot_filters_grid_and_centred_scale():
    w = np.random.default_rng(0).normal(size=(4, 3, 3, 3))
    fig = viz.plot_filters(w)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 12 and len(fig.axes) == 13
    vmin, vmax = panels[0].images[0].get_clim()
    assert vmin == -vmax == pytest.approx(-np.abs(w).max())
    assert panels[0].images[0].get_cmap().name.startswith("RdBu_r")
    norms = np.sqrt((w ** 2).sum(axis=(1, 2, 3)))
    assert f"Strongest filter: out {norms.argmax()} (L2 norm {norms.max():.2f}" in viz.alt_text(fig)
    single = viz.plot_filters(w[:, :1])
    assert len([ax for ax in single.axes if ax.images]) == 4
    with pytest.raises(ValueError, match=r"4-D.*\(3, 3\)"):
        viz.plot_filters(np.zeros((3, 3)))


def test_plot_maps_own_scales_cmaps_and_alt_text_numbers():
    ramp = np.arange(12.0).reshape(3, 4)
    signed = np.array([[0.0, -3.0], [1.0, 0.0]])
    fig = viz.plot_maps([ramp, signed], ["ramp", "$G_x$"], cmap=["gray", None])
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 2 and len(fig.axes) == 4  # two colour bars
    assert [ax.get_title() for ax in panels] == ["ramp", "$G_x$"]
    assert panels[0].images[0].get_clim() == (0.0, 11.0)
    assert panels[0].images[0].get_cmap().name == "gray"
    assert panels[1].images[0].get_clim() == (-3.0, 3.0)  # centred at 0
    assert panels[1].images[0].get_cmap().name.startswith(viz.DIVERGING_CMAP)
    text = viz.alt_text(fig)
    assert "each on its own scale" in text
    assert ("ramp: 3×4, values 0 to 11, 11 of 12 cells non-zero, maximum 11 at "
            "row 2, column 3.") in text
    assert ("G_x: 2×2, values -3 to 1, 2 of 4 cells non-zero, maximum 1 at row 1, "
            "column 0.") in text


def test_plot_maps_shared_scale_is_shared_with_one_colorbar():
    a, b = np.zeros((4, 6)), np.zeros((4, 6))
    a[1, 2], b[3, 5], b[0, 0] = 2.0, 8.0, 8.0
    fig = viz.plot_maps({"first": a, "second": b}, shared_scale=True,
                        colorbar_label="strength")
    panels = [ax for ax in fig.axes if ax.images]
    assert len(fig.axes) == 3  # one colour bar for both
    assert [ax.images[0].get_clim() for ax in panels] == [(0.0, 8.0)] * 2
    assert panels[0].images[0].norm.vmax == panels[1].images[0].norm.vmax == 8.0
    assert fig.axes[2].get_ylabel() == "strength"
    text = viz.alt_text(fig)
    assert "on one shared scale from 0 to 8." in text
    assert "first: 4×6, values 0 to 2, 1 of 24 cells non-zero, maximum 2 at row 1, column 2." in text
    assert "maximum 8 at row 0, column 0 (first of 2 cells)." in text
    fixed = viz.plot_maps([a, b], shared_scale=True, vmin=-1, vmax=10, colorbar=False)
    assert len(fixed.axes) == 2
    assert {ax.images[0].get_clim() for ax in fixed.axes} == {(-1.0, 10.0)}


def test_plot_maps_tensor_stack_and_bad_input():
    import tinytorch as tt
    fig = viz.plot_maps(tt.Tensor(np.ones((3, 2, 2))))
    assert len([ax for ax in fig.axes if ax.images]) == 3
    assert "map 2: 2×2, values 1 to 1, 4 of 4 cells non-zero" in viz.alt_text(fig)
    with pytest.raises(ValueError, match=r"plot_maps: .*map 1 has shape \(2, 3, 4\).*\(5, 5\)"):
        viz.plot_maps([np.zeros((5, 5)), np.zeros((2, 3, 4))])
    with pytest.raises(ValueError, match=r"plot_maps: 1 titles for 2 maps"):
        viz.plot_maps([np.zeros((5, 5)), np.zeros((4, 4))], ["one"])
    with pytest.raises(ValueError, match=r"plot_maps: cmap has 3 entries but there are 2 maps"):
        viz.plot_maps([np.zeros((5, 5))] * 2, cmap=["gray"] * 3)
    with pytest.raises(ValueError, match=r"plot_maps: map 0 \(shape \(2, 2\)\) has vmin 3 >= vmax 1"):
        viz.plot_maps([np.zeros((2, 2))], vmin=3, vmax=1)
    with pytest.raises(ValueError, match=r"plot_maps: map 0 .*NaN"):
        viz.plot_maps([np.full((2, 2), np.nan)])
    with pytest.raises(ValueError, match=r"plot_maps: no maps"):
        viz.plot_maps([])


# --- confusion ---------------------------------------------------------------------------------
def test_confusion_matrix_matches_counting():
    rng = np.random.default_rng(0)
    t, p = rng.integers(0, 5, 300), rng.integers(0, 5, 300)
    expected = np.zeros((5, 5), int)
    for a, b in zip(t, p):
        expected[a, b] += 1
    np.testing.assert_array_equal(viz.confusion_matrix(t, p), expected)
    np.testing.assert_array_equal(viz.confusion_matrix(t, np.eye(5)[p] * 3.0), expected)
    assert viz.confusion_matrix([0, 1], [1, 1], num_classes=4).shape == (4, 4)
    with pytest.raises(ValueError, match=r"sample 1 .*\[0, 2\)"):
        viz.confusion_matrix([0, 2], [0, 1], num_classes=2)
    with pytest.raises(ValueError, match=r"\(3,\) and \(2,\)"):
        viz.confusion_matrix([0, 1, 1], [0, 1])


def test_plot_confusion_counts_and_alt_text():
    t = np.array([0, 0, 1, 1, 1, 2, 2, 2, 2])
    p = np.array([0, 1, 1, 1, 2, 2, 2, 0, 2])
    names = ["bar", "cross", "ring"]
    fig = viz.plot_confusion(t, p, names)
    ax = fig.axes[0]
    cm = viz.confusion_matrix(t, p, 3)
    assert sorted(int(x.get_text()) for x in ax.texts) == sorted(cm.ravel().tolist())
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    text = viz.alt_text(fig)
    assert all(n in text for n in names) and f"Accuracy {np.trace(cm) / 9:.1%}" in text


# --- alt text in notebooks ------------------------------------------------------------------------
@pytest.fixture
def shell():
    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.core.pylabtools import select_figure_formats
    shell = InteractiveShell.instance()
    select_figure_formats(shell, {"svg"})
    return shell


def displayed(obj=None, show=None):
    from IPython.display import display
    from IPython.utils.capture import capture_output
    with capture_output() as captured:
        display(obj) if show is None else show()
    return captured.outputs


def test_notebook_display_carries_the_alt_text(shell, monkeypatch):
    fig = viz.plot_attention(attention(), TOKENS)
    (output,) = displayed(fig)
    assert output.data["text/plain"] == viz.alt_text(fig) and "image/svg+xml" in output.data
    assert output.metadata["image/svg+xml"]["alt"] == viz.alt_text(fig)  # nbconvert's route
    assert plt.fignum_exists(fig.number)  # not the inline backend: left open
    monkeypatch.setattr(matplotlib, "get_backend", lambda: "module://matplotlib_inline.backend_inline")
    assert len(displayed(fig)) == 1
    assert not plt.fignum_exists(fig.number)  # closed: the inline backend will not show it again


def test_show_gives_any_figure_a_computed_alt_text(shell):
    fig, ax = plt.subplots()
    viz.plot_confusion([0, 1, 1], [0, 1, 0], ["x", "y"], ax=ax)
    (output,) = displayed(show=lambda: viz.show(fig))
    assert output.data["text/plain"] == viz.alt_text(fig).strip() != ""
    assert not plt.fignum_exists(fig.number)
    plain, _ = plt.subplots()  # an empty figure without Axes has no image to format
    (output,) = displayed(show=lambda: viz.show(plain, alt="A blank figure."))
    assert output.data["text/plain"] == "A blank figure."
    assert output.metadata == {"image/svg+xml": {"alt": "A blank figure."}}


def test_alt_metadata_for_every_image_type_keeps_other_keys():
    from tinytorch.viz._figure import with_alt_metadata
    data = {"image/png": "iVBOR", "image/svg+xml": "<svg/>", "text/plain": "x"}
    given = {"image/png": {"width": 300}}
    meta = with_alt_metadata(data, given, "A figure.")
    assert meta == {"image/png": {"width": 300, "alt": "A figure."},
                    "image/svg+xml": {"alt": "A figure."}}
    assert given == {"image/png": {"width": 300}}  # not modified in place
    assert with_alt_metadata(data, given, "") == given


def test_styled_keeps_interactive_mode_switched_on_inside():
    # IPython's inline backend turns interactive mode on when the first figure resolves the
    # backend; if the rc context undid that, later figures would not show in notebooks.
    from tinytorch.viz._base import styled
    was = matplotlib.is_interactive()
    matplotlib.interactive(False)
    try:
        styled(lambda: matplotlib.interactive(True))()
        assert matplotlib.is_interactive()
        styled(lambda: None)()
        assert matplotlib.is_interactive()
    finally:
        matplotlib.interactive(was)


def test_style_is_applied_inside_and_restored_outside():
    before = plt.rcParams["font.size"]
    fig = viz.plot_confusion([0, 1], [0, 1])
    assert fig.axes[0].xaxis.label.get_fontsize() == viz.STYLE["axes.labelsize"]
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0) and fig.get_facecolor()[3] == 1.0
    assert fig.get_figwidth() <= viz.FIGURE_WIDTH
    assert plt.rcParams["font.size"] == before


# --- plot_lines, plot_bars, plot_points, subplots ---------------------------------------------
def test_plot_lines_draws_every_series_and_reference_line_and_describes_them():
    steps = np.arange(1, 11)
    loss = np.exp(-0.3 * steps)
    bump = np.array([1, 2, 5, 3, 2, 2, 2, 2, 2, 2], float)
    fig = viz.plot_lines({"loss": loss, "bump": bump}, x=steps, xlabel="step",
                         ylabel="value", yscale="log", hlines={"floor": 0.1},
                         vlines={"switch": 4}, styles={"bump": "s--", "floor": {"color": "red"}})
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"loss", "bump", "floor", "switch"}
    np.testing.assert_allclose(lines["loss"].get_ydata(), loss)
    assert lines["bump"].get_linestyle() == "--" and lines["bump"].get_marker() == "s"
    assert lines["floor"].get_color() == "red" and list(lines["switch"].get_xdata()) == [4, 4]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "step"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["loss", "bump", "floor", "switch"]
    text = viz.alt_text(fig)
    assert text.startswith("Line plot of value (log scale) against step from 1 to 10, 2 series:")
    assert f"loss falls steadily from {loss[0]:.3g} at step 1 to {loss[-1]:.3g} at 10" in text
    assert "bump rises from 1 at step 1 to 2 at 10 (peak 5 at 3)" in text
    assert "Reference lines: floor at 0.1; switch at x = 4." in text


def test_plot_lines_series_with_their_own_x_and_xticks():
    fig = viz.plot_lines({"a": ([1, 10, 100], [3, 2, 1]), "b": ([2, 20], [1, 1])},
                         xscale="log", xticks=[1, 10, 100], xlabel="T")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "10", "100"]
    assert "b stays at 1 from T = 2 to 20" in viz.alt_text(fig)


@pytest.mark.parametrize("kwargs, message", [
    ({"series": {"a": [1.0, -1.0]}, "yscale": "log"}, "yscale='log' needs positive values, but a has -1"),
    ({"series": {"a": [1.0, 2.0]}, "x": [1, 2, 3]}, "series 'a' has 2 values but its x has shape (3,)"),
    ({"series": {"a": [[1.0, 2.0]]}}, "series 'a' must be a non-empty 1-D sequence, got shape (1, 2)"),
    ({"series": {}}, "no series to plot"),
    ({"series": [1.0], "xscale": "loglog"}, "xscale must be 'linear', 'log' or 'symlog'"),
])
def test_plot_lines_errors_name_the_problem(kwargs, message):
    with pytest.raises(ValueError, match="plot_lines: " + __import__("re").escape(message)):
        viz.plot_lines(**kwargs)


def test_plot_lines_into_panels_of_subplots_joins_the_alt_texts():
    fig, axes = viz.subplots(1, 3, sharex=True)
    assert axes.shape == (3,) and isinstance(fig, Figure) and fig.get_figwidth() == viz.FIGURE_WIDTH
    for k, ax in enumerate(axes):
        viz.plot_lines({f"s{k}": [k, k + 1]}, ax=ax, ylabel=f"panel {k}")
    text = viz.alt_text(fig)
    assert [text.index(f"panel {k}") for k in range(3)] == sorted(text.index(f"panel {k}") for k in range(3))
    assert text.count("Line plot") == 3 and fig.get_facecolor() == (1, 1, 1, 1)
    single_fig, single_ax = viz.subplots()
    assert single_ax.figure is single_fig


def test_plot_bars_single_and_grouped():
    fig = viz.plot_bars([0.1, 0.6, 0.3], ["the", "cat", "sat"], value_labels=True,
                        hlines={"uniform": 1 / 3})
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches]
    assert heights == [0.1, 0.6, 0.3]
    assert [t.get_text() for t in ax.texts] == ["0.10", "0.60", "0.30"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["the", "cat", "sat"]
    assert "(largest: cat)" in viz.alt_text(fig)
    probs = np.array([[0.7, 0.2, 0.1], [0.4, 0.35, 0.25]])
    fig = viz.plot_bars({"T=0.5": probs[0], "T=2": probs[1]}, ["a", "b", "c"],
                        xlabel="class", ylabel="probability")
    ax = fig.axes[0]
    assert len(ax.patches) == 6 and ax.patches[0].get_x() < ax.patches[3].get_x()
    text = viz.alt_text(fig)
    assert text.startswith("Grouped bar chart of probability for 3 class values (a, b, c), 2 series")
    assert "T=2: a 0.4, b 0.35, c 0.25 (largest: a)" in text
    with pytest.raises(ValueError, match=r"plot_bars: every series needs one value per category"):
        viz.plot_bars({"a": [1, 2], "b": [1, 2, 3]})
    with pytest.raises(ValueError, match=r"plot_bars: labels has 2 labels"):
        viz.plot_bars([1, 2, 3], ["x", "y"])


def test_plot_points_by_class_with_annotations():
    pts = np.array([[0, 0], [1, 0], [4, 4], [5, 4], [9, 9]], float)
    fig = viz.plot_points(pts, [0, 0, 1, 1, 2], class_names=["a", "b", "c"],
                          annotate=["p", "q", "r", "s", "t"], equal_aspect=True)
    ax = fig.axes[0]
    assert len(ax.collections) == 3 and [t.get_text() for t in ax.texts] == list("pqrst")
    assert ax.get_aspect() == 1.0
    assert "b 2 points centred at (4.5, 4)" in viz.alt_text(fig)
    with pytest.raises(ValueError, match=r"plot_points: points must have shape \(N, 2\), got \(3,\)"):
        viz.plot_points([1, 2, 3])
    with pytest.raises(ValueError, match="plot_points: classes has 2 entries but points has 5"):
        viz.plot_points(pts, [0, 1])


# --- Table -------------------------------------------------------------------------------------
def test_table_formats_aligns_escapes_and_keeps_raw_values():
    table = viz.Table(["name", "value", "ok"], [["<a>", 0.5, True], ["b", 12.25, False]],
                      formats={"value": "{:.1f} s"}, caption="Two rows")
    assert table.column("value") == [0.5, 12.25] and table.column(2) == [True, False]
    assert str(table).splitlines() == ["Two rows", "name   value  ok", "<a>    0.5 s  yes",
                                       "b     12.2 s  no"]
    html = table._repr_html_()
    assert "<caption>Two rows</caption>" in html and "&lt;a&gt;" in html and "<a>" not in html
    assert html.count('style="text-align: right"') == 3  # the numeric column: header + 2 cells
    with pytest.raises(ValueError, match="Table: row 1 has 2 cells but the header has 3 columns"):
        viz.Table(["a", "b", "c"], [[1, 2, 3], [1, 2]])
    with pytest.raises(ValueError, match="Table: no column 'x'"):
        viz.Table(["a"], [[1]], formats={"x": ".2f"})
    columns = viz.Table.from_columns({"L": np.array([8, 64]), "t": [1e-3, 2.5e-2]},
                                     formats={"t": ".1e"})
    assert columns.rows == [[8, 1e-3], [64, 2.5e-2]] and "2.5e-02" in str(columns)


# --- plot_transformer_block --------------------------------------------------------------------
def test_transformer_block_diagram_is_drawn_from_the_block_and_matches_its_forward():
    import tinytorch as tt
    from matplotlib.patches import Circle, FancyBboxPatch

    from tinytorch.core.transformer import TransformerBlock
    from tinytorch.viz.diagrams import TRANSFORMER_BRANCHES
    tt.manual_seed(0)
    block = TransformerBlock(embed_dim=16, num_heads=4, ff_dim=48)
    # the branches the diagram draws are the block's forward: x <- x + sub(norm(x)), in order
    x = tt.Tensor(np.random.default_rng(0).normal(size=(2, 5, 16)))
    h = x
    for norm, sub in TRANSFORMER_BRANCHES:
        h = h + getattr(block, sub)(getattr(block, norm)(h))
    np.testing.assert_allclose(block(x).data, h.data, atol=1e-5)
    drawn = {name for branch in TRANSFORMER_BRANCHES for name in branch}
    assert drawn == {name for name, child in block.named_children() if child.parameters()}

    fig = viz.plot_transformer_block(block)
    ax = fig.axes[0]
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    adds = [p for p in ax.patches if isinstance(p, Circle)]
    assert len(boxes) == 4 and len(adds) == 2
    texts = [t.get_text() for t in ax.texts]
    def count(module):
        return f"{sum(p.data.size for p in module.parameters()):,} params"
    assert f"attn\nMultiHeadAttention\n4 heads of 4\n{count(block.attn)}" in texts
    assert f"ff\nSequential\nLinear 16→48\nGELU\nLinear 48→16\n{count(block.ff)}" in texts
    assert min(t.get_fontsize() for t in ax.texts) >= 7 and fig.get_figwidth() <= viz.FIGURE_WIDTH
    # every text inside the figure (readable, nothing cut off at the content width)
    renderer = fig.canvas.get_renderer()
    frame = fig.bbox
    for t in ax.texts:
        box = t.get_window_extent(renderer)
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1, t.get_text()
    total = sum(p.data.size for p in block.parameters())
    text = viz.alt_text(fig)
    assert f"TransformerBlock, {total:,} parameters" in text
    assert text.index("ln1: LayerNorm over 16 features") < text.index("attn: MultiHeadAttention")
    assert "Dropout" not in text
    assert "Dropout with p = 0.1" in viz.alt_text(viz.plot_transformer_block(
        TransformerBlock(16, 4, 48, dropout=0.1)))
    with pytest.raises(TypeError, match="plot_transformer_block: Linear has no sub-module 'ln1'"):
        viz.plot_transformer_block(tt.Linear(2, 2))


# --- plot_graph ---------------------------------------------------------------------------------
def test_plot_graph_walks_parents_and_shows_values_and_gradients_like_backward():
    import tinytorch as tt
    from matplotlib.patches import Ellipse, FancyBboxPatch
    a = tt.Tensor(3.0, requires_grad=True)
    b = tt.Tensor(-2.0, requires_grad=True)
    c = a * b
    d = c + a            # a is used twice: its gradient is b + 1 = -1
    e = (d * 2.0).tanh()  # 2.0 is a constant: no gradient
    fig = viz.plot_graph(e, names={"a": a, "b": b, "e": e})
    ax = fig.axes[0]
    assert len([p for p in ax.patches if isinstance(p, FancyBboxPatch)]) == 7
    assert len([p for p in ax.patches if isinstance(p, Ellipse)]) == 4
    assert sorted(t.get_text() for t in ax.texts if t.get_text() and "\n" not in t.get_text()) \
        == ["add", "mul", "mul", "tanh"]
    assert a.grad is None and b.grad is None  # the drawing did not run backward into .grad
    e.backward()
    text = viz.alt_text(fig)
    assert text.startswith("Computation graph of 7 tensors and 4 operations (mul, add, tanh)")
    assert f"a = 3 (input; gradient {float(a.grad):.4g})" in text
    assert f"b = -2 (input; gradient {float(b.grad):.4g})" in text
    assert "t1 = mul(a, b) = -6" in text and "t2 = add(t1, a) = -3" in text
    assert "t3 = 2 (input; no gradient)" in text and "e = tanh(t4)" in text
    boxes = {t.get_text().split("\n")[0]: t.get_text() for t in ax.texts if "\n" in t.get_text()}
    assert boxes["a"] == f"a\nvalue 3\ngrad {float(a.grad):.4g}"


def test_plot_graph_vectors_inputs_before_use_and_errors():
    import tinytorch as tt
    W = tt.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    v = tt.Tensor(np.ones(3), requires_grad=True)
    out = W @ v
    with pytest.raises(ValueError, match=r"plot_graph: the root has shape \(2,\)"):
        viz.plot_graph(out)
    fig = viz.plot_graph(out, grad=np.array([1.0, -1.0]), names={"W": W, "v": v})
    assert "v = [1, 1, 1] (input; gradient [-3, -3, -3])" in viz.alt_text(fig)
    assert "W = (2, 3), mean 2.5" in viz.alt_text(fig)
    no_grads = viz.plot_graph(out, grads=False)
    assert "gradient" not in viz.alt_text(no_grads)
    with pytest.raises(TypeError, match="plot_graph: root must be a Tensor, got ndarray"):
        viz.plot_graph(np.ones(2))
    x = tt.Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(50):
        y = y * 1.0
    with pytest.raises(ValueError, match="plot_graph: the graph has 101 tensors, more than max_nodes=40"):
        viz.plot_graph(y)
    # a chain longer than the recursion limit is walked without recursion
    from tinytorch.viz.graph import graph_nodes
    z = x
    for _ in range(1500):
        z = z + 1.0
    assert len(graph_nodes(z)) == 3001
