"""The benchmark's hand-written NumPy floors compute what tinytorch computes (small sizes, no timing)."""
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks"))
import cases  # noqa: E402
import harness  # noqa: E402


@pytest.mark.parametrize("make", [
    lambda: cases.make_matmul(8),
    lambda: cases.make_conv(2, 3, 4, 6),
    lambda: cases.make_mlp(5, sizes=(12, 8, 3)),
    lambda: cases.make_attention(2, 5, 8, 2),
], ids=["matmul", "conv", "mlp", "attention"])
def test_floor_matches_tinytorch(make):
    case = make()
    if case is None:
        pytest.skip("tinytorch.core.attention.MultiHeadAttention is not available")
    case.check()  # raises AssertionError naming the quantity that differs


def test_a_wrong_floor_is_caught(monkeypatch):
    case = cases.make_conv(2, 3, 4, 6)
    real = cases.floors.conv2d
    monkeypatch.setattr(cases.floors, "conv2d", lambda *a, **k: (lambda r: (r[0], r[1] * 1.01) + r[2:])(real(*a, **k)))
    with pytest.raises(AssertionError, match="conv2d dx"):
        case.check()


def test_table_reports_ratios_and_skips():
    rows = [{"case": "a", "size": "s", "tinytorch": 0.003, "numpy": 0.002, "torch": None}]
    table = harness.format_table(rows)
    assert "1.50" in table and "skipped" in table
    assert harness.verdict(rows) == "tinytorch within 1.3x of the NumPy floor: not a"
    assert np.isfinite(harness.time_round_robin({"f": lambda: None}, budget=0.01)["f"])


def test_run_prints_a_row_per_case(capsys):
    import run
    assert run.main(run.parse(["--quick", "--repeats", "2", "--default-malloc"])) == 0
    printed = capsys.readouterr().out
    for name in ("matmul", "Conv2d fwd+bwd", "MLP SGD step"):
        assert name in printed
    assert "tinytorch within 1.3x of the NumPy floor" in printed
    has_attention = cases.make_attention(1, 2, 4, 2) is not None
    assert ("MultiHeadAttention fwd+bwd" in printed) == has_attention
    assert ("MultiHeadAttention: skipped" in printed) != has_attention
