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
# # Training a classifier, honestly
#
# The whole pipeline on a data set generated in code: split it, batch it, train an
# MLP with Adam, watch the training and validation curves, keep the best weights,
# and score the model once on points it has never seen, against the score of a
# model that knows nothing. Then the same pipeline gone wrong: a large network on
# a few points, trained for too long, whose validation curve shows it over-fitting.
#
# **What you will see:**
#
# - a random split into training, validation and test sets that share no point;
# - a {py:class}`~tinytorch.core.dataloader.DataLoader` turning the training set into
#   shuffled mini-batches;
# - the training and validation loss and accuracy per epoch (figure), and the epoch
#   whose weights `keep_best="val_loss"` kept;
# - a test accuracy of at least 95 %, against a majority-class baseline below 40 %;
# - over-fitting: training loss falling towards zero while the validation loss ends
#   at least 50 % above its minimum (figure);
# - the decision regions of both models (figure).

# %%
import os

# One BLAS thread: this page's matrices are small, and on a busy
# machine threads waiting for each other make training many times
# slower. (This only takes effect if NumPy has not been imported yet.)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import matplotlib.pyplot as plt
import numpy as np

import tinytorch as tt
from tinytorch import viz

_ = tt.manual_seed(0)  # reseed tinytorch's one global generator
rng = np.random.default_rng(0)

# %% [markdown]
# ## The data and three disjoint splits
#
# {py:func}`~tinytorch.datasets.points.spirals` draws points on three interleaved spiral
# arms, one class per arm, 200 points each, with a little noise. No straight line
# separates them, so the model has to learn curved boundaries.
#
# We split the 600 points at random with
# {py:func}`~tinytorch.core.dataloader.random_split`:
#
# - **training** (60 %): the only points the optimiser sees;
# - **validation** (20 %): checked after every epoch, to pick the best epoch;
# - **test** (20 %): used once, at the end. Because the validation set helped choose
#   the weights, its score is slightly optimistic; the test set has had no say in
#   anything, so its score is an honest estimate for new points.

# %%
X, y = tt.datasets.spirals(200, n_classes=3, noise=0.05, seed=0)
class_names = ["arm 0", "arm 1", "arm 2"]
dataset = tt.TensorDataset(X, y)
train_set, val_set, test_set = tt.random_split(
    dataset, [0.6, 0.2, 0.2], seed=0)
splits = {"training": train_set, "validation": val_set,
          "test": test_set}
indices = {name: part.indices for name, part in splits.items()}
for a, b in [("training", "validation"), ("training", "test"),
             ("validation", "test")]:
    both = np.intersect1d(indices[a], indices[b])
    assert both.size == 0, f"{both.size} points in both {a} and {b}"
every = np.sort(np.concatenate(list(indices.values())))
assert np.array_equal(every, np.arange(len(dataset))), "a point is lost"

print(f"{'split':11} {'points':>6}   per class")
for name, part in splits.items():
    per_class = np.bincount(y[part.indices], minlength=3)
    print(f"{name:11} {len(part):>6}   {per_class.tolist()}")
    assert per_class.min() >= 0.25 * len(part), (name, per_class)

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# Colour and marker give the class (the spiral arm); filled markers are training
# points, hollow ones validation points, crosses test points. The three kinds are
# mixed along every arm, so each split covers the whole problem: every split holds
# each arm in similar numbers (the table above).
# ```

# %% mystnb={"figure": {"caption": "The three spiral arms, split into training, validation and test points.", "name": "fig-spiral-split"}}
markers = ("o", "s", "^")  # viz's markers for classes 0, 1, 2


def look(split, colour, marker):
    """Filled for training, hollow for validation, a cross for test."""
    if split == "training":
        return dict(marker=marker, color=colour, s=14)
    if split == "validation":
        return dict(marker=marker, facecolor="none", edgecolor=colour,
                    s=30)
    return dict(marker="x", color=colour, s=22)


