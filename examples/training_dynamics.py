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
# # Training dynamics: step size, optimizers, initialisation
#
# What the learning rate, the optimizer, the initial weights, LayerNorm and
# regularisation do to training, each measured on small networks trained
# on this page. The other pages use Adam, default initialisation and
# LayerNorm without explaining them; here we see why a learning rate has a
# ceiling, what momentum and Adam change in the update, why a deep
# network's initial scale decides whether gradients reach its first layers,
# what LayerNorm does to the activations, what weight decay and dropout do
# to an over-fitting model, and how to watch a network while it learns.
#
# **What you will see**
#
# - gradient descent on a least-squares problem converging just below the
#   learning rate $2/\lambda_{\max}$ and diverging just above it, with
#   $\lambda_{\max}$ computed;
# - loss spikes on the spirals at a large Adam learning rate;
# - the update rules of SGD, momentum and Adam next to tinytorch's code, one
#   step checked by hand, and the three compared on one task;
# - the initial loss $\ln C$; vanishing and exploding gradients in a
#   10-layer network; LayerNorm keeping the activations' scale fixed;
# - weight decay and dropout on an over-fitting network, one at a time;
# - instruments: per-layer gradient norm, update-to-weight ratio and dead
#   ReLUs over training.
#
# Every result that depends on the random start is given as the median and
# the range over five runs, trained together as one batched model, and the
# claims are checked on the worst run.

# %%
import inspect
import math

import numpy as np
from myst_nb import glue

import tinytorch as tt
from tinytorch import viz
from tinytorch.core.layers import dropout

_ = tt.manual_seed(0)
RUNS = 5


def glue_all(**values):
    """Glue each number for the prose ({glue:text}`name:.2f`)."""
    for name, value in values.items():
        glue(name, float(value), display=False)


# %% [markdown]
# ## The learning rate has a ceiling
#
# Take the least-squares loss $L(w) = \frac1n\lVert Xw - y\rVert^2$. Its
# Hessian is the constant matrix $H = \frac2n X^\top X$, and one gradient
# step, $w \leftarrow w - \eta \nabla L(w)$, multiplies the error
# $w - w^\star$ along each eigenvector of $H$ (eigenvalue $\lambda$) by
# $1 - \eta\lambda$. Every factor has magnitude below 1 exactly when
# $\eta < 2/\lambda_{\max}$; above that, the error along the top eigenvector
# grows by $|1 - \eta\lambda_{\max}|$ per step and the loss by its square.
# The features below have different scales, so the eigenvalues differ.

# %%
rng = np.random.default_rng(0)
n = 64
X_ls = rng.normal(size=(n, 3)) * np.array([2.0, 1.0, 0.5])
y_ls = X_ls @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=n)
X_ls, y_ls = tt.Tensor(X_ls), tt.Tensor(y_ls[:, None])
hessian = 2 * (X_ls.T @ X_ls) / n
eigenvalues = np.linalg.eigvalsh(hessian.data.astype(np.float64))
lam_max = eigenvalues[-1]
best = tt.mse_loss(X_ls @ tt.Tensor(np.linalg.lstsq(
    X_ls.data, y_ls.data, rcond=None)[0]), y_ls).item()
print(f"eigenvalues of H: {np.round(eigenvalues, 3)}")
print(f"2 / lambda_max = {2 / lam_max:.4f}; least loss {best:.5f}")


# %%
def descend(lr, steps=60):
    """Plain gradient descent on the least-squares loss from w = 0."""
    w = tt.Parameter(np.zeros((3, 1), dtype=np.float32))
    optimizer = tt.SGD([w], lr=lr)
    losses = []
    for _ in range(steps):
        loss = tt.mse_loss(X_ls @ w, y_ls)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return np.array(losses)


ABOVE = 1.1  # the rate above the ceiling, as a multiple of 2/lam_max
factors = [0.5, 0.9, ABOVE]
ls_losses = {f: descend(f * 2 / lam_max) for f in factors}
growth = ls_losses[ABOVE][-1] / ls_losses[ABOVE][-2]
predicted = (ABOVE * 2 - 1) ** 2
for f in factors:
    print(f"lr = {f} x 2/lambda_max: loss {ls_losses[f][0]:.3g}"
          f" -> {ls_losses[f][-1]:.3g}")
glue_all(lam_max=lam_max, lr_max=2 / lam_max, growth=growth,
         predicted_growth=predicted, above=ABOVE)
for f in (0.5, 0.9):
    assert ls_losses[f][-1] - best < 1e-3 * (ls_losses[f][0] - best), f
assert ls_losses[ABOVE][-1] > 1e3 * ls_losses[ABOVE][0], "no divergence"
assert abs(growth / predicted - 1) < 0.01, (growth, predicted)

