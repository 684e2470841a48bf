#!/usr/bin/env bash
# Objects on S3 (issue 17, "Measure"): a 1 GiB blob put to and got from a
# store whose objects are on S3, beside curl moving the same bytes as one
# object, against the same versitygw in the same run
# (scripts/s3-test-server.sh: 127.0.0.1, posix backend, data under WORK).
#
#   put       `mlops put FILE` into a new store with S3 objects (a new
#             prefix each round), beside `curl -T FILE` of one object
#             signed by curl's --aws-sigv4 with x-amz-content-sha256:
#             UNSIGNED-PAYLOAD (goal: <= 1.5x), and beside the same with
#             the payload's real SHA-256 (sha256sum, then curl), as a
#             client that signs its payload does (shown, no goal; libmlops
#             sends UNSIGNED-PAYLOAD with the body's CRC-32C: doc/s3.md);
#   cold get  `mlops cat > FILE` by a reader whose cache is cold (a new
#             folder with a copy of the store's mlops.conf and mlops.db: a
#             fresh handle on another machine) beside `curl -o FILE` of the
#             object (goal: <= 1.3x), and beside the same followed by
#             `openssl dgst -sha256 FILE` (SHA-NI where the CPU has it;
#             coreutils' sha256sum has not), as a client that checks what
#             it got does (shown, no goal; libmlops checks every chunk and
#             the whole blob against their digests); neither fsyncs FILE (`mlops get
#             -o` would: a durable file is another cost than the transfer);
#             and beside curl fetching the put's objects themselves, 32 at
#             a time as libmlops does, into /dev/null (shown, no goal: the
#             cost of one request per chunk to the transfer and the server,
#             before any check or output);
#   floor     what no verifying reader of these cores can beat: the CPU
#             (client and server) of curl fetching the put's objects, plus
#             two SHA-256 passes over the data (the user CPU of `openssl
#             dgst -sha256`: a reader checks each chunk and the whole
#             blob), plus what
#             writing the output file costs curl (`curl -o FILE` against
#             `curl -o /dev/null`), over the number of cores, as if no
#             time went on anything else and every core were busy; and the
#             same with the transfer of 64 ranges of the one object, 8 at
#             a time (a layout that packed chunks into large objects)
#             (shown, no goal: it tells whether the cold get goal is
#             within reach of this layout here);
#   get -o    `mlops get -o FILE` by another reader whose cache is cold:
#             verified, fsync'd and renamed into place, beside `curl -o
#             FILE` followed by `sync FILE` (coreutils: an fsync of FILE),
#             the same durable file (shown, no goal; `mlops get` also
#             fsyncs FILE's folder after the rename);
#   warm get  the same reader's second `mlops cat` beside `mlops cat` of
#             the same blob from a store with local objects (shown);
#   gc        `mlops gc --grace 0` of the put's store once both gets are
#             done: it removes every object of the blob from the bucket
#             (shown, no goal; with DELAY_MS, where removing one object
#             at a time waited a round trip each);
#   memory    peak RSS of the put and of the cold get (goal: <= 128 MiB).
#   cpu       the client's user and system CPU seconds of each step, and
#             the server's (versitygw's, from /proc) during it (shown: on 2
#             shared cores, CPU is what a step costs the others).
#   delay     with DELAY_MS=N, every request of both sides (ours, the
#             base's and curl's) goes through a proxy that holds it N ms
#             (benchmarks/lib/delay_proxy.py): the round trip to a server
#             across a network, which loopback lacks. A get of many
#             chunks then waits on requests, not on CPU (shown, no goal:
#             the issue's figures are on loopback).
#   base      with BASE=REV (a git revision, e.g. main), the library of
#             that revision too: its tree is exported (git archive) and
#             built, release, under WORK once, and each round runs its
#             put, cold get and warm get beside ours (a prefix and a
#             reader of its own), so a change is measured against its
#             starting point in the same run, at the same load.
# Rounds interleave the sides (ours and the base take turns going
# first); figures are medians, and the median of each round's ratio is
# shown too. Files are written by both sides to the same folder; the page
# cache is flushed (sync) before each timed command; what a round is done
# with (stores, caches, the server's objects) is moved aside and removed
# at the end, and the rounds start 35 s after the last removal
# (benchmarks/lib/set_aside.sh says why). Not part of the test command.
#
# usage: BUILD=<release build dir> benchmarks/s3/run.sh
# env:   BUILD     meson build folder (default build-bench, release, made
#                  here with -Ds3=enabled when missing)
#        WORK      scratch folder (default: <build>/bench-s3), holds the
#                  data file, the stores and the server's objects
#        ROUNDS    rounds (default 5)
#        SIZE_MIB  size of the blob (default 1024)
#        BASE      a git revision to measure beside this tree (default none)
#        DELAY_MS  milliseconds added to each request (default 0: none)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${ROUNDS:-5}
size_mib=${SIZE_MIB:-1024}
build=${BUILD:-$root/build-bench}
case "$build" in /*) ;; *) build=$root/$build ;; esac
work=${WORK:-$build/bench-s3}

need_pkgs=""
for tool in curl:curl /usr/bin/time:time sha256sum:coreutils openssl:openssl python3:python3; do
    command -v "${tool%%:*}" > /dev/null 2>&1 || need_pkgs="$need_pkgs ${tool##*:}"
done
if [ -n "$need_pkgs" ]; then
    echo "installing:$need_pkgs"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need_pkgs
fi
if [ ! -f "$build/build.ninja" ]; then
    "$root/scripts/setup-build.sh" "$build" -Dtests=false -Dbuildtype=release -Ds3=enabled > /dev/null
fi
"$root/scripts/compile.sh" "$build" tools/mlops
mlops=$build/tools/mlops
mkdir -p "$work"
work=$(cd "$work" && pwd)

# The base library: REV's tree, built once per revision under WORK.
base_mlops=""
if [ -n "${BASE:-}" ]; then
    base_rev=$(git -C "$root" rev-parse --short "${BASE}^{commit}")
    base_dir=$work/base-$base_rev
    if [ ! -x "$base_dir/build/tools/mlops" ]; then
        echo "building the base library ($BASE = $base_rev) in $base_dir"
        rm -rf "$base_dir"
        mkdir -p "$base_dir/src"
        git -C "$root" archive "$base_rev" | tar -x -C "$base_dir/src"
        "$base_dir/src/scripts/setup-build.sh" "$base_dir/build" -Dtests=false \
            -Dbuildtype=release -Ds3=enabled > /dev/null
    fi
    base_mlops=$base_dir/build/tools/mlops
fi
srv=$work/s3

. "$root/benchmarks/lib/set_aside.sh"
proxy_pid=""
cleanup() {
    [ -n "$proxy_pid" ] && kill "$proxy_pid" 2> /dev/null
    "$root/scripts/s3-test-server.sh" stop "$srv" || true
    set_aside_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Only the server's settings reach the programs (as scripts/with-s3.sh).
unset AWS_PROFILE AWS_ENDPOINT_URL AWS_SESSION_TOKEN AWS_DEFAULT_REGION
export AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null
remove_old "$srv" "$aside_folder"
eval "$("$root/scripts/s3-test-server.sh" start "$srv")"
server_pid=$(cat "$srv/pid")
delay_ms=${DELAY_MS:-0}
if [ "$delay_ms" != 0 ]; then
    coproc proxy { exec python3 "$root/benchmarks/lib/delay_proxy.py" "${AWS_ENDPOINT_URL_S3##*:}" "$delay_ms"; }
    proxy_pid=$proxy_PID
    read -r proxy_port <&"${proxy[0]}"
    export AWS_ENDPOINT_URL_S3=http://127.0.0.1:$proxy_port
fi
bucket=${MLOPS_TEST_S3#s3://}
bucket=${bucket%%/*}
curl_object=$AWS_ENDPOINT_URL_S3/$bucket/bench/curl.bin
sigv4="aws:amz:$AWS_REGION:s3"
empty_sha=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

# ---- data -------------------------------------------------------------------
data=$work/data.bin
if [ ! -f "$data" ] || [ "$(stat -c %s "$data")" != $((size_mib << 20)) ]; then
    head -c $((size_mib << 20)) /dev/urandom > "$data"
fi
data_sha=$(sha256sum "$data" | cut -d' ' -f1)

# ---- measuring ----------------------------------------------------------------
results=$work/results.txt
: > "$results"

# server_ticks: the CPU time versitygw has used so far, in clock ticks
server_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
ticks_per_s=$(getconf CLK_TCK)

# timed NAME CMD...: wall time, peak memory and CPU time (user, system)
# of a command, after a sync, and the server's CPU time meanwhile.
timed() {
    local name=$1
    shift
    sync
    local t0
    t0=$(server_ticks)
    /usr/bin/time -o "$work/time.txt" -f "%e %M %U %S" "$@" > "$work/out.txt" 2> "$work/err.txt" || {
        echo "FAILED: $name ($1; its arguments not shown: they hold the key)" >&2
        cat "$work/err.txt" >&2
        exit 1
    }
    local secs kib user sys server
    server=$(awk -v a="$t0" -v b="$(server_ticks)" -v t="$ticks_per_s" 'BEGIN {printf "%.2f", (b - a) / t}')
    read -r secs kib user sys < "$work/time.txt"
    echo "$name $secs $kib ${r:-0} $user $sys $server" >> "$results"
}

same_bytes() {
    cmp -s "$1" "$data" || { echo "FAILED: $2 gave other bytes" >&2; exit 1; }
}

# The anchor of warm get: the same blob in a store with local objects.
local_store=$work/local
remove_old "$local_store"
"$mlops" init "$local_store" > /dev/null
digest=$("$mlops" -C "$local_store" put "$data" | cut -d' ' -f1)

echo "libmlops $(git -C "$root" rev-parse --short HEAD) (build folder $(basename "$build")), versitygw $("$root/scripts/build-versitygw.sh" | sed -n 's,.*/versitygw-\(v[^/]*\)/.*,\1,p'), $(curl --version | head -1 | cut -d' ' -f1-2)"
[ -n "$base_mlops" ] && echo "base: $BASE = $base_rev (built in $(basename "$base_dir"))"
echo "machine: $(nproc) cores, $(uname -r); load: $(cut -d' ' -f1-3 /proc/loadavg); $size_mib MiB random, $rounds rounds$([ "$delay_ms" != 0 ] && echo ", each request ${delay_ms} ms longer (a proxy)")"
# One library's side of a step: SIDE is "" (ours) or "base_".
# put_one SIDE MLOPS STORE: a put into a new store at prefix STORE's name
put_one() {
    "$2" init --objects "s3://$bucket/bench/$(basename "$3")" "$3" > /dev/null
    timed "${1}put" "$2" -C "$3" put "$data"
    got=$(cut -d' ' -f1 "$work/out.txt")
    [ "$got" = "$digest" ] || { echo "FAILED: ${1}put gave $got, not $digest" >&2; exit 1; }
}
# get_one SIDE NAME MLOPS STORE: `mlops cat` of the blob into a file
get_one() {
    timed "${1}$2" sh -c '"$1" -C "$2" cat "$3" > "$4"' sh "$3" "$4" "$digest" "$out"
    [ "$r" = 1 ] && same_bytes "$out" "${1}$2"
    rm -f "$out"
}
# both FN ARGS...: FN for ours and for the base (when there is one),
# taking turns at going first; ARGS name the store by its side: "%s" in
# an argument is replaced with "" for ours and "-base" for the base's.
both() {
    local fn=$1
    shift
    local sides="ours base"
    [ $((r % 2)) = 0 ] && sides="base ours"
    for side in $sides; do
        local args=() a
        if [ "$side" = ours ]; then
            for a in "$@"; do args+=("${a//%s/}"); done
            "$fn" "" "$mlops" "${args[@]}"
        elif [ -n "$base_mlops" ]; then
            for a in "$@"; do args+=("${a//%s/-base}"); done
            "$fn" base_ "$base_mlops" "${args[@]}"
        fi
    done
}
put_side() { put_one "$1" "$2" "$3"; }
cold_side() {
    mkdir -p "$3"
    cp "$4"/mlops.conf "$4"/mlops.db "$3"/
    get_one "$1" cold_get "$2" "$3"
}
file_side() {
    mkdir -p "$3"
    cp "$4"/mlops.conf "$4"/mlops.db "$3"/
    timed "${1}cold_get_file" "$2" -C "$3" get "$digest" -o "$out"
    [ "$r" = 1 ] && same_bytes "$out" "${1}cold_get_file"
    rm -f "$out"
}
warm_side() { get_one "$1" warm_get "$2" "$3"; }
gc_side() {
    timed "${1}gc" "$2" -C "$3" gc --grace 0
    grep -q "^deleted 1 blobs" "$work/out.txt" || { echo "FAILED: ${1}gc: $(cat "$work/out.txt")" >&2; exit 1; }
    gc_objects=$(sed -n 's/^deleted [0-9]* blobs and trees (\([0-9]*\) object files.*/\1/p' "$work/out.txt")
}

