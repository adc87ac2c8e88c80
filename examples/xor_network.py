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
# # XOR: why networks need a hidden layer
#
# XOR ("exclusive or") outputs 1 when exactly one of its two inputs is 1. It is
# the classic function a single neuron cannot learn, and the classic argument
# for hidden layers. This page shows both halves: the best a single linear
# layer can do on XOR, proved and then observed in training, and a network with
# two hidden units that learns it, together with what its hidden layer does to
# the four input points.
#
# **What you will see**
#
# - a proof that no line classifies more than 3 of the 4 XOR points correctly,
#   checked on 100 000 random lines;
# - a single neuron trained on XOR ending at the loss $\ln 2$ with every
#   probability at 0.5, that is, having learned nothing;
# - a network with one hidden layer of two tanh units getting 4/4 right, every
#   probability at least 0.4 away from 0.5 (loss curves, decision boundary);
# - the four points in the hidden layer's coordinates, where a single line does
#   separate them: a fresh neuron trained there scores 4/4 (figure);
# - how often training from a random start succeeds, for two and for four
#   hidden units (table).

# %%
import matplotlib.pyplot as plt
import numpy as np

import tinytorch as tt
from tinytorch import viz
from tinytorch.core.tensor import Tensor

_ = tt.manual_seed(0)  # tinytorch's one global random generator
rng = np.random.default_rng(0)

X, y = tt.datasets.logic_gate("xor")
inputs, targets = Tensor(X), Tensor(y)
print(" x1  x2  XOR")
for (x1, x2), t in zip(X, y):
    print(f"{x1:3g} {x2:3g} {t:4g}")

# %% [markdown]
# ## No line gets XOR right
#
# A single neuron answers 1 when $w_1x_1 + w_2x_2 + b > 0$: one side of a
# straight line. Suppose some line got all four XOR points right. The two
# 1-points would give $w_2 + b > 0$ and $w_1 + b > 0$; adding them,
# $w_1 + w_2 + 2b > 0$. The two 0-points would give $b \le 0$ and
# $w_1 + w_2 + b \le 0$; adding those, $w_1 + w_2 + 2b \le 0$. Both cannot hold,
# so **every line misclassifies at least one of the four points**: 3/4 is the
# ceiling. Geometrically, the 1-points sit on one diagonal of the square and
# the 0-points on the other, and no straight cut puts the two diagonals on
# different sides.
#
# A numerical check of the same fact: 100 000 random lines, all scored in one
# matrix product.

# %%
n_lines = 100_000
weights = rng.normal(size=(2, n_lines))
biases = rng.normal(size=n_lines)
predictions = (X @ weights + biases) > 0  # (4 points, n_lines)
correct = (predictions == (y[:, None] > 0.5)).sum(axis=0)  # per line
counts = np.bincount(correct, minlength=5)
print("points right" + "".join(f"{f'{k}/4':>7}" for k in range(5)))
print("lines       " + "".join(f"{c:7d}" for c in counts))
assert correct.max() == 3, f"some line got {correct.max()} of 4 right"
print(f"best of {n_lines} random lines: {correct.max()}/4")

# %% [markdown]
# Many lines reach 3/4; none reaches 4/4.
#
# ## A single neuron trained on XOR
#
# Training makes it even clearer. We train the neuron of {doc}`single_neuron`
# (a {py:class}`~tinytorch.core.layers.Linear` layer and a sigmoid, binary
# cross-entropy, plain gradient descent, 1000 steps at learning rate 1) on
# XOR. The four points are placed symmetrically, and the cross-entropy
# punishes a confident wrong answer far more than it rewards a right one, so
# the best a line can do under this loss is to commit to nothing: weights go
# to zero and every probability to $\tfrac12$, where the loss is
# $-\ln\tfrac12 = \ln 2 \approx 0.693$.


