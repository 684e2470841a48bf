"""An MLflow example training script, in the style of MLflow's
sklearn_elasticnet_wine example: an elastic-net regression trained by
SGD over a grid of (alpha, l1_ratio), one nested run per setting, with its
params, the train and validation RMSE of every epoch, the final metrics,
the fitted model as an artifact and its coefficients as a dict. The data
is scikit-learn's bundled diabetes set (no download).

It is run unchanged against MLflow and mlops by bench_logging.py: only its
`import mlflow` line is swapped for `import mlops.mlflow_compat as mlflow`.
The tracking URI comes from MLFLOW_TRACKING_URI, as in MLflow's examples."""
import os
import pickle
import sys
import tempfile
import warnings

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.linear_model import SGDRegressor
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import mlflow

EPOCHS = int(os.environ.get("EPOCHS", "200"))


def eval_metrics(actual, pred):
    rmse = np.sqrt(mean_squared_error(actual, pred))
    mae = mean_absolute_error(actual, pred)
    r2 = r2_score(actual, pred)
    return rmse, mae, r2


if __name__ == "__main__":
    warnings.filterwarnings("ignore")
    np.random.seed(40)
    data = load_diabetes(as_frame=True)
    X, y = data.data, data.target
    train_x, test_x, train_y, test_y = train_test_split(X, y, random_state=42)
    scaler = StandardScaler().fit(train_x)
    train_x, test_x = scaler.transform(train_x), scaler.transform(test_x)

    mlflow.set_experiment("diabetes-elasticnet")
    with mlflow.start_run(run_name="grid"):
        mlflow.log_input(mlflow.data.from_pandas(data.frame, name="diabetes"),
                         context="training")
        best = (float("inf"), None)
        for alpha in (0.0001, 0.001, 0.01, 0.1):
            for l1_ratio in (0.1, 0.5, 0.9):
                with mlflow.start_run(run_name=f"alpha={alpha} l1={l1_ratio}", nested=True) as run:
                    mlflow.log_params({"alpha": alpha, "l1_ratio": l1_ratio, "epochs": EPOCHS,
                                       "eta0": 0.01})
                    mlflow.set_tag("estimator", "SGDRegressor")
                    model = SGDRegressor(penalty="elasticnet", alpha=alpha, l1_ratio=l1_ratio,
                                         eta0=0.01, random_state=42)
                    for epoch in range(EPOCHS):
                        model.partial_fit(train_x, train_y)
                        train_rmse = np.sqrt(mean_squared_error(train_y, model.predict(train_x)))
                        val_rmse = np.sqrt(mean_squared_error(test_y, model.predict(test_x)))
                        mlflow.log_metrics({"train_rmse": train_rmse, "val_rmse": val_rmse},
                                           step=epoch)
                    rmse, mae, r2 = eval_metrics(test_y, model.predict(test_x))
                    print(f"Elasticnet model (alpha={alpha}, l1_ratio={l1_ratio}): "
                          f"RMSE {rmse:.2f} MAE {mae:.2f} R2 {r2:.3f}")
                    mlflow.log_metric("rmse", rmse)
                    mlflow.log_metric("mae", mae)
                    mlflow.log_metric("r2", r2)
                    with tempfile.TemporaryDirectory() as d:
                        path = os.path.join(d, "model.pkl")
                        with open(path, "wb") as f:
                            pickle.dump(model, f)
                        mlflow.log_artifact(path, artifact_path="model")
                    mlflow.log_dict({"coef": model.coef_.tolist(),
                                     "intercept": model.intercept_.tolist()}, "coef.json")
                    if rmse < best[0]:
                        best = (rmse, run.info.run_id)
        mlflow.set_tag("best_run", best[1])
    sys.exit(0)
