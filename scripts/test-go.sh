#!/bin/sh
# The Go binding's checks, against a meson build of this tree (the
# uninstalled pkg-config file and the built shared library): go vet and
# go test -race of bindings/go, the Go quickstart, and the program of
# doc/go.md. Installs Debian's golang-go when no go is on PATH. Needs no
# network otherwise (the binding has no Go dependencies).
# usage: scripts/test-go.sh [BUILD_DIR]   (default: build, already built)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=$(cd "${1:-build}" && pwd)
start=$(date +%s)

if ! command -v go >/dev/null 2>&1; then
    echo "installing: golang-go"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends golang-go
fi

export PKG_CONFIG_PATH="$build/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export LD_LIBRARY_PATH="$build/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export CGO_ENABLED=1 GOPROXY=off GOTOOLCHAIN=local GOFLAGS=
# Caches in the build folder when the environment has none (no HOME).
case "$(go env GOCACHE 2>/dev/null)" in ""|off) export GOCACHE="$build/go/cache" ;; esac
[ -n "$(go env GOPATH 2>/dev/null)" ] || export GOPATH="$build/go/path"
work="$build/go/run"
rm -rf "$work"
mkdir -p "$work"
echo "== Go binding ($(go version | cut -d' ' -f3), libmlops from $build)"

(cd bindings/go && go vet ./... && go test -race -count=1 ./...)
# Again with cgo's full pointer checks (every pointer passed to C, and what
# it points at, checked for Go pointers): GODEBUG before Go 1.21, a build
# experiment since.
minor=$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
if [ "${minor:-0}" -ge 21 ]; then
    (cd bindings/go && GOEXPERIMENT=cgocheck2 go test -count=1 ./...)
else
    (cd bindings/go && GODEBUG=cgocheck=2 go test -count=1 ./...)
fi

# The compile-time guard: headers of another major version must not build.
mkdir -p "$work/fake-include"
printf '#define MLOPS_VERSION_MAJOR 2\n' > "$work/fake-include/mlops.h"
if (cd bindings/go && CGO_CPPFLAGS="-I$work/fake-include" go build ./... ) > "$work/guard.out" 2>&1 ||
   ! grep -q "needs libmlops 1.x headers" "$work/guard.out"; then
    cat "$work/guard.out"; echo "the major-version guard did not stop a build against 2.x headers"; exit 1
fi
echo "ok  major-version guard"

echo "== Go quickstart (doc/examples/quickstart_go)"
out="$work/quickstart.out"
(cd doc/examples/quickstart_go && go vet . && go run . "$work/quickstart") > "$out"
(cd doc/examples/quickstart_go && go run . "$work/quickstart") >> "$out"
for want in "4. registered churn version 1, alias champion -> 1" \
            "4. registered churn version 2, alias champion -> 2" \
            "6. drift report (" "dataset drift: YES" "7. audit log verified"; do
    grep -qF -- "$want" "$out" || { cat "$out"; echo "quickstart_go: missing '$want'"; exit 1; }
done
for f in data/train.csv data/production.csv model.json signing-key.pem signing-key.pub \
         drift-report.txt drift-report.json drift-report.html; do
    [ -s "$work/quickstart/$f" ] || { echo "quickstart_go: no $f"; exit 1; }
done
# The same story as the C quickstart: the same datasets and the same model.
if [ -x "$build/doc/examples/quickstart" ]; then
    "$build/doc/examples/quickstart" "$work/quickstart-c" > "$work/quickstart-c.out"
    for f in data/train.csv data/production.csv model.json; do
        cmp -s "$work/quickstart/$f" "$work/quickstart-c/$f" ||
            { echo "quickstart_go: $f differs from the C quickstart's"; exit 1; }
    done
    grep -A6 '^COLUMN' "$work/quickstart-c.out" > "$work/c-table"
    grep -m1 -A6 '^COLUMN' "$out" > "$work/go-table"
    cmp -s "$work/c-table" "$work/go-table" ||
        { diff "$work/c-table" "$work/go-table"; echo "quickstart_go: another drift table than C's"; exit 1; }
fi
echo "ok  quickstart_go"

echo "== doc/go.md"
doc="$work/doc-go"
mkdir -p "$doc"
awk '/^```go$/ { inside = 1; next } inside && /^```$/ { exit } inside { print }' doc/go.md > "$doc/main.go"
awk '/^It prints:$/ { seen = 1; next } seen && /^```$/ { if (inside) exit; inside = 1; next } inside { print }' \
    doc/go.md > "$doc/expected.txt"
cat > "$doc/go.mod" <<MOD
module docgo

go 1.19

require github.com/libmlops/libmlops/bindings/go v0.0.0

replace github.com/libmlops/libmlops/bindings/go => $root/bindings/go
MOD
(cd "$doc" && go vet . && go run .) > "$doc/actual.txt"
# The expected lines, with "…" standing for anything.
n=0
while IFS= read -r line; do
    n=$((n + 1))
    got=$(sed -n "${n}p" "$doc/actual.txt")
    pattern=$(printf '%s' "$line" | sed 's/[][\.*^$]/\\&/g; s/…/.*/g')
    printf '%s\n' "$got" | grep -qx -- "$pattern" ||
        { echo "doc/go.md: line $n: want '$line', got '$got'"; exit 1; }
done < "$doc/expected.txt"
[ "$n" -gt 0 ] && [ "$(wc -l < "$doc/actual.txt")" -eq "$n" ] ||
    { echo "doc/go.md: $n expected lines, output:"; cat "$doc/actual.txt"; exit 1; }
echo "ok  doc/go.md"
echo "== Go checks passed in $(( $(date +%s) - start )) s"
