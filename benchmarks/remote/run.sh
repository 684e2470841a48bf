#!/usr/bin/env bash
# Remotes (issue 18, "Measure"): push and pull of a folder of many small
# files plus one large file to an S3 remote, beside DVC's push and pull of
# the same folder to the same server, and beside `aws s3 sync` of the same
# folder (AWS=path to the aws CLI; without it, curl copying the same files
# as objects, 8 at a time), all against one versitygw in the same run
# (scripts/s3-test-server.sh: 127.0.0.1, posix backend, data under WORK).
#
#   push       `mlops push r ref:data` of a store holding the folder (put
#              before, not timed) to a new prefix each round, beside
#              `dvc push` of a DVC project that `dvc add`ed the same folder
#              (not timed) to a new prefix (goal: >= 5x faster), and
#              beside `aws s3 sync` of the folder to a new prefix (goal:
#              <= 1.2x);
#   pull       `mlops pull r ref:data` into an empty store, beside
#              `dvc pull` into the project with its cache and workspace
#              emptied (goal: >= 5x faster);
#   re-push    after a 1 MiB overwrite in the middle of the large file
#              (put again, ref moved): the bytes the push sent (goal:
#              <= 4 MiB);
#   memory     peak RSS of the push and the pull (goal: <= 128 MiB).
#   floor      what the server takes to receive the same bytes at best:
#              the folder as one tar file put with one `curl -T`, and the
#              same tar cut in 8 parts put by 8 curl at once (no client
#              sends less, or in fewer requests); a push goal below this
#              time cannot be met on this server, whoever the client.
# Rounds interleave the sides; figures are medians. Nothing is removed
# between timed steps (what a step is done with is moved aside, and
# removed at the end: benchmarks/lib/set_aside.sh says why), and the rounds start 35 s after
# the last removal of an earlier run's files. DVC and the aws CLI
# come from virtual environments outside the clone (DVC=path/to/dvc,
# AWS=path/to/aws; without DVC the DVC rows are left out and say so,
# without AWS the copy anchor is curl). Not part of the test command.
#
# usage: BUILD=<release build dir> [DVC=/path/to/venv/bin/dvc] [AWS=/path/to/venv/bin/aws]
#        benchmarks/remote/run.sh
# env:   BUILD   meson build folder (default build-bench, release, made
#                here with -Ds3=enabled when missing)
#        WORK    scratch folder (default: <build>/bench-remote)
#        ROUNDS  rounds (default 3)
#        FILES   small files, 4 to 64 KiB each (default 10000)
#        BIG_MIB size of the large file (default 1024)
#        BASE    another built mlops (e.g. main's release build), timed in
#                the same rounds beside this one: rows base_push, base_pull
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${ROUNDS:-3}
nfiles=${FILES:-10000}
big_mib=${BIG_MIB:-1024}
build=${BUILD:-$root/build-bench}
case "$build" in /*) ;; *) build=$root/$build ;; esac
work=${WORK:-$build/bench-remote}
dvc=${DVC:-}
awscli=${AWS:-}
base=${BASE:-}

if [ ! -f "$build/build.ninja" ]; then
    "$root/scripts/setup-build.sh" "$build" -Dtests=false -Dbuildtype=release -Ds3=enabled > /dev/null
fi
"$root/scripts/compile.sh" "$build" tools/mlops
mlops=$build/tools/mlops
mkdir -p "$work"
work=$(cd "$work" && pwd)
srv=$work/s3

. "$root/benchmarks/lib/set_aside.sh"
cleanup() {
    "$root/scripts/s3-test-server.sh" stop "$srv" || true
    set_aside_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Only the server's settings reach the programs (botocore, under DVC,
# wants the files it is pointed at to exist: empty ones). No analytics.
unset AWS_PROFILE AWS_ENDPOINT_URL AWS_SESSION_TOKEN AWS_DEFAULT_REGION
: > "$work/aws-empty"
export AWS_SHARED_CREDENTIALS_FILE=$work/aws-empty AWS_CONFIG_FILE=$work/aws-empty
export DVC_NO_ANALYTICS=1
remove_old "$srv" "$aside_folder"
eval "$("$root/scripts/s3-test-server.sh" start "$srv")"
bucket=${MLOPS_TEST_S3#s3://}
bucket=${bucket%%/*}
sigv4="aws:amz:$AWS_REGION:s3"

# ---- data: FILES files of 4..64 KiB and one of BIG_MIB MiB ------------------
data=$work/data
if [ ! -f "$data/.complete-$nfiles-$big_mib" ]; then
    remove_old "$data"
    mkdir -p "$data/small"
    python3 - "$data/small" "$nfiles" <<'PY'
import os, random, sys
d, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(18)
for i in range(n):
    sub = os.path.join(d, "%02x" % (i % 64))
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, "f%05d.bin" % i), "wb") as f:
        f.write(os.urandom(rnd.randint(4096, 65536)))
PY
    head -c $((big_mib << 20)) /dev/urandom > "$data/big.bin"
    touch "$data/.complete-$nfiles-$big_mib"
fi
total_mib=$(du -sm --apparent-size "$data" | cut -f1)

# The floor's inputs: the folder as one tar, and that tar in 8 parts.
floor=$work/floor
if [ ! -f "$floor/.complete-$nfiles-$big_mib" ]; then
    remove_old "$floor"
    mkdir -p "$floor/parts"
    tar -cf "$floor/data.tar" -C "$data" --exclude '.complete-*' .
    (cd "$floor/parts" && split -n 8 -d "$floor/data.tar" part.)
    touch "$floor/.complete-$nfiles-$big_mib"
fi

# ---- measuring ----------------------------------------------------------------
results=$work/results.txt
: > "$results"
timed() {
    local name=$1
    shift
    sync
    /usr/bin/time -o "$work/time.txt" -f "%e %M" "$@" > "$work/out.txt" 2> "$work/err.txt" || {
        echo "FAILED: $name: $*" >&2
        cat "$work/err.txt" >&2
        exit 1
    }
    local secs kib
    read -r secs kib < "$work/time.txt"
    echo "$name $secs $kib" >> "$results"
}

# The source store, filled once (not timed).
src=$work/src
remove_old "$src"
"$mlops" init "$src" > /dev/null
"$mlops" -C "$src" put "$data" --ref data > /dev/null

# The DVC project, filled once (not timed): the same folder, `dvc add`ed.
proj=$work/dvc
if [ -n "$dvc" ]; then
    remove_old "$proj"
    mkdir -p "$proj"
    cp -r "$data" "$proj/data"
    rm -f "$proj"/data/.complete-*
    (cd "$proj" && "$dvc" init -q --no-scm && "$dvc" config core.analytics false &&
        "$dvc" add -q data)
fi

echo "libmlops $(git -C "$root" rev-parse --short HEAD) (build folder $(basename "$build")), versitygw $("$root/scripts/build-versitygw.sh" | sed -n 's,.*/versitygw-\(v[^/]*\)/.*,\1,p')${dvc:+, $("$dvc" --version | head -1 | sed 's/^/dvc /')}${awscli:+, $("$awscli" --version 2>&1 | cut -d' ' -f1-2)}"
echo "machine: $(nproc) cores, $(uname -r); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "data: $nfiles files of 4-64 KiB and one of $big_mib MiB ($total_mib MiB), $rounds rounds"
wait_after_removals
for r in $(seq 1 "$rounds"); do
    # ours: push to a new prefix, pull into an empty store
    "$mlops" -C "$src" remote rm r > /dev/null 2>&1 || true
    "$mlops" -C "$src" remote add r "s3://$bucket/mlops-$r"
    timed push "$mlops" -C "$src" push r ref:data
    dst=$work/dst-$r
    set_aside "$dst"
    "$mlops" init "$dst" > /dev/null
    "$mlops" -C "$dst" remote add r "s3://$bucket/mlops-$r"
    timed pull "$mlops" -C "$dst" pull r ref:data
    [ "$r" = 1 ] && { "$mlops" -C "$dst" get data -o "$work/check" > /dev/null &&
        diff -r "$data" "$work/check" > /dev/null ||
        { echo "FAILED: the pulled folder differs" >&2; exit 1; }; set_aside "$work/check"; }
    set_aside "$dst"

    # the other build, if any: the same to its own prefix
    if [ -n "$base" ]; then
        "$base" -C "$src" remote rm rb > /dev/null 2>&1 || true
        "$base" -C "$src" remote add rb "s3://$bucket/base-$r"
        timed base_push "$base" -C "$src" push rb ref:data
        "$base" init "$dst" > /dev/null
        "$base" -C "$dst" remote add rb "s3://$bucket/base-$r"
        timed base_pull "$base" -C "$dst" pull rb ref:data
        set_aside "$dst"
    fi

    # DVC: push to a new prefix, pull with cache and workspace emptied
    if [ -n "$dvc" ]; then
        (cd "$proj" && "$dvc" remote add -f -d r "s3://$bucket/dvc-$r" &&
            "$dvc" remote modify r endpointurl "$AWS_ENDPOINT_URL_S3" &&
            "$dvc" remote modify r region "$AWS_REGION")
        timed dvc_push sh -c 'cd "$1" && "$2" push -q' sh "$proj" "$dvc"
        set_aside "$proj/.dvc/cache" "$proj/data"
        timed dvc_pull sh -c 'cd "$1" && "$2" pull -q' sh "$proj" "$dvc"
    fi

    # the copy anchor: aws s3 sync of the folder (its default: 10 requests
    # in flight), else every file as an object, 8 curl at a time
    if [ -n "$awscli" ]; then
        timed aws_sync "$awscli" s3 sync --only-show-errors --exclude ".complete-*" \
            --endpoint-url "$AWS_ENDPOINT_URL_S3" "$data" "s3://$bucket/aws-$r"
        set_aside "${srv:?}/data/$bucket/aws-$r"
    else
        timed curl_copy sh -c 'cd "$1" && find . -type f ! -name ".complete-*" -printf "%P\n" |
            xargs -P 8 -I{} curl -sS --fail -o /dev/null --aws-sigv4 "$2" --user "$3" \
                -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -T {} "$4/{}"' \
            sh "$data" "$sigv4" "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
            "$AWS_ENDPOINT_URL_S3/$bucket/curl-$r"
        set_aside "${srv:?}/data/$bucket/curl-$r"
    fi
    # the floor: the same bytes as one object, then as 8 objects at once
    timed floor_one curl -sS --fail -o /dev/null --aws-sigv4 "$sigv4" \
        --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
        -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -T "$floor/data.tar" \
        "$AWS_ENDPOINT_URL_S3/$bucket/floor-$r/data.tar"
    timed floor_8 sh -c 'cd "$1" && ls | xargs -P 8 -I{} curl -sS --fail -o /dev/null \
            --aws-sigv4 "$2" --user "$3" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
            -T {} "$4/{}"' \
        sh "$floor/parts" "$sigv4" "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
        "$AWS_ENDPOINT_URL_S3/$bucket/floor8-$r"
    set_aside "${srv:?}/data/$bucket/floor-$r" "${srv:?}/data/$bucket/floor8-$r"
    echo "  round $r done"
