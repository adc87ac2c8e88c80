"""Every differentiable op, activation, layer and loss against finite differences (float64).

The cases live in :mod:`tinytorch.verification`, which the "How we know it is right" page runs too.
"""
import numpy as np
import pytest

import tinytorch as tt
from tinytorch.core.autograd import GradcheckError, gradcheck
from tinytorch.verification import case_names, run_gradcheck, sample


@pytest.mark.parametrize("name", case_names())
def test_gradients_match_finite_differences(name):
    result = run_gradcheck(name)
    assert result.passed, result.message
    assert result.max_error < 1e-5


def test_the_registry_covers_every_kind():
    for category in ("op", "activation", "layer", "loss", "convolution", "attention", "model"):
        assert case_names(category), f"no gradient check for any {category}"


def test_dropout_gradient_uses_the_same_mask():
    drop = tt.Dropout(0.5)
    tt.manual_seed(0)
    x = tt.Tensor(sample(4, 5), requires_grad=True, dtype=np.float64)
    y = drop(x)
    y.sum().backward()
    kept = y.data != 0
    np.testing.assert_allclose(x.grad, np.where(kept, 2.0, 0.0))


def test_gradcheck_catches_a_wrong_gradient():
    def bad_square(a):
        def backward(grad):
            return (grad * a.data,)  # should be 2 * a
        return tt.Tensor._from_op(a.data ** 2, (a,), backward, "bad_square")

    with pytest.raises(GradcheckError, match=r"input 0 \(shape \(2, 3\)\).*analytic.*numeric"):
        gradcheck(bad_square, [sample(2, 3)])


def test_a_failing_case_is_reported_not_raised():
    from tinytorch import verification

    def bad_exp(a):
        return tt.Tensor._from_op(np.exp(a.data), (a,), lambda grad: (grad,), "bad_exp")

    verification.register("bad exp (test only)", ("op", lambda: verification.Case("op", bad_exp, (sample(3),))))
    try:
        result = run_gradcheck("bad exp (test only)")
    finally:
        verification.unregister("bad exp (test only)")
    assert not result.passed and "analytic" in result.message


def test_gradcheck_refuses_float32_parameters():
    layer = tt.Linear(2, 2)
    with pytest.raises(TypeError, match="float64"):
        gradcheck(layer, [sample(3, 2)], params=layer.parameters())
