#!/bin/sh
# Copies the Python package's sources (bindings/python, without caches or a
# stray libmlops.so*) into DEST and stamps mlops/_version.py with the
# version meson reads from meson.build in BUILD_DIR: pip builds in the
# folder it is given, so the scripts that build the package (build-wheel.sh,
# test-python.sh) build a copy, away from the checkout's meson.build.
# usage: scripts/python-stage.sh BUILD_DIR DEST
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$1
dest=$2
version=$(meson introspect --projectinfo "$build" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
rm -rf "$dest"
mkdir -p "$dest"
src=$root/bindings/python
cp "$src/pyproject.toml" "$src/setup.py" "$src/README.md" "$dest/"
mkdir "$dest/mlops"
for f in "$src"/mlops/*.py "$src/mlops/py.typed"; do
    case ${f##*/} in _version.py) continue ;; esac
    cp "$f" "$dest/mlops/"
done
# The subpackages (mlops.integrations): their modules only.
for d in "$src"/mlops/*/; do
    [ -d "$d" ] || continue
    case ${d%/} in */__pycache__) continue ;; esac
    sub=${d%/}
    mkdir "$dest/mlops/${sub##*/}"
    cp "$sub"/*.py "$dest/mlops/${sub##*/}/"
done
printf '"""Written when the package was staged."""\n__version__ = "%s"\n' "$version" \
    >"$dest/mlops/_version.py"
