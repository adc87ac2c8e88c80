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
# # Attention, computed step by step
#
# Attention lets every position of a sequence read directly from every other position, with
# weights computed from the data itself. This page builds it up from a single query to a trained
# transformer. tinytorch does every computation here: each score, weight, matrix and count is
# computed when the page is built, and each claim in the text is checked by an `assert` in the
# cell after it.
#
# **What you will see**
#
# 1. *Why attention*: an untrained recurrent network's final state loses its sensitivity to the
#    first token exponentially as the sequence grows, while attention reaches that token in one
#    step (a table and a figure).
# 2. *One query*: its scores against every key, softmax weights that sum to 1, and the weighted
#    sum of the values (a bar chart).
# 3. *Scaled dot-product attention*: the library function checked against the formula, and an
#    experiment on the factor $1/\sqrt{d_k}$: without it, softmax saturates and gradients vanish
#    as $d_k$ grows (a figure).
# 4. *Self-attention* with learned projections as a heatmap, how to read it, and why positions
#    must be added.
# 5. *Causal masking*: future positions receive exactly zero weight, so no output depends on a
#    later token (a heatmap with the masked cells marked).
# 6. *Learned attention*: a transformer trained on this page in seconds reaches at least 99 %
#    held-out accuracy on a task whose right attention pattern is known, and finds that pattern.
# 7. *Multi-head attention*: shapes traced through the head split and merge; the two heads of the
#    trained model read different positions (measured).
# 8. *The transformer block*: a diagram drawn from the block's code, its parameter counts, the
#    shapes of a forward pass.
# 9. *Cost*: operation counts and memory from formulas, the sequence length at which attention
#    overtakes the feed-forward network, and measured run times on a log-log plot.
# 10. *Where attention is used.*

# %%
import math
import time

import matplotlib.pyplot as plt
import numpy as np

import tinytorch as tt
from tinytorch import viz
from tinytorch.core.attention import (
    MultiHeadAttention,
    PositionalEncoding,
    SelfAttention,
    TransformerBlock,
    causal_mask,
    scaled_dot_product_attention,
)
from tinytorch.core.tensor import Tensor

_ = tt.manual_seed(0)  # tinytorch's global generator: initial weights
rng = np.random.default_rng(0)  # this page's data

# %% [markdown]
# ## 1. Why attention
#
# A recurrent network (RNN) reads a sequence one token at a time and carries everything it has
# seen in one hidden state, $h_t = \tanh(x_t W_x + h_{t-1} W_h)$. Whatever the first token
# contributes must survive $L-1$ such updates to reach the final state $h_L$. Attention instead
# computes each output as a weighted sum over *all* positions, so the first token is one step
# away from every output, whatever the length.
#
# We can measure this with autograd. The *sensitivity* of a final state to token 1 is the size of
# the gradient $\lVert \partial (u \cdot h_L) / \partial x_1 \rVert$ for a fixed random direction
# $u$, averaged over 64 random sequences. Below it is computed for an untrained tanh RNN
# (initialised as PyTorch's `nn.RNN` is, uniform in $\pm 1/\sqrt{H}$) and for the output at the
# last position of an untrained {py:class}`~tinytorch.core.attention.SelfAttention` layer.

# %%
HIDDEN = 16
LENGTHS = [2, 4, 8, 16, 32, 64]
bound = 1 / math.sqrt(HIDDEN)
W_x = Tensor(rng.uniform(-bound, bound, size=(HIDDEN, HIDDEN)))
W_h = Tensor(rng.uniform(-bound, bound, size=(HIDDEN, HIDDEN)))
direction = Tensor(rng.normal(size=HIDDEN))
direction = direction / float(np.linalg.norm(direction.data))
attention = SelfAttention(d_model=HIDDEN)


def rnn_final_state(x):
    """h_L of the recurrence h_t = tanh(x_t W_x + h_(t-1) W_h), for x of shape (N, L, HIDDEN)."""
    h = Tensor(np.zeros((x.shape[0], HIDDEN)))
    for t in range(x.shape[1]):  # step t needs step t-1: the recurrence is sequential by nature
        h = tt.tanh(x[:, t] @ W_x + h @ W_h)
    return h


