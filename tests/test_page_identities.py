"""Implementation identities the example pages rely on without stating them.

The pages keep only the asserts that back a sentence of their prose; the facts below are
what their code takes for granted (shared inputs of the logic gates, the shape of a
product of weight matrices, batched training of stacked networks being independent per
network), checked here once instead of on the page.
"""

import numpy as np

import tinytorch as tt
from tinytorch import Tensor


def test_logic_gates_share_their_inputs():
    inputs = [tt.datasets.logic_gate(name)[0] for name in ("and", "or", "xor", "nand")]
    for X in inputs[1:]:
        assert np.array_equal(X, inputs[0])
    assert inputs[0].shape == (4, 2)


def test_product_of_linear_weights_has_in_by_out_shape():
    layers = [tt.Linear(4, 8), tt.Linear(8, 8), tt.Linear(8, 3)]
    W = layers[0].weight @ layers[1].weight @ layers[2].weight
    assert W.shape == (4, 3)


def test_stacked_networks_get_only_their_own_gradient():
    # The XOR and single-neuron pages train S networks at once by summing their losses:
    # network i's parameters must receive the gradient of network i's loss only.
    rng = np.random.default_rng(0)
    X, y = tt.datasets.logic_gate("xor")
    W = tt.Parameter(rng.normal(size=(3, 2, 1)))
    logits = (Tensor(X) @ W)[:, :, 0]  # (3, 4)
    losses = tt.binary_cross_entropy_with_logits(
        logits, Tensor(np.tile(y, (3, 1))), reduction="none").mean(axis=1)
    losses.sum().backward()
    for i in range(3):
        Wi = tt.Parameter(W.data[i])
        alone = tt.binary_cross_entropy_with_logits((Tensor(X) @ Wi)[:, 0], Tensor(y))
        alone.backward()
        np.testing.assert_allclose(W.grad[i], Wi.grad, rtol=1e-6, atol=1e-9)


def test_loss_scaled_by_lr_under_sgd_lr_1_is_sgd_at_that_lr():
    # single_neuron.train_many gives network i the step of SGD(lr=lrs[i]) this way.
    start = np.array([[0.3], [-0.2]])
    scaled, plain = tt.Parameter(start.copy()), tt.Parameter(start.copy())
    X = Tensor(np.array([[1.0, 2.0], [0.5, -1.0]]))
    for param, lr_opt, weight in ((scaled, 1.0, 0.1), (plain, 0.1, 1.0)):
        opt = tt.SGD([param], lr=lr_opt)
        (weight * ((X @ param) ** 2).sum()).backward()
        opt.step()
    np.testing.assert_allclose(scaled.data, plain.data, rtol=1e-12)
