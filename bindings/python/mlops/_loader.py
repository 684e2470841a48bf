"""Finding and loading libmlops, and checking its version at import.

Lookup order (the first that loads wins):

1. explicit: the ``MLOPS_LIBRARY`` environment variable (a path; when it
   is set and does not load, the import fails rather than falling back:
   whoever set it meant that library);
2. bundled: a ``libmlops.so*`` inside this package's folder, as the
   `libmlops` wheel ships it (scripts/build-wheel.sh; the libraries it
   links sit in ``libmlops.libs/`` next to the package, found through its
   RUNPATH);
3. the system: ``libmlops.so.1`` through the dynamic linker
   (``LD_LIBRARY_PATH``, ldconfig's cache; the soname pins the ABI major
   version), then ``ctypes.util.find_library("mlops")``.

``library_found_by`` names the step: "MLOPS_LIBRARY", "package", "soname"
or "find_library".
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
from typing import List, Tuple

#: The ABI major version this binding speaks (the soname's number).
ABI_MAJOR = 1
#: The oldest library release the binding works with (MAJOR*10000 +
#: MINOR*100 + PATCH): every function it declares exists since then.
MIN_VERSION_NUMBER = 10100


def _number_text(number: int) -> str:
    return f"{number // 10000}.{number // 100 % 100}.{number % 100}"


def _package_libraries() -> List[str]:
    here = os.path.dirname(os.path.abspath(__file__))
    names = sorted(n for n in os.listdir(here) if n.startswith("libmlops.so"))
    # Prefer the soname, then the longest (fully versioned) name.
    names.sort(key=lambda n: (n != f"libmlops.so.{ABI_MAJOR}", -len(n)))
    return [os.path.join(here, n) for n in names]


def load() -> Tuple[ctypes.CDLL, str, str]:
    """Loads the library; returns (library, path or name, how it was found).

    Raises ImportError naming every place that was tried."""
    tried: List[str] = []
    env = os.environ.get("MLOPS_LIBRARY")
    if env:
        # A path that is not there says so; a bare name goes to the linker.
        if os.sep in env and not os.path.exists(env):
            raise ImportError(f"mlops: MLOPS_LIBRARY={env!r}: no such file (unset MLOPS_LIBRARY "
                              "to use the bundled or the system's libmlops)")
        try:
            return ctypes.CDLL(env), env, "MLOPS_LIBRARY"
        except OSError as e:
            raise ImportError(f"mlops: MLOPS_LIBRARY={env!r} does not load: {e}") from None
    for path in _package_libraries():
        try:
            return ctypes.CDLL(path), path, "package"
        except OSError as e:
            tried.append(f"{path} ({e})")
    soname = f"libmlops.so.{ABI_MAJOR}"
    try:
        return ctypes.CDLL(soname), soname, "soname"
    except OSError as e:
        tried.append(f"{soname} ({e})")
    found = ctypes.util.find_library("mlops")
    if found:
        try:
            return ctypes.CDLL(found), found, "find_library"
        except OSError as e:
            tried.append(f"{found} ({e})")
    else:
        tried.append("ctypes.util.find_library('mlops') (nothing found)")
    raise ImportError(
        "mlops: cannot find libmlops (this package has no bundled copy: the `libmlops` wheel "
        "has one); install libmlops, set MLOPS_LIBRARY to its path or add its folder to "
        "LD_LIBRARY_PATH. Tried: " + "; ".join(tried)
    )


def check_version(number: int, text: str, where: str) -> None:
    """Raises ImportError when the loaded library (version `number`, text
    `text`, loaded from `where`) is older than this binding needs or has
    another ABI major version."""
    need = _number_text(MIN_VERSION_NUMBER)
    if number < MIN_VERSION_NUMBER:
        raise ImportError(
            f"mlops: the libmlops at {where} is version {text} ({number}), too old: "
            f"this binding needs libmlops >= {need} ({MIN_VERSION_NUMBER})"
        )
    if number // 10000 != ABI_MAJOR:
        raise ImportError(
            f"mlops: the libmlops at {where} is version {text} ({number}), major version "
            f"{number // 10000}: this binding needs libmlops {ABI_MAJOR}.x (>= {need})"
        )
