"""Weighted aliases and routing: splits, ramps, rollbacks, point in time,
routing with the store and from snapshots, bad input."""
import threading
import time

import pytest

import mlops


@pytest.fixture
def churn(store):
    d = store.put(b"model weights")
    store.create_model("churn")
    for _ in range(5):
        store.create_model_version("churn", d)
    return store


def test_split_set_get_list(churn):
    s = churn
    s.set_alias_split("churn", "champion", {4: 10, 3: 90}, shadow=5, actor="ana", reason="canary")
    sp = s.alias_split("churn", "champion")
    assert isinstance(sp, mlops.AliasSplit)
    assert (sp.alias, sp.text, sp.legs, sp.primary, sp.shadow) == (
        "champion", "3:90,4:10+shadow:5", ((3, 90), (4, 10)), 3, 5)
    assert sp.weights == {3: 90, 4: 10} and len(sp.salt) == 32
    assert s.get_alias("churn", "champion") == 3  # 1.0: the primary
    s.set_alias_split("churn", "stage", 2)
    assert [(x.alias, x.text) for x in s.alias_splits("churn")] == [
        ("champion", "3:90,4:10+shadow:5"), ("stage", "2")]


def test_route_share_stickiness_and_ramp(churn):
    s = churn
    s.set_alias_split("churn", "champion", "3:90,4:10")
    keys = [f"user-{i}" for i in range(20000)]
    with s.route_snapshot("churn", "champion") as snap:
        assert snap.split.text == "3:90,4:10"
        at10 = snap.route_many(keys)
    share = at10.count(4) / len(keys)
    assert 0.09 < share < 0.11
    assert [s.route("churn", "champion", k) for k in keys[:20]] == at10[:20]
    assert s.route("churn", "champion", keys[5].encode()) == at10[5]
    s.ramp_alias("churn", "champion", 4, 50)
    with s.route_snapshot("churn", "champion") as snap:
        at50 = snap.route_many(keys)
    assert all(b == 4 for a, b in zip(at10, at50) if a == 4)  # monotone
    s.rollback_alias("churn", "champion")
    assert s.alias_split("churn", "champion").text == "3:90,4:10"
    with s.route_snapshot("churn", "champion") as snap:
        assert snap.route_many(keys) == at10  # sticky through a ramp and its rollback
    s.ramp_alias("churn", "champion", 4, 100)
    assert s.alias_split("churn", "champion").text == "4"


def test_snapshot_threads_and_close(churn):
    s = churn
    s.set_alias_split("churn", "champion", "3:50,4:50")
    snap = s.route_snapshot("churn", "champion")
    want = snap.route_many(str(i) for i in range(2000))
    got = []

    def work():
        got.append(snap.route_many(str(i) for i in range(2000)))

    ts = [threading.Thread(target=work) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert got == [want] * 4
    snap.close()
    snap.close()
    with pytest.raises(ValueError):
        snap.route("k")


def test_point_in_time(churn):
    s = churn
    s.set_alias_split("churn", "champion", 3)
    time.sleep(0.005)
    t1 = int(time.time() * 1000)
    time.sleep(0.005)
    s.ramp_alias("churn", "champion", 4, 10)
    assert s.alias_split_at("churn", "champion", t1).text == "3"
    assert s.alias_split_at("churn", "champion", int(time.time() * 1000) + 1000).text == "3:90,4:10"
    s.rollback_alias("churn", "champion", t1)
    assert s.alias_split("churn", "champion").text == "3"


def test_bad_input(churn):
    s = churn
    s.set_alias_split("churn", "champion", "3:90,4:10")
    with pytest.raises(mlops.InvalidArgument, match="the weights sum to 95, not 100"):
        s.set_alias_split("churn", "champion", {3: 90, 4: 5})
    with pytest.raises(mlops.InvalidArgument):
        s.set_alias_split("churn", "champion", "3:90, 4:10")
    with pytest.raises(mlops.NotFound):
        s.set_alias_split("churn", "champion", "3:90,9:10")
    with pytest.raises(mlops.InvalidArgument):
        s.ramp_alias("churn", "champion", 4, 101)
    with pytest.raises(TypeError):
        s.route("churn", "champion", 42)
    assert s.route("churn", "champion", b"a\0b") in (3, 4)  # bytes: any bytes
    with pytest.raises(ValueError):
        s.route("churn", "champion", "a\0b")
    with pytest.raises(ValueError):
        s.set_alias_split("churn", "champ\0ion", "3")
    s.delete_alias("churn", "champion")
    with pytest.raises(mlops.NotFound):
        s.route("churn", "champion", "k")
    with pytest.raises(mlops.NotFound):
        s.route_snapshot("churn", "champion")
    with pytest.raises(mlops.NotFound):
        s.alias_split("churn", "champion")
