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
# # Activation functions and softmax
#
# A layer of a network is a matrix product followed by a simple function
# applied to every number, the **activation**. Without it, a deep network
# would be no more expressive than a single matrix. This page draws the
# common activations and their derivatives (taken by tinytorch's autograd,
# never typed in), shows numerically why stacked linear layers collapse into
# one, and looks at softmax, the activation that turns a vector of scores into
# probabilities, and at its temperature.
#
# **What you will see**
#
# - ReLU, sigmoid, tanh and GELU with their derivatives from autograd, equal to
#   the closed forms on a grid of {glue:text}`n_grid` points and confirmed by `gradcheck`
#   (figure);
# - where each derivative is largest, and how small the sigmoid's and tanh's
#   become at $|x| = 4$ (table);
# - three linear layers that are exactly one linear layer (the product of their
#   weight matrices), and the same layers with ReLU in between, which no single
#   linear map reproduces (figure);
# - softmax outputs that sum to 1 at every temperature, and an entropy that
#   rises with the temperature (figure).

# %%
import numpy as np
from myst_nb import glue

import tinytorch as tt
from tinytorch import viz
from tinytorch.core.tensor import Tensor

_ = tt.manual_seed(0)  # tinytorch's one global random generator
rng = np.random.default_rng(0)

# %% [markdown]
# ## Four activations
#
# | name | $f(x)$ | $f'(x)$ |
# |---|---|---|
# | ReLU | $\max(0, x)$ | $1$ if $x > 0$, else $0$ |
# | sigmoid | $\sigma(x) = \dfrac{1}{1 + e^{-x}}$ | $\sigma(x)\,(1 - \sigma(x))$ |
# | tanh | $\tanh x$ | $1 - \tanh^2 x$ |
# | GELU | $x\,\Phi(x)$ | $\Phi(x) + x\,\varphi(x)$ |
#
# Here $\varphi(x) = e^{-x^2/2}/\sqrt{2\pi}$ is the standard normal density and
# $\Phi$ its cumulative distribution. ReLU has a kink at 0; tinytorch, like
# PyTorch, uses the derivative 0 there.

# %%
at_kink = Tensor([0.0], dtype=np.float64, requires_grad=True)
tt.relu(at_kink).sum().backward()
assert at_kink.grad[0] == 0.0, f"ReLU'(0) = {at_kink.grad[0]}"
print("ReLU'(0) from autograd:", at_kink.grad[0])

# %% [markdown]
#
# We evaluate each activation on {glue:text}`n_grid` points from $-4$ to
# $4$ and call `.sum().backward()`: each output depends only on its own input, so the
# gradient of the sum with respect to $x_i$ is $f'(x_i)$. The closed forms are
# computed separately in NumPy; for GELU, $\Phi$ is obtained by integrating
# $\varphi$ numerically (the trapezoid rule on a fine grid), independently of
# the library's own error-function approximation.

# %%
activations = {"ReLU": tt.relu, "sigmoid": tt.sigmoid, "tanh": tt.tanh,
               "GELU": tt.gelu}
grid = np.linspace(-4.0, 4.0, 401)
glue("n_grid", len(grid), display=False)

values, derivatives = {}, {}
for name, f in activations.items():
    x = Tensor(grid, dtype=np.float64, requires_grad=True)
    y = f(x)
    y.sum().backward()
    values[name], derivatives[name] = y.data, x.grad

fine = np.linspace(-12.0, 4.0, 160_001)  # step 1e-4, from far left
density = np.exp(-fine**2 / 2) / np.sqrt(2 * np.pi)
trapezoids = (density[1:] + density[:-1]) / 2 * np.diff(fine)
cdf = np.concatenate([[0.0], np.cumsum(trapezoids)])  # Phi on `fine`
Phi = np.interp(grid, fine, cdf)
phi = np.exp(-grid**2 / 2) / np.sqrt(2 * np.pi)
sig = 1 / (1 + np.exp(-grid))
closed_forms = {
    "ReLU": (np.maximum(grid, 0), (grid > 0).astype(float)),
    "sigmoid": (sig, sig * (1 - sig)),
    "tanh": (np.tanh(grid), 1 - np.tanh(grid) ** 2),
    "GELU": (grid * Phi, Phi + grid * phi),
}
errors = {name: (np.abs(values[name] - f).max(),
                 np.abs(derivatives[name] - df).max())
          for name, (f, df) in closed_forms.items()}