wait_after_removals
for r in $(seq 1 "$rounds"); do
    store=$work/put-$r reader=$work/reader-$r filer=$work/filer-$r out=$work/out.bin
    set_aside "$store" "$reader" "$store-base" "$reader-base" "$filer" "$filer-base" "$out"

    # put: ours (and the base's), then curl unsigned, then curl with the
    # real hash
    both put_side "$store%s"
    timed curl_put curl -sS --fail -o /dev/null --aws-sigv4 "$sigv4" \
        --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
        -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -T "$data" "$curl_object"
    timed curl_put_hashed sh -c 'h=$(sha256sum "$1" | cut -d" " -f1) &&
        curl -sS --fail -o /dev/null --aws-sigv4 "$2" --user "$3" \
            -H "x-amz-content-sha256: $h" -T "$1" "$4"' \
        sh "$data" "$sigv4" "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" "$curl_object"

    # cold get: a reader with the store's metadata and nothing else
    both cold_side "$reader%s" "$store%s"
    timed curl_get curl -sS --fail --aws-sigv4 "$sigv4" \
        --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
        -H "x-amz-content-sha256: $empty_sha" -o "$out" "$curl_object"
    [ "$r" = 1 ] && same_bytes "$out" "curl get"
    rm -f "$out"
    timed curl_get_hashed sh -c 'curl -sS --fail --aws-sigv4 "$1" --user "$2" \
            -H "x-amz-content-sha256: $3" -o "$5" "$4" && openssl dgst -sha256 "$5"' \
        sh "$sigv4" "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" "$empty_sha" "$curl_object" "$out"
    rm -f "$out"
    # the put's objects by curl, 32 at a time (as many as libmlops keeps
    # in flight), into /dev/null: what the store's layout costs the
    # transfer and the server, before any check or output
    (cd "$srv/data/$bucket" && find "bench/put-$r/objects" -type f) |
        awk -v e="$AWS_ENDPOINT_URL_S3/$bucket/" '{print "url = \"" e $0 "\"\noutput = \"/dev/null\""}' \
        > "$work/objects.cfg"
    n_objects=$(grep -c '^url' "$work/objects.cfg")
    timed curl_objects curl -sS --fail --parallel --parallel-max 32 --aws-sigv4 "$sigv4" \
        --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" -H "x-amz-content-sha256: $empty_sha" \
        -K "$work/objects.cfg"

    # the floor of a verifying reader on these cores, in parts: curl's
    # one object into /dev/null (so curl -o's cost of its file shows), one
    # SHA-256 pass over the bytes (a reader makes two: each chunk's and
    # the whole blob's), and the one object as 64 ranges, 8 at a time (the
    # transfer a layout packing chunks into large objects would need)
    timed curl_get_null curl -sS --fail --aws-sigv4 "$sigv4" \
        --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
        -H "x-amz-content-sha256: $empty_sha" -o /dev/null "$curl_object"
    timed sha_once openssl dgst -sha256 "$data"
    # (each range its own group of options: curl's --next starts one
    # afresh, and the key stays off the disk)
    ranges=() step=$((size_mib * 1048576 / 64))
    for i in $(seq 0 63); do
        [ "$i" = 0 ] || ranges+=(--next)
        ranges+=(-sS --fail --aws-sigv4 "$sigv4" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"
            -H "x-amz-content-sha256: $empty_sha" -r "$((i * step))-$(((i + 1) * step - 1))"
            -o /dev/null "$curl_object")
    done
    timed curl_ranges curl --parallel --parallel-max 8 "${ranges[@]}"

    # get -o: another cold reader, a durable file on both sides
    both file_side "$filer%s" "$store%s"
    timed curl_get_file sh -c 'curl -sS --fail --aws-sigv4 "$1" --user "$2" \
            -H "x-amz-content-sha256: $3" -o "$5" "$4" && sync "$5"' \
        sh "$sigv4" "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" "$empty_sha" "$curl_object" "$out"
    rm -f "$out"

    # warm get: the same reader again, and the local store
    both warm_side "$reader%s"
    timed local_get sh -c '"$1" -C "$2" cat "$3" > "$4"' sh "$mlops" "$local_store" "$digest" "$out"
    rm -f "$out"

    # gc: the blob's objects removed from the bucket
    both gc_side "$store%s"

    # this round's objects and stores (the server's files moved behind
    # its back: nothing reads them again)
    set_aside "$store" "$reader" "$store-base" "$reader-base" "$filer" "$filer-base" \
        "${srv:?}/data/$bucket/bench/put-$r" "${srv:?}/data/$bucket/bench/put-$r-base"
    echo "  round $r done"
