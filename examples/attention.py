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
import os

# One BLAS thread, set before NumPy loads: this page's matrices are small, and on a busy
# machine threads waiting for each other make training many times slower.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

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
# of it. That is a matter of *weights*, which training can change (in section 7 each head of a
# trained layer puts more than half of its weight on a single position); the RNN's decay is a matter of
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

# %% [markdown]
# ## 4. Self-attention
#
# In *self*-attention the queries, keys and values all come from the same sequence, each through
# its own learned linear map:
#
# $$
# Q = X W_Q, \qquad K = X W_K, \qquad V = X W_V, \qquad
# \mathrm{SelfAttention}(X) = \mathrm{softmax}\!\left(\frac{Q K^\top}{\sqrt{d_k}}\right) V .
# $$
#
# The projections let a token look for something other than itself: $W_Q$ decides what a token
# asks for, $W_K$ what it offers to be found by, and $W_V$ what it passes on once found.
# {py:class}`~tinytorch.core.attention.SelfAttention` holds the three as
# {py:class}`~tinytorch.core.layers.Linear` layers and keeps the weights of its last call in
# `.attention_weights`. A freshly initialised layer has small random projections, so its
# scores are all close to each other and every row is nearly uniform (all weights within 0.05 of
# $1/6$ below).

# %%
self_attention = SelfAttention(d_model=d_k)
self_attention(X)
A_init = self_attention.attention_weights.data  # (6, 6): row = query, column = key
assert np.abs(A_init - 1 / 6).max() < 0.05, f"initial weights range {A_init.min():.3f}..{A_init.max():.3f}"
print(f"initial weights range from {A_init.min():.3f} to {A_init.max():.3f}; 1/6 = {1 / 6:.3f}")

# %% [markdown]
# Training would shape the projections (section 6 shows that). To see what a shaped projection
# does, we set them by hand here, as literal inputs: $W_K = W_V = I$, and a $W_Q$ that turns each
# feature into a request for another, scaled by 6 to sharpen the softmax: an *action* asks for an
# *animal* and vice versa, a *function word* asks for an *object*, an *object* for a *function
# word*. So "sat" should read mostly from "cat", "cat" from "sat", and "the" and "on" from "mat".

# %%
#                      animal object action function   <- what the query asks for
W_Q = 6 * np.array([[0, 0, 1, 0],    # an animal asks for an action
                    [0, 0, 0, 1],    # an object asks for a function word
                    [1, 0, 0, 0],    # an action asks for an animal
                    [0, 1, 0, 0]])   # a function word asks for an object
for projection, matrix in ((self_attention.q_proj, W_Q), (self_attention.k_proj, np.eye(d_k)),
                           (self_attention.v_proj, np.eye(d_k))):
    projection.weight.data[...] = matrix  # Linear computes x @ weight + bias
    projection.bias.data[...] = 0

Y = self_attention(X)
A = self_attention.attention_weights.data
assert np.allclose(Y.data, A @ X.data, atol=1e-6), "with W_V = I the output is not weights @ X"
assert np.allclose(A.sum(axis=-1), 1, atol=1e-6), "a row does not sum to 1"
expected = {"the": "mat", "cat": "sat", "sat": "cat", "on": "mat", "mat": "the"}
read_most = [tokens[j] for j in A.argmax(axis=-1)]
assert all(expected[t] == r for t, r in zip(tokens, read_most)), f"rows read most from {read_most}"
print("each query reads most from:", ", ".join(f"{t} -> {r}" for t, r in zip(tokens, read_most)))

# %% mystnb={"figure": {"caption": "Self-attention weights of a SelfAttention layer with hand-set projections on the six tokens.", "name": "fig-self-attention"}}
fig = viz.plot_attention(A, tokens)

