#!/bin/sh
# The main job: installs what is missing, builds libmlops and the mlops
# command, and runs the end-to-end example (doc/examples/quickstart.c) on a
# local store in ./mlops-demo (relative to the directory it is started from).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh" main
"$root/scripts/setup-build.sh" build-main -Dtests=false > /dev/null
"$root/build-main/doc/examples/quickstart" mlops-demo
echo
echo "(the mlops command is $root/build-main/tools/mlops; 'meson install -C $root/build-main' puts it on the PATH)"
