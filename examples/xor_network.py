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
# a hidden layer that learns it, together with what its hidden layer does to
# the four input points.
#
# **What you will see**
#
# - a proof that no line classifies all 4 XOR points correctly, checked on
#   many random lines;
# - a single neuron trained on XOR ending at the loss $\ln 2$ with every
#   probability at $\tfrac12$, that is, having learned nothing;
# - a network with two tanh hidden units getting 4/4 right (loss curves,
#   decision regions), and the four points in its hidden layer's coordinates,
#   where a fresh single neuron does separate them;
# - how often training from a random start succeeds, for two and four hidden
#   units, over five groups of 64 starts;
# - "break it and see": four one-line changes, each retrained on the spot.

# %%
import numpy as np
from myst_nb import glue

import tinytorch as tt
from tinytorch import viz
from tinytorch.core.tensor import Tensor

_ = tt.manual_seed(0)  # tinytorch's one global random generator
rng = np.random.default_rng(0)
LN2 = float(np.log(2))
glue("ln2", LN2, display=False)
NEURON_STEPS, NET_STEPS = 1000, 500  # gradient steps, neuron / network
glue("neuron_steps", NEURON_STEPS, display=False)
glue("net_steps", NET_STEPS, display=False)

X, y = tt.datasets.logic_gate("xor")
inputs, targets = Tensor(X), Tensor(y)
viz.Table.from_columns({"x1": X[:, 0], "x2": X[:, 1], "XOR": y},
                       formats={"x1": "g", "x2": "g", "XOR": "g"})

# %% [markdown]
# ## No line gets XOR right
#
# A single neuron answers 1 when $w_1x_1 + w_2x_2 + b > 0$: one side of a
# straight line. Suppose some line got all four XOR points right. The two
# 1-points would give $w_2 + b > 0$ and $w_1 + b > 0$; adding them,
# $w_1 + w_2 + 2b > 0$. The two 0-points would give $b \le 0$ and
# $w_1 + w_2 + b \le 0$; adding those, $w_1 + w_2 + 2b \le 0$. Both cannot hold,
# so **every line misclassifies at least one of the four points**. Three of
# four is reachable (a line cutting off one corner), so 3/4 is the ceiling.
# Geometrically, the 1-points sit on one diagonal of the square and the
# 0-points on the other, and no straight cut puts the two diagonals on
# different sides.
#
# A numerical check of the same fact: {glue:text}`n_lines:,` random lines,
# all scored in one matrix product.

# %%
n_lines = 100_000
weights = rng.normal(size=(2, n_lines))
biases = rng.normal(size=n_lines)
predictions = (X @ weights + biases) > 0  # (4 points, n_lines)
correct = (predictions == (y[:, None] > 0.5)).sum(axis=0)  # per line
counts = np.bincount(correct, minlength=5)
assert correct.max() == 3, f"some line got {correct.max()} of 4 right"
glue("n_lines", n_lines, display=False)
glue("n_three", int(counts[3]), display=False)
viz.Table(["points right"] + [f"{k}/4" for k in range(5)],
          [["lines"] + counts.tolist()])

# %% [markdown]
# {glue:text}`n_three:,` lines reach 3/4; none reaches 4/4.
#
# ## A single neuron trained on XOR
#
# Training makes it even clearer. We train the neuron of {doc}`single_neuron`
# (a {py:class}`~tinytorch.core.layers.Linear` layer and a sigmoid, binary
# cross-entropy, plain gradient descent, {glue:text}`neuron_steps` steps at
# learning rate 1) on
# XOR. The four points are placed symmetrically, and the cross-entropy
# punishes a confident wrong answer far more than it rewards a right one, so
# the best a line can do under this loss is to commit to nothing: weights go
# to zero and every probability to $\tfrac12$, where the loss is
# $-\ln\tfrac12 = \ln 2 \approx$ {glue:text}`ln2:.4f`. That is the
# **baseline** for every loss on this page: the loss of a model that answers
# $\tfrac12$ everywhere.


