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
# # How autograd works
#
# Every operation on a tensor that requires a gradient records two things:
# which tensors it was computed from, and a small function that turns the
# gradient of its output into gradients of its inputs. `.backward()` walks
# those records from the output back to the inputs, applying the chain rule
# one operation at a time. This page opens that machinery: the graph a small
# expression records, one backward function from the library's source, the
# order of the walk, the rules for reused and broadcast tensors, how to turn
# recording off, and how the gradients are checked against finite
# differences. (Tensors, shapes and broadcasting themselves are on
# {doc}`tensor_math`.)
#
# **What you will see**
#
# - the graph of $y = \tanh(xw + b)$ drawn from the tensors' own records, with
#   every value and gradient (figure);
# - the backward function of `*`, quoted from the library, and the order in
#   which `.backward()` visits the graph;
# - the chain rule worked by hand, equal to `.grad`;
# - `.backward()` twice doubling `.grad` (the reason for `zero_grad()`), a
#   reused input, and a broadcast operand's gradient summed;
# - `no_grad`, `requires_grad` and `detach`;
# - finite differences against autograd for a sweep of step sizes $\varepsilon$,
#   and why `gradcheck` uses $\varepsilon = 10^{-6}$ in float64 (figure).

# %%
import inspect

import numpy as np
from myst_nb import glue

import tinytorch as tt
from tinytorch import viz
from tinytorch.core import ops
from tinytorch.core.tensor import Tensor
from tinytorch.viz.graph import graph_nodes

_ = tt.manual_seed(0)  # tinytorch's one global random generator

# %% [markdown]
# ## The graph an expression records
#
# Take one neuron with a tanh: $y = \tanh(xw + b)$ at $x = 2$,
# $w = -0.5$, $b = 0.3$. Each operation creates a new tensor that remembers its inputs
# (`_parents`) and the name of the operation (`_op`).
# {py:func}`~tinytorch.viz.graph.plot_graph` draws the graph from exactly
# those records, with each tensor's value and its gradient
# $\partial y / \partial t$.

# %%
x = Tensor(2.0, dtype=np.float64, requires_grad=True)
w = Tensor(-0.5, dtype=np.float64, requires_grad=True)
b = Tensor(0.3, dtype=np.float64, requires_grad=True)
xw = x * w
s = xw + b
y = s.tanh()
names = {"x": x, "w": w, "b": b, "xw": xw, "s": s, "y": y}
print(f"y = {y.item():.6f}, made by {y._op!r} from "
      f"{len(y._parents)} tensor")
print(f"s made by {s._op!r}, xw by {xw._op!r}")

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The graph recorded by y = tanh(x w + b), with forward values and gradients.", "name": "fig-autograd-graph"}}
viz.plot_graph(y, names=names)

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# Read left to right for the forward pass: the leaves $x$, $w$, $b$ (the
# tensors we created), then each operation (ellipse) and the tensor it
# produced (box), each box showing its value. Read right to left for the
# backward pass: each box's gradient is $\partial y$ with respect to that
# tensor, starting from $1$ at $y$.
# ```
#
# ## One backward function, from the library
#
# Here is the multiplication operation as it stands in
# `tinytorch/core/ops.py` (its docstring left out), printed from the source
# by `inspect.getsource`, so it cannot drift from the library. Its backward
# function returns one gradient per input: for $c = ab$,
# $\partial c/\partial a = b$ and $\partial c/\partial b = a$, each
# multiplied by the gradient `grad` arriving from above.

# %%
source = inspect.getsource(ops.mul)
head, docstring, body = source.split('"""', 2)
print(head.rstrip() + body)

# %% [markdown]
# ## The order of the walk
#
# `.backward()` must finish collecting a tensor's gradient before passing it
# on, so it visits the tensors in **reverse topological order**: every
# tensor before the tensors it was computed from. For our graph:

# %%
label = {id(t): n for n, t in names.items()}
order = [label[id(t)] for t in reversed(graph_nodes(y))]
print(" -> ".join(order))
position = {n: k for k, n in enumerate(order)}
for t in graph_nodes(y):
    for parent in t._parents:
        assert position[label[id(t)]] < position[label[id(parent)]]

