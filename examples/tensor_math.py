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
# # Tensor math: shapes, broadcasting and matrix products
#
# Almost everything a neural network computes is built from a handful of tensor
# operations: elementwise arithmetic between arrays of compatible shapes, and
# matrix products. This page works through them with tinytorch's
# {py:class}`~tinytorch.core.tensor.Tensor`, then takes a first look at the
# gradients that autograd attaches to them.
#
# **What you will see**
#
# - how broadcasting lines up two shapes, drawn cell by cell, and the error a
#   mismatch raises;
# - a matrix product computed as rows times columns, equal to `@`;
# - many vectors pushed through one matrix in a single product, equal to doing
#   them one at a time;
# - a 2-D rotation applied to a point set, which keeps every distance to the
#   origin and turns every point by the same angle (before/after figure);
# - the gradient of a least-squares loss from autograd, equal to the formula
#   and confirmed by finite differences with `gradcheck`;
# - a 3 × 3 linear system solved directly and by gradient descent, both
#   leaving a residual below $10^{-9}$, and the largest step size for which
#   descent converges, with descent diverging just above it (figure).

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from myst_nb import glue

import tinytorch as tt
from tinytorch import viz
from tinytorch.core.tensor import Tensor, stack

_ = tt.manual_seed(0)  # tinytorch's one global random generator
rng = np.random.default_rng(0)

# %% [markdown]
# ## Tensors and shapes
#
# A tensor is an array with a **shape**: the length of each axis. `x` below has
# two rows and three columns, shape $(2, 3)$. Python floats become `float32`,
# the precision networks are trained in; `.data` is the underlying NumPy array.

# %%
x = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
assert x.shape == (2, 3) and x.ndim == 2 and x.size == 6, x.shape
assert x.dtype == np.float32, x.dtype
print(f"shape {x.shape}, {x.ndim} axes, {x.size} numbers, {x.dtype}")
print(f"x.T: {x.T.shape}   x.reshape(3, 2): {x.reshape(3, 2).shape}")

# %% [markdown]
# ## Broadcasting
#
# Elementwise operations (`+`, `-`, `*`, `/`) between tensors of different
# shapes follow NumPy's broadcasting rule. Write the two shapes one above the
# other, **aligned on the right**. Going axis by axis, the lengths must be equal,
# or one of them must be 1 (or missing), in which case that operand is copied
# along the axis. The result takes the larger length on every axis.
#
# A column of four numbers, shape $(4, 1)$, plus a row of three, shape $(3,)$,
# gives a $(4, 3)$ table: entry $(i, j)$ is `col[i] + row[j]`.

# %%
col = Tensor([[0.0], [10.0], [20.0], [30.0]])  # shape (4, 1)
row = Tensor([1.0, 2.0, 3.0])  # shape (3,)
table = col + row
assert table.shape == (4, 3), table.shape
i, j = np.indices(table.shape)
expected = col.data[i, 0] + row.data[j]
assert np.array_equal(table.data, expected), "(i, j) is col[i] + row[j]"
stretched = np.broadcast_to(col.data, table.shape)  # what + reads
assert stretched.strides[1] == 0, "the copies are not stored"
print(table.data)
print(f"strides of the stretched column: {stretched.strides} bytes")

# %% [markdown]
# The figure draws each operand on the grid of the result. Solid cells hold
# the operand's own numbers; faded, dashed cells are the copies broadcasting
# makes. Nothing is copied in memory: NumPy (and so tinytorch) reads the same
# number again with a stride of zero.

# %% tags=["hide-input"]
def draw_on_grid(ax, values, out_shape, title):
    """Draw `values` broadcast to the 2-D `out_shape`.

    Cells holding the operand's own numbers are solid, copies are faded.
    Returns a description of the grid for the alt text.
    """
    padded = (1,) * (2 - values.ndim) + values.shape  # missing: 1
    full = np.broadcast_to(values.reshape(padded), out_shape)
    rows, cols = np.indices(out_shape)
    own = (rows < padded[0]) & (cols < padded[1])  # the operand's data
    cells = zip(rows.ravel(), cols.ravel(), full.ravel(), own.ravel())
    for r, c, value, is_own in cells:
        ax.add_patch(plt.Rectangle(
            (c, r), 1, 1, edgecolor="black", linewidth=1,
            facecolor="#0072B2" if is_own else "#cfe3f2",
            linestyle="-" if is_own else "--"))
        ax.text(c + 0.5, r + 0.5, f"{value:g}", ha="center",
                va="center", color="white" if is_own else "0.35",
                fontsize=9)
    ax.set(xlim=(-0.1, out_shape[1] + 0.1), aspect="equal",
           ylim=(out_shape[0] + 0.1, -0.1),
           title=f"{title}\nshape {values.shape}")
    ax.set_axis_off()
    return (f"{title.lstrip('+= ')}, shape {values.shape}: "
            f"{own.sum()} own cells {values.ravel().tolist()}, "
            f"{(~own).sum()} faded copies")