# %%
def train(model, features, labels, steps, optimizer):
    """Full-batch training on the cross-entropy of the model's logits.

    Returns the loss at every step.
    """
    losses = []
    for _ in range(steps):
        logits = model(features).reshape(len(labels.data))
        loss = tt.binary_cross_entropy_with_logits(logits, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def probabilities(model, features):
    with tt.no_grad():
        probs = tt.sigmoid(model(features)).data
    return probs.ravel().astype(np.float64)


neuron = tt.Linear(2, 1)
sgd = tt.SGD(neuron.parameters(), lr=1.0)
neuron_losses = train(neuron, inputs, targets, 1000, sgd)
p_neuron = probabilities(neuron, inputs)
final = neuron_losses[-1]
print("probabilities:", np.round(p_neuron, 4))
print(f"loss {final:.4f}   ln 2 = {np.log(2):.4f}")
print(f"weights {neuron.weight.data.ravel()}, bias {neuron.bias.data}")
assert abs(final - np.log(2)) < 1e-3, f"loss {final:.4f}, not ln 2"
assert np.abs(p_neuron - 0.5).max() < 0.01, f"{p_neuron}: not all 0.5"
assert tt.accuracy(p_neuron, y) < 1.0, "a neuron cannot get all four"
params = np.concatenate([neuron.weight.data.ravel(), neuron.bias.data])
assert np.abs(params).max() < 0.01, f"weights {params} not near zero"

# %% [markdown]
# After training, the loss is within $10^{-3}$ of $\ln 2$, every weight is
# within 0.01 of zero and no probability is more than 0.01 away from 0.5: the
# neuron has given up.
#
# ## A hidden layer
#
# Put a layer of two **hidden units** in front of the neuron:
#
# $$
# \mathbf{h} = \tanh(\mathbf{x}W_1 + \mathbf{b}_1), \qquad
# p = \sigma(\mathbf{h}\,\mathbf{w}_2 + b_2),
# $$
#
# with $W_1$ of shape $(2, 2)$. Each hidden unit is itself a neuron drawing its
# own line across the input square; the output neuron then combines the two.
# In tinytorch this is `MLP([2, 2, 1], activation=Tanh)`
# ({py:class}`~tinytorch.core.dense.MLP`). It is trained with
# {py:class}`~tinytorch.core.optimizers.Adam` on the same loss, 500 steps. Two
# hidden units are the fewest that can work, and, as the last section shows,
# training them does not succeed from every random start; this seed is one
# where it does.

# %%
network = tt.MLP([2, 2, 1], activation=tt.Tanh)
print(network)
adam = tt.Adam(network.parameters(), lr=0.1)
network_losses = train(network, inputs, targets, 500, adam)
p_network = probabilities(network, inputs)

MARGIN = 0.4
margins = np.where(y == 1, p_network - 0.5, 0.5 - p_network)
print(" x1  x2  XOR  p(1)")
for (x1, x2), t, p in zip(X, y, p_network):
    print(f"{x1:3g} {x2:3g} {t:4g}  {p:.4f}")
print(f"loss {network_losses[0]:.3f} -> {network_losses[-1]:.5f}; "
      f"smallest distance from 0.5: {margins.min():.4f}")
assert tt.accuracy(p_network, y) == 1.0, f"the network got {p_network}"
assert margins.min() >= MARGIN, f"smallest margin {margins.min():.3f}"

# %% [markdown]
# All four are right, and every probability is at least 0.4 away from 0.5 on
# the correct side.
#
# ```{admonition} How to read this figure
# :class: tip
# Loss per training step on a log scale. The dashed line is $\ln 2$, the loss of
# answering 0.5 everywhere. The single neuron sinks onto that line and stays
# (from step 200 on it is within $10^{-3}$ of it); the network passes below it
# and keeps going down (it falls at each of its last 200 steps).
# ```

# %% mystnb={"figure": {"caption": "Training loss on XOR of a single neuron and of the network with a hidden layer.", "name": "fig-xor-loss"}}
on_the_line = np.abs(np.array(neuron_losses[200:]) - np.log(2)) < 1e-3
going_down = np.diff(network_losses[-200:]) < 0
assert on_the_line.all(), "the neuron's loss leaves ln 2 after step 200"
assert going_down.all(), "the network's loss stops falling"
fig, ax = plt.subplots(figsize=(5.5, 2.8), layout="constrained")
fig.set_facecolor("white")
curves = [(neuron_losses, "single neuron (SGD)"),
          (network_losses, "2 hidden units (Adam)")]
for k, (losses, label) in enumerate(curves):
    ax.semilogy(np.arange(1, len(losses) + 1), losses,
                color=viz.CLASS_COLORS[k], label=label)
ax.axhline(np.log(2), color="0.4", linestyle="--", linewidth=0.9,
           label="ln 2")
ax.set(xlabel="step", ylabel="binary cross-entropy")
ax.legend()
alt = (f"Training loss against step, log scale. The single neuron goes "
       f"from {neuron_losses[0]:.3f} to {neuron_losses[-1]:.4f} over "
       f"{len(neuron_losses)} steps, ending on the dashed line at "
       f"ln 2 = {np.log(2):.3f}. The network with two hidden units "
       f"goes from "
       f"{network_losses[0]:.3f} to {network_losses[-1]:.2g} over "
       f"{len(network_losses)} steps.")
viz.show(fig, alt=alt)

# %% [markdown]
# ## Inside the network: the hidden layer
#
# What does the output neuron see? Not $(x_1, x_2)$, but the hidden layer's
# outputs $\mathbf{h} = (h_1, h_2)$. Here are the four points in those
# coordinates.

# %%
hidden_layer, output_layer = network[0], network[2]
with tt.no_grad():
    H = tt.tanh(hidden_layer(inputs))  # (4, 2): hidden coordinates
print(" x1  x2  XOR     h1       h2")
for (x1, x2), t, (h1, h2) in zip(X, y, H.data):
    print(f"{x1:3g} {x2:3g} {t:4g}  {h1:7.3f}  {h2:7.3f}")

# %% [markdown]
# Each hidden value is close to $\pm 1$ at every corner, so each hidden unit
# acts as a logic gate of its own: in this trained network one unit is positive
# only at $(1, 1)$, an AND, and the other everywhere except $(0, 0)$, an OR.
# XOR is "OR but not AND", and that is a single line in the $(h_1, h_2)$
# plane.

# %%
gate_of = {name: tt.datasets.logic_gate(name)[1] > 0.5
           for name in ("and", "or")}
unit_gates = [name for k in range(2) for name, truth in gate_of.items()
              if np.array_equal(H.data[:, k] > 0, truth)]
assert sorted(unit_gates) == ["and", "or"], f"units act as {unit_gates}"
assert np.abs(H.data).min() > 0.9, "every hidden value is near -1 or 1"
print(f"hidden unit 1 acts as {unit_gates[0].upper()}, "
      f"hidden unit 2 as {unit_gates[1].upper()}")

# %% [markdown]
# The left panel below shows the network's decision regions over the input
# square, drawn by {py:func}`~tinytorch.viz.training.plot_decision_boundary`, with the
# line of each hidden unit ($\mathbf{x}W_1 + \mathbf{b}_1 = 0$, one column at a
# time) dashed. The right panel shows the same four points in the hidden
# layer's coordinates, with the output neuron's decision line
# $\mathbf{h}\,\mathbf{w}_2 + b_2 = 0$: a straight line now separates the
# classes.
#
# ```{admonition} How to read this figure
# :class: tip
# Left: blue region, output 0; orange region, output 1; the solid curve is
# where the network's probability is 0.5. The two dashed lines, almost on top
# of it, are where each hidden unit's input is zero: the 1-region is the band
# between the two hidden units' lines. Right: each point is moved to
# $(h_1, h_2)$. The two 0-points, which sat on opposite corners of the input
# square, now lie on one side of the output neuron's line, and the two
# 1-points (drawn almost on top of each other) on the other.
# ```

# %% mystnb={"figure": {"caption": "The trained network's decision regions over the inputs (left) and the four points in the hidden layer's coordinates with the output neuron's line (right).", "name": "fig-xor-boundary"}}
fig, (ax_in, ax_hidden) = plt.subplots(
    1, 2, figsize=(viz.FIGURE_WIDTH, 3.7), layout="constrained")
fig.set_facecolor("white")
names = ["XOR 0", "XOR 1"]
viz.plot_decision_boundary(network, X, y, ax=ax_in, margin=0.25,
                           output="logits", class_names=names,
                           title="input space")
W1, b1 = hidden_layer.weight.data, hidden_layer.bias.data
xs = np.linspace(-0.25, 1.25, 2)
for k in range(2):  # unit k's input is 0 where x W1[:, k] + b1[k] = 0
    ax_in.plot(xs, -(W1[0, k] * xs + b1[k]) / W1[1, k], "--",
               color="0.3", linewidth=0.9)
ax_in.set(xlim=(-0.25, 1.25), ylim=(-0.25, 1.25), aspect="equal")
viz.plot_decision_boundary(output_layer, H.data, y, ax=ax_hidden,
                           margin=0.3, output="logits",
                           class_names=names, title="hidden space",
                           axis_names=("h1", "h2"))
ax_hidden.set(aspect="equal")
for ax in (ax_in, ax_hidden):
    ax.get_legend().remove()
fig.legend(*ax_in.get_legend_handles_labels(), ncols=2,
           loc="outside lower center")
viz.show(fig, alt=viz.alt_text(fig) + " In the first panel, dashed "
         "lines mark where each of the two hidden units' inputs is "
         "zero; the second panel shows the points at their "
         "hidden-layer coordinates, with the output neuron's "
         "straight decision line.")

# %% [markdown]
# The output neuron gets 4/4 in hidden space by construction: it is part of
# the network. A fairer test of "the hidden layer made the problem linearly
# separable" is to forget it and train a **fresh** single neuron on the four
# hidden vectors, exactly as the neuron above was trained on the raw inputs
# (same optimizer, learning rate and number of steps). On the raw inputs it was
# stuck at $\ln 2$; on the hidden features it gets all four right, with the
# same 0.4 margin.

# %%
fresh = tt.Linear(2, 1)
sgd = tt.SGD(fresh.parameters(), lr=1.0)
fresh_losses = train(fresh, H, targets, 1000, sgd)
p_fresh = probabilities(fresh, H)
fresh_margins = np.where(y == 1, p_fresh - 0.5, 0.5 - p_fresh)
print("fresh neuron on the hidden features:", np.round(p_fresh, 4))
print(f"loss {fresh_losses[-1]:.4f}")
assert tt.accuracy(p_fresh, y) == 1.0, f"the fresh neuron got {p_fresh}"
assert fresh_margins.min() >= MARGIN, f"{fresh_margins.min():.3f}"
assert fresh_losses[-1] < np.log(2) / 10, "loss far below ln 2"

# %% [markdown]
# ## Does it always work?
#
# Not with two hidden units. Gradient descent only finds *a* minimum near where
# it starts, and a 2-2-1 network has bad ones. Typically, the network ends up
# unable to tell one 1-point from one 0-point: it gives both the probability
# 0.5, the best compromise for a pair it cannot separate, and fits the other
# two points perfectly. To measure how often that
# happens, we train 64 networks of each width from different random starts,
# all at once: stacking their weights along a leading axis turns the 64
# trainings into one batched computation (`@` broadcasts over that axis, and
# Adam updates every number independently). Each network gets the same
# initialisation rule as {py:class}`~tinytorch.core.layers.Linear` (uniform in
# $\pm 1/\sqrt{\text{fan-in}}$), optimizer and number of steps as above. A
# network counts as a success if it gets 4/4 with the 0.4 margin.


# %%
def init_many(hidden, n_networks):
    """Initial weights of n_networks 2-hidden-1 networks, stacked."""
    def uniform(fan_in, *shape):
        bound = 1 / np.sqrt(fan_in)
        return rng.uniform(-bound, bound, size=(n_networks, *shape))
    return [uniform(2, 2, hidden), uniform(2, 1, hidden),  # W1, b1
            uniform(hidden, hidden, 1), uniform(hidden, 1, 1)]  # W2, b2


def train_many(initial, steps=500, lr=0.1):
    """Train stacked tanh networks on XOR at once.

    Returns their probabilities for the four points, shape (S, 4).
    """
    W1, b1, W2, b2 = params = [tt.Parameter(a) for a in initial]
    n_networks = W1.shape[0]
    optimizer = tt.Adam(params, lr=lr)
    labels = Tensor(np.tile(y[:, None], (n_networks, 1, 1)))  # (S,4,1)
    for _ in range(steps):
        # (S, 4, 1): every network's logit for every point
        logits = tt.tanh(inputs @ W1 + b1) @ W2 + b2
        # the sum over networks of each network's mean loss: each network's
        # parameters get the gradient of its own loss only
        loss = tt.binary_cross_entropy_with_logits(
            logits, labels, reduction="sum") / 4
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return tt.sigmoid(logits).data[:, :, 0].astype(np.float64)


n_networks = 64
print(f"{'hidden units':>12} {'solved':>8} {'share':>6}")
solved, stuck, runs = {}, {}, {}
for hidden in (2, 4):
    initial = init_many(hidden, n_networks)
    probs = train_many(initial)
    runs[hidden] = initial, probs
    margin = np.where(y == 1, probs - 0.5, 0.5 - probs)  # (S, 4)
    solved[hidden] = int((margin.min(axis=1) >= MARGIN).sum())
    two_right = (margin >= MARGIN).sum(axis=1) == 2
    at_half = np.abs(probs - 0.5) < 0.05  # (S, 4)
    one_of_each = (at_half * y).sum(axis=1) == 1  # one 1-point there
    mixed_pair = (at_half.sum(axis=1) == 2) & one_of_each
    stuck[hidden] = int((two_right & mixed_pair).sum())
    print(f"{hidden:12d} {solved[hidden]:5d}/{n_networks} "
          f"{solved[hidden] / n_networks:6.0%}")
failed = n_networks - solved[2]
print(f"failed 2-unit networks: {failed}; {stuck[2]} of them have two")
print("points right and a 0-point and a 1-point at p ≈ 0.5")
assert solved[2] <= 0.75 * n_networks, f"{solved[2]} 2-unit nets solved"
assert solved[4] >= 0.9 * n_networks, f"only {solved[4]} 4-unit nets"
assert stuck[2] >= failed / 2, "two at 0.5 is not the usual failure"

# %% [markdown]
# With two hidden units at most three in four starts succeed; with four, at
# least 90 % do, and most failures of the narrow network are the one
# described above: two points right, a 1-point and a 0-point at 0.5. Extra hidden units give gradient descent more ways to
# reach a solution, one reason real networks are much wider than the smallest
# size that could in principle work.
#
# Training the 64 networks together is only a way to save time; it gives each
# of them exactly what training it alone would. To check, we train the first
# 2-unit network again by itself, from the same starting weights:

# %%
initial, probs = runs[2]
alone = train_many([a[:1] for a in initial])[0]
gap = np.abs(alone - probs[0]).max()
assert gap < 1e-4, f"alone and in the batch differ by {gap:.1e}"
print(f"network 0 alone:    {np.round(alone, 4)}")
print(f"network 0 in batch: {np.round(probs[0], 4)}")
print(f"largest difference: {gap:.1e}")
