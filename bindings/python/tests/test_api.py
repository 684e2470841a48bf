"""Every public name is documented and typed; the package is marked typed."""
import inspect
import os

import mlops
from mlops import drift, errors, metrics, monitors


def _public_objects():
    for mod in (mlops, drift, errors, metrics, monitors):
        for name in mod.__all__:
            obj = getattr(mod, name)
            yield f"{mod.__name__}.{name}", obj
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if attr.startswith("_") and attr not in ("__init__", "__enter__",
                                                             "__exit__"):
                        continue
                    if isinstance(member, (staticmethod, classmethod)):
                        member = member.__func__
                    if isinstance(member, property):
                        member = member.fget
                    if inspect.isfunction(member):
                        yield f"{mod.__name__}.{name}.{attr}", member
            for cls in obj.__mro__[1:] if inspect.isclass(obj) else ():
                if cls.__module__.startswith("mlops") and cls.__name__.endswith("Mixin"):
                    for attr, member in vars(cls).items():
                        if not attr.startswith("_") and inspect.isfunction(member):
                            yield f"{mod.__name__}.{name}.{attr}", member


def test_every_public_name_has_a_docstring():
    missing = []
    for qual, obj in _public_objects():
        if isinstance(obj, (str, int, dict)) or qual.endswith(("__enter__", "__exit__")):
            continue
        if qual.endswith("__init__") or qual == "mlops.DigestLike":
            continue  # documented by the class docstring; a typing alias
        if not (getattr(obj, "__doc__", None) or "").strip():
            missing.append(qual)
    assert missing == []


def test_every_public_function_is_annotated():
    missing = []
    for qual, obj in _public_objects():
        if not inspect.isfunction(obj) or qual.endswith(("__enter__", "__exit__")):
            continue
        sig = inspect.signature(obj)
        if sig.return_annotation is inspect.Signature.empty:
            missing.append(qual + " -> ?")
        for p in sig.parameters.values():
            if p.name not in ("self", "cls") and p.annotation is inspect.Parameter.empty:
                missing.append(f"{qual}({p.name})")
    assert missing == []


def test_py_typed_is_shipped():
    assert os.path.exists(os.path.join(os.path.dirname(mlops.__file__), "py.typed"))


def test_module_docstrings():
    for mod in (mlops, drift, errors, monitors, mlops.store, mlops.track, mlops.registry,
                mlops.digest):
        assert (mod.__doc__ or "").strip(), mod.__name__


def _deprecated_functions(include_dir):
    """The functions whose header comment says "Deprecated since": the
    declarations between such a comment and the next comment."""
    import re

    names = set()
    for header in sorted(os.listdir(include_dir)):
        text = open(os.path.join(include_dir, header), encoding="utf-8").read()
        parts = re.split(r"(/\*.*?\*/)", text, flags=re.S)
        for comment, code in zip(parts[1::2], parts[2::2]):
            if "Deprecated since" in comment:
                names.update(re.findall(r"MLOPS_API[^;(]*?\b(mlops_\w+)\s*\(", code))
    return names


def test_the_binding_calls_no_deprecated_function():
    from mlops import _capi

    include_dir = os.path.join(os.path.dirname(__file__), "..", "..", "..", "include", "mlops")
    if not os.path.isdir(include_dir):
        import pytest

        pytest.skip("no source tree (installed package)")
    deprecated = _deprecated_functions(include_dir)
    assert "mlops_run_search" in deprecated  # the scan finds them
    declared = {name for name in vars(_capi.C) if name.startswith("mlops_")}
    assert declared, "no declarations found"
    assert sorted(declared & deprecated) == []
