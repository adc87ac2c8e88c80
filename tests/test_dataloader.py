"""Dataset, TensorDataset, Subset, DataLoader and random_split."""
import numpy as np
import pytest

import tinytorch as tt
from tinytorch.core.dataloader import DataLoader, Dataset, Subset, TensorDataset, random_split
from tinytorch.core.tensor import Tensor


def make_data(n=10):
    """Features whose first column is the sample's index, so every batch can be traced back."""
    X = np.stack([np.arange(n), -np.arange(n)], axis=1).astype(np.float32)
    return TensorDataset(X, np.arange(n) * 10)


def epoch_indices(loader):
    """The sample indices of one epoch, batch by batch, checked against the labels."""
    batches = []
    for x, y in loader:
        assert isinstance(x, Tensor) and isinstance(y, Tensor)
        np.testing.assert_array_equal(y.numpy(), 10 * x.numpy()[:, 0].astype(np.int64))
        batches.append(x.numpy()[:, 0].astype(int))
    return batches


def test_tensor_dataset_indexing_and_dtypes():
    data = TensorDataset(Tensor(np.ones((4, 3))), np.arange(4))
    assert len(data) == 4
    x, y = data[2]
    assert x.shape == (3,) and y.item() == 2
    x, y = data[np.array([3, 1])]
    assert x.shape == (2, 3) and y.numpy().tolist() == [3, 1]
    assert data.arrays[1].dtype == np.arange(1).dtype  # labels keep their integer dtype


@pytest.mark.parametrize("arrays, message", [
    ((np.zeros((5, 2)), np.zeros(4)), r"different lengths \(5, 4\)"),
    ((np.zeros(3), np.zeros(3), np.zeros(2)), r"different lengths \(3, 3, 2\)"),
    ((), "at least one array"),
    ((np.float32(1.0),), r"first \(sample\) dimension"),
])
def test_tensor_dataset_bad_input(arrays, message):
    with pytest.raises(ValueError, match=message):
        TensorDataset(*arrays)


@pytest.mark.parametrize("n, batch_size, drop_last, sizes", [
    (10, 4, False, [4, 4, 2]), (10, 4, True, [4, 4]), (8, 4, True, [4, 4]), (3, 5, False, [3]),
    (3, 5, True, []),
])
def test_batches_in_order_and_len(n, batch_size, drop_last, sizes):
    loader = DataLoader(make_data(n), batch_size=batch_size, drop_last=drop_last)
    batches = epoch_indices(loader)
    assert [len(b) for b in batches] == sizes and len(loader) == len(sizes)
    assert np.concatenate(batches or [np.array([], int)]).tolist() == list(range(sum(sizes)))


def test_shuffle_covers_every_sample_once_and_changes_each_epoch():
    loader = DataLoader(make_data(50), batch_size=8, shuffle=True, seed=1)
    epochs = [np.concatenate(epoch_indices(loader)) for _ in range(3)]
    for order in epochs:
        assert sorted(order.tolist()) == list(range(50))
    assert len({tuple(order) for order in epochs}) == 3
    assert epochs[0].tolist() != list(range(50))


def test_shuffle_with_drop_last_never_repeats_within_an_epoch():
    loader = DataLoader(make_data(23), batch_size=5, shuffle=True, seed=0, drop_last=True)
    order = np.concatenate(epoch_indices(loader))
    assert len(order) == 20 and len(set(order.tolist())) == 20


def test_same_seed_same_sequence_of_epochs():
    def run(seed):
        loader = DataLoader(make_data(30), batch_size=7, shuffle=True, seed=seed)
        return [np.concatenate(epoch_indices(loader)).tolist() for _ in range(2)]
    assert run(5) == run(5)
    assert run(5) != run(6)