# %%
def train(model, features, labels, steps, optimizer):
    """Full-batch training on the cross-entropy of the logits.

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
    return np.array(losses)


def probabilities(model, features):
    with tt.no_grad():
        probs = tt.sigmoid(model(features)).data
    return probs.ravel().astype(np.float64)


def margins(probs, labels=y):
    """How far each probability is from 1/2, on the correct side."""
    return np.where(labels == 1, probs - 0.5, 0.5 - probs)


neuron = tt.Linear(2, 1)
sgd = tt.SGD(neuron.parameters(), lr=1.0)
neuron_losses = train(neuron, inputs, targets, NEURON_STEPS, sgd)
p_neuron = probabilities(neuron, inputs)
params = np.concatenate([neuron.weight.data.ravel(),
                         neuron.bias.data])
print("probabilities:", np.round(p_neuron, 4))
print(f"loss {neuron_losses[-1]:.6f}   ln 2 = {LN2:.6f}")
print("weights and bias:", params)

# %% [markdown]
# After training, the loss is within $10^{-3}$ of $\ln 2$, every weight is
# within 0.01 of zero and no probability is more than 0.01 away from
# $\tfrac12$: the neuron has given up.

# %%
assert abs(neuron_losses[-1] - LN2) < 1e-3, "loss is not ln 2"
assert np.abs(params).max() < 0.01, f"weights {params} not near zero"
assert np.abs(p_neuron - 0.5).max() < 0.01, f"{p_neuron}: not 0.5"

# %% [markdown]
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
# {py:class}`~tinytorch.core.optimizers.Adam` on the same loss,
# {glue:text}`net_steps` steps.
# Two hidden units are the fewest that can work: with one, the output is a
# monotonic function of that unit's input $\mathbf{x}\mathbf{w}_1 + b_1$, so
# its decision boundary is again a straight line. As the section "Does it
# always work?" shows, training two units fails from more than half of
# random starts (pooled over 320); the start drawn here (seed 0) is one
# where it succeeds, and everything said about this one network below holds
# for it, not for every start.

# %%
network = tt.MLP([2, 2, 1], activation=tt.Tanh)
adam = tt.Adam(network.parameters(), lr=0.1)
network_losses = train(network, inputs, targets, NET_STEPS, adam)
p_network = probabilities(network, inputs)
MARGIN = 0.4
viz.Table.from_columns({"x1": X[:, 0], "x2": X[:, 1], "XOR": y,
                        "p(1)": p_network},
                       formats={"x1": "g", "x2": "g", "XOR": "g",
                                "p(1)": ".4f"})

# %% [markdown]
# All four are right, and every probability is at least 0.4 away from
# $\tfrac12$ on the correct side; the loss ends at
# {glue:text}`net_loss:.1e`, far below the baseline $\ln 2$.

# %%
assert tt.accuracy(p_network, y) == 1.0, f"the network got {p_network}"
assert margins(p_network).min() >= MARGIN, f"{p_network}"
assert network_losses[-1] < LN2 / 100, f"{network_losses[-1]:.3f}"
on_the_line = np.abs(neuron_losses[200:] - LN2) < 1e-3
going_down = np.diff(network_losses[-200:]) < 0
assert on_the_line.all(), "the neuron's loss leaves ln 2 after step 200"
assert going_down.all(), "the network's loss stops falling"
glue("net_loss", float(network_losses[-1]), display=False)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Training loss on XOR of a single neuron and of the network with a hidden layer.", "name": "fig-xor-loss"}}
viz.plot_lines(
    {"single neuron (SGD)": (np.arange(1, NEURON_STEPS + 1),
                             neuron_losses),
     "2 hidden units (Adam)": (np.arange(1, NET_STEPS + 1),
                               network_losses)},
    xlabel="step", ylabel="binary cross-entropy", yscale="log",
    hlines={"ln 2": LN2})

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# Loss per training step on a log scale. The dashed line is $\ln 2$, the loss
# of answering $\tfrac12$ everywhere. The single neuron sinks onto that line
# and stays (from step 200 on it is within $10^{-3}$ of it); the network
# passes below it and keeps going down (it falls at each of its last 200
# steps).
# ```
#
# ## Inside the network: the hidden layer
#
# What does the output neuron see? Not $(x_1, x_2)$, but the hidden layer's
# outputs $\mathbf{h} = (h_1, h_2)$. Here are the four points in those
# coordinates.

# %%
hidden_layer, output_layer = network[0], network[2]
with tt.no_grad():
    H = tt.tanh(hidden_layer(inputs))  # (4, 2): hidden coordinates
viz.Table.from_columns({"x1": X[:, 0], "x2": X[:, 1], "XOR": y,
                        "h1": H.data[:, 0], "h2": H.data[:, 1]},
                       formats={"x1": "g", "x2": "g", "XOR": "g",
                                "h1": ".3f", "h2": ".3f"})

# %% [markdown]
# Each hidden value is more than 0.9 away from 0 at every corner, so each
# hidden unit acts as a logic gate of its own: in this trained network one
# unit is positive only at $(1, 1)$, an AND, and the other everywhere except
# $(0, 0)$, an OR. XOR is "OR but not AND", and that is a single line in the
# $(h_1, h_2)$ plane. This pair of gates belongs to this start: other
# successful starts find a second solution, counted in "Does it always
# work?".

# %%
gate_of = {name: tt.datasets.logic_gate(name)[1] > 0.5
           for name in ("and", "or")}
unit_gates = [name for k in range(2)
              for name, truth in gate_of.items()
              if np.array_equal(H.data[:, k] > 0, truth)]
assert sorted(unit_gates) == ["and", "or"], f"units act as {unit_gates}"
assert np.abs(H.data).min() > 0.9, "a hidden value is near 0"
print(f"hidden unit 1 acts as {unit_gates[0].upper()}, "
      f"hidden unit 2 as {unit_gates[1].upper()}")

# %% [markdown]
# The left panel below shows the network's decision regions over the input
# square, drawn by {py:func}`~tinytorch.viz.training.plot_decision_boundary`.
# The right panel shows the same four points in the hidden layer's
# coordinates, with the output neuron's decision line
# $\mathbf{h}\,\mathbf{w}_2 + b_2 = 0$.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The trained network's decision regions over the inputs (left) and the four points in the hidden layer's coordinates with the output neuron's line (right).", "name": "fig-xor-boundary"}}
fig, (left, right) = viz.subplots(1, 2, height=3.4)
names = ["XOR 0", "XOR 1"]
viz.plot_decision_boundary(network, X, y, ax=left, margin=0.25,
                           output="logits", class_names=names,
                           title="input space")
viz.plot_decision_boundary(output_layer, H.data, y, ax=right,
                           margin=0.3, output="logits",
                           class_names=names, title="hidden space",
                           axis_names=("h1", "h2"))
fig

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# Left: blue region, output 0; orange region, output 1; the boundary is where
# the network's probability is $\tfrac12$. It cannot be a straight line (no
# line gets all four right), and it puts each point in its class's region
# (4/4, asserted above). Right: each
# point is moved to $(h_1, h_2)$. The two 0-points, which sat on opposite
# corners of the input square, now lie on one side of the output neuron's
# straight line, and the two 1-points on the other.
# ```
#
# The output neuron gets 4/4 in hidden space by construction: it is part of
# the network. A fairer test of "the hidden layer made the problem linearly
# separable" is to forget it and train a **fresh** single neuron on the four
# hidden vectors, exactly as the neuron above was trained on the raw inputs
# (same optimizer, learning rate and number of steps). On the raw inputs it
# was stuck at $\ln 2$; on the hidden features it gets all four right, with
# the same 0.4 margin, and a loss below a tenth of $\ln 2$.

# %%
fresh = tt.Linear(2, 1)
sgd = tt.SGD(fresh.parameters(), lr=1.0)
fresh_losses = train(fresh, H, targets, NEURON_STEPS, sgd)
p_fresh = probabilities(fresh, H)
print("fresh neuron on the hidden features:", np.round(p_fresh, 4))
print(f"loss {fresh_losses[-1]:.4f}")
assert tt.accuracy(p_fresh, y) == 1.0, f"the fresh neuron got {p_fresh}"
assert margins(p_fresh).min() >= MARGIN, f"{p_fresh}"
assert fresh_losses[-1] < LN2 / 10, "loss not below a tenth of ln 2"

# %% [markdown]
# ## Does it always work?
#
# Not with two hidden units. Gradient descent only finds *a* minimum near
# where it starts, and a 2-2-1 network has bad ones. Typically, the network
# ends up unable to tell one 1-point from one 0-point: it gives both the
# probability $\tfrac12$, the best compromise for a pair it cannot separate,
# and fits the other two points perfectly.
#
# To measure how often that happens, we train 5 groups of 64 networks (each
# group drawn from its own seed) for each width from different random
# starts, all at once: stacking their weights along a leading axis turns the
# 320 trainings into one batched computation (`@` broadcasts over that axis,
# and Adam updates every number independently). Each network gets the same
# initialisation rule as {py:class}`~tinytorch.core.layers.Linear` (uniform
# in $\pm 1/\sqrt{\text{fan-in}}$), optimizer and number of steps as above. A
# network counts as a success if it gets 4/4 with the 0.4 margin.


# %%
SEEDS, STARTS = 5, 64  # 5 groups of 64 random starts


def init_many(hidden, seeds=SEEDS, starts=STARTS):
    """Initial weights of seeds * starts 2-h-1 networks, stacked."""
    def uniform(rng, fan_in, *shape):
        bound = 1 / np.sqrt(fan_in)
        return rng.uniform(-bound, bound, size=(starts, *shape))
    groups = []
    for seed in range(seeds):
        g = np.random.default_rng(seed)
        groups.append([uniform(g, 2, 2, hidden),  # W1
                       uniform(g, 2, 1, hidden),  # b1
                       uniform(g, hidden, hidden, 1),  # W2
                       uniform(g, hidden, 1, 1)])  # b2
    return [np.concatenate(arrays) for arrays in zip(*groups)]


def train_many(initial, steps=NET_STEPS, lr=0.1,
               activation=tt.tanh):
    """Train stacked networks on XOR at once.

    Returns each network's probabilities for the four points, (S, 4),
    its final loss, (S,), and its hidden values, (S, 4, hidden).
    """
    W1, b1, W2, b2 = params = [tt.Parameter(a) for a in initial]
    n_networks = W1.shape[0]
    optimizer = tt.Adam(params, lr=lr)
    labels = Tensor(np.tile(y[:, None], (n_networks, 1, 1)))
    for _ in range(steps):
        # (S, 4, 1): every network's logit for every point
        logits = activation(inputs @ W1 + b1) @ W2 + b2
        # each network's own mean loss, (S,); summing them gives each
        # network's parameters the gradient of its own loss only
        loss = tt.binary_cross_entropy_with_logits(
            logits, labels, reduction="none").mean(axis=(1, 2))
        optimizer.zero_grad()
        loss.sum().backward()
        optimizer.step()
    probs = tt.sigmoid(logits).data[:, :, 0].astype(np.float64)
    with tt.no_grad():
        hidden = activation(inputs @ W1 + b1).data
    return probs, loss.data.astype(np.float64), hidden


def success_rates(probs):
    """Share of each group's networks with 4/4 at the margin."""
    solved = margins(probs).min(axis=1) >= MARGIN
    return solved.reshape(SEEDS, STARTS).mean(axis=1)


