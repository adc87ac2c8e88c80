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
#   rectangle, the shape with the higher contrast (figure);
# - max pooling: a quarter of the values, each the maximum of its window, so every
#   edge survives while average pooling dilutes it (figure);
# - a small CNN trained on five generated shapes, scoring at least 95 % on images it
#   never saw, with its confusion matrix, its learned first-layer filters and one
#   image's feature maps (figures);
# - an MLP trained on the same images: more parameters, lower held-out accuracy.

# %%
import os

# One BLAS thread: this page's matrices are small, and on a busy
# machine threads waiting for each other make training many times
# slower. (This only takes effect if NumPy has not been imported yet.)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import matplotlib.pyplot as plt
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

import tinytorch as tt
from tinytorch import viz
from tinytorch.core.spatial import AvgPool2d, Conv2d, Flatten, MaxPool2d

_ = tt.manual_seed(0)  # reseed tinytorch's one global generator
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
# the rectangle: rows 4-13, columns 2-9
top, bottom, left, right = 4, 14, 2, 10
picture[top:bottom, left:right] = 1.0
# the disk: centre (row 12, column 17), radius 5
picture[(rows - 12) ** 2 + (cols - 17) ** 2 <= 5**2] = 0.5
image = tt.Tensor(picture[None, None])  # (1, 1, H, W)
assert image.shape == (1, 1, H, W), image.shape
print("image.shape =", image.shape, " dtype =", image.dtype)
print("intensities:", np.unique(image.data).tolist())

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
sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float32)
sobel = Conv2d(1, 2, kernel_size=3, padding=1, bias=False)
# weight (out, in, kH, kW) = (2, 1, 3, 3): K_x, then K_y
sobel.weight.data[:] = np.stack([sobel_x, sobel_x.T])[:, None]
with tt.no_grad():
    gradients = sobel(image)  # (1, 2, H, W)