# %% [markdown]
# ```{tip} How to read this figure
# Each **row** is one query token: the colours and numbers along it are how that token's output is
# mixed from the value vectors of the tokens in the **columns**. Every row sums to 1. A bright
# column is a token many others read from; a bright diagonal cell is a token reading mostly
# itself. Columns do not sum to anything in particular.
# ```
#
# The two "the" rows are identical, and so are the two "the" columns: the layer sees a *set* of
# vectors, not a sequence, and the same token at positions 0 and 4 looks the same. Transformers
# therefore add a position-dependent vector to each embedding; tinytorch's
# {py:class}`~tinytorch.core.attention.PositionalEncoding` adds the sines and cosines
# $PE_{p,2i} = \sin(p/10000^{2i/d})$, $PE_{p,2i+1} = \cos(p/10000^{2i/d})$. With them, the two rows
# differ.

# %%
assert np.array_equal(A[0], A[4]) and np.array_equal(A[:, 0], A[:, 4]), "'the' rows or columns differ"
X_pos = PositionalEncoding(d_model=d_k, max_len=len(tokens))(X)
self_attention(X_pos)
A_pos = self_attention.attention_weights.data
gap = np.abs(A_pos[0] - A_pos[4]).max()
assert gap > 0.01, f"with positions the two 'the' rows still agree (max difference {gap:.4f})"
print(f"largest difference between the two 'the' rows: {np.abs(A[0] - A[4]).max():.3f} without "
      f"positions, {gap:.3f} with")

# %% [markdown]
# ## 5. Causal masking
#
# A language model is trained to predict token $i+1$ from tokens $0, \dots, i$, at all positions
# of a sequence at once. If position $i$ could read token $i+1$, it would simply copy the answer,
# and at generation time, when the future does not exist yet, it would fail. A **causal mask**
# forbids it: query $i$ may attend only to keys $j \le i$. In tinytorch a boolean mask says where
# a query *may* attend (True = keep), and
# {py:func}`~tinytorch.core.attention.causal_mask` builds the lower triangle. Blocked scores are
# set to $-\infty$ before the softmax, so their weights are exactly 0:
#
# $$
# w_{ij} = \frac{\exp(s_{ij})\,[\,j \le i\,]}{\sum_{j' \le i} \exp(s_{ij'})} .
# $$

# %%
mask = causal_mask(len(tokens))
print(mask.astype(int))
causal_out = self_attention(X, mask=mask)
A_causal = self_attention.attention_weights.data

# %% mystnb={"figure": {"caption": "Causally masked self-attention: the hatched cells above the diagonal are the future tokens each query may not see.", "name": "fig-causal"}}
fig = viz.plot_attention(A_causal, tokens, mask=mask)

# %% [markdown]
# ```{tip} How to read this figure
# Hatched grey cells are masked: they receive no weight at all. The first token can only read
# itself (weight 1); the last can read all six. Each row's visible weights still sum to 1.
# ```
#
# The future weights are exactly zero, not merely small, and the first row is exactly one-hot.
# As a consequence, changing the last token changes only the last output: every earlier output
# stays bit-for-bit the same. Without the mask, the same change reaches every output.

# %%
assert (A_causal[~mask] == 0).all(), "a future position received non-zero weight"
assert A_causal[0, 0] == 1, "the first token does not attend only to itself"
assert np.allclose(A_causal.sum(axis=-1), 1, atol=1e-6), "a masked row does not sum to 1"

X_changed = X.data.copy()
X_changed[-1] = X.data[tokens.index("cat")]  # the sentence now ends in "cat"
changed = self_attention(Tensor(X_changed), mask=mask).data
changed_rows = np.abs(changed - causal_out.data).max(axis=-1)
assert np.array_equal(changed[:-1], causal_out.data[:-1]), "a causal output changed with a later token"
assert changed_rows[-1] > 0, "the last output ignored its own token"
unmasked_rows = np.abs(self_attention(Tensor(X_changed)).data - self_attention(X).data).max(axis=-1)
assert (unmasked_rows > 0).all(), "without the mask some output ignored the change"
print("largest change per output, 'mat' -> 'cat' at the end:")
print("  causal:  ", np.array2string(changed_rows, precision=3))
print("  no mask: ", np.array2string(unmasked_rows, precision=3))

