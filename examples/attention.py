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

# One BLAS thread: this page's matrices are small, and on a busy machine BLAS
# threads waiting for each other make training many times slower. (This only
# takes effect if NumPy has not been imported yet.)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import math
import time

import matplotlib.pyplot as plt
import numpy as np

import tinytorch as tt
from tinytorch import viz
from tinytorch.core.attention import (
    MultiHeadAttention,
    SelfAttention,
    causal_mask,
    scaled_dot_product_attention,
)
from tinytorch.core.transformer import PositionalEncoding, TransformerBlock
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
    """h_L of h_t = tanh(x_t W_x + h_(t-1) W_h); x is (N, L, HIDDEN)."""
    h = Tensor(np.zeros((x.shape[0], HIDDEN)))
    for t in range(x.shape[1]):  # step t needs step t-1: sequential by nature
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


rnn = np.array([sensitivity_to_first_token(rnn_final_state, n)
                for n in LENGTHS])
attn = np.array([sensitivity_to_first_token(attention_final_state, n)
                 for n in LENGTHS])
# an exponential fit of the RNN's decay: log(sensitivity) ~ a + L log(r)
rnn_fit = np.polyfit(LENGTHS, np.log(rnn), 1)
per_step = math.exp(rnn_fit[0])

print("       steps from token 1        sensitivity to token 1")
print(f"{'L':>4} {'RNN':>6} {'attention':>10}   {'RNN':>9} {'attention':>10} "
      f"{'attention×L':>12}")
for n, r, a in zip(LENGTHS, rnn, attn):
    print(f"{n:>4} {n - 1:>6} {1:>10}   {r:>9.2e} {a:>10.2e} {a * n:>12.3f}")
print(f"the RNN keeps about {per_step:.3f} of the sensitivity per step")

# %% [markdown]
# The RNN's sensitivity shrinks by a roughly constant factor per step (every measured value lies
# within a factor of 10 of the exponential fit), so it falls exponentially with the length: from
# $L = 2$ to $L = 64$ it drops by more than ten orders of magnitude. Attention's falls only in
# proportion to $1/L$ (the last column stays within a factor of 3): an untrained layer spreads
# its weight roughly evenly, so token 1 gets about $1/L$ of it. That is a matter of *weights*,
# which training can change (in section 7 each head of a trained layer puts more than half of
# its weight on a single position); the RNN's decay is a matter of *path length*, which training
# cannot shorten.

# %%
assert np.all(np.diff(rnn) < 0), f"RNN sensitivity rises somewhere: {rnn}"
misfit = np.abs(np.log(rnn) - np.polyval(rnn_fit, LENGTHS)) / math.log(10)
assert misfit.max() < 1, f"a point is {misfit.max():.1f} decades off the fit"
assert rnn[-1] / rnn[0] < 1e-10, f"RNN fell only {rnn[0] / rnn[-1]:.1e}-fold"
attn_times_L = attn * np.array(LENGTHS)
spread = attn_times_L.max() / attn_times_L.min()
assert spread < 3, f"attention × L varies {spread:.1f}-fold: {attn_times_L}"
assert attn[-1] > 1e4 * rnn[-1], "at L=64 the RNN is not far less sensitive"

# %% mystnb={"figure": {"caption": "How strongly the final state depends on the first token, for an untrained RNN and an untrained attention layer, as the sequence grows.", "name": "fig-rnn-bottleneck"}}
blue, orange = viz.CLASS_COLORS[:2]
fig, ax = plt.subplots(figsize=(5.2, 3), layout="constrained")
fig.set_facecolor("white")
ax.semilogy(LENGTHS, rnn, "o-", color=blue, label="tanh RNN (L − 1 steps)")
ax.semilogy(LENGTHS, attn, "s-", color=orange, label="self-attention (1 step)")
ax.semilogy(LENGTHS, np.exp(np.polyval(rnn_fit, LENGTHS)), ":", color=blue,
            label=f"fit: ×{per_step:.2f} per step")
ax.set(xlabel="sequence length L", ylabel="|∂(u·final state)/∂x₁|")
ax.legend()
viz.show(fig, alt=(
    "Log-scale line plot of the sensitivity of the final state to token 1 "
    f"against sequence length {LENGTHS[0]} to {LENGTHS[-1]}. The RNN falls "
    f"as a straight line on the log scale, from {rnn[0]:.2g} to "
    f"{rnn[-1]:.2g} (a factor {per_step:.2f} per step); self-attention "
    f"falls slowly, from {attn[0]:.2g} to {attn[-1]:.2g}."))

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
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
assert abs(w.sum() - 1) < 1e-6 and (w > 0).all(), f"not a distribution: {w}"
assert np.allclose(output.data, (w[:, None] * X.data).sum(axis=0), atol=1e-6)
lowest, highest = X.data.min(axis=0), X.data.max(axis=0)
assert ((lowest <= output.data) & (output.data <= highest)).all()
assert w.argmax() == scores.data.argmax() == tokens.index("sat"), w
assert w[0] == w[4], "the two 'the' tokens got different weights"