def attention_final_state(x):
    """The self-attention output at the last position, (N, HIDDEN)."""
    return attention(x)[:, -1]


def sensitivity_to_first_token(final_state, length, batch=64):
    """Mean over random sequences of |d(u . final_state(x)) / d x_1|."""
    x = Tensor(rng.normal(size=(batch, length, HIDDEN)), requires_grad=True)
    (final_state(x) * direction).sum().backward()
    return float(np.linalg.norm(x.grad[:, 0], axis=-1).mean())


rnn = np.array([sensitivity_to_first_token(rnn_final_state, n) for n in LENGTHS])
attn = np.array([sensitivity_to_first_token(attention_final_state, n) for n in LENGTHS])
# an exponential fit of the RNN's decay: log(sensitivity) ~ a + L log(r)
per_step = math.exp(np.polyfit(LENGTHS, np.log(rnn), 1)[0])

print(f"{'L':>4} {'RNN steps':>10} {'attention steps':>16} {'RNN sensitivity':>16} "
      f"{'attention sens.':>16} {'attention x L':>14}")
for n, r, a in zip(LENGTHS, rnn, attn):
    print(f"{n:>4} {n - 1:>10} {1:>16} {r:>16.2e} {a:>16.2e} {a * n:>14.3f}")
print(f"the RNN keeps about {per_step:.3f} of the sensitivity per step")

# %% [markdown]
# The RNN's sensitivity shrinks by a roughly constant factor per step (the fit above), so it
# falls exponentially with the length: from $L = 2$ to $L = 64$ it drops by more than ten orders
# of magnitude. Attention's falls only in proportion to $1/L$ (the last column stays within a
# factor of 3): an untrained layer spreads its weight roughly evenly, so token 1 gets about $1/L$
# of it. That is a matter of *weights*, which training can change (in section 6 a trained layer
# puts more than half of a head's weight on a single position); the RNN's decay is a matter of
# *path length*, which training cannot shorten.

# %%
assert np.all(np.diff(rnn) < 0), f"RNN sensitivity does not fall monotonically: {rnn}"
assert rnn[-1] / rnn[0] < 1e-10, f"RNN sensitivity fell only by {rnn[0] / rnn[-1]:.1e} from L=2 to 64"
scaled_attn = attn * np.array(LENGTHS)
assert scaled_attn.max() / scaled_attn.min() < 3, f"attention x L varies by more than 3x: {scaled_attn}"
assert attn[-1] > 1e4 * rnn[-1], "at L=64 attention is not far more sensitive to token 1 than the RNN"

# %% mystnb={"figure": {"caption": "How strongly the final state depends on the first token, for an untrained RNN and an untrained attention layer, as the sequence grows.", "name": "fig-rnn-bottleneck"}}
fig, ax = plt.subplots(figsize=(viz.FIGURE_WIDTH * 0.75, 3), layout="constrained")
fig.set_facecolor("white")
ax.semilogy(LENGTHS, rnn, "o-", color=viz.CLASS_COLORS[0], label="tanh RNN (L − 1 steps)")
ax.semilogy(LENGTHS, attn, "s-", color=viz.CLASS_COLORS[1], label="self-attention (1 step)")
fit = np.exp(np.polyval(np.polyfit(LENGTHS, np.log(rnn), 1), LENGTHS))
ax.semilogy(LENGTHS, fit, ":", color=viz.CLASS_COLORS[0], label=f"fit: ×{per_step:.2f} per step")
ax.set(xlabel="sequence length L", ylabel="|∂(u·final state)/∂x₁|")
ax.legend()
viz.show(fig, alt=(
    f"Log-scale line plot of the sensitivity of the final state to token 1 against sequence length "
    f"{LENGTHS[0]} to {LENGTHS[-1]}. The RNN falls as a straight line on the log scale, from "
    f"{rnn[0]:.2g} to {rnn[-1]:.2g} (a factor {per_step:.2f} per step); self-attention falls "
    f"slowly, from {attn[0]:.2g} to {attn[-1]:.2g}."))

