#!/usr/bin/env bash
# The CAS benchmark: put, get and re-put after a 1 MiB edit of a 512 MiB
# CSV-like file and a 1 GiB random file, each beside its anchors measured in
# the same run on the same file: openssl dgst -sha256, zstd -3 -T1 / -T2,
# zstd -d, dd conv=fsync, git hash-object -w and dvc add (pip-installed
# into a virtualenv here). Prints the median of REPS runs of each and the
# ratios; runs are interleaved and the page cache is flushed (sync) before
# each, because the machine is shared and noisy.
#
# usage: benchmarks/cas/run.sh            (REPS=3 CSV_MIB=512 RND_MIB=1024)
# env:   WORK=dir   where data and stores go (default: <build>/bench-cas)
#        BUILD=dir  the meson build to use (default: build-bench, made here)
#        NO_DVC=1   skip dvc (no network)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
reps=${REPS:-3}
csv_mib=${CSV_MIB:-512}
rnd_mib=${RND_MIB:-1024}
build=${BUILD:-$root/build-bench}
work=${WORK:-$build/bench-cas}

need_pkgs=""
for tool in zstd:zstd openssl:openssl git:git /usr/bin/time:time python3:python3; do
    command -v "${tool%%:*}" > /dev/null 2>&1 || need_pkgs="$need_pkgs ${tool##*:}"
done
python3 -c 'import venv, ensurepip' 2> /dev/null || need_pkgs="$need_pkgs python3-venv"
if [ -n "$need_pkgs" ]; then
    echo "installing:$need_pkgs"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need_pkgs
fi
"$root/scripts/install-deps.sh" main > /dev/null

if [ ! -x "$build/benchmarks/cas/cas_bench" ]; then
    "$root/scripts/setup-build.sh" "$build" -Dtests=false -Dabi_check=false > /dev/null
fi
bench=$build/benchmarks/cas/cas_bench
mkdir -p "$work"
work=$(cd "$work" && pwd)

dvc=""
if [ -z "${NO_DVC:-}" ]; then
    if [ ! -x "$work/venv/bin/dvc" ]; then
        echo "installing dvc into $work/venv (pip)"
        python3 -m venv "$work/venv"
        "$work/venv/bin/pip" install -q --disable-pip-version-check dvc || true
    fi
    [ -x "$work/venv/bin/dvc" ] && dvc=$work/venv/bin/dvc
fi
[ -n "$dvc" ] || echo "dvc is not available: its rows are skipped"

# ---- data -----------------------------------------------------------------
csv=$work/data.csv
rnd=$work/data.bin
[ -f "$csv" ] && [ "$(stat -c %s "$csv")" = $((csv_mib << 20)) ] || "$bench" gen-csv "$csv" "$csv_mib"
[ -f "$rnd" ] && [ "$(stat -c %s "$rnd")" = $((rnd_mib << 20)) ] || "$bench" gen-random "$rnd" "$rnd_mib"

# ---- measuring ----------------------------------------------------------------
results=$work/results.txt
: > "$results"

# record NAME SECONDS [KIB]
record() { echo "$1 $2 ${3:-0}" >> "$results"; }

# timed NAME CMD...: wall time and peak memory of a command, after a sync.
timed() {
    local name=$1
    shift
    sync
    /usr/bin/time -o "$work/time.txt" -f "%e %M" "$@" > "$work/out.txt" 2> "$work/err.txt" || {
        echo "FAILED: $name: $*" >&2
        cat "$work/err.txt" >&2
        return 1
    }
    read -r secs kib < "$work/time.txt"
    record "$name" "$secs" "$kib"
}