def stuck_on_a_pair(probs):
    """Two points right; one 0-point and one 1-point at p ≈ 1/2."""
    two_right = (margins(probs) >= MARGIN).sum(axis=1) == 2
    at_half = np.abs(probs - 0.5) < 0.05  # (S, 4)
    one_of_each = (at_half.sum(axis=1) == 2) & (at_half @ y == 1)
    return two_right & one_of_each


runs = {hidden: train_many(init_many(hidden)) for hidden in (2, 4)}
rates = {hidden: success_rates(p) for hidden, (p, *_) in runs.items()}
probs_2 = runs[2][0]
failed = (margins(probs_2).min(axis=1) < MARGIN).reshape(SEEDS, STARTS)
stuck = stuck_on_a_pair(probs_2).reshape(SEEDS, STARTS)
stuck_share = stuck.sum(axis=1) / failed.sum(axis=1)  # per group
glue("two_all", float(rates[2].mean()), display=False)
for name, values in [("two", rates[2]), ("four", rates[4]),
                     ("stuck", stuck_share)]:
    for stat in ("median", "min", "max"):
        value = float(getattr(np, stat)(values))
        glue(f"{name}_{stat}", value, display=False)
viz.Table.from_columns(
    {"group (seed)": range(SEEDS), "2 units: solved": rates[2],
     "4 units: solved": rates[4],
     "2-unit failures stuck on a pair": stuck_share},
    formats={1: ".0%", 2: ".0%", 3: ".0%"})

