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
# # A first look at tensors and autograd
#
# Create tensors, broadcast them, multiply matrices, and let `.backward()`
# compute a derivative that we check against the one worked out by hand.
#
# **What you will see:** the shapes that broadcasting and `@` produce, a
# gradient from autograd that matches the hand-derived derivative at a point,
# and the same agreement over a whole grid, drawn as a figure.

# %%
import matplotlib.pyplot as plt
import numpy as np

import tinytorch as tt
from tinytorch.core.tensor import Tensor

_ = tt.manual_seed(0)  # reseed tinytorch's one global random generator

# %% [markdown]
# ## Tensors and shapes
#
# A {py:class}`~tinytorch.core.tensor.Tensor` wraps a NumPy array (`.data`).
# Python floats become `float32`.

# %%
x = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
assert x.shape == (2, 3) and x.dtype == np.float32, (x.shape, x.dtype)
print("x.shape =", x.shape, " x.dtype =", x.dtype)

# %% [markdown]
# ## Broadcasting
#
# Operands of different shapes are stretched along the missing or length-1
# axes, exactly as in NumPy: here a row of three numbers is added to each row of `x`,
# and a column of two numbers to each of its columns.

# %%
row = Tensor([10.0, 20.0, 30.0])          # shape (3,)
col = Tensor([[100.0], [200.0]])         # shape (2, 1)
shifted = x + row + col                  # shape (2, 3)
assert shifted.shape == (2, 3)
assert np.array_equal(shifted.data, x.data + row.data + col.data)
print(shifted.data)

# %% [markdown]
# ## A matrix product
#
# `@` multiplies matrices: a $(2, 3)$ tensor times a $(3, 4)$ tensor is
# $(2, 4)$, entry $(i, j)$ being $\sum_k x_{ik} W_{kj}$.

# %%
rng = np.random.default_rng(0)
W = Tensor(rng.normal(size=(3, 4)))
y = x @ W
assert y.shape == (2, 4), y.shape
assert np.allclose(y.data, x.data @ W.data, rtol=1e-6)
print("(x @ W).shape =", y.shape)

# %% [markdown]
# ## A gradient by autograd and by hand
#
# Take
#
# $$
# f(x) = x\, e^{-x^2/2},
# \qquad
# f'(x) = \left(1 - x^2\right) e^{-x^2/2}
# $$
#
# by the product and chain rules. Autograd gets the same number without being
# told the rule: each operation records how to pass a gradient back to its
# inputs, and `.backward()` walks those records from the output to `x`.

# %%
def f(t):
    return t * (-(t**2) / 2).exp()


def f_prime_by_hand(v):
    return (1 - v**2) * np.exp(-(v**2) / 2)


point = Tensor(0.5, requires_grad=True)
f(point).backward()
by_hand = f_prime_by_hand(0.5)
assert np.isclose(point.grad, by_hand, atol=1e-6), (point.grad, by_hand)
print(f"autograd: {float(point.grad):.6f}   by hand: {by_hand:.6f}")

# %% [markdown]
# ## Over a whole grid at once
#
# Applied to a tensor of 121 points, $f$ acts elementwise, so the gradient of
# the *sum* of its outputs is, point by point, $f'$ at that point.
#
# ```{tip}
# `y.sum().backward()` is the usual way to get an elementwise derivative of an
# elementwise function in one pass: the sum's gradient with respect to each
# input is that input's own derivative, because no other output depends on it.
# ```

# %%
grid = Tensor(np.linspace(-3.0, 3.0, 121), requires_grad=True)
values = f(grid)
values.sum().backward()
error = np.abs(grid.grad - f_prime_by_hand(grid.data)).max()
assert error < 1e-5, f"autograd and hand derivative differ by {error:.2e}"
print(f"largest difference over the grid: {error:.1e}")

# %% mystnb={"image": {"alt": "Two curves over x from -3 to 3: f(x) = x times exp(-x squared over 2), an S-shaped bump through the origin, and its derivative, which peaks at 1 at x = 0 and dips below zero beyond x = ±1; the hand-derived derivative, drawn as dots, lies on the autograd curve."}, "figure": {"caption": "The function $f$, its derivative from autograd (line) and from the formula (dots).", "name": "fig-autograd-derivative"}}
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(grid.data, values.data, label="$f(x)$")
ax.plot(grid.data, grid.grad, label="$f'(x)$, autograd")
ax.plot(grid.data[::6], f_prime_by_hand(grid.data[::6]), "o", ms=4, label="$f'(x)$, by hand")
ax.axhline(0, color="0.7", lw=0.8)
ax.legend(frameon=False)
_ = ax.set(xlabel="$x$", ylabel="value")