# %% [markdown]
# Here $\lambda_{\max}$ = {glue:text}`lam_max:.3f`, so the ceiling is
# $\eta$ = {glue:text}`lr_max:.4f`. At 0.5 and 0.9 times the ceiling, 60
# steps bring the loss within $10^{-3}$ of the initial gap to its least
# value; at $a$ = {glue:text}`above:.1f` times, the loss grows by a factor
# of {glue:text}`growth:.3f` per step at the end, the predicted
# $(2a - 1)^2$ = {glue:text}`predicted_growth:.2f` (within 1 %).

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Gradient descent on least squares at three learning rates.", "name": "fig-lr-ceiling"}}
fig = viz.plot_lines(
    {f"lr = {f} × 2/λ_max": ls_losses[f] - best for f in factors},
    xlabel="step", ylabel="loss - least loss", yscale="log")

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# Each curve is the loss above its least value, on a log scale, so a
# straight line is geometric convergence or growth. At half the ceiling the
# loss falls steadily; at 0.9 times it falls too (the top direction
# overshoots and flips sign each step, but shrinks); above the ceiling it
# climbs as a straight line: the top direction's error grows by the same
# factor every step.
# ```
#
# ## A network at a large learning rate: loss spikes
#
# A network's loss is not quadratic, and its curvature changes as it
# trains, but the same ceiling shows. We train five two-hidden-layer ReLU
# networks (2 → 32 → 32 → 3) on the three spirals of
# {py:func}`tinytorch.datasets.spirals`, full batch, with Adam at two
# learning rates. The five runs are one model: every weight has a leading
# axis of length 5, the inputs broadcast over it, and the loss is the sum of
# the five runs' losses, so each run gets exactly its own gradient.


# %%
class EnsembleMLP(tt.Module):
    """RUNS independent MLPs in one model: weight (RUNS, in, out).

    gain=None: PyTorch's default init U(-k, k), k = 1/sqrt(fan_in), for
    weights and biases; else weights of std gain/sqrt(fan_in), bias 0.
    norm: one LayerNorm before every activation (shared by the layers;
    this page uses it only at initialisation).
    """

    def __init__(self, sizes, act=tt.relu, gain=None, p=0.0,
                 norm=False):
        super().__init__()
        rng, self.act, self.p = tt.default_rng(), act, p
        self.weights, self.biases = [], []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            k = kb = 1 / math.sqrt(a)  # PyTorch's default
            if gain is not None:
                k, kb = gain * math.sqrt(3 / a), 0.0
            w = rng.uniform(-k, k, (RUNS, a, b))
            bias = rng.uniform(-kb, kb, (RUNS, 1, b))
            self.weights.append(tt.Parameter(w.astype(np.float32)))
            self.biases.append(tt.Parameter(bias.astype(np.float32)))
            setattr(self, f"weight{i}", self.weights[-1])
            setattr(self, f"bias{i}", self.biases[-1])
        self.norm = tt.LayerNorm(sizes[1]) if norm else None

    def forward(self, x, keep=None):
        """(N, in) -> (RUNS, N, out); keep collects pre-activations."""
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            x = x @ w + b
            if keep is not None:
                keep.append(x)
            if i < last:
                x = self.act(self.norm(x) if self.norm else x)
                x = dropout(x, self.p, self.training)
        return x


def run_losses(logits, labels):
    """Cross-entropy of each run: (RUNS, N, C) logits -> (RUNS,)."""
    runs, count, classes = logits.shape
    labels = np.tile(getattr(labels, "data", labels), runs)
    losses = tt.cross_entropy(logits.reshape(runs * count, classes),
                              labels, reduction="none")
    return losses.reshape(runs, count).mean(axis=1)


X_sp, y_sp = tt.datasets.spirals(100, n_classes=3, seed=0)
x_sp = tt.Tensor(X_sp)
print(f"{len(y_sp)} points, {RUNS} runs of 2 -> 32 -> 32 -> 3")

# %% [markdown]
# We train with {py:func}`~tinytorch.core.training.fit`, one full batch per
# epoch, and watch with a {py:class}`~tinytorch.core.callbacks.Recorder`:
# before training and after every step it calls a probe on the model and
# keeps what the probe returns. The probe below measures each run's loss
# and the instruments of the last section.


# %%
def train(model, optimizer, steps, x, labels, probe=None):
    """Full-batch training with fit; returns the probe's Recorder."""
    data = tt.TensorDataset(x.data, labels)
    loader = tt.DataLoader(data, batch_size=len(labels))
    recorder = tt.Recorder(probe) if probe else None
    tt.fit(model, loader, lambda out, y: run_losses(out, y).sum(),
           optimizer, epochs=steps, verbose=False,
           callbacks=[recorder] if probe else None)
    return recorder


def norms(array):
    """L2 norm of each run's slice: (RUNS, ...) -> (RUNS,)."""
    return np.sqrt((array.astype(np.float64) ** 2).reshape(RUNS, -1)
                   .sum(axis=1))


