"""Time tinytorch against a hand-written NumPy floor and PyTorch CPU, float32, in one run.

Usage::

    python benchmarks/run.py             # the issue's sizes (what `make bench` runs)
    python benchmarks/run.py --quick     # smaller sizes and fewer rounds, for the docs page
    python benchmarks/run.py --threads 0 # the libraries' default thread counts

Cases (``cases.py``): matmul, Conv2d, an MLP training step and MultiHeadAttention (when
``tinytorch.core.attention`` provides it), each forward + backward. Before timing, each case asserts
that the NumPy floor (``floors.py``) computes tinytorch's outputs and gradients. The three
implementations take turns for many rounds after a warm-up; each reports its median. The
ratios tinytorch/NumPy and torch/NumPy follow: the goal is tinytorch within 1.3x of the floor
(graph overhead small); PyTorch's ratio is reported, not gated.

By default every library runs on one thread: on a small machine shared with other work,
multi-threaded BLAS times swung tenfold between runs here, single-threaded ones by a few percent.

From Python (the docs page)::

    import sys; sys.path.insert(0, "benchmarks")
    from harness import benchmark, format_table
    print(format_table(benchmark(quick=True)))
"""
import argparse
import os
import sys


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="tinytorch vs hand-written NumPy vs PyTorch, forward + backward")
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer rounds")
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed rounds per case (default: as many as fit in about 4 s, 1 s with --quick)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS and PyTorch threads; 0 keeps the defaults")
    parser.add_argument("--default-malloc", action="store_true", help="leave glibc's malloc thresholds alone")
    return parser.parse_args(argv)


def main(args: argparse.Namespace) -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:0] = [here, os.path.dirname(here)]  # the helpers beside this file; the repo's tinytorch
    from harness import benchmark, format_table, thread_limit, thread_report, verdict

    threads = args.threads or None
    rows = benchmark(quick=args.quick, repeats=args.repeats, threads=threads, keep_memory=not args.default_malloc)
    print(format_table(rows))
    print(verdict(rows))
    with thread_limit(threads):
        print(thread_report() + ("" if args.default_malloc else "; glibc keeps freed memory (mallopt)"))
    if "MultiHeadAttention fwd+bwd" not in [row["case"] for row in rows]:
        print("MultiHeadAttention: skipped (tinytorch.core.attention.MultiHeadAttention not found)")
    return 0


if __name__ == "__main__":
    arguments = parse()
    if arguments.threads:  # before NumPy and PyTorch start their thread pools
        for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(variable, str(arguments.threads))
    sys.exit(main(arguments))