# %% [markdown]
# With two hidden units fewer than half of all 320 starts succeed
# ({glue:text}`two_all:.0%`), and no group does better than about half
# (median {glue:text}`two_median:.0%`, range {glue:text}`two_min:.0%` to
# {glue:text}`two_max:.0%`); with four, about nine in ten or more do in
# every group (median {glue:text}`four_median:.0%`, range
# {glue:text}`four_min:.0%` to {glue:text}`four_max:.0%`). Most failures of
# the narrow network are the one described above: two points right, a
# 1-point and a 0-point at $\tfrac12$ (median
# {glue:text}`stuck_median:.0%` of a group's failures, lowest
# {glue:text}`stuck_min:.0%`). The bounds asserted below are looser than
# the numbers in the table on purpose: a group of 64 is small, and other
# seeds, initial scales or learning rates move each group's share by several
# points. Extra
# hidden units give gradient descent more ways to reach a solution, one
# reason real networks are much wider than the smallest size that could in
# principle work.

# %%
assert rates[2].mean() < 0.5, f"2 units: {rates[2]}"
assert rates[2].max() <= 0.55, f"2 units: {rates[2]}"
assert rates[4].min() >= 0.85, f"4 units: {rates[4]}"
assert np.median(stuck_share) >= 0.8, f"stuck share {stuck_share}"
assert stuck_share.min() >= 0.75, f"stuck share {stuck_share}"

