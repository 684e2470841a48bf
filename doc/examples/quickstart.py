"""The libmlops quickstart in Python: the whole story of one model, the
same as doc/examples/quickstart.c, through the `mlops` binding.

  1. create a store (a directory: SQLite metadata + content-addressed objects)
  2. store a generated training dataset
  3. start a run, log params and 1,000 steps of metrics while training
  4. store the trained model file as the run's output
  5. register it as version N of the model "churn", alias "champion"
  6. sign the version with an Ed25519 key and verify the signature
  7. generate a drifted production batch and write a drift report
     (text and HTML), also logged as metrics of a monitoring run

    scripts/build-wheel.sh dist/ && pip install dist/libmlops-*.whl   # libmlops inside
    (or pip install ./bindings/python, with an installed libmlops)
    python doc/examples/quickstart.py [DIR]          (default: ./mlops-demo-py)

Run it again and it adds a run and a version to the same store. The
signing key is made with `openssl genpkey -algorithm ed25519`.
"""
import math
import os
import random
import subprocess
import sys
import time

import mlops
from mlops import drift

TRAIN_ROWS, PROD_ROWS, STEPS, BATCH = 4000, 1500, 1000, 64
CITIES = ["Paris", "Berlin", "Madrid", "Rome", "Lisbon"]
PLANS = ["basic", "pro"]


def generate(rng, n, drifted):
    """n customers; production data drifts: older, more in Lisbon and Rome.
    city and plan are category codes; about 3% of incomes are unknown (NaN)."""
    weights = [0.15, 0.15, 0.2, 0.22, 0.28] if drifted else [0.35, 0.25, 0.2, 0.12, 0.08]
    cols = {"age": [], "income": [], "city": [], "plan": [], "churned": []}
    for _ in range(n):
        age = max(18.0, round(rng.gauss(47.0 if drifted else 38.0, 11.0)))
        income = math.nan if rng.random() < 0.03 else round(math.exp(rng.gauss(10.4, 0.45)))
        city = float(rng.choices(range(len(CITIES)), weights)[0])
        plan = 1.0 if rng.random() < 0.3 else 0.0
        z = -1.2 + 0.045 * (age - 40.0) - 1.1 * plan + (0.6 if city == 3.0 else 0.0)
        churned = 1.0 if rng.random() < 1.0 / (1.0 + math.exp(-z)) else 0.0
        for k, v in zip(cols, (age, income, city, plan, churned)):
            cols[k].append(v)
    return cols


def write_csv(cols, path):
    with open(path, "w") as f:
        f.write("age,income,city,plan,churned\n")
        for age, income, city, plan, churned in zip(*cols.values()):
            inc = "" if math.isnan(income) else f"{income:.0f}"  # empty: missing
            f.write(f"{age:.0f},{inc},{CITIES[int(city)]},{PLANS[int(plan)]},{churned:.0f}\n")


def features(cols, i):
    income = cols["income"][i]
    return [(cols["age"][i] - 40.0) / 10.0,
            0.0 if math.isnan(income) else (math.log(income) - 10.4) / 0.45,
            cols["plan"][i], 1.0 if cols["city"][i] == 3.0 else 0.0]


def train(run, cols, rng, lr):
    """Logistic regression by mini-batch gradient descent; loss and accuracy
    of each step's batch are logged 100 steps at a time (one transaction)."""
    w = [0.0] * 5
    loss_log, acc_log = [], []
    for step in range(1, STEPS + 1):
        grad, loss, correct = [0.0] * 5, 0.0, 0
        for i in rng.sample(range(len(cols["age"])), BATCH):
            x, y = features(cols, i), cols["churned"][i]
            p = 1.0 / (1.0 + math.exp(-(w[4] + sum(a * b for a, b in zip(w, x)))))
            loss -= y * math.log(p + 1e-12) + (1.0 - y) * math.log(1.0 - p + 1e-12)
            correct += (p >= 0.5) == (y == 1.0)
            for k in range(4):
                grad[k] += (p - y) * x[k]
            grad[4] += p - y
        w = [wk - lr * g / BATCH for wk, g in zip(w, grad)]
        loss_log.append(loss / BATCH)
        acc_log.append(correct / BATCH)
        if step % 100 == 0:
            run.log_metric_arrays({"loss": loss_log, "accuracy": acc_log},
                                  steps=range(step - 99, step + 1))
            loss_log, acc_log = [], []
    return w