done

# ---- report ---------------------------------------------------------------------
median() { # median of the seconds of NAME
    awk -v n="$1" '$1 == n {print $2}' "$results" | sort -g |
        awk '{v[NR] = $1} END {if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
# paired NAME ANCHOR: the median over rounds of NAME's time over ANCHOR's
# in the same round (steps minutes apart meet the same machine: a steadier
# ratio than one of medians when the machine's state drifts)
paired() {
    awk -v n="$1" -v a="$2" '$1 == n {x[$4] = $2} $1 == a {y[$4] = $2}
        END {for (r in x) if ((r in y) && y[r] > 0) print x[r] / y[r]}' "$results" | sort -g |
        awk '{v[NR] = $1} END {if (NR == 0) print "-"; else if (NR % 2) printf "%.2f", v[(NR + 1) / 2];
            else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
# cpu NAME: medians of NAME's user and system CPU seconds
cpu() {
    local u s
    u=$(awk -v n="$1" '$1 == n {print $5}' "$results" | sort -g | awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]; else print "-"}')
    s=$(awk -v n="$1" '$1 == n {print $6}' "$results" | sort -g | awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]; else print "-"}')
    echo "$u + $s s"
}
# server_cpu NAME: the median of the server's CPU seconds during NAME
server_cpu() {
    awk -v n="$1" '$1 == n {print $7}' "$results" | sort -g |
        awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]; else print "-"}'
}
# cpu_all NAME: the median of NAME's CPU seconds, client and server
cpu_all() {
    awk -v n="$1" '$1 == n {print $5 + $6 + $7}' "$results" | sort -g |
        awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]; else print "-"}'
}
# cpu_user NAME: the median of NAME's user CPU seconds
cpu_user() {
    awk -v n="$1" '$1 == n {print $5}' "$results" | sort -g |
        awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]; else print "-"}'
}
# floor TRANSFER: the seconds no verifying reader of this machine's cores
# can beat when its objects cost what curl's TRANSFER step cost: that
# step's CPU, two SHA-256 passes (openssl's user CPU: its reading of the
# file is no reader's cost), and writing the output file (curl -o's CPU
# over curl into /dev/null), spread over every core with no overhead
floor() {
    awk -v t="$(cpu_all "$1")" -v h="$(cpu_user sha_once)" -v f="$(cpu_all curl_get)" \
        -v z="$(cpu_all curl_get_null)" -v c="$(nproc)" \
        'BEGIN {if (t == "-" || h == "-" || f == "-" || z == "-") print "-"; else printf "%.2f", (t + 2 * h + (f > z ? f - z : 0)) / c}'
}
maxmib() { awk -v n="$1" '$1 == n && $3 > m {m = $3} END {printf "%.0f", m / 1024}' "$results"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b}'; }
mibs() { awk -v s="$1" -v m="$size_mib" 'BEGIN {if (s == "-" || s == 0) print "-"; else printf "%.0f", m / s}'; }
row() {
    printf '  %-26s %7s s %5s MiB/s   %-34s %7s s   ratio %5s   %s\n' "$1" "$2" "$(mibs "$2")" \
        "$3" "$4" "$(ratio "$2" "$4")" "${5:-}"
}

