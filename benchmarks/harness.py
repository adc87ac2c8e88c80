"""Timing machinery for the benchmarks: round-robin medians, thread limits, malloc settings, the table."""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import time

import numpy as np

import cases

GOAL = 1.3  # tinytorch should stay within this factor of the hand-written NumPy floor


def time_round_robin(functions: dict, budget: float, repeats: int | None = None, warmup: int = 2) -> dict:
    """Median seconds per call of each function; the functions take turns, round after round.

    Taking turns (in a rotating order) lets a busy machine slow every implementation alike, and
    the median ignores the rounds in which another process took the CPU. The number of rounds fills about ``budget``
    seconds (at least 10, at most 1000) unless ``repeats`` fixes it.
    """
    start = time.perf_counter()
    for function in functions.values():
        for _ in range(warmup):
            function()
    per_round = (time.perf_counter() - start) / warmup
    repeats = repeats or int(min(1000, max(10, budget / per_round)))
    times = {name: [] for name in functions}
    names = list(functions)
    for round_index in range(repeats):
        shift = round_index % len(names)  # rotate who goes first: no one always follows the same code
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            functions[name]()
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(values)) for name, values in times.items()}


def keep_freed_memory() -> bool:
    """Ask glibc to keep freed memory for reuse instead of handing it back to the OS.

    By default glibc returns large freed blocks (``mmap`` above a threshold, heap trimming above
    another) and the next call pays a page fault for every 4 KiB it touches again. Which code pays
    depends on the order of earlier allocations: the same NumPy conv floor measured 760 faults and
    3.2 ms per call in its first rounds, 0 faults and 1.6 ms later in the same process. Fixing the
    thresholds makes all three implementations reuse memory alike. Returns False off glibc.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    return bool(mallopt(m_trim_threshold, 1 << 30)) and bool(mallopt(m_mmap_threshold, 1 << 25))


@contextlib.contextmanager
def thread_limit(threads: int | None):
    """Limit NumPy's BLAS (through threadpoolctl, when installed) and PyTorch to ``threads``."""
    if threads is None:
        yield
        return
    torch_before = cases.torch.get_num_threads() if cases.torch else None
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        limits = contextlib.nullcontext()
    else:
        limits = threadpool_limits(limits=threads)
    if cases.torch:
        cases.torch.set_num_threads(threads)
    try:
        with limits:
            yield
    finally:
        if cases.torch:
            cases.torch.set_num_threads(torch_before)


def thread_report() -> str:
    """The BLAS and PyTorch thread counts in force, as far as they can be read."""
    parts = []
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        parts.append(f"numpy BLAS threads: OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    else:
        parts += [
            f"numpy BLAS: {pool['internal_api']} {pool['version']} ({pool.get('architecture', '?')}), "
            f"{pool['num_threads']} thread(s)"
            for pool in threadpool_info() if pool["user_api"] == "blas"
        ]
    if cases.torch:
        parts.append(f"torch {cases.torch.__version__}: {cases.torch.get_num_threads()} thread(s)")
    forced = [f"{name}={os.environ[name]}" for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if name in os.environ]
    if forced:  # set on some machines for old OpenBLAS builds; a current NumPy then runs a slower kernel
        parts.append(" ".join(forced) + " is set (the BLAS kernel above may not be the fastest)")
    return "; ".join(parts)


def benchmark(quick: bool = False, repeats: int | None = None, threads: int | None = 1,
              keep_memory: bool = True) -> list:
    """Check and time every case; one dict per case, times in seconds (torch None when absent).

    Rounds fill about 4 s per case (1 s with ``quick``) unless ``repeats`` fixes their number;
    ``threads`` limits BLAS and PyTorch threads during the run (None leaves them alone);
    ``keep_memory`` applies :func:`keep_freed_memory` first.
    """
    if keep_memory:
        keep_freed_memory()
    budget = 1.0 if quick else 4.0
    rows = []
    with thread_limit(threads):
        for case in cases.all_cases(quick):
            case.check()
            functions = {"tinytorch": case.tinytorch, "numpy": case.numpy}
            if case.torch is not None:
                functions["torch"] = case.torch
            times = time_round_robin(functions, budget, repeats)
            rows.append({"case": case.name, "size": case.size, "tinytorch": times["tinytorch"],
                         "numpy": times["numpy"], "torch": times.get("torch")})
    return rows


def format_table(rows: list) -> str:
    """A plain-text table of milliseconds and of ratios to the NumPy floor."""
    header = f"{'case':<28}{'size':<38}{'tinytorch':>10}{'numpy':>9}{'torch':>9}{'tt/np':>8}{'torch/np':>10}"
    lines = [header, "-" * len(header)]
    for row in rows:
        torch_ms = "skipped" if row["torch"] is None else f"{row['torch'] * 1e3:.2f}"
        torch_ratio = "-" if row["torch"] is None else f"{row['torch'] / row['numpy']:.2f}"
        lines.append(
            f"{row['case']:<28}{row['size']:<38}{row['tinytorch'] * 1e3:>10.2f}{row['numpy'] * 1e3:>9.2f}"
            f"{torch_ms:>9}{row['tinytorch'] / row['numpy']:>8.2f}{torch_ratio:>10}"
        )
    lines.append("milliseconds per call (median); ratios are against the hand-written NumPy floor")
    return "\n".join(lines)


def verdict(rows: list) -> str:
    """One line: which cases, if any, miss the goal."""
    slow = [row["case"] for row in rows if row["tinytorch"] / row["numpy"] > GOAL]
    return f"tinytorch within {GOAL}x of the NumPy floor: " + ("every case" if not slow else "not " + ", ".join(slow))