# %% mystnb={"figure": {"caption": "Attention weights of the query \"sat\" over the six tokens.", "name": "fig-one-query"}}
fig, ax = plt.subplots(figsize=(4.2, 2.6), layout="constrained")
fig.set_facecolor("white")
positions = np.arange(len(tokens))
bars = ax.bar(positions, w, color=blue)
ax.bar_label(bars, fmt="%.2f", fontsize=8)
ax.axhline(1 / len(tokens), color="grey", linestyle=":", label="uniform, 1/6")
ax.set_xticks(positions, tokens)
ax.set(xlabel="key", ylabel="weight", ylim=(0, w.max() * 1.25))
ax.legend(loc="upper left")
bar_values = ", ".join(f"{t} {x:.2f}" for t, x in zip(tokens, w))
viz.show(fig, alt=(
    f"Bar chart of the attention weights of the query 'sat' over the keys "
    f"{bar_values}. The largest bar is '{tokens[w.argmax()]}'; the dotted "
    "line marks a uniform 1/6."))

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
assert np.allclose(out.data, by_hand.data, atol=1e-6), "SDPA != formula"
assert np.allclose(attn_weights.data[2], weights.data, atol=1e-6), "not §2"
print(f"max |SDPA - formula| = {np.abs(out.data - by_hand.data).max():.1e}")

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
    """Mean entropy of the softmax weights, median |d loss / d logits|.

    Both over the queries; loss = upstream . (w @ values), a random
    direction in the output space.
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
columns = map(np.array, zip(*rows))
(d_col, var_raw, var_scaled, ent_raw, grad_raw, ent_scaled,
 grad_scaled) = columns

print(f"{'':>4} | {'variance':^15} | {'entropy':^15} | {'gradient':^17}")
print(f"{'d_k':>4} |" + " {:>7} {:>7} |".format("raw", "scaled") * 2
      + " {:>8} {:>8}".format("raw", "scaled"))
table = zip(d_col, var_raw, var_scaled, ent_raw, ent_scaled, grad_raw,
            grad_scaled)
for row in table:
    print("{:>4} | {:>7.1f} {:>7.3f} | {:>7.3f} {:>7.3f} | {:>8.2e} {:>8.2e}"
          .format(*row))
print(f"(raw = unscaled; uniform weights have entropy ln {N_KEYS} = "
      f"{math.log(N_KEYS):.3f})")

# %% [markdown]
# The table shows the argument holding: unscaled, the variance tracks $d_k$ (within 15 %), the
# entropy collapses towards 0 and the gradient reaching the scores shrinks by more than a factor
# of 100 by $d_k = 512$; scaled, the variance stays within 15 % of 1, and entropy and gradient stay
# level (within 20 % of their values at $d_k = 4$).

# %%
assert np.all(np.abs(var_raw / d_col - 1) < 0.15), var_raw / d_col
assert np.all(np.abs(var_scaled - 1) < 0.15), var_scaled
assert ent_raw[-1] < 0.2 * ent_raw[0], f"entropy: {ent_raw}"
assert grad_raw[-1] < 0.01 * grad_raw[0], f"gradient: {grad_raw}"
assert np.all(np.abs(ent_scaled / ent_scaled[0] - 1) < 0.2), ent_scaled
assert np.all(np.abs(grad_scaled / grad_scaled[0] - 1) < 0.2), grad_scaled

# %% mystnb={"figure": {"caption": "Scores, weight entropy and the gradient reaching the scores, with and without the division by the square root of the key size.", "name": "fig-scaling"}}
vermilion = viz.CLASS_COLORS[5]
fig, axes = plt.subplots(1, 3, figsize=(viz.FIGURE_WIDTH, 2.5),
                         layout="constrained")
fig.set_facecolor("white")
panels = [("variance of scores", var_raw, var_scaled, "log"),
          ("entropy of weights", ent_raw, ent_scaled, "linear"),
          ("|gradient at the scores|", grad_raw, grad_scaled, "log")]
for ax, (name, raw_values, scaled_values, yscale) in zip(axes, panels):
    ax.plot(D_KS, raw_values, "o-", color=vermilion, label="QKᵀ (unscaled)")
    ax.plot(D_KS, scaled_values, "s-", color=blue, label="QKᵀ/√d_k")
    ax.set(xscale="log", yscale=yscale, xlabel="d_k", title=name)
    ax.set_xticks(D_KS[::2], [str(d) for d in D_KS[::2]])
axes[1].axhline(math.log(N_KEYS), color="grey", linestyle=":",
                label="uniform (ln 16)")
axes[1].legend(fontsize=7)
viz.show(fig, alt=(
    f"Three line plots against d_k from {D_KS[0]} to {D_KS[-1]} on a log "
    "axis, unscaled scores in orange, scaled in blue. Variance: unscaled "
    f"grows from {var_raw[0]:.1f} to {var_raw[-1]:.0f}, scaled stays near 1 "
    f"({var_scaled.min():.2f} to {var_scaled.max():.2f}). Entropy: unscaled "
    f"falls from {ent_raw[0]:.2f} to {ent_raw[-1]:.2f}, scaled stays between "
    f"{ent_scaled.min():.2f} and {ent_scaled.max():.2f} (uniform: "
    f"{math.log(N_KEYS):.2f}). Gradient norm: unscaled falls from "
    f"{grad_raw[0]:.2g} to {grad_raw[-1]:.2g}, scaled stays between "
    f"{grad_scaled.min():.2g} and {grad_scaled.max():.2g}."))

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
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
A_init = self_attention.attention_weights.data  # (6, 6): rows are queries
assert np.abs(A_init - 1 / 6).max() < 0.05, A_init
print(f"initial weights range from {A_init.min():.3f} to {A_init.max():.3f};"
      f" 1/6 = {1 / 6:.3f}")

# %% [markdown]
# Training would shape the projections (section 6 shows that). To see what a shaped projection
# does, we set them by hand here, as literal inputs: $W_K = W_V = I$, and a $W_Q$ that turns each
# feature into a request for another, scaled by 6 to sharpen the softmax: an *action* asks for an
# *animal* and vice versa, a *function word* asks for an *object*, an *object* for a *function
# word*. So "sat" should read mostly from "cat", "cat" from "sat", and "the" and "on" from "mat".

# %%
#           asks for: animal object action function
W_Q = 6 * np.array([[0, 0, 1, 0],   # an animal asks for an action
                    [0, 0, 0, 1],   # an object asks for a function word
                    [1, 0, 0, 0],   # an action asks for an animal
                    [0, 1, 0, 0]])  # a function word asks for an object
hand_set = [(self_attention.q_proj, W_Q), (self_attention.k_proj, np.eye(4)),
            (self_attention.v_proj, np.eye(4))]
for projection, matrix in hand_set:
    projection.weight.data[...] = matrix  # Linear computes x @ weight + bias
    projection.bias.data[...] = 0

Y = self_attention(X)
A = self_attention.attention_weights.data
assert np.allclose(Y.data, A @ X.data, atol=1e-6), "W_V = I: output != A @ X"
assert np.allclose(A.sum(axis=-1), 1, atol=1e-6), "a row does not sum to 1"
expected = {"the": "mat", "cat": "sat", "sat": "cat", "on": "mat",
            "mat": "the"}
read_most = [tokens[j] for j in A.argmax(axis=-1)]
assert read_most == [expected[t] for t in tokens], read_most
print("each query reads most from:")
print("  " + ", ".join(f"{t} -> {r}" for t, r in zip(tokens, read_most)))

# %% mystnb={"figure": {"caption": "Self-attention weights of a SelfAttention layer with hand-set projections on the six tokens.", "name": "fig-self-attention"}}
fig = viz.plot_attention(A, tokens)

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# Each **row** is one query token: the colours and numbers along it are how that token's output is
# mixed from the value vectors of the tokens in the **columns**. Every row sums to 1. A bright
# column is a token many others read from; a bright diagonal cell is a token reading mostly
# itself. Columns do not sum to anything in particular.
# ```
#
# The two "the" rows are identical, and so are the two "the" columns: the layer sees a *set* of
# vectors, not a sequence, and the same token at positions 0 and 4 looks the same. Transformers
# therefore add a position-dependent vector to each embedding; tinytorch's
# {py:class}`~tinytorch.core.transformer.PositionalEncoding` adds the sines and cosines
# $PE_{p,2i} = \sin(p/10000^{2i/d})$, $PE_{p,2i+1} = \cos(p/10000^{2i/d})$. With them, the two rows
# differ.

# %%
assert np.array_equal(A[0], A[4]), "the two 'the' rows differ"
assert np.array_equal(A[:, 0], A[:, 4]), "the two 'the' columns differ"
X_pos = PositionalEncoding(d_model=d_k, max_len=len(tokens))(X)
self_attention(X_pos)
A_pos = self_attention.attention_weights.data
gap = np.abs(A_pos[0] - A_pos[4]).max()
assert gap > 0.01, f"with positions the 'the' rows still agree ({gap:.4f})"
print("largest difference between the two 'the' rows:\n"
      f"  {np.abs(A[0] - A[4]).max():.3f} without positions, {gap:.3f} with")

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
# ```{admonition} How to read this figure
# :class: tip
# Hatched grey cells are masked: they receive no weight at all. The first token can only read
# itself (weight 1); the last can read all six. Each row's visible weights still sum to 1.
# ```
#
# The future weights are exactly zero, not merely small, and the first row is exactly one-hot.
# As a consequence, changing the last token changes only the last output: every earlier output
# stays bit-for-bit the same. Without the mask, the same change reaches every output.

# %%
assert (A_causal[~mask] == 0).all(), "a future position got non-zero weight"
assert A_causal[0, 0] == 1, "the first token does not attend only to itself"
assert np.allclose(A_causal.sum(axis=-1), 1, atol=1e-6), "a row's sum != 1"

X_changed = X.data.copy()
X_changed[-1] = X.data[tokens.index("cat")]  # the sentence now ends in "cat"
X_changed = Tensor(X_changed)
changed = self_attention(X_changed, mask=mask).data
assert np.array_equal(changed[:-1], causal_out.data[:-1]), "the past changed"
causal_moved = np.abs(changed - causal_out.data).max(axis=-1)
assert causal_moved[-1] > 0, "the last output ignored its own token"
unmasked = self_attention(X_changed).data - self_attention(X).data
unmasked_moved = np.abs(unmasked).max(axis=-1)
assert (unmasked_moved > 0).all(), "without the mask an output did not move"
print("largest change per output, 'mat' -> 'cat' at the end:")
print("  causal:  ", np.array2string(causal_moved, precision=3))
print("  no mask: ", np.array2string(unmasked_moved, precision=3))

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
# {py:class}`~tinytorch.core.transformer.TransformerBlock` with 2 heads, a final LayerNorm and a
# linear read-out to the 100 classes; Adam, 300 steps of 64 fresh random sequences each.

# %%
LENGTH, DIGITS, EMBED, HEADS, FF_DIM = 8, 10, 32, 2, 64
MIRROR = LENGTH - 1 - np.arange(LENGTH)  # m for each output position i
NEIGHBOUR = (MIRROR + 1) % LENGTH  # m + 1, wrapping round


def make_batch(generator, size):
    """Digits (size, LENGTH) and targets 10 x_m + x_(m+1) (size, LENGTH)."""
    x = generator.integers(0, DIGITS, size=(size, LENGTH))
    return x, DIGITS * x[:, MIRROR] + x[:, NEIGHBOUR]


class MirrorPairModel(tt.Module):
    """Embedding + positions -> blocks -> LayerNorm -> logits for 100 pairs."""

    def __init__(self, layers=1):
        super().__init__()
        self.embed = tt.Embedding(DIGITS, EMBED)
        self.positions = PositionalEncoding(EMBED, max_len=LENGTH)
        self.blocks = tt.ModuleList(
            [TransformerBlock(EMBED, HEADS, FF_DIM) for _ in range(layers)])
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
print(f"loss: first step {losses[0]:.3f}, last step {losses[-1]:.4f} "
      f"(guessing: ln 100 = {math.log(100):.3f})")

# %% mystnb={"figure": {"caption": "Training loss of the two-head transformer on the mirrored-pair task.", "name": "fig-loss"}}
fig, ax = plt.subplots(figsize=(4.9, 2.6), layout="constrained")
fig.set_facecolor("white")
ax.semilogy(np.arange(1, len(losses) + 1), losses, color=blue)
ax.axhline(math.log(100), color="grey", linestyle=":",
           label="guessing: ln 100")
ax.set(xlabel="step (64 sequences each)", ylabel="cross-entropy")
ax.legend()
below_1 = int(np.argmax(np.array(losses) < 1)) + 1
viz.show(fig, alt=(
    f"Log-scale training loss over {len(losses)} steps: it starts at "
    f"{losses[0]:.2f}, near guessing (ln 100 = {math.log(100):.2f}), falls "
    f"below 1 at step {below_1} and ends at {losses[-1]:.3f}."))

# %% [markdown]
# The test: 2000 new random sequences, keeping only those the model never saw in training.
# It must get at least 99 % of the outputs (digit pairs) right.

# %%
x_test, y_test = make_batch(np.random.default_rng(2), 2000)
unseen = np.array([bytes(row) not in seen for row in x_test.astype(np.uint8)])
x_test, y_test = x_test[unseen], y_test[unseen]
model.eval()
with tt.no_grad():
    predictions = model(x_test).data.argmax(axis=-1)
accuracy = (predictions == y_test).mean()
exact = (predictions == y_test).all(axis=1).mean()
print(f"{len(x_test)} held-out sequences: {accuracy:.2%} of the outputs "
      f"right,\n{exact:.2%} of the sequences entirely right")
assert accuracy >= 0.99, f"held-out accuracy {accuracy:.4f} < 0.99"
learned = model.blocks[0].attention_weights.data  # (N, HEADS, L, L)

# %% [markdown]
# Below, the attention of the trained block for the first held-out sequence, averaged over its
# two heads. Key labels are `position:digit`, query labels `position:output`.

# %%
example = 0
key_labels = [f"{j}:{d}" for j, d in enumerate(x_test[example])]
query_labels = [f"{i}:{y:02d}" for i, y in enumerate(y_test[example])]
rows_i = np.arange(LENGTH)
both_heads = learned.mean(axis=1)  # (N, L, L)
on_needed = (both_heads[:, rows_i, MIRROR]
             + both_heads[:, rows_i, NEIGHBOUR])  # (N, L)
print("weight on the two needed positions, averaged over the heads:\n"
      f"  mean {on_needed.mean():.3f}, smallest {on_needed.min():.3f}")

# %% mystnb={"figure": {"caption": "Learned attention for one held-out sequence, averaged over the two heads: each output reads its mirrored input and that input's right-hand neighbour.", "name": "fig-learned"}}
fig = viz.plot_attention(both_heads[example], query_labels, key_labels,
                         title="mean of the two heads")

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
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
assert on_needed.mean() >= 0.9, f"needed positions: {on_needed.mean():.3f}"

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
# \begin{aligned}
# \mathrm{MHA}(X) &= \mathrm{concat}(\mathrm{head}_1, \dots, \mathrm{head}_h)\, W_O, \\
# \mathrm{head}_r &= \mathrm{Attention}(X W_Q^{(r)}, X W_K^{(r)}, X W_V^{(r)}).
# \end{aligned}
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
split = q.reshape(N, L_, H_, E // H_)
trace.append(("Q split into heads", split.shape, "(N, L, H, E/H)"))
q = split_heads(q)
k, v = split_heads(mha.k_proj(x)), split_heads(mha.v_proj(x))
trace.append(("heads as a batch axis", q.shape, "(N, H, L, E/H)"))
scores = q @ k.transpose(2, 3) / math.sqrt(E // H_)
head_weights = tt.softmax(scores, axis=-1)
trace.append(("softmax(QKᵀ/√(E/H))", head_weights.shape, "(N, H, L, L)"))
heads = head_weights @ v
trace.append(("weights @ V", heads.shape, "(N, H, L, E/H)"))
merged = heads.transpose(1, 2)
trace.append(("heads moved back", merged.shape, "(N, L, H, E/H)"))
merged = merged.reshape(N, L_, E)
trace.append(("heads concatenated", merged.shape, "(N, L, E)"))
result = mha.out_proj(merged)
trace.append(("output = concat W_O + b_O", result.shape, "(N, L, E)"))

for step_name, shape, symbolic in trace:
    print(f"{step_name:<26} {str(shape):<14} {symbolic}")
assert np.allclose(result.data, mha(x).data, atol=1e-5), "!= the module"
assert np.allclose(head_weights.data, mha.attention_weights.data, atol=1e-6)

# %% [markdown]
# The trained model's two heads, each averaged over the held-out sequences, side by side:

# %% mystnb={"figure": {"caption": "The two heads of the trained block, each averaged over the held-out sequences: one reads the mirrored input, the other its neighbour.", "name": "fig-heads"}}
mean_heads = learned.mean(axis=0)  # (HEADS, LENGTH, LENGTH)
fig = viz.plot_attention_heads(mean_heads, [f"y{i}" for i in range(LENGTH)],
                               key_labels=[f"x{j}" for j in range(LENGTH)])

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
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
print("overlap of the two heads' rows (1 = identical, 0 = disjoint): "
      f"{overlap:.3f}")
preferred = np.where(on_mirror > on_neighbour, "mirror", "neighbour")
assert set(preferred) == {"mirror", "neighbour"}, f"both prefer {preferred[0]}"
own_position = np.maximum(on_mirror, on_neighbour)
assert own_position.min() > 0.5, f"on a head's own position: {own_position}"
assert np.ptp(on_mirror) > 0.25, f"heads differ too little: {on_mirror}"
assert np.ptp(on_neighbour) > 0.25, f"heads differ too little: {on_neighbour}"

# %% [markdown]
# ## 8. The transformer block
#
# A transformer stacks *blocks*. Each tinytorch
# {py:class}`~tinytorch.core.transformer.TransformerBlock` is **pre-norm** (as in GPT-2): two
# residual branches, each normalising its input with a
# {py:class}`~tinytorch.core.layers.LayerNorm`, transforming it, and adding the result back,
#
# $$
# \begin{aligned}
# x &\leftarrow x + \mathrm{MHA}(\mathrm{LN}_1(x)), \\
# x &\leftarrow x + W_2\, \mathrm{GELU}(W_1\, \mathrm{LN}_2(x) + b_1) + b_2 .
# \end{aligned}
# $$
#
# Attention moves information *between* positions; the feed-forward network then transforms each
# position on its own (checked below: changing one position's input changes only that position's
# feed-forward output). The residual additions keep a direct path from input to output, the
# identity term in each line, so the gradient reaches early layers through no weight matrix at
# all, and each branch only has to learn a correction. The list `RESIDUAL_BRANCHES` below names
# the block's sub-modules in the order of the equations; it is checked against the block's own
# forward pass and against its list of sub-modules, and the diagram is drawn from it.

# %%
block = model.blocks[0]
# x <- x + sublayer(norm(x)), for each (norm, sublayer) in this order
RESIDUAL_BRANCHES = [("ln1", "attn"), ("ln2", "ff")]


def block_by_hand(block, h):
    """The block's forward pass from RESIDUAL_BRANCHES (dropout is 0 here)."""
    for norm, sublayer in RESIDUAL_BRANCHES:
        h = h + getattr(block, sublayer)(getattr(block, norm)(h))
    return h