put=$(median put) cold=$(median cold_get) warm=$(median warm_get) coldf=$(median cold_get_file)
echo
echo "== $size_mib MiB random blob, S3 objects on versitygw at 127.0.0.1 (medians of $rounds; ratio = ours / anchor)"
row "put (mlops put)" "$put" "curl -T, UNSIGNED-PAYLOAD" "$(median curl_put)" "goal <= 1.5"
row "" "$put" "sha256sum + curl -T, real hash" "$(median curl_put_hashed)"
row "cold get (mlops cat)" "$cold" "curl -o" "$(median curl_get)" "goal <= 1.3"
row "" "$cold" "curl -o + openssl dgst -sha256" "$(median curl_get_hashed)"
row "" "$cold" "$n_objects objects by curl, to /dev/null" "$(median curl_objects)"
echo "  floor of a verifying reader on $(nproc) cores (CPU of the transfer, two SHA-256 passes and the output file, no overhead):"
row "  this layout" "$(floor curl_objects)" "curl -o" "$(median curl_get)"
row "  chunks packed, 64 ranges" "$(floor curl_ranges)" "curl -o" "$(median curl_get)" "(by curl: $(median curl_ranges) s)"
row "cold get -o (durable)" "$coldf" "curl -o + sync FILE" "$(median curl_get_file)"
row "warm get (same reader)" "$warm" "mlops cat, local objects" "$(median local_get)"
echo "  per round (median of each round's ratio): put $(paired put curl_put), cold get $(paired cold_get curl_get)," \
    "cold get -o $(paired cold_get_file curl_get_file), warm get $(paired warm_get local_get)"
