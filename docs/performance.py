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
# `benchmarks/` times tinytorch against that floor and, where it is installed, against PyTorch's
# CPU build, in one run and in float32. The goal is tinytorch within 1.3× of the floor on every
# case; PyTorch's ratio is reported for context, never gated.
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

ROOT = Path(tinytorch.__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import cases  # noqa: E402  (benchmarks/cases.py: what is timed)
import harness  # noqa: E402  (benchmarks/harness.py: how it is timed)


def table(header, rows):
    """Columns of text, right-aligned under their header."""
    lines = [header, *rows]
    widths = [max(len(line[i]) for line in lines)
              for i in range(len(header))]
    return "\n".join("  ".join(cell.rjust(width)
                               for cell, width in zip(line, widths))
                     for line in lines)


# %% [markdown]
# ## Each case computes the same numbers as its floor
#
# A benchmark of two programs that compute different things measures nothing. Before any timing,
# every case runs tinytorch and the hand-written floor on the same inputs and asserts that the
# outputs and every gradient agree to float32 tolerance.

# %%
checked = []
for case in cases.all_cases(quick=True):
    case.check()  # raises if the outputs or gradients disagree
    checked.append(case.name)
assert len(checked) == 4, checked
print("outputs and gradients agree for:", ", ".join(checked))

# %% [markdown]
# ## Timings
#
# Each implementation runs for many rounds after a warm-up, taking turns so that a burst of load
# elsewhere on the machine hits them alike; the table shows medians in milliseconds and the ratio
# to the floor. One BLAS thread is used, because multi-threaded BLAS on small matrices swings
# wildly on a shared two-core machine.

# %% tags=["timing"]
rows = harness.benchmark(quick=True)
print(table(["case", "tinytorch ms", "NumPy floor ms", "tt/np"],
            [[row["case"], f"{row['tinytorch'] * 1e3:.2f}",
              f"{row['numpy'] * 1e3:.2f}",
              f"{row['tinytorch'] / row['numpy']:.2f}"]
             for row in rows]))
print(harness.verdict(rows))

# %% [markdown]
# ```{admonition} How to read this table
# :class: tip
# `tt/np` is tinytorch's time over the floor's: 1.00 means no overhead at all. For large matrix
# products and convolutions the graph bookkeeping vanishes next to the arithmetic. The MLP step
# has the smallest arrays, so the fixed cost per operation (recording the graph, ordering it for
# the backward pass, accumulating gradients) weighs most there.
# ```

# %% [markdown] tags=["without-torch"]
# PyTorch was not installed where this site was built, so its column is left out (`make html`
# installs it where it can).

# %% [markdown] tags=["with-torch"]
# ## PyTorch's CPU build on the same cases
#
# Timed in the same rounds as the two above, with one thread.

# %% tags=["with-torch", "remove-cell"]
# Run as a plain script without PyTorch, the page ends here.
if rows[0]["torch"] is None:
    raise SystemExit(0)

# %% tags=["with-torch", "timing"]
assert all(row["torch"] is not None for row in rows), "torch not timed"
print(table(["case", "torch ms", "torch/np"],
            [[row["case"], f"{row['torch'] * 1e3:.2f}",
              f"{row['torch'] / row['numpy']:.2f}"] for row in rows]))

# %% [markdown] tags=["with-torch"]
# `torch/np` below 1 means PyTorch's fused C++ kernels beat any NumPy program.