h_in = model.positions(model.embed(x_test[:4]))
with tt.no_grad():
    by_hand = block_by_hand(block, h_in).data
    assert np.allclose(block(h_in).data, by_hand, atol=1e-5), "!= block"
with_parameters = {name for name, child in block.named_children()
                   if child.parameters()}
drawn = {name for branch in RESIDUAL_BRANCHES for name in branch}
assert with_parameters == drawn, f"{with_parameters} != drawn {drawn}"
h_changed = h_in.data.copy()
h_changed[:, 0] += 1.0  # change position 0 only
ff_moved = block.ff(Tensor(h_changed)).data - block.ff(h_in).data
ff_moved = np.abs(ff_moved).max(axis=(0, 2))  # per position
assert ff_moved[0] > 0 and (ff_moved[1:] == 0).all(), ff_moved


def count_parameters(module):
    return sum(p.size for p in module.parameters())


def box_label(name, module):
    """Name, class, sub-modules (repeats grouped, no dropout), size."""
    parts = []
    for child in module.children():
        if isinstance(child, tt.Dropout):
            continue
        text = type(child).__name__
        if isinstance(child, tt.Linear):
            text += " {}→{}".format(*child.weight.shape)
        if parts and parts[-1][1] == text:
            parts[-1][0] += 1
        else:
            parts.append([1, text])
    inside = [text if n == 1 else f"{n} × {text}" for n, text in parts]
    if isinstance(module, tt.LayerNorm):
        inside = [f"over {module.weight.size} features"]
    if isinstance(module, MultiHeadAttention):
        inside.insert(0, f"{module.num_heads} heads of {module.head_dim}")
    size = f"{count_parameters(module):,} parameters"
    return "\n".join([name, type(module).__name__, *inside, size])