# %% [markdown]
# ## 6. Attention that was learned
#
# Patterns mean something once they are learned. We train a small transformer on a task whose
# correct attention is known in advance. The input is 8 random digits $x_0, \dots, x_7$; output
# $i$ is the two-digit number whose tens digit is the *mirrored* input $x_m$, $m = 7 - i$, and
# whose units digit is its right-hand *neighbour* $x_{m+1}$ (wrapping round to $x_0$ for $m = 7$):
#
# $$
# y_i = 10\, x_{7-i} + x_{(8-i) \bmod 8}, \qquad y_i \in \{0, \dots, 99\}.
# $$
#
# Every output needs two inputs, in a fixed order, so the model must route two different
# positions to each output. The model: token embeddings plus sinusoidal positions, one pre-norm
# {py:class}`~tinytorch.core.attention.TransformerBlock` with 2 heads, a final LayerNorm and a
# linear read-out to the 100 classes; Adam, 300 steps of 64 fresh random sequences each.

# %%
LENGTH, DIGITS, EMBED, HEADS, FF_DIM = 8, 10, 32, 2, 64
MIRROR = LENGTH - 1 - np.arange(LENGTH)  # m for each output position i
NEIGHBOUR = (MIRROR + 1) % LENGTH  # m + 1, wrapping round


def make_batch(generator, size):
    """Random digit sequences (size, LENGTH) and their targets 10 x_m + x_(m+1) (size, LENGTH)."""
    x = generator.integers(0, DIGITS, size=(size, LENGTH))
    return x, DIGITS * x[:, MIRROR] + x[:, NEIGHBOUR]


class MirrorPairModel(tt.Module):
    """Embedding + positions -> transformer blocks -> LayerNorm -> logits over the 100 outputs."""

    def __init__(self, layers=1):
        super().__init__()
        self.embed = tt.Embedding(DIGITS, EMBED)
        self.positions = PositionalEncoding(EMBED, max_len=LENGTH)
        self.blocks = tt.ModuleList([TransformerBlock(EMBED, HEADS, FF_DIM) for _ in range(layers)])
        self.norm = tt.LayerNorm(EMBED)
        self.head = tt.Linear(EMBED, DIGITS * DIGITS)

    def forward(self, x):
        h = self.positions(self.embed(x))
        for block in self.blocks:
            h = block(h)
        return self.head(self.norm(h))