# %% [markdown]
# ```{tip} How to read this figure
# The vertical axis is logarithmic, so a straight falling line is exponential decay. The gap
# between the two curves at the right is the RNN bottleneck: a signal from token 1 that must pass
# through many tanh updates is all but gone, while attention's single step keeps it.
# ```
#
# ## 2. One query, step by step
#
# Take the sentence "the cat sat on the mat" with hand-picked 4-dimensional embeddings (their
# coordinates loosely mean *animal*, *object*, *action* and *function word*). In this section the
# embeddings themselves serve as queries, keys and values; learned projections come in
# section 4. For the query "sat", attention
#
# 1. scores every key by a dot product, scaled by $1/\sqrt{d_k}$ (section 3 explains why):
#    $s_j = q \cdot k_j / \sqrt{d_k}$;
# 2. turns the scores into weights with a softmax, $w_j = e^{s_j} / \sum_{j'} e^{s_{j'}}$;
# 3. returns the weighted sum of the values, $o = \sum_j w_j v_j$.

# %%
tokens = ["the", "cat", "sat", "on", "the", "mat"]
#                  animal object action function
X = Tensor([[0.1, 0.1, 0.0, 1.0],   # the
            [1.0, 0.3, 0.1, 0.0],   # cat
            [0.4, 0.1, 1.0, 0.1],   # sat
            [0.0, 0.3, 0.2, 0.8],   # on
            [0.1, 0.1, 0.0, 1.0],   # the
            [0.2, 1.0, 0.1, 0.0]])  # mat
d_k = X.shape[-1]
query = X[2]  # "sat"

scores = X @ query / math.sqrt(d_k)  # (6,): one score per key
weights = tt.softmax(scores, axis=-1)  # (6,): positive, summing to 1
output = weights @ X  # (4,): the weighted sum of the values

print(f"{'key':>5} {'score':>7} {'weight':>7}")
for token, s, w in zip(tokens, scores.data, weights.data):
    print(f"{token:>5} {s:>7.3f} {w:>7.3f}")
print(f"sum of weights = {weights.data.sum():.6f}")
print("output =", np.round(output.data, 3))

# %% [markdown]
# The weights sum to 1 and are all positive, so the output is an average of the values: each of
# its coordinates lies between the smallest and the largest value in that coordinate. Softmax
# keeps the order of the scores, so the key with the highest score gets the highest weight;
# without projections that is the query's own token, since "sat" is most similar to itself. The
# two "the" tokens have identical embeddings and so receive identical weights: nothing here tells
# them apart by position.

# %%
w = weights.data
assert abs(w.sum() - 1) < 1e-6 and (w > 0).all(), f"weights {w} are not a distribution"
assert np.allclose(output.data, (w[:, None] * X.data).sum(axis=0), atol=1e-6)
assert (X.data.min(0) <= output.data).all() and (output.data <= X.data.max(0)).all()
assert w.argmax() == scores.data.argmax() == tokens.index("sat"), "the top weight is not on 'sat'"
assert w[0] == w[4], "the two 'the' tokens got different weights"

# %% mystnb={"figure": {"caption": "Attention weights of the query \"sat\" over the six tokens.", "name": "fig-one-query"}}
fig, ax = plt.subplots(figsize=(viz.FIGURE_WIDTH * 0.6, 2.6), layout="constrained")
fig.set_facecolor("white")
positions = np.arange(len(tokens))
bars = ax.bar(positions, w, color=viz.CLASS_COLORS[0])
ax.bar_label(bars, fmt="%.2f", fontsize=8)
ax.axhline(1 / len(tokens), color="grey", linestyle=":", label="uniform, 1/6")
ax.set_xticks(positions, tokens)
ax.set(xlabel="key", ylabel="weight", ylim=(0, w.max() * 1.25))
ax.legend(loc="upper left")
viz.show(fig, alt=(
    "Bar chart of the attention weights of the query 'sat' over the keys "
    + ", ".join(f"{t} {x:.2f}" for t, x in zip(tokens, w))
    + f". The largest bar is '{tokens[w.argmax()]}'; the dotted line marks a uniform 1/6."))

