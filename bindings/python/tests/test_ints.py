"""Integers that do not fit the C parameter are refused with OverflowError
before any C call.

ctypes converts a Python int to a C integer by keeping its low bits:
before, get_model_version("m", 2**64 + 1) returned version 1,
delete_model_version("m", 2**64 + 1) deleted version 1, a metric logged
at step 2**64 + 3 was stored at step 3 and ramp_alias(..., 2**32 + 50)
gave the version 50 percent. Every integer parameter the binding declares
(_capi._declare) is now checked against its C type's range.
"""
import pytest

import mlops
from mlops import _capi


def refused(call):
    with pytest.raises(OverflowError) as e:
        call()
    assert not isinstance(e.value, mlops.MlopsError)  # the binding refused, not C


def test_version_beyond_int64_is_not_version_1(store):
    d = store.put(b"content")
    store.create_model("m")
    assert store.create_model_version("m", d) == 1
    refused(lambda: store.get_model_version("m", 2**64 + 1))
    refused(lambda: store.delete_model_version("m", 2**64 + 1))
    refused(lambda: store.set_model_version_tag("m", -(2**64) + 1, "k", "v"))
    v = store.get_model_version("m", 1)
    assert v.deleted_ms == 0 and v.tags == {}


def test_step_beyond_int64_is_not_stored_wrapped(store, run):
    refused(lambda: run.log_metric("loss", 1.0, step=2**64 + 3))
    refused(lambda: run.log_metric("loss", 1.0, timestamp_ms=2**63))
    run.log_metric("loss", 2.0, step=2**63 - 1, timestamp_ms=-(2**63))  # the limits fit
    h = store.metric_history(run.id, "loss")
    assert list(h.steps) == [2**63 - 1] and list(h.values) == [2.0]


def test_weight_beyond_int_is_not_wrapped(store):
    d = store.put(b"content")
    store.create_model("m")
    store.create_model_version("m", d)
    store.create_model_version("m", store.put(b"other"))
    store.set_alias("m", "prod", 1)
    refused(lambda: store.ramp_alias("m", "prod", 2, 2**32 + 50))
    assert store.get_alias("m", "prod") == 1


def test_unsigned_parameters_refuse_negative_values(store):
    d = store.put(b"content")
    refused(lambda: store.read_at(d, -1, 4))
    refused(lambda: store.audit_log(limit=-1))
    assert store.read_at(d, 0, 4) == b"cont"


def test_checked_types_keep_ctypes_conversions():
    # ints, bools, objects with __index__ and ctypes values pass; floats
    # and text do not, as with ctypes' own types.
    lib = _capi.C
    assert lib.mlops_strerror(True) == _capi.lib.mlops_strerror(1)

    class Index:
        def __index__(self):
            return 2

    assert lib.mlops_strerror(Index()) == _capi.lib.mlops_strerror(2)
    assert lib.mlops_strerror(_capi.c_int(3)) == _capi.lib.mlops_strerror(3)
    for bad in (1.0, "1"):
        with pytest.raises(Exception) as e:
            lib.mlops_strerror(bad)
        assert isinstance(e.value, (TypeError, _capi.ctypes.ArgumentError))
    refused(lambda: lib.mlops_strerror(2**31))
