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

# One BLAS thread, set before NumPy loads: this page's matrices are small, and on a busy
# machine threads waiting for each other make training many times slower.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import matplotlib.pyplot as plt
import numpy as np

import tinytorch as tt
from tinytorch import viz

_ = tt.manual_seed(0)  # reseed tinytorch's one global random generator
rng = np.random.default_rng(0)

# %% [markdown]
# ## The data and three disjoint splits
#
# {py:func}`~tinytorch.datasets.spirals` draws points on three interleaved spiral
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
train_set, val_set, test_set = tt.random_split(dataset, [0.6, 0.2, 0.2], seed=0)
splits = {"training": train_set, "validation": val_set, "test": test_set}
index_sets = {name: set(part.indices.tolist()) for name, part in splits.items()}
assert not index_sets["training"] & index_sets["validation"], "training and validation overlap"
assert not index_sets["training"] & index_sets["test"], "training and test overlap"
assert not index_sets["validation"] & index_sets["test"], "validation and test overlap"
assert set.union(*index_sets.values()) == set(range(len(dataset))), "a point was left out"
print(f"{'split':11} {'points':>6}   per class")
for name, part in splits.items():
    per_class = np.bincount(y[part.indices], minlength=3)
    print(f"{name:11} {len(part):>6}   {per_class.tolist()}")
    assert per_class.min() >= 0.25 * len(part), f"{name} split is unbalanced: {per_class}"

# %% [markdown]
# ```{tip} How to read this figure
# Colour and marker give the class (the spiral arm); filled markers are training
# points, hollow ones validation points, crosses test points. The three kinds are
# mixed along every arm, so each split covers the whole problem: every split holds
# each arm in similar numbers (the table above).
# ```

# %% mystnb={"figure": {"caption": "The three spiral arms, split into training, validation and test points.", "name": "fig-spiral-split"}}
with plt.rc_context(viz.STYLE):
    fig, ax = plt.subplots(figsize=(5.6, 4.2), layout="constrained")
    markers = ("o", "s", "^")                      # the markers viz uses for classes 0, 1, 2
    looks = {"training": lambda k: dict(marker=markers[k], color=viz.CLASS_COLORS[k], s=14),
             "validation": lambda k: dict(marker=markers[k], facecolor="none",
                                          edgecolor=viz.CLASS_COLORS[k], s=30),
             "test": lambda k: dict(marker="x", color=viz.CLASS_COLORS[k], s=22)}
    for name, part in splits.items():
        for k in range(3):
            pts = X[part.indices][y[part.indices] == k]
            ax.scatter(pts[:, 0], pts[:, 1], linewidth=0.9, **looks[name](k))
    handles = [ax.scatter([], [], marker=markers[k], color=viz.CLASS_COLORS[k], label=class_names[k])
               for k in range(3)]
    handles += [ax.scatter([], [], label=name, linewidth=0.9, **{**looks[name](0), **(
        {"edgecolor": "0.3"} if name == "validation" else {"color": "0.3"})}) for name in splits]
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False)
    ax.set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
viz.show(fig, alt=(
    f"Scatter plot of {len(X)} points on three interleaved spiral arms winding once around the "
    f"origin, x1 from {X[:, 0].min():.2f} to {X[:, 0].max():.2f}, x2 from {X[:, 1].min():.2f} to "
    f"{X[:, 1].max():.2f}; {len(train_set)} training points (filled), {len(val_set)} validation "
    f"points (hollow) and {len(test_set)} test points (crosses), spread evenly along every arm."))

# %% [markdown]
# ## A baseline that knows nothing
#
# Before training anything, the score to beat: always predict the class that is most
# frequent in the training set. With three balanced classes this gets about a
# third of the test points right. A model is only worth something if it does far
# better.

# %%
majority = int(np.bincount(y[train_set.indices]).argmax())
baseline = float(np.mean(y[test_set.indices] == majority))
assert baseline < 0.4, baseline
print(f"majority class in training: {class_names[majority]}; its test accuracy: {baseline:.1%}")

# %% [markdown]
# ## Batches
#
# A {py:class}`~tinytorch.core.dataloader.DataLoader` cuts the training set into
# mini-batches of 32 points, in a new random order every epoch (seeded, so every run
# is identical). An epoch is one pass over all of them; the last batch holds the
# remainder. Validation and test sets are evaluated in one batch each, unshuffled.