# %% [markdown]
# What do the hidden units of the successful 2-unit networks compute? Read
# each unit's sign at the four corners as a gate, up to sign (a unit and
# its negation are the same to the output neuron, which can flip its
# weight). Every success uses one of two pairs:
# {glue:text}`n_and_or` of the {glue:text}`n_solved_2` use AND and OR, as
# the network above does, and {glue:text}`n_but_not` use "$x_1$ but not
# $x_2$" and "$x_2$ but not $x_1$", whose OR is XOR. Each pair is found
# from at least a third of the successful starts. In
# {glue:text}`saturated:.0%` of them every hidden value is more than 0.9
# away from 0.

# %%
solved_2 = margins(probs_2).min(axis=1) >= MARGIN
signs = runs[2][2][solved_2] > 0  # (solved, 4 corners, 2 units)
signs ^= signs[:, :1, :]  # up to sign: every unit negative at (0, 0)
patterns = [sorted(map(tuple, net.T.astype(int))) for net in signs]
AND, OR = (0, 0, 0, 1), (0, 1, 1, 1)
ONLY_X2, ONLY_X1 = (0, 1, 0, 0), (0, 0, 1, 0)  # corners 00 01 10 11
n_and_or = sum(p == sorted([AND, OR]) for p in patterns)
n_but_not = sum(p == sorted([ONLY_X2, ONLY_X1]) for p in patterns)
smallest = np.abs(runs[2][2][solved_2]).min(axis=(1, 2))
saturated = float(np.mean(smallest > 0.9))
for name, value in [("n_and_or", n_and_or), ("n_but_not", n_but_not),
                    ("n_solved_2", int(solved_2.sum())),
                    ("saturated", saturated)]:
    glue(name, value, display=False)
assert n_and_or + n_but_not == solved_2.sum(), "a third solution"
assert min(n_and_or, n_but_not) >= solved_2.sum() / 3, n_and_or
print(f"AND and OR: {n_and_or}; but-not pair: {n_but_not}; "
      f"all hidden values beyond 0.9: {saturated:.0%}")

# %% [markdown]
# Training the networks together is only a way to save time; it gives each
# of them exactly what training it alone would. To check, we train the first
# 2-unit network again by itself, from the same starting weights: its four
# probabilities agree with the batched run's to within $10^{-4}$.

# %%
alone, *_ = train_many([a[:1] for a in init_many(2)])
gap = np.abs(alone[0] - probs_2[0]).max()
assert gap < 1e-4, f"alone and in the batch differ by {gap:.1e}"
print(f"largest difference: {gap:.1e}")

# %% [markdown]
# ## Break it and see
#
# Four one-line changes to the 4-unit training above, each retrained on the
# spot from the same 5 × 64 starts. What to expect:
#
# - **No hidden nonlinearity** (`activation=lambda t: t`): the network is one
#   linear map again, so no start succeeds, and every loss ends within
#   0.01 of $\ln 2$, like the single neuron (here at most
#   {glue:text}`linear_gap:.0e` away).
# - **Learning rate × 10** (`lr=1.0`): Adam's steps are ten times longer;
#   fewer than half of the starts succeed in every group.
# - **ReLU instead of tanh** (`activation=tt.relu`): ReLU's derivative is 0
#   for negative inputs ({doc}`activations`), so a unit negative at all four
#   points gets no gradient and stops learning; in every group fewer starts
#   succeed than in any group with tanh.
# - **50 steps instead of 500** (`steps=50`): at this learning rate (0.1)
#   most starts already classify all four points in every group, but the
#   median loss stays at least ten times higher than after 500 steps.

# %%
changes = {
    "none (4 tanh units)": {},
    "no hidden nonlinearity": {"activation": lambda t: t},
    "learning rate × 10": {"lr": 1.0},
    "ReLU instead of tanh": {"activation": tt.relu},
    "50 steps instead of 500": {"steps": 50},
}
initial_4 = init_many(4)
broken = {name: runs[4] if not kw else train_many(initial_4, **kw)
          for name, kw in changes.items()}
