"""Modules: parameter discovery, modes, state dicts, repr, initialisation, seeding."""
import numpy as np
import pytest

import tinytorch as tt


def test_linear_uses_in_out_weight_and_the_math_order():
    tt.manual_seed(0)  # not the generator state earlier tests left (a near-zero output failed rtol alone)
    layer = tt.Linear(3, 2)
    assert layer.weight.shape == (3, 2) and layer.bias.shape == (2,)
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(layer(tt.Tensor(x)).data, x @ layer.weight.data + layer.bias.data,
                               rtol=1e-6, atol=1e-6)  # float32 output against a float64 product
    bound = 1 / np.sqrt(3)
    assert np.abs(layer.weight.data).max() <= bound


def test_linear_rejects_the_wrong_width():
    with pytest.raises(ValueError, match=r"Linear.*\(4, 5\).*in_features=3"):
        tt.Linear(3, 2)(tt.Tensor(np.ones((4, 5))))


def test_manual_seed_makes_initialisation_reproducible():
    tt.manual_seed(7)
    a = tt.MLP([4, 8, 2]).state_dict()
    tt.manual_seed(7)
    b = tt.MLP([4, 8, 2]).state_dict()
    tt.manual_seed(8)
    c = tt.MLP([4, 8, 2]).state_dict()
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["0.weight"], c["0.weight"])


def test_parameters_are_found_in_nested_modules_once():
    shared = tt.Linear(2, 2)
    model = tt.Sequential(shared, tt.ReLU(), shared)
    assert len(model.parameters()) == 2
    names = [name for name, _ in tt.MLP([2, 3, 1]).named_parameters()]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_state_dict_round_trip_and_errors():
    tt.manual_seed(0)
    model = tt.MLP([2, 4, 1])
    state = model.state_dict()
    other = tt.MLP([2, 4, 1])
    other.load_state_dict(state)
    x = tt.Tensor(np.ones((3, 2)))
    np.testing.assert_array_equal(model(x).data, other(x).data)
    state["0.weight"][...] = 0  # the state is a copy
    assert not np.array_equal(model[0].weight.data, 0)
    with pytest.raises(KeyError, match="missing keys.*2.bias"):
        other.load_state_dict({k: v for k, v in state.items() if k != "2.bias"})
    bad = dict(state, **{"0.weight": np.zeros((3, 4))})
    with pytest.raises(ValueError, match=r"0.weight.*\(3, 4\).*\(2, 4\)"):
        other.load_state_dict(bad)


def test_train_eval_reach_every_submodule_and_control_dropout():
    model = tt.Sequential(tt.Linear(4, 4), tt.Dropout(0.5))
    x = tt.Tensor(np.ones((8, 4)))
    model.eval()
    assert not model[1].training
    np.testing.assert_array_equal(model(x).data, model(x).data)
    model.train()
    tt.manual_seed(0)
    dropped = tt.Dropout(0.5)(x).data
    assert set(np.unique(dropped)) == {0.0, 2.0}


def test_dropout_rejects_bad_p():
    with pytest.raises(ValueError, match="p must be in"):
        tt.Dropout(1.5)


def test_astype_converts_every_parameter():
    model = tt.MLP([2, 3, 1]).astype(np.float64)
    assert {p.dtype for p in model.parameters()} == {np.dtype(np.float64)}


def test_repr_lists_submodules():
    text = repr(tt.Sequential(tt.Linear(2, 3), tt.ReLU()))
    assert text == "Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): ReLU()\n)"


def test_embedding_and_layernorm():
    table = tt.Embedding(5, 3)
    ids = np.array([[0, 4], [4, 1]])
    np.testing.assert_array_equal(table(ids).data, table.weight.data[ids])
    with pytest.raises(IndexError, match="id 5 is out of range for 5 embeddings"):
        table(np.array([5]))
    norm = tt.LayerNorm(6)
    y = norm(tt.Tensor(np.random.default_rng(0).normal(3, 5, size=(4, 6)))).data
    np.testing.assert_allclose(y.mean(axis=-1), 0, atol=1e-5)
    np.testing.assert_allclose(y.var(axis=-1), 1, atol=1e-3)
    with pytest.raises(ValueError, match=r"LayerNorm.*\(4, 5\).*\(6,\)"):
        norm(tt.Tensor(np.ones((4, 5))))


def test_module_requires_super_init():
    class Broken(tt.Module):
        def __init__(self):
            self.w = tt.Parameter([1.0])

    with pytest.raises(AttributeError, match="super"):
        Broken()