fig, ax = plt.subplots(figsize=(5.6, 4.2), layout="constrained")
fig.set_facecolor("white")
for name, part in splits.items():
    for k in range(3):
        pts = X[part.indices][y[part.indices] == k]
        ax.scatter(pts[:, 0], pts[:, 1], linewidth=0.9,
                   **look(name, viz.CLASS_COLORS[k], markers[k]))
# legend: one entry per class, then one per split (in grey)
handles = [ax.scatter([], [], marker=m, color=c, label=name)
           for m, c, name in zip(markers, viz.CLASS_COLORS,
                                 class_names)]
handles += [ax.scatter([], [], label=name, linewidth=0.9,
                       **look(name, "0.3", "o")) for name in splits]
ax.legend(handles=handles, loc="center left",
          bbox_to_anchor=(1.02, 0.5), frameon=False)
ax.set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
viz.show(fig, alt=(
    f"Scatter plot of {len(X)} points on three interleaved spiral "
    f"arms winding once around the origin, x1 from {X[:, 0].min():.2f} "
    f"to {X[:, 0].max():.2f}, x2 from {X[:, 1].min():.2f} to "
    f"{X[:, 1].max():.2f}; {len(train_set)} training points (filled), "
    f"{len(val_set)} validation points (hollow) and {len(test_set)} "
    "test points (crosses), mixed along every arm."))

# %% [markdown]
# ## A baseline that knows nothing
#
# Before training anything, the score to beat: always predict the class that is
# most frequent in the training set. With three classes of about equal size this
# gets roughly a third of the test points right (below 40 %, checked below). A
# model is only worth something if it does far better.

# %%
majority = int(np.bincount(y[train_set.indices]).argmax())
baseline = float(np.mean(y[test_set.indices] == majority))
assert baseline < 0.4, baseline
print(f"majority class in training: {class_names[majority]}")
print(f"test accuracy of always predicting it: {baseline:.1%}")

# %% [markdown]
# ## Batches
#
# A {py:class}`~tinytorch.core.dataloader.DataLoader` cuts the training set into
# mini-batches of 32 points, in a new random order every epoch (seeded, so every run
# is identical). An epoch is one pass over all of them; the last batch holds the
# remainder. Validation and test sets are evaluated in one batch each, unshuffled.

# %%
train_loader = tt.DataLoader(train_set, batch_size=32, shuffle=True,
                             seed=0)
