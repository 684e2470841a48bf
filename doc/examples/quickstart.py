"""The libmlops Python quickstart, end to end, through the `mlops` binding.

Stores a generated dataset, trains (pretends to) in a tracked run with
params and 1,000 steps of metrics, stores the model file as the run's
output, registers it as version N of model "churn" with alias "champion",
signs it with a freshly generated Ed25519 key, then generates a drifted
batch of data and computes a drift report against the training data,
logged to a monitoring run and written as HTML and JSON. Prints what
happened and where.

    pip install ./bindings/python        # then, with libmlops findable:
    python doc/examples/quickstart.py [STORE_DIR]     # default ./mlops-demo-py

Run it again on the same store: it adds a version and a run each time.
"""
import io
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile

import mlops
from mlops import drift

COLUMNS = ("age", "income", "tenure_months")


def make_rows(rng: random.Random, n: int, shift: float = 0.0):
    """n customers: age, income, tenure; `shift` moves age and income."""
    cols = {c: [] for c in COLUMNS}
    for _ in range(n):
        cols["age"].append(round(rng.gauss(40 + 8 * shift, 10), 1))
        cols["income"].append(round(rng.lognormvariate(10.5 + 0.3 * shift, 0.4), 2))
        cols["tenure_months"].append(float(rng.randint(1, 72)))
    return cols


def as_csv(cols) -> bytes:
    out = io.StringIO()
    out.write(",".join(COLUMNS) + "\n")
    for row in zip(*(cols[c] for c in COLUMNS)):
        out.write(",".join(repr(v) for v in row) + "\n")
    return out.getvalue().encode()


def make_keys(folder: str):
    """An Ed25519 key pair as PEM texts, made once by openssl in folder."""
    priv, pub = os.path.join(folder, "signing.pem"), os.path.join(folder, "signing.pub.pem")
    if not os.path.exists(pub):
        os.makedirs(folder, exist_ok=True)
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", priv],
                       check=True, capture_output=True)
        subprocess.run(["openssl", "pkey", "-in", priv, "-pubout", "-out", pub],
                       check=True, capture_output=True)
    with open(priv) as f, open(pub) as g:
        return f.read(), g.read(), priv, pub


def main() -> int:
    store_dir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "mlops-demo-py")
    keys_dir = store_dir + "-keys"
    rng = random.Random(42)
    print(f"mlops {mlops.__version__} on libmlops {mlops.library_version()} "
          f"({mlops.library_path}, found by {mlops.library_found_by})")

    with mlops.Store(store_dir) as store:
        # 1. The training data, stored by content.
        train = make_rows(rng, 5000)
        data_digest = store.put(as_csv(train))
        print(f"dataset: 5,000 rows stored as {data_digest}")

        # 2. A tracked training run: params, 1,000 steps of metrics, the
        #    dataset as input and the model file as output.
        with store.start_run("churn", "train") as run:
            run.log_params({"model": "logistic", "learning_rate": 0.05, "epochs": 1000,
                            "features": ",".join(COLUMNS)})
            run.log_input(data_digest, "train.csv", role="dataset")
            for step in range(1000):
                loss = 0.7 * math.exp(-step / 250) + 0.1 + rng.uniform(-0.01, 0.01)
                run.log_metrics({"loss": loss, "accuracy": 1.0 - loss / 1.6}, step=step)
            with tempfile.TemporaryDirectory() as tmp:
                model_path = os.path.join(tmp, "model.json")
                with open(model_path, "w") as f:
                    f.write('{"weights": [0.021, -0.004, 0.013], "bias": -1.7}\n')
                model_digest = store.put(model_path)
            run.log_output(model_digest, "model.json", role="model")
        info = store.get_run(run.id)
        loss = info.metrics["loss"]
        print(f"run {run.id} ({info.status}): {loss.count} loss points, "
              f"last {loss.last:.4f}, min {loss.min:.4f}; model {model_digest}")
        history = store.metric_history(run.id, "loss", buckets=10)
        print(f"  loss history downsampled to {len(history)} points for a chart")

        # 3. The registry: version N of "churn", alias champion, signed.
        try:
            store.create_model("churn", "predicts customer churn")
        except mlops.AlreadyExists:
            pass
        version = store.create_model_version("churn", model_digest, run,
                                             "logistic regression", reason="quickstart")
        priv, pub, priv_path, pub_path = make_keys(keys_dir)
        fingerprint = store.sign_model_version("churn", version, priv)
        store.verify_model_version("churn", version, pub)
        store.set_alias_policy("churn", "champion", [pub])
        store.set_alias("churn", "champion", version, reason="best so far")
        resolved = store.resolve("churn@champion")
        print(f"model churn: version {version} is champion -> {resolved.artifact}")
        print(f"  signed by key {fingerprint} ({priv_path}); the alias now requires it")

        # 4. Drift: a new batch whose age and income moved, against the
        #    training data, logged to a monitoring run.
        batch = make_rows(rng, 2000, shift=1.0)
        batch_digest = store.put(as_csv(batch))
        reference = {c: train[c][:1000] for c in COLUMNS}
        report = drift.report(reference, batch)
        with store.start_run("churn", "monitor") as monitor:
            monitor.log_input(batch_digest, "batch.csv", role="dataset")
            report.log_to(monitor)
        print(f"drift report (monitoring run {monitor.id}): dataset drift "
              f"{report['dataset_drift']}, {report['n_drifted']} of {report['n_columns']} "
              f"columns drifted")
        for name, col in report["columns"].items():
            p = "" if col["p_value"] is None else f", p-value {col['p_value']:.3g}"
            print(f"  {name:14} {col['method']:12} {col['statistic']:.4f}{p}"
                  f" -> {'DRIFT' if col['drifted'] else 'ok'}")
        report_path = store_dir + "-drift.json"
        with open(report_path, "w") as f:
            f.write(report.to_json())
        html_path = store_dir + "-drift.html"
        with open(html_path, "w") as f:
            f.write(report.to_html(title="Churn: training data vs new batch",
                                   reference_name="train.csv", current_name="batch.csv"))

        # 5. The audit log is a hash chain: check it.
        store.audit_verify()
        head = store.audit_head()
        print(f"audit log intact: {head.seq} events, head {head.hash}")

    print(f"store: {store_dir} (metadata in mlops.db, content in objects/)")
    print(f"keys: {keys_dir}; drift report: {html_path} (JSON: {report_path})")
    return 0


if __name__ == "__main__":
    if shutil.which("openssl") is None:
        sys.exit("quickstart: needs the openssl command to make a signing key")
    sys.exit(main())
