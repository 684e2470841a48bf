#!/bin/sh
# A CI job that trains a model, evaluates it on a fixed holdout set,
# registers it and promotes it to "champion" -- or fails the build when
# the promotion gate refuses it (doc/gates.md).
#
#   ci-gate.sh STORE [MLOPS]
#
# STORE: a folder for a new store (removed first); MLOPS: the mlops
# program (default: mlops on PATH). The script runs the job twice, as two
# commits of a project would: a good model, promoted (the job exits 0),
# then a worse one, refused (the job exits 1: `mlops model promote` exits
# 1 when the gate refuses, 3 on any other error). It exits 0 when both
# jobs ended as they should, so it also runs as a test.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 STORE [MLOPS]" >&2; exit 2; }
store=$1
mlops=${2:-mlops}
work=$store.work
rm -rf "$store" "$work"
mkdir -p "$work"
m() { "$mlops" -C "$store" "$@"; }

# ---- Once: the store, the model, its holdout data and the gate ---------
"$mlops" init "$store" >/dev/null
m exp create churn-training >/dev/null
m model create churn >/dev/null
# The holdout set: true labels and the scores two candidate models give.
cat >"$work/holdout.csv" <<'EOF'
label,model_a,model_b
0,0.10,0.40
0,0.20,0.70
0,0.30,0.20
0,0.35,0.60
1,0.60,0.30
1,0.70,0.80
1,0.80,0.50
1,0.90,0.90
EOF
holdout=sha256:$(sha256sum "$work/holdout.csv" | cut -d' ' -f1)
# A candidate must reach an AUC of 0.7 and be at most 0.005 worse than the
# champion it replaces (skipped while there is no champion yet).
m model gate set churn champion --dataset "$holdout" \
    "metrics.roc_auc >= 0.7" \
    "metrics.roc_auc >= baseline.metrics.roc_auc - 0.005" >/dev/null

# ---- The job: what runs on every commit ---------------------------------
# $1: the score column this commit's "training" produces.
ci_job() {
    run=$(m run start churn-training)
    m run log-param "$run" scores "$1" >/dev/null
    m run log-metric "$run" train_loss 0.25 >/dev/null
    echo "weights of $1" >"$work/model.bin"   # the trained artifact
    m run end "$run" >/dev/null
    artifact=$(m put "$work/model.bin" | cut -d' ' -f1)
    version=$(m model version create churn "$artifact" --run "$run")
    m eval "$work/holdout.csv" --metric roc_auc --labels label --scores "$1" \
        --model "churn/$version" >/dev/null
    # 0 promoted, 1 refused (the reasons are printed), 3 an error.
    m model promote churn "$version" --alias champion --reason "CI job for $1"
}

status=0
ci_job model_a || status=$?
[ "$status" -eq 0 ] || { echo "ci-gate: the first job should be promoted (exit $status)" >&2; exit 1; }
status=0
ci_job model_b || status=$?
[ "$status" -eq 1 ] || { echo "ci-gate: the worse model should be refused (exit $status)" >&2; exit 1; }
[ "$(m model resolve churn@champion | cut -d' ' -f1)" = 1 ] || { echo "ci-gate: champion moved" >&2; exit 1; }
m audit verify >/dev/null
rm -rf "$work"
echo "ci-gate: model_a promoted, model_b refused by the gate, audit log verified"