viz.Table(["activation", "largest error of f", "of f′"],
          [[name, *e] for name, e in errors.items()],
          formats={1: ".1e", 2: ".1e"})

# %% [markdown]
# Autograd and the formulas agree to within $10^{-6}$ everywhere on the grid.

# %%
for name, (err_f, err_df) in errors.items():
    assert err_f < 1e-6, f"{name}: value off by {err_f:.1e}"
    assert err_df < 1e-6, f"{name}: derivative off by {err_df:.1e}"
worst_error = max(max(e) for e in errors.values())
glue("worst_error", float(worst_error), display=False)

# %% [markdown]
# As a second, formula-free check, {py:func}`~tinytorch.core.autograd.gradcheck`
# compares each backward pass with central finite differences at
# {glue:text}`n_points` random points (kept away from ReLU's kink, where the two one-sided slopes differ).

# %%
signs = rng.choice([-1.0, 1.0], size=12)
points = rng.uniform(0.1, 3.0, size=12) * signs
glue("n_points", len(points), display=False)
for name, f in activations.items():
    worst = tt.gradcheck(f, [points])
    assert worst < 1e-6, f"{name}: gradcheck off by {worst:.1e}"
    print(f"{name:8} gradcheck: largest difference {worst:.1e}")

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Four activations (top) and their derivatives computed by autograd (bottom); dots: closed forms.", "name": "fig-activations"}}
fig, axes = viz.subplots(2, 4, height=4.2, sharex=True)
for k, name in enumerate(activations):
    dots = (grid[::25], closed_forms[name][1][::25])
    viz.plot_lines({name: values[name]}, x=grid, ax=axes[0, k],
                   title=name, xlabel="", ylabel="f(x)", legend=False)
    viz.plot_lines({"autograd": derivatives[name], "closed form": dots},
                   x=grid, ax=axes[1, k], xlabel="x", ylabel="f′(x)",
                   styles={"closed form": "o"},
                   legend="best" if k == 0 else False)
fig

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# Each column is one activation: the function on top, its derivative below.
# In the bottom row the line is autograd's derivative and the dots are the
# closed form at every 25th grid point. Watch where each derivative is close to
# zero: there, a gradient passing back through the activation all but stops.
# ```
#
# The table below reads the figure's numbers off the arrays. The sigmoid's
# derivative is never larger than $\tfrac14$ (at $x = 0$), and tanh's never
# larger than 1; at $|x| = 4$ both are almost zero: the function is
# **saturated**, and a neuron stuck there learns very slowly. ReLU's derivative
# is exactly 1 for every positive input, however large, and exactly 0 for
# every negative one. GELU is a smooth ReLU that dips slightly below zero for
# negative inputs.

# %%
at_4 = np.isclose(np.abs(grid), 4.0)
viz.Table(["activation", "largest f′", "at x", "f′(−4)",
           "f′(4)", "min f"],
          [[name, d.max(),
            "x > 0" if name == "ReLU" else f"{grid[np.argmax(d)]:.2f}",
            *d[at_4], values[name].min()]
           for name, d in derivatives.items()],
          formats={1: ".4f", 3: ".2e", 4: ".2e", 5: ".3f"})

# %%

d_sigmoid, d_tanh = derivatives["sigmoid"], derivatives["tanh"]
d_relu, d_gelu = derivatives["ReLU"], derivatives["GELU"]
at_0 = np.isclose(grid, 0.0)
assert np.isclose(d_sigmoid.max(), 0.25), "sigmoid' peaks at 1/4"
assert np.isclose(d_tanh.max(), 1.0), "tanh' peaks at 1"
assert d_sigmoid[at_0] == d_sigmoid.max(), "sigmoid' peaks at x = 0"
assert d_tanh[at_0] == d_tanh.max(), "tanh' peaks at x = 0"
assert d_sigmoid[at_4].max() < 0.02, "sigmoid saturates at |x| = 4"
assert d_tanh[at_4].max() < 0.002, "tanh saturates at |x| = 4"
assert np.all(d_relu[grid > 0] == 1) and np.all(d_relu[grid < 0] == 0)
far = Tensor([-1e6, 1e6], dtype=np.float64, requires_grad=True)
tt.relu(far).sum().backward()
assert far.grad.tolist() == [0.0, 1.0], "ReLU' far from 0"
x_min_gelu = grid[np.argmin(values["GELU"])]
assert values["GELU"].min() < 0 and -1 < x_min_gelu < -0.5, "GELU dips"
assert d_gelu.min() < 0 < 1 < d_gelu.max(), "GELU's slope leaves [0, 1]"