def loss_probe(x, labels):
    """A probe: each run's loss on (x, labels)."""
    return lambda model: {"loss": run_losses(model(x), labels).data}


def instruments(x, labels):
    """A probe: per run, the loss; per layer and run, the gradient norm,
    the last update over the weight, the weight's rms; dead ReLUs."""
    last = {}

    def probe(model):
        keep, weights = [], [w.data for w in model.weights]
        loss = run_losses(model(x, keep), labels).data
        before = last.get("weights", weights)  # called after every step
        last["weights"] = [w.copy() for w in weights]
        grads = [0 * w.data if w.grad is None else w.grad
                 for w in model.weights]  # no gradient before step 1
        hidden = keep[:-1]  # pre-activations (RUNS, N, H) of each ReLU
        dead = [(h.data <= 0).all(axis=1).mean(axis=1) for h in hidden]
        return {"loss": loss, "dead": np.mean(dead, axis=0),
                "grad": [norms(g) for g in grads],
                "update": [norms(a - b) / norms(b)
                           for a, b in zip(weights, before)],
                "rms": [norms(w) / np.sqrt(w[0].size) for w in weights]}
    return probe


# %%
STEPS, rates = 300, [0.01, 0.1]
recorders = {}
for lr in rates:
    _ = tt.manual_seed(1)
    model = EnsembleMLP([2, 32, 32, 3])
    recorders[lr] = train(model, tt.Adam(model.parameters(), lr=lr),
                          STEPS, x_sp, y_sp, instruments(x_sp, y_sp))
# each run's loss before training and after each step: (STEPS + 1, RUNS)
spiral = {lr: recorder["loss"] for lr, recorder in recorders.items()}


def rises(losses):
    """Per run: the share of steps that raise the loss by over 1 %."""
    return (losses[1:] > 1.01 * losses[:-1]).mean(axis=0)


def largest_jump(losses):
    """Per run: the largest loss over the best loss reached before."""
    best = np.minimum.accumulate(losses)[:-1]
    return (losses[1:] / best).max(axis=0)


for lr in rates:
    print(f"lr {lr}: share of rising steps",
          np.round(rises(spiral[lr]), 2), "; largest jump",
          np.round(largest_jump(spiral[lr]), 2))
up = {lr: rises(spiral[lr]) for lr in rates}
glue_all(up_small=up[0.01].max(), up_large=up[0.1].min(),
         jump_large=largest_jump(spiral[0.1]).max())
assert up[0.01].max() < 0.05 < up[0.1].min(), up
assert largest_jump(spiral[0.1]).max() > 2, "no spike"

# %% [markdown]
# At learning rate 0.01 the loss rises (by more than 1 %) on at most a
# share {glue:text}`up_small:.2f` of the steps of any run; at 0.1, on at
# least {glue:text}`up_large:.2f` of them in every run, and the largest
# spike reaches {glue:text}`jump_large:.1f` times the best loss reached
# before it: as in the quadratic case, a step too large for the local
# curvature overshoots.

# %% tags=["hide-input", "thumbnail"] mystnb={"figure": {"caption": "Training loss of the five runs at two Adam learning rates.", "name": "fig-spikes"}}
fig, (left, right) = viz.subplots(1, 2)
for ax, lr in zip((left, right), rates):
    runs = {f"run {r + 1}": spiral[lr][:, r] for r in range(RUNS)}
    viz.plot_lines(runs, ax=ax, xlabel="step", ylabel="loss",
                   yscale="log", title=f"Adam, lr {lr}", legend=False)

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# One curve per run, loss on a log scale. Left, the five curves fall
# smoothly. Right, they are broken by sudden upward jumps.
# ```
#
# ## SGD, momentum, Adam
#
# Write $g_t$ for the gradient at step $t$ and $\eta$ for the learning rate.
#
# | optimizer | update |
# |---|---|
# | SGD | $w \leftarrow w - \eta\, g_t$ |
# | momentum | $b_t = \mu\, b_{t-1} + g_t$ ($b_1 = g_1$), $\; w \leftarrow w - \eta\, b_t$ |
# | Adam | $m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t$, $\; v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2$, |
# | | $w \leftarrow w - \eta\, \dfrac{m_t / (1-\beta_1^t)}{\sqrt{v_t / (1-\beta_2^t)} + \epsilon}$ |
#
# Momentum keeps a decaying sum of past gradients, so steps along a
# consistent direction grow to $\eta/(1-\mu)$ times the gradient, while
# directions that flip sign cancel. Adam divides each weight's step by a
# running root-mean-square of its own gradient, so every weight moves by
# about $\eta$ per step whatever its gradient's scale; $m$ and $v$ start at
# zero, and the factors $1-\beta^t$ undo that bias in the first steps. This
# is tinytorch's code for the two optimizers, read from the library:

# %%
for optimizer in (tt.SGD, tt.Adam):
    print(f"# {optimizer.__module__}.{optimizer.step.__qualname__}")
    print(inspect.getsource(optimizer.step))

