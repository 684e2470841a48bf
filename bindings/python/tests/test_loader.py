"""Finding the library and checking its version at import."""
import os
import shutil
import subprocess
import sys

import pytest

import mlops
from mlops import _loader

from conftest import run_python

LIB = os.path.realpath(mlops.library_path) if os.path.isabs(mlops.library_path) else None


def _lib_file():
    if LIB:
        return LIB
    pytest.skip("the library was not loaded by path")


def test_version_reported():
    assert mlops.library_version_number() >= 10000
    assert mlops.library_version().count(".") == 2
    assert mlops.library_found_by in ("MLOPS_LIBRARY", "package", "soname", "find_library")


def test_mlops_library_env_wins():
    lib = _lib_file()
    p = run_python("import mlops; print(mlops.library_found_by, mlops.library_path)",
                   env={"MLOPS_LIBRARY": lib})
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["MLOPS_LIBRARY", lib]


def test_mlops_library_env_that_does_not_load_fails_clearly(tmp_path):
    bad = str(tmp_path / "nope.so")
    p = run_python("import mlops", env={"MLOPS_LIBRARY": bad})
    assert p.returncode != 0
    assert "ImportError" in p.stderr and "MLOPS_LIBRARY" in p.stderr and bad in p.stderr


def test_soname_through_the_dynamic_linker():
    lib = _lib_file()
    p = run_python("import mlops; print(mlops.library_found_by, mlops.library_path)",
                   env={"MLOPS_LIBRARY": None, "LD_LIBRARY_PATH": os.path.dirname(lib)})
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["soname", "libmlops.so.1"]


def test_library_inside_the_package_folder_comes_before_the_soname(tmp_path):
    lib = _lib_file()
    pkg = tmp_path / "mlops"
    shutil.copytree(os.path.dirname(mlops.__file__), pkg,
                    ignore=shutil.ignore_patterns("__pycache__", "libmlops.so*"))
    shutil.copy(lib, pkg / "libmlops.so.1")
    p = run_python("import mlops; print(mlops.library_found_by, mlops.library_path)",
                   env={"MLOPS_LIBRARY": None, "LD_LIBRARY_PATH": os.path.dirname(lib),
                        "PYTHONPATH": str(tmp_path)}, cwd=str(tmp_path))
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["package", str(pkg / "libmlops.so.1")]


def test_nothing_found_names_every_place_tried(tmp_path):
    pkg = tmp_path / "mlops"
    shutil.copytree(os.path.dirname(mlops.__file__), pkg,
                    ignore=shutil.ignore_patterns("__pycache__", "libmlops.so*"))
    # find_library looks in ldconfig's cache and LIBRARY_PATH: an installed
    # copy would be found, which is right; only check the message when not.
    p = run_python("import mlops", env={"MLOPS_LIBRARY": None, "LD_LIBRARY_PATH": None,
                                        "PYTHONPATH": str(tmp_path)}, cwd=str(tmp_path))
    if p.returncode == 0:
        pytest.skip("libmlops is installed system-wide")
    assert "ImportError" in p.stderr
    assert "MLOPS_LIBRARY" in p.stderr and "libmlops.so.1" in p.stderr
    assert "find_library" in p.stderr


def test_check_version_accepts_this_major():
    _loader.check_version(10100, "1.1.0", "x")
    _loader.check_version(10203, "1.2.3", "x")


def test_check_version_refuses_too_old_naming_both_versions():
    with pytest.raises(ImportError) as e:
        _loader.check_version(10003, "1.0.3", "/some/libmlops.so.1")
    msg = str(e.value)
    assert "1.0.3" in msg and "1.1.0" in msg and "/some/libmlops.so.1" in msg


