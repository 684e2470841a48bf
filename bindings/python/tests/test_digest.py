"""Digest: parse, format, compute, equality."""
import hashlib

import pytest

import mlops


def test_compute_equals_sha256():
    for data in (b"", b"abc", bytes(range(256)) * 1000):
        d = mlops.Digest.compute(data)
        assert d.hex == hashlib.sha256(data).hexdigest()
        assert str(d) == "sha256:" + hashlib.sha256(data).hexdigest()
        assert d.raw == hashlib.sha256(data).digest()


def test_compute_takes_any_buffer():
    data = bytearray(b"hello")
    assert mlops.Digest.compute(data) == mlops.Digest.compute(memoryview(b"hello"))


def test_parse_round_trip_and_equality():
    d = mlops.Digest.compute(b"x")
    e = mlops.Digest(str(d))
    assert d == e and hash(d) == hash(e)
    assert d == str(d)
    assert mlops.Digest(d.raw) == d
    assert mlops.Digest(d) == d
    assert d != mlops.Digest.compute(b"y")
    assert repr(d) == f"Digest('{d}')"
    assert len({d, e}) == 1


@pytest.mark.parametrize("text", ["", "sha256:", "sha256:" + "A" * 64, "md5:" + "a" * 64,
                                  "sha256:" + "a" * 63, " sha256:" + "a" * 64])
def test_parse_is_strict(text):
    with pytest.raises(mlops.InvalidArgument):
        mlops.Digest(text)


def test_wrong_types():
    with pytest.raises(TypeError):
        mlops.Digest(b"short")
    with pytest.raises(TypeError):
        mlops.Digest(12)  # type: ignore[arg-type]
    d = mlops.Digest.compute(b"x")
    with pytest.raises(AttributeError):
        d.x = 1  # type: ignore[attr-defined]


def test_copy_and_pickle_keep_the_digest():
    # Immutable: copies are the digest itself, pickles rebuild it (a
    # RunInfo or ModelVersion holding digests deep-copies and pickles).
    import copy
    import pickle

    d = mlops.Digest.compute(b"x")
    assert copy.copy(d) is d and copy.deepcopy(d) is d
    for proto in range(pickle.HIGHEST_PROTOCOL + 1):
        e = pickle.loads(pickle.dumps(d, proto))
        assert e == d and type(e) is mlops.Digest
    edge = mlops.LineageEdge("0" * 32, "input", d, "data", "dataset", 1)
    assert copy.deepcopy(edge) == edge


def test_hash_agrees_with_equality_to_the_text_form():
    # d == str(d), so a set or dict of digests finds the text form.
    d = mlops.Digest.compute(b"x")
    assert hash(d) == hash(str(d))
    assert str(d) in {d} and d in {str(d): 1}