def draw_block(block, branches, width=viz.FIGURE_WIDTH):
    """Boxes and arrows, left to right, for the residual branches of `block`.

    Each branch (norm, sublayer) becomes: norm box -> sublayer box -> (+),
    with a residual arrow from before the norm into the (+).
    """
    from matplotlib.patches import Circle, FancyBboxPatch

    fig, ax = plt.subplots(figsize=(width, 2.3), layout="constrained")
    fig.set_facecolor("white")
    nodes = [("text", "input\n(N, L, E)")]
    for norm, sublayer in branches:
        nodes += [("box", box_label(norm, getattr(block, norm))),
                  ("box", box_label(sublayer, getattr(block, sublayer))),
                  ("add", "+")]
    nodes.append(("text", "output\n(N, L, E)"))
    # widths in inches: by kind, and for boxes by class name (line 2)
    widths = {"text": 0.55, "add": 0.26, "LayerNorm": 0.85,
              "MultiHeadAttention": 1.15, "Sequential": 1.1}
    colors = {"LayerNorm": "#E69F0033", "MultiHeadAttention": "#0072B233",
              "Sequential": "#009E7333"}
    kinds = [kind if kind != "box" else label.split("\n")[1]
             for kind, label in nodes]
    sizes = np.array([widths[kind] for kind in kinds])
    gap = (width - sizes.sum()) / (len(nodes) + 1)
    lefts = gap + np.concatenate([[0], np.cumsum(sizes + gap)[:-1]])
    centres = lefts + sizes / 2
    for (kind, label), left, size, x in zip(nodes, lefts, sizes, centres):
        if kind == "box":
            ax.add_patch(FancyBboxPatch(
                (left, -0.6), size, 1.2, boxstyle="round,pad=0.03",
                fc=colors.get(label.split("\n")[1], "#dddddd"), ec="black",
                lw=0.8))
        elif kind == "add":
            ax.add_patch(Circle((x, 0), size / 2, fc="white", ec="black",
                                lw=0.8))
        ax.text(x, 0, label, ha="center", va="center",
                fontsize=6.5 if kind == "box" else 8)
    arrow = dict(arrowstyle="-|>", color="black", lw=0.8, shrinkA=0, shrinkB=0)
    for right, next_left in zip(lefts[:-1] + sizes[:-1], lefts[1:]):
        ax.annotate("", xy=(next_left, 0), xytext=(right, 0), arrowprops=arrow)
    for b in range(len(branches)):  # nodes 1 + 3b, 2 + 3b, 3 + 3b
        start, add_x = lefts[1 + 3 * b] - gap / 2, centres[3 + 3 * b]
        ax.plot([start, start, add_x], [0, 0.85, 0.85], color="black", lw=0.8)
        ax.annotate("", xy=(add_x, 0.13), xytext=(add_x, 0.85),
                    arrowprops=arrow)
        ax.text((start + add_x) / 2, 0.9, "residual", ha="center",
                va="bottom", fontsize=7)
    ax.set(xlim=(0, width), ylim=(-0.7, 1.15), aspect="equal")
    ax.set_axis_off()
    return fig, nodes