done

# re-push after a 1 MiB edit in the middle of the large file
edited=$work/edited
rm -rf "$edited"
cp -r "$data" "$edited"
rm -f "$edited"/.complete-*
head -c $((1 << 20)) /dev/urandom |
    dd of="$edited/big.bin" bs=1M seek=$((big_mib / 2)) conv=notrunc status=none
"$mlops" -C "$src" put "$edited" --ref data > /dev/null
timed repush "$mlops" -C "$src" push --json r ref:data
repush_bytes=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bytes_sent"])' "$work/out.txt")

# ---- report ---------------------------------------------------------------------
median() {
    awk -v n="$1" '$1 == n {print $2}' "$results" | sort -g |
        awk '{v[NR] = $1} END {if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
maxmib() { awk -v n="$1" '$1 == n && $3 > m {m = $3} END {printf "%.0f", m / 1024}' "$results"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b}'; }
row() { printf '  %-22s %8s s   %-26s %8s s   ratio %6s   %s\n' "$1" "$2" "$3" "$4" "$(ratio "$2" "$4")" "${5:-}"; }

push=$(median push) pull=$(median pull)
echo
echo "== push/pull, S3 remote on versitygw at 127.0.0.1 (medians of $rounds; ratio = ours / anchor)"
if [ -n "$dvc" ]; then
    row "push (mlops push)" "$push" "dvc push" "$(median dvc_push)" "goal <= 0.20"
    row "pull (mlops pull)" "$pull" "dvc pull" "$(median dvc_pull)" "goal <= 0.20"
else
    echo "  (no DVC=...: the dvc rows are left out)"
fi
if [ -n "$awscli" ]; then
    row "push (mlops push)" "$push" "aws s3 sync" "$(median aws_sync)" "goal <= 1.2"
else
    row "push (mlops push)" "$push" "curl -T, 8 in flight" "$(median curl_copy)" "goal <= 1.2"
fi
[ -n "$base" ] && {
    row "push (mlops push)" "$push" "BASE push" "$(median base_push)"
    row "pull (mlops pull)" "$pull" "BASE pull" "$(median base_pull)"
    [ -n "$dvc" ] && row "BASE push" "$(median base_push)" "dvc push" "$(median dvc_push)"
    [ -n "$dvc" ] && row "BASE pull" "$(median base_pull)" "dvc pull" "$(median dvc_pull)"
}
row "push (mlops push)" "$push" "one PUT of the tar (curl)" "$(median floor_one)"
row "push (mlops push)" "$push" "8 PUTs of its parts" "$(median floor_8)"
[ -n "$dvc" ] && row "8 PUTs of the tar's parts" "$(median floor_8)" "dvc push" "$(median dvc_push)" \
    "the lowest ratio any client reaches here"
echo "  re-push after a 1 MiB edit of the $big_mib MiB file: $repush_bytes bytes sent (goal <= 4 MiB = 4194304)"
echo "  peak memory: push $(maxmib push) MiB, pull $(maxmib pull) MiB (goal <= 128 MiB)${dvc:+; dvc push $(maxmib dvc_push) MiB, dvc pull $(maxmib dvc_pull) MiB}"
echo "  (wall times of whole commands: store open and close included)"
echo
echo "raw figures (name seconds peak-KiB): $results"
