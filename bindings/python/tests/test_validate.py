"""Data validation (mlops.validate): infer from profiles, edit, the stored
and JSON forms, the store, and every anomaly through the binding."""
import json
import math
from array import array

import pytest

import mlops
from mlops import drift, validate

try:
    import numpy
except ImportError:  # pragma: no cover
    numpy = None


def reference():
    age = drift.Profile("numeric")
    age.add([float("nan")] * 5 + [float(i % 100) for i in range(95)])
    city = drift.Profile("categorical")
    city.add([None] * 10 + [["Oslo", "Rome", "Lima"][i % 3] for i in range(90)])
    s = validate.Schema.infer({"age": age, "city": city}, missing_slack=0.01)
    age.close()
    city.close()
    return s


def test_infer_and_columns():
    with reference() as s:
        assert len(s) == 2
        cols = {c["name"]: c for c in s.columns()}
        assert cols["age"]["kind"] == "numeric"
        assert cols["age"]["range"] == (0.0, 94.0)
        assert cols["age"]["missing_max"] == pytest.approx(0.06)
        assert cols["city"]["categories"] == ["Lima", "Oslo", "Rome"]
        assert s.column("city")["required"] is True
        with pytest.raises(mlops.NotFound):
            s.column("nope")


def test_edit_and_forms(store):
    with reference() as s:
        d1 = s.put(store)
        s.set_column("age", "numeric", range=(0, 200), missing_max=0.5)
        s.set_column("note", "categorical", required=False)
        assert s.column("age")["range"] == (0.0, 200.0)
        assert "categories" not in s.column("note")
        d2 = s.put(store)
        assert d1 != d2
        with validate.Schema.get(store, d2) as g:
            assert g.serialize() == s.serialize()
        with validate.Schema.from_json(s.to_json()) as t:
            assert t.serialize() == s.serialize()
        with validate.Schema.deserialize(s.serialize()) as t:
            assert t.columns() == s.columns()
        s.delete_column("note")
        with pytest.raises(mlops.NotFound):
            s.delete_column("note")
        with pytest.raises(mlops.InvalidArgument):
            s.set_column("x", "numeric", range=(2, 1))
        with pytest.raises(ValueError):
            s.set_column("x", "text")
    text = json.loads(validate.Schema().to_json())
    assert text == {"format": "mlops.schema", "version": 1, "columns": []}
    with pytest.raises(mlops.FormatError):
        validate.Schema.from_json('{"format": "mlops.schema", "version": 1, "columns": [{}]}')
    with pytest.raises(mlops.FormatError):
        validate.Schema.deserialize(b"\x93\x01\x02")
    with pytest.raises(mlops.Unsupported):
        validate.Schema.from_json('{"format": "mlops.schema", "version": 9, "columns": []}')


def test_every_anomaly():
    with reference() as s:
        ages = array("d", [float(i % 90) for i in range(100)])
        cities = [["Oslo", "Rome"][i % 2] for i in range(100)]
        assert s.validate({"age": ages, "city": cities}) == []
        ages[3] = 500.0
        ages[4] = -1.0
        for i in range(80, 90):
            ages[i] = float("nan")
        cities[7] = "Paris"
        got = s.validate({"age": ages, "city": cities, "extra": [1.0] * 100}, max_examples=1)
        assert [(a["column"], a["anomaly"]) for a in got] == [
            ("age", "out_of_range"), ("age", "missing_values"), ("city", "unseen_category"),
            ("extra", "unknown_column")]
        oor = got[0]
        assert (oor["count"], oor["total"], oor["examples"]) == (2, 90, [(3, "500")])
        assert oor["share"] == pytest.approx(2 / 90)
        assert got[1]["count"] == 10 and got[1]["limit"] == pytest.approx(0.06)
        assert got[2]["examples"] == [(7, "Paris")]
        assert got[3]["actual_kind"] == "numeric" and got[3]["expected_kind"] is None
        kinds = s.validate({"age": ["x"] * 3})
        assert [(a["column"], a["anomaly"]) for a in kinds] == [
            ("age", "kind_change"), ("city", "missing_column")]
        assert kinds[0]["expected_kind"] == "numeric" and kinds[0]["actual_kind"] == "categorical"
        with pytest.raises(ValueError):
            s.validate({"age": [1.0, 2.0], "city": ["a"]})
        with pytest.raises(mlops.InvalidArgument):
            s.validate({"age": [1.0]}, max_examples=101)


@pytest.mark.skipif(numpy is None, reason="numpy not installed")
def test_numpy_columns():
    with reference() as s:
        ages = numpy.arange(100, dtype=numpy.float64) % 90
        cities = numpy.array(["Oslo", "Lima"] * 50, dtype=object)
        assert s.validate({"age": ages, "city": cities}) == []
        ages[0] = 1e9
        assert [a["anomaly"] for a in s.validate({"age": ages, "city": cities})] == ["out_of_range"]


def test_closed_schema():
    s = reference()
    s.close()
    s.close()
    with pytest.raises(ValueError):
        s.columns()
    assert math.isfinite(0.0)
