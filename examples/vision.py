# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Vision: convolution, pooling and a small CNN
#
# An image is a grid of numbers, and a convolution slides one small grid of
# weights over it. With weights chosen by hand (the Sobel filters) a convolution
# finds edges; with weights learned by gradient descent, a few such filters and two
# pooling steps classify shapes. Everything here runs on images generated in code
# and trains in a few seconds.
#
# **What you will see:**
#
# - an image stored as a tensor of shape (batch, channels, height, width);
# - a {py:class}`~tinytorch.core.spatial.Conv2d` given Sobel weights: its response is
#   exactly zero on flat regions, non-zero on every edge pixel, and strongest on the
#   sharpest edge (figure);
# - max pooling: a quarter of the values, each the maximum of its window, so every
#   edge survives while average pooling dilutes it (figure);
# - a small CNN trained on five generated shapes, scoring at least 95 % on images it
#   never saw, with its confusion matrix, its learned first-layer filters and one
#   image's feature maps (figures);
# - an MLP trained on the same images: more parameters, lower held-out accuracy.

# %%
import os

# One BLAS thread, set before NumPy loads: this page's matrices are small, and on a busy
# machine threads waiting for each other make training many times slower.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import matplotlib.pyplot as plt
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

import tinytorch as tt
from tinytorch import viz
from tinytorch.core.spatial import AvgPool2d, Conv2d, Flatten, MaxPool2d

_ = tt.manual_seed(0)  # reseed tinytorch's one global random generator
rng = np.random.default_rng(0)

# %% [markdown]
# ## An image is a tensor
#
# A grayscale image of $H \times W$ pixels is an $H \times W$ array of
# intensities. Convolution layers take a *batch* of images with a *channel* axis
# (1 for gray, 3 for colour), so one image becomes a tensor of shape
# $(N, C, H, W) = (1, 1, H, W)$. Ours is drawn with NumPy: a bright rectangle
# (intensity 1) on the left and a dimmer disk (intensity 0.5) on the right, on a
# black background.

# %%
H = W = 24
rows, cols = np.mgrid[0:H, 0:W]
picture = np.zeros((H, W), dtype=np.float32)
top, bottom, left, right = 4, 14, 2, 10                              # rectangle rows 4-13, cols 2-9
picture[top:bottom, left:right] = 1.0
picture[(rows - 12) ** 2 + (cols - 17) ** 2 <= 5 ** 2] = 0.5         # disk: centre (12, 17), radius 5
image = tt.Tensor(picture[None, None])                               # (1, 1, H, W)
assert image.shape == (1, 1, H, W), image.shape
print("image.shape =", image.shape, " dtype =", image.dtype,
      " intensities:", np.unique(image.data).tolist())

# %% [markdown]
# ## Edges from a convolution with Sobel weights
#
# A convolution layer with weight $K$ of shape $3 \times 3$ computes, at every
# pixel, the weighted sum of the $3 \times 3$ window around it:
#
# $$
# y_{h,w} = \sum_{i=0}^{2} \sum_{j=0}^{2} K_{i,j}\; x_{h+i-1,\; w+j-1}.
# $$
#
# The Sobel weights compare the column to the right with the column to the left
# ($K_x$), or the row below with the row above ($K_y = K_x^\top$):
#
# $$
# K_x = \begin{pmatrix} -1 & 0 & 1 \\ -2 & 0 & 2 \\ -1 & 0 & 1 \end{pmatrix},
# \qquad
# K_y = \begin{pmatrix} -1 & -2 & -1 \\ 0 & 0 & 0 \\ 1 & 2 & 1 \end{pmatrix}.
# $$
#
# Each row of $K_x$ sums to zero, so a window of constant intensity gives exactly
# 0, and a vertical step of height $c$ gives $c\,(1 + 2 + 1) = 4c$. We put both
# filters into one `Conv2d(1, 2, 3)` as its two output channels (weight shape
# (out, in, kH, kW) = (2, 1, 3, 3)); `padding=1` keeps the output $24 \times 24$.