# %% [markdown]
# Two steps of each, computed by hand from the formulas above, against
# `optimizer.step()`:

# %%
g1, g2 = np.array([0.3, -2.0, 5.0]), np.array([0.1, 1.0, -4.0])
w0 = np.array([1.0, 2.0, 3.0])
lr, mu, (beta1, beta2), eps = 0.1, 0.9, (0.9, 0.999), 1e-8
# by hand
momentum_hand = w0 - lr * g1 - lr * (mu * g1 + g2)
m1, v1 = (1 - beta1) * g1, (1 - beta2) * g1**2
m2, v2 = beta1 * m1 + (1 - beta1) * g2, beta2 * v1 + (1 - beta2) * g2**2
adam1 = w0 - lr * (m1 / (1 - beta1)) / (np.sqrt(v1 / (1 - beta2)) + eps)
adam_hand = adam1 - lr * (m2 / (1 - beta1**2)) / (
    np.sqrt(v2 / (1 - beta2**2)) + eps)


def two_steps(make):
    w = tt.Parameter(w0.copy(), dtype=np.float64)  # to 1e-12
    optimizer = make([w])
    for g in (g1, g2):
        w.grad = g.copy()
        optimizer.step()
    return w.data


momentum_tt = two_steps(lambda p: tt.SGD(p, lr=lr, momentum=mu))
adam_tt = two_steps(lambda p: tt.Adam(p, lr=lr, betas=(beta1, beta2)))
print("momentum  by hand", momentum_hand, " tinytorch", momentum_tt)
print("Adam      by hand", adam_hand, " tinytorch", adam_tt)
assert np.allclose(momentum_hand, momentum_tt, rtol=0, atol=1e-12)
assert np.allclose(adam_hand, adam_tt, rtol=0, atol=1e-12)
assert np.allclose(w0 - adam1, lr * np.sign(g1), rtol=1e-6)

# %% [markdown]
# Both agree to $10^{-12}$, and Adam's first step moves every weight by
# $\eta$ (here 0.1, to a relative $10^{-6}$), against the sign of its
# gradient, whether the gradient is 0.3 or 5.
#
# Now the three on the spirals, 300 full-batch steps each. SGD at rate 1.0
# and momentum 0.9 at rate 0.1 take the same long-run step along a steady
# gradient, $\eta/(1-\mu) = 1$; Adam uses 0.01, the run of the previous
# section. The baseline is the loss of a uniform guess, $\ln 3$.

# %%
optimizers = {"SGD, lr 1": lambda p: tt.SGD(p, lr=1.0),
              "momentum 0.9, lr 0.1":
                  lambda p: tt.SGD(p, lr=0.1, momentum=0.9)}
compared = {}
for name, make in optimizers.items():
    _ = tt.manual_seed(1)  # the same five starts as the Adam runs
    model = EnsembleMLP([2, 32, 32, 3])
    compared[name] = train(model, make(model.parameters()), STEPS,
                           x_sp, y_sp, loss_probe(x_sp, y_sp))["loss"]
compared["Adam, lr 0.01"] = spiral[0.01]
final = {name: L[-1] for name, L in compared.items()}
table = viz.Table.from_columns(
    {"optimizer": list(final),
     "median": [np.median(v) for v in final.values()],
     "best run": [v.min() for v in final.values()],
     "worst run": [v.max() for v in final.values()],
     "ln 3 (guess)": [math.log(3)] * len(final)},
    formats={k: ".3f" for k in
             ("median", "best run", "worst run", "ln 3 (guess)")})
sgd, mom, adam = final.values()
assert adam.max() < min(sgd.min(), mom.min()), final
assert mom.max() < np.median(sgd), final
assert max(v.max() for v in final.values()) < math.log(3), final
up_sgd, up_mom = (rises(compared[k]) for k in optimizers)
glue_all(up_sgd=up_sgd.min(), up_mom=up_mom.max())
assert up_mom.max() < 0.2 < up_sgd.min(), (up_sgd, up_mom)
med_sgd, med_mom, med_adam = (np.median(L, axis=1)
                              for L in compared.values())
assert (med_adam[1:] < np.minimum(med_sgd, med_mom)[1:]).all()
assert (med_mom[1:20] > med_sgd[1:20]).all(), "momentum not behind"
assert med_mom[-1] < med_sgd[-1], "momentum did not overtake"
table