echo "  peak memory: put $(maxmib put) MiB, cold get $(maxmib cold_get) MiB, warm get $(maxmib warm_get) MiB" \
    "(goal <= 128 MiB); curl: put $(maxmib curl_put) MiB, get $(maxmib curl_get) MiB"
echo "  client CPU, user + system (medians): put $(cpu put), cold get $(cpu cold_get), warm get $(cpu warm_get);" \
    "curl: put $(cpu curl_put), get $(cpu curl_get)"
echo "  server CPU (versitygw, medians): put $(server_cpu put) s, cold get $(server_cpu cold_get) s;" \
    "curl: put $(server_cpu curl_put) s, get $(server_cpu curl_get) s, the $n_objects objects $(server_cpu curl_objects) s"
echo "  gc of the put's store ($gc_objects objects removed): $(median gc) s"
if [ -n "$base_mlops" ]; then
    bput=$(median base_put) bcold=$(median base_cold_get) bwarm=$(median base_warm_get)
    echo "  base $base_rev:"
    row "put (mlops put)" "$bput" "curl -T, UNSIGNED-PAYLOAD" "$(median curl_put)"
    row "cold get (mlops cat)" "$bcold" "curl -o" "$(median curl_get)"
    row "cold get -o (durable)" "$(median base_cold_get_file)" "curl -o + sync FILE" "$(median curl_get_file)"
    row "warm get (same reader)" "$bwarm" "mlops cat, local objects" "$(median local_get)"
    echo "  peak memory: put $(maxmib base_put) MiB, cold get $(maxmib base_cold_get) MiB, warm get $(maxmib base_warm_get) MiB"
    echo "  client CPU, user + system (medians): put $(cpu base_put), cold get $(cpu base_cold_get), warm get $(cpu base_warm_get)"
    echo "  gc of the put's store: $(median base_gc) s"
    echo "  this tree / base: put $(ratio "$put" "$bput"), cold get $(ratio "$cold" "$bcold"), cold get -o $(ratio "$coldf" "$(median base_cold_get_file)"), warm get $(ratio "$warm" "$bwarm"), gc $(ratio "$(median gc)" "$(median base_gc)")"
fi
echo "  (max of $rounds rounds; wall times of whole commands: store open and close included)"
echo
echo "raw figures (name seconds peak-KiB round user-s system-s server-s): $results"
