"""Logging from training frameworks into an mlops run (doc/python.md,
"Framework callbacks").

One module per framework, each importing its framework when it is itself
imported (``import mlops`` and ``import mlops.integrations`` import none):

- ``mlops.integrations.keras``: ``KerasCallback`` (Keras 3, any backend);
- ``mlops.integrations.xgboost``: ``XGBoostCallback`` (a
  ``xgboost.callback.TrainingCallback``);
- ``mlops.integrations.lightgbm``: ``LightGBMCallback``;
- ``mlops.integrations.sklearn``: ``log_params``, ``log_model``,
  ``load_model`` and ``log_evaluation`` for scikit-learn estimators.

The callbacks buffer their points and log them in batches, one
transaction per flush (every ``flush_every`` epochs or iterations, after
``flush_seconds``, and at the end), never one transaction per point.
"""