val_loader = tt.DataLoader(val_set, batch_size=len(val_set))
test_loader = tt.DataLoader(test_set, batch_size=len(test_set))
sizes = [len(targets.data) for _, targets in train_loader]
assert len(sizes) == len(train_loader) == -(-len(train_set) // 32)
assert sum(sizes) == len(train_set), sizes
inputs, targets = next(iter(train_loader))
print(f"{len(train_loader)} batches per epoch, of sizes")
print(sizes)
print(f"one batch: inputs {inputs.shape}, targets {targets.shape}")

# %% [markdown]
# ## The model, the optimiser and `fit`
#
# An {py:class}`~tinytorch.core.dense.MLP` maps the two coordinates through two
# hidden layers of 64 ReLU units to three class scores (logits), trained with
# cross-entropy and {py:class}`~tinytorch.core.optimizers.Adam`.
# {py:func}`~tinytorch.core.training.fit` runs the loop (forward, loss, backward,
# step for every batch, then a validation pass) for 100 epochs and records the
# losses and accuracies. With `keep_best="val_loss"` it also remembers the weights
# of the epoch with the lowest validation loss, and puts them back at the end. The
# learning rate, 0.01, is on the large side: training is fast, but now and then a
# step overshoots and the loss jumps for an epoch or two.

# %%
model = tt.MLP([2, 64, 64, 3])
optimizer = tt.Adam(model.parameters(), lr=1e-2)
metrics = {"accuracy": tt.accuracy}
history = tt.fit(model, train_loader, tt.cross_entropy, optimizer,
                 epochs=100, val_loader=val_loader, metrics=metrics,
                 keep_best="val_loss", verbose=False)
val_curve = history.history["val_loss"]
best = history.best_epoch  # 0-based
assert best == int(np.argmin(val_curve)), best
assert val_curve[best] < val_curve[-1], "the last epoch was the best"
after = tt.evaluate(model, val_loader, tt.cross_entropy, metrics)
assert np.isclose(after["loss"], val_curve[best], rtol=1e-5), after
print("parameters:", sum(p.size for p in model.parameters()))
print(f"best epoch: {best + 1} of {history.epochs}, validation loss "
      f"{val_curve[best]:.4f} (last epoch: {val_curve[-1]:.4f})")
print(f"validation loss of the model after fit: {after['loss']:.4f}")

# %% [markdown]
# The model now holds the weights of the best epoch: evaluating it on the
# validation set gives back exactly that epoch's validation loss, which is lower
# than the last epoch's.
#
# ```{admonition} How to read this figure
# :class: tip
# Solid lines are measured on the training batches during the epoch, dashed lines
# on the validation set after it. While both losses fall together the model is
# learning something that carries over to new points; a validation curve that turns
# upward while the training curve keeps falling is over-fitting (see below). The
# dotted vertical line marks the epoch whose weights were kept. The spikes are
# overshooting steps, which the next few epochs repair.
# ```

# %% mystnb={"figure": {"caption": "Loss and accuracy per epoch of the MLP on the spirals, on the training batches and on the validation set.", "name": "fig-spiral-history"}}
fig = viz.plot_history(history)

# %% [markdown]
# ## The test set, once
#
# Now, and only now, the test points. The model must beat the baseline by far and
# reach at least 95 %.

# %%
test = tt.evaluate(model, test_loader, tt.cross_entropy, metrics)
test_acc = test["accuracy"]
assert test_acc >= 0.95, f"test accuracy {test_acc:.1%} is below 95 %"
assert test_acc >= baseline + 0.5, (test_acc, baseline)
print(f"{'':22} {'test accuracy':>13}")
print(f"{'majority-class guess':22} {baseline:>13.1%}")
print(f"{'MLP, best epoch':22} {test_acc:>13.1%}")
print(f"test loss {test['loss']:.4f}")

# %% [markdown]
# ## Over-fitting: too large, too long, too few points
#
# Now the same pipeline with the ingredients of over-fitting: only 60 training points
# (the first 60 of the training set), a wider network (two hidden layers of 128
# units, far more parameters than points) and 300 epochs of full-batch Adam. The
# validation set is the same as before. No `keep_best` this time: we want to see
# what the last epoch's weights do.

# %%
_ = tt.manual_seed(0)
few = tt.Subset(dataset, train_set.indices[:60])
few_loader = tt.DataLoader(few, batch_size=len(few), shuffle=True,
                           seed=0)
big = tt.MLP([2, 128, 128, 3])
big_history = tt.fit(big, few_loader, tt.cross_entropy,
                     tt.Adam(big.parameters(), lr=3e-3), epochs=300,
                     val_loader=val_loader, metrics=metrics,
                     verbose=False)
big_curves = big_history.history
train_loss = np.array(big_curves["train_loss"])
val_loss = np.array(big_curves["val_loss"])
lowest = int(val_loss.argmin())  # 0-based epoch
n_params = sum(p.size for p in big.parameters())
print(f"{n_params} parameters for {len(few)} training points")
val_acc = big_curves["val_accuracy"]
print(f"{'epoch':>22} {'train loss':>10} {'val. loss':>10} "
      f"{'val. acc.':>10}")
for label, e in [("lowest val. loss", lowest), ("last", 299)]:
    print(f"{label:>17} {e + 1:>4} {train_loss[e]:>10.4f} "
          f"{val_loss[e]:>10.4f} {val_acc[e]:>10.1%}")
assert val_loss[-1] >= 1.5 * val_loss[lowest], val_loss[[lowest, -1]]
assert lowest < 150, f"validation loss is lowest at epoch {lowest + 1}"
assert train_loss[-1] < 0.1 * train_loss[lowest], train_loss[-1]
rises = np.diff(val_loss[lowest:])  # epoch-to-epoch changes after it
print(f"after its minimum, the validation loss rose in "
      f"{np.sum(rises > 0)} of {rises.size} epochs")
print(f"its largest fall in that time: {max(0, -rises.min()):.4f}")
assert np.mean(rises > 0) > 0.8, "it should go on rising"

# %% [markdown]
# The table shows the signature of over-fitting. The validation loss reaches its
# lowest point in the first half of training, then rises in more than 80 % of the
# remaining epochs and ends at least 50 % above its minimum, while the training
# loss keeps falling, to less than a tenth of its value at that point: from there
# on the network is memorising its 60 points rather than learning the spirals.
#
# Loss and accuracy do not tell the same story here. Accuracy counts only whether
# the top class is right; the loss also charges for *confidence*, and a memorising
# network becomes certain of everything, including its mistakes. On the validation
# points it gets wrong, it puts most of its probability on the wrong class:

# %%
big.eval()
with tt.no_grad():
    logits = big(tt.Tensor(X[val_set.indices]))
    val_probs = tt.softmax(logits, axis=-1).data
big.train()
wrong = val_probs.argmax(axis=1) != y[val_set.indices]
confidence = float(val_probs[wrong].max(axis=1).mean())
assert wrong.any() and confidence > 0.8, confidence
print(f"validation points wrong: {wrong.sum()} of {len(wrong)}")
print(f"mean probability given to the wrong class: {confidence:.1%}")

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# Compare with the first history figure. Here the training loss (solid) heads
# towards zero on a falling line, while the validation loss (dashed) turns upward
# after its minimum and keeps rising: every further epoch makes the model worse on
# new points. Early stopping, or `keep_best="val_loss"`, would have kept the weights
# from the bottom of the dashed curve.
# ```

# %% mystnb={"figure": {"caption": "Over-fitting: a large MLP trained for long on 60 points; the validation loss rises while the training loss falls.", "name": "fig-overfit-history"}}
fig = viz.plot_history(big_curves, best_epoch=lowest)

# %% [markdown]
# ## Decision regions
#
# Each model colours the plane by the class it predicts there, with its own training
# points on top. The model trained on 360 points draws three smooth, interleaved arms;
# the over-fitted one, which saw 60 points, gets every one of them right but draws
# its boundaries elsewhere: its validation accuracy is at least 5 points lower than
# the first model's (the table below).
#
# ```{admonition} How to read this figure
# :class: tip
# The background colour is the predicted class, black lines are the boundaries
# between regions, markers are the training points in their true class's colour and
# shape, and a red circle marks a training point on the wrong side of a boundary.
# ```

# %%
def accuracy_on(net, part):
    loader = tt.DataLoader(part, batch_size=len(part))
    scores = tt.evaluate(net, loader, tt.cross_entropy, metrics)
    return scores["accuracy"]


good_train, good_val = accuracy_on(model, train_set), after["accuracy"]
big_train, big_val = accuracy_on(big, few), accuracy_on(big, val_set)
rows = {"360 points, best epoch": (good_train, good_val),
        "60 points, last epoch": (big_train, big_val)}
print(f"{'':24} {'training':>9} {'validation':>11}")
for label, (on_train, on_val) in rows.items():
    print(f"{label:24} {on_train:>9.1%} {on_val:>11.1%}")
assert big_train == 1.0, big_train
assert big_val <= good_val - 0.05, (big_val, good_val)

# %% mystnb={"figure": {"caption": "Decision regions of the well-trained MLP (left) and of the over-fitted one (right), each with its own training points.", "name": "fig-spiral-regions"}}
fig, axes = plt.subplots(1, 2, figsize=(viz.FIGURE_WIDTH, 3.6),
                         layout="constrained")
fig.set_facecolor("white")
panels = [(model, train_set, "360 points, best epoch"),
          (big, few, "60 points, last of 300 epochs")]
for ax, (net, part, title) in zip(axes, panels):
    viz.plot_decision_boundary(net, X[part.indices], y[part.indices],
                               ax=ax, class_names=class_names,
                               resolution=150, title=title)
viz.show(fig)
