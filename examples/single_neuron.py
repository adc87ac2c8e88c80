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
# # A single neuron learns AND and OR
#
# The smallest network there is: one neuron, which weighs its two inputs, adds
# a bias and squashes the sum through a sigmoid. We train it from random
# weights with gradient descent, using autograd for the gradients, on the truth
# tables of the logic gates AND and OR, and look at what it has learned: a
# straight line that cuts the unit square in two.
#
# **What you will see**
#
# - the gradient autograd computes for the neuron equals the textbook formula
#   $X^\top(\mathbf{p} - \mathbf{y})/N$;
# - the training loss of both gates falling (figure);
# - all four input pairs classified correctly for each gate, every probability
#   at least 0.4 away from the threshold 0.5 (table);
# - the learned line over the unit square, with the four points (figure), and
#   the sign pattern of the weights that makes it AND or OR;
# - the same result from five random starts, against the baseline of a
#   constant answer.

# %%
import numpy as np
from myst_nb import glue

import tinytorch as tt
from tinytorch import viz
from tinytorch.core.tensor import Tensor

_ = tt.manual_seed(0)  # tinytorch's one global random generator

# %% [markdown]
# ## The data: four rows of a truth table
#
# {py:func}`~tinytorch.datasets.points.logic_gate` returns the four input pairs
# $(x_1, x_2) \in \{0, 1\}^2$ and the gate's output for each.

# %%
gates = {name: tt.datasets.logic_gate(name) for name in ("and", "or")}
X = gates["and"][0]
print(" x1  x2   AND  OR")
for (x1, x2), a, o in zip(X, gates["and"][1], gates["or"][1]):
    print(f"{x1:3g} {x2:3g} {a:5g} {o:3g}")

# %% [markdown]
# ## The neuron
#
# With weights $w_1, w_2$ and bias $b$, the neuron computes the probability that
# the output is 1:
#
# $$
# z = w_1 x_1 + w_2 x_2 + b, \qquad p = \sigma(z) = \frac{1}{1 + e^{-z}}.
# $$
#
# In tinytorch that is a {py:class}`~tinytorch.core.layers.Linear` layer with
# two inputs and one output followed by a sigmoid. It is trained by
# minimising the binary cross-entropy over the four examples,
#
# $$
# L = -\frac{1}{N}\sum_{n=1}^{N} \bigl[y_n \ln p_n + (1 - y_n) \ln(1 - p_n)\bigr],
# $$
#
# whose gradient has a famously simple form: since $\partial L/\partial z_n =
# (p_n - y_n)/N$, the weights get $X^\top(\mathbf{p} - \mathbf{y})/N$ and the bias
# $\sum_n (p_n - y_n)/N$. Autograd does not know this formula; we check that it
# finds the same numbers on the untrained neuron.

# %%
neuron = tt.Sequential(tt.Linear(2, 1), tt.Sigmoid())
inputs, targets = Tensor(X), Tensor(gates["and"][1])
p = neuron(inputs).reshape(4)
tt.binary_cross_entropy(p, targets).backward()
grad_w, grad_b = neuron[0].weight.grad.ravel(), neuron[0].bias.grad
error = p.data - targets.data  # p - y, one per example
by_formula_w, by_formula_b = X.T @ error / 4, error.sum() / 4
assert np.allclose(grad_w, by_formula_w, atol=1e-6), "weight gradient"
assert np.allclose(grad_b, by_formula_b, atol=1e-6), "bias gradient"
print("untrained probabilities:", np.round(p.data, 3))
viz.Table(["gradient", "autograd", "formula"],
          [["w1", grad_w[0], by_formula_w[0]],
           ["w2", grad_w[1], by_formula_w[1]],
           ["b", grad_b[0], by_formula_b]],
          formats={1: ".5f", 2: ".5f"})

# %% [markdown]
# ## Training
#
# Plain gradient descent with {py:class}`~tinytorch.core.optimizers.SGD`: each
# step feeds all four examples at once, computes the loss, lets `.backward()`
# fill in the gradients and moves every parameter a little against its
# gradient. A fresh neuron is trained for each gate, 1000 steps at learning rate
# 1.