# %% mystnb={"figure": {"caption": "The pre-norm transformer block, drawn from the trained model's block and its list of residual branches.", "name": "fig-block"}}
fig, nodes = draw_block(block, RESIDUAL_BRANCHES)
steps = " → ".join(label.replace("\n", " ") for _, label in nodes)
viz.show(fig, alt=(
    f"Diagram of one pre-norm transformer block, left to right: {steps}. "
    "Each + also receives a residual arrow from the input of its branch, "
    "bypassing it."))

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# Follow the main line from left to right. Each coloured pair (a LayerNorm, then attention or the
# feed-forward network) is one residual branch; the arrow arching over it carries the branch's
# input unchanged to the $+$, where the branch's output is added. Nothing else touches the
# residual line, which is why a pre-norm stack usually ends with one more LayerNorm.
# ```
#
# The parameter counts of the whole trained model, per component, computed from
# `named_parameters()` and checked against the formulas (with $E = 32$, $F = 64$ hidden units in
# the feed-forward network, $V = 10$ digits and $C = 100$ classes):

# %%
groups = {}
for name, parameter in model.named_parameters():
    parts = name.split(".")
    key = ".".join(parts[:3] if parts[0] == "blocks" else parts[:1])
    groups[key] = groups.get(key, 0) + parameter.size
