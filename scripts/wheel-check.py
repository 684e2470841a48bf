"""Run by scripts/test-wheel.sh with the virtual environment's Python, in a
folder outside the checkout, after the quickstart: the `mlops` it imports
is the installed wheel's, it loaded the library bundled in the wheel, the
libraries libmlops links came from the wheel too, and a store that needs a
backend the wheel lacks raises mlops.Unsupported naming the backend.
usage: python wheel-check.py WORKDIR [s3]   (s3: the source has the S3 backend)
"""
import os
import subprocess
import sys

import mlops

work = sys.argv[1]
prefix = os.path.realpath(sys.prefix) + os.sep


def fail(msg):
    sys.exit(f"wheel-check: {msg}")


if mlops.library_found_by != "package":
    fail(f"libmlops found by {mlops.library_found_by} at {mlops.library_path}, not the wheel's")
if not os.path.realpath(mlops.library_path).startswith(prefix):
    fail(f"libmlops loaded from {mlops.library_path}, outside {sys.prefix}")
if mlops.__version__ != mlops.library_version():
    fail(f"package version {mlops.__version__}, library version {mlops.library_version()}")

# Every file mapped into this process whose name is one of libmlops's
# dependencies must be the wheel's copy (libmlops.libs/ in the environment).
DEPS = ("libmlops", "libsqlite3", "libcrypto", "libzstd", "libmsgpack")
with open("/proc/self/maps") as f:
    mapped = {line.split(None, 5)[5].strip() for line in f if len(line.split(None, 5)) == 6}
for path in sorted(mapped):
    if os.path.basename(path).startswith(DEPS) and not os.path.realpath(path).startswith(prefix):
        fail(f"{path} is loaded from outside the environment {sys.prefix}")


def expect_unsupported(what, word, call):
    try:
        call()
    except mlops.Unsupported as e:
        if word not in str(e):
            fail(f"{what}: the message does not name {word}: {e}")
        print(f"wheel-check: {what}: mlops.Unsupported: {e}")
        return
    except Exception as e:  # noqa: BLE001 - any other outcome is the failure reported
        fail(f"{what}: {type(e).__name__}: {e} (expected mlops.Unsupported)")
    fail(f"{what}: no error (expected mlops.Unsupported)")


def conf_store(name, text):
    d = os.path.join(work, name)
    os.makedirs(d)
    with open(os.path.join(d, "mlops.conf"), "w") as f:
        f.write(text)
    return d


expect_unsupported("Store.create(metadata=postgresql://...)", "PostgreSQL",
                   lambda: mlops.Store.create(os.path.join(work, "pg-new"),
                                              metadata="postgresql://localhost/mlops"))
pg = conf_store("pg-store", "format 1\nmetadata postgresql://localhost/mlops\nschema mlops\n")
expect_unsupported("Store() of a PostgreSQL store", "PostgreSQL", lambda: mlops.Store(pg))
if "s3" in sys.argv[2:]:
    s3 = conf_store("s3-store", "format 1\nobjects s3://bucket/prefix\n")
    expect_unsupported("Store() of a store with objects on S3", "S3", lambda: mlops.Store(s3))


def import_ms():
    """`import mlops` in a fresh interpreter, as -X importtime counts it
    (the import itself: not the interpreter's start)."""
    p = subprocess.run([sys.executable, "-X", "importtime", "-c", "import mlops"],
                       capture_output=True, text=True, check=True)
    last = [ln for ln in p.stderr.splitlines() if ln.rstrip().endswith("| mlops")][-1]
    return int(last.split("|")[1]) / 1000.0


times = sorted(import_ms() for _ in range(7))
print(f"# figure: import mlops (wheel, fresh process, median of 7): {times[3]:.0f} ms")
print(f"wheel-check: libmlops {mlops.library_version()} and its libraries from the wheel "
      f"({os.path.dirname(mlops.library_path)})")
