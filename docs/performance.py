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
# # Performance: how close to hand-written NumPy?
#
# tinytorch is meant to be read, but also to train small models in seconds. A NumPy library
# cannot beat NumPy, so the honest yardstick is a **hand-written NumPy floor**: the same forward
# and backward pass written directly with arrays, no graph, no bookkeeping. The benchmark suite in
# `benchmarks/` times tinytorch against that floor and, when it is installed, against PyTorch's CPU
# build, in one run and in float32. The goal is tinytorch within 1.3× of the floor on every case;
# PyTorch's ratio is reported for context, never gated.
#
# **What you will see:** the four cases (a matrix product, a convolution, an MLP training step,
# multi-head attention), each first checked for agreement with its floor, then timed at reduced
# sizes so that this page builds quickly. `make bench` runs the full sizes.
#
# ```{note}
# The timing cells are tagged `timing`: their numbers change from build to build and from machine
# to machine, unlike every other output on this site. The ratios are what to read, and even they
# move by tens of percent on a busy machine.
# ```

# %%
import sys
from pathlib import Path

import tinytorch

BENCHMARKS = Path(tinytorch.__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
import cases  # noqa: E402  (benchmarks/cases.py: what is timed)
import harness  # noqa: E402  (benchmarks/harness.py: how it is timed)

# %% [markdown]
# ## Each case computes the same numbers as its floor
#
# A benchmark of two programs that compute different things measures nothing. Before any timing,
# every case runs tinytorch and the hand-written floor on the same inputs and asserts that the
# outputs and every gradient agree to float32 tolerance.

# %%
checked = []
for case in cases.all_cases(quick=True):
    case.check()  # raises if tinytorch and the floor disagree on outputs or gradients
    checked.append(case.name)
assert len(checked) == 4, checked
print("outputs and gradients agree for:", ", ".join(checked))

# %% [markdown]
# ## Timings
#
# Each implementation runs for many rounds after a warm-up, the three taking turns so that a burst
# of load elsewhere on the machine hits them alike; the table shows medians in milliseconds and the
# ratios to the floor. One BLAS thread is used, because multi-threaded BLAS on small matrices swings
# wildly on a shared two-core machine.

# %% tags=["timing"]
rows = harness.benchmark(quick=True)
print(harness.format_table(rows))
print(harness.verdict(rows))


# %% [markdown]
# ```{tip} How to read this table
# `tt/np` is tinytorch's time over the floor's: 1.00 means no overhead at all. For large matrix
# products and convolutions the graph bookkeeping vanishes next to the arithmetic. The MLP step has
# the smallest arrays, so the fixed cost per operation (recording the graph, ordering it for the
# backward pass, accumulating gradients) weighs most there. `torch/np` below 1 means PyTorch's
# fused C++ kernels beat any NumPy program.
# ```