def text_report(report):
    lines = [f"{'COLUMN':10} {'KIND':12} {'METHOD':14} {'STATISTIC':>10} {'DRIFT WHEN':>12} "
             f"{'P-VALUE':>10}  VERDICT"]
    for name, c in report["columns"].items():
        p = c["p_value"]
        when = f"{'>=' if p is None else 'p <='} {c['threshold']:.3g}"
        lines.append(f"{name:10} {c['kind']:12} {c['method']:14} {c['statistic']:10.4g} "
                     f"{when:>12} {'-' if p is None else f'{p:.3g}':>10}  "
                     f"{'DRIFT' if c['drifted'] else 'ok'}")
    lines.append(f"\ndataset drift: {'YES' if report['dataset_drift'] else 'no'} "
                 f"({report['n_drifted']} of {report['n_columns']} columns drifted; the rule "
                 f"is at least {100 * report['drift_share']:.0f}%)")
    return "\n".join(lines) + "\n"


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "mlops-demo-py"
    print(f"libmlops {mlops.library_version()} (Python binding {mlops.__version__}): "
          f"the quickstart in {d}/\n")
    rng = random.Random(0x9E3779B9)

    # 1. The store: a directory, created when missing.
    with mlops.Store(d) as store:
        os.makedirs(os.path.join(d, "data"), exist_ok=True)

        # 2. A training dataset, written as CSV and stored by content.
        train_set = generate(rng, TRAIN_ROWS, drifted=False)
        train_csv = os.path.join(d, "data", "train.csv")
        write_csv(train_set, train_csv)
        train_digest = store.put(train_csv)
        print(f"1. stored the training data  {train_csv}  ({TRAIN_ROWS} rows)  "
              f"{str(train_digest)[:19]}...")

        # 3. A run: params, the input it read, 1,000 steps of metrics.
        with store.start_run("churn", "logistic-regression") as run:
            lr = 0.5
            run.log_params({"model": "logistic-regression", "learning_rate": lr,
                            "steps": STEPS, "batch": BATCH,
                            "features": "age,income,plan,city=Rome"})
            run.log_input(train_digest, "train.csv", role="dataset")
            w = train(run, train_set, rng, lr)
            print(f"2. trained in run {run.id}  (experiment 'churn', {STEPS} steps of loss "
                  f"and accuracy)")

            # 4. The model file, stored and recorded as the run's output.
            model_path = os.path.join(d, "model.json")
            with open(model_path, "w") as f:
                f.write('{"model": "logistic-regression", "features": ["age", "income", "plan", '
                        '"city=Rome"],\n "weights": [%.6f, %.6f, %.6f, %.6f], "bias": %.6f}\n'
                        % tuple(w))
            model_digest = store.put(model_path)
            run.log_output(model_digest, "model.json", role="model")
        print(f"3. stored the model          {model_path}  {str(model_digest)[:19]}...")

        # 5. The registry: a new version of "churn", pointed at by "champion".
        try:
            store.create_model("churn")
        except mlops.AlreadyExists:
            pass
        version = store.create_model_version("churn", model_digest, run)
        store.set_alias("churn", "champion", version)
        print(f"4. registered churn version {version}, alias champion -> "
              f"{store.resolve('churn@champion').version}")

        # 6. Sign the version; anyone with the public key can check it.
        key_path = os.path.join(d, "signing-key.pem")
        pub_path = os.path.join(d, "signing-key.pub")
        if not os.path.exists(key_path):  # kept across runs
            subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", key_path],
                           check=True)
            os.chmod(key_path, 0o600)
            subprocess.run(["openssl", "pkey", "-in", key_path, "-pubout", "-out", pub_path],
                           check=True)
        with open(key_path) as f, open(pub_path) as g:
            priv_pem, pub_pem = f.read(), g.read()
        store.sign_model_version("churn", version, priv_pem)
        store.verify_model_version("churn", version, pub_pem)  # raises SignatureError if not
        print(f"5. signed churn/{version} with    {key_path}  (verified with {pub_path})")

        # 7. A drifted production batch and a drift report against the
        #    training data: the arrays are read in place by the library.
        prod_set = generate(rng, PROD_ROWS, drifted=True)
        prod_csv = os.path.join(d, "data", "production.csv")
        write_csv(prod_set, prod_csv)
        prod_digest = store.put(prod_csv)
        names = ["age", "income", "city", "plan"]
        report = drift.report({k: train_set[k] for k in names}, {k: prod_set[k] for k in names},
                              kinds={"city": "categorical", "plan": "categorical"})
        txt_path = os.path.join(d, "drift-report.txt")
        html_path = os.path.join(d, "drift-report.html")
        with open(txt_path, "w") as f:
            f.write(text_report(report))
        with open(html_path, "w") as f:  # the categories are codes: give the page their names
            f.write(report.to_html(title="Churn model: training vs production",
                                   reference_name="train.csv", current_name="production.csv",
                                   category_labels={"city": CITIES, "plan": PLANS}))
        # The report's figures become metrics of a monitoring run, so drift
        # over time is searchable like any metric.
        with store.start_run("churn", "production-check") as monitor:
            monitor.log_input(prod_digest, "production.csv", role="dataset")
            report.log_to(monitor)
        print(f"6. drift report ({report['n_drifted']} of {report['n_columns']} columns "
              f"drifted, dataset drift: {'yes' if report['dataset_drift'] else 'no'})")
        print(text_report(report), end="")
        print(f"   text: {txt_path}\n   HTML: {html_path}")

        # The audit log has recorded every registry change in a hash chain.
        store.audit_verify()
        head = store.audit_head()
        print(f"7. audit log verified: {head.seq} events, head {str(head.hash)[:19]}...")

    print(f"\nEverything is in {d}/:\n"
          "  mlops.db, objects/         the store (SQLite metadata, content-addressed objects)\n"
          "  data/train.csv             training data      data/production.csv  the drifted batch\n"
          "  model.json                 the model          signing-key.pem/.pub the signing key\n"
          "  drift-report.txt/.html     the drift report\n"
          f"(run {run.id}, {time.strftime('%Y-%m-%d %H:%M:%S')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