formulas = {
    "embed": ("V E", DIGITS * EMBED),
    "blocks.0.ln1": ("2 E", 2 * EMBED),
    "blocks.0.attn": ("4 (E² + E)", 4 * (EMBED**2 + EMBED)),
    "blocks.0.ln2": ("2 E", 2 * EMBED),
    "blocks.0.ff": ("2 E F + F + E", 2 * EMBED * FF_DIM + FF_DIM + EMBED),
    "norm": ("2 E", 2 * EMBED),
    "head": ("E C + C", EMBED * DIGITS**2 + DIGITS**2),
}
total = sum(groups.values())
print(f"{'component':<15} {'parameters':>10} {'share':>7}   formula")
for key, count in groups.items():
    print(f"{key:<15} {count:>10,} {count / total:>7.1%}   {formulas[key][0]}")
print(f"{'total':<15} {total:>10,}")
assert groups == {key: value for key, (_, value) in formulas.items()}
assert groups["blocks.0.attn"] == count_parameters(block.attn)

# %% [markdown]
# And the shapes of a forward pass through the trained model, for 4 held-out sequences, each step
# a tinytorch call; the last one equals the model's own output.

# %%
tokens_in = x_test[:4]
shapes = [("digits", tokens_in.shape)]
h = model.embed(tokens_in)
shapes.append(("embed", h.shape))
h = model.positions(h)
shapes.append(("+ positions", h.shape))
for norm, sublayer in RESIDUAL_BRANCHES:
    branch = getattr(block, norm)(h)
    shapes.append((norm, branch.shape))
    branch = getattr(block, sublayer)(branch)
    shapes.append((sublayer, branch.shape))
    h = h + branch
    shapes.append(("+ residual", h.shape))