_ = tt.manual_seed(0)
model = MirrorPairModel()
optimizer = tt.Adam(model.parameters(), lr=5e-3)
train_rng = np.random.default_rng(1)
losses, seen = [], set()
for step in range(300):
    x, y = make_batch(train_rng, 64)
    seen.update(map(bytes, x.astype(np.uint8)))
    loss = tt.cross_entropy(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
print(f"loss: first step {losses[0]:.3f}, last step {losses[-1]:.4f} (ln 100 = {math.log(100):.3f})")

# %% mystnb={"figure": {"caption": "Training loss of the two-head transformer on the mirrored-pair task.", "name": "fig-loss"}}
fig, ax = plt.subplots(figsize=(viz.FIGURE_WIDTH * 0.7, 2.6), layout="constrained")
fig.set_facecolor("white")
ax.semilogy(np.arange(1, len(losses) + 1), losses, color=viz.CLASS_COLORS[0])
ax.axhline(math.log(100), color="grey", linestyle=":", label="guessing: ln 100")
ax.set(xlabel="step (64 sequences each)", ylabel="cross-entropy")
ax.legend()
viz.show(fig, alt=(
    f"Log-scale training loss over {len(losses)} steps: it starts at {losses[0]:.2f}, near "
    f"guessing (ln 100 = {math.log(100):.2f}), falls below 1 at step "
    f"{int(np.argmax(np.array(losses) < 1)) + 1} and ends at {losses[-1]:.3f}."))

# %% [markdown]
# The test: 2000 new random sequences, keeping only those the model never saw in training.
# It must get at least 99 % of the output digits-pairs right.

# %%
x_test, y_test = make_batch(np.random.default_rng(2), 2000)
unseen = np.array([bytes(row) not in seen for row in x_test.astype(np.uint8)])
x_test, y_test = x_test[unseen], y_test[unseen]
model.eval()
with tt.no_grad():
    predictions = model(x_test).data.argmax(axis=-1)
accuracy = (predictions == y_test).mean()
exact = (predictions == y_test).all(axis=1).mean()
print(f"{len(x_test)} held-out sequences: {accuracy:.2%} of outputs right, {exact:.2%} entirely right")
assert accuracy >= 0.99, f"held-out accuracy {accuracy:.4f} < 0.99"
learned = model.blocks[0].attention_weights.data  # (sequences, HEADS, LENGTH, LENGTH)

# %% [markdown]
# Below, the attention of the trained block for the first held-out sequence, averaged over its
# two heads. Key labels are `position:digit`, query labels `position:output`.

# %%
example = 0
key_labels = [f"{j}:{d}" for j, d in enumerate(x_test[example])]
query_labels = [f"{i}:{y:02d}" for i, y in enumerate(y_test[example])]
rows_i = np.arange(LENGTH)
both_heads = learned.mean(axis=1)  # (sequences, LENGTH, LENGTH)
on_needed = both_heads[:, rows_i, MIRROR] + both_heads[:, rows_i, NEIGHBOUR]  # (sequences, LENGTH)
print(f"weight on the two needed positions, averaged over heads: mean {on_needed.mean():.3f}, "
      f"smallest {on_needed.min():.3f}")

# %% mystnb={"figure": {"caption": "Learned attention for one held-out sequence, averaged over the two heads: each output reads its mirrored input and that input's right-hand neighbour.", "name": "fig-learned"}}
fig = viz.plot_attention(both_heads[example], query_labels, key_labels,
                         title="mean of the two heads")

# %% [markdown]
# ```{tip} How to read this figure
# Output $i$ (row) should read input $7-i$ and input $8-i$ (columns): two bright anti-diagonals,
# the second shifted one column to the right, with the wrap-around cell in the top-left corner.
# The key label shows the digit at that position, so you can check an output by eye: row
# `0:ab` reads the digit `a` at position 7 and the digit `b` at position 0.
# ```
#
# Averaged over the two heads and over the held-out sequences, the mirrored input and its
# neighbour together receive at least 90 % of each output's attention, against $2/8 = 25\,\%$
# for a uniform row.

# %%
assert on_needed.mean() >= 0.9, f"mean weight on the needed positions {on_needed.mean():.3f} < 0.9"

# %% [markdown]
# ## 7. Multi-head attention
#
# One attention head produces one weighted average per query. A task like the one above needs
# two different positions per output, and an average of two value vectors in one head mixes
# them. Multi-head attention runs $h$ heads side by side, each on its own slice of size
# $d_{\text{head}} = E / h$ of the projected queries, keys and values, and mixes their outputs
# with one more projection $W_O$:
#
# $$
# \mathrm{MHA}(X) = \mathrm{concat}(\mathrm{head}_1, \dots, \mathrm{head}_h)\, W_O, \qquad
# \mathrm{head}_r = \mathrm{Attention}(X W_Q^{(r)}, X W_K^{(r)}, X W_V^{(r)}).
# $$
#
# The heads are not separate layers: {py:class}`~tinytorch.core.attention.MultiHeadAttention`
# projects once with an $E \times E$ matrix and then *reshapes*, so the heads become one more
# batch axis. Below, the module's computation is redone step by step with tinytorch operations
# on a batch of 2 sequences of 6 tokens, $E = 8$, $h = 2$, recording every shape; the result
# equals the module's output.

# %%
N, L_, E, H_ = 2, 6, 8, 2
mha = MultiHeadAttention(embed_dim=E, num_heads=H_)
x = Tensor(rng.normal(size=(N, L_, E)))
trace = [("input x", x.shape, "(N, L, E)")]


def split_heads(t):
    """(N, L, E) -> (N, L, H, E/H) -> (N, H, L, E/H)."""
    split = t.reshape(N, L_, H_, E // H_)
    return split.transpose(1, 2)


q = mha.q_proj(x)
trace.append(("Q = x W_Q + b_Q", q.shape, "(N, L, E)"))
trace.append(("Q split into heads", q.reshape(N, L_, H_, E // H_).shape, "(N, L, H, E/H)"))
q, k, v = split_heads(q), split_heads(mha.k_proj(x)), split_heads(mha.v_proj(x))
trace.append(("heads as a batch axis", q.shape, "(N, H, L, E/H)"))
head_weights = tt.softmax(q @ k.transpose(2, 3) / math.sqrt(E // H_), axis=-1)
trace.append(("weights softmax(QKᵀ/√d)", head_weights.shape, "(N, H, L, L)"))
heads = head_weights @ v
trace.append(("weights @ V", heads.shape, "(N, H, L, E/H)"))
merged = heads.transpose(1, 2)
trace.append(("heads moved back", merged.shape, "(N, L, H, E/H)"))
merged = merged.reshape(N, L_, E)
trace.append(("heads concatenated", merged.shape, "(N, L, E)"))
result = mha.out_proj(merged)
trace.append(("output = concat W_O + b_O", result.shape, "(N, L, E)"))

for step_name, shape, symbolic in trace:
    print(f"{step_name:<28} {str(shape):<16} {symbolic}")
assert np.allclose(result.data, mha(x).data, atol=1e-5), "step-by-step MHA differs from the module"
assert np.allclose(head_weights.data, mha.attention_weights.data, atol=1e-6)

# %% [markdown]
# The trained model's two heads, each averaged over the held-out sequences, side by side:

# %%
mean_heads = learned.mean(axis=0)  # (HEADS, LENGTH, LENGTH)
fig = viz.plot_attention_heads(mean_heads, [f"y{i}" for i in range(LENGTH)],
                               key_labels=[f"x{j}" for j in range(LENGTH)])

# %% [markdown]
# ```{tip} How to read this figure
# One panel per head, on one colour scale. Rows are outputs $y_i$, columns inputs $x_j$. Compare
# where each panel's bright anti-diagonal sits: one head's lies on the mirrored input
# $x_{7-i}$, the other's one column to the right, on the neighbour.
# ```
#
# The heads divided the work. For each head we measure the weight it puts, on average, on the
# mirrored position and on the neighbour. Each head puts more than half of its weight on one of
# the two, they choose different ones, and on each of the two positions the heads' weights differ
# by more than 0.25. (Which head takes which position depends on the random initialisation.)

# %%
on_mirror = mean_heads[:, rows_i, MIRROR].mean(axis=-1)  # (HEADS,)
on_neighbour = mean_heads[:, rows_i, NEIGHBOUR].mean(axis=-1)
overlap = np.minimum(mean_heads[0], mean_heads[1]).sum(axis=-1).mean()
print(f"{'head':>4} {'on mirror':>10} {'on neighbour':>13}")
for h in range(HEADS):
    print(f"{h:>4} {on_mirror[h]:>10.3f} {on_neighbour[h]:>13.3f}")
print(f"overlap of the two heads' rows (1 = identical, 0 = disjoint): {overlap:.3f}")
preferred = np.where(on_mirror > on_neighbour, "mirror", "neighbour")
assert set(preferred) == {"mirror", "neighbour"}, f"both heads prefer the {preferred[0]}"
assert np.maximum(on_mirror, on_neighbour).min() > 0.5, "a head puts at most half its weight on its position"
assert np.ptp(on_mirror) > 0.25 and np.ptp(on_neighbour) > 0.25, "the heads' weights differ by 0.25 or less"