# %% [markdown]
# ## Why a nonlinearity is needed at all
#
# A {py:class}`~tinytorch.core.layers.Linear` layer computes
# $\mathbf{y} = \mathbf{x}W + \mathbf{b}$. Two in a row give
#
# $$
# (\mathbf{x}W_1 + \mathbf{b}_1)W_2 + \mathbf{b}_2
#   = \mathbf{x}\,(W_1W_2) + (\mathbf{b}_1W_2 + \mathbf{b}_2),
# $$
#
# again one linear layer, with weight $W_1W_2$. However many layers are
# stacked, the whole stack is one matrix and one bias. We check this on three
# layers mapping 4 → 8 → 8 → 3, on 200 random inputs.

# %%
layers = [tt.Linear(4, 8), tt.Linear(8, 8), tt.Linear(8, 3)]
linear_stack = tt.Sequential(*layers)
(W1, b1), (W2, b2), (W3, b3) = [(m.weight, m.bias) for m in layers]
W = W1 @ W2 @ W3  # (4, 3)
b = (b1 @ W2 + b2) @ W3 + b3  # (3,)

inputs = Tensor(rng.normal(size=(200, 4)))
with tt.no_grad():
    stacked = linear_stack(inputs)
    collapsed = inputs @ W + b
gap = np.abs(stacked.data - collapsed.data).max()
assert gap < 1e-5, f"the stack differs from x @ W + b by {gap:.1e}"
print(f"three layers vs one {W.shape} matrix and a bias: "
      f"largest difference {gap:.1e}")

# %% [markdown]
# Put a ReLU between the same three layers and this breaks. To show that no
# linear layer at all (not just the product above) reproduces the new network,
# we fit the best one by least squares, `np.linalg.lstsq` on the inputs with a
# column of ones for the bias, and measure what is left over, relative to the
# spread of the outputs. For the linear stack the best fit is exact; for the
# ReLU network a sizeable part of the output remains unexplained.

# %%
relu_net = tt.Sequential(layers[0], tt.ReLU(), layers[1], tt.ReLU(),
                         layers[2])  # the same three layers


def unexplained(model):
    """Share of the output's variance the best linear fit misses."""
    with tt.no_grad():
        outputs = model(inputs).data.astype(np.float64)
    design = np.column_stack([inputs.data, np.ones(len(inputs.data))])
    coef = np.linalg.lstsq(design, outputs, rcond=None)[0]
    left_over = ((design @ coef - outputs) ** 2).sum()
    return left_over / ((outputs - outputs.mean(axis=0)) ** 2).sum()


left_linear = unexplained(linear_stack)
left_relu = unexplained(relu_net)
assert left_linear < 1e-9, f"linear stack: {left_linear:.1e} left over"
assert left_relu > 0.05, f"ReLU network: only {left_relu:.1e} left over"
glue("left_linear", float(left_linear), display=False)
glue("left_relu", float(left_relu), display=False)
print("variance the best linear map leaves unexplained:")
print(f"  three linear layers: {left_linear:.1e}")
print(f"  with ReLU between:   {left_relu:.1%}")

# %% [markdown]
# In one dimension the difference is easy to see. The next figure takes a
# network 1 → 16 → 16 → 1 and plots its output against its input, once as
# three plain linear layers and once with ReLU between them (same weights).
# The first is a straight line: its second differences vanish. The second is
# piecewise linear with kinks, one wherever some hidden unit switches on or
# off; that bending is what lets a network fit curved functions.

# %%
small = [tt.Linear(1, 16), tt.Linear(16, 16), tt.Linear(16, 1)]
line_net = tt.Sequential(*small)
kinked_net = tt.Sequential(small[0], tt.ReLU(), small[1], tt.ReLU(),
                           small[2])