# %%
sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float32)
sobel = Conv2d(1, 2, kernel_size=3, padding=1, bias=False)
sobel.weight.data[:] = np.stack([sobel_x, sobel_x.T])[:, None]       # (2, 1, 3, 3)
with tt.no_grad():
    gradients = sobel(image)                                         # (1, 2, H, W)
gx, gy = gradients.data[0]
magnitude = np.sqrt(gx**2 + gy**2)
assert gradients.shape == (1, 2, H, W), gradients.shape
print("feature maps:", gradients.shape, " largest |G_x|:", np.abs(gx).max(),
      " largest |G_y|:", np.abs(gy).max())

# %% [markdown]
# Which pixels are *edge pixels*? Those whose $3 \times 3$ window (with the zero
# padding) is not constant. We find them directly from the picture and check the
# claims: zero response on every flat pixel, a non-zero response on every edge
# pixel, $|G_x|$ and $|G_y|$ at most $4$ (the rectangle's straight sides, a step of
# height 1), and the strongest edge strength $\sqrt{G_x^2 + G_y^2}$ on the
# rectangle, whose contrast (1) is twice the disk's (0.5); it peaks at a corner,
# where both filters respond.

# %%
windows = sliding_window_view(np.pad(picture, 1), (3, 3))           # (H, W, 3, 3)
is_edge = np.ptp(windows, axis=(2, 3)) > 0
on_disk_edge = is_edge & (cols > right)                               # the disk's half of the image
corners = [(r, c) for r in (top - 1, top, bottom - 1, bottom) for c in (left - 1, left, right - 1, right)]
assert np.all(magnitude[~is_edge] == 0), "a flat region gave a non-zero response"
assert np.all(magnitude[is_edge] > 0), "an edge pixel gave no response"
assert np.abs(gx).max() == 4.0 and np.abs(gy).max() == 4.0, (np.abs(gx).max(), np.abs(gy).max())
peak = np.unravel_index(magnitude.argmax(), magnitude.shape)
assert tuple(map(int, peak)) in corners, f"peak {peak} is not at a corner of the rectangle"
assert magnitude[on_disk_edge].max() < magnitude.max(), "the dimmer disk should respond less"
print(f"{is_edge.sum()} edge pixels of {H * W}; response on flat pixels: "
      f"max {magnitude[~is_edge].max():g}; strongest edge strength {magnitude.max():.2f} at row "
      f"{peak[0]}, column {peak[1]} (a corner of the rectangle); strongest on the disk "
      f"{magnitude[on_disk_edge].max():.2f}")

# %% [markdown]
# ```{tip} How to read this figure
# From left to right: the input, the two Sobel feature maps and the edge strength
# $\sqrt{G_x^2 + G_y^2}$. In $G_x$ and $G_y$, red is a positive response (intensity
# rising to the right, or downwards), blue a negative one, white zero: $G_x$ lights up
# only the vertical sides of the rectangle, $G_y$ only the horizontal ones. Every
# flat area, inside a shape or in the background, is exactly zero.
# ```

# %% mystnb={"figure": {"caption": "A synthetic image and the response of the two Sobel filters of one Conv2d layer.", "name": "fig-sobel"}}
with plt.rc_context(viz.STYLE):
    fig, axes = plt.subplots(1, 4, figsize=(viz.FIGURE_WIDTH, 2.2), layout="constrained")
    panels = [(picture, "input", "gray", 0, 1), (gx, "$G_x$", viz.DIVERGING_CMAP, -4, 4),
              (gy, "$G_y$", viz.DIVERGING_CMAP, -4, 4),
              (magnitude, r"$\sqrt{G_x^2 + G_y^2}$", viz.SEQUENTIAL_CMAP, 0, magnitude.max())]
    for ax, (values, label, cmap, lo, hi) in zip(axes, panels):
        shown = ax.imshow(values, cmap=cmap, vmin=lo, vmax=hi, interpolation="nearest")
        ax.set(title=label, xticks=[], yticks=[])
        fig.colorbar(shown, ax=ax, shrink=0.75)