# %% [markdown]
# After 300 steps every run of every optimizer is below the guessing loss.
# Adam's worst run ends below the best run of either SGD variant, and
# momentum's worst run below plain SGD's median, although both take the
# same long-run step. Plain SGD at rate 1 is at its own ceiling: it raises
# the loss on at least a share {glue:text}`up_sgd:.2f` of its steps in
# every run, bouncing across a narrow valley, while momentum, which averages
# those alternating gradients away, does so on a share of at most
# {glue:text}`up_mom:.2f`.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Median training loss of five runs for each optimizer.", "name": "fig-optimizers"}}
fig = viz.plot_lines(
    {name: np.median(L, axis=1) for name, L in compared.items()},
    xlabel="step", ylabel="median loss", yscale="log",
    hlines={"ln 3 (uniform guess)": math.log(3)})

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# The median of the five runs per step, on a log scale; the dashed line is
# the loss of guessing uniformly. Momentum trails plain SGD for at least
# its first 20 steps (its rate is ten times smaller, and its velocity needs
# about $1/(1-\mu) = 10$ steps to build up), then overtakes it; Adam's
# median is below both from the first step on.
# ```
#
# ## Initialisation
#
# **The initial loss.** A classifier that knows nothing should give every
# one of the $C$ classes probability $1/C$, a cross-entropy of $\ln C$. With
# PyTorch's default initialisation the logits start small, so the first
# loss of a fresh network is close to that: a quick test of a training
# script.

# %%
initial = spiral[0.01][0]  # the first step's loss of the five runs
glue_all(initial_lo=initial.min(), initial_hi=initial.max(),
         ln3=math.log(3))
print(f"initial losses {np.round(initial, 4)}"
      f"; ln 3 = {math.log(3):.4f}")
assert np.abs(initial - math.log(3)).max() < 0.05, initial

# %% [markdown]
# The five initial losses lie between {glue:text}`initial_lo:.3f` and
# {glue:text}`initial_hi:.3f`, within 0.05 of $\ln 3$ =
# {glue:text}`ln3:.3f`.
#
# **Deep networks.** Each layer multiplies the signal going forward, and
# the gradient going back, by a factor that depends on the weights' scale
# and on the activation's slope. Over ten layers, a factor a little below
# or above 1 becomes a tiny or a huge number. We take ten layers of width
# 64 on 256 random inputs with 10 random labels, and compare the gradient
# norm of each layer's weight at initialisation for
#
# - sigmoid, PyTorch's default initialisation: the sigmoid's slope is at
#   most 1/4, so the gradient shrinks on its way back;
# - ReLU, default initialisation (weight std $1/\sqrt{3\,\text{fan\_in}}$);
# - ReLU, He initialisation (std $\sqrt{2/\text{fan\_in}}$), chosen so that
#   a ReLU layer keeps the signal's second moment unchanged;
# - ReLU at twice the He scale: each layer doubles the signal.

# %%
x_deep = tt.Tensor(rng.normal(size=(256, 64)))
y_deep = rng.integers(0, 10, size=256)
DEEP = [64] * 10 + [10]
setups = {"sigmoid, default": (tt.sigmoid, None),
          "ReLU, default": (tt.relu, None),
          "ReLU, He": (tt.relu, math.sqrt(2)),
          "ReLU, 2 x He": (tt.relu, 2 * math.sqrt(2))}


def at_init(act, gain, norm=False):
    """Weight-gradient norms (L, R), pre-activation stds, losses."""
    _ = tt.manual_seed(2)
    model, keep = EnsembleMLP(DEEP, act, gain, norm=norm), []
    loss = run_losses(model(x_deep, keep), y_deep)
    loss.sum().backward()
    grads = np.array([norms(w.grad) for w in model.weights])
    stds = np.array([h.data.std(axis=(1, 2)) for h in keep])
    return grads, stds, loss.data


deep = {name: at_init(*setup) for name, setup in setups.items()}
for name, (grads, stds, loss) in deep.items():
    print(f"{name:17s} grad norm first / last layer: "
          f"{np.median(grads[0] / grads[-1]):.2e}; "
          f"initial loss {np.median(loss):.3g}")

# %%
ratio = {name: g[0] / g[-1] for name, (g, s, l) in deep.items()}
he_grads, he_loss = deep["ReLU, He"][0], deep["ReLU, He"][2]
big_grads, big_loss = deep["ReLU, 2 x He"][0], deep["ReLU, 2 x He"][2]
glue_all(sig_ratio=ratio["sigmoid, default"].max(),
         relu_default_ratio=ratio["ReLU, default"].max(),
         he_lo=ratio["ReLU, He"].min(), he_hi=ratio["ReLU, He"].max(),
         big_loss=big_loss.min(), he_loss=he_loss.max(),
         big_grad=(big_grads / he_grads).min(), ln10=math.log(10))
assert ratio["sigmoid, default"].max() < 1e-4, ratio
assert ratio["ReLU, default"].max() < 1e-2, ratio
assert 0.1 < ratio["ReLU, He"].min() and ratio["ReLU, He"].max() < 10
assert (big_grads / he_grads).min() > 10, "2 x He: no explosion"
big_ratio = ratio["ReLU, 2 x He"]
assert 0.1 < big_ratio.min() and big_ratio.max() < 10, big_ratio
assert big_loss.min() > 10 * math.log(10) > he_loss.max(), big_loss