# %%
train_loader = tt.DataLoader(train_set, batch_size=32, shuffle=True, seed=0)
val_loader = tt.DataLoader(val_set, batch_size=len(val_set))
test_loader = tt.DataLoader(test_set, batch_size=len(test_set))
sizes = [len(targets.data) for _, targets in train_loader]
assert len(train_loader) == -(-len(train_set) // 32) and sum(sizes) == len(train_set), sizes
inputs, targets = next(iter(train_loader))
print(f"{len(train_loader)} batches per epoch, sizes {sizes}; one batch: inputs {inputs.shape}, "
      f"targets {targets.shape}")

# %% [markdown]
# ## The model, the optimiser and `fit`
#
# An {py:class}`~tinytorch.core.dense.MLP` maps the two coordinates through two
# hidden layers of 64 ReLU units to three class scores (logits), trained with
# cross-entropy and {py:class}`~tinytorch.core.optimizers.Adam`.
# {py:func}`~tinytorch.core.training.fit` runs the loop (forward, loss, backward,
# step for every batch, then a validation pass) for 100 epochs and records the
# losses and accuracies. The learning rate, 0.01, is on the large side: training is
# fast, but now and then a step overshoots and the loss jumps for an epoch or two. With `keep_best="val_loss"` it also remembers the weights of
# the epoch with the lowest validation loss, and puts them back at the end.

# %%
model = tt.MLP([2, 64, 64, 3])
optimizer = tt.Adam(model.parameters(), lr=1e-2)
metrics = {"accuracy": tt.accuracy}
history = tt.fit(model, train_loader, tt.cross_entropy, optimizer, epochs=100,
                 val_loader=val_loader, metrics=metrics, keep_best="val_loss", verbose=False)
curves = history.history
best = history.best_epoch
assert best == int(np.argmin(curves["val_loss"])), (best, np.argmin(curves["val_loss"]))
after = tt.evaluate(model, val_loader, tt.cross_entropy, metrics)
assert curves["val_loss"][best] < curves["val_loss"][-1], "the last epoch was the best"
assert np.isclose(after["loss"], curves["val_loss"][best], rtol=1e-5), (after, curves["val_loss"][best])
print(f"parameters: {sum(p.size for p in model.parameters())}")
print(f"best epoch: {best + 1} of {history.epochs}, validation loss {curves['val_loss'][best]:.4f} "
      f"(last epoch: {curves['val_loss'][-1]:.4f}); the model now holds that epoch's weights")

# %% [markdown]
# The model now holds the weights of the best epoch: evaluating it on the
# validation set gives back exactly that epoch's validation loss, which is lower
# than the last epoch's.
#
# ```{tip} How to read this figure
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
assert test["accuracy"] >= 0.95, f"test accuracy {test['accuracy']:.1%} is below 95 %"
assert test["accuracy"] >= baseline + 0.5, (test["accuracy"], baseline)
print(f"{'':22} {'test accuracy':>13}")
print(f"{'majority-class guess':22} {baseline:>13.1%}")
print(f"{'MLP, best epoch':22} {test['accuracy']:>13.1%}")
print(f"test loss {test['loss']:.4f} (validation loss at the best epoch {curves['val_loss'][best]:.4f})")

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
few_loader = tt.DataLoader(few, batch_size=len(few), shuffle=True, seed=0)
big = tt.MLP([2, 128, 128, 3])
big_history = tt.fit(big, few_loader, tt.cross_entropy, tt.Adam(big.parameters(), lr=3e-3),
                     epochs=300, val_loader=val_loader, metrics=metrics, verbose=False)
train_loss = np.array(big_history.history["train_loss"])
val_loss = np.array(big_history.history["val_loss"])
lowest = int(val_loss.argmin())
print(f"{sum(p.size for p in big.parameters())} parameters for {len(few)} training points")
print(f"{'epoch':>18} {'training loss':>14} {'validation loss':>16} {'validation acc.':>16}")
for label, e in (("lowest validation", lowest), ("last", len(val_loss) - 1)):
    print(f"{label:>13} {e + 1:>4} {train_loss[e]:>14.4f} {val_loss[e]:>16.4f} "
          f"{big_history.history['val_accuracy'][e]:>16.1%}")
assert val_loss[-1] >= 1.5 * val_loss[lowest], f"validation loss ends at {val_loss[-1]:.3f}"
assert lowest < len(val_loss) // 2, f"validation loss is lowest at epoch {lowest + 1}"
assert train_loss[-1] < 0.1 * train_loss[lowest], (train_loss[lowest], train_loss[-1])

# %% [markdown]
# The table shows the signature of over-fitting. The validation loss reaches its
# lowest point in the first half of training and ends at least 50 % above it, while
# the training loss keeps falling, to less than a tenth of its value at that point:
# from there on the network is memorising its 60 points rather than learning the
# spirals.
#
# Loss and accuracy do not tell the same story here. Accuracy counts only whether
# the top class is right; the loss also charges for *confidence*, and a memorising
# network becomes certain of everything, including its mistakes. On the validation
# points it gets wrong, it puts most of its probability on the wrong class:

# %%
big.eval()
with tt.no_grad():
    val_probs = tt.softmax(big(tt.Tensor(X[val_set.indices])), axis=-1).data
big.train()
wrong = val_probs.argmax(axis=1) != y[val_set.indices]
confidence_when_wrong = float(val_probs[wrong].max(axis=1).mean())
assert wrong.any() and confidence_when_wrong > 0.8, confidence_when_wrong
print(f"{wrong.sum()} of {len(wrong)} validation points wrong; mean probability of the "
      f"(wrong) predicted class on them: {confidence_when_wrong:.1%}")

# %% [markdown]
# ```{tip} How to read this figure
# Compare with the first history figure. Here the training loss (solid) heads
# towards zero on a falling line, while the validation loss (dashed) turns upward
# after its minimum and keeps rising: every further epoch makes the model worse on
# new points. Early stopping, or `keep_best="val_loss"`, would have kept the weights
# from the bottom of the dashed curve.
# ```

# %% mystnb={"figure": {"caption": "Over-fitting: a large MLP trained for long on 60 points; the validation loss rises while the training loss falls.", "name": "fig-overfit-history"}}
fig = viz.plot_history(big_history.history, best_epoch=lowest)

# %% [markdown]
# ## Decision regions
#
# Each model colours the plane by the class it predicts there, with its own training
# points on top. The model trained on 360 points draws three smooth, interleaved arms;
# the over-fitted one, which saw 60 points, gets every one of them right but draws
# its boundaries elsewhere, and misclassifies at least 5 % more of the validation
# points than the first model (the table below).
#
# ```{tip} How to read this figure
# The background colour is the predicted class, black lines are the boundaries
# between regions, markers are the training points in their true class's colour and
# shape, and a red circle marks a training point on the wrong side of a boundary.
# ```

# %%
val_accuracy = {"360 points, best epoch": after["accuracy"],
                "60 points, last epoch": big_history.history["val_accuracy"][-1]}
for name, value in val_accuracy.items():
    print(f"{name:22} validation accuracy {value:.1%}")
few_accuracy = tt.evaluate(big, few_loader, tt.cross_entropy, metrics)["accuracy"]
print(f"the over-fitted model on its own 60 training points: {few_accuracy:.0%}")
assert few_accuracy == 1.0, few_accuracy
assert val_accuracy["60 points, last epoch"] <= val_accuracy["360 points, best epoch"] - 0.05, val_accuracy

# %% mystnb={"figure": {"caption": "Decision regions of the well-trained MLP (left) and of the over-fitted one (right), each with its own training points.", "name": "fig-spiral-regions"}}
with plt.rc_context(viz.STYLE):
    fig, axes = plt.subplots(1, 2, figsize=(viz.FIGURE_WIDTH, 3.6), layout="constrained",
                             sharex=True, sharey=True)
viz.plot_decision_boundary(model, X[train_set.indices], y[train_set.indices], ax=axes[0],
                           class_names=class_names, resolution=150,
                           title=f"{len(train_set)} points, best epoch")
viz.plot_decision_boundary(big, X[few.indices], y[few.indices], ax=axes[1],
                           class_names=class_names, resolution=150,
                           title=f"{len(few)} points, last of 300 epochs")
viz.show(fig)
