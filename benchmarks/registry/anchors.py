"""Anchors for the registry benchmark, run by run.sh beside bench_registry.

1. MLflow's model registry (MlflowClient on a SQLite file, the embedded
   way MLflow offers): create_model_version and set_registered_model_alias
   per second, medians of several repetitions.
2. The audit log verified by an independent Python implementation of the
   documented format (doc/format.md): msgpack + hashlib over the store that
   bench_registry left behind. It must agree with the library on every
   hash (a cross-check of the format), and its time is an anchor for
   mlops_audit_verify.

usage: anchors.py WORKDIR OURS_FILE [-q]
"""
import hashlib
import os
import sqlite3
import statistics
import sys
import time

import msgpack


def ours(path):
    out = {}
    with open(path) as f:
        for line in f:
            if line.startswith("result "):
                _, key, value = line.split()
                out[key] = float(value)
    return out


def mlflow_rates(work, n, reps):
    import logging

    logging.getLogger("mlflow").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from mlflow.tracking import MlflowClient

    db = os.path.join(work, "mlflow.db")
    if os.path.exists(db):
        os.remove(db)
    uri = "sqlite:///" + db
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    client.create_registered_model("m")
    creates, moves = [], []
    for _ in range(reps):
        t = time.perf_counter()
        for _ in range(n):
            client.create_model_version("m", source="file:///models/m", run_id=None)
        creates.append(n / (time.perf_counter() - t))
    for _ in range(reps):
        t = time.perf_counter()
        for i in range(n):
            client.set_registered_model_alias("m", "champion", str(1 + i % 2))
        moves.append(n / (time.perf_counter() - t))
    return statistics.median(creates), statistics.median(moves)


def python_verify(store):
    db = sqlite3.connect("file:%s?mode=ro" % os.path.join(store, "mlops.db"), uri=True)
    t = time.perf_counter()
    prev = bytes(32)
    expected = 1
    # Format 1: 12 items; format 2 (store format 2): 13, the payload last.
    for row in db.execute(
        "SELECT seq, time_ms, actor, action, model_id, model, version, key, "
        "old_value, new_value, reason, hash, format, payload FROM audit_events ORDER BY seq"
    ):
        seq, hash_, fmt, payload = row[0], row[11], row[12], row[13]
        if seq != expected:
            raise SystemExit("python verifier: event %d missing" % expected)
        fields = list(row[:11])
        if fields[6] == 0:
            fields[6] = None
        tail = [payload] if fmt == 2 else []
        encoded = msgpack.packb([fmt] + fields + tail, use_bin_type=True)
        h = hashlib.sha256(prev + encoded).digest()
        if h != hash_:
            raise SystemExit("python verifier: event %d does not match its hash" % seq)
        prev = h
        expected += 1
    dt = time.perf_counter() - t
    db.close()
    return dt, expected - 1


def row(name, unit, mine, anchor, anchor_name):
    fmt = "%-28s %12.4f %-6s | %-22s %12.4f %-6s | ratio %.2f" if unit == "s" else \
          "%-28s %12.0f %-6s | %-22s %12.0f %-6s | ratio %.2f"
    print(fmt % (name, mine, unit, anchor_name, anchor, unit, mine / anchor if anchor else 0))


def main():
    work, ours_file = sys.argv[1], sys.argv[2]
    quick = "-q" in sys.argv[3:]
    mine = ours(ours_file)
    n, reps = (40, 3) if quick else (200, 3)
    create, move = mlflow_rates(work, n, reps)
    verify_times = []
    for _ in range(3):
        dt, count = python_verify(os.path.join(work, "store"))
        verify_times.append(dt)
    print("# the same figures beside MLflow %s (SQLite file, %d ops x %d) and a Python "
          "verifier of the documented format" % (__import__("mlflow").__version__, n, reps))
    row("version create", "ops/s", mine["version_create_ops_per_s"], create,
        "MLflow create_version")
    row("alias move", "ops/s", mine["alias_move_ops_per_s"], move, "MLflow set_alias")
    row("audit verify %d events" % count, "s", mine["audit_verify_s"],
        statistics.median(verify_times), "Python msgpack+sha256")
    print("(the Python verifier recomputed all %d hashes and agreed with the library)" % count)


if __name__ == "__main__":
    main()
