"""Tests for tinytorch.text: vocabulary order, round trips, unknown tokens, errors."""

import numpy as np
import pytest

from tinytorch.text import SPECIAL_TOKENS, CharTokenizer, WordTokenizer

CORPUS = ["the cat sat on the mat.", "the dog sat on the log.", "a cat saw a dog!"]


@pytest.mark.parametrize("cls", [CharTokenizer, WordTokenizer])
def test_specials_first_with_fixed_ids(cls):
    tok = cls().fit(CORPUS)
    assert tok.vocab[:4] == list(SPECIAL_TOKENS)
    assert (tok.pad_id, tok.unk_id, tok.bos_id, tok.eos_id) == (0, 1, 2, 3)
    assert tok.stoi["<pad>"] == 0 and tok.itos[1] == "<unk>"
    assert tok.vocab_size == len(tok.itos) == len(tok.stoi) == len(tok)
    assert all(tok.itos[i] == s for s, i in tok.stoi.items())


def test_word_vocab_order_is_frequency_then_alphabetical():
    tok = WordTokenizer().fit(CORPUS)
    words = " ".join(CORPUS).replace(".", " . ").replace("!", " ! ").split()
    counts = {w: words.count(w) for w in set(words)}
    expected = sorted(counts, key=lambda w: (-counts[w], w))
    assert tok.vocab[4:] == expected
    # and fitting the texts in another order gives the same vocabulary
    assert WordTokenizer().fit(CORPUS[::-1]).vocab == tok.vocab


def test_char_vocab_covers_every_character_once():
    text = "".join(CORPUS)
    tok = CharTokenizer().fit(text)
    assert sorted(tok.vocab[4:]) == sorted(set(text))


@pytest.mark.parametrize("cls", [CharTokenizer, WordTokenizer])
@pytest.mark.parametrize("text", CORPUS)
def test_round_trip(cls, text):
    tok = cls().fit(CORPUS)
    ids = tok.encode(text)
    assert all(isinstance(i, int) for i in ids)
    assert tok.decode(ids) == text
    assert tok.decode(np.array(ids)) == text
    wrapped = tok.encode(text, add_special_tokens=True)
    assert wrapped[0] == tok.bos_id and wrapped[-1] == tok.eos_id and wrapped[1:-1] == ids
    assert tok.decode(wrapped) == text
    assert tok.decode(wrapped, skip_special_tokens=False) != text


def test_word_tokenizer_splits_punctuation():
    tok = WordTokenizer()
    assert tok.tokenize("the mat.") == ["the", "mat", "."]
    assert tok.tokenize("  Hi,  there!\n(ok)") == ["Hi", ",", "there", "!", "(", "ok", ")"]
    assert tok.tokenize("don't") == ["don", "'", "t"]
    fitted = WordTokenizer().fit("don't (x), y.")
    assert fitted.decode(fitted.encode("don't (x), y.")) == "don't (x), y."


def test_lower_option():
    tok = WordTokenizer(lower=True).fit("The cat. the CAT")
    assert "The" not in tok.stoi and tok.encode("THE Cat") == [tok.stoi["the"], tok.stoi["cat"]]


@pytest.mark.parametrize("cls,unseen", [(CharTokenizer, "zq"), (WordTokenizer, "zebra quokka")])
def test_unknown_tokens_map_to_unk(cls, unseen):
    tok = cls().fit(CORPUS)
    ids = tok.encode(unseen)
    assert ids == [tok.unk_id] * len(ids) and len(ids) == 2
    assert "<unk>" in tok.decode(ids)


def test_min_freq_and_max_size():
    tok = WordTokenizer(min_freq=2).fit(CORPUS)
    assert "the" in tok.stoi and "mat" not in tok.stoi
    assert tok.encode("mat") == [tok.unk_id]
    small = WordTokenizer(max_size=6).fit(CORPUS)
    assert small.vocab_size == 6 and small.vocab[4] == "the"


def test_decode_out_of_range_names_id_and_size():
    tok = CharTokenizer().fit("abc")
    with pytest.raises(ValueError, match=r"token id 99 .*size 7"):
        tok.decode([4, 99])
    with pytest.raises(ValueError, match=r"token id -1"):
        tok.decode([-1])


def test_bad_inputs():
    with pytest.raises(ValueError, match="fit"):
        CharTokenizer().encode("abc")
    tok = CharTokenizer().fit("abc")
    with pytest.raises(TypeError, match="str"):
        tok.encode(["a", "b"])
    with pytest.raises(TypeError, match="integers"):
        tok.decode([0.5])
    with pytest.raises(ValueError, match=r"1-D.*\(2, 2\)"):
        tok.decode([[4, 5], [5, 6]])
    with pytest.raises(TypeError, match="item 1"):
        CharTokenizer().fit(["ok", 3])
    with pytest.raises(ValueError, match="min_freq"):
        CharTokenizer(min_freq=0)
    assert tok.decode([]) == ""