xs = np.linspace(-3, 3, 601)
with tt.no_grad():
    line_out = line_net(Tensor(xs[:, None])).data.ravel()
    kinked_out = kinked_net(Tensor(xs[:, None])).data.ravel()
line_curvature = np.abs(np.diff(line_out, 2)).max()
kinks = int((np.abs(np.diff(kinked_out, 2)) > 1e-4).sum())
n_relus = sum(m.weight.shape[1] for m in small[:2])  # 16 + 16
glue("n_relus", n_relus, display=False)
assert line_curvature < 1e-5, f"it bends: {line_curvature:.1e}"
assert kinks >= 2, f"the ReLU network should bend, found {kinks} kinks"
print(f"largest second difference of the linear stack: "
      f"{line_curvature:.1e}")
print(f"the ReLU network bends at {kinks} of the {len(xs) - 2} "
      f"interior grid points")

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The same three layers without (left) and with (right) ReLU between them, as a function of a 1-D input.", "name": "fig-linear-collapse"}}
fig, (left, right) = viz.subplots(1, 2, sharex=True)
viz.plot_lines({"three linear layers": line_out}, x=xs, ax=left,
               xlabel="input x", ylabel="output", legend=False,
               title="three linear layers")
viz.plot_lines({"with ReLU": kinked_out}, x=xs, ax=right,
               xlabel="input x", legend=False,
               title="the same layers with ReLU")
fig

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# Both panels plot the network's single output against its single input, with
# the same weights. On the left every layer is linear and the result is one
# straight line; on the right each change of slope is a place where one of the
# {glue:text}`n_relus` hidden ReLUs switches between off (output 0) and on.
# ```
#
# ## Softmax and temperature
#
# A classifier's last layer produces one score (logit) $z_k$ per class.
# {py:func}`~tinytorch.core.activations.softmax` turns them into probabilities,
#
# $$
# p_k = \frac{e^{z_k / T}}{\sum_j e^{z_j / T}},
# $$
#
# every $p_k$ positive and all of them summing to 1; the largest score gets the
# largest probability. The **temperature** $T$ (1 by default) divides the
# scores first. A low temperature exaggerates the differences, pushing almost
# all the probability onto the top score; a high one flattens them towards
# the uniform distribution. How spread out a distribution is can be measured by
# its entropy $H(p) = -\sum_k p_k \ln p_k$, which runs from 0 (all mass on one
# class) to $\ln K$ (uniform over $K$ classes).
#
# Below, five scores at six temperatures, all in one call: each row of the
# $(6, 5)$ matrix `scores / T` is softmaxed along its last axis.

# %%
scores = np.array([3.0, 1.5, 1.0, 0.2, -1.0])
temperatures = np.array([0.25, 0.5, 1.0, 2.0, 4.0, 8.0])
scaled = Tensor(scores[None, :] / temperatures[:, None])  # (6, 5)
probs = tt.softmax(scaled, axis=-1).data.astype(np.float64)
entropy = -(probs * np.log(probs)).sum(axis=1)
K = len(scores)
uniform_entropy = np.log(K)

glue("ln_K", float(uniform_entropy), display=False)
viz.Table(["T", *(f"p{k + 1}" for k in range(K)), "sum", "entropy"],
          [[T, *p, p.sum(), h]
           for T, p, h in zip(temperatures, probs, entropy)],
          formats={0: "g", **{k + 1: ".4f" for k in range(K)},
                   K + 1: ".6f", K + 2: ".4f"})

# %% [markdown]
# Every row sums to 1, the ranking of the classes never changes, and the
# entropy rises with every increase of the temperature: at $T = 0.25$ the top
# class takes more than 99 % of the probability, while at $T = 8$ the entropy
# is above 95 % of its maximum, $\ln 5$.