h = model.norm(h)
shapes.append(("norm", h.shape))
logits = model.head(h)
shapes.append(("head (logits)", logits.shape))
for step_name, shape in shapes:
    print(f"{step_name:<15} {shape}")
assert np.allclose(logits.data, model(tokens_in).data, atol=1e-5)
assert logits.shape == (4, LENGTH, DIGITS**2)

# %% [markdown]
# ## 9. Cost and scaling
#
# Count multiply-adds for one layer and one sequence of $L$ tokens of width $d$, with a
# feed-forward hidden size $d_{\text{ff}}$ (usually $4d$):
#
# $$
# \begin{aligned}
# \text{projections } Q, K, V, O &: \; 4 L d^2, \\
# \text{scores } QK^\top \text{ and mixing } WV &: \; 2 L^2 d, \\
# \text{feed-forward} &: \; 2 L d\, d_{\text{ff}} .
# \end{aligned}
# $$
#
# Everything except the scores and the mixing grows in proportion to $L$; those two grow as
# $L^2$, and the weight matrix itself needs $h L^2$ numbers per layer and sequence ($h$ heads).
# The $L^2$ terms overtake the feed-forward network when $2 L^2 d \ge 2 L d\, d_{\text{ff}}$, that
# is at $L = d_{\text{ff}}$, or $L = 4d$. For GPT-2 small's sizes ($d = 768$, 12 heads,
# $d_{\text{ff}} = 3072$) the code below counts the operations, finds the crossover by scanning
# $L$, and checks it against $L = d_{\text{ff}}$.

# %%
D_MODEL, N_HEADS, D_FF = 768, 12, 3072


def operation_counts(L, d=D_MODEL, d_ff=D_FF):
    """Multiply-adds of one layer for L tokens.

    Returns (projections, scores + mixing, feed-forward).
    """
    L = np.asarray(L, dtype=np.int64)
    return 4 * L * d * d, 2 * L * L * d, 2 * L * d * d_ff


def weights_mebibytes(L, heads=N_HEADS, bytes_per_number=4):
    """MiB of one layer's float32 weights (heads, L, L), one sequence."""
    numbers = heads * np.asarray(L, dtype=np.int64) ** 2
    return numbers * bytes_per_number / 2**20


scan = np.arange(1, 10 * D_MODEL)
_, quadratic, feed_forward = operation_counts(scan)
crossover = int(scan[np.argmax(quadratic >= feed_forward)])
assert crossover == D_FF == 4 * D_MODEL, f"crossover at L = {crossover}"

print(f"{'L':>6} {'projections':>11} {'QK^T + WV':>11} {'feed-fwd':>9} "
      f"{'L^2 share':>9} {'weights MiB':>11}")
for L in [128, 512, 1024, crossover, 8192, 32768]:
    proj, quad, ff = operation_counts(L)
    share = quad / (proj + quad + ff)
    print(f"{L:>6} {proj:>11.2e} {quad:>11.2e} {ff:>9.2e} {share:>9.1%} "
          f"{weights_mebibytes(L):>11,.1f}")
print(f"the L^2 terms reach the feed-forward count at L = {crossover}")

# %% mystnb={"figure": {"caption": "Operations per layer as the sequence grows, for GPT-2 small's sizes: the quadratic attention terms against the linear ones.", "name": "fig-cost"}}
Ls = np.unique(np.geomspace(16, 65536, 60).astype(np.int64))
proj, quad, ff = operation_counts(Ls)
fig, ax = plt.subplots(figsize=(5.2, 3), layout="constrained")
fig.set_facecolor("white")
ax.loglog(Ls, quad, color=vermilion, label="scores + mixing, 2L²d")
ax.loglog(Ls, ff, color=viz.CLASS_COLORS[2], label="feed-forward, 2Ld·d_ff")
ax.loglog(Ls, proj, "--", color=blue, label="projections, 4Ld²")
ax.axvline(crossover, color="grey", linestyle=":",
           label=f"crossover L = {crossover}")
