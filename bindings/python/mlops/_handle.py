"""Lifetimes of library handles held by Python objects."""
from __future__ import annotations

import sys
import weakref
from typing import Any


class Owned:
    """Base of Python objects that own one library handle.

    ``close()`` releases the handle once; it also runs when the object is
    garbage-collected (a safety net: close explicitly or use ``with``).
    Children (runs, readers, writers) register with their store so that
    closing the store first closes them."""

    _h: Any = None

    def _release(self, h: Any) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def close(self) -> None:
        """Releases the library handle. Calling it again does nothing."""
        h, self._h = self._h, None
        if h is not None:
            self._release(h)

    @property
    def closed(self) -> bool:
        """True once the handle is released."""
        return self._h is None

    def __del__(self) -> None:
        if sys is None or sys.is_finalizing():  # interpreter shutting down
            return
        try:
            self.close()
        except Exception:  # pragma: no cover - never raise from __del__
            pass


class Children:
    """The open child objects of a store, closed before the store is."""

    def __init__(self) -> None:
        self._set: "weakref.WeakSet[Any]" = weakref.WeakSet()

    def add(self, child: Any) -> None:
        self._set.add(child)

    def close_all(self) -> None:
        for child in list(self._set):
            child.close()
