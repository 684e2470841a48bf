"""What the `mlops` command tests share: an installed copy of the build and
a way to run the command.

The build is installed with `meson install --destdir` into a temporary
folder, so the tests run the binary exactly as installed (linked to the
installed libmlops.so.1), not the one in the build tree.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

_INSTALL = None


def fail(msg):
    print(f"Bail out! {msg}", flush=True)
    sys.exit(1)


def installed():
    """(path of the installed mlops, environment to run it) for this run."""
    global _INSTALL
    if _INSTALL:
        return _INSTALL
    build = os.environ.get("MLOPS_BUILD_ROOT")
    if not build:
        fail("MLOPS_BUILD_ROOT is not set (run through meson test)")
    top = os.environ.get("MLOPS_TEST_TMPDIR") or tempfile.gettempdir()
    os.makedirs(top, exist_ok=True)
    dest = tempfile.mkdtemp(prefix="cli-install-", dir=top)
    r = subprocess.run(["meson", "install", "-C", build, "--destdir", dest, "--no-rebuild",
                        "--quiet"], capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"meson install failed: {r.stderr.strip()}")
    exe = libdir = None
    for d, _, files in os.walk(dest):
        if "mlops" in files and os.path.basename(d) == "bin":
            exe = os.path.join(d, "mlops")
        if "libmlops.so.1" in files:
            libdir = d
    if not exe or not libdir:
        fail(f"no bin/mlops or libmlops.so.1 under {dest}")
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = libdir + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    env.pop("MLOPS_STORE", None)
    env.pop("MLOPS_THREADS", None)
    env["LC_ALL"] = "C.UTF-8"
    _INSTALL = (exe, env, dest)
    return _INSTALL


class Result:
    def __init__(self, p, binary):
        self.code = p.returncode
        self.raw = p.stdout
        self.out = p.stdout if not binary else None
        if not binary:
            self.out = p.stdout.decode("utf-8", "replace")
        self.err = p.stderr.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.out)

    def __repr__(self):
        return f"<exit {self.code}, stdout {self.out!r:.400}, stderr {self.err!r:.400}>"


def mlops(*args, cwd=None, store=None, stdin=None, env=None, binary=False, timeout=120):
    """Runs the installed mlops with args (and -C store when given)."""
    exe, base_env, _ = installed()
    argv = [exe] + (["-C", store] if store else []) + [str(a) for a in args]
    e = dict(base_env)
    if env:
        e.update(env)
    p = subprocess.run(argv, cwd=cwd, env=e, input=stdin, capture_output=True, timeout=timeout)
    return Result(p, binary)


def tmpdir(name):
    top = os.environ.get("MLOPS_TEST_TMPDIR") or tempfile.gettempdir()
    os.makedirs(top, exist_ok=True)
    return tempfile.mkdtemp(prefix=name + "-", dir=top)


def cleanup():
    if _INSTALL:
        shutil.rmtree(_INSTALL[2], ignore_errors=True)