# %% [markdown]
# Each tensor comes before its parents (asserted for every edge). The
# gradients then follow by the chain rule, one local derivative per step:
#
# $$
# \frac{\partial y}{\partial s} = 1 - \tanh^2 s, \qquad
# \frac{\partial y}{\partial x} = \frac{\partial y}{\partial s}\,
#   \frac{\partial s}{\partial (xw)}\,\frac{\partial (xw)}{\partial x}
#   = (1 - \tanh^2 s)\cdot 1 \cdot w,
# $$
#
# and likewise $\partial y/\partial w = (1 - \tanh^2 s)\,x$ and
# $\partial y/\partial b = 1 - \tanh^2 s$. By hand, against `.grad` after
# `y.backward()`, they agree to rounding:

# %%
dy_ds = 1 - np.tanh(s.item()) ** 2
by_hand = {"x": dy_ds * w.item(), "w": dy_ds * x.item(), "b": dy_ds}
y.backward()
for n, value in by_hand.items():
    print(f"dy/d{n}: by hand {value:+.6f}   .grad {names[n].grad:+.6f}")
    assert np.isclose(names[n].grad, value, rtol=1e-12, atol=0), n

# %% [markdown]
# ## Gradients accumulate
#
# `.backward()` **adds** into `.grad`; it does not overwrite it. Calling it
# a second time doubles every gradient. That is what a tensor used twice
# needs (next section), and it is why a training loop calls
# `optimizer.zero_grad()` before each backward pass: it clears the gradients
# of the optimizer's parameters.

# %%
once = {n: names[n].grad.copy() for n in ("x", "w", "b")}
y.backward()
for n, g in once.items():
    assert np.allclose(names[n].grad, 2 * g, rtol=1e-12), n
optimizer = tt.SGD([x, w, b], lr=0.1)
optimizer.zero_grad()
cleared = [t.grad is None or not np.any(t.grad) for t in (x, w, b)]
assert all(cleared), "zero_grad left a gradient"
y.backward()
assert np.allclose(x.grad, once["x"], rtol=1e-12), "after zero_grad"
print(f"x.grad once {once['x']:+.4f}, twice {2 * once['x']:+.4f}")
print(f"after zero_grad and once more {x.grad:+.4f}")

# %% [markdown]
# ## A reused input
#
# In $z = x \cdot x$ the same tensor is both operands of `mul`. The backward
# function returns two gradients, $x$ and $x$, both for the same tensor;
# adding them gives $2x$, the derivative of $x^2$.

# %%
u = Tensor(3.0, dtype=np.float64, requires_grad=True)
(u * u).backward()
assert u.grad == 2 * u.item(), u.grad
print(f"d(u·u)/du at u = {u.item():g}: {u.grad:g}")

# %% [markdown]
# ## A broadcast operand
#
# Adding a bias row $\mathbf{c}$ of shape $(4,)$ to a batch $A$ of shape
# $(3, 4)$ copies $\mathbf{c}$ down the three rows. Each copy receives its own
# gradient, and since every copy is the same tensor, the gradients are
# **summed over the broadcast axis**: $\mathbf{c}$'s gradient has shape
# $(4,)$ again, the column sums of the gradient arriving at the output.

# %%
rng = np.random.default_rng(0)
A = Tensor(rng.normal(size=(3, 4)), dtype=np.float64)
c = Tensor(np.zeros(4), dtype=np.float64, requires_grad=True)
upstream = rng.normal(size=(3, 4))  # d loss / d (A + c), any values
(A + c).backward(upstream)
assert c.grad.shape == (4,), c.grad.shape
assert np.allclose(c.grad, upstream.sum(axis=0), rtol=1e-12)
print("c.grad:          ", c.grad.round(4))
print("column sums of it:", upstream.sum(axis=0).round(4))

# %% [markdown]
# ## Turning recording off
#
# - A tensor created without `requires_grad=True` is a constant: operations
#   on constants record nothing, and it never gets a `.grad`.
# - Inside `with tt.no_grad():` nothing is recorded at all, whatever the
#   inputs: use it for evaluation, where no gradient will be asked for and
#   the graph would only take memory.
# - `t.detach()` is the same numbers as `t`, cut off from its graph: a
#   gradient does not flow back through it. In $x \cdot
#   \operatorname{detach}(x)$ only the first factor passes a gradient, so the
#   derivative is $x$, not $2x$.

# %%
const = Tensor(5.0, dtype=np.float64)
v = Tensor(3.0, dtype=np.float64, requires_grad=True)
assert not (const * const).requires_grad, "constants recorded"
with tt.no_grad():
    unrecorded = v * v