# ours NAME CMD...: our own figure is the library call's time, printed by
# cas_bench (store open and close excluded); peak memory of the process.
ours() {
    local name=$1
    shift
    sync
    "$@" > "$work/out.txt" 2> "$work/err.txt" || {
        echo "FAILED: $name: $*" >&2
        cat "$work/err.txt" >&2
        return 1
    }
    local line secs kib
    line=$(cat "$work/out.txt")
    secs=$(echo "$line" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
    kib=$(echo "$line" | sed -n 's/.*maxrss_kib=\([0-9]*\).*/\1/p')
    digest=$(echo "$line" | sed -n 's/.*digest=\(sha256:[0-9a-f]*\).*/\1/p')
    record "$name" "$secs" "$kib"
}

object_bytes() {
    find "$1/objects" -type f -printf '%s\n' 2> /dev/null | awk '{s += $1} END {print s + 0}'
}

bench_file() {
    local tag=$1 file=$2 rep=$3
    local store=$work/store-$tag copy=$work/copy-$tag edited=$work/edited-$tag
    local gitrepo=$work/git-$tag dvcrepo=$work/dvc-$tag

    # put (fresh store each time), then get while the objects are as fresh
    # in the page cache as zstd's output will be for zstd -d
    rm -rf "$store"
    ours "$tag.put" "$bench" put "$store" "$file"
    local d=$digest
    record "$tag.stored" "$(object_bytes "$store")"
    # get: verified, streamed to nowhere and written to a file (fsync'd)
    ours "$tag.read" "$bench" read "$store" "$d"
    rm -f "$copy"
    ours "$tag.get" "$bench" get "$store" "$d" "$copy"
    cmp -s "$copy" "$file" || { echo "FAILED: $tag: get returned other bytes" >&2; exit 1; }
    rm -f "$copy"

    # the anchors of put, and zstd -d (to nowhere, and to a file then
    # fsync'd with sync FILE) beside get
    timed "$tag.openssl" openssl dgst -sha256 "$file"
    timed "$tag.zstd_t1" zstd -3 -T1 -q -f "$file" -o "$work/z-$tag.zst"
    timed "$tag.zstd_t2" zstd -3 -T2 -q -f "$file" -o "$work/z-$tag.zst"
    timed "$tag.zstd_d" sh -c "zstd -d -q -c '$work/z-$tag.zst' > /dev/null"
    timed "$tag.zstd_d_file" sh -c "zstd -d -q -f '$work/z-$tag.zst' -o '$copy' && sync '$copy'"
    rm -f "$copy"
    timed "$tag.dd" dd if="$file" of="$copy" bs=1M conv=fsync status=none
    rm -f "$copy"
    rm -rf "$gitrepo" && git init -q "$gitrepo"
    timed "$tag.git" git -C "$gitrepo" hash-object -w "$file"
    if [ -n "$dvc" ]; then
        rm -rf "$dvcrepo" && git init -q "$dvcrepo" && (cd "$dvcrepo" && "$dvc" init -q)
        cp "$file" "$dvcrepo/data"
        timed "$tag.dvc" sh -c "cd '$dvcrepo' && '$dvc' add -q data"
    fi

    # re-put after a 1 MiB edit in the middle (a new edit each time)
    cp "$file" "$edited"
    "$bench" edit "$edited"
    local before
    before=$(object_bytes "$store")
    ours "$tag.reput" "$bench" put "$store" "$edited"
    record "$tag.reput_new_bytes" $(($(object_bytes "$store") - before))
    timed "$tag.reput_openssl" openssl dgst -sha256 "$edited"
    timed "$tag.reput_git" git -C "$gitrepo" hash-object -w "$edited"
    if [ -n "$dvc" ]; then
        cp "$edited" "$dvcrepo/data"
        timed "$tag.reput_dvc" sh -c "cd '$dvcrepo' && '$dvc' add -q data"
    fi
    rm -f "$edited" "$work/z-$tag.zst"
    echo "  $tag run $rep done"
}

echo "libmlops CAS benchmark: $csv_mib MiB CSV-like, $rnd_mib MiB random, $reps runs each"
echo "machine: $(nproc) cores, $(uname -r); load: $(cut -d' ' -f1-3 /proc/loadavg)"
for rep in $(seq 1 "$reps"); do
    bench_file csv "$csv" "$rep"
    bench_file rnd "$rnd" "$rep"
    rm -rf "$work"/git-* "$work"/dvc-*
done

# ---- report ------------------------------------------------------------------------
median() { # median of the seconds of NAME
    awk -v n="$1" '$1 == n {print $2}' "$results" | sort -g |
        awk '{v[NR] = $1} END {if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
maxkib() { awk -v n="$1" '$1 == n && $3 > m {m = $3} END {print m + 0}' "$results"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b}'; }
speedup() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || a == 0) print "-"; else printf "%.1fx", b / a}'; }
mib() { awk -v b="$1" 'BEGIN {printf "%.2f MiB", b / 1048576}'; }