def test_check_version_refuses_another_major():
    with pytest.raises(ImportError) as e:
        _loader.check_version(20000, "2.0.0", "x")
    assert "2.0.0" in str(e.value) and "1.x" in str(e.value)


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
def test_import_refuses_a_too_old_library(tmp_path):
    src = tmp_path / "old.c"
    src.write_text('const char *mlops_version(void) { return "0.9.0"; }\n'
                   "int mlops_version_number(void) { return 900; }\n"
                   'const char *mlops_last_error(void) { return ""; }\n'
                   'const char *mlops_strerror(int c) { (void)c; return ""; }\n')
    so = tmp_path / "libold.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(so), str(src)], check=True)
    p = run_python("import mlops", env={"MLOPS_LIBRARY": str(so)})
    assert p.returncode != 0
    assert "ImportError" in p.stderr
    assert "0.9.0" in p.stderr and "1.1.0" in p.stderr and str(so) in p.stderr


def test_every_declared_function_exists_in_the_library():
    assert mlops._capi.MISSING == set()


def test_pip_install_needs_no_compiler(tmp_path):
    # `pip install ./bindings/python` in a checkout: the package is pure
    # Python (building it must not invoke a C compiler: CC points at a
    # command that fails), the distribution is libmlops and its version is
    # the C library's, read from the checkout's meson.build.
    if os.environ.get("MLOPS_SKIP_PIP_TEST"):
        pytest.skip("MLOPS_SKIP_PIP_TEST is set")
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    # A copy laid out as the checkout (pip builds in the folder it is given).
    shutil.copy(os.path.join(here, "..", "..", "meson.build"), tmp_path / "meson.build")
    src = tmp_path / "bindings" / "python"
    src.mkdir(parents=True)
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(os.path.join(here, name), src / name)
    shutil.copytree(os.path.join(here, "mlops"), src / "mlops",
                    ignore=shutil.ignore_patterns("__pycache__", "libmlops.so*", "_version.py"))
    out = tmp_path / "wheels"
    env = dict(os.environ, CC="false", CXX="false", PIP_DISABLE_PIP_VERSION_CHECK="1")
    p = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                        str(out), str(src)], env=env, capture_output=True, text=True,
                       timeout=300)
    if p.returncode != 0 and "No matching distribution" in p.stderr:
        pytest.skip("setuptools cannot be fetched here")
    assert p.returncode == 0, p.stderr
    wheels = [f for f in os.listdir(out) if f.endswith(".whl")]
    assert wheels == [f"libmlops-{mlops.library_version()}-py3-none-any.whl"], wheels


def test_package_version_is_the_library_version():
    # Built from the same tree: setup.py stamps the library's version.
    assert mlops.__version__ == mlops.library_version()


def test_mlops_library_env_comes_before_the_bundled_copy(tmp_path):
    lib = _lib_file()
    pkg = tmp_path / "mlops"
    shutil.copytree(os.path.dirname(mlops.__file__), pkg,
                    ignore=shutil.ignore_patterns("__pycache__", "libmlops.so*"))
    shutil.copy(lib, pkg / "libmlops.so.1")
    other = tmp_path / "elsewhere" / "libmlops.so.1"
    other.parent.mkdir()
    shutil.copy(lib, other)
    p = run_python("import mlops; print(mlops.library_found_by, mlops.library_path)",
                   env={"MLOPS_LIBRARY": str(other), "PYTHONPATH": str(tmp_path)},
                   cwd=str(tmp_path))
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["MLOPS_LIBRARY", str(other)]


def test_mlops_library_env_naming_a_missing_file_says_so(tmp_path, monkeypatch):
    bad = str(tmp_path / "lib" / "libmlops.so.1")
    with pytest.raises(ImportError) as e:
        _fake_load(monkeypatch, set(), [], bad, None)
    msg = str(e.value)
    assert bad in msg and "no such file" in msg and "MLOPS_LIBRARY" in msg


class _FakeLinker:
    """Stands in for ctypes.CDLL: loads only the names in `loadable`,
    records every name asked for."""

    def __init__(self, loadable):
        self.loadable = loadable
        self.asked = []

    def __call__(self, name):
        self.asked.append(name)
        if name not in self.loadable:
            raise OSError(f"{name}: cannot open shared object file")
        return ("loaded", name)


