"""Gradient mutants: negate or zero each gradient a backward function returns, and check a test fails.

mutmut mutates operators and constants; it does not ask the question that matters most
for an autograd library: would the tests notice a gradient with the wrong sign, or one
that never arrives? This script makes those mutants itself. For every ``def backward``
in tinytorch/core, every ``return`` in it and every gradient it returns (each element of a
returned tuple; a returned expression that is not a tuple literal has all its gradients
changed at once), it writes a copy of the repository with that one gradient replaced by
``-g`` or ``0 * g``, runs the fast unit suite on the copy with ``-x``, and counts the
mutant as caught if a test fails.

Usage: ``python mutation/gradients.py [-j JOBS] [file.py ...]``; exits 1 if any survives.
"""

from __future__ import annotations

import argparse
import ast
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "tinytorch" / "core"
TESTS = ["tests/test_gradcheck.py", "tests/test_tensor.py", "tests/test_api_surface.py", "tests/test_forward.py",
         "tests/test_attention_forward.py", "tests/test_layers.py", "tests/test_spatial.py",
         "tests/test_attention.py", "tests/test_modules_optim.py", "tests/test_optimizers.py"]
KINDS = {"negated": lambda g: ast.UnaryOp(ast.USub(), g),
         "zeroed": lambda g: ast.BinOp(ast.Constant(0), ast.Mult(), g)}


def _all_gradients(kind: str, value: ast.expr) -> ast.expr:
    """``tuple(None if g is None else <kind>(g) for g in value)``."""
    g = ast.Name("g", ast.Load())
    changed = ast.IfExp(ast.Compare(g, [ast.Is()], [ast.Constant(None)]), ast.Constant(None), KINDS[kind](g))
    generator = ast.GeneratorExp(changed, [ast.comprehension(ast.Name("g", ast.Store()), value, [], 0)])
    return ast.Call(ast.Name("tuple", ast.Load()), [generator], [])


def _returns(function: ast.FunctionDef):
    """The return statements of a function, not of functions nested in it."""
    stack = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return) and node.value is not None:
            yield node
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))


def mutants(path: Path):
    """(description, mutated source) for every gradient of every backward in one file."""
    source = path.read_text()
    tree = ast.parse(source)
    sites = []
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef) and function.name == "backward":
            for ret in _returns(function):
                if isinstance(ret.value, ast.Tuple):
                    sites += [(ret, i) for i, element in enumerate(ret.value.elts)
                              if not (isinstance(element, ast.Constant) and element.value is None)]
                else:
                    sites.append((ret, None))
    for number, (ret, index) in enumerate(sites):
        for kind in KINDS:
            tree = ast.parse(source)  # a fresh tree: find the same site again by position
            target = next(n for n in ast.walk(tree) if isinstance(n, ast.Return)
                          and (n.lineno, n.col_offset) == (ret.lineno, ret.col_offset))
            if index is None:
                target.value = _all_gradients(kind, target.value)
                which = "every gradient"
            else:
                target.value.elts[index] = KINDS[kind](target.value.elts[index])
                which = f"gradient {index}"
            ast.fix_missing_locations(tree)
            yield f"{path.name}:{ret.lineno} {which} {kind}", ast.unparse(tree)


def run_one(path: Path, description: str, source: str) -> tuple[str, bool]:
    with tempfile.TemporaryDirectory(prefix="gradmut-") as folder:
        copy = Path(folder)
        shutil.copytree(ROOT / "tinytorch", copy / "tinytorch", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(ROOT / "tests", copy / "tests", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
        (copy / "tinytorch" / "core" / path.name).write_text(source)
        result = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                                 "--no-header", "-o", "addopts=", *TESTS], cwd=copy, capture_output=True, text=True)
        return description, result.returncode != 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("files", nargs="*", help="only these files of tinytorch/core")
    args = parser.parse_args(argv)
    paths = [CORE / f for f in args.files] if args.files else sorted(CORE.glob("*.py"))
    work = [(path, d, s) for path in paths for d, s in mutants(path)]
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda item: run_one(*item), work))
    survivors = [d for d, caught in results if not caught]
    print(f"gradient mutants: {len(results) - len(survivors)} of {len(results)} caught")
    for description in survivors:
        print(f"  survived: {description}")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