# %% [markdown]
# In the sigmoid network the first layer's gradient is at most
# {glue:text}`sig_ratio:.1e` times the last layer's on every run: the first
# layers would barely train. With ReLU and the default scale it is at most
# {glue:text}`relu_default_ratio:.1e`. He initialisation keeps the first
# and the last layers' gradients within a factor of 10 of each other
# (ratios {glue:text}`he_lo:.2f` to {glue:text}`he_hi:.2f`). At twice the He
# scale, the gradients are at least {glue:text}`big_grad:.0f` times the He
# ones, and the initial loss is at least {glue:text}`big_loss:.0f` against
# $\ln 10$ = {glue:text}`ln10:.2f`: the logits are huge and confidently
# wrong.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Gradient norm of each layer's weight at initialisation, median of five runs.", "name": "fig-init-grads"}}
fig = viz.plot_lines(
    {name: np.median(g, axis=1) for name, (g, s, l) in deep.items()},
    x=np.arange(1, len(DEEP)), xlabel="layer", ylabel="gradient norm",
    yscale="log", xticks=np.arange(1, len(DEEP)))

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# Layer 1 takes the input, layer 10 produces the logits; the gradient
# flows from right to left. A flat line means every layer gets a gradient
# of the same size; a line falling to the left means vanishing gradients.
# The sigmoid line drops by orders of magnitude; the He line is nearly
# flat; the 2 x He line is flat too, but far above it: every layer's
# gradient is inflated by the huge loss.
# ```
#
# ## LayerNorm
#
# {py:class}`~tinytorch.core.layers.LayerNorm` rescales each sample's
# vector $x$ of $D$ features to mean 0 and variance 1, then applies a
# learned scale $\gamma$ and shift $\beta$ (1 and 0 at initialisation):
#
# $$
# \mathrm{LN}(x) = \gamma \odot \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}
# + \beta,\quad \mu = \frac1D\sum_i x_i,\quad
# \sigma^2 = \frac1D\sum_i (x_i - \mu)^2 .
# $$
#
# Put one before every ReLU of the ten-layer network, and measure the
# standard deviation of each layer's pre-activations, with and without it,
# at half the He scale (each layer halves the signal) and at twice the He
# scale (each layer doubles it).

# %%
norm_setups = {"He / 2": math.sqrt(2) / 2, "2 x He": 2 * math.sqrt(2)}
stds = {}
for label, gain in norm_setups.items():
    stds[label] = at_init(tt.relu, gain)[1]
    stds[label + " + LayerNorm"] = at_init(tt.relu, gain, norm=True)[1]
spread = {k: (s[1:].max(axis=0) / s[1:].min(axis=0)) for k, s in
          stds.items()}  # per run, over layers 2 .. 10
for k, s in spread.items():
    print(f"{k:22s} largest / smallest std over layers 2-10:"
          f" {np.median(s):8.2f}")
glue_all(spread_ln=max(spread["He / 2 + LayerNorm"].max(),
                       spread["2 x He + LayerNorm"].max()),
         spread_small=spread["He / 2"].min(),
         spread_big=spread["2 x He"].min())
assert min(spread["He / 2"].min(), spread["2 x He"].min()) > 100
assert spread["He / 2 + LayerNorm"].max() < 2
assert spread["2 x He + LayerNorm"].max() < 2
scale_ratio = stds["2 x He + LayerNorm"] / stds["He / 2 + LayerNorm"]
assert np.allclose(scale_ratio, 4, rtol=1e-3), scale_ratio

# %% [markdown]
# Without LayerNorm, the pre-activations' standard deviation changes by a
# factor of at least {glue:text}`spread_small:.0f` (He / 2) and
# {glue:text}`spread_big:.0f` (2 × He) between layer 2 and layer 10. With
# it, every layer sees inputs of the same scale, and the standard deviation
# stays within a factor of {glue:text}`spread_ln:.2f` across those layers:
# the depth no longer compounds the scale. And since LayerNorm ignores its
# input's scale, the two networks (same random draws, weights 4 times
# apart) have the same normalised activations: their pre-activations differ
# by the factor 4 of the weights at every layer (to 0.1 %), not by $4^{10}$.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Standard deviation of each layer's pre-activations at initialisation, median of five runs.", "name": "fig-layernorm"}}
fig = viz.plot_lines(
    {k: np.median(s, axis=1) for k, s in stds.items()},
    x=np.arange(1, len(DEEP)), xlabel="layer",
    ylabel="pre-activation std",
    yscale="log", xticks=np.arange(1, len(DEEP)),
    styles={k: "o--" for k in stds if "LayerNorm" in k})

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# Solid lines without LayerNorm: He / 2 shrinks the signal and
# 2 × He grows it, geometrically (a straight line on the log axis). Dashed
# lines with LayerNorm: flat from layer 2 on, at a level set by the scale of
# the one layer between two normalisations.
# ```
#
# ## Regularisation: weight decay and dropout
#
# A network with far more weights than training points fits them and,
# left alone, grows ever more confident. We train 2 → 64 → 64 → 3 on 40
# spiral points per class for 400 Adam steps and score on 900 fresh points
# of the same spirals. Then we change one thing at a time: decoupled weight
# decay ({py:class}`~tinytorch.core.optimizers.AdamW`, each step shrinks
# every weight by the factor $1 - \eta\lambda$ before Adam's update), or
# dropout (each hidden unit zeroed with probability $p$ during training,
# the others scaled by $1/(1-p)$).