assert not unrecorded.requires_grad and not unrecorded._parents
(v * const).backward()
assert const.grad is None, "a constant got a gradient"
v.grad = None  # start afresh, as zero_grad does
(v * v.detach()).backward()
assert v.grad == v.item(), v.grad
print(f"d(v·detach(v))/dv = {v.grad:g} = v, not 2v = {2 * v.item():g}")

# %% [markdown]
# ## Checking gradients: finite differences and the choice of $\varepsilon$
#
# {py:func}`~tinytorch.core.autograd.gradcheck` compares each gradient with
# the central difference
# $\bigl(f(x + \varepsilon) - f(x - \varepsilon)\bigr) / 2\varepsilon$. Its
# error has two parts pulling in opposite directions. **Truncation**: the
# Taylor series gives an error of about $f'''(x)\,\varepsilon^2/6$, which
# shrinks as $\varepsilon$ does. **Rounding**: $f$ is computed with a relative
# error of the order of the machine epsilon $u$ ({glue:text}`u64:.1e` in
# float64, {glue:text}`u32:.1e` in float32), and dividing by
# $2\varepsilon$ magnifies it to at most about $u\,|f(x)|/\varepsilon$
# (the roundings partly cancel, so the error seen is often several times
# smaller), which grows as $\varepsilon$ shrinks.
# The sum is smallest near $\varepsilon \approx u^{1/3}$: about
# {glue:text}`opt64:.0e` in float64, hence `gradcheck`'s
# $\varepsilon =$ {glue:text}`gradcheck_eps:.0e`, and about
# {glue:text}`opt32:.0e` in float32, where even the best error is far
# larger.

# %%
for dtype in ("float64", "float32"):
    u = float(np.finfo(dtype).eps)
    glue(f"u{dtype[-2:]}", u, display=False)
    glue(f"opt{dtype[-2:]}", u ** (1 / 3), display=False)
signature = inspect.signature(tt.gradcheck)
gradcheck_eps = signature.parameters["eps"].default
glue("gradcheck_eps", gradcheck_eps, display=False)

# %% [markdown]
#
# Below, $f(x) = x\,e^{-x^2/2}$ at $x = 0.5$ (exact derivative
# $(1 - x^2)\,e^{-x^2/2}$) for {glue:text}`n_eps` values of $\varepsilon$,
# all in one evaluation per dtype.

# %%
def f(t):
    return t * (-(t**2) / 2).exp()


x0 = 0.5
exact = (1 - x0**2) * np.exp(-(x0**2) / 2)
eps = 10.0 ** -np.arange(1, 13)  # 1e-1 ... 1e-12
glue("n_eps", len(eps), display=False)
errors = {}
for dtype in (np.float64, np.float32):
    up = f(Tensor(x0 + eps, dtype=dtype)).data.astype(np.float64)
    down = f(Tensor(x0 - eps, dtype=dtype)).data.astype(np.float64)
    errors[dtype.__name__] = np.abs((up - down) / (2 * eps) - exact)
e64, e32 = errors["float64"], errors["float32"]
best = float(eps[np.argmin(e64)])
glue("best_eps", best, display=False)
glue("err_at_best", float(e64.min()), display=False)
glue("best32", float(e32.min()), display=False)
worst = tt.gradcheck(f, [np.array([x0])])
print(f"float64: smallest error {e64.min():.1e} at eps = {best:g}")
print(f"float32: smallest error {e32.min():.1e}")
print(f"gradcheck(f) at x = {x0}: largest difference {worst:.1e}")

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Error of the central difference against the step ε, in float64 and float32.", "name": "fig-eps-sweep"}}
viz.plot_lines(errors, x=eps, xscale="log", yscale="log",
               xlabel="step ε", ylabel="|finite difference − f′|",
               vlines={"gradcheck's ε": gradcheck_eps})

# %% [markdown]
# ```{admonition} How to read this figure
# :class: tip
# Both axes are logarithmic; read from right (large $\varepsilon$) to left.
# At large $\varepsilon$ the error falls a hundredfold per decade:
# truncation, $\propto \varepsilon^2$. Below the best step it rises again:
# rounding, $\propto 1/\varepsilon$. In float64 the valley bottom is at
# $\varepsilon =$ {glue:text}`best_eps:g`, with an error of
# {glue:text}`err_at_best:.0e`; in float32 the best error,
# {glue:text}`best32:.0e`, is {glue:text}`ratio32:.1e` times larger
# (its best step is larger too, near $u^{1/3}$ for float32), which is why
# `gradcheck` works in float64. The float64 valley bottom is partly luck of
# rounding: repeated at six other points $x$ (cell below), the best step
# lies between {glue:text}`best_lo:.0e` and {glue:text}`best_hi:.0e` and
# the ratio falls to as little as {glue:text}`ratio_lo:.1e`, so what holds
# everywhere is "more than ten thousand times".
# ```