solved = {name: success_rates(p) for name, (p, *_) in broken.items()}
loss = {name: np.median(l) for name, (_, l, _) in broken.items()}
viz.Table.from_columns(
    {"change": list(changes),
     "solved, median": [np.median(r) for r in solved.values()],
     "worst group": [r.min() for r in solved.values()],
     "best group": [r.max() for r in solved.values()],
     "median final loss": list(loss.values())},
    formats={1: ".0%", 2: ".0%", 3: ".0%", 4: ".2g"})

# %%
base = solved["none (4 tanh units)"]
linear_loss = broken["no hidden nonlinearity"][1]
assert solved["no hidden nonlinearity"].max() == 0
linear_gap = float(np.abs(linear_loss - LN2).max())
glue("linear_gap", linear_gap, display=False)
assert linear_gap < 1e-2, f"not stuck at ln 2: {linear_gap:.1e}"
assert solved["learning rate × 10"].max() < 0.5
assert solved["ReLU instead of tanh"].max() < base.min()
assert solved["50 steps instead of 500"].min() > 0.5
short_loss = loss["50 steps instead of 500"]
assert short_loss >= 10 * loss["none (4 tanh units)"], short_loss

# %% [markdown]
# Is it really dead units that sink ReLU? Count, at the end of training,
# the hidden units that are 0 at all four points (and so get no gradient):
# the failed starts have {glue:text}`dead_fail:.1f` of their 4 units dead
# on average, the successful ones {glue:text}`dead_ok:.1f`, and no success
# has more than two dead, as it must be: one live unit alone makes the
# output a monotonic function of one line, a straight boundary again.

# %%
p_relu, _, h_relu = broken["ReLU instead of tanh"]
relu_solved = margins(p_relu).min(axis=1) >= MARGIN
n_dead = (h_relu <= 0).all(axis=1).sum(axis=1)  # per network
dead_fail = n_dead[~relu_solved].mean()
dead_ok = n_dead[relu_solved].mean()
glue("dead_fail", float(dead_fail), display=False)
glue("dead_ok", float(dead_ok), display=False)
assert dead_fail >= dead_ok + 1, f"dead: {dead_fail:.2f}, {dead_ok:.2f}"
assert n_dead[relu_solved].max() <= 2, "a success with 1 live unit"
print(f"dead units, failed starts: {dead_fail:.2f}; "
      f"successful: {dead_ok:.2f}")

# %% [markdown]
# ## Summary
#
# No straight line gets XOR right, and a single neuron trained on it ends at
# the baseline loss $\ln 2$, answering $\tfrac12$ everywhere. A hidden layer
# of two tanh units can turn the four points into ones a line separates (its
# units act as AND and OR, or as the two "one but not the other" gates),
# but training finds that from only {glue:text}`two_all:.0%` of 320 random
# starts;
# with four units, {glue:text}`four_median:.0%`. Take the nonlinearity away
# and the network is back at $\ln 2$.
#
# **Try this** (each is checked in the cell below):
#
# - `init_many(8)` instead of `init_many(4)`: every one of the 320 starts
#   succeeds.
# - `init_many(3)`: the success rate lies between those of two and four
#   units in every group.
# - Give the single neuron a third input, $x_1 x_2$
#   (`np.column_stack([X, X[:, 0] * X[:, 1]])` and `tt.Linear(3, 1)`): with
#   that feature the four points are linearly separable, and the neuron gets
#   4/4.

# %%
rate_8 = success_rates(train_many(init_many(8))[0])
rate_3 = success_rates(train_many(init_many(3))[0])
assert rate_8.min() == 1.0, f"8 units: {rate_8}"
assert np.all((rates[2] < rate_3) & (rate_3 < rates[4])), rate_3
X3 = Tensor(np.column_stack([X, X[:, 0] * X[:, 1]]))
neuron_3 = tt.Linear(3, 1)
sgd = tt.SGD(neuron_3.parameters(), lr=1.0)
train(neuron_3, X3, targets, 1000, sgd)
p_3 = probabilities(neuron_3, X3)
assert tt.accuracy(p_3, y) == 1.0, f"with x1*x2: {p_3}"
print(f"8 units: {rate_8.min():.0%} in every group; 3 units: "
      f"{np.median(rate_3):.0%} median")
print("neuron with x1*x2:", p_3.round(3))