# %%
X_tr, y_tr = tt.datasets.spirals(40, n_classes=3, seed=1)
X_te, y_te = tt.datasets.spirals(300, n_classes=3, seed=2)
x_tr, x_te = tt.Tensor(X_tr), tt.Tensor(X_te)
variants = {"baseline (Adam)": (0.0, 0.0),
            "weight decay 0.5 (AdamW)": (0.5, 0.0),
            "dropout 0.2": (0.0, 0.2)}
scores = {}
for name, (decay, p) in variants.items():
    _ = tt.manual_seed(3)
    model = EnsembleMLP([2, 64, 64, 3], p=p)
    opt = tt.AdamW(model.parameters(), lr=0.01, weight_decay=decay)
    train(model, opt, 400, x_tr, y_tr)
    model.eval()
    with tt.no_grad():
        logits = model(x_te)
        scores[name] = (run_losses(model(x_tr), y_tr).data,
                        run_losses(logits, y_te).data,
                        (logits.data.argmax(-1) == y_te).mean(axis=1))


# %%
def median_range(values, fmt=".3f"):
    return (f"{np.median(values):{fmt}} "
            f"[{values.min():{fmt}}, {values.max():{fmt}}]")


rows = {name: [median_range(s[0]), median_range(s[1]),
               median_range(s[2], ".2f")] for name, s in scores.items()}
rows["uniform guess"] = [f"{math.log(3):.3f}"] * 2 + [f"{1 / 3:.2f}"]
header = ["variant", "train loss", "test loss", "test accuracy"]
table = viz.Table(header, [[name, *row] for name, row in rows.items()])
base = scores["baseline (Adam)"]
decay = scores["weight decay 0.5 (AdamW)"]
drop = scores["dropout 0.2"]
glue_all(base_test=np.median(base[1]), base_train=np.median(base[0]),
         base_acc=np.median(base[2]), decay_test=decay[1].max(),
         drop_test=drop[1].max(), best_base=base[1].min())
for reg in (decay, drop):
    assert reg[1].max() < base[1].min(), "regulariser: no better"
    assert reg[0].min() > base[0].max(), "regulariser: fits no worse"
    assert abs(np.median(reg[2]) - np.median(base[2])) < 0.05
assert (base[1] > 5 * base[0]).all(), "baseline does not overfit"
assert min(s[2].min() for s in scores.values()) > 1 / 3 + 0.4
table

# %% [markdown]
# Medians, with the range of the five runs in brackets; the last row is
# the uniform guess, and every run here beats its accuracy by more than
# 0.4. The baseline
# drives its training loss to a median of {glue:text}`base_train:.3f` while
# its test loss is {glue:text}`base_test:.2f`, more than five times the
# training loss on every run: it over-fits, with confident mistakes. Each
# regulariser, alone, costs training loss on every run and lowers the test
# loss: the worst run with weight decay ({glue:text}`decay_test:.2f`) and
# with dropout ({glue:text}`drop_test:.2f`) ends below the best baseline
# run ({glue:text}`best_base:.2f`). The median test accuracy moves by less
# than 0.05 from the baseline's {glue:text}`base_acc:.2f`: both
# regularisers mostly make the network less sure where it is wrong.
#
# ## Instruments: watching a network learn
#
# Three numbers per layer, recorded after every step by the `Recorder` of
# the spirals runs above:
#
# - the **gradient norm** of each layer's weight;
# - the **update-to-weight ratio** $\lVert\Delta W\rVert/\lVert W\rVert$, how
#   much a step changes the layer relative to its size (a common rule of
#   thumb wants about $10^{-3}$);
# - the share of **dead ReLUs**: hidden units whose output is 0 for every
#   training point. No gradient passes through them; a first-layer unit
#   can never come back, a later one only if the layers below it change.

# %%
recorder = recorders[0.01]
steps = np.array(recorder.steps)  # 0 (before training), 1, 2, ...
grad, ratio_upd = recorder["grad"], recorder["update"]  # (rec., L, R)
dead = {lr: r["dead"] for lr, r in recorders.items()}  # (records, R)
first_ratio = ratio_upd[1]  # after step 1: (layers, runs)
adam_first = 0.01 / recorder["rms"][0]  # lr / rms(W) before training
glue_all(ratio_first=np.median(first_ratio[1]),
         ratio_end=np.median(ratio_upd[-1]),
         dead_small=np.median(dead[0.01][-1]),
         dead_large=np.median(dead[0.1][-1]),
         dead_large_min=dead[0.1][-1].min(),
         dead_start=np.median(dead[0.01][0]))