ax.set(xlabel="sequence length L", ylabel="multiply-adds per layer")
ax.legend()
viz.show(fig, alt=(
    "Log-log plot of multiply-adds per layer against sequence length "
    f"{Ls[0]} to {Ls[-1]} for d = {D_MODEL}, d_ff = {D_FF}. The feed-forward "
    "and projection counts are straight lines of slope 1; the scores-and-"
    "mixing count has slope 2 and crosses the feed-forward line at the dotted "
    f"line, L = {crossover}. At L = {Ls[-1]} it is {quad[-1] / ff[-1]:.0f} "
    "times the feed-forward count."))

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# On log-log axes a power law is a straight line whose slope is the exponent: the linear terms
# rise one decade per decade of $L$, the attention terms two. Left of the dotted line the
# feed-forward network and the projections cost more than the attention matrix; right of it,
# attention dominates, and its $h L^2$ weights outgrow the $4 L d$ numbers of $Q$, $K$, $V$ and the
# output in memory too (at the crossover they already exceed them more than tenfold, checked
# below). This is why long contexts are expensive and why much research goes into cheaper
# attention.
# ```

# %%
qkv_out_numbers = 4 * crossover * D_MODEL
weight_numbers = N_HEADS * crossover**2
assert weight_numbers > 10 * qkv_out_numbers, "weights do not dominate memory"
print(f"at L = {crossover}: {weight_numbers:,} attention weights,\n"
      f"{qkv_out_numbers:,} numbers in Q, K, V and the output "
      f"({weight_numbers / qkv_out_numbers:.0f} times as many)")

# %% [markdown]
# Measured: the forward time of
# {py:func}`~tinytorch.core.attention.scaled_dot_product_attention` for one head of size 64 as
# $L$ doubles (best of 5 runs each). These cells are tagged `timing`: their numbers change from
# build to build, and nothing is asserted about them. The formulas predict a slope of 2 once the
# $L^2$ work dominates; at small $L$, fixed costs per call can flatten the curve, and at large $L$
# the weight matrix outgrows the processor's caches, which can steepen it.

# %% tags=["timing"]
TIMED_LENGTHS = [64, 128, 256, 512, 1024, 2048]
seconds = []
for L in TIMED_LENGTHS:
    q, k, v = (Tensor(rng.normal(size=(L, 64))) for _ in range(3))
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        scaled_dot_product_attention(q, k, v)
        runs.append(time.perf_counter() - start)
    seconds.append(min(runs))
seconds = np.array(seconds)
slope_all = np.polyfit(np.log(TIMED_LENGTHS), np.log(seconds), 1)[0]
slope_top = np.polyfit(np.log(TIMED_LENGTHS[-3:]), np.log(seconds[-3:]), 1)[0]
for L, t in zip(TIMED_LENGTHS, seconds):
    print(f"L = {L:>5}: {t * 1e3:8.3f} ms")
print(f"fitted slope: {slope_all:.2f} over all lengths, {slope_top:.2f} over "
      "the largest three")

# %% tags=["timing"] mystnb={"figure": {"caption": "Measured forward time of scaled dot-product attention against sequence length, with a fitted power law.", "name": "fig-timing"}}
log_L = np.log(TIMED_LENGTHS)
fit = np.polyfit(log_L[-3:], np.log(seconds[-3:]), 1)
fig, ax = plt.subplots(figsize=(4.6, 2.8), layout="constrained")
fig.set_facecolor("white")
ax.loglog(TIMED_LENGTHS, seconds * 1e3, "o", color=blue,
          label="measured (best of 5)")
ax.loglog(TIMED_LENGTHS, np.exp(np.polyval(fit, log_L)) * 1e3, ":",
          color=vermilion, label=f"fit to the largest 3: slope {fit[0]:.2f}")
ax.set(xlabel="sequence length L", ylabel="forward time (ms)")
ax.set_xticks(TIMED_LENGTHS, [str(L) for L in TIMED_LENGTHS])
ax.legend()
viz.show(fig, alt=(
    "Log-log plot of measured attention forward time against L from "
    f"{TIMED_LENGTHS[0]} to {TIMED_LENGTHS[-1]}: from "
    f"{seconds[0] * 1e3:.2f} ms to {seconds[-1] * 1e3:.1f} ms. A line fitted "
    f"to the largest three lengths has slope {slope_top:.2f}; over all "
    f"lengths the slope is {slope_all:.2f}."))

# %% [markdown]
# ## 10. Where attention is used
#
# Attention first appeared as an addition to recurrent encoder-decoder models for machine
# translation (Bahdanau, Cho and Bengio, 2015): the decoder learned which source words to read
# while producing each target word, and the weights doubled as a word alignment. The Transformer
# (Vaswani et al., 2017) dropped the recurrence altogether and built both encoder and decoder
# from the blocks of section 8. Since then:
#
# - **Language models** such as the GPT family are stacks of causally masked blocks (section 5)
#   trained to predict the next token; encoders such as BERT use unmasked self-attention to build
#   representations of whole sentences.
# - **Vision transformers** cut an image into patches and treat each patch as a token; the same
#   blocks then attend across the image.
# - **Speech recognition** models such as Whisper attend over audio frames, and
#   **cross-attention** (queries from one sequence, keys and values from another, as in the
#   original translation model) connects text to images or audio in multimodal models.
# - **Protein structure prediction** (AlphaFold 2) uses attention between the residues of a
#   protein and across aligned sequences.
#
# The common thread is the one this page measured: attention gives every position one-step access
# to every other, with weights computed from the data, at a cost quadratic in the sequence length.
