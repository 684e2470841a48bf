"""Build hooks of the `libmlops` distribution (the rest is pyproject.toml).

The version has one source, the C library's meson.build: the package and
the library it binds are released together. It is read, in order, from
  1. mlops/_version.py when present: stamped into a copy of this folder by
     scripts/build-wheel.sh and scripts/test-python.sh, which build away
     from the checkout;
  2. PKG-INFO: an sdist, which records the version it was made with;
  3. ../../meson.build: `pip install ./bindings/python` in a checkout.
The installed package always gets mlops/_version.py (`mlops.__version__`).

A wheel built with a libmlops.so* inside mlops/ (scripts/build-wheel.sh)
holds machine code: it is tagged py3-none-<platform> (any Python 3, no
extension module, this platform) so that auditwheel can repair it. Without
one it stays the pure py3-none-any wheel that uses the system's library.
"""
import os
import re

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

try:  # setuptools >= 70.1 carries bdist_wheel; older ones use the wheel package's
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # pragma: no cover - depends on the build environment
    from wheel.bdist_wheel import bdist_wheel

HERE = os.path.dirname(os.path.abspath(__file__))
STAMP = os.path.join("mlops", "_version.py")


def _read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return None


def _version():
    text = _read(os.path.join(HERE, STAMP))
    if text is not None:
        m = re.search(r'^__version__ = "([^"]+)"$', text, re.M)
        if m:
            return m.group(1)
        raise RuntimeError(f"{STAMP} has no __version__ line")
    text = _read(os.path.join(HERE, "PKG-INFO"))
    if text is not None:
        m = re.search(r"^Version: (\S+)$", text, re.M)
        if m:
            return m.group(1)
    text = _read(os.path.join(HERE, "..", "..", "meson.build"))
    if text is not None:
        m = re.search(r"project\(\s*'libmlops'.*?\bversion\s*:\s*'([^']+)'", text, re.S)
        if m:
            return m.group(1)
    raise RuntimeError("libmlops: cannot tell the version: no mlops/_version.py, no PKG-INFO "
                       "and no ../../meson.build of libmlops next to setup.py")


VERSION = _version()


def _bundles_library():
    return any(n.startswith("libmlops.so") for n in os.listdir(os.path.join(HERE, "mlops")))


class stamped_build_py(build_py):
    """Writes mlops/_version.py into the built package."""

    def run(self):
        super().run()
        if not self.dry_run:
            path = os.path.join(self.build_lib, STAMP)
            with open(path, "w", encoding="utf-8") as f:
                f.write(f'"""Written when the package was built."""\n__version__ = "{VERSION}"\n')


class LibraryDistribution(Distribution):
    """Machine code inside (not an extension module): a platlib wheel."""

    def has_ext_modules(self):
        return _bundles_library()


class platform_bdist_wheel(bdist_wheel):
    """py3-none-<platform> rather than cpXY-cpXY-<platform>: ctypes only."""

    def get_tag(self):
        python, abi, plat = super().get_tag()
        if _bundles_library():
            return "py3", "none", plat
        return python, abi, plat


setup(version=VERSION, distclass=LibraryDistribution,
      cmdclass={"build_py": stamped_build_py, "bdist_wheel": platform_bdist_wheel})