# %% [markdown]
# ## 3. Scaled dot-product attention
#
# Doing this for every query at once is one matrix formula. With queries $Q$ ($L_q \times d_k$),
# keys $K$ ($L_k \times d_k$) and values $V$ ($L_k \times d_v$),
#
# $$
# \mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{Q K^\top}{\sqrt{d_k}}\right) V,
# $$
#
# where the softmax runs along each row. Row $i$ of the weight matrix is query $i$'s distribution
# over the keys; the output has one row per query. The library's
# {py:func}`~tinytorch.core.attention.scaled_dot_product_attention` computes it (as one fused
# operation for the weights) and returns the output and the weights; here it is checked against
# the formula written out with ordinary tinytorch operations, and its row for "sat" against
# section 2.

# %%
out, attn_weights = scaled_dot_product_attention(X, X, X)
by_hand = tt.softmax(X @ X.T / math.sqrt(d_k), axis=-1) @ X
assert np.allclose(out.data, by_hand.data, atol=1e-6), "SDPA differs from the formula"
assert np.allclose(attn_weights.data[2], weights.data, atol=1e-6), "row 'sat' differs from section 2"
print("max |SDPA - formula| =", f"{np.abs(out.data - by_hand.data).max():.1e}")

# %% [markdown]
# ### Why divide by $\sqrt{d_k}$?
#
# If the entries of $q$ and $k$ are independent with mean 0 and variance 1, the dot product
# $q \cdot k = \sum_{i=1}^{d_k} q_i k_i$ is a sum of $d_k$ terms of variance 1, so its variance is
# $d_k$. Large scores push the softmax towards a one-hot vector, whose gradient
# $\partial w_i / \partial s_j = w_i(\delta_{ij} - w_j)$ is almost zero: little signal reaches the
# queries and keys during training. Dividing by $\sqrt{d_k}$ brings the variance back to 1 for
# every $d_k$.
#
# The experiment: for each $d_k$, 512 random queries each score 16 random keys. We measure the
# variance of the scores, the entropy of the softmax weights (at most $\ln 16$ for uniform
# weights, 0 for one-hot), and the size of the gradient that reaches the scores from a random
# loss on the output, $\ell = g \cdot (w V)$, for a typical query (the median over the queries)
# — with and without the scaling.

# %%
D_KS = [4, 8, 16, 32, 64, 128, 256, 512]
N_QUERIES, N_KEYS = 512, 16


def softmax_statistics(logits_data, values, upstream):
    """Mean entropy of softmax(logits) and median |d loss / d logits| over the queries.

    The loss is upstream . (w @ values): a random direction in the output space.
    """
    logits = Tensor(logits_data, requires_grad=True)
    w = tt.softmax(logits, axis=-1)
    ((w @ values) * upstream).sum().backward()
    p = w.data
    entropy = -(p * np.log(np.where(p > 0, p, 1))).sum(axis=-1)  # 0 log 0 = 0
    return entropy.mean(), np.median(np.linalg.norm(logits.grad, axis=-1))


rows = []
for d in D_KS:
    q = Tensor(rng.normal(size=(N_QUERIES, 1, d)))
    k = Tensor(rng.normal(size=(N_QUERIES, N_KEYS, d)))
    values = Tensor(rng.normal(size=(N_QUERIES, N_KEYS, 1)))
    upstream = Tensor(rng.normal(size=(N_QUERIES, 1, 1)))
    dots = (q @ k.transpose(1, 2)).data  # (N_QUERIES, 1, N_KEYS)
    raw = softmax_statistics(dots, values, upstream)
    scaled = softmax_statistics(dots / math.sqrt(d), values, upstream)
    rows.append((d, dots.var(), (dots / math.sqrt(d)).var(), *raw, *scaled))
(d_col, var_raw, var_scaled, ent_raw, grad_raw, ent_scaled, grad_scaled) = map(np.array, zip(*rows))

print(f"{'d_k':>5} | {'variance':^17} | {'entropy':^15} | {'gradient norm':^19}")
print(f"{'':>5} | {'unscaled':>8} {'scaled':>8} | {'unscaled':>8} {'scaled':>6} | {'unscaled':>9} {'scaled':>9}")
for row in zip(d_col, var_raw, var_scaled, ent_raw, ent_scaled, grad_raw, grad_scaled):
    print("{:>5} | {:>8.1f} {:>8.3f} | {:>8.3f} {:>6.3f} | {:>9.2e} {:>9.2e}".format(*row))