# %%
ranking = np.argsort(-probs, axis=1)
assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-6), "rows sum to 1"
assert np.all(probs > 0), "every probability is positive"
assert np.all(ranking == np.argsort(-scores)), "the ranking is kept"
assert np.all(np.diff(entropy) > 0), "entropy rises with T"
assert probs[0].max() > 0.99, "at T = 0.25 the top score takes > 99 %"
assert entropy[-1] > 0.95 * uniform_entropy, "at T = 8 nearly uniform"

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Softmax of the same five scores at six temperatures, and the entropy of each distribution.", "name": "fig-softmax-temperature"}}
fig, (bars, line) = viz.subplots(1, 2, width_ratios=[2, 1])
viz.plot_bars({f"class {k + 1} (score {z:g})": probs[:, k]
               for k, z in enumerate(scores)},
              [f"{T:g}" for T in temperatures], ax=bars,
              xlabel="temperature T", ylabel="probability")
viz.plot_lines({"entropy": entropy}, x=temperatures, ax=line,
               xscale="log", xticks=temperatures, legend="lower right",
               xlabel="temperature T", ylabel="entropy (nats)",
               hlines={f"ln {K}": uniform_entropy})
fig

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# Left: one group of bars per temperature, one bar per class, in the order of
# the scores (class 1 has the highest score). Right: the entropy of each of
# those distributions against the temperature (log scale); the dashed line is
# the entropy of the uniform distribution, the ceiling it approaches.
# ```
#
# Two more properties follow from the formula. Adding the same constant to
# every score changes nothing (it cancels between numerator and denominator),
# which is how softmax is computed safely: tinytorch subtracts the largest score
# first, so scores in the thousands give no overflow. And with two classes,
# softmax is the sigmoid of the difference of the scores,
# $p_1 = \sigma(z_1 - z_2)$: the single neuron of {doc}`single_neuron` is a
# two-class softmax in disguise.

# %%
z = Tensor(scores)
shifted = tt.softmax(z + 100.0).data
assert np.allclose(shifted, tt.softmax(z).data, atol=1e-6), "shift"
huge = tt.softmax(Tensor([1000.0, 999.0, 990.0])).data
assert np.all(np.isfinite(huge)) and np.isclose(huge.sum(), 1.0), huge
pair = Tensor([[2.0, 0.5], [-1.0, 1.0], [0.3, 0.3]])
two_class = tt.softmax(pair).data[:, 0]
as_sigmoid = tt.sigmoid(pair[:, 0] - pair[:, 1]).data
assert np.allclose(two_class, as_sigmoid, atol=1e-6), "two classes"
print("softmax([1000, 999, 990]) =", np.round(huge, 5))
print("two-class softmax:        ", np.round(two_class, 4))
print("sigmoid of the difference:", np.round(as_sigmoid, 4))

# %% [markdown]
# ## Summary
#
# Autograd's derivatives of ReLU, sigmoid, tanh and GELU equal their closed
# forms (largest difference {glue:text}`worst_error:.1e`); the sigmoid's
# derivative never exceeds $\tfrac14$ and both it and tanh's nearly vanish at
# $|x| = 4$. Linear layers stacked without an activation collapse into one
# (the best single linear map leaves {glue:text}`left_linear:.0e` of the
# variance unexplained), while a ReLU between them leaves
# {glue:text}`left_relu:.0%` unexplained. Softmax turns scores into
# probabilities at every temperature, flatter as $T$ grows, its entropy rising
# towards $\ln 5 \approx$ {glue:text}`ln_K:.3f`.
#
# **Try this** (each is checked in the cell below):
#
# - `tt.sigmoid(Tensor(10.0))`: its derivative there is below $10^{-4}$, a
#   saturated unit.
# - `unexplained(tt.Sequential(layers[0], tt.Tanh(), layers[1], tt.Tanh(),
#   layers[2]))`: tanh bends the map too, and leaves more than 1 % of the
#   variance unexplained.
# - `tt.softmax(Tensor(scores) / 0.01)`: at a very low temperature softmax
#   becomes the one-hot vector of the largest score.

# %%
ten = Tensor(10.0, dtype=np.float64, requires_grad=True)
tt.sigmoid(ten).backward()
assert ten.grad < 1e-4, f"sigmoid'(10) = {ten.grad}"
tanh_net = tt.Sequential(layers[0], tt.Tanh(), layers[1], tt.Tanh(),
                         layers[2])
assert unexplained(tanh_net) > 0.01, unexplained(tanh_net)
cold = tt.softmax(Tensor(scores) / 0.01).data
assert np.allclose(cold, np.eye(K)[np.argmax(scores)], atol=1e-6), cold