viz.show(fig, alt=(
    f"Four {H}×{W} panels. Input: a white rectangle at rows {top}–{bottom - 1}, columns "
    f"{left}–{right - 1}, and a grey disk of radius 5 centred at row 12, column 17, on black. G_x: red and blue stripes only on the "
    f"rectangle's left and right sides and the disk's left and right rims, values from "
    f"{gx.min():g} to {gx.max():g}. G_y: the same on the top and bottom sides. Edge strength: "
    f"outlines of both shapes, {is_edge.sum()} non-zero pixels, brightest ({magnitude.max():.2f}) at "
    f"the rectangle's corners, at most {magnitude[on_disk_edge].max():.2f} on the disk; zero everywhere else."))

# %% [markdown]
# ## Max pooling: what it keeps
#
# {py:class}`~tinytorch.core.spatial.MaxPool2d` with a $2 \times 2$ window and
# stride 2 replaces each non-overlapping $2 \times 2$ block by its maximum: the map
# shrinks to a quarter of its values, and the exact position of a response within
# its block is forgotten. What is *kept* is whether something responded strongly
# there. Average pooling ({py:class}`~tinytorch.core.spatial.AvgPool2d`) keeps the
# mean instead, which dilutes a thin edge with the zeros next to it: below, it keeps
# less than three quarters of the block maximum on average.

# %%
edges = tt.Tensor(magnitude[None, None])
with tt.no_grad():
    max_pooled = MaxPool2d(2)(edges).data[0, 0]
    avg_pooled = AvgPool2d(2)(edges).data[0, 0]
