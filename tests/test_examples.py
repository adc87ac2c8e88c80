"""Every example, and every executed docs page, runs as a plain, headless script and exits 0."""

import os
import subprocess
import sys

import pytest

from conftest import DOC_PAGES, EXAMPLES, ROOT


def test_there_are_examples():
    assert EXAMPLES, "no examples/*.py found"


SCRIPTS = EXAMPLES + DOC_PAGES


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_example_runs_as_script(script, tmp_path):
    # One BLAS thread, as the site's kernels run (docs/_ext/tinytorch_execution.py):
    # small matrices on a busy machine train many times slower with threads.
    env = {**os.environ, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{script.name} exited {done.returncode}:\n{done.stderr[-4000:]}"