gx, gy = gradients.data[0]
magnitude = np.sqrt(gx**2 + gy**2)
assert gradients.shape == (1, 2, H, W), gradients.shape
print("feature maps:", gradients.shape,
      " largest |G_x|:", np.abs(gx).max(),
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
# every pixel's 3 x 3 window, with zero padding: (H, W, 3, 3)
windows = sliding_window_view(np.pad(picture, 1), (3, 3))
is_edge = np.ptp(windows, axis=(2, 3)) > 0
disk_edge = is_edge & (cols > right)  # the disk's half of the image
corners = [(r, c) for r in (top - 1, top, bottom - 1, bottom)
           for c in (left - 1, left, right - 1, right)]
peak = np.unravel_index(magnitude.argmax(), (H, W))
peak = (int(peak[0]), int(peak[1]))
strongest = magnitude.max()
assert np.all(magnitude[~is_edge] == 0), "a flat pixel responded"
assert np.all(magnitude[is_edge] > 0), "an edge pixel gave no response"
assert abs(gx).max() == 4 and abs(gy).max() == 4, "a step of 1 gives 4"
assert peak in corners, f"peak {peak} is not at a rectangle corner"
assert magnitude[disk_edge].max() < strongest, "the disk responds less"
print(f"{is_edge.sum()} edge pixels of {H * W}")
print("largest response on a flat pixel:", magnitude[~is_edge].max())
print(f"strongest edge strength: {strongest:.2f} at (row, column) "
      f"{peak},\n  a corner of the rectangle")
print(f"strongest on the disk: {magnitude[disk_edge].max():.2f}")

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# From left to right: the input, the two Sobel feature maps and the edge strength
# $\sqrt{G_x^2 + G_y^2}$. In $G_x$ and $G_y$, red is a positive response (intensity
# rising to the right, or downwards), blue a negative one, white zero: $G_x$ lights up
# only the vertical sides of the rectangle, $G_y$ only the horizontal ones. Every
# flat area, inside a shape or in the background, is exactly zero.
# ```

# %% mystnb={"figure": {"caption": "A synthetic image and the response of the two Sobel filters of one Conv2d layer.", "name": "fig-sobel"}}
panels = [
    (picture, "input", "gray", 0, 1),
    (gx, "$G_x$", viz.DIVERGING_CMAP, -4, 4),
    (gy, "$G_y$", viz.DIVERGING_CMAP, -4, 4),
    (magnitude, r"$\sqrt{G_x^2 + G_y^2}$", viz.SEQUENTIAL_CMAP,
     0, magnitude.max()),
]
fig, axes = plt.subplots(1, 4, figsize=(viz.FIGURE_WIDTH, 2.2),
                         layout="constrained")
fig.set_facecolor("white")
for ax, (values, label, cmap, lo, hi) in zip(axes, panels):
    shown = ax.imshow(values, cmap=cmap, vmin=lo, vmax=hi,
                      interpolation="nearest")
    ax.set(title=label, xticks=[], yticks=[])
    fig.colorbar(shown, ax=ax, shrink=0.75)
viz.show(fig, alt=(
    f"Four {H}×{W} panels. Input: a white rectangle at rows {top}–"
    f"{bottom - 1}, columns {left}–{right - 1}, and a grey disk of "
    "radius 5 centred at row 12, column 17, on black. G_x: red and "
    "blue stripes only on the rectangle's left and right sides and the "
    f"disk's left and right rims, values from {gx.min():g} to "
    f"{gx.max():g}. G_y: the same on the top and bottom sides. Edge "
    f"strength: outlines of both shapes, {is_edge.sum()} non-zero "
    f"pixels, brightest ({magnitude.max():.2f}) at the rectangle's "
    f"corners, at most {magnitude[disk_edge].max():.2f} on the disk; "
    "zero everywhere else."))

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
# (block row, row in block, block column, column in block)
blocks = magnitude.reshape(H // 2, 2, W // 2, 2)
has_edge = is_edge.reshape(H // 2, 2, W // 2, 2).any(axis=(1, 3))
kept = avg_pooled[has_edge] / max_pooled[has_edge]  # per edge block
assert max_pooled.shape == (H // 2, W // 2), max_pooled.shape
assert np.array_equal(max_pooled, blocks.max(axis=(1, 3))), \
    "max pooling is not the block maximum"
assert np.array_equal(max_pooled > 0, has_edge), \
    "a block lost its edge, or gained one"
assert max_pooled.max() == magnitude.max(), "the peak did not survive"
assert avg_pooled.max() < max_pooled.max(), "averaging should dilute"
assert kept.mean() < 0.75, f"averaging kept {kept.mean():.0%}"
print(f"{magnitude.size} values -> {max_pooled.size}")
print(f"blocks containing an edge: {has_edge.sum()}, non-zero after "
      f"max pooling: {(max_pooled > 0).sum()}")
print(f"peak after max pooling {max_pooled.max():.2f}, "
      f"after average pooling {avg_pooled.max():.2f}")
print(f"average pooling keeps {kept.mean():.0%} of a block's maximum "
      f"on average\n  (from {kept.min():.0%} to {kept.max():.0%})")

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# Both panels share one colour scale. Each square is one $2 \times 2$ block of the
# edge-strength map above. Max pooling (left) keeps the outlines at full strength,
# only coarser; average pooling (right) keeps the same outlines but fainter, because
# each edge shares its block with flat pixels.
# ```

# %% mystnb={"figure": {"caption": "The edge-strength map after 2×2 max pooling and after 2×2 average pooling.", "name": "fig-pooling"}}
pooled = {"max pooling": max_pooled, "average pooling": avg_pooled}
fig, axes = plt.subplots(1, 2, figsize=(5.2, 2.6),
                         layout="constrained")
fig.set_facecolor("white")
for ax, (label, values) in zip(axes, pooled.items()):
    shown = ax.imshow(values, cmap=viz.SEQUENTIAL_CMAP, vmin=0,
                      vmax=magnitude.max(), interpolation="nearest")
    ax.set(title=f"{label}, {H // 2}×{W // 2}", xticks=[],
           yticks=[])
fig.colorbar(shown, ax=axes, shrink=0.8, label="edge strength")
viz.show(fig, alt=(
    f"Two {H // 2}×{W // 2} maps on one scale from 0 to "
    f"{magnitude.max():.2f}. Max pooling: the rectangle's and disk's "
    f"outlines, {(max_pooled > 0).sum()} non-zero blocks, peak "
    f"{max_pooled.max():.2f}. Average pooling: the same "
    f"{(avg_pooled > 0).sum()} blocks, fainter, peak "
    f"{avg_pooled.max():.2f}."))

# %% [markdown]
# ## A small CNN on generated shapes
#
# {py:func}`~tinytorch.datasets.images.shapes` draws $16 \times 16$ images of five shapes
# (horizontal bar, vertical bar, cross, square outline, ring) at random positions
# and sizes, with thin or thick strokes and pixel noise. We draw 1500 of them and
# hold out a fifth with {py:func}`~tinytorch.core.dataloader.random_split`: the
# model never trains on those 300 images, and they are used only once, to score it.

# %%
data = tt.datasets.shapes(1500, size=16, noise=0.1, seed=0)
class_names = list(data.class_names)
dataset = tt.TensorDataset(data.images, data.labels)
train_set, test_set = tt.random_split(dataset, [0.8, 0.2], seed=0)
shared = np.intersect1d(train_set.indices, test_set.indices)
assert shared.size == 0, f"{shared.size} images are in both sets"
train_loader = tt.DataLoader(train_set, batch_size=64, shuffle=True,
                             seed=0)
test_loader = tt.DataLoader(test_set, batch_size=len(test_set))
test_images = data.images[test_set.indices]
test_labels = data.labels[test_set.indices]
print(f"{len(train_set)} training and {len(test_set)} held-out images "
      f"of shape {data.images.shape[1:]}")
print("held-out images per class:", np.bincount(test_labels).tolist())

# %% mystnb={"figure": {"caption": "The first sixteen held-out images with their classes.", "name": "fig-shapes"}}
fig = viz.plot_images(test_images[:16], test_labels[:16], class_names)

# %% [markdown]
# The network: two rounds of *convolution → ReLU → 2×2 max pooling*
# ($16 \times 16 \to 8 \times 8 \to 4 \times 4$), then one
# {py:class}`~tinytorch.core.layers.Linear` layer from the $16 \times 4 \times 4$
# features to the five class scores. The same 3×3 filters are applied at every
# position, which is why the model needs few weights, and pooling lets a shape be
# recognised a pixel or two away from where it was seen in training.

# %%
_ = tt.manual_seed(0)  # initial weights independent of the cells above
cnn = tt.Sequential(
    Conv2d(1, 8, 3, padding=1), tt.ReLU(),   # (N, 8, 16, 16)
    MaxPool2d(2),                            # (N, 8, 8, 8)
    Conv2d(8, 16, 3, padding=1), tt.ReLU(),  # (N, 16, 8, 8)
    MaxPool2d(2),                            # (N, 16, 4, 4)
    Flatten(),                               # (N, 256)
    tt.Linear(16 * 4 * 4, 5),                # (N, 5): class scores
)
cnn_params = sum(p.size for p in cnn.parameters())
print(cnn)
print("parameters:", cnn_params)

# %% [markdown]
# {py:func}`~tinytorch.core.training.fit` runs the usual loop (forward, cross-entropy
# loss, backward, Adam step) over the training batches of 64 images, six times.

# %%
metrics = {"accuracy": tt.accuracy}
cnn_history = tt.fit(cnn, train_loader, tt.cross_entropy,
                     tt.Adam(cnn.parameters(), lr=1e-2), epochs=6,
                     metrics=metrics, verbose=False)
cnn_test = tt.evaluate(cnn, test_loader, tt.cross_entropy, metrics)
cnn_acc = cnn_test["accuracy"]
assert cnn_acc >= 0.95, f"held-out accuracy {cnn_acc:.1%} is below 95 %"
last = cnn_history.history["train_accuracy"][-1]
print(f"training accuracy during the last epoch: {last:.1%}")
print(f"held-out accuracy: {cnn_acc:.1%} (loss {cnn_test['loss']:.3f})")

# %% [markdown]
# The held-out accuracy is at least 95 %. The confusion matrix shows where the
# remaining errors fall.
#
# ```{admonition} How to read this figure
# :class: tip
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
counts = viz.confusion_matrix(test_labels, test_pred, num_classes=5)
assert np.isclose(np.trace(counts) / counts.sum(), cnn_acc), \
    "the matrix and the accuracy disagree"
errors = counts - np.diag(np.diag(counts))
true, predicted = np.unravel_index(errors.argmax(), counts.shape)
print(f"correct: {np.trace(counts)} of {counts.sum()}")
print(f"most frequent confusion: {class_names[true]} taken for "
      f"{class_names[predicted]} ({errors[true, predicted]} of "
      f"{counts[true].sum()})")

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
# (1 = balanced like Sobel, 0 = one sign only); at least five of the eight are
# above 0.3.
#
# ```{admonition} How to read this figure
# :class: tip
# Each panel is one filter's nine weights on one colour scale centred at zero: red
# weights add the pixel's intensity, blue ones subtract it. A filter with red on one
# side and blue on the other responds to an edge at that orientation; a red line
# between blue bands responds to a thin line.
# ```

# %%
filters = cnn[0].weight.data[:, 0]  # (8, 3, 3)
positive = np.clip(filters, 0, None).sum(axis=(1, 2))
negative = np.clip(-filters, 0, None).sum(axis=(1, 2))
balance = np.minimum(positive, negative) / np.maximum(positive,
                                                      negative)
print("filter   " + " ".join(f"{c:>5}" for c in range(8)))
print("balance  " + " ".join(f"{b:>5.2f}" for b in balance))
mixed = int((balance > 0.3).sum())
print(f"filters with a balance above 0.3: {mixed} of 8")
assert mixed >= 5, f"only {mixed} of 8 filters mix both signs"

# %% mystnb={"figure": {"caption": "The eight learned 3×3 filters of the CNN's first layer.", "name": "fig-cnn-filters"}}
fig = viz.plot_filters(cnn[0].weight)

# %% [markdown]
# The *feature maps* are those filters' responses (after the ReLU) on one held-out
# image: each channel lights up where its pattern occurs. No two channels are
# copies of each other; the correlation between the most similar pair of maps is
# printed below.
#
# ```{admonition} How to read this figure
# :class: tip
# The first panel is the input; the other eight are the first layer's channels for it,
# all on one grey scale (black 0, white the largest response), at the input's
# resolution because of the padding.
# ```

# %%
crosses = np.flatnonzero(test_labels == class_names.index("cross"))
example = int(crosses[0])
one_image = tt.Tensor(test_images[example:example + 1])
with tt.no_grad():
    maps = cnn[1](cnn[0](one_image)).data[0]  # conv, ReLU: (8, 16, 16)
assert maps.shape == (8, 16, 16) and maps.min() >= 0, maps.shape
strength = maps.sum(axis=(1, 2))
correlation = np.corrcoef(maps.reshape(8, -1))
most_similar = correlation[~np.eye(8, dtype=bool)].max()
assert most_similar < 0.95, f"two channels correlate {most_similar:.2f}"
truth, guess = test_labels[example], test_pred[example]
print(f"held-out image {example}: a {class_names[truth]}, "
      f"predicted {class_names[guess]}")
print("total response per channel:",
      " ".join(f"{v:.0f}" for v in strength))
print(f"largest correlation between two channels: {most_similar:.2f}")

# %% mystnb={"figure": {"caption": "One held-out image and the eight feature maps of the first convolution layer (after ReLU).", "name": "fig-cnn-maps"}}
picture_in = test_images[example]  # (1, 16, 16)
panels = np.concatenate([picture_in / picture_in.max(),
                         maps / maps.max()])  # (9, 16, 16)
titles = ["input"] + [f"channel {c}" for c in range(8)]
fig = viz.plot_images(panels, np.arange(9), titles, ncols=5)
viz.show(fig, alt=(
    f"A {class_names[truth]} image of 16×16 pixels and "
    "the eight 16×16 feature maps of the first layer for it, on one "
    "grey scale. Strongest channel (largest total response): "
    f"{strength.argmax()}, weakest: {strength.argmin()}; the most "
    f"similar two channels correlate {most_similar:.2f}."))

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
tt.fit(mlp, train_loader, tt.cross_entropy,
       tt.Adam(mlp.parameters(), lr=1e-3), epochs=20, verbose=False)

# every training image in one batch, to score the final weights
train_all = tt.DataLoader(train_set, batch_size=len(train_set))
models = {"CNN": (cnn, cnn_params), "MLP": (mlp, mlp_params)}
accuracy = {}
print(f"{'model':6} {'parameters':>10} {'training':>9} {'held-out':>9}")
for name, (model, params) in models.items():
    scores = [tt.evaluate(model, loader, tt.cross_entropy,
                          metrics)["accuracy"]
              for loader in (train_all, test_loader)]
    accuracy[name] = scores
    print(f"{name:6} {params:>10,} {scores[0]:>9.1%} {scores[1]:>9.1%}")
gap = {name: train - test for name, (train, test) in accuracy.items()}
assert mlp_params > 10 * cnn_params, (mlp_params, cnn_params)
assert accuracy["CNN"][1] >= accuracy["MLP"][1] + 0.03, accuracy
assert gap["MLP"] > 0.05 and gap["MLP"] > 2 * gap["CNN"], gap

# %% [markdown]
# The MLP has more than ten times the CNN's parameters, yet its held-out accuracy is
# at least three points lower. Its gap between training and held-out accuracy is
# more than five points and over twice the CNN's: it memorises where strokes were,
# where the CNN learns what strokes look like, wherever they are.