def test_seed_none_uses_the_global_generator():
    def run():
        tt.manual_seed(3)
        loader = DataLoader(make_data(30), batch_size=30, shuffle=True)
        return np.concatenate(epoch_indices(loader)).tolist()
    first = run()
    assert first == run() and first != list(range(30))
    tt.manual_seed(4)
    assert np.concatenate(epoch_indices(DataLoader(make_data(30), 30, shuffle=True))).tolist() != first


def test_tensor_dataset_batches_by_one_fancy_index():
    calls = []

    class Spy(np.ndarray):
        def __getitem__(self, index):
            calls.append(np.shape(index))
            return super().__getitem__(index)

    data = TensorDataset(np.arange(12.0), np.arange(12))
    data.arrays = (data.arrays[0].view(Spy), data.arrays[1])
    assert len(list(DataLoader(data, batch_size=5, shuffle=True, seed=0))) == 3
    assert calls == [(5,), (5,), (2,)]   # one gather per batch, no per-sample indexing


class Squares(Dataset):
    """A data set with only __getitem__: the loader falls back to stacking items."""

    def __len__(self):
        return 7

    def __getitem__(self, index):
        return np.array([index], dtype=np.float32), index ** 2


def test_plain_dataset_is_stacked():
    batches = list(DataLoader(Squares(), batch_size=3))
    assert [x.shape for x, _ in batches] == [(3, 1), (3, 1), (1, 1)]
    assert batches[1][1].numpy().tolist() == [9, 16, 25]


def test_base_dataset_needs_len_and_getitem():
    with pytest.raises(NotImplementedError, match="__len__"):
        len(Dataset())
    with pytest.raises(NotImplementedError, match="__getitem__"):
        Dataset()[0]


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True])
def test_bad_batch_size(batch_size):
    with pytest.raises(ValueError, match=f"batch_size must be a positive integer, got {batch_size}"):
        DataLoader(make_data(), batch_size=batch_size)


@pytest.mark.parametrize("fractions, lengths", [
    ([0.8, 0.2], [80, 20]), ([0.5, 0.3, 0.2], [50, 30, 20]), ([1 / 3] * 3, [34, 33, 33]),
    ([70, 30], [70, 30]), ((0.25, 0.75), [25, 75]), ([1.0], [100]),
])
def test_random_split_is_disjoint_and_covering(fractions, lengths):
    parts = random_split(make_data(100), fractions, seed=0)
    assert [len(p) for p in parts] == lengths and all(isinstance(p, Subset) for p in parts)
    together = np.concatenate([p.indices for p in parts])
    assert sorted(together.tolist()) == list(range(100))
    assert together.tolist() != list(range(100)), "split should be random"


def test_random_split_determinism_and_loading_a_subset():
    first = random_split(make_data(40), [0.75, 0.25], seed=2)
    again = random_split(make_data(40), [0.75, 0.25], seed=2)
    other = random_split(make_data(40), [0.75, 0.25], seed=3)
    assert first[1].indices.tolist() == again[1].indices.tolist() != other[1].indices.tolist()
    batches = epoch_indices(DataLoader(first[1], batch_size=4))
    assert np.concatenate(batches).tolist() == first[1].indices.tolist()
    x, y = first[1][0]
    assert y.item() == 10 * first[1].indices[0]
    nested = Subset(first[0], [2, 0])
    assert [int(nested[i][1].item()) for i in range(2)] == (10 * first[0].indices[[2, 0]]).tolist()


@pytest.mark.parametrize("fractions, message", [
    ([0.5, 0.3], r"fractions \(0.5, 0.3\) sum to 0.8, not 1"),
    ([0.7, 0.7], r"sum to 1.4, not 1"),
    ([60, 30], r"lengths \(60, 30\) sum to 90, but the dataset has 100 samples"),
    ([0.5, -0.5, 1.0], "non-negative"),
    ([], "non-negative numbers, got"),
])
def test_random_split_bad_fractions(fractions, message):
    with pytest.raises(ValueError, match=message):
        random_split(make_data(100), fractions, seed=0)