def _fake_load(monkeypatch, loadable, package, env, found):
    """Runs _loader.load() with a fake linker, bundled copies `package`,
    MLOPS_LIBRARY `env` and find_library's answer `found`; returns (how,
    path, the names asked of the linker in order)."""
    fake = _FakeLinker(loadable)
    monkeypatch.setattr(_loader.ctypes, "CDLL", fake)
    monkeypatch.setattr(_loader, "_package_libraries", lambda: list(package))
    monkeypatch.setattr(_loader.ctypes.util, "find_library", lambda name: found)
    if env is None:
        monkeypatch.delenv("MLOPS_LIBRARY", raising=False)
    else:
        monkeypatch.setenv("MLOPS_LIBRARY", env)
    _, path, how = _loader.load()
    return how, path, fake.asked


# Each step of the lookup is taken when, and only when, the earlier ones
# give nothing: "/x/explicit.so" (MLOPS_LIBRARY), "/pkg/libmlops.so.1" (the
# bundled copy), "libmlops.so.1" (the system's, through the linker) and
# "/usr/lib/libmlops.so.1.0.0" (find_library's answer).
EVERY = {"/x/explicit.so", "/pkg/libmlops.so.1", "libmlops.so.1", "/usr/lib/libmlops.so.1.0.0"}


def test_lookup_order_explicit_first(tmp_path, monkeypatch):
    explicit = str(tmp_path / "explicit.so")
    open(explicit, "w").close()
    how, path, asked = _fake_load(monkeypatch, EVERY | {explicit}, ["/pkg/libmlops.so.1"], explicit,
                                  "/usr/lib/libmlops.so.1.0.0")
    assert (how, path, asked) == ("MLOPS_LIBRARY", explicit, [explicit])


def test_lookup_order_bundled_before_the_system(monkeypatch):
    how, path, asked = _fake_load(monkeypatch, EVERY, ["/pkg/libmlops.so.1"], None,
                                  "/usr/lib/libmlops.so.1.0.0")
    assert (how, path, asked) == ("package", "/pkg/libmlops.so.1", ["/pkg/libmlops.so.1"])


def test_lookup_order_system_soname_without_a_bundled_copy(monkeypatch):
    how, path, asked = _fake_load(monkeypatch, EVERY, [], None, "/usr/lib/libmlops.so.1.0.0")
    assert (how, path, asked) == ("soname", "libmlops.so.1", ["libmlops.so.1"])


def test_lookup_order_bundled_copy_that_does_not_load_falls_to_the_system(monkeypatch):
    how, path, asked = _fake_load(monkeypatch, EVERY - {"/pkg/libmlops.so.1"}, ["/pkg/libmlops.so.1"], None,
                                  None)
    assert (how, path, asked) == ("soname", "libmlops.so.1",
                                  ["/pkg/libmlops.so.1", "libmlops.so.1"])


def test_lookup_order_find_library_last(monkeypatch):
    how, path, asked = _fake_load(monkeypatch, {"/usr/lib/libmlops.so.1.0.0"}, [], None,
                                  "/usr/lib/libmlops.so.1.0.0")
    assert (how, path) == ("find_library", "/usr/lib/libmlops.so.1.0.0")
    assert asked == ["libmlops.so.1", "/usr/lib/libmlops.so.1.0.0"]


def test_lookup_nothing_found_names_every_step(monkeypatch):
    with pytest.raises(ImportError) as e:
        _fake_load(monkeypatch, set(), ["/pkg/libmlops.so.1"], None, None)
    msg = str(e.value)
    assert "/pkg/libmlops.so.1" in msg and "libmlops.so.1 (" in msg and "find_library" in msg
    assert "MLOPS_LIBRARY" in msg and "wheel" in msg
