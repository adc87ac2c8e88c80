"""Shared fixtures: the repository's paths and one site build per session."""

from __future__ import annotations

import os

# One BLAS thread for the tests and the scripts they start (set before NumPy loads): small
# matrices gain nothing from threads on a 2-core machine, and their times swing under load.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.py") if not p.name.startswith("_"))
# Executed documentation pages (jupytext scripts in docs/, such as verification.py).
DOC_PAGES = sorted(p for p in (ROOT / "docs").glob("*.py") if not p.name.startswith("_"))


def sphinx(builder: str, src: Path, out: Path, doctrees: Path, *extra: str, env=None):
    """Run sphinx-build as the Makefile does; return the finished process."""
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", *extra,
           "-b", builder, "-d", str(doctrees), str(src), str(out)]
    return subprocess.run(cmd, cwd=src, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=900)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """Build the whole site once into a temporary folder; return its html folder.

    The examples' execution cache is the one ``make html`` uses: its folder is
    keyed on a hash of tinytorch/, the lock file and the kernel configuration
    (see conf.py), so it never serves outputs of another library version.
    """
    base = tmp_path_factory.mktemp("site")
    done = sphinx("html", ROOT, base / "html", base / "doctrees", "-j", "auto")
    assert done.returncode == 0, f"site build failed:\n{done.stdout[-4000:]}\n{done.stderr[-8000:]}"
    return base / "html"