blocks = magnitude.reshape(H // 2, 2, W // 2, 2)                     # (row block, r, col block, c)
block_has_edge = is_edge.reshape(H // 2, 2, W // 2, 2).any(axis=(1, 3))
assert max_pooled.shape == (H // 2, W // 2), max_pooled.shape
assert np.array_equal(max_pooled, blocks.max(axis=(1, 3))), "max pooling is not the block maximum"
assert np.array_equal(max_pooled > 0, block_has_edge), "a block with an edge lost it, or gained one"
assert max_pooled.max() == magnitude.max(), "the strongest response did not survive"
kept = avg_pooled[block_has_edge] / max_pooled[block_has_edge]        # per edge block
assert avg_pooled.max() < max_pooled.max(), "average pooling should dilute the peak"
assert np.mean(kept) < 0.75, f"average pooling kept {np.mean(kept):.0%} of the edge strength"
print(f"{magnitude.size} values -> {max_pooled.size}; blocks containing an edge: "
      f"{block_has_edge.sum()}, non-zero after max pooling: {(max_pooled > 0).sum()}; "
      f"peak after max pooling {max_pooled.max():.2f}, after average pooling {avg_pooled.max():.2f}")
print(f"in a block with an edge, average pooling keeps on average {np.mean(kept):.0%} of the "
      f"maximum (between {kept.min():.0%} and {kept.max():.0%})")

# %% [markdown]
# ```{tip} How to read this figure
# Both panels share one colour scale. Each square is one $2 \times 2$ block of the
# edge-strength map above. Max pooling (left) keeps the outlines at full strength,
# only coarser; average pooling (right) keeps the same outlines but fainter, because
# each edge shares its block with flat pixels.
# ```

# %% mystnb={"figure": {"caption": "The edge-strength map after 2×2 max pooling and after 2×2 average pooling.", "name": "fig-pooling"}}
with plt.rc_context(viz.STYLE):
    fig, axes = plt.subplots(1, 2, figsize=(5.2, 2.6), layout="constrained")
    for ax, values, label in zip(axes, (max_pooled, avg_pooled), ("max pooling", "average pooling")):
        shown = ax.imshow(values, cmap=viz.SEQUENTIAL_CMAP, vmin=0, vmax=magnitude.max(),
                          interpolation="nearest")
        ax.set(title=f"{label}, {values.shape[0]}×{values.shape[1]}", xticks=[], yticks=[])
    fig.colorbar(shown, ax=axes, shrink=0.8, label="edge strength")
viz.show(fig, alt=(
    f"Two {H // 2}×{W // 2} maps on one scale from 0 to {magnitude.max():g}. Max pooling: the "
    f"rectangle's and disk's outlines, {int((max_pooled > 0).sum())} non-zero blocks, peak "
    f"{max_pooled.max():.2f}. Average pooling: the same {int((avg_pooled > 0).sum())} blocks, "
    f"fainter, peak {avg_pooled.max():.2f}."))

# %% [markdown]
# ## A small CNN on generated shapes
#
# {py:func}`~tinytorch.datasets.shapes` draws $16 \times 16$ images of five shapes
# (horizontal bar, vertical bar, cross, square outline, ring) at random positions
# and sizes, with thin or thick strokes and pixel noise. We draw 2000 of them and
# hold out a fifth with {py:func}`~tinytorch.core.dataloader.random_split`: the
# model never trains on those 400 images, and they are used only once, to score it.

# %%
data = tt.datasets.shapes(2000, size=16, noise=0.1, seed=0)
class_names = list(data.class_names)
train_set, test_set = tt.random_split(tt.TensorDataset(data.images, data.labels), [0.8, 0.2], seed=0)
assert not set(train_set.indices.tolist()) & set(test_set.indices.tolist()), "split overlaps"
train_loader = tt.DataLoader(train_set, batch_size=64, shuffle=True, seed=0)
test_loader = tt.DataLoader(test_set, batch_size=len(test_set))
test_images = data.images[test_set.indices]
test_labels = data.labels[test_set.indices]
print(f"{len(train_set)} training and {len(test_set)} held-out images of shape "
      f"{data.images.shape[1:]}; held-out images per class: {np.bincount(test_labels).tolist()}")

# %% mystnb={"figure": {"caption": "The first sixteen held-out images with their classes.", "name": "fig-shapes"}}
fig = viz.plot_images(test_images[:16], test_labels[:16], class_names, ncols=8)

# %% [markdown]
# The network: two rounds of *convolution → ReLU → 2×2 max pooling*
# ($16 \times 16 \to 8 \times 8 \to 4 \times 4$), then one
# {py:class}`~tinytorch.core.layers.Linear` layer from the $16 \times 4 \times 4$
# features to the five class scores. The same 3×3 filters are applied at every
# position, which is why the model needs few weights, and pooling lets a shape be
# recognised a pixel or two away from where it was seen in training.

# %%
_ = tt.manual_seed(0)  # the CNN's initial weights do not depend on the cells above
cnn = tt.Sequential(
    Conv2d(1, 8, kernel_size=3, padding=1), tt.ReLU(), MaxPool2d(2),   # (N, 8, 8, 8)
    Conv2d(8, 16, kernel_size=3, padding=1), tt.ReLU(), MaxPool2d(2),  # (N, 16, 4, 4)
    Flatten(), tt.Linear(16 * 4 * 4, 5),                               # (N, 5)
)
cnn_params = sum(p.size for p in cnn.parameters())
print(cnn)
print("parameters:", cnn_params)

# %% [markdown]
# {py:func}`~tinytorch.core.training.fit` runs the usual loop (forward, cross-entropy
# loss, backward, Adam step) over the training batches of 64 images, eight times.

# %%
metrics = {"accuracy": tt.accuracy}
cnn_history = tt.fit(cnn, train_loader, tt.cross_entropy, tt.Adam(cnn.parameters(), lr=1e-2),
                     epochs=8, metrics=metrics, verbose=False)
cnn_test = tt.evaluate(cnn, test_loader, tt.cross_entropy, metrics)
assert cnn_test["accuracy"] >= 0.95, f"held-out accuracy {cnn_test['accuracy']:.3f} is below 95 %"
print(f"training accuracy in the last epoch: {cnn_history.history['train_accuracy'][-1]:.1%}")
print(f"held-out accuracy: {cnn_test['accuracy']:.1%} (loss {cnn_test['loss']:.3f})")

# %% [markdown]
# The held-out accuracy is at least 95 %. The confusion matrix shows where the
# remaining errors fall.
#
# ```{tip} How to read this figure
# Row = the true shape, column = the predicted one; each cell counts held-out images.
# A perfect classifier has numbers only on the diagonal. An off-diagonal cell names a
# confusion, e.g. row "cross", column "horizontal bar" would be crosses taken for
# horizontal bars.
# ```

# %%
cnn.eval()
with tt.no_grad():
    test_scores = cnn(tt.Tensor(test_images)).data
cnn.train()
test_pred = test_scores.argmax(axis=1)
counts = viz.confusion_matrix(test_labels, test_pred, num_classes=len(class_names))
assert np.isclose(np.trace(counts) / counts.sum(), cnn_test["accuracy"]), "matrix and accuracy disagree"
off_diagonal = counts - np.diag(np.diag(counts))
worst = np.unravel_index(off_diagonal.argmax(), counts.shape)
print(f"correct: {np.trace(counts)} of {counts.sum()}; most frequent confusion: "
      f"{class_names[worst[0]]} taken for {class_names[worst[1]]} ({off_diagonal[worst]} images)")

# %% mystnb={"figure": {"caption": "Confusion matrix of the CNN on the held-out images.", "name": "fig-cnn-confusion"}}
fig = viz.plot_confusion(test_labels, test_pred, class_names)

# %% [markdown]
# ## What the network learned
#
# The first layer's eight $3 \times 3$ filters started as random numbers. After
# training, most of them have substantial weights of both signs, like the Sobel
# filters: they compare neighbouring pixels, which makes them edge and line
# detectors, learned rather than designed. The table measures, per filter, the
# smaller of its total positive and total negative weight relative to the larger
# (1 = balanced like Sobel, 0 = one sign only).
#
# ```{tip} How to read this figure
# Each panel is one filter's nine weights on one colour scale centred at zero: red
# weights add the pixel's intensity, blue ones subtract it. A filter with red on one
# side and blue on the other responds to an edge at that orientation; a red line
# between blue bands responds to a thin line.
# ```

# %%
filters = cnn[0].weight.data[:, 0]                                       # (8, 3, 3)
positive = np.clip(filters, 0, None).sum(axis=(1, 2))
negative = np.clip(-filters, 0, None).sum(axis=(1, 2))
balance = np.minimum(positive, negative) / np.maximum(positive, negative)
print("filter   " + " ".join(f"{c:>5}" for c in range(8)))
print("balance  " + " ".join(f"{b:>5.2f}" for b in balance))
assert (balance > 0.3).sum() >= 5, f"only {(balance > 0.3).sum()} filters mix both signs"

# %% mystnb={"figure": {"caption": "The eight learned 3×3 filters of the CNN's first layer.", "name": "fig-cnn-filters"}}
fig = viz.plot_filters(cnn[0].weight)

# %% [markdown]
# The *feature maps* are those filters' responses (after the ReLU) on one held-out
# image: each channel lights up where its pattern occurs. No two channels are
# copies of each other; the correlation between the most similar pair of maps is
# printed below.
#
# ```{tip} How to read this figure
# The first panel is the input; the other eight are the first layer's channels for it,
# all on one grey scale (black 0, white the largest response), at the input's
# resolution because of the padding.
# ```

# %%
example = int(np.flatnonzero(test_labels == class_names.index("cross"))[0])
with tt.no_grad():
    maps = cnn[1](cnn[0](tt.Tensor(test_images[example:example + 1]))).data[0]   # (8, 16, 16)
assert maps.shape == (8, 16, 16) and maps.min() >= 0, (maps.shape, maps.min())
strength = maps.sum(axis=(1, 2))
correlation = np.corrcoef(maps.reshape(8, -1))
most_similar = np.max(correlation[~np.eye(8, dtype=bool)])
assert most_similar < 0.95, f"two channels are near copies (correlation {most_similar:.2f})"
print(f"largest correlation between two channels' maps: {most_similar:.2f}")
print(f"image {example} of the held-out set (a {class_names[test_labels[example]]}, predicted "
      f"{class_names[test_pred[example]]}); total response per channel:",
      " ".join(f"{v:.0f}" for v in strength))

# %% mystnb={"figure": {"caption": "One held-out image and the eight feature maps of the first convolution layer (after ReLU).", "name": "fig-cnn-maps"}}
scaled = np.concatenate([test_images[example, 0][None] / test_images[example].max(),
                         maps / maps.max()])
fig = viz.plot_images(scaled, np.arange(9), ["input"] + [f"channel {c}" for c in range(8)],
                      ncols=9)
viz.show(fig, alt=(
    f"A {class_names[test_labels[example]]} image of 16×16 pixels and the eight 16×16 feature maps "
    f"of the first layer for it, each scaled with the input to one grey range. Strongest channel: "
    f"{int(strength.argmax())}, weakest: {int(strength.argmin())} "
    f"({int((strength == 0).sum())} channels are zero everywhere)."))

# %% [markdown]
# ## Fewer parameters than an MLP, and better
#
# A multilayer perceptron sees the same images as flat vectors of 256 pixels. It
# has no notion of neighbouring pixels and no weight sharing: a shape seen at one
# position teaches it nothing about the same shape elsewhere. We train one with a
# hidden layer of 256 units on the same batches, for 20 epochs (its steps are
# cheaper), and compare parameter counts (computed from the models) and accuracies
# on the training images and on the held-out ones.

# %%
_ = tt.manual_seed(0)
mlp = tt.Sequential(Flatten(), tt.MLP([256, 256, 5]))
mlp_params = sum(p.size for p in mlp.parameters())
mlp_history = tt.fit(mlp, train_loader, tt.cross_entropy, tt.Adam(mlp.parameters(), lr=1e-3),
                     epochs=20, metrics=metrics, verbose=False)
mlp_test = tt.evaluate(mlp, test_loader, tt.cross_entropy, metrics)
train_eval_loader = tt.DataLoader(train_set, batch_size=len(train_set))
results = {}
print(f"{'model':6} {'parameters':>10} {'training acc.':>14} {'held-out acc.':>14}")
for name, model, params, test in (("CNN", cnn, cnn_params, cnn_test), ("MLP", mlp, mlp_params, mlp_test)):
    train = tt.evaluate(model, train_eval_loader, tt.cross_entropy, metrics)
    results[name] = (train["accuracy"], test["accuracy"])
    print(f"{name:6} {params:>10,} {train['accuracy']:>14.1%} {test['accuracy']:>14.1%}")
assert mlp_params > 10 * cnn_params, (mlp_params, cnn_params)
assert cnn_test["accuracy"] >= mlp_test["accuracy"] + 0.03, (cnn_test, mlp_test)
gaps = {name: train - test for name, (train, test) in results.items()}
assert gaps["MLP"] > 2 * gaps["CNN"] and gaps["MLP"] > 0.05, f"train - held-out gaps: {gaps}"

# %% [markdown]
# The MLP has more than ten times the CNN's parameters, yet its held-out accuracy is
# at least three points lower. Its gap between training and held-out accuracy is
# more than five points and over twice the CNN's: it memorises where strokes were,
# where the CNN learns what strokes look like, wherever they are.