row() { printf '  %-34s %8s s   %-26s %8s s   ratio %5s   %s\n' "$1" "$2" "$3" "$4" "$(ratio "$2" "$4")" "${5:-}"; }

for tag in csv rnd; do
    if [ $tag = csv ]; then title="$csv_mib MiB CSV-like"; else title="$rnd_mib MiB random"; fi
    put=$(median $tag.put) read=$(median $tag.read) get=$(median $tag.get) reput=$(median $tag.reput)
    echo
    echo "== $title (medians of $reps; ratio = ours / anchor)"
    row "put (mlops_blob_put_file)" "$put" "openssl dgst -sha256" "$(median $tag.openssl)"
    row "" "$put" "zstd -3 -T1" "$(median $tag.zstd_t1)"
    row "" "$put" "zstd -3 -T2" "$(median $tag.zstd_t2)" "$([ $tag = csv ] && echo 'goal <= 1.25')"
    row "" "$put" "dd bs=1M conv=fsync" "$(median $tag.dd)" "$([ $tag = rnd ] && echo 'goal <= 1.2')"
    row "" "$put" "git hash-object -w" "$(median $tag.git)" "goal <= 0.10 (10x faster)"
    [ -n "$dvc" ] && row "" "$put" "dvc add" "$(median $tag.dvc)" "goal < 1"
    row "get, verified, to nowhere (reader)" "$read" "zstd -d -c > /dev/null" "$(median $tag.zstd_d)" "goal <= 1.11 (>= 0.9x throughput)"
    row "get, verified, to a file, fsync'd" "$get" "zstd -d -o file; sync file" "$(median $tag.zstd_d_file)"
    row "re-put after a 1 MiB edit" "$reput" "openssl dgst -sha256" "$(median $tag.reput_openssl)" "goal <= 1.2"
    row "" "$reput" "git hash-object -w" "$(median $tag.reput_git)" "goal <= 0.10"
    [ -n "$dvc" ] && row "" "$reput" "dvc add" "$(median $tag.reput_dvc)" "goal <= 0.5 (2x faster)"
    echo "  stored after put: $(mib "$(median $tag.stored)") of $(mib "$(stat -c %s "$([ $tag = csv ] && echo "$csv" || echo "$rnd")")");" \
        "new bytes stored by the re-put: $(mib "$(median $tag.reput_new_bytes)") (goal < 4 MiB)"
    echo "  peak memory: put $(($(maxkib $tag.put) / 1024)) MiB, get to file $(($(maxkib $tag.get) / 1024)) MiB," \
        "reader $(($(maxkib $tag.read) / 1024)) MiB, re-put $(($(maxkib $tag.reput) / 1024)) MiB (goal <= 64 MiB)"
    echo "  throughput: put $(awk -v s="$put" -v m="$([ $tag = csv ] && echo $csv_mib || echo $rnd_mib)" 'BEGIN {printf "%.0f", m / s}') MiB/s," \
        "get (reader) $(awk -v s="$read" -v m="$([ $tag = csv ] && echo $csv_mib || echo $rnd_mib)" 'BEGIN {printf "%.0f", m / s}') MiB/s;" \
        "speed-ups: put vs git $(speedup "$put" "$(median $tag.git)"), re-put vs git $(speedup "$reput" "$(median $tag.reput_git)")$([ -n "$dvc" ] && echo ", put vs dvc $(speedup "$put" "$(median $tag.dvc)"), re-put vs dvc $(speedup "$reput" "$(median $tag.reput_dvc)")")"
done
echo
echo "raw figures: $results"