# %%
def train_neuron(gate, steps=1000, lr=1.0):
    """Train a fresh Linear(2, 1) + sigmoid on a gate.

    Returns the model and its loss and accuracy at every step.
    """
    features, labels = (Tensor(a) for a in tt.datasets.logic_gate(gate))
    model = tt.Sequential(tt.Linear(2, 1), tt.Sigmoid())
    optimizer = tt.SGD(model.parameters(), lr=lr)
    history = {"loss": [], "accuracy": []}
    for _ in range(steps):
        probs = model(features).reshape(4)
        loss = tt.binary_cross_entropy(probs, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history["loss"].append(loss.item())
        history["accuracy"].append(tt.accuracy(probs, labels))
    return model, history


neurons, histories = {}, {}
for gate in gates:
    neurons[gate], histories[gate] = train_neuron(gate)
    h = histories[gate]
    # the step from which accuracy stays at 100 % (a start can be 4/4
    # by chance at step 1 and lose it again)
    wrong = np.flatnonzero(np.array(h["accuracy"]) < 1.0)
    first_perfect = int(wrong[-1]) + 1 if wrong.size else 0
    stays = first_perfect < len(h["accuracy"])
    still_falling = np.all(np.diff(h["loss"][first_perfect:]) < 0)
    assert still_falling, f"{gate}: the loss stops falling"
    assert first_perfect < 50, f"{gate}: 100 % only at {first_perfect}"
    first_loss, last_loss = h["loss"][0], h["loss"][-1]
    assert stays, f"{gate}: never 4/4 for good"
    assert last_loss < 0.05 < first_loss, f"{gate}: {last_loss:.3f}"
    print(f"{gate.upper():3}: loss {first_loss:.3f} -> {last_loss:.4f};"
          f" accuracy {h['accuracy'][0]:.0%} at step 1, "
          f"100% from step {first_perfect + 1} on")

# %% [markdown]
# Each gate's loss starts above 0.05 and ends below it. Accuracy (the share of
# the four examples on the right side of 0.5) reaches 100 % for good within
# the first few dozen steps, and from then on the loss still falls at every
# step:
# training keeps pushing the probabilities further towards 0 and 1.


# %% tags=["hide-input"] mystnb={"figure": {"caption": "Training loss and accuracy of the neuron on AND and OR, per gradient step.", "name": "fig-neuron-training"}}
fig, (left, right) = viz.subplots(1, 2)
steps = np.arange(1, 1001)
viz.plot_lines({g.upper(): h["loss"] for g, h in histories.items()},
               x=steps, ax=left, xlabel="step", yscale="log",
               ylabel="binary cross-entropy")
viz.plot_lines({g.upper(): h["accuracy"] for g, h in histories.items()},
               x=steps, ax=right, xlabel="step", xscale="log",
               ylabel="accuracy", ylim=(-0.05, 1.05),
               styles={"OR": "--"}, legend="lower right")
fig

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# Left: the cross-entropy loss at each step, on a log scale, so a straight
# stretch means the loss shrinks by a constant factor per step. Right: the
# fraction of the four examples classified correctly at each step, which can
# only take the values 0, ¼, ½, ¾ and 1; its step axis is logarithmic, to
# spread out the first few dozen steps, where all the changes happen.
# ```

#
# ## Four out of four, with room to spare
#
# A classifier that puts a probability just above 0.5 on the right answer is
# correct but barely. We ask for more: every probability must be on the right
# side of 0.5 by at least 0.4, that is, at most 0.1 where the gate's output is 0
# and at least 0.9 where it is 1.

# %%
MARGIN = 0.4
probabilities = {}
for gate, model in neurons.items():
    with tt.no_grad():
        probabilities[gate] = model(Tensor(X)).data.ravel()
viz.Table.from_columns(
    {"x1": X[:, 0], "x2": X[:, 1],
     "AND": gates["and"][1], "p(1), AND": probabilities["and"],
     "OR": gates["or"][1], "p(1), OR": probabilities["or"]},
    formats={0: "g", 1: "g", 2: "g", 3: ".3f", 4: "g", 5: ".3f"})

# %%
for gate, probs in probabilities.items():
    labels = gates[gate][1]
    margins = np.where(labels == 1, probs - 0.5, 0.5 - probs)
    assert tt.accuracy(probs, labels) == 1.0, f"{gate}: {probs}"
    assert margins.min() >= MARGIN, f"{gate}: {margins.min():.3f}"
    print(f"{gate.upper()}: 4/4 correct, smallest distance from 0.5: "
          f"{margins.min():.3f}")

# %% [markdown]
# ## What the neuron learned: a line
#
# The neuron says 1 exactly when $p > 0.5$, that is when $z = w_1x_1 + w_2x_2 + b > 0$.
# The **decision boundary** $w_1 x_1 + w_2 x_2 + b = 0$ is a straight line, and
# the weights decide where it lies. Reading off the four corners:
#
# - AND needs $b < 0$ (the corner $(0,0)$ says 0), $w_1 + b < 0$ and
#   $w_2 + b < 0$ (a single 1 is not enough), but $w_1 + w_2 + b > 0$;
# - OR needs $b < 0$ but $w_1 + b > 0$ and $w_2 + b > 0$: either input alone
#   tips the sum.

# %%
for gate, model in neurons.items():
    w1, w2 = model[0].weight.data.ravel()
    b = model[0].bias.data.item()
    print(f"{gate.upper()}: z = {w1:.2f} x1 + {w2:.2f} x2 + ({b:.2f})")
    print(f"     b = {b:.2f}, w1 + b = {w1 + b:.2f}, "
          f"w2 + b = {w2 + b:.2f}, w1 + w2 + b = {w1 + w2 + b:.2f}")
    if gate == "and":
        assert b < 0 and max(w1 + b, w2 + b) < 0 < w1 + w2 + b, "AND"
    else:
        assert b < 0 < min(w1 + b, w2 + b), "OR"

# %% [markdown]
# The figure draws that line with
# {py:func}`~tinytorch.viz.training.plot_decision_boundary`, which evaluates
# the neuron on a fine grid over the unit square.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Decision boundaries of the trained neuron for AND (left) and OR (right) over the unit square.", "name": "fig-neuron-boundary"}}
fig, axes = viz.subplots(1, 2, height=3.4)
for ax, (gate, model) in zip(axes, neurons.items()):
    viz.plot_decision_boundary(model, X, gates[gate][1], ax=ax,
                               margin=0.25, output="probabilities",
                               class_names=["output 0", "output 1"],
                               title=gate.upper())
fig

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# The shaded regions are where the neuron answers 0 (blue) and 1 (orange); the
# straight line between them is $z = 0$, where $p = 0.5$. For AND the line
# separates the corner $(1, 1)$ from the other three; for OR it separates
# $(0, 0)$ (the sign patterns asserted above).
# ```
#
# ## Is that luck? Five random starts
#
# Everything above came from one random initialisation (seed 0). To see
# whether the result depends on it, we train the neuron on both gates from
# five random starts each, all ten trainings in one batched computation:
# weights stacked along a leading axis, shape $(10, 2, 1)$, with the same
# initialisation rule as {py:class}`~tinytorch.core.layers.Linear`, learning
# rate and number of steps as above. The **baseline** is the best constant
# answer, which ignores the inputs: for either gate it gets 3 of the 4 rows
# right (the majority output), and its cross-entropy is the entropy of the
# outputs, $H(\tfrac14) \approx$ {glue:text}`baseline_loss:.3f`.

# %%
def train_many(labels, starts, lrs, steps=1000):
    """Train len(starts) neurons at once, one row of labels each.

    Scaling network i's loss by lrs[i] under SGD(lr=1) gives it the
    step of SGD at lrs[i]. Returns the final probabilities (S, 4),
    losses (S,), weights and biases, and the step from which each
    network stays 4/4 (0 if it never does).
    """
    W = tt.Parameter(starts[:, :2])  # (S, 2, 1)
    b = tt.Parameter(starts[:, 2:])  # (S, 1, 1)
    optimizer = tt.SGD([W, b], lr=1.0)
    first_right = np.zeros(len(starts), dtype=int)
    for step in range(steps):
        probs = tt.sigmoid(Tensor(X) @ W + b)[:, :, 0]  # (S, 4)
        loss = tt.binary_cross_entropy(
            probs, Tensor(labels), reduction="none").mean(axis=1)
        optimizer.zero_grad()
        (loss * Tensor(lrs)).sum().backward()
        optimizer.step()
        right = ((probs.data > 0.5) == labels).all(axis=1)
        first_right[right & (first_right == 0)] = step + 1
        first_right[~right] = 0  # must stay right from then on
    return probs.data, loss.data, W.data, b.data, first_right


SEEDS = 5
labels = np.stack([gates[g][1] for g in gates for _ in range(SEEDS)])
bound = 1 / np.sqrt(2)  # Linear's rule: 1 / sqrt(fan-in)
starts = np.stack([
    np.random.default_rng(seed).uniform(-bound, bound, size=(3, 1))
    for _ in gates for seed in range(SEEDS)])
probs, loss, W, b, first_right = train_many(labels, starts,
                                            np.ones(len(starts)))
seed_margins = np.where(labels == 1, probs - 0.5,
                        0.5 - probs).min(axis=1)
baseline = float(-(0.25 * np.log(0.25) + 0.75 * np.log(0.75)))
glue("baseline_loss", baseline, display=False)
for name, v in [("margin", seed_margins), ("first", first_right),
                ("loss", loss)]:
    for stat in ("median", "min", "max"):
        glue(f"{name}_{stat}", float(getattr(np, stat)(v)),
             display=False)
viz.Table.from_columns(
    {"gate": [g.upper() for g in gates for _ in range(SEEDS)],
     "seed": [seed for _ in gates for seed in range(SEEDS)],
     "4/4 from step": first_right, "smallest margin": seed_margins,
     "final loss": loss},
    formats={3: ".3f", 4: ".4f"})

# %% [markdown]
# From every one of the ten starts, the neuron gets all four rows right and
# stays right from some step under 50 on at this learning rate (median step
# {glue:text}`first_median:.0f`, latest {glue:text}`first_max:.0f`; shorter
# steps take longer to get there, see the lr 0.1 check at the end); the
# smallest margin is at least 0.4 in every run (median
# {glue:text}`margin_median:.3f`, range {glue:text}`margin_min:.3f` to
# {glue:text}`margin_max:.3f`), and the final loss (at most
# {glue:text}`loss_max:.4f`) is far below the baseline's (less than a
# tenth of it).

# %%
majority = [max(l.mean(), 1 - l.mean()) for _, l in gates.values()]
assert majority == [0.75, 0.75], f"baseline accuracy {majority}"
assert (first_right > 0).all() and first_right.max() < 50, first_right
assert seed_margins.min() >= MARGIN, seed_margins
assert loss.max() < baseline / 10, loss

# %% [markdown]
# ## Summary
#
# One neuron is a straight line through the input square. Trained by
# gradient descent with autograd's gradients (equal to the textbook
# $X^\top(\mathbf{p} - \mathbf{y})/N$), it learns AND and OR from every one of
# five random starts, with every probability at least 0.4 from the threshold,
# where answering the majority output gets 3/4 and a loss of
# {glue:text}`baseline_loss:.3f`.
#
# A single line cannot do everything. Its output is 1 on one side and 0 on the
# other, so it can only compute gates whose 1-corners can be cut off from
# their 0-corners by a straight line. XOR, which is 1 on two opposite corners,
# is not such a gate: {doc}`xor_network` shows the neuron failing on it and a
# network with a hidden layer succeeding.
#
# **Try this** (each is checked in the cell below):
#
# - `train_neuron("nand")`: NAND, "not AND", is a line too; the neuron gets
#   it 4/4, with weights and bias of the opposite signs to AND's.
# - `train_neuron("and", lr=0.1)`: ten times smaller steps; still 4/4
#   after 1000 steps, but reached at least five times later, and the loss
#   ends higher than at learning rate 1.
# - `train_neuron("xor")`: the loss ends at $\ln 2$ and at most 3 of the 4
#   rows are right.
#
# The check trains the three at once from AND's first start, with
# `train_many`:

# %%
truth = {g: tt.datasets.logic_gate(g)[1]
         for g in ("nand", "and", "xor")}
p3, loss3, W3, b3, first3 = train_many(
    np.stack(list(truth.values())), np.repeat(starts[:1], 3, axis=0),
    np.array([1.0, 0.1, 1.0]))
assert tt.accuracy(p3[0], truth["nand"]) == 1.0, "NAND not 4/4"
assert (np.sign(W3[0]) == -np.sign(W[0])).all(), "NAND's weights"
assert np.sign(b3[0]) == -np.sign(b[0]), "NAND's bias"
assert tt.accuracy(p3[1], truth["and"]) == 1.0, "lr 0.1: not 4/4"
assert loss3[1] > loss[0], "lr 0.1: loss not higher than at lr 1"
assert first3[1] >= 5 * first_right[0], f"lr 0.1: 4/4 at {first3[1]}"
assert abs(loss3[2] - np.log(2)) < 1e-3, f"XOR loss {loss3[2]:.4f}"
assert tt.accuracy(p3[2], truth["xor"]) <= 0.75, "a line got XOR"