assert (first_ratio <= adam_first * (1 + 1e-4)).all()
assert (first_ratio > 0.6 * adam_first).all(), first_ratio / adam_first
assert (ratio_upd[-1] < first_ratio / 10).all(), "ratio did not fall"
assert (1e-4 < ratio_upd[-1]).all() and (ratio_upd[-1] < 1e-2).all()


def per_layer(values):
    """{layer: (steps, median over runs)} from (records, L, R), 1 on."""
    median = np.median(values[1:], axis=2)  # (records - 1, L)
    return {f"layer {i + 1}": (steps[1:], median[:, i])
            for i in range(median.shape[1])}


panels = {  # one figure panel each
    "gradient norm": dict(series=per_layer(grad), yscale="log"),
    "update / weight": dict(series=per_layer(ratio_upd), yscale="log",
                            hlines={"1e-3": 1e-3}),
    "dead ReLU share": dict(series={
        f"lr {lr}": (steps, np.median(dead[lr], axis=1))
        for lr in rates})}
assert dead[0.1][-1].min() > np.median(dead[0.01][-1]), "dead ReLUs"
assert (dead[0.01][0] == dead[0.1][0]).all(), "not the same starts"

# %% [markdown]
# At the first step, Adam moves every weight that has a gradient by
# $\eta$ (up to its $\epsilon$), so the ratio is at most $\eta$ over the
# weights' root-mean-square, and more than 0.6 of it on every layer and run
# (weights of units dead from the start get no gradient and stay): a median
# of {glue:text}`ratio_first:.3f` for the middle layer. By step 300 it has
# fallen more than tenfold on every layer and run, to within a factor of 10
# of the rule-of-thumb $10^{-3}$ (median over layers and runs
# {glue:text}`ratio_end:.4f`), as Adam's running averages see gradients that
# disagree from step to step. Dead ReLUs: a median of
# {glue:text}`dead_start:.2f` of the hidden units are dead at
# initialisation (the same for both rates); by the end, {glue:text}`dead_small:.2f` at learning rate 0.01 and
# {glue:text}`dead_large:.2f` at 0.1, whose run with the fewest dead units
# ({glue:text}`dead_large_min:.2f`) still has more than the median run at
# 0.01: large steps push units into the region where they never fire.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Instruments over training: gradient norm and update-to-weight ratio per layer (Adam, lr 0.01), dead ReLUs at two learning rates; medians of five runs.", "name": "fig-instruments"}}
fig, axes = viz.subplots(1, 3, height=3.0)
for ax, (ylabel, panel) in zip(axes, panels.items()):
    viz.plot_lines(ax=ax, xlabel="step", ylabel=ylabel, **panel)

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# Left and middle, one line per layer (layer 1 takes the input): gradient
# norms on a log scale, and the size of each update relative to its
# weights, with the rule-of-thumb level $10^{-3}$ dashed. The ratio starts
# high, because Adam's first steps move every weight by the full learning
# rate, and settles within a factor of 10 of the dashed line. Right: the share of hidden ReLUs
# dead on the whole training set, at the two learning rates.
# ```
#
# ## Summary
#
# - Gradient descent converges below $2/\lambda_{\max}$ (here
#   {glue:text}`lr_max:.4f`) and diverges above it, with the predicted growth
#   factor; on a network, too large a rate shows as loss spikes (up to
#   {glue:text}`jump_large:.1f` times the best loss so far at Adam's 0.1).
# - Momentum and Adam are a few lines on top of SGD; on the spirals, Adam's
#   worst run ends below both SGD variants' best.
# - A fresh classifier's loss is about $\ln C$; the initial scale decides
#   whether a 10-layer network's first layers get any gradient (sigmoid:
#   at most {glue:text}`sig_ratio:.1e` of the last layer's); LayerNorm holds
#   the activations' scale within a factor {glue:text}`spread_ln:.2f`
#   through depth.
# - Weight decay and dropout each lower the over-fitting network's test
#   loss on every run, from a median {glue:text}`base_test:.2f`.
#
# ## Try this
#
# - Set `ABOVE = 1.3`: the least-squares loss now grows
#   $(2 \cdot 1.3 - 1)^2$-fold per step, as the check on `growth` confirms.
# - Add `"tanh, default": (tt.tanh, None)` to `setups`: its first layer's
#   gradient is about 0.06 of the last layer's, not $10^{-8}$ as with the
#   sigmoid, since tanh's slope at 0 is 1 rather than 1/4.
# - Add `"weight decay 2 (AdamW)": (2.0, 0.0)` to `variants`: the training
#   loss roughly triples against weight decay 0.5, and the test loss gets
#   no lower: past a point, more decay only under-fits.