# %% tags=["hide-input"] mystnb={"figure": {"caption": "Broadcasting a column and a row to a common shape: own values solid, copies faded.", "name": "fig-broadcasting"}}
fig, axes = viz.subplots(1, 3)
operands = [(col, "col"), (row, "+ row"), (table, "= col + row")]
parts = [draw_on_grid(ax, t.data, table.shape, name)
         for ax, (t, name) in zip(axes, operands)]
viz.show(fig, alt=f"Three grids of shape {table.shape}, each operand "
         f"drawn on the result's grid. " + "; ".join(parts) + ".")

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# Look at the shape written above each grid, aligned on the right. The column
# has length 1 along the second axis, so it is repeated across the three
# columns; the row has no first axis at all, so it counts as length 1 there and
# is repeated down the four rows. The result's cell is the sum of the two cells
# at the same place in the first two grids.
# ```
#
# When two lengths differ and neither is 1, there is no way to line the
# operands up, and tinytorch says so, naming both shapes:

# %%
try:
    Tensor(np.ones((2, 3))) + Tensor(np.ones(4))
    raise AssertionError("(2, 3) + (4,) should not broadcast")
except ValueError as error:
    print("ValueError:", error)

# %% [markdown]
# ## Matrix multiplication: rows times columns
#
# For $A$ of shape $(n, k)$ and $B$ of shape $(k, m)$, the product $C = AB$ has
# shape $(n, m)$ and
#
# $$
# C_{ij} = \sum_{t=1}^{k} A_{it} B_{tj},
# $$
#
# the dot product of row $i$ of $A$ with column $j$ of $B$. The inner lengths
# $k$ must agree. Broadcasting computes every such product at once: give $A$ a
# new last axis, shape $(n, k, 1)$, and $B$ a new first axis, shape
# $(1, k, m)$; their elementwise product has shape $(n, k, m)$ and holds all
# the terms $A_{it}B_{tj}$. Summing over the middle axis $t$ is the definition
# above, and it equals `A @ B`.

# %%
A = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])  # (2, 3)
B = Tensor([[7.0, 8.0], [9.0, 10.0], [11.0, 12.0]])  # (3, 2)
products = A.unsqueeze(2) * B.unsqueeze(0)  # (2, 3, 2)
by_definition = products.sum(axis=1)  # (2, 2)
C = A @ B
assert products.shape == (2, 3, 2) and C.shape == (2, 2)
assert np.array_equal(by_definition.data, C.data), "sums equal A @ B"
row_0, col_1 = A.data[0], B.data[:, 1]
terms = " + ".join(f"{a:g}·{b:g}" for a, b in zip(row_0, col_1))
print("C[0, 1] = row 0 of A · column 1 of B")
print(f"        = {terms} = {C.data[0, 1]:g}")
print(C.data)

# %% [markdown]
# If the inner lengths differ, the product is undefined:

# %%
try:
    A @ A
    raise AssertionError("(2, 3) @ (2, 3) should fail")
except ValueError as error:
    print("ValueError:", error)

# %% [markdown]
# ## Many vectors through one matrix
#
# A linear layer applies the same matrix $W$ to every input vector. Stacking
# the vectors as the rows of a matrix $V$ does them all in one product, $VW$:
# row $i$ of the result is $v_i W$. Below, {glue:text}`n_vectors` vectors
# of length 3 pass through a $(3, 2)$ matrix, once in a single product and
# once in a Python loop, one vector at a time (the loop is here only to be
# compared against).

# %%
W = Tensor(rng.normal(size=(3, 2)))
V = Tensor(rng.normal(size=(256, 3)))
glue("n_vectors", V.shape[0], display=False)
batched = V @ W  # (256, 3) @ (3, 2) -> (256, 2)
one_at_a_time = stack([V[n] @ W for n in range(V.shape[0])])
gap = np.abs(batched.data - one_at_a_time.data).max()
assert batched.shape == (V.shape[0], 2), batched.shape
assert gap < 1e-6, f"batched rows differ from the loop by {gap:.1e}"
print(f"batched result {batched.shape}; largest difference from the "
      f"loop: {gap:.1e}")