# %%
assert 1e-7 <= best <= 1e-5, f"best eps {best:g}"
per_decade = e64[:3] / e64[1:4]  # eps 1e-1 ... 1e-4: truncation
f3 = (-x0**4 + 6 * x0**2 - 3) * np.exp(-(x0**2) / 2)  # f'''(x0)
taylor = np.abs(f3) * eps[:3] ** 2 / 6
assert np.allclose(e64[:3], taylor, rtol=0.01), (e64[:3], taylor)
u64 = float(np.finfo(np.float64).eps)
rounding = u64 * abs(x0 * np.exp(-(x0**2) / 2)) / eps[-3:]
assert np.all(e64[-3:] < 2 * rounding), (e64[-3:], rounding)
assert np.all((50 < per_decade) & (per_decade < 200)), per_decade
assert e64[-1] > 100 * e64.min(), "no rounding rise at small eps"
rise = e64[-1] / e64[-4]  # eps 1e-12 vs 1e-9: rounding, ~ 1 / eps
assert rise > 100, f"rounding rise only {rise:.0f}x over 3 decades"
ratio32 = float(e32.min() / e64.min())
glue("ratio32", ratio32, display=False)
assert ratio32 > 1e4, f"float32 only {ratio32:.1e} times worse"
others = np.array([0.2, 0.3, 0.8, 1.2, 1.6, 2.0])[:, None]  # (6, 1)
slope = (1 - others**2) * np.exp(-(others**2) / 2)
err = {}
for dtype in (np.float64, np.float32):
    up = f(Tensor(others + eps, dtype=dtype)).data.astype(np.float64)
    down = f(Tensor(others - eps, dtype=dtype)).data.astype(np.float64)
    err[dtype] = np.abs((up - down) / (2 * eps) - slope)  # (6, 12)
best_each = eps[np.argmin(err[np.float64], axis=1)]
ratios = err[np.float32].min(axis=1) / err[np.float64].min(axis=1)
for name, value in [("best_lo", best_each.min()),
                    ("best_hi", best_each.max()),
                    ("ratio_lo", ratios.min())]:
    glue(name, float(value), display=False)
assert np.all((1e-7 <= best_each) & (best_each <= 1e-5)), best_each
assert ratios.min() > 1e4, f"float32 only {ratios.min():.1e} worse"
best32 = eps[np.argmin(e32)]
assert 1e-4 <= best32 <= 1e-2, f"float32's best eps {best32:g}"
assert worst < 1e-8, f"gradcheck: {worst:.1e}"

# %% [markdown]
# ## Summary
#
# Autograd is bookkeeping plus the chain rule: each operation records its
# inputs and a backward function; `.backward()` visits the graph in reverse
# topological order, multiplies local derivatives and adds the contributions
# that meet at a tensor (a reused input, a broadcast operand, a second
# `.backward()`). The result equals the chain rule worked by hand, and
# central differences confirm it best at $\varepsilon \approx$
# {glue:text}`best_eps:g` in float64.
#
# **Try this** (each is checked in the cell below):
#
# - `(u * u * u).backward()` at $u = 3$: three contributions add up to
#   $3u^2 = 27$.
# - `(A + c).sum().backward()` with `c` of shape $(1, 4)$ instead of $(4,)$:
#   the gradient keeps the shape $(1, 4)$, each entry the number of rows, 3.
# - `y.backward()` on `y = x.detach() * w`: `x.grad` stays `None`.

# %%
u3 = Tensor(3.0, dtype=np.float64, requires_grad=True)
(u3 * u3 * u3).backward()
assert u3.grad == 27.0, u3.grad
c14 = Tensor(np.zeros((1, 4)), dtype=np.float64, requires_grad=True)
(A + c14).sum().backward()
assert c14.grad.shape == (1, 4) and np.all(c14.grad == 3), c14.grad
x_new = Tensor(2.0, dtype=np.float64, requires_grad=True)
(x_new.detach() * w).backward()
assert x_new.grad is None, x_new.grad