print(f"uniform weights over {N_KEYS} keys have entropy ln {N_KEYS} = {math.log(N_KEYS):.3f}")

# %% [markdown]
# The table shows the argument holding: unscaled, the variance tracks $d_k$ (within 15 %), the
# entropy collapses towards 0 and the gradient reaching the scores shrinks by more than a factor
# of 100 by $d_k = 512$; scaled, the variance stays within 15 % of 1, and entropy and gradient stay
# level (within 20 % of their values at $d_k = 4$).

# %%
assert np.all(np.abs(var_raw / d_col - 1) < 0.15), f"unscaled variance / d_k: {var_raw / d_col}"
assert np.all(np.abs(var_scaled - 1) < 0.15), f"scaled variance: {var_scaled}"
assert ent_raw[-1] < 0.2 * ent_raw[0], f"unscaled entropy {ent_raw[0]:.2f} -> {ent_raw[-1]:.2f}"
assert grad_raw[-1] < 0.01 * grad_raw[0], f"unscaled gradient {grad_raw[0]:.2e} -> {grad_raw[-1]:.2e}"
assert np.all(np.abs(ent_scaled / ent_scaled[0] - 1) < 0.2), f"scaled entropy: {ent_scaled}"
assert np.all(np.abs(grad_scaled / grad_scaled[0] - 1) < 0.2), f"scaled gradient: {grad_scaled}"

# %% mystnb={"figure": {"caption": "Scores, weight entropy and the gradient reaching the scores, with and without the division by the square root of the key size.", "name": "fig-scaling"}}
fig, axes = plt.subplots(1, 3, figsize=(viz.FIGURE_WIDTH, 2.5), layout="constrained")
fig.set_facecolor("white")
panels = [("variance of scores", var_raw, var_scaled, "log"),
          ("entropy of weights", ent_raw, ent_scaled, "linear"),
          ("|gradient at the scores|", grad_raw, grad_scaled, "log")]
for ax, (name, raw_values, scaled_values, yscale) in zip(axes, panels):
    ax.plot(D_KS, raw_values, "o-", color=viz.CLASS_COLORS[5], label="QKᵀ (unscaled)")
    ax.plot(D_KS, scaled_values, "s-", color=viz.CLASS_COLORS[0], label="QKᵀ/√d_k")
    ax.set(xscale="log", yscale=yscale, xlabel="d_k", title=name)
    ax.set_xticks(D_KS[::2], [str(d) for d in D_KS[::2]])
axes[1].axhline(math.log(N_KEYS), color="grey", linestyle=":", label="uniform (ln 16)")
axes[1].legend(fontsize=7)
viz.show(fig, alt=(
    f"Three line plots against d_k from {D_KS[0]} to {D_KS[-1]} on a log axis, unscaled scores in "
    f"orange, scaled in blue. Variance: unscaled grows from {var_raw[0]:.1f} to {var_raw[-1]:.0f}, "
    f"scaled stays near 1 ({var_scaled.min():.2f} to {var_scaled.max():.2f}). Entropy: unscaled "
    f"falls from {ent_raw[0]:.2f} to {ent_raw[-1]:.2f}, scaled stays between {ent_scaled.min():.2f} "
    f"and {ent_scaled.max():.2f} (uniform: {math.log(N_KEYS):.2f}). Gradient norm: unscaled falls "
    f"from {grad_raw[0]:.2g} to {grad_raw[-1]:.2g}, scaled stays between {grad_scaled.min():.2g} "
    f"and {grad_scaled.max():.2g}."))

# %% [markdown]
# ```{tip} How to read this figure
# Orange is the unscaled score $q \cdot k$, blue the scaled one. Left: the unscaled variance is a
# straight line of slope 1 on log-log axes (variance $= d_k$). Middle: as the variance grows, the
# unscaled weights become nearly one-hot (entropy towards 0). Right: a saturated softmax passes
# almost no gradient back. The blue curves are flat: the scaling makes the softmax's behaviour
# independent of the head size.
# ```