# %% [markdown]
# The same holds with more leading axes: a stack of 8 batches, shape
# $(8, 256, 3)$, times $W$ gives $(8, 256, 2)$, each batch multiplied by the one
# shared matrix.

# %%
batches = Tensor(rng.normal(size=(8, 256, 3)))
out = batches @ W
assert out.shape == (8, 256, 2), out.shape
gap = np.abs(out.data[5] - (batches[5] @ W).data).max()
assert gap < 1e-6, f"batch 5 differs from its own product by {gap:.1e}"
print(f"{batches.shape} @ {W.shape} -> {out.shape}")

# %% [markdown]
# On a CPU the single product is faster than the loop, by far: at least ten
# times here (the ratio is printed; times vary from run to run), because NumPy
# runs it in compiled code instead of going through Python once per vector.

# %% tags=["timing"]
def best_time(run, repeats=5):
    """The fastest of a few runs: the least disturbed by other work."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


t_batched = best_time(lambda: V @ W)
t_loop = best_time(lambda: stack([V[n] @ W for n in range(V.shape[0])]))
assert t_loop > 10 * t_batched, "one product: not 10 times faster"
glue("speedup", t_loop / t_batched, display=False)
print(f"one product: {t_batched * 1e6:.0f} µs   "
      f"loop of {V.shape[0]}: {t_loop * 1e6:.0f} µs   "
      f"ratio {t_loop / t_batched:.0f}")

# %% [markdown]
# ## A rotation of the plane
#
# Rotating a point $(x, y)$ about the origin by an angle $\theta$ is a matrix
# product:
#
# $$
# R(\theta) = \begin{pmatrix} \cos\theta & -\sin\theta \\ \sin\theta & \cos\theta \end{pmatrix},
# \qquad
# \begin{pmatrix} x' \\ y' \end{pmatrix} = R(\theta) \begin{pmatrix} x \\ y \end{pmatrix}.
# $$
#
# With the points stored as the rows of a matrix $P$ of shape $(N, 2)$, the same
# rotation of all of them is $P R^\top$. Below, a letter F drawn with points
# turns by $60°$. A rotation keeps every point's distance from the origin,
# turns every point by the same angle, and is undone by its transpose
# ($R^\top R = I$).

# %%
P = Tensor(np.concatenate([
    np.linspace((0.5, 0.0), (0.5, 2.0), 11),  # the stem of the F
    np.linspace((0.6, 2.0), (1.6, 2.0), 6),  # its top bar
    np.linspace((0.6, 1.0), (1.3, 1.0), 4),  # its middle bar
]))
theta = np.deg2rad(60.0)
R = Tensor([[np.cos(theta), -np.sin(theta)],
            [np.sin(theta), np.cos(theta)]])
P_rot = P @ R.T

radius_before = np.linalg.norm(P.data, axis=1)
radius_after = np.linalg.norm(P_rot.data, axis=1)
as_complex = P.data @ [1, 1j], P_rot.data @ [1, 1j]
turned = np.angle(as_complex[1] / as_complex[0])  # angle of each point
assert np.allclose(radius_before, radius_after, atol=1e-5), "radii kept"
assert np.allclose(turned, theta, atol=1e-5), "all turn by theta"
assert np.allclose((R.T @ R).data, np.eye(2), atol=1e-6), "R^T R = I"
assert np.allclose((P_rot @ R).data, P.data, atol=1e-5), "R undoes it"
moved = np.abs(radius_after - radius_before).max()
angles = np.rad2deg(turned)
print(f"{P.shape[0]} points; turned by {angles.min():.4f} to "
      f"{angles.max():.4f} degrees")
print(f"largest change of a distance to the origin: {moved:.1e}")

# %% tags=["hide-input"] mystnb={"figure": {"caption": "A point set before and after multiplication by a rotation matrix.", "name": "fig-rotation"}}
both = np.concatenate([P.data, P_rot.data])
before_after = np.repeat([0, 1], P.shape[0])
viz.plot_points(both, before_after, equal_aspect=True,
                class_names=["before", "after, rotated 60°"],
                xlabel="x", ylabel="y")

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# One marker shape for the original points, another for the rotated ones.
# The rotated F is the original turned counter-clockwise about the origin
# $(0, 0)$: each point moved along a circle around the origin, never closer
# or farther (the "distances kept" assertion above), and every point turned
# by the same angle.
# ```

# %% [markdown]
# ## A first look at autograd
#
# Training a network means following gradients, and tinytorch computes them
# for any expression built from its operations. Take the least-squares loss of
# a vector $\mathbf{x}$ for a matrix $A$ and a target $\mathbf{b}$:
#
# $$
# L(\mathbf{x}) = \tfrac12 \lVert A\mathbf{x} - \mathbf{b} \rVert^2,
# \qquad
# \nabla L(\mathbf{x}) = A^\top (A\mathbf{x} - \mathbf{b}).
# $$
#
# `L.backward()` fills `x.grad` with that gradient without being told the
# formula. We compare it with the formula, and then let
# {py:func}`~tinytorch.core.autograd.gradcheck` compare it with central finite
# differences $\bigl(L(x_i + \varepsilon) - L(x_i - \varepsilon)\bigr) / 2\varepsilon$,
# in float64. (How autograd does it, step by step, is the subject of
# {doc}`autograd`.)

# %%
A = Tensor([[4.0, 1.0, 2.0], [1.0, 5.0, 1.0], [2.0, 1.0, 6.0]],
           dtype=np.float64)
b = Tensor([[1.0], [2.0], [3.0]], dtype=np.float64)


def least_squares(x):
    residual = A @ x - b
    return 0.5 * (residual * residual).sum()


x0 = Tensor([[0.5], [-1.0], [2.0]], dtype=np.float64,
            requires_grad=True)
least_squares(x0).backward()
by_formula = A.data.T @ (A.data @ x0.data - b.data)
assert np.allclose(x0.grad, by_formula, rtol=1e-12, atol=1e-12)
worst = tt.gradcheck(least_squares, [x0.data.copy()])
assert worst < 1e-6, f"finite differences disagree by {worst:.1e}"
print("autograd:", x0.grad.ravel(), "  formula:", by_formula.ravel())
print(f"largest difference from finite differences: {worst:.1e}")

# %% [markdown]
# ## Solving a linear system
#
# The same $A$ and $\mathbf{b}$ define a linear system $A\mathbf{x} = \mathbf{b}$
# of three equations in three unknowns. We solve it twice.
#
# **Directly**, with NumPy's LU-based `np.linalg.solve` on the arrays inside the
# tensors, then check the answer with a tinytorch matrix product: the residual
# $A\mathbf{x} - \mathbf{b}$ must vanish (up to float64 rounding).

# %%
x_direct = Tensor(np.linalg.solve(A.data, b.data), dtype=np.float64)
residual = np.abs((A @ x_direct - b).data).max()
assert residual < 1e-9, f"residual {residual:.1e}"
print("x =", x_direct.data.ravel())
print(f"largest residual {residual:.1e}")

# %% [markdown]
# **By gradient descent**, using only autograd: start from $\mathbf{x} = 0$ and
# repeat $\mathbf{x} \leftarrow \mathbf{x} - \eta \nabla L(\mathbf{x})$ with the
# loss above. This is how networks are trained, just with a far bigger
# $\mathbf{x}$ and no direct formula to compare against.
#
# Does descent end at the solution? Only if the step $\eta$ is small enough.
# With $\mathbf{e} = \mathbf{x} - \mathbf{x}^\ast$ the distance to the
# solution, the gradient is $A^\top A\,\mathbf{e}$, so one step gives
# $\mathbf{e} \leftarrow (I - \eta A^\top A)\,\mathbf{e}$. Along each
# eigenvector of $A^\top A$, with eigenvalue $\lambda$, the error is
# multiplied by $1 - \eta\lambda$ at every step: it shrinks only if
# $|1 - \eta\lambda| < 1$, that is $\eta < 2/\lambda$. The largest eigenvalue
# sets the limit, $\eta < 2/\lambda_{\max}$.

# %%
lambdas = np.linalg.eigvalsh(A.data.T @ A.data)  # ascending
eta_max = 2 / lambdas[-1]
glue("lambda_max", float(lambdas[-1]), display=False)
glue("eta_max", float(eta_max), display=False)
print("eigenvalues of AᵀA:", lambdas.round(3))
print(f"largest step that converges: 2 / {lambdas[-1]:.2f} "
      f"= {eta_max:.4f}")

# %% [markdown]
# For this system $\lambda_{\max} \approx$ {glue:text}`lambda_max:.1f`, so
# descent converges for $\eta <$ {glue:text}`eta_max:.4f`. We run
# {glue:text}`gd_steps` steps at three step sizes: 0.02, well below the
# limit; 0.03, just below it; and 0.034, just above it. Below the limit the distance to the solution falls
# below $10^{-9}$; above it, after the first few steps, it grows at every
# step.

# %%
GD_STEPS = 400
glue("gd_steps", GD_STEPS, display=False)


def descend(lr, steps=GD_STEPS):
    """Gradient descent from 0; the distance to x_direct per step."""
    x = tt.Parameter(np.zeros((3, 1)), dtype=np.float64)
    optimizer = tt.SGD([x], lr=lr)
    distances = []
    for _ in range(steps):
        optimizer.zero_grad()
        least_squares(x).backward()
        optimizer.step()
        distances.append(np.abs(x.data - x_direct.data).max())
    return x, np.array(distances)


step_sizes = [0.02, 0.03, 0.034]
runs = {lr: descend(lr) for lr in step_sizes}
x_gd, _ = runs[0.02]
gd_residual = np.abs((A @ x_gd - b).data).max()
for lr, (_, distance) in runs.items():
    print(f"lr {lr}: distance {distance[0]:.2e} -> {distance[-1]:.2e}")
print(f"lr 0.02: x = {x_gd.data.ravel()}, residual {gd_residual:.1e}")

# %%
assert step_sizes[1] < eta_max < step_sizes[2], eta_max
assert runs[0.02][1][-1] < 1e-9 and gd_residual < 1e-9
assert runs[0.03][1][-1] < 1e-9, "0.03 does not converge"
diverging = runs[0.034][1]
assert np.all(np.diff(diverging[10:]) > 0), "0.034 does not diverge"
assert diverging[-1] > 1e3 * diverging[0], diverging[-1]

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Distance to the solution during gradient descent, at step sizes below and above the limit 2/λmax.", "name": "fig-step-size"}}
viz.plot_lines({f"η = {lr}": d for lr, (_, d) in runs.items()},
               x=np.arange(1, GD_STEPS + 1), xlabel="step",
               yscale="log",
               ylabel="largest |x − x*|")

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# The distance to the solution on a log scale, so a straight stretch means a
# constant factor per step. At $\eta = 0.02$ and $0.03$ it falls until it
# reaches float64 rounding, below $10^{-9}$; at 0.034, just above
# $2/\lambda_{\max}$, the error along the top eigenvector is multiplied by
# $|1 - \eta\lambda_{\max}| > 1$ at every step and the distance grows
# without bound, past a thousand times where it started.
# ```
#
# ## Summary
#
# Broadcasting lines shapes up on the right and copies along length-1 axes
# without storing the copies; `@` is rows times columns and pushes a whole
# batch through one matrix, here about {glue:text}`speedup:.0f` times faster
# than a Python loop. Autograd's gradient of a least-squares loss equals the
# formula, and gradient descent on it reaches the direct solution, provided
# the step stays below $2/\lambda_{\max} \approx$ {glue:text}`eta_max:.4f`.
#
# **Try this** (each is checked in the cell below):
#
# - `Tensor(np.ones((2, 3))) + Tensor(np.ones((2, 1)))` works and gives
#   shape $(2, 3)$, but `+ Tensor(np.ones(2))` raises a `ValueError`: a
#   missing axis is added on the left, not the right.
# - `descend(eta_max * 0.999)`: just below the limit each step multiplies
#   the error along the top eigenvector by $|1 - \eta\lambda_{\max}|$,
#   only just below 1, so descent still converges, but slowly: in
#   {glue:text}`gd_steps` steps the distance falls by a factor of
#   {glue:text}`near_factor:.1f`, less than tenfold, where at
#   $\eta = 0.02$ it reaches rounding.
# - Scale $A$ by 2 (`A = 2 * A`): $\lambda_{\max}$ grows four-fold, so the
#   largest stable step shrinks four-fold.

# %%
ones = Tensor(np.ones((2, 3)))
assert (ones + Tensor(np.ones((2, 1)))).shape == (2, 3)
try:
    ones + Tensor(np.ones(2))
    raise AssertionError("(2, 3) + (2,) should not broadcast")
except ValueError:
    pass
_, near_limit = descend(eta_max * 0.999)
near_factor = float(near_limit[0] / near_limit[-1])
glue("near_factor", near_factor, display=False)
assert 1 < near_factor < 10, f"near the limit: {near_factor:.1f}-fold"
assert near_limit[-1] > 1e6 * runs[0.02][1][-1], "not slower"
lambdas_2A = np.linalg.eigvalsh((2 * A.data).T @ (2 * A.data))
assert np.isclose(2 / lambdas_2A[-1], eta_max / 4), "eta_max / 4"
